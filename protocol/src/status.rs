//! What the district has done with a report: one enum for the wire, the
//! server's storage and pages, and the app, with its labels in both
//! languages.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// A report's status as the district sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Arrived; not yet looked at.
    Received,
    /// Handed to the unit responsible (a commune, a department).
    Assigned,
    /// Someone is working on it.
    InProgress,
    /// Fixed.
    Resolved,
    /// Will not be acted on (the reply says why).
    Rejected,
    /// The reporter said it was not fixed (or contested a rejection): back
    /// with a unit, with a new deadline, until staff act again.
    Reopened,
}

impl Status {
    /// Every status, in the order a report moves through them.
    pub const ALL: [Status; 6] =
        [Status::Received, Status::Assigned, Status::InProgress, Status::Resolved, Status::Rejected, Status::Reopened];

    /// The stable name used on the wire and in storage.
    pub const fn code(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Assigned => "assigned",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Rejected => "rejected",
            Status::Reopened => "reopened",
        }
    }

    /// Parse a stable name.
    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Received => lang.pick("Đã tiếp nhận", "Received"),
            Status::Assigned => lang.pick("Đã chuyển đơn vị xử lý", "Assigned"),
            Status::InProgress => lang.pick("Đang xử lý", "In progress"),
            Status::Resolved => lang.pick("Đã giải quyết", "Resolved"),
            Status::Rejected => lang.pick("Từ chối", "Rejected"),
            Status::Reopened => lang.pick("Đã mở lại", "Reopened"),
        }
    }

    /// Whether the district is done with it (Open311's `closed`).
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Resolved | Status::Rejected)
    }
}

/// The label for a stored code; an unknown code is shown as "unknown".
pub fn label_of(code: &str, lang: Lang) -> &'static str {
    Status::from_code(code).map_or(lang.pick("Không rõ", "Unknown"), |s| s.label(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_differ() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.code()));
            assert_ne!(s.label(Lang::Vi), s.label(Lang::En));
        }
        assert_eq!(Status::from_code("lost"), None);
        assert_eq!(label_of("lost", Lang::En), "Unknown");
        assert!(Status::Rejected.is_closed() && !Status::InProgress.is_closed());
    }
}

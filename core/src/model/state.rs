//! Where a report is in its life, on the device and at the district.

use std::fmt;
use std::str::FromStr;

use phananh_protocol::Lang;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where a report is on the device.
///
/// `Draft → Queued → Sending → Sent`, or `NeedsAttention` when the server
/// refused it for a reason the user must fix; editing goes back to a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReportState {
    /// Being written; may be incomplete.
    Draft,
    /// Validated and waiting to be sent.
    Queued,
    /// Being sent now.
    Sending,
    /// The server has it.
    Sent {
        /// The short code people read aloud and type, e.g. `DL-7K3M9Q`.
        tracking_code: String,
    },
    /// The server refused it; the reason is for the user to read and act on.
    NeedsAttention {
        /// The server's message, in the user's language.
        reason: String,
    },
}

impl ReportState {
    /// The state without its data, for filters and storage.
    pub fn kind(&self) -> StateKind {
        match self {
            ReportState::Draft => StateKind::Draft,
            ReportState::Queued => StateKind::Queued,
            ReportState::Sending => StateKind::Sending,
            ReportState::Sent { .. } => StateKind::Sent,
            ReportState::NeedsAttention { .. } => StateKind::NeedsAttention,
        }
    }
}

/// The kind of a [`ReportState`], without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum), uniffi(name = "ReportState"))]
pub enum StateKind {
    /// Being written.
    Draft,
    /// Waiting to be sent.
    Queued,
    /// Being sent.
    Sending,
    /// The server has it.
    Sent,
    /// Refused; the user must act.
    NeedsAttention,
}

impl StateKind {
    /// Every kind, in life order.
    pub const ALL: [StateKind; 5] =
        [StateKind::Draft, StateKind::Queued, StateKind::Sending, StateKind::Sent, StateKind::NeedsAttention];

    /// The stable name used in storage, JSON and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            StateKind::Draft => "draft",
            StateKind::Queued => "queued",
            StateKind::Sending => "sending",
            StateKind::Sent => "sent",
            StateKind::NeedsAttention => "needs_attention",
        }
    }

    /// Whether the user may still change the report's content.
    pub fn is_editable(self) -> bool {
        matches!(self, StateKind::Draft | StateKind::NeedsAttention)
    }

    /// A name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            StateKind::Draft => lang.pick("Bản nháp", "Draft"),
            StateKind::Queued => lang.pick("Chờ gửi", "Waiting to send"),
            StateKind::Sending => lang.pick("Đang gửi", "Sending"),
            StateKind::Sent => lang.pick("Đã gửi", "Sent"),
            StateKind::NeedsAttention => lang.pick("Cần xem lại", "Needs attention"),
        }
    }
}

impl fmt::Display for StateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text is not a state name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown state {0:?}: use draft, queued, sending, sent or needs_attention")]
pub struct UnknownState(pub String);

impl FromStr for StateKind {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        StateKind::ALL.into_iter().find(|k| k.code() == wanted).ok_or_else(|| UnknownState(s.to_owned()))
    }
}

pub use phananh_protocol::Status;

/// One step in a sent report's history, with the official reply if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusEntry {
    /// The status from this moment on.
    pub status: Status,
    /// When the district set it.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The official reply to the reporter, if one came with it.
    pub reply: Option<String>,
    /// The unit responsible from this step on (code, name), if the server says.
    #[serde(default)]
    pub unit: Option<(String, String)>,
    /// Its deadline from this step on.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in StateKind::ALL {
            assert_eq!(k.code().parse::<StateKind>().unwrap(), k);
            assert_ne!(k.label(Lang::Vi), k.label(Lang::En));
        }
        assert_eq!("Needs-Attention".parse::<StateKind>().unwrap(), StateKind::NeedsAttention);
        assert!("gone".parse::<StateKind>().is_err());
        assert_eq!(Status::from_code("in_progress"), Some(Status::InProgress));
        assert_eq!(Status::from_code("lost"), None);
    }

    #[test]
    fn state_json_is_flat_and_tagged() {
        let s = ReportState::Sent { tracking_code: "DL-7K3M9Q".into() };
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"state":"sent","tracking_code":"DL-7K3M9Q"}"#);
    }
}

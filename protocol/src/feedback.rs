//! The resident's word after the district's answer: a rating of it, a
//! reopen when the fix was not real (or a rejection is contested), and
//! following a neighbour's report. The scores, their labels and the rules
//! both sides apply live here.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// How satisfied the reporter is with the answer ("mức độ hài lòng").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    /// Hài lòng.
    Satisfied,
    /// Chấp nhận.
    Acceptable,
    /// Không hài lòng.
    NotSatisfied,
}

impl Score {
    /// Every score, best first.
    pub const ALL: [Score; 3] = [Score::Satisfied, Score::Acceptable, Score::NotSatisfied];

    /// The stable name on the wire and in storage.
    pub const fn code(self) -> &'static str {
        match self {
            Score::Satisfied => "satisfied",
            Score::Acceptable => "acceptable",
            Score::NotSatisfied => "not_satisfied",
        }
    }

    /// Parse a stable name (`not-satisfied` and any case accepted).
    pub fn from_code(code: &str) -> Option<Score> {
        let wanted = code.trim().to_ascii_lowercase().replace('-', "_");
        Score::ALL.into_iter().find(|s| s.code() == wanted)
    }

    /// A name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Score::Satisfied => lang.pick("Hài lòng", "Satisfied"),
            Score::Acceptable => lang.pick("Chấp nhận", "Acceptable"),
            Score::NotSatisfied => lang.pick("Không hài lòng", "Not satisfied"),
        }
    }
}

/// Days after a resolution (or rejection) in which the reporter may reopen
/// (or contest) it, unless the district says otherwise.
pub const DEFAULT_REOPEN_DAYS: u32 = 30;

/// Days after a resolution in which a neighbour may still follow a report.
pub const FOLLOW_RESOLVED_DAYS: u32 = 30;

/// The longest comment on a rating, and the longest reason for a reopen,
/// in characters.
pub const MAX_FEEDBACK_CHARS: usize = 1000;

/// Whether a report closed at `closed_ms` may still be reopened at `now_ms`.
pub fn within_days(closed_ms: i64, now_ms: i64, days: u32) -> bool {
    now_ms >= closed_ms && now_ms - closed_ms <= i64::from(days) * 86_400_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_trip_and_read_in_both_languages() {
        for s in Score::ALL {
            assert_eq!(Score::from_code(s.code()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.code()));
            assert_ne!(s.label(Lang::Vi), s.label(Lang::En));
        }
        assert_eq!(Score::from_code("Not-Satisfied"), Some(Score::NotSatisfied));
        assert_eq!(Score::from_code("great"), None);
    }

    #[test]
    fn the_window_counts_whole_days_from_the_closing() {
        let day = 86_400_000;
        assert!(within_days(0, 30 * day, 30));
        assert!(!within_days(0, 30 * day + 1, 30));
        assert!(!within_days(10, 5, 30), "not before it was closed");
    }
}

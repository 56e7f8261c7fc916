//! Why a service refused, in the domain's words.

use phananh_protocol::{Field, Lang, ValidationErrors};

use crate::storage::StorageError;

/// A refusal (the caller's to fix) or a failure underneath.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The report breaks the shared rules (`phananh_protocol::validate`).
    #[error("invalid report: {}", .0.message(Lang::En))]
    Invalid(ValidationErrors),
    /// Another rule: a stable code, the field at fault, a message in both
    /// languages.
    #[error("{en}")]
    Refused {
        /// Stable code (`unknown_category`, `photo_required`, `bad_status`…).
        code: &'static str,
        /// The field at fault, if one.
        field: Option<Field>,
        /// Vietnamese.
        vi: &'static str,
        /// English.
        en: &'static str,
    },
    /// Not in this state: the report is not ready for what was asked
    /// (a rating before any answer, a reopen after the window).
    #[error("{en}")]
    Conflict {
        /// Stable code (`not_closed`, `reopen_window_passed`…).
        code: &'static str,
        /// Vietnamese.
        vi: &'static str,
        /// English.
        en: &'static str,
    },
    /// The account's role may not do this (a leader changing a report, an
    /// officer assigning). Reports the account may not even see are
    /// `Storage(NotFound)` instead, so they cannot be probed.
    #[error("not allowed for this role")]
    Forbidden,
    /// Storage refused or failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ServiceError {
    pub(crate) fn refused(code: &'static str, field: Option<Field>, vi: &'static str, en: &'static str) -> Self {
        ServiceError::Refused { code, field, vi, en }
    }

    /// For people, in `lang` (Open311 answers in English).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ServiceError::Invalid(errors) => errors.message(lang),
            ServiceError::Refused { vi, en, .. } | ServiceError::Conflict { vi, en, .. } => {
                lang.pick(vi, en).to_owned()
            }
            ServiceError::Forbidden => {
                lang.pick("Vai trò của bạn không được làm việc này", "Your role may not do this").to_owned()
            }
            ServiceError::Storage(e) => e.to_string(),
        }
    }

    /// Whether the caller is at fault (a 4xx), not the server.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, ServiceError::Storage(StorageError::Backend(_)))
    }
}

//! The one error type the apps see, converted from the core's errors here
//! and nowhere else.

use phananh_core::{Error, Lang};

/// Why a call failed, as the UI can act on it. Every message is in the
/// language currently chosen, in `detail` (Kotlin reserves `message`). Kotlin: `PhanAnhException`; Swift: `PhanAnhError`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PhanAnhError {
    /// The report breaks a rule; `field` names the first field at fault
    /// (`description`, `location`, `reporter_phone`, …), `detail` lists
    /// every broken rule.
    #[error("{detail}")]
    Validation {
        /// The first field at fault.
        field: String,
        /// Every broken rule, for people.
        detail: String,
    },
    /// The photo cannot be used (not an image, damaged, too large, over the
    /// report's byte budget). `reason` is a stable code.
    #[error("{detail}")]
    PhotoRejected {
        /// Stable code: `not_an_image`, `corrupt`, `too_large`, …
        reason: String,
        /// For people.
        detail: String,
    },
    /// No report or photo with that id.
    #[error("{detail}")]
    NotFound {
        /// For people.
        detail: String,
    },
    /// The report cannot be changed in its current state (queued, sending, sent).
    #[error("{detail}")]
    NotEditable {
        /// For people.
        detail: String,
    },
    /// The server cannot be reached; what was saved stays saved.
    #[error("{detail}")]
    Offline {
        /// For people.
        detail: String,
    },
    /// The server refused; its own message, in the chosen language.
    #[error("{detail}")]
    Server {
        /// For people.
        detail: String,
    },
    /// The device's storage failed (disk full, damaged database, secret store).
    #[error("{detail}")]
    Storage {
        /// For people.
        detail: String,
    },
    /// A bug. The app should offer to report it; nothing saved is lost.
    #[error("{detail}")]
    Internal {
        /// For people and bug reports.
        detail: String,
    },
}

impl PhanAnhError {
    /// The one conversion from the core's errors.
    pub(crate) fn from_core(e: Error, lang: Lang) -> PhanAnhError {
        let detail = e.message(lang);
        match e {
            Error::Invalid(list) => PhanAnhError::Validation {
                field: list.0.first().map(|v| v.field().code().to_owned()).unwrap_or_default(),
                detail,
            },
            Error::Photo(p) => PhanAnhError::PhotoRejected { reason: p.code().to_owned(), detail },
            Error::TooManyPhotos { .. } => PhanAnhError::PhotoRejected { reason: "too_many_photos".into(), detail },
            Error::NotFound(_) | Error::PhotoNotFound(_) | Error::UnknownId(_) | Error::AmbiguousId(_) => {
                PhanAnhError::NotFound { detail }
            }
            Error::NotEditable { .. } => PhanAnhError::NotEditable { detail },
            Error::Network(_) => PhanAnhError::Offline { detail },
            Error::Server { .. } => PhanAnhError::Server { detail },
            Error::Config(_) => PhanAnhError::Validation { field: "server_url".into(), detail },
            Error::Feedback(r) => PhanAnhError::Validation { field: r.code().to_owned(), detail },
            _ => PhanAnhError::Storage { detail },
        }
    }

    pub(crate) fn internal(lang: Lang, what: &str) -> PhanAnhError {
        PhanAnhError::Internal {
            detail: format!("{} ({what})", lang.pick("Lỗi bên trong ứng dụng", "Internal error in the app")),
        }
    }
}

/// A foreign `SecretStore` or listener threw where it must not.
impl From<uniffi::UnexpectedUniFFICallbackError> for PhanAnhError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        PhanAnhError::Storage { detail: format!("the app's secret store failed: {}", e.reason) }
    }
}

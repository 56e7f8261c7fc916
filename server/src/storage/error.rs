//! What storage can fail with, in the domain's words: the HTTP layer maps
//! these to answers (`crate::error`), storage knows nothing of HTTP or of
//! the reader's language.

/// A storage refusal or failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// No such report (or another device's).
    #[error("not found")]
    NotFound,
    /// A report id (the phone's UUID) already used with another body or by
    /// another device.
    #[error("the report id was already used with a different body")]
    IdReused,
    /// A declared photo id already belongs to another report.
    #[error("the photo id is already used by another report")]
    PhotoIdTaken,
    /// A report marked a duplicate of itself.
    #[error("a report cannot duplicate itself")]
    SelfDuplicate,
    /// Recorded already, differently (a second rating of one report).
    #[error("already recorded")]
    Conflict,
    /// The database failed (the detail is for the log, not for a client).
    #[error("storage failed: {0}")]
    Backend(String),
}

impl StorageError {
    /// A failure of the engine underneath.
    pub fn backend(detail: impl std::fmt::Display) -> StorageError {
        StorageError::Backend(detail.to_string())
    }
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::backend(e)
    }
}

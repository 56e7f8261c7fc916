//! The protocol's types that cross the FFI as they are, declared to uniffi
//! here because `phananh-protocol` does not depend on it (uniffi's
//! "remote types": the variants must match, and the compiler checks that
//! they do).

use crate::protocol::{Lang, Score, Status};

/// The language of every message and label.
pub type Language = Lang;

#[uniffi::remote(Enum)]
enum Language {
    Vi,
    En,
}

/// How satisfied the reporter is with the answer.
pub type RatingScore = Score;

#[uniffi::remote(Enum)]
enum RatingScore {
    Satisfied,
    Acceptable,
    NotSatisfied,
}

/// What the district has done.
pub type DistrictStatus = Status;

#[uniffi::remote(Enum)]
enum DistrictStatus {
    Received,
    Assigned,
    InProgress,
    Resolved,
    Rejected,
    Reopened,
}

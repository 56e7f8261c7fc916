//! The report model: what a resident writes, and what becomes of it.
//!
//! A report starts as a draft on the phone and may be incomplete; it is
//! validated when submitted, queued, sent, and then followed through the
//! statuses the district gives it.

mod ids;
mod patch;
mod report;
mod state;

pub use ids::{InvalidId, PhotoId, ReportId};
pub use patch::DraftPatch;
pub use report::{Location, OnBehalfOf, Photo, Report, ReportSummary, Reporter};
pub use state::{ReportState, StateKind, Status, StatusEntry};

//! The service layer: what the district's server does, whoever asks — the
//! app's API, Open311 clients or staff in the dashboard and its API.
//! Handlers parse the request, call one of these, and render the answer;
//! the rules live here once.
//!
//! - [`ReportService`]: a report's intake (checked by the protocol's
//!   rules), its photos, and the staff's status changes, replies and
//!   duplicates (each in the audit trail);
//! - the admin's accounts ([`AccountChange`]);
//! - [`ServiceError`]: refusals in the domain's words (the HTTP layer maps
//!   them, in the reader's language).

mod admin;
mod error;
mod feedback;
pub mod figures;
pub mod overview;
mod reports;
mod staff;

pub use admin::AccountChange;
pub use error::ServiceError;
pub use feedback::{StatsView, UnitFigures};
pub use reports::{Intake, ReportRules, ReportService, duplicate_reply};
pub use staff::{Need, REJECT_REASONS, allowed, reject_reason_label};

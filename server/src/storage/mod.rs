//! Where the server keeps its records, behind one trait.
//!
//! Handlers speak to [`Storage`] in the words of the domain (create a report,
//! a device's changes since a cursor, start an upload, open a staff
//! session…), never in SQL, so a PostgreSQL implementation can follow the
//! SQLite one ([`SqliteStorage`]) without touching a route. Photo bytes live
//! behind the other trait, [`crate::photos::PhotoStore`], so object storage
//! can follow too.
//!
//! Errors are the domain's [`StorageError`]: the few refusals only the
//! store can see (an id reused with another body, an unknown report) and
//! engine failures. Storage knows nothing of HTTP, of the reader's language
//! or of the address the server is reached at (links are paths).

mod error;
mod postgres;
mod searchable;
mod sqlite;
mod types;

use std::future::Future;
use std::pin::Pin;

use phananh_protocol::ServiceArea;
use phananh_protocol::wire::{Category, ReportStatus};

pub use error::StorageError;
pub use postgres::{PgCoordination, PgStorage, schema as pg_schema};
pub use searchable::searchable;
pub use sqlite::{SqliteStorage, db};
pub use types::*;

/// One line of the audit trail: who did what to what, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// When, in ms since the epoch.
    pub at: i64,
    /// The account, if one was signed in.
    pub staff_id: Option<i64>,
    /// The name used (for a failed sign-in, the name tried).
    pub actor: String,
    /// What: `sign_in`, `sign_in_failed`, `sign_out`, `status`, `duplicate`…
    pub action: String,
    /// On what (a tracking code), if anything.
    pub subject: Option<String>,
    /// More (the new status, the original of a duplicate); never a
    /// password, token or report text.
    pub detail: Option<String>,
}

/// What every storage call returns: a boxed future, so the trait can be
/// used as `dyn Storage` (no extra dependency for async traits).
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// The server's records: devices, categories, reports and their history,
/// uploads, staff and their sessions, API keys.
///
/// Every call is one unit of work: it either happens whole or not at all,
/// and once it has returned `Ok` it is durable.
pub trait Storage: Send + Sync + 'static {
    // --- Devices and keys ---

    /// Remember a new device by the hash of its bearer token.
    fn add_device(&self, device_id: String, token_hash: String) -> Fut<'_, ()>;
    /// The device a token hash belongs to.
    fn device_for_token(&self, token_hash: String) -> Fut<'_, Option<String>>;
    /// Add an Open311 API key (by its hash).
    fn add_api_key(&self, name: String, key_hash: String) -> Fut<'_, ()>;
    /// Whether an Open311 API key (by its hash) is known.
    fn api_key_known(&self, key_hash: String) -> Fut<'_, bool>;

    // --- Catalogue ---

    /// The categories, in display order.
    fn categories(&self) -> Fut<'_, Vec<Category>>;
    /// Add categories that are not there yet (by code); existing ones stay.
    fn add_categories(&self, categories: Vec<Category>) -> Fut<'_, ()>;
    /// The district's service area, if set.
    fn service_area(&self) -> Fut<'_, Option<ServiceArea>>;
    /// Set the district's service area.
    fn set_service_area(&self, area: ServiceArea) -> Fut<'_, ()>;

    // --- Reports ---

    /// If `client_id` was already created by `device` with the same body,
    /// the HTTP status first answered; `IdReused` if the id was used otherwise.
    fn replay(&self, client_id: String, device: String, body_hash: String) -> Fut<'_, Option<u16>>;
    /// Create a report with a fresh tracking code (from `prefix`) and its
    /// first history entry. A concurrent identical creation that won the
    /// race is returned instead of a second report.
    fn create_report(&self, report: NewReport, prefix: String) -> Fut<'_, Created>;
    /// One report as its device sees it (`device: None` for staff); another
    /// device's report is "not found". Its `public_url` is a path (`/r/CODE`).
    fn report_status(&self, client_id: String, device: Option<String>) -> Fut<'_, ReportStatus>;
    /// A device's status changes after sequence number `after`, oldest first.
    fn changes(&self, device: String, after: i64, limit: u32) -> Fut<'_, ChangesSlice>;
    /// Open, non-duplicate reports inside a latitude/longitude box.
    fn open_reports_in(&self, area: ServiceArea, category: Option<String>) -> Fut<'_, Vec<OpenReport>>;
    /// What the public tracking page shows.
    fn public_report(&self, tracking_code: String) -> Fut<'_, Option<PublicReport>>;
    /// A report's internal id, by tracking code.
    fn report_id(&self, tracking_code: String) -> Fut<'_, Option<i64>>;
    /// The storage key of a report's n-th photo of a kind (the
    /// reporter's, staff's of the fix, followers').
    fn photo_key(&self, tracking_code: String, n: u32, kind: PhotoKind) -> Fut<'_, Option<String>>;
    /// Attach a stored photo to a report (idempotent by photo id).
    fn attach_photo(&self, photo: AttachedPhoto) -> Fut<'_, ()>;
    /// What the resident's feedback calls need of a report, by the
    /// phone's id (or, `by_code`, its tracking code); `None` if none.
    fn report_facts(&self, key: String, by_code: bool) -> Fut<'_, Option<ReportFacts>>;
    /// Whether a rating or reopen with this phone id is already kept.
    fn feedback_known(&self, client_id: String) -> Fut<'_, bool>;
    /// Keep a rating. `Conflict` if the report has one already.
    fn rate(&self, report_id: i64, rating: NewRating) -> Fut<'_, ()>;
    /// Reopen a report: back to a unit with new deadlines, status
    /// `reopened`, a step in the resident's feed, new photos declared.
    fn reopen(&self, report_id: i64, reopen: NewReopen) -> Fut<'_, ()>;
    /// A device follows a report (again: "me too" can only be added), and
    /// declares its photos (a photo id already declared is kept as it was).
    /// `PhotoIdTaken` if a photo id belongs to another report.
    fn follow(&self, report_id: i64, device: String, me_too: bool, photos: Vec<DeclaredPhoto>) -> Fut<'_, ()>;
    /// Each unit's figures for reports received in `[from, to)` (ms), at
    /// `now` (for what is overdue); a report of no unit is `top`'s.
    fn unit_stats(&self, from: i64, to: i64, now: i64, top: String) -> Fut<'_, Vec<UnitStats>>;
    /// What the overview needs to bring its figures up to date: reports
    /// changed at or after `since` (ms, `updated_at`), ratings given at or
    /// after it, reopens with an id above `reopens_after`.
    fn figure_delta(&self, since: i64, reopens_after: i64) -> Fut<'_, FigureDelta>;
    /// The map: the reports the filters select in a box, one [`MapCell`]
    /// per cell.
    fn map_cells(&self, query: MapQuery) -> Fut<'_, Vec<MapCell>>;
    /// The reports the filters select, newest first, at most `limit`, as
    /// the exports list them.
    fn export_rows(&self, filter: ReportFilter, limit: u32) -> Fut<'_, Vec<ExportRow>>;
    /// Up to `limit` reports with a point but not yet placed in a commune
    /// (from before the server knew boundaries): `(tracking code, lat, lon)`.
    fn unplaced_reports(&self, limit: u32) -> Fut<'_, Vec<(String, f64, f64)>>;
    /// Record where reports are: `(tracking code, commune code or None
    /// when outside every boundary)`.
    fn set_places(&self, places: Vec<(String, Option<String>)>) -> Fut<'_, ()>;
    /// Reports for Open311's `GET requests`, newest first, at most 1 000.
    fn open311_requests(&self, filter: Open311Filter) -> Fut<'_, Vec<Open311Request>>;

    // --- Uploads ---

    /// Start an upload (or find the same one again by idempotency key).
    fn start_upload(&self, upload: NewUpload) -> Fut<'_, Result<(String, i64), UploadRefusal>>;
    /// A device's upload by id.
    fn upload(&self, id: String, device: String) -> Fut<'_, Option<Upload>>;
    /// Record how many bytes of an upload have arrived.
    fn set_upload_offset(&self, id: String, offset: u64) -> Fut<'_, ()>;
    /// The upload's photo is attached: record it and mark the upload complete.
    fn complete_upload(&self, id: String, photo: AttachedPhoto) -> Fut<'_, ()>;
    /// Forget an upload.
    fn delete_upload(&self, id: String) -> Fut<'_, ()>;
    /// Forget unfinished uploads that expired by `now_ms`; their ids.
    fn sweep_expired_uploads(&self, now_ms: i64) -> Fut<'_, Vec<String>>;

    // --- Staff ---

    /// Add a staff account, or set its password hash, role and unit if the
    /// name exists.
    fn put_staff(&self, name: String, password_hash: String, role: Role, unit: Option<String>) -> Fut<'_, ()>;
    /// Every staff account, by name.
    fn staff_accounts(&self) -> Fut<'_, Vec<StaffAccount>>;
    /// Disable an account (it can no longer sign in; its sessions end).
    /// `NotFound` if there is none of that name.
    fn disable_staff(&self, name: String) -> Fut<'_, ()>;
    /// How many officers a unit has.
    fn officers_in(&self, unit: String) -> Fut<'_, i64>;
    /// Do something to a report besides its status (see [`ReportAction`]).
    /// `NotFound` if there is no such report or extension request.
    fn act(&self, staff_id: i64, tracking_code: String, action: ReportAction) -> Fut<'_, ()>;
    /// How many staff accounts exist.
    fn staff_count(&self) -> Fut<'_, i64>;
    /// A staff account's id and password hash, by name.
    fn staff_credentials(&self, name: String) -> Fut<'_, Option<(i64, String)>>;
    /// Open a session (and drop expired ones).
    fn open_session(&self, token_hash: String, staff_id: i64, csrf: String, expires_at: i64) -> Fut<'_, ()>;
    /// The staff member behind a live session.
    fn session(&self, token_hash: String, now_ms: i64) -> Fut<'_, Option<Staff>>;
    /// Close a session.
    fn close_session(&self, token_hash: String) -> Fut<'_, ()>;
    /// Reports for the dashboard, newest first (photo links are paths).
    fn staff_reports(&self, filter: ReportFilter) -> Fut<'_, Vec<StaffReport>>;
    /// One report for the dashboard, by tracking code.
    fn staff_report(&self, tracking_code: String) -> Fut<'_, Option<StaffReport>>;
    /// Set a report's status, with an optional reply to the reporter (one
    /// entry in the changes feed). `NotFound` if there is no such report.
    fn change_status(&self, change: StatusUpdate) -> Fut<'_, ()>;
    /// Mark `tracking_code` as a duplicate of `of`, telling the reporter in
    /// `reply`. `NotFound` if either is unknown, `SelfDuplicate` if they are one.
    fn mark_duplicate(&self, staff_id: i64, tracking_code: String, of: String, reply: String) -> Fut<'_, ()>;

    /// Append to the audit trail (there is no way to change or remove an entry).
    fn audit(&self, entry: AuditEntry) -> Fut<'_, ()>;
    /// The newest audit entries, newest first.
    fn audit_log(&self, limit: u32) -> Fut<'_, Vec<AuditEntry>>;

    // --- Upkeep ---

    /// Make everything written so far compact and durable (on shutdown).
    fn checkpoint(&self);
}

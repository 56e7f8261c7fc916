//! The records that cross the [`Storage`](super::Storage) trait.

use phananh_protocol::wire::StatusChange;
pub use phananh_protocol::wire::UnitRef;
use serde::{Deserialize, Serialize};

/// Where a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The app, through the native API.
    App,
    /// An Open311 client.
    Open311,
}

impl Source {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::App => "app",
            Source::Open311 => "open311",
        }
    }
}

/// A photo the report says will follow.
#[derive(Debug, Clone)]
pub struct DeclaredPhoto {
    /// The photo's client id (lower-case UUID).
    pub id: String,
    /// Lower-case hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// A validated, cleaned report to create.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// The client's id for it (UUID).
    pub client_id: String,
    /// The device that sent it (`None` for Open311).
    pub device_id: Option<String>,
    /// Where it came from.
    pub source: Source,
    /// Hash of the request body, to recognise a resend.
    pub body_hash: String,
    /// Category code.
    pub category: String,
    /// Description, NFC-cleaned.
    pub description: String,
    /// Position.
    pub lat: Option<f64>,
    /// Position.
    pub lon: Option<f64>,
    /// Position accuracy in metres.
    pub accuracy_m: Option<f64>,
    /// Typed address.
    pub address: Option<String>,
    /// Reporter's name.
    pub reporter_name: Option<String>,
    /// Reporter's phone, E.164.
    pub reporter_phone: Option<String>,
    /// The reporter asked not to be named to staff.
    pub anonymous: bool,
    /// Filed for a neighbour: their name.
    pub for_name: Option<String>,
    /// Filed for a neighbour: their phone, E.164.
    pub for_phone: Option<String>,
    /// The neighbour consented.
    pub consent: bool,
    /// Photos that will follow (tus).
    pub photos: Vec<DeclaredPhoto>,
    /// How many photos to expect (Open311's inline media counts here).
    pub photos_expected: u32,
    /// When the phone says it was written.
    pub client_created_at: Option<String>,
    /// Where it goes and by when.
    pub routing: Routing,
    /// A photo's address an Open311 client gave instead of the photo.
    pub media_url: Option<String>,
}

/// Where a new report goes, why, and its deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The unit responsible.
    pub unit_code: String,
    /// The commune or town whose boundary holds the report's point
    /// (`None`: no point, or outside every boundary).
    pub place_code: Option<String>,
    /// Why it went there (`category_rule`, `location`, `coordinator`, …).
    pub reason: String,
    /// `normal` or `urgent`.
    pub priority: String,
    /// To acknowledge by (ms), if a deadline runs.
    pub ack_due_at: Option<i64>,
    /// To resolve by (ms), if a deadline runs.
    pub due_at: Option<i64>,
}

/// A created (or found again) report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Internal id.
    pub id: i64,
    /// Tracking code people read out.
    pub tracking_code: String,
}

/// A slice of the changes feed.
#[derive(Debug, Clone)]
pub struct ChangesSlice {
    /// The changes, oldest first.
    pub changes: Vec<StatusChange>,
    /// Sequence number of the last one (or the `after` asked for).
    pub last: i64,
    /// More follow.
    pub has_more: bool,
}

/// An open report near somewhere (public fields only).
#[derive(Debug, Clone)]
pub struct OpenReport {
    /// Tracking code.
    pub tracking_code: String,
    /// Category code.
    pub category: String,
    /// Status.
    pub status: String,
    /// Position.
    pub lat: f64,
    /// Position.
    pub lon: f64,
    /// Received, ms since the epoch.
    pub created_at: i64,
    /// Has at least one photo.
    pub has_photo: bool,
}

/// What the public tracking page shows: no reporter name or phone.
#[derive(Debug, Clone)]
pub struct PublicReport {
    /// Tracking code.
    pub code: String,
    /// Category in Vietnamese.
    pub category_vi: String,
    /// Category in English.
    pub category_en: String,
    /// Description.
    pub description: String,
    /// Typed address.
    pub address: Option<String>,
    /// Status.
    pub status: String,
    /// Received, ms since the epoch.
    pub received: i64,
    /// Photos attached.
    pub photos: i64,
    /// (status, reply, at ms), oldest first.
    pub history: Vec<(String, Option<String>, i64)>,
    /// The unit responsible.
    pub unit: Option<String>,
    /// To resolve by (ms).
    pub due_at: Option<i64>,
    /// Photos of the fix, taken by staff.
    pub fix_photos: i64,
    /// The reporter's rating of the answer (its score; the comment is
    /// staff's to read).
    pub rating: Option<String>,
    /// How many residents follow it.
    pub followers: i64,
}

/// What the resident's feedback calls need to know of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    /// Internal id.
    pub id: i64,
    /// The device that filed it (`None`: Open311).
    pub device_id: Option<String>,
    /// Tracking code.
    pub tracking_code: String,
    /// Status code.
    pub status: String,
    /// When it was resolved or rejected (ms), if it is.
    pub closed_at: Option<i64>,
    /// The unit responsible.
    pub unit_code: Option<String>,
    /// Category code.
    pub category: String,
    /// `normal` or `urgent`.
    pub priority: String,
    /// Filed by a volunteer for a neighbour.
    pub on_behalf: bool,
    /// Marked a duplicate of another.
    pub duplicate: bool,
    /// The phone's id of its rating, if rated.
    pub rating_id: Option<String>,
    /// The phone's id for it (internal: never told to a follower).
    pub client_id: String,
}

/// A rating to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    /// The phone's id for it.
    pub client_id: String,
    /// `satisfied`, `acceptable`, `not_satisfied`.
    pub score: String,
    /// Optional words.
    pub comment: Option<String>,
    /// Given by the volunteer for the neighbour.
    pub on_behalf: bool,
    /// The unit whose answer it rates.
    pub unit_code: Option<String>,
}

/// A reopen (or contested rejection) to keep.
#[derive(Debug, Clone)]
pub struct NewReopen {
    /// The phone's id for it.
    pub client_id: String,
    /// `reopen` or `contest`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// The unit that had it (the reopen counts against it).
    pub from_unit: Option<String>,
    /// The unit it goes to.
    pub unit_code: String,
    /// New deadlines (ms).
    pub ack_due_at: Option<i64>,
    /// New deadlines (ms).
    pub due_at: Option<i64>,
    /// New photos declared.
    pub photos: Vec<DeclaredPhoto>,
}

/// The reporter's rating, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingView {
    /// `satisfied`, `acceptable`, `not_satisfied`.
    pub score: String,
    /// Optional words.
    pub comment: Option<String>,
    /// Given by the volunteer on the neighbour's behalf.
    pub on_behalf: bool,
    /// When (RFC 3339).
    pub at: String,
}

/// A reopen, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReopenEntry {
    /// `reopen` (not fixed) or `contest` (a rejection contested).
    pub kind: String,
    /// Why.
    pub reason: String,
    /// When (RFC 3339).
    pub at: String,
}

/// A photo whose bytes are in the photo store, to record against its report.
#[derive(Debug, Clone)]
pub struct AttachedPhoto {
    /// Photo id.
    pub id: String,
    /// Internal report id.
    pub report_id: i64,
    /// Key in the photo store.
    pub key: String,
    /// Lower-case hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// Position among the report's photos; `None`: as declared with the report.
    pub position: Option<u32>,
    /// A photo of the fix, taken by staff (shown apart from the resident's).
    pub fix: bool,
}

/// Open311's `GET requests` filters (already checked).
#[derive(Debug, Clone, Default)]
pub struct Open311Filter {
    /// Tracking codes; when given, the other filters are ignored (the spec).
    pub codes: Option<Vec<String>>,
    /// Received at or after, ms.
    pub start: i64,
    /// Received at or before, ms.
    pub end: Option<i64>,
    /// Category codes (any of them; empty: all).
    pub service_codes: Vec<String>,
    /// `Some(true)`: open only; `Some(false)`: closed only.
    pub open: Option<bool>,
}

/// One report as Open311 lists it.
#[derive(Debug, Clone)]
pub struct Open311Request {
    /// Tracking code (the `service_request_id`).
    pub tracking_code: String,
    /// Status.
    pub status: String,
    /// Category code.
    pub category: String,
    /// Category name (Vietnamese).
    pub category_name: String,
    /// Description.
    pub description: String,
    /// Typed address.
    pub address: Option<String>,
    /// Position.
    pub lat: Option<f64>,
    /// Position.
    pub lon: Option<f64>,
    /// Received, ms.
    pub created_at: i64,
    /// Last changed, ms.
    pub updated_at: i64,
    /// The latest reply.
    pub last_reply: Option<String>,
    /// Photos attached.
    pub photos: i64,
    /// The unit responsible.
    pub unit: Option<String>,
    /// A link to a photo the client posted (`media_url`), if it gave one.
    pub media_url: Option<String>,
    /// To resolve by (ms).
    pub due_at: Option<i64>,
}

/// An upload to start.
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// New unguessable id (used unless the idempotency key finds one).
    pub id: String,
    /// The device.
    pub device_id: String,
    /// The report's client id.
    pub client_id: String,
    /// The photo's id.
    pub photo_id: String,
    /// Idempotency key.
    pub key: String,
    /// Upload-Length.
    pub length: u64,
    /// Now, ms.
    pub now: i64,
    /// Expiry, ms.
    pub expires_at: i64,
    /// Most unfinished uploads the device may have.
    pub max_open: u32,
    /// A follower's photo ("I see it too"): declared by this device's
    /// follow, not by the report's owner.
    pub follower: bool,
}

/// Whose photo of a report: the reporter's, staff's of the fix, or a
/// follower's (staff-only). Stored as 0, 1, 2 in `photos.fix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoKind {
    /// The reporter's (public).
    Reporter = 0,
    /// Staff's, of the fix (public).
    Fix = 1,
    /// A follower's "I see it too" (staff only).
    Follower = 2,
}

/// Why an upload cannot start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadRefusal {
    /// No such report for this device.
    NotFound,
    /// The photo was not declared with the report.
    Undeclared,
    /// Upload-Length differs from the declared size.
    LengthMismatch,
    /// Too many unfinished uploads.
    TooMany,
}

/// An upload in progress (or done).
#[derive(Debug, Clone)]
pub struct Upload {
    /// Internal report id.
    pub report_id: i64,
    /// Photo id.
    pub photo_id: String,
    /// Upload-Length.
    pub length: u64,
    /// Bytes received.
    pub offset: u64,
    /// Declared SHA-256.
    pub sha256: String,
    /// Expiry, ms.
    pub expires_at: i64,
    /// The photo is attached.
    pub completed: bool,
}

/// One unit's figures over a period (reports received in it; ratings and
/// reopens made in it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitStats {
    /// The unit's code.
    pub unit: String,
    /// Reports received.
    pub received: i64,
    /// Still open.
    pub open: i64,
    /// Open and past their deadline.
    pub overdue: i64,
    /// Resolved or rejected.
    pub closed: i64,
    /// Closed by their deadline and never reopened as not fixed.
    pub closed_on_time: i64,
    /// Reopened as not fixed, against this unit.
    pub reopened: i64,
    /// Ratings: satisfied.
    pub satisfied: i64,
    /// Ratings: acceptable.
    pub acceptable: i64,
    /// Ratings: not satisfied.
    pub not_satisfied: i64,
}

impl UnitStats {
    /// The sum of `rows`, under the code `unit` (a district's or an
    /// officer's whole).
    pub fn total(rows: &[UnitStats], unit: String) -> UnitStats {
        let mut t = UnitStats { unit, ..Default::default() };
        for r in rows {
            t.received += r.received;
            t.open += r.open;
            t.overdue += r.overdue;
            t.closed += r.closed;
            t.closed_on_time += r.closed_on_time;
            t.reopened += r.reopened;
            t.satisfied += r.satisfied;
            t.acceptable += r.acceptable;
            t.not_satisfied += r.not_satisfied;
        }
        t
    }
}

/// A staff account as an admin sees it.
#[derive(Debug, Clone, Serialize)]
pub struct StaffAccount {
    /// Sign-in name.
    pub name: String,
    /// Role.
    #[serde(serialize_with = "role_code")]
    pub role: Role,
    /// Unit, for an officer.
    pub unit: Option<String>,
    /// Created (ms).
    pub created_at: i64,
    /// Disabled (ms), if it is.
    pub disabled_at: Option<i64>,
}

fn role_code<S: serde::Serializer>(role: &Role, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(role.code())
}

/// The dashboard's filters.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ReportFilter {
    /// Status.
    pub status: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// Search words (accents optional).
    pub q: Option<String>,
    /// Received at least this many days ago.
    pub older_than_days: Option<u32>,
    /// Page size (1–500, default 50).
    pub limit: Option<u32>,
    /// Page offset.
    pub offset: Option<u32>,
    /// Only this unit's.
    pub unit: Option<String>,
    /// Only this priority.
    pub priority: Option<String>,
    /// A queue: `new` (not yet taken up), `due_soon`, `overdue`.
    pub queue: Option<String>,
    /// Only reports located in this commune or town (whoever handles them).
    pub commune: Option<String>,
    /// Received on or after this day (`YYYY-MM-DD`, Vietnam time).
    pub from: Option<String>,
    /// Received on or before this day (`YYYY-MM-DD`, Vietnam time).
    pub to: Option<String>,
    /// Received at or after this instant (ms; set by the service from `from`).
    #[serde(skip)]
    pub received_from: Option<i64>,
    /// Received before this instant (ms; set by the service from `to`).
    #[serde(skip)]
    pub received_before: Option<i64>,
    /// `followers`: the most followed first (the weight residents add),
    /// then the newest; else the newest first.
    pub sort: Option<String>,
    /// Only these units' (an officer's scope; set by the service, never by
    /// the request).
    #[serde(skip)]
    pub scope: Option<Vec<String>>,
    /// "Due soon" means due before this (ms; set by the service).
    #[serde(skip)]
    pub due_soon_before: Option<i64>,
}

/// A report as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct StaffReport {
    /// Tracking code.
    pub tracking_code: String,
    /// The client's id.
    pub client_id: String,
    /// Category code.
    pub category: String,
    /// Description.
    pub description: String,
    /// Status.
    pub status: String,
    /// Position.
    pub lat: Option<f64>,
    /// Position.
    pub lon: Option<f64>,
    /// Typed address.
    pub address: Option<String>,
    /// Reporter's name.
    pub reporter_name: Option<String>,
    /// Reporter's phone.
    pub reporter_phone: Option<String>,
    /// The reporter asked not to be named.
    pub anonymous: bool,
    /// Filed for: name.
    pub for_name: Option<String>,
    /// Filed for: phone.
    pub for_phone: Option<String>,
    /// The phone numbers are shown but their last three digits (ask to
    /// reveal them, which is audited).
    pub phones_hidden: bool,
    /// Filed for: consent given.
    pub consent: bool,
    /// The original's tracking code, if a duplicate.
    pub duplicate_of: Option<String>,
    /// Photo URLs.
    pub photos: Vec<String>,
    /// Photos of the fix, taken by staff.
    pub fix_photos: Vec<String>,
    /// Photos followers sent ("I see it too"; staff only).
    pub follower_photos: Vec<String>,
    /// Photos declared.
    pub photos_expected: i64,
    /// Received (RFC 3339).
    pub received_at: String,
    /// Status history.
    pub history: Vec<HistoryEntry>,
    /// The unit responsible (`None`: the coordinator's, from before units).
    pub unit: Option<String>,
    /// The commune or town where it is (`None`: unknown or outside).
    pub place: Option<String>,
    /// `normal` or `urgent`.
    pub priority: String,
    /// To acknowledge by (RFC 3339).
    pub ack_due_at: Option<String>,
    /// To resolve by (RFC 3339).
    pub due_at: Option<String>,
    /// To resolve by (ms), for the queues.
    #[serde(skip)]
    pub due_at_ms: Option<i64>,
    /// Taken up (RFC 3339).
    pub acknowledged_at: Option<String>,
    /// Resolved or rejected (RFC 3339).
    pub closed_at: Option<String>,
    /// Staff-only steps (routing, assignments, extensions…).
    pub events: Vec<EventEntry>,
    /// Staff-only notes.
    pub notes: Vec<NoteEntry>,
    /// Extension requests.
    pub extensions: Vec<ExtensionEntry>,
    /// The reporter's rating of the answer, once given.
    pub rating: Option<RatingView>,
    /// Residents following it.
    pub followers: i64,
    /// Of them, how many said "I see it too".
    pub me_too: i64,
    /// Reopens and contested rejections, oldest first.
    pub reopens: Vec<ReopenEntry>,
}

/// One entry of a report's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// Status.
    pub status: String,
    /// Reply to the reporter.
    pub reply: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

/// A staff member's status change (already validated).
#[derive(Debug, Clone)]
pub struct StatusUpdate {
    /// Who.
    pub staff_id: i64,
    /// Which report.
    pub tracking_code: String,
    /// New status.
    pub status: String,
    /// Reply to the reporter, cleaned.
    pub reply: Option<String>,
}

/// A signed-in staff member (the HTTP layer finds one from
/// `Authorization: Bearer` or the session cookie).
#[derive(Debug, Clone)]
pub struct Staff {
    /// Account id.
    pub id: i64,
    /// Account name.
    pub name: String,
    /// The session's CSRF token (forms must echo it).
    pub csrf: String,
    /// The session token's hash (for sign-out).
    pub session: String,
    /// What the account may do.
    pub role: Role,
    /// Its unit (an officer's; others may have none).
    pub unit: Option<String>,
}

/// What a staff account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees everything; assigns, transfers, sets priority, approves extensions.
    Coordinator,
    /// Sees and acts on its own unit's reports only.
    Officer,
    /// Reads everything, changes nothing.
    Leader,
    /// Units, staff, categories, rules, calendar; reads reports.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Coordinator, Role::Officer, Role::Leader, Role::Admin];

    /// The stored name.
    pub fn code(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Officer => "officer",
            Role::Leader => "leader",
            Role::Admin => "admin",
        }
    }

    /// From its stored name.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// For people.
    pub fn label(self, lang: phananh_protocol::Lang) -> &'static str {
        match self {
            Role::Coordinator => lang.pick("Điều phối", "Coordinator"),
            Role::Officer => lang.pick("Cán bộ xử lý", "Officer"),
            Role::Leader => lang.pick("Lãnh đạo", "Leader"),
            Role::Admin => lang.pick("Quản trị", "Administrator"),
        }
    }
}

/// Something staff do to a report, besides its status (each is one entry
/// in the report's staff-only events, never in the resident's feed —
/// except an assignment, which tells the resident the unit and deadline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportAction {
    /// Give it to a unit (first assignment or transfer), with new deadlines.
    Assign {
        /// The unit.
        unit: String,
        /// Why (a transfer needs one).
        reason: Option<String>,
        /// To acknowledge by (ms).
        ack_due_at: Option<i64>,
        /// To resolve by (ms).
        due_at: Option<i64>,
    },
    /// An officer hands it back to the coordinator's queue.
    HandBack {
        /// The coordinator's unit (the district).
        to: String,
        /// Why.
        reason: String,
    },
    /// A staff-only note.
    Note {
        /// The note.
        text: String,
    },
    /// A new priority and the deadlines that follow from it.
    Priority {
        /// `normal` or `urgent`.
        priority: String,
        /// To acknowledge by (ms).
        ack_due_at: Option<i64>,
        /// To resolve by (ms).
        due_at: Option<i64>,
    },
    /// An officer asks for more time.
    RequestExtension {
        /// Why.
        reason: String,
        /// The deadline asked for (ms).
        until: i64,
    },
    /// The coordinator decides on an extension.
    DecideExtension {
        /// The request.
        id: i64,
        /// Granted.
        approve: bool,
    },
}

/// One staff-only step of a report's handling.
#[derive(Debug, Clone, Serialize)]
pub struct EventEntry {
    /// When (RFC 3339).
    pub at: String,
    /// Who (account name), if a person.
    pub staff: Option<String>,
    /// `routed`, `assigned`, `handed_back`, `priority`, `extension_requested`,
    /// `extension_approved`, `extension_refused`.
    pub action: String,
    /// The unit concerned.
    pub unit: Option<String>,
    /// Why, or the value set.
    pub detail: Option<String>,
}

/// A staff-only note.
#[derive(Debug, Clone, Serialize)]
pub struct NoteEntry {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub staff: String,
    /// The note.
    pub text: String,
}

/// An extension request.
#[derive(Debug, Clone, Serialize)]
pub struct ExtensionEntry {
    /// Its id.
    pub id: i64,
    /// Who asked.
    pub requested_by: String,
    /// Why.
    pub reason: String,
    /// The deadline asked for (RFC 3339).
    pub until: String,
    /// Granted (`None` while pending).
    pub approved: Option<bool>,
}

/// A map query: the list's filters, a box, and the size of a cell (reports
/// in one cell come back as one cluster).
#[derive(Debug, Clone, Default)]
pub struct MapQuery {
    /// The list's filters (with the officer's scope, if any).
    pub filter: ReportFilter,
    /// South edge, degrees.
    pub min_lat: f64,
    /// West edge, degrees.
    pub min_lon: f64,
    /// North edge, degrees.
    pub max_lat: f64,
    /// East edge, degrees.
    pub max_lon: f64,
    /// A cell's side, degrees (> 0).
    pub cell_deg: f64,
}

/// One map cell: the reports in it, where they are on average, counted by
/// state; with one report, that report's code, status and category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapCell {
    /// Mean latitude.
    pub lat: f64,
    /// Mean longitude.
    pub lon: f64,
    /// Reports in the cell.
    pub count: i64,
    /// Still open (and not overdue).
    pub open: i64,
    /// Open past their deadline.
    pub overdue: i64,
    /// Resolved or answered.
    pub closed: i64,
    /// The report, when the cell holds one.
    pub code: String,
    /// Its status.
    pub status: String,
    /// Its category.
    pub category: String,
}

/// One report as the exports list it: no phone number (those are shown
/// only one report at a time, audited).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    /// Tracking code.
    pub tracking_code: String,
    /// Received, ms.
    pub received_at: i64,
    /// Category code.
    pub category: String,
    /// Status code.
    pub status: String,
    /// The unit responsible.
    pub unit: Option<String>,
    /// The commune it is in.
    pub place: Option<String>,
    /// Priority code.
    pub priority: String,
    /// Deadline, ms.
    pub due_at: Option<i64>,
    /// Closed, ms.
    pub closed_at: Option<i64>,
    /// Address as given.
    pub address: Option<String>,
    /// Description.
    pub description: String,
    /// Filed by a volunteer for a neighbour.
    pub on_behalf: bool,
    /// The resident's rating, if any.
    pub rating: Option<String>,
}

/// One report as the overview counts it (no text, no person).
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRecord {
    /// Internal id.
    pub id: i64,
    /// Tracking code.
    pub code: String,
    /// Received, ms.
    pub created_at: i64,
    /// Last changed, ms.
    pub updated_at: i64,
    /// Closed, ms.
    pub closed_at: Option<i64>,
    /// Deadline, ms.
    pub due_at: Option<i64>,
    /// Taken up, ms.
    pub acknowledged_at: Option<i64>,
    /// The unit responsible.
    pub unit: Option<String>,
    /// The commune it is in.
    pub place: Option<String>,
    /// Category code.
    pub category: String,
    /// Status code.
    pub status: String,
    /// Priority code.
    pub priority: String,
    /// Where.
    pub lat: Option<f64>,
    /// Where.
    pub lon: Option<f64>,
    /// Filed by a volunteer for a neighbour.
    pub on_behalf: bool,
    /// Marked a duplicate of another.
    pub duplicate: bool,
    /// The address as typed, for the hamlet it names (of volunteers'
    /// reports only: the overview keeps no other text).
    pub address: Option<String>,
}

/// A rating as the overview counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingRecord {
    /// The report's id.
    pub report_id: i64,
    /// `satisfied`, `acceptable`, `not_satisfied`.
    pub score: String,
    /// The unit that answered.
    pub unit: Option<String>,
    /// When, ms.
    pub at: i64,
}

/// A reopen (or contested rejection) as the overview counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReopenRecord {
    /// Its id (they only grow).
    pub id: i64,
    /// The report's id.
    pub report_id: i64,
    /// `reopen` or `contest`.
    pub kind: String,
    /// The unit it was taken from.
    pub from_unit: Option<String>,
    /// When, ms.
    pub at: i64,
}

/// What changed for the overview: reports changed at or after a time,
/// ratings given at or after it, reopens after an id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FigureDelta {
    /// Reports.
    pub reports: Vec<FigureRecord>,
    /// Ratings.
    pub ratings: Vec<RatingRecord>,
    /// Reopens.
    pub reopens: Vec<ReopenRecord>,
}

//! The view models: every screen's needs as data, with labels, sizes and
//! times already written in the chosen language. The phone shells show
//! them as they are (through the FFI, which derives its types from these
//! behind the `uniffi` feature) and the CLI prints them.

use crate::model::{Location, StateKind, Status};
use crate::protocol::Lang;

/// How to open an [`App`](super::App).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record), uniffi(name = "Config"))]
pub struct AppConfig {
    /// A directory the app owns (the database and photos live here).
    pub data_dir: String,
    /// The server to use until the user saves another one (a debug build:
    /// `http://10.0.2.2:8080`, the emulator's host; a release build: the
    /// district's; none for the CLI, which is told with `--server`).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub default_server_url: Option<String>,
    /// The device's locale (`vi-VN`, `en-US`…): the language until the user
    /// picks one.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub device_locale: Option<String>,
    /// Added to the User-Agent, e.g. `Android 14`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub user_agent_suffix: Option<String>,
}

/// The user's settings, kept in the app's own store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Settings {
    /// The language of every label and message.
    pub language: Lang,
    /// The district's server, normalised (`http(s)://host[:port]`, no
    /// trailing slash).
    pub server_url: String,
    /// The editor offers "filing for a neighbour".
    pub volunteer_mode: bool,
}

/// Fields to set on a draft. `None` leaves a field as it is; an empty text
/// clears it; `clear_location` removes the position.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DraftFields {
    /// Category code from [`App::categories`](super::App::categories).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub category: Option<String>,
    /// What is wrong.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub description: Option<String>,
    /// Where.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub location: Option<Location>,
    /// Remove the position.
    #[cfg_attr(feature = "uniffi", uniffi(default = false))]
    pub clear_location: bool,
    /// Address or landmark in words.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub address: Option<String>,
    /// The reporter's name.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub reporter_name: Option<String>,
    /// The reporter's phone.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub reporter_phone: Option<String>,
    /// Keep name and phone off public pages.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub anonymous: Option<bool>,
    /// Filed by a volunteer for a neighbour (giving a neighbour's name,
    /// phone or consent implies it unless this says `false`).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub on_behalf: Option<bool>,
    /// The neighbour's name.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub for_name: Option<String>,
    /// The neighbour's phone.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub for_phone: Option<String>,
    /// The neighbour agreed.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub consent: Option<bool>,
}

/// Which reports to list.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListFilter {
    /// Only these states (empty: all).
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub states: Vec<StateKind>,
    /// Only this category.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub category: Option<String>,
    /// Words that must all appear (accents and case ignored).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub search: Option<String>,
    /// Page size (1–500).
    #[cfg_attr(feature = "uniffi", uniffi(default = 50))]
    pub limit: u32,
    /// Rows to skip.
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub offset: u32,
}

impl Default for ListFilter {
    fn default() -> Self {
        ListFilter { states: Vec::new(), category: None, search: None, limit: 50, offset: 0 }
    }
}

/// A photo on a report: already compressed, exactly what will be sent.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhotoView {
    /// The photo's id.
    pub id: String,
    /// The JPEG's path.
    pub path: String,
    /// A small JPEG for lists.
    pub thumbnail_path: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
    /// "287 KB" (1 KB = 1000 bytes, as phones show file sizes).
    pub size_label: String,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// One step of the district's handling.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HistoryEntry {
    /// The status from then on.
    pub status: Status,
    /// Its name.
    pub status_label: String,
    /// When, milliseconds since the epoch.
    pub at_ms: i64,
    /// "3 giờ trước".
    pub at_relative: String,
    /// "17:00 04/12/2026", Vietnam time.
    pub at_label: String,
    /// The official reply, if one came with it.
    pub reply: Option<String>,
}

/// A report in full, for the detail and edit screens.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReportView {
    /// The report's id.
    pub id: String,
    /// Where it is on the device.
    pub state: StateKind,
    /// Its name.
    pub state_label: String,
    /// Whether the user may edit it now.
    pub editable: bool,
    /// Category code.
    pub category: Option<String>,
    /// Category name in the chosen language (the code if unknown).
    pub category_name: Option<String>,
    /// Description.
    pub description: String,
    /// Position.
    pub location: Option<Location>,
    /// The position for display ("18.90000, 105.30000 ±8 m").
    pub location_label: Option<String>,
    /// Address text.
    pub address: Option<String>,
    /// Reporter's name.
    pub reporter_name: Option<String>,
    /// Reporter's phone.
    pub reporter_phone: Option<String>,
    /// Name and phone kept off public pages.
    pub anonymous: bool,
    /// Filed for a neighbour.
    pub on_behalf: bool,
    /// The neighbour's name.
    pub for_name: Option<String>,
    /// The neighbour's phone.
    pub for_phone: Option<String>,
    /// The neighbour agreed.
    pub consent: bool,
    /// Photos in order.
    pub photos: Vec<PhotoView>,
    /// All photos' bytes together ("612 KB").
    pub photos_size_label: String,
    /// The tracking code (as soon as the server has the text).
    pub tracking_code: Option<String>,
    /// The public tracking page, to share.
    pub public_url: Option<String>,
    /// Why the server refused it.
    pub attention_reason: Option<String>,
    /// The district's current status.
    pub status: Option<Status>,
    /// Its name.
    pub status_label: Option<String>,
    /// The district's handling, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The unit responsible ("UBND xã Tràng Sơn"), once the district routed it.
    pub unit_name: Option<String>,
    /// Its deadline ("17:00 04/12/2026", Vietnam time) while the report is open.
    pub due_label: Option<String>,
    /// Both in one line for the detail screen: "Đơn vị xử lý: UBND xã
    /// Tràng Sơn · Hạn xử lý: 17:00 04/12/2026".
    pub handling_line: Option<String>,
    /// Milliseconds since the epoch.
    pub created_at_ms: i64,
    /// "5 phút trước".
    pub created_relative: String,
    /// "17:00 04/12/2026", Vietnam time.
    pub created_label: String,
    /// "vừa xong".
    pub updated_relative: String,
    /// "17:05 04/12/2026", Vietnam time.
    pub updated_label: String,
    /// The reporter may rate the district's answer now.
    pub can_rate: bool,
    /// The report was filed for a neighbour: the rating may be theirs.
    pub can_rate_for_neighbour: bool,
    /// The rating given, and where it is ("Đánh giá của bạn: Hài lòng ·
    /// đang chờ gửi").
    pub rating_line: Option<String>,
    /// The reporter may reopen it (or contest the rejection) now.
    pub can_reopen: bool,
    /// The reopen button's words: "not fixed" or, for a rejection, "I
    /// disagree".
    pub reopen_label: Option<String>,
    /// Where the last reopen is ("Đã gửi yêu cầu mở lại", or why refused).
    pub reopen_line: Option<String>,
    /// What sending it cost ("Đã dùng 2,4 MB dữ liệu"), once it cost anything.
    pub data_used_label: Option<String>,
}

/// A report this device follows ("Quan tâm"): public fields only.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FollowedView {
    /// Tracking code.
    pub tracking_code: String,
    /// Said "I see it too".
    pub me_too: bool,
    /// "Đang chờ gửi", "Đang theo dõi", or why the server refused.
    pub state_label: String,
    /// The server refused the follow.
    pub refused: bool,
    /// Category name.
    pub category_name: Option<String>,
    /// Current status.
    pub status: Option<Status>,
    /// Its name.
    pub status_label: Option<String>,
    /// "Đơn vị xử lý: … · Hạn xử lý: …".
    pub handling_line: Option<String>,
    /// "3 người quan tâm".
    pub followers_label: Option<String>,
    /// The public page.
    pub public_url: Option<String>,
    /// The district's handling with its replies, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The latest official reply.
    pub last_reply: Option<String>,
}

/// One row of "my reports".
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReportRow {
    /// The report's id.
    pub id: String,
    /// Where it is on the device.
    pub state: StateKind,
    /// Its name.
    pub state_label: String,
    /// Category code.
    pub category: Option<String>,
    /// Category name.
    pub category_name: Option<String>,
    /// Description (the list cuts it).
    pub description: String,
    /// Tracking code.
    pub tracking_code: Option<String>,
    /// The district's status.
    pub status: Option<Status>,
    /// Its name.
    pub status_label: Option<String>,
    /// The latest official reply.
    pub last_reply: Option<String>,
    /// The district's unit handling it.
    pub unit_name: Option<String>,
    /// Why the server refused it.
    pub attention_reason: Option<String>,
    /// Number of photos.
    pub photo_count: u32,
    /// The first photo's thumbnail.
    pub thumbnail_path: Option<String>,
    /// "2 ngày trước".
    pub updated_relative: String,
}

/// A page of rows.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReportPage {
    /// Newest first.
    pub items: Vec<ReportRow>,
    /// Another page follows.
    pub has_more: bool,
}

/// Where and when the camera said the photo was taken: only a suggestion
/// the user may accept.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhotoSuggestion {
    /// Where, if the photo had GPS.
    pub location: Option<Location>,
    /// When, milliseconds since the epoch.
    pub taken_at_ms: Option<i64>,
}

/// A photo just attached.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AttachedPhoto {
    /// The stored photo.
    pub photo: PhotoView,
    /// What its EXIF suggested (already stripped from the photo).
    pub suggestion: PhotoSuggestion,
}

/// A kind of problem.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CategoryView {
    /// Stable code.
    pub code: String,
    /// Name in the chosen language.
    pub name: String,
    /// Group name in the chosen language.
    pub group: String,
    /// A photo is required.
    pub photo_required: bool,
}

/// An open report near the point: "is this the same problem?".
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NearbyReport {
    /// Tracking code.
    pub tracking_code: String,
    /// Category code.
    pub category: String,
    /// Category name.
    pub category_name: String,
    /// Status code as the server sent it.
    pub status: String,
    /// Status name.
    pub status_label: String,
    /// Metres away.
    pub distance_m: f64,
    /// The distance for display ("350 m", "1,2 km").
    pub distance_label: String,
    /// Days since it was filed.
    pub age_days: u32,
    /// "3 ngày trước".
    pub age_label: String,
    /// Thumbnail URL.
    pub thumbnail_url: Option<String>,
}

/// Duplicate hints.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NearbyReports {
    /// Nearest first.
    pub reports: Vec<NearbyReport>,
    /// Offline: the last answer for this place.
    pub from_cache: bool,
    /// When the server gave this answer, ms since the epoch.
    pub fetched_at_ms: i64,
    /// "5 phút trước".
    pub fetched_relative: String,
}

/// Something the sync did, for the UI.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SyncEvent {
    /// A report entered the outbox.
    Queued {
        /// The report.
        report_id: String,
    },
    /// A report is being sent.
    Sending {
        /// The report.
        report_id: String,
    },
    /// Bytes of a photo the server has.
    PhotoProgress {
        /// The report.
        report_id: String,
        /// The photo.
        photo_id: String,
        /// Bytes sent.
        sent: u64,
        /// Photo size.
        total: u64,
    },
    /// The report and its photos are on the server.
    Sent {
        /// The report.
        report_id: String,
        /// Its tracking code.
        tracking_code: String,
    },
    /// Failed for now; will retry.
    Retrying {
        /// The report.
        report_id: String,
        /// Failures so far.
        attempts: u32,
        /// When, ms since the epoch.
        at_ms: i64,
    },
    /// Refused; the user must act.
    NeedsAttention {
        /// The report.
        report_id: String,
        /// The server's message.
        reason: String,
    },
    /// The district changed the status or replied.
    StatusChanged {
        /// The report.
        report_id: String,
        /// The new status.
        status: Status,
        /// Its name.
        status_label: String,
    },
    /// A pass ended.
    PassFinished {
        /// What it did.
        summary: crate::sync::SyncSummary,
    },
}

/// Hears the sync's events as views (called from the sync's threads:
/// hand over to the UI thread and return quickly).
pub trait AppListener: Send + Sync {
    /// One event.
    fn on_event(&self, event: SyncEvent);
}

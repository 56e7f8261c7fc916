//! The records and enums the apps see: every screen's needs as data, with
//! labels and relative times already in the chosen language.

/// The language of every message and label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    /// Tiếng Việt.
    Vi,
    /// English.
    En,
}

/// How to open [`crate::PhanAnh`].
#[derive(Debug, Clone, uniffi::Record)]
pub struct Config {
    /// A directory the app owns (the database and photos live here).
    pub data_dir: String,
    /// The district's server, e.g. `http://10.0.2.2:8080` on an Android emulator.
    pub server_url: String,
    /// The language to start in.
    pub language: Language,
    /// Added to the User-Agent, e.g. `Android 14`.
    #[uniffi(default = None)]
    pub user_agent_suffix: Option<String>,
}

/// Where a report is on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReportState {
    /// Being written.
    Draft,
    /// Waiting to be sent.
    Queued,
    /// Being sent.
    Sending,
    /// The server has it, with all its photos.
    Sent,
    /// The server refused it; see `attention_reason`.
    NeedsAttention,
}

/// What the district has done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DistrictStatus {
    /// Arrived.
    Received,
    /// Being worked on.
    InProgress,
    /// Fixed.
    Resolved,
    /// Will not be acted on (the reply says why).
    Rejected,
}

/// A position from the GPS.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Location {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Accuracy in metres, as the GPS gave it.
    #[uniffi(default = None)]
    pub accuracy_m: Option<f64>,
}

/// Fields to set on a draft. `None` leaves a field as it is; an empty text
/// clears it; `clear_location` removes the position.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct DraftFields {
    /// Category code from [`crate::PhanAnh::categories`].
    #[uniffi(default = None)]
    pub category: Option<String>,
    /// What is wrong.
    #[uniffi(default = None)]
    pub description: Option<String>,
    /// Where.
    #[uniffi(default = None)]
    pub location: Option<Location>,
    /// Remove the position.
    #[uniffi(default = false)]
    pub clear_location: bool,
    /// Address or landmark in words.
    #[uniffi(default = None)]
    pub address: Option<String>,
    /// The reporter's name.
    #[uniffi(default = None)]
    pub reporter_name: Option<String>,
    /// The reporter's phone.
    #[uniffi(default = None)]
    pub reporter_phone: Option<String>,
    /// Keep name and phone off public pages.
    #[uniffi(default = None)]
    pub anonymous: Option<bool>,
    /// Filed by a volunteer for a neighbour.
    #[uniffi(default = None)]
    pub on_behalf: Option<bool>,
    /// The neighbour's name.
    #[uniffi(default = None)]
    pub for_name: Option<String>,
    /// The neighbour's phone.
    #[uniffi(default = None)]
    pub for_phone: Option<String>,
    /// The neighbour agreed.
    #[uniffi(default = None)]
    pub consent: Option<bool>,
}

/// A photo on a report: already compressed, exactly what will be sent.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PhotoView {
    /// The photo's id.
    pub id: String,
    /// The JPEG's path.
    pub path: String,
    /// A small JPEG for lists.
    pub thumbnail_path: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
    /// "287 KB".
    pub size_label: String,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// One step of the district's handling.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HistoryEntry {
    /// The status from then on.
    pub status: DistrictStatus,
    /// Its name.
    pub status_label: String,
    /// When, milliseconds since the epoch.
    pub at_ms: i64,
    /// "3 giờ trước".
    pub at_relative: String,
    /// The official reply, if one came with it.
    pub reply: Option<String>,
}

/// A report in full, for the detail and edit screens.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportView {
    /// The report's id.
    pub id: String,
    /// Where it is on the device.
    pub state: ReportState,
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
    /// The tracking code (as soon as the server has the text).
    pub tracking_code: Option<String>,
    /// The public tracking page, to share.
    pub public_url: Option<String>,
    /// Why the server refused it.
    pub attention_reason: Option<String>,
    /// The district's current status.
    pub status: Option<DistrictStatus>,
    /// Its name.
    pub status_label: Option<String>,
    /// The district's handling, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Milliseconds since the epoch.
    pub created_at_ms: i64,
    /// "5 phút trước".
    pub created_relative: String,
    /// "vừa xong".
    pub updated_relative: String,
}

/// One row of "my reports".
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportRow {
    /// The report's id.
    pub id: String,
    /// Where it is on the device.
    pub state: ReportState,
    /// Its name.
    pub state_label: String,
    /// Category name.
    pub category_name: Option<String>,
    /// Description (the list cuts it).
    pub description: String,
    /// Tracking code.
    pub tracking_code: Option<String>,
    /// The district's status name.
    pub status_label: Option<String>,
    /// The latest official reply.
    pub last_reply: Option<String>,
    /// Why the server refused it.
    pub attention_reason: Option<String>,
    /// Number of photos.
    pub photo_count: u32,
    /// The first photo's thumbnail.
    pub thumbnail_path: Option<String>,
    /// "2 ngày trước".
    pub updated_relative: String,
}

/// Which reports to list.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ListFilter {
    /// Only these states (empty: all).
    #[uniffi(default = [])]
    pub states: Vec<ReportState>,
    /// Only this category.
    #[uniffi(default = None)]
    pub category: Option<String>,
    /// Words that must all appear (accents and case ignored).
    #[uniffi(default = None)]
    pub search: Option<String>,
    /// Page size (1–500).
    #[uniffi(default = 50)]
    pub limit: u32,
    /// Rows to skip.
    #[uniffi(default = 0)]
    pub offset: u32,
}

/// A page of rows.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReportPage {
    /// Newest first.
    pub items: Vec<ReportRow>,
    /// Another page follows.
    pub has_more: bool,
}

/// Where and when the camera said the photo was taken: only a suggestion
/// the user may accept.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PhotoSuggestion {
    /// Where, if the photo had GPS.
    pub location: Option<Location>,
    /// When, milliseconds since the epoch.
    pub taken_at_ms: Option<i64>,
}

/// A photo just attached.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AttachedPhoto {
    /// The stored photo.
    pub photo: PhotoView,
    /// What its EXIF suggested (already stripped from the photo).
    pub suggestion: PhotoSuggestion,
}

/// A kind of problem.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NearbyReport {
    /// Tracking code.
    pub tracking_code: String,
    /// Category name.
    pub category_name: String,
    /// Status name.
    pub status_label: String,
    /// Metres away.
    pub distance_m: f64,
    /// The distance for display ("350 m", "1,2 km").
    pub distance_label: String,
    /// "3 ngày trước".
    pub age_label: String,
    /// Thumbnail URL.
    pub thumbnail_url: Option<String>,
}

/// Duplicate hints.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NearbyReports {
    /// Nearest first.
    pub reports: Vec<NearbyReport>,
    /// Offline: the last answer for this place.
    pub from_cache: bool,
    /// "5 phút trước".
    pub fetched_relative: String,
}

/// What one sync pass did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncSummary {
    /// Reports that reached the server whole.
    pub sent: u32,
    /// Photos uploaded.
    pub photos_sent: u32,
    /// Reports refused, waiting for the user.
    pub needs_attention: u32,
    /// Reports to be tried again later.
    pub retrying: u32,
    /// Reports still waiting.
    pub waiting: u32,
    /// Reports with news from the district.
    pub changes: u32,
    /// The server could not be reached.
    pub offline: bool,
    /// When the next report is due, ms since the epoch.
    pub next_attempt_at_ms: Option<i64>,
}

/// Something the sync did, for the UI.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
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
        status: DistrictStatus,
        /// Its name.
        status_label: String,
    },
    /// A pass ended.
    PassFinished {
        /// What it did.
        summary: SyncSummary,
    },
}

/// The outbox in one line, for the list's header (see `PhanAnh.sync_status()`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    /// "Sending… 40%", "Offline — will send when you are online (2)", "All sent"…
    pub text: String,
    /// A pass is sending right now (show a spinner).
    pub busy: bool,
    /// Offline, or the server could not be reached on the last pass.
    pub offline: bool,
    /// Reports waiting to be sent.
    pub waiting: u32,
}

impl From<phananh_core::sync::SyncStatus> for SyncStatus {
    fn from(s: phananh_core::sync::SyncStatus) -> Self {
        SyncStatus { text: s.text, busy: s.busy, offline: s.offline, waiting: s.waiting }
    }
}

/// Declares [`UiTexts`] with one `String` per label of the core's table
/// (`phananh_core::ui_text::UiTexts`), and the conversion.
macro_rules! ui_texts {
    ($($key:ident)*) => {
        /// Every label the apps show, in the current language (see
        /// `PhanAnh.texts()`); fetch it again after a language switch.
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
        pub struct UiTexts {
            $(#[allow(missing_docs)] pub $key: String,)*
        }

        impl From<phananh_core::ui_text::UiTexts> for UiTexts {
            fn from(t: phananh_core::ui_text::UiTexts) -> Self {
                UiTexts { $($key: t.$key.to_owned(),)* }
            }
        }
    };
}

ui_texts! {
    app_name my_reports new_report no_reports sync_sending sync_done sync_offline sync_waiting sync_now
    edit_report category choose_category description description_hint photos take_photo choose_photo
    remove_photo location use_my_location locating use_photo_location use_it no_location address save_draft
    send delete retry same_problem same_problem_hint send_anyway cancel history official_reply tracking_code
    share share_text settings language server_url volunteer_mode filing_for their_name their_phone
    their_consent your_name your_phone anonymous hand_over code_after_sync done save
}

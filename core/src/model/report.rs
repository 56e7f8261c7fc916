//! A report with everything the resident gave, and a light summary for lists.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{PhotoId, ReportId, ReportState, StateKind, Status, StatusEntry};

/// A position on the map, WGS 84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Location {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Horizontal accuracy in metres, as the GPS reported it.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub accuracy_m: Option<f64>,
}

/// Who is reporting. Both fields are optional; `anonymous` keeps them from
/// the public (staff still see them, to call back).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reporter {
    /// The reporter's name.
    pub name: Option<String>,
    /// The reporter's phone (E.164 once submitted).
    pub phone: Option<String>,
    /// Keep name and phone from public pages.
    pub anonymous: bool,
}

/// The neighbour a volunteer files for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OnBehalfOf {
    /// The neighbour's name.
    pub name: Option<String>,
    /// The neighbour's phone (E.164 once submitted).
    pub phone: Option<String>,
    /// The neighbour agreed to this report being filed for them.
    pub consent: bool,
}

/// A photo attached to a report: already compressed, exactly the bytes that
/// will travel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    /// The photo's id.
    pub id: PhotoId,
    /// File name inside the store's photo directory.
    pub file: String,
    /// Thumbnail file name inside the photo directory, if one was made.
    pub thumb_file: Option<String>,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// A report, from first draft to the district's last reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The client-made id.
    pub id: ReportId,
    /// Category code (from the server's list), if chosen.
    pub category: Option<String>,
    /// What is wrong, NFC-normalised.
    pub description: String,
    /// Where, if a position was set.
    pub location: Option<Location>,
    /// Address text, if typed.
    pub address: Option<String>,
    /// Who reports.
    pub reporter: Reporter,
    /// The neighbour this is filed for, if any.
    pub on_behalf_of: Option<OnBehalfOf>,
    /// The tracking code, as soon as the server has the report (photos may
    /// still be on their way).
    pub tracking_code: Option<String>,
    /// The report's public page, once the server has it.
    pub public_url: Option<String>,
    /// Photos, in the order attached.
    pub photos: Vec<Photo>,
    /// Where the report is on the device.
    #[serde(flatten)]
    pub state: ReportState,
    /// What the district has done (empty until sent).
    pub history: Vec<StatusEntry>,
    /// When the draft was started.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When anything last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Report {
    /// A draft nobody has written anything in: no category, text, photo,
    /// position, address, or name or phone (the reporter's or a neighbour's).
    /// Opening "new report" and leaving should not leave a blank draft behind.
    pub fn is_untouched(&self) -> bool {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|v| v.trim().is_empty());
        let behalf = self.on_behalf_of.clone().unwrap_or_default();
        matches!(self.state, ReportState::Draft)
            && self.category.is_none()
            && self.description.trim().is_empty()
            && self.photos.is_empty()
            && self.location.is_none()
            && blank(&self.address)
            && blank(&self.reporter.name)
            && blank(&self.reporter.phone)
            && blank(&behalf.name)
            && blank(&behalf.phone)
    }
}

/// One line of a report list: enough for a list row, cheap to load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSummary {
    /// The report's id.
    pub id: ReportId,
    /// Where it is on the device.
    pub state: StateKind,
    /// Category code, if chosen.
    pub category: Option<String>,
    /// The description.
    pub description: String,
    /// Address text, if typed.
    pub address: Option<String>,
    /// The tracking code, once sent.
    pub tracking_code: Option<String>,
    /// Why the server refused it, if it did.
    pub attention_reason: Option<String>,
    /// Number of photos.
    pub photo_count: u32,
    /// The first photo's thumbnail file name, if any.
    pub thumbnail: Option<String>,
    /// What the district has done, once it has the report.
    pub status: Option<Status>,
    /// The district's latest official reply, if any.
    pub last_reply: Option<String>,
    /// The district's unit handling it, once routed.
    #[serde(default)]
    pub unit_name: Option<String>,
    /// When the draft was started.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When anything last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

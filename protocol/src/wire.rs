//! The native API's JSON bodies (`/api/v1`), shared by the server and the
//! app's sync client so the two cannot drift apart.

use serde::{Deserialize, Serialize};

use crate::validate::{Limits, ServiceArea};

/// Every error body: a stable code for programs, a message for people (in
/// the request's `Accept-Language`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable snake_case code.
    pub code: String,
    /// Human message, vi or en.
    pub message: String,
    /// The field at fault, for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `POST /api/v1/devices` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRegistered {
    /// The device's id (public).
    pub device_id: String,
    /// The bearer token for every later call. Shown once; the server keeps only its hash.
    pub token: String,
}

/// One kind of problem people can report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Stable code, e.g. `o_ga`.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Vietnamese group name.
    pub group_vi: String,
    /// English group name.
    pub group_en: String,
    /// Whether a report of this kind needs at least one photo.
    pub photo_required: bool,
}

/// `GET /api/v1/services` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Services {
    /// The categories, in display order.
    pub categories: Vec<Category>,
    /// The area reports are accepted in, if limited.
    pub service_area: Option<ServiceArea>,
    /// The limits reports must respect.
    pub limits: Limits,
    /// Days after a resolution in which the reporter may reopen it.
    #[serde(default = "default_reopen_days")]
    pub reopen_days: u32,
}

fn default_reopen_days() -> u32 {
    crate::feedback::DEFAULT_REOPEN_DAYS
}

/// The reporter as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WireReporter {
    /// Name.
    pub name: Option<String>,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// Keep name and phone off public pages.
    #[serde(default)]
    pub anonymous: bool,
}

/// The neighbour a volunteer files for, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WireOnBehalf {
    /// Name.
    pub name: Option<String>,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// They agreed.
    #[serde(default)]
    pub consent: bool,
}

/// A photo the report will have, declared up front so the server knows when
/// the report is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoDecl {
    /// The photo's client id (UUID).
    pub id: String,
    /// Lower-case hex SHA-256 of the JPEG.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// `PUT /api/v1/reports/{client_id}` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportBody {
    /// Category code.
    pub category: String,
    /// Description.
    pub description: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Accuracy in metres.
    pub accuracy_m: Option<f64>,
    /// Address text.
    pub address: Option<String>,
    /// Who reports.
    #[serde(default)]
    pub reporter: WireReporter,
    /// For whom, if filed for a neighbour.
    pub on_behalf_of: Option<WireOnBehalf>,
    /// The photos that will follow.
    #[serde(default)]
    pub photos: Vec<PhotoDecl>,
    /// When the draft was started on the phone (RFC 3339).
    pub created_at: Option<String>,
}

impl ReportBody {
    /// The text fields as stored: NFC, trimmed, control and unwanted
    /// characters removed (`text::clean_line`/`clean_text`); empty optional
    /// text becomes none.
    pub fn cleaned(&self) -> ReportBody {
        use crate::text::{clean_line, clean_optional, clean_text};
        let mut r = self.clone();
        r.category = clean_line(&self.category);
        r.description = clean_text(&self.description);
        r.address = clean_optional(self.address.as_deref());
        r.reporter.name = clean_optional(self.reporter.name.as_deref());
        if let Some(b) = r.on_behalf_of.as_mut() {
            b.name = clean_optional(b.name.as_deref());
        }
        r
    }

    /// What the shared rules check: the one `Submission` for a report as it
    /// travels, whoever sent it (the app's `PUT`, an Open311 post).
    pub fn submission(&self) -> crate::validate::Submission<'_> {
        let behalf = self.on_behalf_of.as_ref();
        crate::validate::Submission {
            category: Some(&self.category),
            description: &self.description,
            position: self.lat.zip(self.lon).map(|(lat, lon)| (lat, lon, self.accuracy_m)),
            address: self.address.as_deref(),
            reporter_name: self.reporter.name.as_deref(),
            reporter_phone: self.reporter.phone.as_deref(),
            on_behalf: behalf.is_some(),
            for_name: behalf.and_then(|b| b.name.as_deref()),
            for_phone: behalf.and_then(|b| b.phone.as_deref()),
            consent: behalf.is_some_and(|b| b.consent),
            photo_count: self.photos.len(),
            photo_bytes: self.photos.iter().map(|p| p.bytes).fold(0, u64::saturating_add),
        }
    }
}

/// The answer to a report `PUT`, and to `GET /api/v1/reports/{client_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportStatus {
    /// The client id.
    pub client_id: String,
    /// The short code people read aloud.
    pub tracking_code: String,
    /// Current status: received, in_progress, resolved, rejected.
    pub status: String,
    /// Photos declared and how many have arrived.
    pub photos_expected: u32,
    /// Photos attached so far.
    pub photos_received: u32,
    /// The public page for this report.
    pub public_url: String,
    /// When the server got it (RFC 3339).
    pub received_at: String,
    /// Status history with official replies, oldest first.
    #[serde(default)]
    pub history: Vec<StatusChange>,
    /// The unit responsible, once routed.
    #[serde(default)]
    pub unit: Option<UnitRef>,
    /// When the unit must have resolved it (RFC 3339), if a deadline runs.
    #[serde(default)]
    pub due_at: Option<String>,
    /// `normal` or `urgent`.
    #[serde(default)]
    pub priority: Option<String>,
    /// The reporter's rating of the answer, once given.
    #[serde(default)]
    pub rating: Option<WireRating>,
}

/// A rating of the district's answer, as sent by the reporter's phone
/// (`PUT /api/v1/reports/{client_id}/rating/{rating_id}`) and read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRating {
    /// `satisfied`, `acceptable` or `not_satisfied`.
    pub score: crate::Score,
    /// Optional words.
    #[serde(default)]
    pub comment: Option<String>,
    /// A volunteer rated on behalf of the neighbour they filed for.
    #[serde(default)]
    pub on_behalf: bool,
}

/// "Not fixed" (or, for a rejection, "I contest this"), with why and any
/// new photos (`PUT /api/v1/reports/{client_id}/reopen/{reopen_id}`); the
/// photos then go by tus like the report's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReopenBody {
    /// Why it is not fixed.
    pub reason: String,
    /// New photos, declared as a report declares its own.
    #[serde(default)]
    pub photos: Vec<PhotoDecl>,
}

/// Follow a report someone else filed, and perhaps say "I see it too"
/// (`PUT /api/v1/follows/{tracking_code}`, idempotent per device).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FollowBody {
    /// "I see it too" (it adds weight in the coordinator's queue).
    #[serde(default)]
    pub me_too: bool,
    /// Photos of it, declared; they go by tus to
    /// `POST /api/v1/follows/{tracking_code}/photos` (staff see them).
    #[serde(default)]
    pub photos: Vec<PhotoDecl>,
}

/// A followed report as a follower may see it: public fields only, never
/// who reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowedReport {
    /// Tracking code.
    pub tracking_code: String,
    /// Category code.
    pub category: String,
    /// Current status.
    pub status: String,
    /// The public page.
    pub public_url: String,
    /// Status history with official replies (`client_id` empty).
    pub history: Vec<StatusChange>,
    /// The unit responsible.
    #[serde(default)]
    pub unit: Option<UnitRef>,
    /// The deadline (RFC 3339).
    #[serde(default)]
    pub due_at: Option<String>,
    /// How many follow it (this device included).
    pub followers: u32,
}

/// A unit of the district (a commune, a department), named in the
/// request's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRef {
    /// Stable code (`TRANG_SON`).
    pub code: String,
    /// "UBND xã Tràng Sơn".
    pub name: String,
}

/// One status change (with an official reply, if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The report's client id.
    pub client_id: String,
    /// Its tracking code.
    pub tracking_code: String,
    /// The new status.
    pub status: String,
    /// When (RFC 3339).
    pub at: String,
    /// The official reply, if one came with it.
    pub reply: Option<String>,
    /// The unit responsible from this step on.
    #[serde(default)]
    pub unit: Option<UnitRef>,
    /// The deadline from this step on (RFC 3339).
    #[serde(default)]
    pub due_at: Option<String>,
    /// A report this device follows, not one it filed: `client_id` is
    /// empty (a follower never learns the reporter's ids).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub followed: bool,
}

/// `GET /api/v1/reports/changes` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesPage {
    /// Changes since the cursor, oldest first.
    pub changes: Vec<StatusChange>,
    /// Where to continue from (opaque).
    pub next_cursor: String,
    /// Whether more changes are waiting.
    pub has_more: bool,
}

/// One open report near a point (public fields only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearbyReport {
    /// Tracking code.
    pub tracking_code: String,
    /// Category code.
    pub category: String,
    /// Status.
    pub status: String,
    /// Distance from the asked point, in metres.
    pub distance_m: f64,
    /// Days since it was received.
    pub age_days: u32,
    /// First photo's thumbnail, if any.
    pub thumbnail_url: Option<String>,
}

/// `GET /api/v1/reports/nearby` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nearby {
    /// Open reports, nearest first.
    pub reports: Vec<NearbyReport>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_cleaned_and_checked_by_the_shared_rules() {
        let body = ReportBody {
            category: " o_ga ".into(),
            description: "  Ổ gà\u{FFFF} lớn giữa đường\u{202E} ".into(),
            lat: Some(18.9),
            lon: Some(105.3),
            accuracy_m: Some(5.0),
            address: Some("   ".into()),
            reporter: WireReporter { name: Some(" An ".into()), phone: None, anonymous: false },
            on_behalf_of: Some(WireOnBehalf { name: Some("Bà Tư".into()), phone: None, consent: true }),
            photos: vec![PhotoDecl { id: "p".into(), sha256: "s".into(), bytes: 1_500_000 }; 2],
            created_at: None,
        }
        .cleaned();
        assert_eq!((body.category.as_str(), body.description.as_str()), ("o_ga", "Ổ gà lớn giữa đường"));
        assert_eq!((body.address.as_deref(), body.reporter.name.as_deref()), (None, Some("An")));
        let s = body.submission();
        assert_eq!((s.position, s.photo_count, s.photo_bytes), (Some((18.9, 105.3, Some(5.0))), 2, 3_000_000));
        assert!(s.on_behalf && s.consent && s.for_name == Some("Bà Tư"));
        let errors = crate::validate::validate(&s, &Limits::default(), None).unwrap_err();
        assert_eq!(errors.0[0].code(), "photos_too_large");
    }
}

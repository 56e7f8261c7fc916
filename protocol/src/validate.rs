//! The rules a report must meet before it is sent, shared by app and server.
//!
//! Drafts may be incomplete; these rules run at submit time (on the phone)
//! and again when the report arrives (on the server). Every error names the
//! field it belongs to and has a message in Vietnamese and in English.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::phone::normalize_phone;

/// Limits a report must stay within. The server sends its own; these are
/// the defaults both sides start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Shortest description, in characters after trimming.
    pub description_min: usize,
    /// Longest description, in characters after trimming.
    pub description_max: usize,
    /// Most photos on one report.
    pub max_photos: usize,
    /// Longest name (reporter or neighbour), in characters.
    pub name_max: usize,
    /// Longest address text, in characters.
    pub address_max: usize,
    /// Most bytes all of a report's photos may take together, after compression.
    pub photo_budget: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            description_min: 10,
            description_max: 4000,
            max_photos: 5,
            name_max: 100,
            address_max: 300,
            photo_budget: 2 * 1024 * 1024,
        }
    }
}

/// The area a server accepts reports in: a bounding box in WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServiceArea {
    /// Southern edge.
    pub min_lat: f64,
    /// Western edge.
    pub min_lon: f64,
    /// Northern edge.
    pub max_lat: f64,
    /// Eastern edge.
    pub max_lon: f64,
}

impl ServiceArea {
    /// Whether a point lies inside (edges included).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }
}

/// The report's fields as validation sees them. Text is expected to be
/// cleaned (NFC, trimmed) already; see [`crate::text`].
#[derive(Debug, Clone, Default)]
pub struct Submission<'a> {
    /// Category code, e.g. `o_ga`.
    pub category: Option<&'a str>,
    /// What is wrong.
    pub description: &'a str,
    /// Latitude, longitude and accuracy in metres, if a position was set.
    pub position: Option<(f64, f64, Option<f64>)>,
    /// Address text, if typed.
    pub address: Option<&'a str>,
    /// Reporter's name.
    pub reporter_name: Option<&'a str>,
    /// Reporter's phone, as typed.
    pub reporter_phone: Option<&'a str>,
    /// When filing for a neighbour: their name.
    pub for_name: Option<&'a str>,
    /// When filing for a neighbour: their phone, as typed.
    pub for_phone: Option<&'a str>,
    /// Whether this is filed on someone else's behalf.
    pub on_behalf: bool,
    /// When filing for a neighbour: they agreed.
    pub consent: bool,
    /// Number of photos attached.
    pub photo_count: usize,
    /// Their bytes together, checked against `Limits::photo_budget` (the
    /// app's compressed photos). Open311 leaves it 0: an aggregator's one
    /// `media` photo is bounded by the server's per-photo limit instead.
    pub photo_bytes: u64,
}

/// What passes validation also comes out normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Normalized {
    /// The reporter's phone in E.164, if given.
    pub reporter_phone: Option<String>,
    /// The neighbour's phone in E.164, if given.
    pub for_phone: Option<String>,
}

/// The field an error belongs to, so a form can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The category.
    Category,
    /// The description.
    Description,
    /// The position (latitude, longitude, accuracy).
    Location,
    /// The address text.
    Address,
    /// The reporter's name.
    ReporterName,
    /// The reporter's phone.
    ReporterPhone,
    /// The neighbour's name.
    ForName,
    /// The neighbour's phone.
    ForPhone,
    /// The neighbour's consent.
    Consent,
    /// The photos.
    Photos,
}

impl Field {
    /// Stable name used on the wire and in the CLI's JSON.
    pub fn code(self) -> &'static str {
        match self {
            Field::Category => "category",
            Field::Description => "description",
            Field::Location => "location",
            Field::Address => "address",
            Field::ReporterName => "reporter_name",
            Field::ReporterPhone => "reporter_phone",
            Field::ForName => "for_name",
            Field::ForPhone => "for_phone",
            Field::Consent => "consent",
            Field::Photos => "photos",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One broken rule. `Display` gives the English message; use
/// [`ValidationError::message`] for the user's language.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// No category chosen.
    #[error("choose a category")]
    CategoryMissing,
    /// Description shorter than the minimum.
    #[error("description too short: {actual} of at least {min} characters")]
    DescriptionTooShort {
        /// Minimum length.
        min: usize,
        /// Length given.
        actual: usize,
    },
    /// Description longer than the maximum.
    #[error("description too long: {actual} of at most {max} characters")]
    DescriptionTooLong {
        /// Maximum length.
        max: usize,
        /// Length given.
        actual: usize,
    },
    /// Neither a position nor an address.
    #[error("set a location or type an address")]
    LocationMissing,
    /// Latitude not a number in −90…90.
    #[error("latitude must be between -90 and 90")]
    LatitudeInvalid,
    /// Longitude not a number in −180…180.
    #[error("longitude must be between -180 and 180")]
    LongitudeInvalid,
    /// Accuracy negative or not a number.
    #[error("accuracy must be a non-negative number of metres")]
    AccuracyInvalid,
    /// Position outside the area the server serves.
    #[error("this place is outside the area the district serves")]
    OutsideServiceArea,
    /// Address text too long.
    #[error("address too long: at most {max} characters")]
    AddressTooLong {
        /// Maximum length.
        max: usize,
    },
    /// A name too long.
    #[error("{} too long: at most {max} characters", field_en(*field))]
    NameTooLong {
        /// Which name.
        field: Field,
        /// Maximum length.
        max: usize,
    },
    /// A phone number not in a Vietnamese format.
    #[error("{} is not a Vietnamese phone number", field_en(*field))]
    PhoneInvalid {
        /// Which phone.
        field: Field,
    },
    /// Filing for someone without their name.
    #[error("enter the name of the person you are reporting for")]
    ForNameMissing,
    /// Filing for someone without their consent.
    #[error("the person you are reporting for must agree first")]
    ConsentMissing,
    /// More photos than allowed.
    #[error("too many photos: {actual} of at most {max}")]
    TooManyPhotos {
        /// Maximum allowed.
        max: usize,
        /// Number attached.
        actual: usize,
    },
    /// The photos together weigh more than the budget.
    #[error("the photos are too large together: {actual} bytes of at most {max}")]
    PhotosTooLarge {
        /// The budget, in bytes.
        max: u64,
        /// Their bytes together.
        actual: u64,
    },
}

impl ValidationError {
    /// The field this error belongs to.
    pub fn field(&self) -> Field {
        match self {
            ValidationError::CategoryMissing => Field::Category,
            ValidationError::DescriptionTooShort { .. } | ValidationError::DescriptionTooLong { .. } => {
                Field::Description
            }
            ValidationError::LocationMissing
            | ValidationError::LatitudeInvalid
            | ValidationError::LongitudeInvalid
            | ValidationError::AccuracyInvalid
            | ValidationError::OutsideServiceArea => Field::Location,
            ValidationError::AddressTooLong { .. } => Field::Address,
            ValidationError::NameTooLong { field, .. } | ValidationError::PhoneInvalid { field } => *field,
            ValidationError::ForNameMissing => Field::ForName,
            ValidationError::ConsentMissing => Field::Consent,
            ValidationError::TooManyPhotos { .. } | ValidationError::PhotosTooLarge { .. } => Field::Photos,
        }
    }

    /// A stable snake_case code for the wire.
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::CategoryMissing => "category_missing",
            ValidationError::DescriptionTooShort { .. } => "description_too_short",
            ValidationError::DescriptionTooLong { .. } => "description_too_long",
            ValidationError::LocationMissing => "location_missing",
            ValidationError::LatitudeInvalid => "latitude_invalid",
            ValidationError::LongitudeInvalid => "longitude_invalid",
            ValidationError::AccuracyInvalid => "accuracy_invalid",
            ValidationError::OutsideServiceArea => "outside_service_area",
            ValidationError::AddressTooLong { .. } => "address_too_long",
            ValidationError::NameTooLong { .. } => "name_too_long",
            ValidationError::PhoneInvalid { .. } => "phone_invalid",
            ValidationError::ForNameMissing => "for_name_missing",
            ValidationError::ConsentMissing => "consent_missing",
            ValidationError::TooManyPhotos { .. } => "too_many_photos",
            ValidationError::PhotosTooLarge { .. } => "photos_too_large",
        }
    }

    /// The message for a person, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => crate::lang::sentence(&self.to_string()),
            Lang::Vi => self.message_vi(),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            ValidationError::CategoryMissing => "Hãy chọn loại sự việc".into(),
            ValidationError::DescriptionTooShort { min, actual } => {
                format!("Mô tả quá ngắn: {actual} ký tự, cần ít nhất {min}")
            }
            ValidationError::DescriptionTooLong { max, actual } => {
                format!("Mô tả quá dài: {actual} ký tự, tối đa {max}")
            }
            ValidationError::LocationMissing => "Hãy chọn vị trí hoặc nhập địa chỉ".into(),
            ValidationError::LatitudeInvalid => "Vĩ độ phải nằm trong khoảng -90 đến 90".into(),
            ValidationError::LongitudeInvalid => "Kinh độ phải nằm trong khoảng -180 đến 180".into(),
            ValidationError::AccuracyInvalid => "Độ chính xác phải là số mét không âm".into(),
            ValidationError::OutsideServiceArea => "Vị trí này nằm ngoài địa bàn huyện tiếp nhận".into(),
            ValidationError::AddressTooLong { max } => {
                format!("Địa chỉ quá dài: tối đa {max} ký tự")
            }
            ValidationError::NameTooLong { field, max } => {
                format!("{} quá dài: tối đa {max} ký tự", field_vi(*field))
            }
            ValidationError::PhoneInvalid { field } => {
                format!("{} không phải số điện thoại Việt Nam hợp lệ", field_vi(*field))
            }
            ValidationError::ForNameMissing => "Hãy nhập tên người nhờ phản ánh".into(),
            ValidationError::ConsentMissing => "Cần có sự đồng ý của người nhờ phản ánh".into(),
            ValidationError::TooManyPhotos { max, actual } => {
                format!("Quá nhiều ảnh: {actual} ảnh, tối đa {max}")
            }
            ValidationError::PhotosTooLarge { max, actual } => {
                format!("Ảnh quá nặng: tổng {actual} byte, tối đa {max}")
            }
        }
    }
}

fn field_en(field: Field) -> &'static str {
    match field {
        Field::Category => "category",
        Field::Description => "description",
        Field::Location => "location",
        Field::Address => "address",
        Field::ReporterName => "your name",
        Field::ReporterPhone => "your phone",
        Field::ForName => "the neighbour's name",
        Field::ForPhone => "the neighbour's phone",
        Field::Consent => "consent",
        Field::Photos => "photos",
    }
}

fn field_vi(field: Field) -> &'static str {
    match field {
        Field::Category => "Loại sự việc",
        Field::Description => "Mô tả",
        Field::Location => "Vị trí",
        Field::Address => "Địa chỉ",
        Field::ReporterName => "Tên người phản ánh",
        Field::ReporterPhone => "Số điện thoại người phản ánh",
        Field::ForName => "Tên người nhờ phản ánh",
        Field::ForPhone => "Số điện thoại người nhờ phản ánh",
        Field::Consent => "Sự đồng ý",
        Field::Photos => "Ảnh",
    }
}

/// Every rule a submission broke, in field order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} problem(s), first: {}", .0.len(), .0.first().map(|e| e.to_string()).unwrap_or_default())]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// The first error; there is always one.
    pub fn first(&self) -> Option<&ValidationError> {
        self.0.first()
    }

    /// All messages in one language, one a line.
    pub fn message(&self, lang: Lang) -> String {
        self.0.iter().map(|e| e.message(lang)).collect::<Vec<_>>().join("\n")
    }
}

/// Check a submission against the limits and, if known, the service area.
pub fn validate(
    s: &Submission<'_>,
    limits: &Limits,
    area: Option<&ServiceArea>,
) -> Result<Normalized, ValidationErrors> {
    let mut errors = Vec::new();
    let mut out = Normalized::default();

    if s.category.is_none_or(|c| c.trim().is_empty()) {
        errors.push(ValidationError::CategoryMissing);
    }

    // The minimum counts what a reader sees (zero-width characters do not
    // make a description); the maximum counts every character stored.
    let seen = crate::text::visible_len(s.description);
    let len = s.description.trim().chars().count();
    if seen < limits.description_min {
        errors.push(ValidationError::DescriptionTooShort { min: limits.description_min, actual: seen });
    } else if len > limits.description_max {
        errors.push(ValidationError::DescriptionTooLong { max: limits.description_max, actual: len });
    }

    let address = s.address.filter(|a| !a.trim().is_empty());
    match s.position {
        None if address.is_none() => errors.push(ValidationError::LocationMissing),
        None => {}
        Some((lat, lon, accuracy)) => {
            let lat_ok = lat.is_finite() && (-90.0..=90.0).contains(&lat);
            let lon_ok = lon.is_finite() && (-180.0..=180.0).contains(&lon);
            if !lat_ok {
                errors.push(ValidationError::LatitudeInvalid);
            }
            if !lon_ok {
                errors.push(ValidationError::LongitudeInvalid);
            }
            if accuracy.is_some_and(|a| !a.is_finite() || a < 0.0) {
                errors.push(ValidationError::AccuracyInvalid);
            }
            if lat_ok && lon_ok && area.is_some_and(|a| !a.contains(lat, lon)) {
                errors.push(ValidationError::OutsideServiceArea);
            }
        }
    }
    if address.is_some_and(|a| a.chars().count() > limits.address_max) {
        errors.push(ValidationError::AddressTooLong { max: limits.address_max });
    }

    check_name(&mut errors, s.reporter_name, Field::ReporterName, limits);
    out.reporter_phone = check_phone(&mut errors, s.reporter_phone, Field::ReporterPhone);

    if s.on_behalf {
        if s.for_name.is_none_or(|n| n.trim().is_empty()) {
            errors.push(ValidationError::ForNameMissing);
        }
        check_name(&mut errors, s.for_name, Field::ForName, limits);
        out.for_phone = check_phone(&mut errors, s.for_phone, Field::ForPhone);
        if !s.consent {
            errors.push(ValidationError::ConsentMissing);
        }
    }

    if s.photo_count > limits.max_photos {
        errors.push(ValidationError::TooManyPhotos { max: limits.max_photos, actual: s.photo_count });
    }
    if s.photo_bytes > limits.photo_budget {
        errors.push(ValidationError::PhotosTooLarge { max: limits.photo_budget, actual: s.photo_bytes });
    }

    if errors.is_empty() { Ok(out) } else { Err(ValidationErrors(errors)) }
}

fn check_name(errors: &mut Vec<ValidationError>, name: Option<&str>, field: Field, limits: &Limits) {
    if name.is_some_and(|n| n.chars().count() > limits.name_max) {
        errors.push(ValidationError::NameTooLong { field, max: limits.name_max });
    }
}

fn check_phone(errors: &mut Vec<ValidationError>, phone: Option<&str>, field: Field) -> Option<String> {
    let phone = phone.filter(|p| !p.trim().is_empty())?;
    match normalize_phone(phone) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.push(ValidationError::PhoneInvalid { field });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DO_LUONG: ServiceArea = ServiceArea { min_lat: 18.80, min_lon: 105.15, max_lat: 19.05, max_lon: 105.45 };

    fn good() -> Submission<'static> {
        Submission {
            category: Some("o_ga"),
            description: "Ổ gà lớn giữa đường liên xã",
            position: Some((18.9, 105.3, Some(8.0))),
            ..Default::default()
        }
    }

    fn errors_of(s: &Submission<'_>) -> Vec<ValidationError> {
        validate(s, &Limits::default(), Some(&DO_LUONG)).err().map(|e| e.0).unwrap_or_default()
    }

    /// Each rule: the error, its field, its code and both messages.
    fn assert_rule(s: Submission<'_>, expected: ValidationError, field: Field, vi: &str, en: &str) {
        let errs = errors_of(&s);
        assert_eq!(errs, vec![expected.clone()]);
        assert_eq!(expected.field(), field);
        assert!(expected.message(Lang::Vi).contains(vi), "{}", expected.message(Lang::Vi));
        let en_message = expected.message(Lang::En);
        assert!(en_message.to_lowercase().contains(&en.to_lowercase()), "{en_message}");
        assert!(en_message.starts_with(|c: char| c.is_uppercase()), "{en_message}");
        assert_ne!(expected.message(Lang::Vi), expected.message(Lang::En));
    }

    #[test]
    fn a_good_report_passes() {
        assert_eq!(errors_of(&good()), vec![]);
        // An address alone is a location too.
        assert_eq!(errors_of(&Submission { position: None, address: Some("Xóm 3, xã Đà Sơn"), ..good() }), vec![]);
    }

    #[test]
    fn category_required() {
        assert_rule(
            Submission { category: None, ..good() },
            ValidationError::CategoryMissing,
            Field::Category,
            "Hãy chọn loại",
            "choose a category",
        );
        assert_eq!(errors_of(&Submission { category: Some("  "), ..good() }), vec![ValidationError::CategoryMissing]);
    }

    #[test]
    fn description_length_counts_characters_after_trimming() {
        // 10 Vietnamese characters (more than 10 bytes) pass; 9 do not.
        assert_eq!(errors_of(&Submission { description: "  đường đèn! ", ..good() }), vec![]);
        assert_rule(
            Submission { description: "   ổ gà to!   ", ..good() },
            ValidationError::DescriptionTooShort { min: 10, actual: 8 },
            Field::Description,
            "Mô tả quá ngắn: 8 ký tự, cần ít nhất 10",
            "too short: 8 of at least 10",
        );
        let long = "ư".repeat(4001);
        assert_rule(
            Submission { description: &long, ..good() },
            ValidationError::DescriptionTooLong { max: 4000, actual: 4001 },
            Field::Description,
            "Mô tả quá dài",
            "too long: 4001 of at most 4000",
        );
        assert_eq!(errors_of(&Submission { description: &"ư".repeat(4000), ..good() }), vec![]);
    }

    #[test]
    fn location_rules() {
        assert_rule(
            Submission { position: None, ..good() },
            ValidationError::LocationMissing,
            Field::Location,
            "vị trí",
            "set a location",
        );
        let no_area = |s: &Submission<'_>| validate(s, &Limits::default(), None).err().map(|e| e.0).unwrap_or_default();
        assert_eq!(
            no_area(&Submission { position: Some((f64::NAN, 105.0, None)), ..good() }),
            vec![ValidationError::LatitudeInvalid]
        );
        assert_eq!(
            no_area(&Submission { position: Some((91.0, 105.0, None)), ..good() }),
            vec![ValidationError::LatitudeInvalid]
        );
        assert_eq!(
            no_area(&Submission { position: Some((18.0, f64::INFINITY, None)), ..good() }),
            vec![ValidationError::LongitudeInvalid]
        );
        assert_eq!(
            no_area(&Submission { position: Some((18.0, -180.5, None)), ..good() }),
            vec![ValidationError::LongitudeInvalid]
        );
        assert_eq!(no_area(&Submission { position: Some((21.0, 105.8, None)), ..good() }), vec![]);
        assert_rule(
            Submission { position: Some((18.9, 105.3, Some(-1.0))), ..good() },
            ValidationError::AccuracyInvalid,
            Field::Location,
            "Độ chính xác",
            "accuracy",
        );
        assert_rule(
            Submission { position: Some((21.03, 105.85, None)), ..good() },
            ValidationError::OutsideServiceArea,
            Field::Location,
            "ngoài địa bàn",
            "outside the area",
        );
        let long = "a".repeat(301);
        assert_rule(
            Submission { address: Some(&long), ..good() },
            ValidationError::AddressTooLong { max: 300 },
            Field::Address,
            "Địa chỉ quá dài",
            "address too long",
        );
    }

    #[test]
    fn phones_are_checked_and_normalised() {
        let s = Submission { reporter_phone: Some("0912 345 678"), ..good() };
        let n = validate(&s, &Limits::default(), None).unwrap();
        assert_eq!(n.reporter_phone.as_deref(), Some("+84912345678"));
        assert_rule(
            Submission { reporter_phone: Some("12345"), ..good() },
            ValidationError::PhoneInvalid { field: Field::ReporterPhone },
            Field::ReporterPhone,
            "Số điện thoại người phản ánh không phải",
            "your phone is not a Vietnamese phone number",
        );
        // An empty phone is no phone.
        assert_eq!(errors_of(&Submission { reporter_phone: Some(" "), ..good() }), vec![]);
    }

    #[test]
    fn names_have_a_maximum() {
        let long = "Nguyễn ".repeat(20);
        assert_rule(
            Submission { reporter_name: Some(&long), ..good() },
            ValidationError::NameTooLong { field: Field::ReporterName, max: 100 },
            Field::ReporterName,
            "Tên người phản ánh quá dài",
            "your name too long",
        );
    }

    #[test]
    fn filing_for_a_neighbour_needs_name_and_consent() {
        let behalf = Submission {
            on_behalf: true,
            for_name: Some("Bà Lan"),
            for_phone: Some("+84 388 888 888"),
            consent: true,
            ..good()
        };
        let n = validate(&behalf, &Limits::default(), None).unwrap();
        assert_eq!(n.for_phone.as_deref(), Some("+84388888888"));
        assert_rule(
            Submission { consent: false, ..behalf.clone() },
            ValidationError::ConsentMissing,
            Field::Consent,
            "đồng ý",
            "must agree",
        );
        assert_rule(
            Submission { for_name: None, ..behalf.clone() },
            ValidationError::ForNameMissing,
            Field::ForName,
            "Hãy nhập tên",
            "enter the name",
        );
        assert_rule(
            Submission { for_phone: Some("999"), ..behalf.clone() },
            ValidationError::PhoneInvalid { field: Field::ForPhone },
            Field::ForPhone,
            "Số điện thoại người nhờ",
            "the neighbour's phone",
        );
        // Neighbour fields are ignored when not filing for anyone.
        assert_eq!(
            errors_of(&Submission { on_behalf: false, for_phone: Some("999"), consent: false, ..good() }),
            vec![]
        );
    }

    #[test]
    fn photo_count_has_a_maximum() {
        assert_eq!(errors_of(&Submission { photo_count: 5, ..good() }), vec![]);
        assert_rule(
            Submission { photo_count: 6, ..good() },
            ValidationError::TooManyPhotos { max: 5, actual: 6 },
            Field::Photos,
            "Quá nhiều ảnh: 6 ảnh, tối đa 5",
            "too many photos: 6 of at most 5",
        );
    }

    #[test]
    fn all_errors_are_reported_together() {
        let errs = validate(&Submission::default(), &Limits::default(), None).unwrap_err();
        let codes: Vec<_> = errs.0.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["category_missing", "description_too_short", "location_missing"]);
        assert_eq!(errs.message(Lang::Vi).lines().count(), 3);
    }
}

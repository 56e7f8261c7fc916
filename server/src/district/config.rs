//! The district's configuration file (TOML), as the district edits it:
//! its units, the routing rules, the working calendar and the deadlines.
//! Commune boundaries come from a GeoJSON file named in it. Every mistake
//! is refused with what and where.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use time::Date;

use super::calendar::{Calendar, Period};
use super::{Deadlines, District, Kind, Rule, Target, Unit};

/// Why a district configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The TOML does not parse or lacks a field.
    #[error("{path}: {source}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// Where and why.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// The GeoJSON does not parse.
    #[error("{path}: not GeoJSON: {why}")]
    GeoJson {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// A rule of the configuration is broken.
    #[error("{0}")]
    Invalid(String),
}

fn invalid(what: impl Into<String>) -> ConfigError {
    ConfigError::Invalid(what.into())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    district: DistrictSection,
    #[serde(default)]
    units: Vec<UnitSection>,
    #[serde(default)]
    rules: Vec<RuleSection>,
    #[serde(default)]
    calendar: CalendarSection,
    #[serde(default)]
    deadlines: DeadlineSection,
    /// Reply templates per category code (`"*"`: every category).
    #[serde(default)]
    replies: BTreeMap<String, Vec<String>>,
    /// The district's address register: id → a point and its label, for
    /// Open311's `address_id`.
    #[serde(default)]
    addresses: BTreeMap<String, AddressSection>,
    /// The resident's word after the answer.
    #[serde(default)]
    feedback: FeedbackSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedbackSection {
    /// Days after a resolution in which the reporter may reopen it.
    #[serde(default = "default_reopen_days")]
    reopen_days: u32,
}

impl Default for FeedbackSection {
    fn default() -> Self {
        FeedbackSection { reopen_days: default_reopen_days() }
    }
}

fn default_reopen_days() -> u32 {
    phananh_protocol::feedback::DEFAULT_REOPEN_DAYS
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressSection {
    lat: f64,
    lon: f64,
    label: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictSection {
    code: String,
    name_vi: String,
    name_en: String,
    /// GeoJSON FeatureCollection, each feature's `properties.code` a
    /// commune's or town's code; relative to the configuration file.
    boundaries: Option<String>,
    /// Boundaries are approximate (demo data): said wherever they are shown.
    #[serde(default)]
    approximate_boundaries: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitSection {
    code: String,
    kind: Kind,
    name_vi: String,
    name_en: String,
    parent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSection {
    category: String,
    /// A unit's code, or `commune`: the commune or town containing the point.
    to: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarSection {
    #[serde(default)]
    saturday_morning: bool,
    /// `"07:00-11:30"`, in order.
    #[serde(default = "default_hours")]
    hours: Vec<String>,
    /// `"2026-09-02"` or a range `"2026-02-14..2026-02-22"`.
    #[serde(default)]
    holidays: Vec<String>,
}

impl Default for CalendarSection {
    fn default() -> Self {
        CalendarSection { saturday_morning: false, hours: default_hours(), holidays: Vec::new() }
    }
}

fn default_hours() -> Vec<String> {
    vec!["07:00-11:30".into(), "13:30-17:00".into()]
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineSection {
    #[serde(flatten)]
    default: DeadlineValues,
    #[serde(default)]
    categories: BTreeMap<String, DeadlineValues>,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineValues {
    ack_hours: Option<u32>,
    resolve_days: Option<u32>,
    urgent_ack_hours: Option<u32>,
    urgent_resolve_hours: Option<u32>,
}

impl DeadlineValues {
    fn over(self, base: Deadlines, per_day: u32) -> Deadlines {
        Deadlines {
            ack: self.ack_hours.map_or(base.ack, |h| h * 60),
            resolve: self.resolve_days.map_or(base.resolve, |d| d * per_day),
            urgent_ack: self.urgent_ack_hours.map_or(base.urgent_ack, |h| h * 60),
            urgent_resolve: self.urgent_resolve_hours.map_or(base.urgent_resolve, |h| h * 60),
        }
    }
}

/// Read and check a district configuration (and the boundaries it names).
pub fn load(path: &Path) -> Result<District, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&text, path, |name| {
        let file = dir.join(name);
        std::fs::read_to_string(&file).map_err(|source| ConfigError::Read { path: file, source })
    })
}

/// Check a configuration's text; `read` gives the boundaries file's text.
pub fn parse(
    text: &str,
    path: &Path,
    read: impl Fn(&str) -> Result<String, ConfigError>,
) -> Result<District, ConfigError> {
    let file: File = toml::from_str(text).map_err(|e| ConfigError::Toml { path: path.into(), source: Box::new(e) })?;
    let d = &file.district;
    check_code(&d.code)?;
    let mut units = vec![Unit {
        code: d.code.clone(),
        kind: Kind::District,
        name_vi: d.name_vi.clone(),
        name_en: d.name_en.clone(),
        parent: None,
        boundary: None,
    }];
    for u in &file.units {
        check_code(&u.code)?;
        if u.kind == Kind::District {
            return Err(invalid(format!("unit {}: there is one district, the [district] section", u.code)));
        }
        if units.iter().any(|x| x.code == u.code) {
            return Err(invalid(format!("unit {}: the code is used twice", u.code)));
        }
        units.push(Unit {
            code: u.code.clone(),
            kind: u.kind,
            name_vi: u.name_vi.clone(),
            name_en: u.name_en.clone(),
            parent: Some(u.parent.clone().unwrap_or_else(|| d.code.clone())),
            boundary: None,
        });
    }
    let codes: BTreeSet<String> = units.iter().map(|u| u.code.clone()).collect();
    for u in &units {
        if let Some(p) = &u.parent
            && !codes.contains(p)
        {
            return Err(invalid(format!("unit {}: parent {p} is not a unit", u.code)));
        }
    }
    if let Some(name) = &d.boundaries {
        let geojson = read(name)?;
        attach_boundaries(&mut units, &geojson, Path::new(name))?;
    }
    for u in &units {
        if u.kind.is_local() && u.boundary.is_none() && d.boundaries.is_some() {
            return Err(invalid(format!(
                "unit {}: a {} needs a boundary in {}",
                u.code,
                u.kind.code(),
                d.boundaries.as_deref().unwrap_or("")
            )));
        }
    }
    let mut rules = Vec::new();
    let mut seen = BTreeSet::new();
    for r in &file.rules {
        if !seen.insert(r.category.clone()) {
            return Err(invalid(format!("rule for {}: the category has two rules", r.category)));
        }
        let target = match r.to.as_str() {
            "commune" => Target::CommuneAtPoint,
            code if codes.contains(code) => Target::Unit(code.to_owned()),
            other => {
                return Err(invalid(format!("rule for {}: {other} is neither a unit nor \"commune\"", r.category)));
            }
        };
        rules.push(Rule { category: r.category.clone(), target });
    }
    let calendar = calendar(&file.calendar)?;
    let per_day = calendar.minutes_per_day();
    let base = file.deadlines.default.over(Deadlines::standard(per_day), per_day);
    let by_category: HashMap<String, Deadlines> =
        file.deadlines.categories.iter().map(|(c, v)| (c.clone(), v.over(base, per_day))).collect();
    for (category, texts) in &file.replies {
        if texts.iter().any(|t| t.trim().is_empty() || t.chars().count() > 4000) {
            return Err(invalid(format!("replies for {category}: each is 1–4000 characters")));
        }
    }
    let mut district = District::new(units, rules, calendar, base, by_category, d.approximate_boundaries)?;
    district.replies = file.replies;
    if !(1..=365).contains(&file.feedback.reopen_days) {
        return Err(invalid("feedback.reopen_days: 1–365"));
    }
    district.reopen_days = file.feedback.reopen_days;
    for (id, a) in file.addresses {
        let bad = !(-90.0..=90.0).contains(&a.lat) || !(-180.0..=180.0).contains(&a.lon);
        if id.is_empty() || id.len() > 64 || bad || a.label.trim().is_empty() {
            return Err(invalid(format!("address {id:?}: an id of 1–64 characters, a lat/lon and a label")));
        }
        district.addresses.insert(id, crate::district::Address { lat: a.lat, lon: a.lon, label: a.label });
    }
    Ok(district)
}

fn check_code(code: &str) -> Result<(), ConfigError> {
    let ok = !code.is_empty()
        && code.len() <= 32
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok { Ok(()) } else { Err(invalid(format!("unit code {code:?}: use A–Z, 0–9, _ and -, at most 32"))) }
}

fn attach_boundaries(units: &mut [Unit], text: &str, path: &Path) -> Result<(), ConfigError> {
    let bad = |why: String| ConfigError::GeoJson { path: path.into(), why };
    let collection: geojson::FeatureCollection = text.parse().map_err(|e: geojson::Error| bad(e.to_string()))?;
    for feature in collection.features {
        let code = feature
            .property("code")
            .and_then(|c| c.as_str())
            .ok_or_else(|| bad("a feature has no properties.code".into()))?
            .to_owned();
        let geometry = feature.geometry.ok_or_else(|| bad(format!("{code}: no geometry")))?;
        let shape: geo::Geometry<f64> = geometry.try_into().map_err(|e: geojson::Error| bad(format!("{code}: {e}")))?;
        let polygons = match shape {
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            _ => return Err(bad(format!("{code}: a boundary is a Polygon or MultiPolygon"))),
        };
        let unit = units
            .iter_mut()
            .find(|u| u.code == code)
            .ok_or_else(|| invalid(format!("{}: {code} is not a unit", path.display())))?;
        if !unit.kind.is_local() {
            return Err(invalid(format!(
                "{}: {code} is a {}; only communes and towns have boundaries",
                path.display(),
                unit.kind.code()
            )));
        }
        if unit.boundary.is_some() {
            return Err(invalid(format!("{}: {code} has two boundaries", path.display())));
        }
        unit.boundary = Some(polygons);
    }
    Ok(())
}

fn calendar(c: &CalendarSection) -> Result<Calendar, ConfigError> {
    let minute = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let mut periods = Vec::new();
    for span in &c.hours {
        let period = span
            .split_once('-')
            .and_then(|(a, b)| Some(Period { start: minute(a)?, end: minute(b)? }))
            .filter(|p| p.start < p.end)
            .ok_or_else(|| invalid(format!("calendar hours {span:?}: write \"07:00-11:30\"")))?;
        if periods.last().is_some_and(|last: &Period| last.end > period.start) {
            return Err(invalid(format!("calendar hours {span:?}: periods go in order, without overlap")));
        }
        periods.push(period);
    }
    if periods.is_empty() {
        return Err(invalid("calendar hours: at least one working period"));
    }
    let day = |t: &str| {
        Date::parse(t.trim(), time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| invalid(format!("calendar holiday {t:?}: write 2026-09-02 or 2026-02-14..2026-02-22")))
    };
    let mut holidays = BTreeSet::new();
    for h in &c.holidays {
        let (first, last) = match h.split_once("..") {
            Some((a, b)) => (day(a)?, day(b)?),
            None => (day(h)?, day(h)?),
        };
        if last < first || (last - first).whole_days() > 60 {
            return Err(invalid(format!("calendar holiday {h:?}: a range goes forward, at most 60 days")));
        }
        let mut d = first;
        while d <= last {
            holidays.insert(d);
            match d.next_day() {
                Some(n) => d = n,
                None => break,
            }
        }
    }
    Ok(Calendar { periods, saturday_morning: c.saturday_morning, holidays })
}

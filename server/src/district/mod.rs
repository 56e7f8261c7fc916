//! The district as the server knows it: its units (the district itself,
//! its departments, its communes and towns with their boundaries), which
//! unit a report goes to, and the working calendar its deadlines count on.
//!
//! - [`config`]: the TOML file the district edits, and its GeoJSON boundaries;
//! - [`calendar`]: working minutes in Vietnam time;
//! - [`District::route`]: category rules, then the commune whose boundary
//!   holds the point (`geo`'s point-in-polygon), else the coordinator.

pub mod calendar;
pub mod config;
pub mod hamlet;

use std::collections::HashMap;

use geo::{Area, BooleanOps, BoundingRect, Contains, MultiPolygon, Point, Rect};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use calendar::Calendar;
pub use config::ConfigError;

/// What kind of unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The district: the coordinator's queue.
    District,
    /// A district office (Kinh tế – Hạ tầng, Công an huyện…).
    Department,
    /// A commune (xã).
    Commune,
    /// A town (thị trấn).
    Town,
}

impl Kind {
    /// The stable name (`district`, `department`, `commune`, `town`).
    pub fn code(self) -> &'static str {
        match self {
            Kind::District => "district",
            Kind::Department => "department",
            Kind::Commune => "commune",
            Kind::Town => "town",
        }
    }

    /// A commune or a town: a place with a boundary.
    pub fn is_local(self) -> bool {
        matches!(self, Kind::Commune | Kind::Town)
    }
}

/// One unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Stable code (`TRANG_SON`).
    pub code: String,
    /// Its kind.
    pub kind: Kind,
    /// "UBND xã Tràng Sơn".
    pub name_vi: String,
    /// "Tràng Sơn Commune People's Committee".
    pub name_en: String,
    /// The unit above (the district for every other unit).
    pub parent: Option<String>,
    /// Where it is (communes and towns).
    pub boundary: Option<MultiPolygon<f64>>,
}

impl Unit {
    /// Its name in `lang`.
    pub fn name(&self, lang: phananh_protocol::Lang) -> &str {
        lang.pick(&self.name_vi, &self.name_en)
    }
}

/// Where a category's reports go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Always this unit.
    Unit(String),
    /// The commune or town whose boundary holds the report's point.
    CommuneAtPoint,
}

/// A routing rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Category code.
    pub category: String,
    /// Where to.
    pub target: Target,
}

/// How urgent a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// The usual deadlines.
    #[default]
    Normal,
    /// The short ones.
    Urgent,
}

impl Priority {
    /// `normal` or `urgent`.
    pub fn code(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::Urgent => "urgent",
        }
    }

    /// From its code.
    pub fn from_code(code: &str) -> Option<Priority> {
        match code {
            "normal" => Some(Priority::Normal),
            "urgent" => Some(Priority::Urgent),
            _ => None,
        }
    }

    /// For people.
    pub fn label(self, lang: phananh_protocol::Lang) -> &'static str {
        match self {
            Priority::Normal => lang.pick("Thường", "Normal"),
            Priority::Urgent => lang.pick("Khẩn", "Urgent"),
        }
    }
}

/// Deadlines in working minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// To acknowledge (take up) a normal report.
    pub ack: u32,
    /// To resolve a normal report.
    pub resolve: u32,
    /// To acknowledge an urgent report.
    pub urgent_ack: u32,
    /// To resolve an urgent report.
    pub urgent_resolve: u32,
}

impl Deadlines {
    /// 8 working hours to acknowledge and 5 working days to resolve; urgent:
    /// 2 hours and 24 working hours.
    pub fn standard(minutes_per_day: u32) -> Deadlines {
        Deadlines { ack: 8 * 60, resolve: 5 * minutes_per_day, urgent_ack: 2 * 60, urgent_resolve: 24 * 60 }
    }

    /// (acknowledge, resolve) for a priority.
    pub fn for_priority(self, p: Priority) -> (u32, u32) {
        match p {
            Priority::Normal => (self.ack, self.resolve),
            Priority::Urgent => (self.urgent_ack, self.urgent_resolve),
        }
    }
}

/// Why a report went where it went (shown to staff, kept in its history).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The category's rule names the unit.
    CategoryRule,
    /// The commune or town holding the point.
    Location,
    /// No rule, no point, or a point outside every boundary: the coordinator.
    Fallback,
}

impl Reason {
    /// A stable code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::CategoryRule => "category_rule",
            Reason::Location => "location",
            Reason::Fallback => "coordinator",
        }
    }
}

/// The district: units, rules, calendar and deadlines.
#[derive(Debug, Clone)]
pub struct District {
    units: Vec<Unit>,
    by_code: HashMap<String, usize>,
    /// Communes and towns with their bounding boxes, for a quick first test.
    places: Vec<(usize, Rect<f64>)>,
    rules: HashMap<String, Target>,
    /// The working calendar.
    pub calendar: Calendar,
    deadlines: Deadlines,
    by_category: HashMap<String, Deadlines>,
    /// The boundaries are approximate (demo data).
    pub approximate_boundaries: bool,
    /// Reply templates per category (`"*"`: every category).
    pub replies: std::collections::BTreeMap<String, Vec<String>>,
    /// The address register (Open311 `address_id`), if the district has one.
    pub addresses: std::collections::BTreeMap<String, Address>,
    /// Days after a resolution (or rejection) in which the reporter may
    /// reopen (or contest) it.
    pub reopen_days: u32,
}

/// A registered address: where it is and what people call it.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Its name, as a resident would write it.
    pub label: String,
}

impl District {
    /// A district from checked parts; boundaries that overlap are refused.
    pub fn new(
        units: Vec<Unit>,
        rules: Vec<Rule>,
        calendar: Calendar,
        deadlines: Deadlines,
        by_category: HashMap<String, Deadlines>,
        approximate_boundaries: bool,
    ) -> Result<District, ConfigError> {
        let by_code: HashMap<String, usize> = units.iter().enumerate().map(|(i, u)| (u.code.clone(), i)).collect();
        let places: Vec<(usize, Rect<f64>)> = units
            .iter()
            .enumerate()
            .filter_map(|(i, u)| u.boundary.as_ref().and_then(|b| b.bounding_rect()).map(|r| (i, r)))
            .collect();
        for (n, &(a, ra)) in places.iter().enumerate() {
            for &(b, rb) in &places[n + 1..] {
                let boxes_meet = ra.min().x < rb.max().x
                    && rb.min().x < ra.max().x
                    && ra.min().y < rb.max().y
                    && rb.min().y < ra.max().y;
                if !boxes_meet {
                    continue;
                }
                let (pa, pb) = (units[a].boundary.as_ref(), units[b].boundary.as_ref());
                if let (Some(pa), Some(pb)) = (pa, pb)
                    && pa.intersection(pb).unsigned_area() > 1e-9
                {
                    return Err(ConfigError::Invalid(format!(
                        "the boundaries of {} and {} overlap",
                        units[a].code, units[b].code
                    )));
                }
            }
        }
        let rules = rules.into_iter().map(|r| (r.category, r.target)).collect();
        Ok(District {
            units,
            by_code,
            places,
            rules,
            calendar,
            deadlines,
            by_category,
            approximate_boundaries,
            replies: Default::default(),
            addresses: Default::default(),
            reopen_days: phananh_protocol::feedback::DEFAULT_REOPEN_DAYS,
        })
    }

    /// A district with no units but itself: every report to the coordinator.
    pub fn single(code: &str, name_vi: &str, name_en: &str) -> District {
        let unit = Unit {
            code: code.into(),
            kind: Kind::District,
            name_vi: name_vi.into(),
            name_en: name_en.into(),
            parent: None,
            boundary: None,
        };
        let calendar = Calendar::default();
        let deadlines = Deadlines::standard(calendar.minutes_per_day());
        District::new(vec![unit], Vec::new(), calendar, deadlines, HashMap::new(), false)
            .unwrap_or_else(|_| unreachable!("one unit without a boundary cannot overlap"))
    }

    /// Every unit, the district first.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The district itself (the coordinator's queue).
    pub fn top(&self) -> &Unit {
        &self.units[0]
    }

    /// A unit by code.
    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.by_code.get(code).map(|&i| &self.units[i])
    }

    /// The commune or town whose boundary holds (lat, lon).
    pub fn place_at(&self, lat: f64, lon: f64) -> Option<&Unit> {
        if !lat.is_finite() || !lon.is_finite() {
            return None;
        }
        let point = Point::new(lon, lat);
        self.places.iter().find_map(|&(i, rect)| {
            let inside_box = rect.min().x <= lon && lon <= rect.max().x && rect.min().y <= lat && lat <= rect.max().y;
            let unit = &self.units[i];
            (inside_box && unit.boundary.as_ref().is_some_and(|b| b.contains(&point) || touches(b, &point)))
                .then_some(unit)
        })
    }

    /// Where a report of `category` at `point` goes, and why.
    pub fn route(&self, category: &str, point: Option<(f64, f64)>) -> (&Unit, Reason) {
        match self.rules.get(category) {
            Some(Target::Unit(code)) => match self.unit(code) {
                Some(u) => (u, Reason::CategoryRule),
                None => (self.top(), Reason::Fallback),
            },
            Some(Target::CommuneAtPoint) => match point.and_then(|(lat, lon)| self.place_at(lat, lon)) {
                Some(u) => (u, Reason::Location),
                None => (self.top(), Reason::Fallback),
            },
            None => (self.top(), Reason::Fallback),
        }
    }

    /// The reply templates offered for a category: its own, then the ones for all.
    pub fn reply_templates(&self, category: &str) -> Vec<&str> {
        let own = self.replies.get(category).into_iter().flatten();
        own.chain(self.replies.get("*").into_iter().flatten()).map(String::as_str).collect()
    }

    /// The working minutes (acknowledge, resolve) a report gets.
    pub fn deadline_minutes(&self, category: &str, priority: Priority) -> (u32, u32) {
        self.by_category.get(category).copied().unwrap_or(self.deadlines).for_priority(priority)
    }

    /// The instants (acknowledge by, resolve by) for a report received at `at`.
    pub fn deadlines(
        &self,
        category: &str,
        priority: Priority,
        at: OffsetDateTime,
    ) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
        let (ack, resolve) = self.deadline_minutes(category, priority);
        (self.calendar.add_working_minutes(at, ack), self.calendar.add_working_minutes(at, resolve))
    }
}

/// A point on a shared edge belongs to a place too (`contains` excludes the
/// boundary line; a report exactly on it still needs a commune).
fn touches(shape: &MultiPolygon<f64>, point: &Point<f64>) -> bool {
    use geo::Intersects;
    shape.intersects(point)
}

#[cfg(test)]
mod tests;

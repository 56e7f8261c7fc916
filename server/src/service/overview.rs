//! The district at a glance: the public figures and scoreboard, the
//! charts' series, the map's clusters, the exports' rows and the monthly
//! summary. The figures come from [`super::figures`]: every report's
//! counts in memory, brought up to date before each question, so they are
//! never stale and take milliseconds at a province's scale.

use phananh_protocol::{Lang, Status, vn_time};
use serde::Serialize;

use super::staff::day_start;
use super::{ReportService, ServiceError};
use crate::storage::{MapQuery, ReportFilter, Role, Staff, UnitStats};

/// The district's yardsticks: resolved on time, and residents satisfied.
pub const YARDSTICK_ON_TIME_PCT: f64 = 99.0;
/// See [`YARDSTICK_ON_TIME_PCT`].
pub const YARDSTICK_SATISFIED_PCT: f64 = 100.0;
/// The most rows an export holds (a district's several years; a province
/// narrows the filters).
pub const EXPORT_MAX_ROWS: u32 = 100_000;
/// The most markers (clusters and single reports) one map answer holds.
pub const MAP_MAX_MARKERS: usize = 1500;
/// The longest period figures are asked for, in days.
const MAX_PERIOD_DAYS: i64 = 3 * 366;
const DAY_MS: i64 = 86_400_000;
/// One unit's public figures. `resolved` counts reports closed (resolved,
/// or answered as not the district's to fix, with the reason); `on_time`
/// those closed by their deadline and never reopened as not fixed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicUnit {
    /// Unit code (`TRANG_SON`); the district's own code for the total.
    pub unit: String,
    /// Name in Vietnamese.
    pub name: String,
    /// Name in English.
    pub name_en: String,
    /// Reports received.
    pub received: i64,
    /// Closed.
    pub resolved: i64,
    /// Closed on time.
    pub on_time: i64,
    /// Still open.
    pub open: i64,
    /// Open past the deadline.
    pub overdue: i64,
    /// Reopened as not fixed.
    pub reopened: i64,
    /// Ratings: satisfied.
    pub satisfied: i64,
    /// Ratings: acceptable.
    pub acceptable: i64,
    /// Ratings: not satisfied.
    pub not_satisfied: i64,
    /// Ratings given.
    pub ratings: i64,
    /// `on_time` of `resolved`, percent, one decimal (`None`: none closed).
    pub on_time_pct: Option<f64>,
    /// `satisfied` of `ratings`, percent (`None`: no rating).
    pub satisfied_pct: Option<f64>,
    /// Median hours from received to closed (`None`: none closed).
    pub median_hours_to_resolve: Option<f64>,
}

/// The public figures over a period (`GET /api/v1/stats`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicStats {
    /// First day (`YYYY-MM-DD`, Vietnam time).
    pub from: String,
    /// Last day.
    pub to: String,
    /// The district's own targets.
    pub yardsticks: Yardsticks,
    /// The district as a whole.
    pub total: PublicUnit,
    /// Each unit with reports, ratings or reopens in the period.
    pub units: Vec<PublicUnit>,
}

/// The district's targets, in percent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Yardsticks {
    /// Resolved on time, at least.
    pub on_time_pct: f64,
    /// Residents satisfied, at least.
    pub satisfied_pct: f64,
}

/// The public scoreboard: the last 30 days and this year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scoreboard {
    /// The last 30 days, today included.
    pub last_30_days: PublicStats,
    /// From 1 January.
    pub this_year: PublicStats,
}

/// One week of the weekly chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekPoint {
    /// The week's Monday (`YYYY-MM-DD`).
    pub week: String,
    /// Received in it.
    pub received: i64,
    /// Closed in it.
    pub resolved: i64,
}

/// A labelled count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    /// Code (a category, a commune, an age bracket).
    pub code: String,
    /// Vietnamese label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// How many.
    pub count: i64,
}

/// A unit's rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRate {
    /// Unit code.
    pub unit: String,
    /// Name (Vietnamese).
    pub name: String,
    /// Name (English).
    pub name_en: String,
    /// Percent, one decimal.
    pub pct: f64,
    /// Out of how many.
    pub of: i64,
}

/// A commune's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneRow {
    /// Commune code (empty: outside every boundary, or no location).
    pub code: String,
    /// Name (Vietnamese).
    pub name: String,
    /// Name (English).
    pub name_en: String,
    /// Received.
    pub received: i64,
    /// Still open.
    pub open: i64,
    /// Open past the deadline.
    pub overdue: i64,
}

/// Reports community digital-tech volunteers filed for neighbours, by the
/// hamlet (thôn, xóm…) the report's address names: each hamlet's team files
/// for its own neighbours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolunteerRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Commune code where the report is (empty: unknown).
    pub commune: String,
    /// Its name.
    pub name: String,
    /// The hamlet the address names, as first written ("Xóm 3"; empty: the
    /// address names none).
    pub hamlet: String,
    /// Reports filed on behalf of a neighbour.
    pub reports: i64,
}

/// Every chart's figures (`GET /api/v1/staff/charts`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartsView {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// The officer's unit, when the charts are of one unit.
    pub unit: Option<String>,
    /// Received and resolved per week.
    pub weekly: Vec<WeekPoint>,
    /// Open reports now, by age.
    pub backlog: Vec<Count>,
    /// On time among those closed, per unit.
    pub on_time: Vec<UnitRate>,
    /// Satisfied among those rated, per unit.
    pub satisfaction: Vec<UnitRate>,
    /// Received per category, most first.
    pub categories: Vec<Count>,
    /// Per commune.
    pub communes: Vec<CommuneRow>,
    /// Filed by volunteers for neighbours, per month and commune.
    pub volunteers: Vec<VolunteerRow>,
}

/// A cluster of reports on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapCluster {
    /// Mean latitude (5 decimals: about a metre).
    pub lat: f64,
    /// Mean longitude.
    pub lon: f64,
    /// Reports.
    pub count: i64,
    /// Open, not overdue.
    pub open: i64,
    /// Overdue.
    pub overdue: i64,
    /// Closed.
    pub closed: i64,
}

/// One report on the map (public fields only; for the public, its point
/// to about 100 m).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapReport {
    /// Tracking code.
    pub code: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Status code.
    pub status: String,
    /// `open`, `overdue` or `closed`: the marker's colour.
    pub state: &'static str,
    /// Category code.
    pub category: String,
}

/// The map's answer for a box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapView {
    /// Reports in the box.
    pub total: i64,
    /// Cells of more than one report.
    pub clusters: Vec<MapCluster>,
    /// Reports alone in their cell.
    pub reports: Vec<MapReport>,
}

/// A map request: a box and a zoom level (as a web map counts them).
#[derive(Debug, Clone, Copy)]
pub struct MapBox {
    /// South.
    pub min_lat: f64,
    /// West.
    pub min_lon: f64,
    /// North.
    pub max_lat: f64,
    /// East.
    pub max_lon: f64,
    /// 0–22.
    pub zoom: u8,
}

impl MapBox {
    /// Parse `bbox=W,S,E,N` (as OGC and Leaflet's `toBBoxString` write it).
    pub fn parse(bbox: &str, zoom: Option<u8>) -> Result<MapBox, ServiceError> {
        let bad = || ServiceError::refused("bad_bbox", None, "Khung bản đồ không hợp lệ", "bbox is W,S,E,N in degrees");
        let v: Vec<f64> =
            bbox.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
        let [w, s, e, n] = v.as_slice() else { return Err(bad()) };
        if !(v.iter().all(|x| x.is_finite()) && s <= n && w <= e) {
            return Err(bad());
        }
        Ok(MapBox {
            min_lat: s.clamp(-90.0, 90.0),
            max_lat: n.clamp(-90.0, 90.0),
            min_lon: w.clamp(-180.0, 180.0),
            max_lon: e.clamp(-180.0, 180.0),
            zoom: zoom.unwrap_or(12).min(22),
        })
    }

    /// A cell's side: about 60 screen pixels at this zoom (a 256-pixel
    /// tile spans 360° / 2^zoom).
    fn cell_deg(self) -> f64 {
        360.0 / f64::from(1u32 << self.zoom.min(22)) / 256.0 * 60.0
    }
}

/// One row of an export, labelled for people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportLine {
    /// Tracking code.
    pub code: String,
    /// Received ("17:00 04/12/2026").
    pub received: String,
    /// Category name.
    pub category: String,
    /// Status label.
    pub status: String,
    /// Unit name.
    pub unit: String,
    /// Commune name.
    pub commune: String,
    /// Priority label.
    pub priority: String,
    /// Deadline.
    pub due: String,
    /// Closed.
    pub closed: String,
    /// Closed by the deadline: "có"/"không"/"" (open).
    pub on_time: String,
    /// Filed by a volunteer for a neighbour.
    pub on_behalf: bool,
    /// The resident's rating.
    pub rating: String,
    /// Address.
    pub address: String,
    /// Description.
    pub description: String,
}

/// The monthly summary: each unit's figures for a month, with medians and
/// the volunteers' reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlySummary {
    /// `YYYY-MM`.
    pub month: String,
    /// The figures.
    pub stats: PublicStats,
    /// Volunteers' reports in the month, per commune.
    pub volunteers: Vec<VolunteerRow>,
}

impl ReportService {
    /// A period of Vietnam days as `[from, to)` in ms: by default the last
    /// 30 days, today included; never longer than three years.
    fn period(&self, from: Option<&str>, to: Option<&str>) -> Result<(i64, i64), ServiceError> {
        let now = self.clock_ms();
        let today = vn_time::day_start_ms(&vn_time::iso_date(now)).unwrap_or(now);
        let to_ms = day_start(to)?.unwrap_or(today) + DAY_MS;
        let from_ms = day_start(from)?.unwrap_or(to_ms - 30 * DAY_MS);
        if from_ms >= to_ms || to_ms - from_ms > MAX_PERIOD_DAYS * DAY_MS {
            return Err(ServiceError::refused(
                "bad_period",
                None,
                "Khoảng thời gian phải từ 1 ngày đến 3 năm, ngày đầu trước ngày cuối",
                "The period runs 1 day to 3 years, first day first",
            ));
        }
        Ok((from_ms, to_ms))
    }

    /// The public figures for reports received from `from` to `to`
    /// (Vietnam days; by default the last 30 days).
    pub async fn public_stats(&self, from: Option<&str>, to: Option<&str>) -> Result<PublicStats, ServiceError> {
        let (from_ms, to_ms) = self.period(from, to)?;
        let (top, now) = (self.district().top().code.clone(), self.clock_ms());
        let (rows, medians) = self
            .figures()
            .with(self.store(), |v| (v.unit_stats(from_ms, to_ms, now, &top), v.median_minutes(from_ms, to_ms, &top)))
            .await?;
        let total = UnitStats::total(&rows, top.clone());
        let unit = |s: &UnitStats, median_key: &str| {
            let (name, name_en) = self.unit_names(&s.unit);
            let ratings = s.satisfied + s.acceptable + s.not_satisfied;
            PublicUnit {
                unit: s.unit.clone(),
                name,
                name_en,
                received: s.received,
                resolved: s.closed,
                on_time: s.closed_on_time,
                open: s.open,
                overdue: s.overdue,
                reopened: s.reopened,
                satisfied: s.satisfied,
                acceptable: s.acceptable,
                not_satisfied: s.not_satisfied,
                ratings,
                on_time_pct: pct(s.closed_on_time, s.closed),
                satisfied_pct: pct(s.satisfied, ratings),
                median_hours_to_resolve: medians.get(median_key).map(|m| (*m as f64 / 6.0).round() / 10.0),
            }
        };
        Ok(PublicStats {
            from: vn_time::iso_date(from_ms),
            to: vn_time::iso_date(to_ms - DAY_MS),
            yardsticks: Yardsticks { on_time_pct: YARDSTICK_ON_TIME_PCT, satisfied_pct: YARDSTICK_SATISFIED_PCT },
            total: unit(&total, ""),
            units: rows.iter().map(|r| unit(r, &r.unit)).collect(),
        })
    }

    /// The public scoreboard: the last 30 days, and this year so far.
    pub async fn scoreboard(&self) -> Result<Scoreboard, ServiceError> {
        let today = vn_time::iso_date(self.clock_ms());
        let jan_first = format!("{}-01-01", today.get(..4).unwrap_or_default());
        Ok(Scoreboard {
            last_30_days: self.public_stats(None, None).await?,
            this_year: self.public_stats(Some(&jan_first), Some(&today)).await?,
        })
    }

    /// Every chart's figures for reports received from `from` to `to`; an
    /// officer's are its unit's.
    pub async fn charts(
        &self,
        staff: &Staff,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<ChartsView, ServiceError> {
        let (from_ms, to_ms) = self.period(from, to)?;
        let unit = (staff.role == Role::Officer).then(|| staff.unit.clone().unwrap_or_default());
        let (top, now) = (self.district().top().code.clone(), self.clock_ms());
        let (counts, mut stats) = self
            .figures()
            .with(self.store(), |v| {
                (v.counts(from_ms, to_ms, now, unit.as_deref(), &top), v.unit_stats(from_ms, to_ms, now, &top))
            })
            .await?;
        if let Some(u) = &unit {
            stats.retain(|s| &s.unit == u);
        }
        let categories = self.store().categories().await?;
        let rate = |s: &UnitStats, part: i64, whole: i64| {
            let (name, name_en) = self.unit_names(&s.unit);
            pct(part, whole).map(|pct| UnitRate { unit: s.unit.clone(), name, name_en, pct, of: whole })
        };
        const AGES: [(&str, &str, &str); 6] = [
            ("0-1", "Dưới 1 ngày", "Under 1 day"),
            ("1-3", "1–3 ngày", "1–3 days"),
            ("3-7", "3–7 ngày", "3–7 days"),
            ("7-14", "7–14 ngày", "7–14 days"),
            ("14-30", "14–30 ngày", "14–30 days"),
            ("30+", "Trên 30 ngày", "Over 30 days"),
        ];
        Ok(ChartsView {
            from: vn_time::iso_date(from_ms),
            to: vn_time::iso_date(to_ms - DAY_MS),
            weekly: counts
                .weekly
                .iter()
                .map(|(w, received, resolved)| WeekPoint {
                    week: vn_time::iso_date(*w),
                    received: *received,
                    resolved: *resolved,
                })
                .collect(),
            backlog: AGES
                .iter()
                .zip(counts.backlog)
                .map(|((code, vi, en), count)| Count {
                    code: (*code).into(),
                    label: (*vi).into(),
                    label_en: (*en).into(),
                    count,
                })
                .collect(),
            on_time: stats.iter().filter_map(|s| rate(s, s.closed_on_time, s.closed)).collect(),
            satisfaction: stats
                .iter()
                .filter_map(|s| rate(s, s.satisfied, s.satisfied + s.acceptable + s.not_satisfied))
                .collect(),
            categories: counts
                .categories
                .iter()
                .map(|(code, count)| {
                    let c = categories.iter().find(|c| &c.code == code);
                    Count {
                        code: code.clone(),
                        label: c.map_or(code.clone(), |c| c.name_vi.clone()),
                        label_en: c.map_or(code.clone(), |c| c.name_en.clone()),
                        count: *count,
                    }
                })
                .collect(),
            communes: counts
                .communes
                .iter()
                .map(|(code, received, open, overdue)| {
                    let code = code.clone().unwrap_or_default();
                    let (name, name_en) = self.place_names(&code);
                    CommuneRow { code, name, name_en, received: *received, open: *open, overdue: *overdue }
                })
                .collect(),
            volunteers: self.volunteer_rows(&counts.volunteers),
            unit,
        })
    }

    fn volunteer_rows(&self, rows: &[(String, Option<String>, Option<String>, i64)]) -> Vec<VolunteerRow> {
        rows.iter()
            .map(|(month, place, hamlet, n)| {
                let commune = place.clone().unwrap_or_default();
                VolunteerRow {
                    month: month.clone(),
                    name: self.place_names(&commune).0,
                    commune,
                    hamlet: hamlet.clone().unwrap_or_default(),
                    reports: *n,
                }
            })
            .collect()
    }

    /// A unit's names; the code itself for a unit the district no longer has.
    fn unit_names(&self, code: &str) -> (String, String) {
        self.district()
            .unit(code)
            .map_or((code.to_owned(), code.to_owned()), |u| (u.name_vi.clone(), u.name_en.clone()))
    }

    /// A commune's names ("" is "outside every commune").
    fn place_names(&self, code: &str) -> (String, String) {
        if code.is_empty() {
            ("Không rõ xã".to_owned(), "Commune unknown".to_owned())
        } else {
            self.unit_names(code)
        }
    }

    /// The filter as `staff` may use it: an officer's scope, the day range
    /// in ms. (The list, the map and the exports all go through here.)
    pub(super) fn scoped(&self, staff: Option<&Staff>, mut filter: ReportFilter) -> Result<ReportFilter, ServiceError> {
        if let Some(staff) = staff.filter(|s| s.role == Role::Officer) {
            filter.scope = Some(staff.unit.iter().cloned().collect());
        }
        // "Due soon": within one working day from now.
        let day = self.district().calendar.minutes_per_day();
        filter.due_soon_before = self.district().calendar.add_working_minutes(self.now_or_utc(), day).map(vn_time::ms);
        filter.received_from = day_start(filter.from.as_deref())?;
        filter.received_before = day_start(filter.to.as_deref())?.map(|t| t + DAY_MS);
        Ok(filter)
    }

    /// The map for a box: clusters where reports are close at this zoom,
    /// single reports elsewhere. `staff` sees what its list shows; the
    /// public (`None`) only status and category filters apply.
    pub async fn map(
        &self,
        staff: Option<&Staff>,
        filter: ReportFilter,
        area: MapBox,
    ) -> Result<MapView, ServiceError> {
        let filter = match staff {
            Some(_) => filter,
            None => ReportFilter { status: filter.status, category: filter.category, ..Default::default() },
        };
        let filter = self.scoped(staff, filter)?;
        let query = MapQuery {
            filter,
            min_lat: area.min_lat,
            min_lon: area.min_lon,
            max_lat: area.max_lat,
            max_lon: area.max_lon,
            cell_deg: area.cell_deg(),
        };
        // Staff see where a report is to the metre; the public to about
        // 100 m: the public page shows no point at all, and a pin on a
        // house could name whoever complained about the rubbish before it.
        let scale = if staff.is_some() { 1e5 } else { 1e3 };
        let round = |x: f64| (x * scale).round() / scale;
        let now = self.clock_ms();
        let bbox = [query.min_lat, query.min_lon, query.max_lat, query.max_lon];
        // However close the zoom and wide the box a client asks for, the
        // answer stays at most MAP_MAX_MARKERS markers: the cells grow
        // until it does.
        let mut query = query;
        let cells = loop {
            let filter = &query.filter;
            let cells =
                match self.figures().with(self.store(), |v| v.map_cells(filter, bbox, query.cell_deg, now)).await? {
                    Some(cells) => cells,
                    // A text search needs the words: the database answers it.
                    None => self.store().map_cells(query.clone()).await?,
                };
            if cells.len() <= MAP_MAX_MARKERS || query.cell_deg > 90.0 {
                break cells;
            }
            query.cell_deg *= 4.0;
        };
        let mut view = MapView { total: 0, clusters: Vec::new(), reports: Vec::new() };
        for c in cells {
            view.total += c.count;
            if c.count == 1 {
                let state = if c.overdue > 0 {
                    "overdue"
                } else if c.closed > 0 {
                    "closed"
                } else {
                    "open"
                };
                view.reports.push(MapReport {
                    code: c.code,
                    lat: round(c.lat),
                    lon: round(c.lon),
                    status: c.status,
                    state,
                    category: c.category,
                });
            } else {
                view.clusters.push(MapCluster {
                    lat: round(c.lat),
                    lon: round(c.lon),
                    count: c.count,
                    open: c.open,
                    overdue: c.overdue,
                    closed: c.closed,
                });
            }
        }
        Ok(view)
    }

    /// The reports `staff` may see that the filters select, labelled in
    /// `lang`, at most [`EXPORT_MAX_ROWS`]; no phone number.
    pub async fn export(
        &self,
        staff: &Staff,
        filter: ReportFilter,
        lang: Lang,
    ) -> Result<Vec<ExportLine>, ServiceError> {
        let filter = self.scoped(Some(staff), filter)?;
        let rows = self.store().export_rows(filter, EXPORT_MAX_ROWS).await?;
        let categories = self.store().categories().await?;
        let when = |ms: Option<i64>| ms.map(|t| vn_time::format_in(t, lang)).unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| {
                let category = categories
                    .iter()
                    .find(|c| c.code == r.category)
                    .map_or(r.category.clone(), |c| lang.pick(&c.name_vi, &c.name_en).to_owned());
                let unit = r.unit.as_deref().map(|u| self.unit_names(u)).map(|(vi, en)| lang.pick(&vi, &en).to_owned());
                let commune =
                    r.place.as_deref().map(|u| self.unit_names(u)).map(|(vi, en)| lang.pick(&vi, &en).to_owned());
                let on_time = match (r.closed_at, r.due_at) {
                    (Some(c), Some(d)) => {
                        lang.pick(if c <= d { "có" } else { "không" }, if c <= d { "yes" } else { "no" })
                    }
                    (Some(_), None) => lang.pick("có", "yes"),
                    _ => "",
                };
                ExportLine {
                    code: r.tracking_code,
                    received: vn_time::format_in(r.received_at, lang),
                    category,
                    status: Status::from_code(&r.status).map_or(r.status.clone(), |s| s.label(lang).to_owned()),
                    unit: unit.unwrap_or_default(),
                    commune: commune.unwrap_or_default(),
                    priority: crate::district::Priority::from_code(&r.priority)
                        .map_or(r.priority.clone(), |p| p.label(lang).to_owned()),
                    due: when(r.due_at),
                    closed: when(r.closed_at),
                    on_time: on_time.to_owned(),
                    on_behalf: r.on_behalf,
                    rating: r
                        .rating
                        .as_deref()
                        .and_then(phananh_protocol::feedback::Score::from_code)
                        .map(|s| s.label(lang).to_owned())
                        .unwrap_or_default(),
                    address: r.address.unwrap_or_default(),
                    description: r.description,
                }
            })
            .collect())
    }

    /// The month's summary (`YYYY-MM`; by default this month): every unit's
    /// figures for reports received in it, and the volunteers' reports.
    pub async fn monthly_summary(&self, month: Option<&str>) -> Result<MonthlySummary, ServiceError> {
        let today = vn_time::iso_date(self.clock_ms());
        let month = month.map(str::trim).filter(|m| !m.is_empty()).unwrap_or(today.get(..7).unwrap_or_default());
        let bad = || ServiceError::refused("bad_month", None, "Tháng phải có dạng YYYY-MM", "Months are YYYY-MM");
        let (y, m) = month.split_once('-').ok_or_else(bad)?;
        let (y, m): (i32, u8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        let month = format!("{y:04}-{m:02}");
        let first =
            time::Date::from_calendar_date(y, time::Month::try_from(m).map_err(|_| bad())?, 1).map_err(|_| bad())?;
        let next = first.replace_day(28).ok().and_then(|d| d.checked_add(time::Duration::days(4))).ok_or_else(bad)?;
        let last = next.replace_day(1).ok().and_then(|d| d.previous_day()).ok_or_else(bad)?;
        let (from, to) = (first.to_string(), last.to_string());
        let stats = self.public_stats(Some(&from), Some(&to)).await?;
        let (from_ms, to_ms) = self.period(Some(&from), Some(&to))?;
        let (top, now) = (self.district().top().code.clone(), self.clock_ms());
        let counts = self.figures().with(self.store(), |v| v.counts(from_ms, to_ms, now, None, &top)).await?;
        Ok(MonthlySummary { month, stats, volunteers: self.volunteer_rows(&counts.volunteers) })
    }
}

/// `part` of `whole` in percent, one decimal; `None` of nothing.
pub(super) fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bbox_is_west_south_east_north_and_checked() {
        let b = MapBox::parse("105.15,18.8,105.45,19.05", Some(11)).unwrap();
        assert_eq!((b.min_lat, b.max_lat, b.min_lon, b.max_lon), (18.8, 19.05, 105.15, 105.45));
        for bad in ["", "1,2,3", "1,2,3,x", "105.45,18.8,105.15,19.05", "NaN,1,2,3", "1,2,3,4,5"] {
            assert!(MapBox::parse(bad, None).is_err(), "{bad}");
        }
        // Out of range is clamped, a huge zoom capped: never a panic.
        let b = MapBox::parse("-500,-100,500,100", Some(200)).unwrap();
        assert_eq!((b.min_lon, b.max_lat, b.zoom), (-180.0, 90.0, 22));
        assert!(b.cell_deg() > 0.0);
    }

    #[test]
    fn a_cell_is_about_sixty_pixels() {
        let at = |z| MapBox { min_lat: 0.0, min_lon: 0.0, max_lat: 0.0, max_lon: 0.0, zoom: z }.cell_deg();
        assert!((at(0) - 84.375).abs() < 1e-9);
        assert!((at(11) * 2048.0 - 84.375).abs() < 1e-9);
    }

    #[test]
    fn percentages_have_one_decimal_and_none_of_nothing() {
        assert_eq!(pct(0, 0), None);
        assert_eq!(pct(2, 3), Some(66.7));
        assert_eq!(pct(199, 200), Some(99.5));
    }
}

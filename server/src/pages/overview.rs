//! The overview's pages: the public scoreboard (`/thong-ke`), the maps
//! (public `/ban-do`, staff `/staff/map`), the charts (`/staff/charts`)
//! and the printable monthly summary (`/staff/summary`).

use askama::Template;
use phananh_protocol::Lang;

use super::{StaffList, who};
use crate::district::District;
use crate::service::overview::{ChartsView, MonthlySummary, PublicStats, PublicUnit, Scoreboard};
use crate::state::MapTiles;
use crate::storage::{Role, Staff};

/// A percentage as people read it: "99,5 %"; "—" for none.
pub fn pct(v: Option<f64>) -> String {
    pct_in(v, Lang::Vi)
}

/// A percentage in `lang`: "99,5 %" in Vietnamese, "99.5 %" in English.
pub fn pct_in(v: Option<f64>, lang: Lang) -> String {
    let text = v.map_or_else(|| "—".to_owned(), |p| format!("{p:.1} %"));
    if lang == Lang::Vi { text.replace('.', ",") } else { text }
}

/// Hours as people read them: "36 giờ" under three days, else "4,5 ngày".
fn duration(hours: Option<f64>, lang: Lang) -> String {
    match hours {
        None => "—".to_owned(),
        Some(h) if h < 72.0 => format!("{h:.0} {}", lang.pick("giờ", "h")),
        Some(h) => format!("{:.1} {}", h / 24.0, lang.pick("ngày", "days"))
            .replace('.', if lang == Lang::Vi { "," } else { "." }),
    }
}

/// One unit's line on the scoreboard.
pub struct ScoreRow {
    /// Unit name.
    pub name: String,
    /// Received.
    pub received: i64,
    /// Resolved.
    pub resolved: i64,
    /// On time, percent.
    pub on_time: String,
    /// Below the yardstick.
    pub on_time_short: bool,
    /// Median time to resolve.
    pub median: String,
    /// Satisfied, percent.
    pub satisfied: String,
    /// Below the yardstick.
    pub satisfied_short: bool,
    /// Ratings given.
    pub ratings: i64,
    /// Overdue now.
    pub overdue: i64,
}

impl ScoreRow {
    fn new(u: &PublicUnit, s: &PublicStats, lang: Lang) -> ScoreRow {
        ScoreRow {
            name: lang.pick(&u.name, &u.name_en).to_owned(),
            received: u.received,
            resolved: u.resolved,
            on_time: pct_in(u.on_time_pct, lang),
            on_time_short: u.on_time_pct.is_some_and(|p| p < s.yardsticks.on_time_pct),
            median: duration(u.median_hours_to_resolve, lang),
            satisfied: pct_in(u.satisfied_pct, lang),
            satisfied_short: u.satisfied_pct.is_some_and(|p| p < s.yardsticks.satisfied_pct),
            ratings: u.ratings,
            overdue: u.overdue,
        }
    }
}

/// One period of the scoreboard.
pub struct ScorePeriod {
    /// `last-30` or `this-year` (element ids).
    pub id: &'static str,
    /// Heading.
    pub title: String,
    /// "01/11/2026 – 30/11/2026".
    pub range: String,
    /// The district.
    pub total: ScoreRow,
    /// Each unit.
    pub rows: Vec<ScoreRow>,
}

/// `GET /thong-ke`.
#[derive(Template)]
#[template(path = "public_scoreboard.html")]
pub struct ScoreboardPage {
    /// `vi` or `en`.
    pub lang: &'static str,
    /// The district's name.
    pub district: String,
    /// Two periods.
    pub periods: Vec<ScorePeriod>,
    /// "≥ 99 %".
    pub on_time_goal: String,
    /// "100 %".
    pub satisfied_goal: String,
    /// Labels in the page's language.
    pub t: ScoreLabels,
}

/// The scoreboard's words in one language.
pub struct ScoreLabels {
    /// Page title.
    pub title: &'static str,
    /// The line under it.
    pub intro: &'static str,
    /// Columns.
    pub unit: &'static str,
    /// Columns.
    pub received: &'static str,
    /// Columns.
    pub resolved: &'static str,
    /// Columns.
    pub on_time: &'static str,
    /// Columns.
    pub median: &'static str,
    /// Columns.
    pub satisfied: &'static str,
    /// Columns.
    pub overdue: &'static str,
    /// The yardsticks.
    pub goal: &'static str,
    /// Below the goal.
    pub short: &'static str,
    /// The district's line.
    pub whole: &'static str,
    /// Nothing yet.
    pub none: &'static str,
    /// How the figures are counted.
    pub method: &'static str,
    /// The other language.
    pub other_lang: &'static str,
    /// Its link.
    pub other_href: &'static str,
    /// The map.
    pub map: &'static str,
}

const VI: ScoreLabels = ScoreLabels {
    title: "Kết quả tiếp nhận và xử lý phản ánh",
    intro: "Số liệu công khai của từng đơn vị, cập nhật liên tục.",
    unit: "Đơn vị",
    received: "Tiếp nhận",
    resolved: "Đã giải quyết",
    on_time: "Đúng hạn",
    median: "Thời gian giải quyết (trung vị)",
    satisfied: "Hài lòng",
    overdue: "Đang quá hạn",
    goal: "Chỉ tiêu",
    short: "chưa đạt",
    whole: "Toàn huyện",
    none: "Chưa có phản ánh nào trong thời gian này.",
    method: "Tính trên các phản ánh tiếp nhận trong thời gian này. Đúng hạn: đã giải quyết hoặc trả lời trong hạn và không bị người dân mở lại vì chưa khắc phục, trên số đã giải quyết. Hài lòng: trên số người đã đánh giá.",
    other_lang: "English",
    other_href: "/thong-ke?lang=en",
    map: "Bản đồ phản ánh",
};

const EN: ScoreLabels = ScoreLabels {
    title: "How reports are received and resolved",
    intro: "Public figures for each unit, kept up to date.",
    unit: "Unit",
    received: "Received",
    resolved: "Resolved",
    on_time: "On time",
    median: "Median time to resolve",
    satisfied: "Satisfied",
    overdue: "Overdue now",
    goal: "Target",
    short: "below target",
    whole: "Whole district",
    none: "No reports in this period yet.",
    method: "Counted over the reports received in the period. On time: resolved or answered by the deadline and not reopened by the resident as not fixed, out of those resolved. Satisfied: out of those who rated.",
    other_lang: "Tiếng Việt",
    other_href: "/thong-ke",
    map: "Map of reports",
};

impl ScoreboardPage {
    /// The scoreboard in `lang`.
    pub fn new(board: &Scoreboard, district: &District, lang: Lang) -> ScoreboardPage {
        let t = if lang == Lang::En { EN } else { VI };
        let period = |id, title: &str, s: &PublicStats| {
            let mut total = ScoreRow::new(&s.total, s, lang);
            total.name = t.whole.to_owned();
            ScorePeriod {
                id,
                title: title.to_owned(),
                range: format!("{} – {}", day(&s.from), day(&s.to)),
                total,
                rows: s.units.iter().map(|u| ScoreRow::new(u, s, lang)).collect(),
            }
        };
        ScoreboardPage {
            lang: lang.code(),
            district: district.top().name(lang).to_owned(),
            periods: vec![
                period("last-30", lang.pick("30 ngày qua", "Last 30 days"), &board.last_30_days),
                period("this-year", lang.pick("Từ đầu năm", "This year"), &board.this_year),
            ],
            on_time_goal: format!("≥ {}", pct_in(Some(board.last_30_days.yardsticks.on_time_pct), lang)),
            satisfied_goal: pct_in(Some(board.last_30_days.yardsticks.satisfied_pct), lang),
            t,
        }
    }
}

/// "2026-11-30" → "30/11/2026".
fn day(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// What a map page needs to draw its map.
pub struct MapSetup {
    /// Where the map asks for reports.
    pub api: String,
    /// Where a report opens (`/r/` or `/staff/reports/`).
    pub report_base: &'static str,
    /// Tile URL template ("" for no basemap).
    pub tiles: String,
    /// Its attribution.
    pub attribution: String,
    /// The district's box: `W,S,E,N`.
    pub bounds: String,
    /// Words around the map, in the page's language.
    pub t: MapLabels,
}

/// The map's words in one language.
pub struct MapLabels {
    /// The map's name for screen readers.
    pub map: &'static str,
    /// While it loads.
    pub loading: &'static str,
    /// The legend's name.
    pub legend: &'static str,
    /// Legend: open.
    pub open: &'static str,
    /// Legend: overdue.
    pub overdue: &'static str,
    /// Legend: closed.
    pub closed: &'static str,
}

impl MapLabels {
    fn new(lang: Lang) -> MapLabels {
        MapLabels {
            map: lang.pick("Bản đồ phản ánh", "Map of reports"),
            loading: lang.pick("Đang tải bản đồ…", "Loading the map…"),
            legend: lang.pick("Chú giải", "Legend"),
            open: lang.pick("Đang xử lý", "Open"),
            overdue: lang.pick("Quá hạn", "Overdue"),
            closed: lang.pick("Đã xong", "Closed"),
        }
    }
}

impl MapSetup {
    fn new(api: &str, report_base: &'static str, tiles: Option<&MapTiles>, bounds: [f64; 4], lang: Lang) -> MapSetup {
        MapSetup {
            t: MapLabels::new(lang),
            api: api.to_owned(),
            report_base,
            tiles: tiles.map(|t| t.url.clone()).unwrap_or_default(),
            attribution: tiles.map(|t| t.attribution.clone()).unwrap_or_default(),
            bounds: bounds.map(|v| v.to_string()).join(","),
        }
    }
}

/// `GET /staff/map`: the list's filters over a map.
#[derive(Template)]
#[template(path = "staff_map.html")]
pub struct StaffMapPage {
    /// Page language.
    pub lang: &'static str,
    /// The filters, their choices and the nav (the list's, without rows).
    pub list: StaffList,
    /// The map.
    pub map: MapSetup,
    /// The filters as a query string (the list link with the same filters).
    pub query: String,
}

impl StaffMapPage {
    /// The page.
    pub fn new(list: StaffList, tiles: Option<&MapTiles>, bounds: [f64; 4], query: String) -> StaffMapPage {
        StaffMapPage {
            lang: "vi",
            list,
            map: MapSetup::new("/api/v1/staff/map", "/staff/reports/", tiles, bounds, Lang::Vi),
            query,
        }
    }
}

/// `GET /ban-do`: the public map.
#[derive(Template)]
#[template(path = "public_map.html")]
pub struct PublicMapPage {
    /// Page language.
    pub lang: &'static str,
    /// Title.
    pub title: &'static str,
    /// The district's name.
    pub district: String,
    /// The map.
    pub map: MapSetup,
    /// Link to the scoreboard.
    pub scoreboard: &'static str,
    /// Its text.
    pub scoreboard_label: &'static str,
}

impl PublicMapPage {
    /// The page in `lang`.
    pub fn new(district: &District, tiles: Option<&MapTiles>, bounds: [f64; 4], lang: Lang) -> PublicMapPage {
        PublicMapPage {
            lang: lang.code(),
            title: lang.pick("Bản đồ phản ánh", "Map of reports"),
            district: district.top().name(lang).to_owned(),
            map: MapSetup::new("/api/v1/map", "/r/", tiles, bounds, lang),
            scoreboard: lang.pick("/thong-ke", "/thong-ke?lang=en"),
            scoreboard_label: lang.pick("Kết quả xử lý của từng đơn vị", "Each unit's results"),
        }
    }
}

/// One chart on the charts page: its picture and the same figures as a
/// table (for screen readers, and to copy).
pub struct ChartBlock {
    /// Element id.
    pub id: &'static str,
    /// Title.
    pub title: String,
    /// The SVG (drawn by [`crate::charts`], which escapes its text).
    pub svg: String,
    /// The table's column heads.
    pub head: Vec<String>,
    /// Its rows.
    pub rows: Vec<Vec<String>>,
}

/// `GET /staff/charts`.
#[derive(Template)]
#[template(path = "staff_charts.html")]
pub struct ChartsPage {
    /// Page language.
    pub lang: &'static str,
    /// Who is signed in.
    pub staff_name: String,
    /// Role and unit.
    pub who: String,
    /// The session's CSRF token (the sign-out form).
    pub csrf: String,
    /// Whether to show the admin link.
    pub is_admin: bool,
    /// Period.
    pub from: String,
    /// Period.
    pub to: String,
    /// The period as people read it ("01/11/2026 – 30/11/2026").
    pub range: String,
    /// The charts.
    pub charts: Vec<ChartBlock>,
}

impl ChartsPage {
    /// The page for `staff`.
    pub fn new(staff: &Staff, v: &ChartsView, district: &District) -> ChartsPage {
        let mut charts = Vec::new();
        let mut add = |id, title: &str, svg: Result<String, crate::charts::ChartError>, head: &[&str], rows| {
            let svg = svg.unwrap_or_else(|e| {
                tracing::error!(error = %e, chart = id, "a chart failed to draw");
                String::new()
            });
            charts.push(ChartBlock {
                id,
                title: title.to_owned(),
                svg,
                head: head.iter().map(|h| (*h).to_owned()).collect(),
                rows,
            });
        };
        let weeks: Vec<(String, i64, i64)> =
            v.weekly.iter().map(|w| (w.week.clone(), w.received, w.resolved)).collect();
        add(
            "weekly",
            "Tiếp nhận và giải quyết theo tuần",
            crate::charts::weekly("Tiếp nhận và giải quyết theo tuần", ["Tiếp nhận", "Đã giải quyết"], &weeks),
            &["Tuần từ", "Tiếp nhận", "Đã giải quyết"],
            v.weekly.iter().map(|w| vec![day(&w.week), w.received.to_string(), w.resolved.to_string()]).collect(),
        );
        let counts = |c: &[crate::service::overview::Count]| -> Vec<(String, f64)> {
            c.iter().map(|c| (c.label.clone(), c.count as f64)).collect()
        };
        let table = |c: &[crate::service::overview::Count]| -> Vec<Vec<String>> {
            c.iter().map(|c| vec![c.label.clone(), c.count.to_string()]).collect()
        };
        add(
            "backlog",
            "Đang xử lý, theo thời gian đã chờ",
            crate::charts::bars("Đang xử lý, theo thời gian đã chờ", &counts(&v.backlog), None, None),
            &["Đã chờ", "Số phản ánh"],
            table(&v.backlog),
        );
        let rates = |r: &[crate::service::overview::UnitRate]| -> Vec<(String, f64)> {
            r.iter().map(|r| (r.name.clone(), r.pct)).collect()
        };
        let rate_rows = |r: &[crate::service::overview::UnitRate]| -> Vec<Vec<String>> {
            r.iter().map(|r| vec![r.name.clone(), pct(Some(r.pct)), r.of.to_string()]).collect()
        };
        add(
            "on-time",
            "Giải quyết đúng hạn theo đơn vị (chỉ tiêu ≥ 99 %)",
            crate::charts::bars("Đúng hạn theo đơn vị", &rates(&v.on_time), Some(100.0), Some(99.0)),
            &["Đơn vị", "Đúng hạn", "Trên số đã giải quyết"],
            rate_rows(&v.on_time),
        );
        add(
            "satisfaction",
            "Người dân hài lòng theo đơn vị (chỉ tiêu 100 %)",
            crate::charts::bars("Hài lòng theo đơn vị", &rates(&v.satisfaction), Some(100.0), Some(100.0)),
            &["Đơn vị", "Hài lòng", "Trên số đã đánh giá"],
            rate_rows(&v.satisfaction),
        );
        let top: Vec<_> = v.categories.iter().take(10).cloned().collect();
        add(
            "categories",
            "Loại phản ánh nhiều nhất",
            crate::charts::bars("Loại phản ánh nhiều nhất", &counts(&top), None, None),
            &["Loại", "Tiếp nhận"],
            table(&v.categories),
        );
        let communes: Vec<(String, f64)> = v.communes.iter().map(|c| (c.name.clone(), c.received as f64)).collect();
        add(
            "communes",
            "Theo xã, thị trấn (nơi xảy ra)",
            crate::charts::bars("Theo xã, thị trấn", &communes, None, None),
            &["Xã, thị trấn", "Tiếp nhận", "Đang xử lý", "Quá hạn"],
            v.communes
                .iter()
                .map(|c| vec![c.name.clone(), c.received.to_string(), c.open.to_string(), c.overdue.to_string()])
                .collect(),
        );
        // Each hamlet's team over the period, the 15 busiest drawn.
        let mut teams: Vec<(String, f64)> = Vec::new();
        for r in &v.volunteers {
            let team = team_name(&r.hamlet, &r.name);
            match teams.iter_mut().find(|t| t.0 == team) {
                Some(t) => t.1 += r.reports as f64,
                None => teams.push((team, r.reports as f64)),
            }
        }
        teams.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        teams.truncate(15);
        add(
            "volunteers",
            "Tổ công nghệ số cộng đồng: phản ánh gửi thay người dân, theo thôn, xóm",
            crate::charts::bars("Phản ánh gửi thay người dân", &teams, None, None),
            &["Tháng", "Xã, thị trấn", "Thôn, xóm", "Số phản ánh"],
            v.volunteers
                .iter()
                .map(|r| vec![r.month.clone(), r.name.clone(), hamlet_or_unknown(&r.hamlet), r.reports.to_string()])
                .collect(),
        );
        ChartsPage {
            lang: "vi",
            staff_name: staff.name.clone(),
            who: who(staff, district),
            csrf: staff.csrf.clone(),
            is_admin: staff.role == Role::Admin,
            from: v.from.clone(),
            to: v.to.clone(),
            range: format!("{} – {}", day(&v.from), day(&v.to)),
            charts,
        }
    }
}

/// "Xóm 3 (UBND xã Tràng Sơn)": a team by its hamlet and commune.
fn team_name(hamlet: &str, commune: &str) -> String {
    format!("{} ({})", hamlet_or_unknown(hamlet), commune.trim_start_matches("UBND ").trim_start_matches("xã "))
}

/// A hamlet's name, or "Không rõ thôn, xóm" when the address named none.
fn hamlet_or_unknown(hamlet: &str) -> String {
    if hamlet.is_empty() { "Không rõ thôn, xóm".to_owned() } else { hamlet.to_owned() }
}

/// `GET /staff/summary?month=`: printable on A4.
#[derive(Template)]
#[template(path = "staff_summary.html")]
pub struct SummaryPage {
    /// Page language.
    pub lang: &'static str,
    /// Who is signed in.
    pub staff_name: String,
    /// Role and unit.
    pub who: String,
    /// The session's CSRF token (the sign-out form).
    pub csrf: String,
    /// Whether to show the admin link.
    pub is_admin: bool,
    /// The district.
    pub district: String,
    /// `YYYY-MM`.
    pub month: String,
    /// "11/2026".
    pub month_label: String,
    /// Printed at.
    pub printed: String,
    /// The district's line.
    pub total: ScoreRow,
    /// Units.
    pub rows: Vec<ScoreRow>,
    /// Volunteers: commune, hamlet, reports.
    pub volunteers: Vec<(String, String, i64)>,
    /// Their total.
    pub volunteers_total: i64,
}

impl SummaryPage {
    /// The page.
    pub fn new(staff: &Staff, s: &MonthlySummary, district: &District, now_ms: i64) -> SummaryPage {
        let mut total = ScoreRow::new(&s.stats.total, &s.stats, Lang::Vi);
        total.name = "Toàn huyện".into();
        SummaryPage {
            lang: "vi",
            staff_name: staff.name.clone(),
            who: who(staff, district),
            csrf: staff.csrf.clone(),
            is_admin: staff.role == Role::Admin,
            district: district.top().name_vi.clone(),
            month: s.month.clone(),
            month_label: s.month.get(5..7).map_or(s.month.clone(), |m| format!("{m}/{}", &s.month[..4])),
            printed: super::when_ms(now_ms, Lang::Vi),
            total,
            rows: s.stats.units.iter().map(|u| ScoreRow::new(u, &s.stats, Lang::Vi)).collect(),
            volunteers_total: s.volunteers.iter().map(|v| v.reports).sum(),
            volunteers: s
                .volunteers
                .iter()
                .map(|v| (v.name.clone(), hamlet_or_unknown(&v.hamlet), v.reports))
                .collect(),
        }
    }
}

//! The overview's figures, kept in memory: one compact row per report
//! (dates, unit, commune, category, status, point, rating — no text, no
//! person), loaded once and then brought up to date before every question
//! by reading only what changed (reports by `updated_at`, ratings by `at`,
//! reopens by id). Every figure is then one pass over the rows in Rust.
//!
//! Why not SQL: at 200 000 reports, SQLite takes 0.1–1 s for a year's
//! figures or a district-wide map (grouping on computed keys, medians by
//! window functions, a table lookup per row), and any change invalidates a
//! cache of them; one pass over 200 000 rows here takes milliseconds and
//! is never stale. It costs about 160 bytes a report (a 112-byte row, its
//! code on the heap, its place in the id map): some 33 MB for 200 000.
//!
//! Reading what changed looks back [`LOOK_BACK_MS`] past the newest change
//! already seen: writes take their time before they reach the database's
//! one writer, so one stamped a little earlier may commit a little later.
//! Re-reading a row is harmless (rows are replaced by id).

use std::collections::{BTreeMap, HashMap};

use crate::storage::{FigureDelta, MapCell, ReportFilter, Storage, StorageError, UnitStats};

/// How far back past the newest change seen each refresh reads again.
pub const LOOK_BACK_MS: i64 = 120_000;
const NONE: u16 = u16::MAX;
const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
/// Monday 5 January 1970, 00:00 in Vietnam (UTC+7), in ms: weeks count
/// from it.
pub const FIRST_MONDAY_MS: i64 = 4 * DAY_MS - 7 * 3_600_000;

/// Codes (units, communes, categories, statuses) as small numbers.
#[derive(Default)]
struct Names {
    ids: HashMap<String, u16>,
    names: Vec<String>,
}

impl Names {
    fn id(&mut self, name: Option<&str>) -> u16 {
        let Some(name) = name else { return NONE };
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        // 65 535 distinct codes is far past any district's units; past it,
        // a code counts as none rather than wrapping onto another.
        let Ok(id) = u16::try_from(self.names.len()) else { return NONE };
        if id == NONE {
            return NONE;
        }
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }
    fn find(&self, name: &str) -> Option<u16> {
        self.ids.get(name).copied()
    }
    fn name(&self, id: u16) -> Option<&str> {
        self.names.get(usize::from(id)).map(String::as_str)
    }
}

/// One report, as counted.
#[derive(Clone)]
struct Row {
    code: Box<str>,
    created: i64,
    closed: Option<i64>,
    due: Option<i64>,
    acknowledged: bool,
    unit: u16,
    place: u16,
    category: u16,
    status: u16,
    /// Status is one of the open ones.
    open: bool,
    urgent: bool,
    lat: f64,
    lon: f64,
    behalf: bool,
    /// The hamlet its address names (volunteers' reports only).
    hamlet: u16,
    duplicate: bool,
    /// Reopened as not fixed at least once.
    reopened: bool,
    /// Score (0 satisfied, 1 acceptable, 2 not satisfied), the unit that
    /// answered, when.
    rating: Option<(u8, u16, i64)>,
}

/// The rows and what has been read so far.
#[derive(Default)]
struct Rows {
    loaded: bool,
    seen_until: i64,
    reopens_after: i64,
    by_id: HashMap<i64, usize>,
    rows: Vec<Row>,
    /// Reopens: (when, the unit it was taken from, a reopen rather than a
    /// contested rejection).
    reopens: Vec<(i64, u16, bool)>,
    /// Reopened report ids whose row had not arrived yet.
    reopened_ids: std::collections::HashSet<i64>,
    names: Names,
    /// Hamlets by folded key, and each one's name as first written.
    hamlets: Names,
    hamlet_names: Vec<String>,
}

/// The figures, shared by every request (refreshes take turns).
#[derive(Default)]
pub struct Figures {
    rows: tokio::sync::Mutex<Rows>,
}

/// The charts' counts for reports received in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Per week (its Monday 00:00 Vietnam time, ms): received, resolved.
    pub weekly: Vec<(i64, i64, i64)>,
    /// Open reports now by age: < 1, 1–3, 3–7, 7–14, 14–30, ≥ 30 days.
    pub backlog: [i64; 6],
    /// Received per category, most first.
    pub categories: Vec<(String, i64)>,
    /// Per commune (`None`: outside every boundary, or no point): received,
    /// open, overdue; most received first.
    pub communes: Vec<(Option<String>, i64, i64, i64)>,
    /// Filed by volunteers for a neighbour: (month `YYYY-MM`, commune,
    /// hamlet named in the address, count).
    pub volunteers: Vec<(String, Option<String>, Option<String>, i64)>,
}

/// What one question of the figures sees: the rows, up to date.
pub struct View<'a> {
    rows: &'a Rows,
}

impl Figures {
    /// Bring the rows up to date, then answer `f` from them.
    pub async fn with<T>(&self, store: &dyn Storage, f: impl FnOnce(&View<'_>) -> T) -> Result<T, StorageError> {
        let mut rows = self.rows.lock().await;
        let since = if rows.loaded { rows.seen_until - LOOK_BACK_MS } else { i64::MIN };
        let delta = store.figure_delta(since, rows.reopens_after).await?;
        rows.apply(delta);
        Ok(f(&View { rows: &rows }))
    }
}

impl Rows {
    fn apply(&mut self, delta: FigureDelta) {
        self.loaded = true;
        for r in delta.reports {
            self.seen_until = self.seen_until.max(r.updated_at);
            let row = Row {
                code: r.code.into_boxed_str(),
                created: r.created_at,
                closed: r.closed_at,
                due: r.due_at,
                acknowledged: r.acknowledged_at.is_some(),
                unit: self.names.id(r.unit.as_deref()),
                place: self.names.id(r.place.as_deref()),
                category: self.names.id(Some(&r.category)),
                status: self.names.id(Some(&r.status)),
                open: is_open(&r.status),
                urgent: r.priority == "urgent",
                lat: r.lat.unwrap_or(f64::NAN),
                lon: r.lon.unwrap_or(f64::NAN),
                behalf: r.on_behalf,
                hamlet: self.hamlet(r.address.as_deref()),
                duplicate: r.duplicate,
                reopened: self.reopened_ids.contains(&r.id),
                rating: None,
            };
            match self.by_id.get(&r.id) {
                Some(&i) => {
                    // Kept from before: what this read does not carry.
                    let (rating, reopened) = (self.rows[i].rating, self.rows[i].reopened);
                    self.rows[i] = Row { rating, reopened: reopened || row.reopened, ..row };
                }
                None => {
                    self.by_id.insert(r.id, self.rows.len());
                    self.rows.push(row);
                }
            }
        }
        for g in delta.ratings {
            self.seen_until = self.seen_until.max(g.at);
            let score = match g.score.as_str() {
                "satisfied" => 0,
                "acceptable" => 1,
                _ => 2,
            };
            let unit = self.names.id(g.unit.as_deref());
            if let Some(&i) = self.by_id.get(&g.report_id) {
                self.rows[i].rating = Some((score, unit, g.at));
            }
        }
        for x in delta.reopens {
            self.reopens_after = self.reopens_after.max(x.id);
            let reopen = x.kind == "reopen";
            let unit = self.names.id(x.from_unit.as_deref());
            self.reopens.push((x.at, unit, reopen));
            if reopen {
                match self.by_id.get(&x.report_id) {
                    Some(&i) => self.rows[i].reopened = true,
                    None => {
                        self.reopened_ids.insert(x.report_id);
                    }
                }
            }
        }
    }
}

impl Rows {
    fn hamlet(&mut self, address: Option<&str>) -> u16 {
        let Some((key, name)) = address.and_then(crate::district::hamlet::hamlet_of) else { return NONE };
        let id = self.hamlets.id(Some(&key));
        if usize::from(id) == self.hamlet_names.len() {
            self.hamlet_names.push(name);
        }
        id
    }
}

fn is_open(status: &str) -> bool {
    matches!(status, "received" | "assigned" | "in_progress" | "reopened")
}

/// `YYYY-MM` of an instant, in Vietnam time.
fn month_of(ms: i64) -> String {
    phananh_protocol::vn_time::iso_date(ms).get(..7).unwrap_or_default().to_owned()
}

impl View<'_> {
    fn name(&self, id: u16) -> Option<String> {
        self.rows.names.name(id).map(str::to_owned)
    }

    /// Each unit's figures for reports received in `[from, to)`, with the
    /// ratings and reopens made in it; a report of no unit is `top`'s. The
    /// same counts as [`crate::storage::Storage::unit_stats`].
    pub fn unit_stats(&self, from: i64, to: i64, now: i64, top: &str) -> Vec<UnitStats> {
        let mut by_unit: BTreeMap<String, UnitStats> = BTreeMap::new();
        fn entry(by_unit: &mut BTreeMap<String, UnitStats>, name: String) -> &mut UnitStats {
            by_unit.entry(name.clone()).or_insert_with(|| UnitStats { unit: name, ..Default::default() })
        }
        let name = |unit: u16| self.name(unit).unwrap_or_else(|| top.to_owned());
        for r in &self.rows.rows {
            if r.created >= from && r.created < to && !r.duplicate {
                let e = entry(&mut by_unit, name(r.unit));
                e.received += 1;
                match r.closed {
                    None => {
                        e.open += 1;
                        if r.due.is_some_and(|d| d <= now) {
                            e.overdue += 1;
                        }
                    }
                    Some(closed) => {
                        e.closed += 1;
                        if r.due.is_none_or(|d| closed <= d) && !r.reopened {
                            e.closed_on_time += 1;
                        }
                    }
                }
            }
            if let Some((score, unit, _)) = r.rating.filter(|g| g.2 >= from && g.2 < to) {
                let e = entry(&mut by_unit, name(unit));
                match score {
                    0 => e.satisfied += 1,
                    1 => e.acceptable += 1,
                    _ => e.not_satisfied += 1,
                }
            }
        }
        for &(at, unit, reopen) in &self.rows.reopens {
            if reopen && at >= from && at < to {
                entry(&mut by_unit, name(unit)).reopened += 1;
            }
        }
        by_unit.into_values().collect()
    }

    /// Per unit, the median minutes from received to closed of the reports
    /// received in `[from, to)` and closed (the middle one, or the mean of
    /// the two middle ones); keyed `""`, all of them together.
    pub fn median_minutes(&self, from: i64, to: i64, top: &str) -> HashMap<String, i64> {
        // By name: a report of no unit is the top unit's, with its own.
        let mut by_unit: HashMap<String, Vec<i64>> = HashMap::new();
        let mut all = Vec::new();
        for r in &self.rows.rows {
            if let Some(closed) = r.closed.filter(|_| r.created >= from && r.created < to && !r.duplicate) {
                let unit = self.name(r.unit).unwrap_or_else(|| top.to_owned());
                by_unit.entry(unit).or_default().push(closed - r.created);
                all.push(closed - r.created);
            }
        }
        let mut out: HashMap<String, i64> = by_unit.into_iter().map(|(u, mut d)| (u, median(&mut d))).collect();
        if !all.is_empty() {
            out.insert(String::new(), median(&mut all));
        }
        out
    }

    /// The charts' counts for reports received in `[from, to)` (resolved:
    /// closed in it), of `unit` only if given (a report of no unit is
    /// `top`'s).
    pub fn counts(&self, from: i64, to: i64, now: i64, unit: Option<&str>, top: &str) -> Counts {
        let wanted =
            unit.map(|u| if u == top { self.rows.names.find(u).or(Some(NONE)) } else { self.rows.names.find(u) });
        let of_unit = |r: &Row| match wanted {
            None => true,
            Some(None) => false,
            // The top unit's are also those of no unit.
            Some(Some(u)) => r.unit == u || (unit == Some(top) && r.unit == NONE),
        };
        let mut weeks: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        if to > from {
            for w in (from - FIRST_MONDAY_MS).div_euclid(WEEK_MS)..=(to - 1 - FIRST_MONDAY_MS).div_euclid(WEEK_MS) {
                weeks.entry(w).or_default();
            }
        }
        let mut out = Counts::default();
        let mut categories: HashMap<u16, i64> = HashMap::new();
        let mut communes: HashMap<u16, (i64, i64, i64)> = HashMap::new();
        let mut volunteers: BTreeMap<(String, u16, u16), i64> = BTreeMap::new();
        for r in self.rows.rows.iter().filter(|r| of_unit(r)) {
            let in_period = r.created >= from && r.created < to;
            if in_period && r.behalf {
                *volunteers.entry((month_of(r.created), r.place, r.hamlet)).or_default() += 1;
            }
            if r.duplicate {
                continue;
            }
            if in_period {
                weeks.entry((r.created - FIRST_MONDAY_MS).div_euclid(WEEK_MS)).or_default().0 += 1;
                *categories.entry(r.category).or_default() += 1;
                let c = communes.entry(r.place).or_default();
                c.0 += 1;
                if r.open {
                    c.1 += 1;
                    if r.due.is_some_and(|d| d <= now) {
                        c.2 += 1;
                    }
                }
            }
            if let Some(closed) = r.closed.filter(|c| *c >= from && *c < to) {
                weeks.entry((closed - FIRST_MONDAY_MS).div_euclid(WEEK_MS)).or_default().1 += 1;
            }
            if r.open {
                let age = now - r.created;
                let bucket = match age {
                    a if a < DAY_MS => 0,
                    a if a < 3 * DAY_MS => 1,
                    a if a < 7 * DAY_MS => 2,
                    a if a < 14 * DAY_MS => 3,
                    a if a < 30 * DAY_MS => 4,
                    _ => 5,
                };
                out.backlog[bucket] += 1;
            }
        }
        out.weekly = weeks.into_iter().map(|(w, (a, b))| (FIRST_MONDAY_MS + w * WEEK_MS, a, b)).collect();
        let mut categories: Vec<(String, i64)> =
            categories.into_iter().filter_map(|(c, n)| Some((self.name(c)?, n))).collect();
        categories.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.categories = categories;
        let mut communes: Vec<(Option<String>, i64, i64, i64)> =
            communes.into_iter().map(|(p, (a, b, c))| (self.name(p), a, b, c)).collect();
        communes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.communes = communes;
        let hamlet = |h: u16| self.rows.hamlet_names.get(usize::from(h)).cloned();
        let mut volunteers: Vec<(String, Option<String>, Option<String>, i64)> =
            volunteers.into_iter().map(|((m, p, h), n)| (m, self.name(p), hamlet(h), n)).collect();
        volunteers.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| b.3.cmp(&a.3)).then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2))
        });
        out.volunteers = volunteers;
        out
    }

    /// The map's cells for a box, with the list's filters; `None` when the
    /// filters search text (the rows hold none: the database answers).
    pub fn map_cells(&self, f: &ReportFilter, bbox: [f64; 4], cell: f64, now: i64) -> Option<Vec<MapCell>> {
        if f.q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
            return None;
        }
        let [s, w, n, e] = bbox;
        fn text(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|s| !s.is_empty())
        }
        let eq = |v: &Option<String>| text(v).map(|x| self.rows.names.find(x));
        let (status, category, unit, commune) = (eq(&f.status), eq(&f.category), eq(&f.unit), eq(&f.commune));
        let scope: Option<Vec<u16>> =
            f.scope.as_ref().map(|units| units.iter().filter_map(|u| self.rows.names.find(u)).collect());
        let urgent = text(&f.priority).map(|p| p == "urgent");
        let older = f.older_than_days.filter(|d| *d > 0).map(|d| now - i64::from(d) * DAY_MS);
        let queue = text(&f.queue);
        let keep = |r: &Row| -> bool {
            let matches = |want: Option<Option<u16>>, have: u16| want.is_none_or(|w| w == Some(have));
            matches(status, r.status)
                && matches(category, r.category)
                && matches(unit, r.unit)
                && matches(commune, r.place)
                && scope.as_ref().is_none_or(|s| s.contains(&r.unit))
                && urgent.is_none_or(|u| u == r.urgent)
                && older.is_none_or(|t| r.created <= t)
                && f.received_from.is_none_or(|t| r.created >= t)
                && f.received_before.is_none_or(|t| r.created < t)
                && match queue {
                    Some("new") => !r.acknowledged && r.closed.is_none(),
                    Some("due_soon") => {
                        r.open && r.due.is_some_and(|d| d > now && d <= f.due_soon_before.unwrap_or(now))
                    }
                    Some("overdue") => r.open && r.due.is_some_and(|d| d <= now),
                    _ => true,
                }
        };
        let mut cells: HashMap<(i64, i64), (f64, f64, MapCell)> = HashMap::new();
        for r in &self.rows.rows {
            if r.duplicate || !(r.lat >= s && r.lat <= n && r.lon >= w && r.lon <= e) || !keep(r) {
                continue;
            }
            let key = (((r.lat - s) / cell) as i64, ((r.lon - w) / cell) as i64);
            let status = self.rows.names.name(r.status).unwrap_or_default();
            let category = self.rows.names.name(r.category).unwrap_or_default();
            let c = cells.entry(key).or_insert_with(|| {
                (
                    0.0,
                    0.0,
                    MapCell {
                        lat: 0.0,
                        lon: 0.0,
                        count: 0,
                        open: 0,
                        overdue: 0,
                        closed: 0,
                        code: r.code.to_string(),
                        status: status.to_owned(),
                        category: category.to_owned(),
                    },
                )
            });
            c.0 += r.lat;
            c.1 += r.lon;
            let m = &mut c.2;
            m.count += 1;
            if r.open && r.due.is_some_and(|d| d <= now) {
                m.overdue += 1;
            } else if r.open {
                m.open += 1;
            }
            if r.closed.is_some() {
                m.closed += 1;
            }
            // The same report whatever the order rows came in: the least code.
            if *r.code < *m.code {
                m.code = r.code.to_string();
                m.status = status.to_owned();
                m.category = category.to_owned();
            }
        }
        Some(
            cells
                .into_values()
                .map(|(lat, lon, mut m)| {
                    m.lat = lat / m.count as f64;
                    m.lon = lon / m.count as f64;
                    m
                })
                .collect(),
        )
    }
}

/// The middle value (the mean of the two middle ones), in whole minutes.
fn median(d: &mut [i64]) -> i64 {
    d.sort_unstable();
    let n = d.len();
    if n == 0 {
        return 0;
    }
    // The ⌈n/2⌉-th and the (⌊n/2⌋ + 1)-th: one value when n is odd.
    let (a, b) = (d[n.div_ceil(2) - 1], d[n / 2]);
    (a + b) / 2 / 60_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_or_the_mean_of_the_middle_two() {
        let h = 3_600_000;
        assert_eq!(median(&mut [144 * h, 2 * h, 48 * h, 24 * h]), 36 * 60);
        assert_eq!(median(&mut [5 * 60_000, 60_000, 3 * 60_000]), 3);
        assert_eq!(median(&mut []), 0);
    }

    fn record(id: i64, unit: Option<&str>, took_h: i64) -> crate::storage::FigureRecord {
        crate::storage::FigureRecord {
            id,
            code: format!("DL-00000{id}"),
            created_at: 1_000 * 3_600_000,
            updated_at: 1_000 * 3_600_000,
            closed_at: Some((1_000 + took_h) * 3_600_000),
            due_at: Some(1_100 * 3_600_000),
            acknowledged_at: None,
            unit: unit.map(str::to_owned),
            place: None,
            category: "o_ga".into(),
            status: "resolved".into(),
            priority: "normal".into(),
            lat: None,
            lon: None,
            on_behalf: false,
            duplicate: false,
            address: None,
        }
    }

    #[test]
    fn a_report_of_no_unit_counts_with_the_top_unit_and_a_reread_replaces_it() {
        let mut rows = Rows::default();
        let delta = |reports| FigureDelta { reports, ..Default::default() };
        rows.apply(delta(vec![record(1, None, 2), record(2, Some("DL"), 10), record(3, Some("KTHT"), 4)]));
        // Read again (the look-back), changed: replaced, not added.
        rows.apply(delta(vec![record(3, Some("KTHT"), 6)]));
        let view = View { rows: &rows };
        let stats = view.unit_stats(0, i64::MAX, 0, "DL");
        let dl = stats.iter().find(|s| s.unit == "DL").unwrap();
        assert_eq!((dl.received, dl.closed, dl.closed_on_time), (2, 2, 2));
        assert_eq!(stats.iter().find(|s| s.unit == "KTHT").unwrap().received, 1);
        let medians = view.median_minutes(0, i64::MAX, "DL");
        assert_eq!(medians["DL"], 6 * 60, "the mean of 2 h and 10 h, both the district's");
        assert_eq!(medians["KTHT"], 6 * 60);
        assert_eq!(medians[""], 6 * 60);
    }

    #[test]
    fn weeks_start_on_monday_in_vietnam() {
        // 2026-11-30 is a Monday; 00:00 there is 2026-11-29 17:00 UTC.
        let monday = time::macros::datetime!(2026-11-29 17:00 UTC).unix_timestamp() * 1000;
        assert_eq!((monday - FIRST_MONDAY_MS).rem_euclid(WEEK_MS), 0);
    }
}

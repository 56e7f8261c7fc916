//! The district at a glance: the map's cells, the exports' rows and the
//! charts' counts. Each is one or a few aggregate queries, so that SQLite
//! counts in C and only the figures cross into Rust (200 000 reports give
//! a few hundred rows here, not 200 000).

use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};

use super::staff::filter_clause;
use crate::storage::{ExportRow, MapCell, MapQuery, OverviewCounts, ReportFilter, StorageError};

/// What counts as open (as the dashboard's queues count it).
const OPEN: &str = "r.status IN ('received', 'assigned', 'in_progress', 'reopened')";

/// The reports in the box, one row per cell of `cell_deg`.
pub(super) fn map_cells(c: &Connection, q: &MapQuery, now: i64) -> Result<Vec<MapCell>, StorageError> {
    let (clause, mut args) = filter_clause(c, &q.filter, now)?;
    let first = args.len();
    args.extend([
        Value::Real(q.min_lat),
        Value::Real(q.max_lat),
        Value::Real(q.min_lon),
        Value::Real(q.max_lon),
        Value::Real(q.cell_deg.max(1e-6)),
        Value::Integer(now),
    ]);
    let [s, n, w, e, cell, at] = std::array::from_fn(|i| first + i + 1);
    // Duplicates stay off the map: the report they repeat is there.
    let sql = format!(
        "SELECT avg(r.lat), avg(r.lon), count(*),
                sum({OPEN} AND (r.due_at IS NULL OR r.due_at > ?{at})),
                sum({OPEN} AND r.due_at <= ?{at}),
                sum(r.closed_at IS NOT NULL),
                min(r.tracking_code), min(r.status), min(r.category)
         FROM reports r
         WHERE r.lat BETWEEN ?{s} AND ?{n} AND r.lon BETWEEN ?{w} AND ?{e} AND r.duplicate_of IS NULL{clause}
         GROUP BY CAST((r.lat - ?{s}) / ?{cell} AS INTEGER), CAST((r.lon - ?{w}) / ?{cell} AS INTEGER)"
    );
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        Ok(MapCell {
            lat: r.get(0)?,
            lon: r.get(1)?,
            count: r.get(2)?,
            open: r.get(3)?,
            overdue: r.get(4)?,
            closed: r.get(5)?,
            code: r.get(6)?,
            status: r.get(7)?,
            category: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The reports the filters select, newest first, at most `limit`.
pub(super) fn export_rows(
    c: &Connection,
    f: &ReportFilter,
    now: i64,
    limit: u32,
) -> Result<Vec<ExportRow>, StorageError> {
    let (clause, mut args) = filter_clause(c, f, now)?;
    args.push(Value::Integer(i64::from(limit)));
    let sql = format!(
        "SELECT r.tracking_code, r.created_at, r.category, r.status, r.unit_code, nullif(r.place_code, ''),
                r.priority, r.due_at, r.closed_at, r.address, r.description, r.for_name IS NOT NULL,
                (SELECT g.score FROM ratings g WHERE g.report_id = r.id)
         FROM reports r WHERE 1{clause} ORDER BY r.created_at DESC, r.id DESC LIMIT ?{}",
        args.len()
    );
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        Ok(ExportRow {
            tracking_code: r.get(0)?,
            received_at: r.get(1)?,
            category: r.get(2)?,
            status: r.get(3)?,
            unit: r.get(4)?,
            place: r.get(5)?,
            priority: r.get(6)?,
            due_at: r.get(7)?,
            closed_at: r.get(8)?,
            address: r.get(9)?,
            description: r.get(10)?,
            on_behalf: r.get(11)?,
            rating: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Monday 5 January 1970, 00:00 in Vietnam (UTC+7), in ms: weeks count
/// from it.
pub const FIRST_MONDAY_MS: i64 = 4 * 86_400_000 - 7 * 3_600_000;
const WEEK_MS: i64 = 7 * 86_400_000;

/// The charts' counts for reports received in `[from, to)` (resolved: closed
/// in it), of `unit` only if given (a report of no unit is `top`'s).
pub(super) fn counts(
    c: &Connection,
    from: i64,
    to: i64,
    now: i64,
    unit: Option<&str>,
    top: &str,
) -> Result<OverviewCounts, StorageError> {
    let mut out = OverviewCounts::default();
    // `?4` is the unit or NULL; `?5` the top unit's code.
    let of_unit = "(?4 IS NULL OR coalesce(r.unit_code, ?5) = ?4)";
    let base = params![from, to, now, unit, top];
    let mut weeks = std::collections::BTreeMap::<i64, (i64, i64)>::new();
    let sql = format!(
        "SELECT (r.created_at - {FIRST_MONDAY_MS}) / {WEEK_MS}, count(*) FROM reports r
         WHERE r.created_at >= ?1 AND r.created_at < ?2 AND r.duplicate_of IS NULL AND ?3 = ?3 AND {of_unit}
         GROUP BY 1"
    );
    for row in c.prepare(&sql)?.query_map(base, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (w, n) = row?;
        weeks.entry(w).or_default().0 = n;
    }
    let sql = format!(
        "SELECT (r.closed_at - {FIRST_MONDAY_MS}) / {WEEK_MS}, count(*) FROM reports r
         WHERE r.closed_at >= ?1 AND r.closed_at < ?2 AND r.duplicate_of IS NULL AND ?3 = ?3 AND {of_unit}
         GROUP BY 1"
    );
    for row in c.prepare(&sql)?.query_map(base, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (w, n) = row?;
        weeks.entry(w).or_default().1 = n;
    }
    out.weekly = weeks.into_iter().map(|(w, (rec, res))| (FIRST_MONDAY_MS + w * WEEK_MS, rec, res)).collect();

    // The backlog is of now, whenever the reports came.
    let day = 86_400_000i64;
    let sql = format!(
        "SELECT CASE WHEN ?3 - r.created_at < ?1 THEN 0 WHEN ?3 - r.created_at < 3 * ?1 THEN 1
                     WHEN ?3 - r.created_at < 7 * ?1 THEN 2 WHEN ?3 - r.created_at < 14 * ?1 THEN 3
                     WHEN ?3 - r.created_at < 30 * ?1 THEN 4 ELSE 5 END, count(*)
         FROM reports r WHERE {OPEN} AND r.duplicate_of IS NULL AND ?2 = ?2 AND {of_unit} GROUP BY 1"
    );
    for row in c
        .prepare(&sql)?
        .query_map(params![day, 0, now, unit, top], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
    {
        let (bucket, n) = row?;
        if let Some(slot) = usize::try_from(bucket).ok().and_then(|b| out.backlog.get_mut(b)) {
            *slot = n;
        }
    }

    let sql = format!(
        "SELECT r.category, count(*) FROM reports r
         WHERE r.created_at >= ?1 AND r.created_at < ?2 AND r.duplicate_of IS NULL AND ?3 = ?3 AND {of_unit}
         GROUP BY 1 ORDER BY 2 DESC, 1"
    );
    out.categories = c.prepare(&sql)?.query_map(base, |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;

    let sql = format!(
        "SELECT nullif(r.place_code, ''), count(*), sum({OPEN}), sum({OPEN} AND r.due_at <= ?3) FROM reports r
         WHERE r.created_at >= ?1 AND r.created_at < ?2 AND r.duplicate_of IS NULL AND {of_unit}
         GROUP BY 1 ORDER BY 2 DESC"
    );
    out.communes = c
        .prepare(&sql)?
        .query_map(base, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;

    // Months in Vietnam time.
    let sql = format!(
        "SELECT strftime('%Y-%m', r.created_at / 1000 + 25200, 'unixepoch'), nullif(r.place_code, ''), count(*)
         FROM reports r
         WHERE r.for_name IS NOT NULL AND r.created_at >= ?1 AND r.created_at < ?2 AND ?3 = ?3 AND {of_unit}
         GROUP BY 1, 2 ORDER BY 1, 3 DESC"
    );
    out.volunteers =
        c.prepare(&sql)?.query_map(base, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;

    out.median_minutes = medians(c, from, to, unit, top, false)?;
    Ok(out)
}

/// Per unit, the median minutes from received to closed of the reports
/// received in `[from, to)` and closed (the middle one, or the mean of the
/// two middle ones), counted by SQLite's window functions; with
/// `whole`, one more row keyed `""` for all of them together.
pub(super) fn medians(
    c: &Connection,
    from: i64,
    to: i64,
    unit: Option<&str>,
    top: &str,
    whole: bool,
) -> Result<Vec<(String, i64)>, StorageError> {
    let mut out = Vec::new();
    let groups: &[&str] = if whole { &["coalesce(r.unit_code, ?4)", "''"] } else { &["coalesce(r.unit_code, ?4)"] };
    for by in groups {
        let sql = format!(
            "SELECT u, CAST(avg(d) / 60000 AS INTEGER) FROM (
               SELECT {by} AS u, r.closed_at - r.created_at AS d,
                      row_number() OVER (PARTITION BY {by} ORDER BY r.closed_at - r.created_at) AS k,
                      count(*) OVER (PARTITION BY {by}) AS n
               FROM reports r
               WHERE r.created_at >= ?1 AND r.created_at < ?2 AND r.closed_at IS NOT NULL AND r.duplicate_of IS NULL
                 AND (?3 IS NULL OR coalesce(r.unit_code, ?4) = ?3))
             WHERE k IN ((n + 1) / 2, (n + 2) / 2) GROUP BY u ORDER BY u"
        );
        let mut stmt = c.prepare(&sql)?;
        let rows = stmt.query_map(params![from, to, unit, top], |r| Ok((r.get(0)?, r.get(1)?)))?;
        out.extend(rows.collect::<Result<Vec<_>, _>>()?);
    }
    Ok(out)
}

/// A fingerprint of everything the figures count: it changes whenever a
/// report arrives or changes status, unit, priority or deadline (each of
/// those writes a row of `changes` or `report_events`, whose keys only
/// grow), or a rating or a reopen is kept; so a cache keyed by it is never
/// stale. All but the ratings' count are one read of a b-tree's last row;
/// ratings are keyed by report, so they are counted (never deleted, their
/// count only grows). Placing old reports in communes (`set_places`) is
/// the one write it does not see: that runs once, at start-up.
pub(super) fn version(c: &mut Connection) -> Result<String, StorageError> {
    let v: (i64, i64, i64, i64, i64) = c.query_row(
        "SELECT coalesce((SELECT max(id) FROM reports), 0), coalesce((SELECT max(seq) FROM changes), 0),
                coalesce((SELECT max(seq) FROM report_events), 0), (SELECT count(*) FROM ratings),
                coalesce((SELECT max(id) FROM reopens), 0)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    Ok(format!("{}.{}.{}.{}.{}", v.0, v.1, v.2, v.3, v.4))
}

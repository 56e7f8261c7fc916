//! The district at a glance: what the overview's in-memory figures read
//! (everything once, then what changed), the map's cells for a text search
//! (which needs the words), and the exports' rows.

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::staff::filter_clause;
use crate::storage::{
    ExportRow, FigureDelta, FigureRecord, MapCell, MapQuery, RatingRecord, ReopenRecord, ReportFilter, StorageError,
};

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

/// What changed since `since` (reports, ratings) and `reopens_after`.
pub(super) fn figure_delta(c: &Connection, since: i64, reopens_after: i64) -> Result<FigureDelta, StorageError> {
    let mut stmt = c.prepare_cached(
        "SELECT r.id, r.tracking_code, r.created_at, r.updated_at, r.closed_at, r.due_at, r.acknowledged_at,
                r.unit_code, nullif(r.place_code, ''), r.category, r.status, r.priority, r.lat, r.lon,
                r.for_name IS NOT NULL, r.duplicate_of IS NOT NULL, CASE WHEN r.for_name IS NOT NULL THEN r.address END
         FROM reports r WHERE r.updated_at >= ?1",
    )?;
    let reports = stmt
        .query_map([since], |r| {
            Ok(FigureRecord {
                id: r.get(0)?,
                code: r.get(1)?,
                created_at: r.get(2)?,
                updated_at: r.get(3)?,
                closed_at: r.get(4)?,
                due_at: r.get(5)?,
                acknowledged_at: r.get(6)?,
                unit: r.get(7)?,
                place: r.get(8)?,
                category: r.get(9)?,
                status: r.get(10)?,
                priority: r.get(11)?,
                lat: r.get(12)?,
                lon: r.get(13)?,
                on_behalf: r.get(14)?,
                duplicate: r.get(15)?,
                address: r.get(16)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = c.prepare_cached("SELECT report_id, score, unit_code, at FROM ratings WHERE at >= ?1")?;
    let ratings = stmt
        .query_map([since], |r| {
            Ok(RatingRecord { report_id: r.get(0)?, score: r.get(1)?, unit: r.get(2)?, at: r.get(3)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt =
        c.prepare_cached("SELECT id, report_id, kind, from_unit, at FROM reopens WHERE id > ?1 ORDER BY id")?;
    let reopens = stmt
        .query_map([reopens_after], |r| {
            Ok(ReopenRecord {
                id: r.get(0)?,
                report_id: r.get(1)?,
                kind: r.get(2)?,
                from_unit: r.get(3)?,
                at: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FigureDelta { reports, ratings, reopens })
}

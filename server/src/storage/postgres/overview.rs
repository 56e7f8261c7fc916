//! The district at a glance: what the overview's in-memory figures read,
//! the map's cells for a text search, and the exports' rows.

use deadpool_postgres::GenericClient;

use super::staff::filter_clause;
use crate::storage::{
    ExportRow, FigureDelta, FigureRecord, MapCell, MapQuery, RatingRecord, ReopenRecord, ReportFilter, StorageError,
};

/// What counts as open (as the dashboard's queues count it).
const OPEN: &str = "r.status IN ('received', 'assigned', 'in_progress', 'reopened')";

/// The reports in the box, one row per cell of `cell_deg`.
pub(super) async fn map_cells(c: &impl GenericClient, q: &MapQuery, now: i64) -> Result<Vec<MapCell>, StorageError> {
    let (clause, mut args) = filter_clause(&q.filter, now);
    let (s, n, w, e) = (args.push(q.min_lat), args.push(q.max_lat), args.push(q.min_lon), args.push(q.max_lon));
    let (cell, at) = (args.push(q.cell_deg.max(1e-6)), args.push(now));
    // Duplicates stay off the map: the report they repeat is there.
    let sql = format!(
        "SELECT avg(r.lat), avg(r.lon), count(*),
                count(*) FILTER (WHERE {OPEN} AND (r.due_at IS NULL OR r.due_at > {at})),
                count(*) FILTER (WHERE {OPEN} AND r.due_at <= {at}),
                count(*) FILTER (WHERE r.closed_at IS NOT NULL),
                min(r.tracking_code), min(r.status), min(r.category)
         FROM reports r
         WHERE r.lat BETWEEN {s} AND {n} AND r.lon BETWEEN {w} AND {e} AND r.duplicate_of IS NULL{clause}
         GROUP BY floor((r.lat - {s}) / {cell}), floor((r.lon - {w}) / {cell})"
    );
    c.query(&sql, &args.refs())
        .await?
        .iter()
        .map(|r| {
            Ok(MapCell {
                lat: r.try_get(0)?,
                lon: r.try_get(1)?,
                count: r.try_get(2)?,
                open: r.try_get(3)?,
                overdue: r.try_get(4)?,
                closed: r.try_get(5)?,
                code: r.try_get(6)?,
                status: r.try_get(7)?,
                category: r.try_get(8)?,
            })
        })
        .collect()
}

/// The reports the filters select, newest first, at most `limit`.
pub(super) async fn export_rows(
    c: &impl GenericClient,
    f: &ReportFilter,
    now: i64,
    limit: u32,
) -> Result<Vec<ExportRow>, StorageError> {
    let (clause, mut args) = filter_clause(f, now);
    let limit = args.push(i64::from(limit));
    let sql = format!(
        "SELECT r.tracking_code, r.created_at, r.category, r.status, r.unit_code, nullif(r.place_code, ''),
                r.priority, r.due_at, r.closed_at, r.address, r.description, r.for_name IS NOT NULL,
                (SELECT g.score FROM ratings g WHERE g.report_id = r.id)
         FROM reports r WHERE true{clause} ORDER BY r.created_at DESC, r.id DESC LIMIT {limit}"
    );
    c.query(&sql, &args.refs())
        .await?
        .iter()
        .map(|r| {
            Ok(ExportRow {
                tracking_code: r.try_get(0)?,
                received_at: r.try_get(1)?,
                category: r.try_get(2)?,
                status: r.try_get(3)?,
                unit: r.try_get(4)?,
                place: r.try_get(5)?,
                priority: r.try_get(6)?,
                due_at: r.try_get(7)?,
                closed_at: r.try_get(8)?,
                address: r.try_get(9)?,
                description: r.try_get(10)?,
                on_behalf: r.try_get(11)?,
                rating: r.try_get(12)?,
            })
        })
        .collect()
}

/// What changed since `since` (reports, ratings) and `reopens_after`.
pub(super) async fn figure_delta(
    c: &impl GenericClient,
    since: i64,
    reopens_after: i64,
) -> Result<FigureDelta, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT r.id, r.tracking_code, r.created_at, r.updated_at, r.closed_at, r.due_at, r.acknowledged_at,
                    r.unit_code, nullif(r.place_code, ''), r.category, r.status, r.priority, r.lat, r.lon,
                    r.for_name IS NOT NULL, r.duplicate_of IS NOT NULL, CASE WHEN r.for_name IS NOT NULL THEN r.address END
             FROM reports r WHERE r.updated_at >= $1",
        )
        .await?;
    let reports = c
        .query(&stmt, &[&since])
        .await?
        .iter()
        .map(|r| {
            Ok(FigureRecord {
                id: r.try_get(0)?,
                code: r.try_get(1)?,
                created_at: r.try_get(2)?,
                updated_at: r.try_get(3)?,
                closed_at: r.try_get(4)?,
                due_at: r.try_get(5)?,
                acknowledged_at: r.try_get(6)?,
                unit: r.try_get(7)?,
                place: r.try_get(8)?,
                category: r.try_get(9)?,
                status: r.try_get(10)?,
                priority: r.try_get(11)?,
                lat: r.try_get(12)?,
                lon: r.try_get(13)?,
                on_behalf: r.try_get(14)?,
                duplicate: r.try_get(15)?,
                address: r.try_get(16)?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let stmt = c.prepare_cached("SELECT report_id, score, unit_code, at FROM ratings WHERE at >= $1").await?;
    let ratings = c
        .query(&stmt, &[&since])
        .await?
        .iter()
        .map(|r| {
            Ok(RatingRecord { report_id: r.try_get(0)?, score: r.try_get(1)?, unit: r.try_get(2)?, at: r.try_get(3)? })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let stmt =
        c.prepare_cached("SELECT id, report_id, kind, from_unit, at FROM reopens WHERE id > $1 ORDER BY id").await?;
    let reopens = c
        .query(&stmt, &[&reopens_after])
        .await?
        .iter()
        .map(|r| {
            Ok(ReopenRecord {
                id: r.try_get(0)?,
                report_id: r.try_get(1)?,
                kind: r.try_get(2)?,
                from_unit: r.try_get(3)?,
                at: r.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(FigureDelta { reports, ratings, reopens })
}

//! The resident's word after the answer: ratings, reopens, follows.

use rusqlite::{Connection, OptionalExtension, params};

use crate::storage::{
    DeclaredPhoto, NewRating, NewReopen, RatingView, ReopenEntry, ReportFacts, StorageError, UnitStats,
};
use phananh_protocol::vn_time::rfc3339;

/// By the phone's id, or (`by_code`) by tracking code.
pub(super) fn facts(c: &Connection, key: &str, by_code: bool) -> Result<Option<ReportFacts>, StorageError> {
    let column = if by_code { "tracking_code" } else { "client_id" };
    Ok(c.query_row(
        &format!(
            "SELECT r.id, r.device_id, r.tracking_code, r.status, r.closed_at, r.unit_code, r.category, r.priority,
                (r.for_name IS NOT NULL OR r.for_phone IS NOT NULL), r.duplicate_of IS NOT NULL,
                (SELECT g.client_id FROM ratings g WHERE g.report_id = r.id), r.client_id
         FROM reports r WHERE r.{column} = ?1"
        ),
        [key],
        |r| {
            Ok(ReportFacts {
                id: r.get(0)?,
                device_id: r.get(1)?,
                tracking_code: r.get(2)?,
                status: r.get(3)?,
                closed_at: r.get(4)?,
                unit_code: r.get(5)?,
                category: r.get(6)?,
                priority: r.get(7)?,
                on_behalf: r.get(8)?,
                duplicate: r.get(9)?,
                rating_id: r.get(10)?,
                client_id: r.get(11)?,
            })
        },
    )
    .optional()?)
}

pub(super) fn known(c: &Connection, client_id: &str) -> Result<bool, StorageError> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM ratings WHERE client_id = ?1) OR EXISTS (SELECT 1 FROM reopens WHERE client_id = ?1)",
        [client_id],
        |r| r.get(0),
    )?)
}

pub(super) fn rate(c: &Connection, report_id: i64, g: &NewRating, now: i64) -> Result<(), StorageError> {
    let inserted = c.execute(
        "INSERT INTO ratings (report_id, client_id, score, comment, on_behalf, unit_code, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        params![report_id, g.client_id, g.score, g.comment, g.on_behalf, g.unit_code, now],
    )?;
    if inserted == 0 { Err(StorageError::Conflict) } else { Ok(()) }
}

pub(super) fn reopen(c: &mut Connection, report_id: i64, x: &NewReopen, now: i64) -> Result<(), StorageError> {
    let tx = c.savepoint()?;
    tx.execute(
        "INSERT INTO reopens (client_id, report_id, kind, reason, from_unit, unit_code, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![x.client_id, report_id, x.kind, x.reason, x.from_unit, x.unit_code, now],
    )?;
    // Open again, not yet taken up: it is in the unit's "new" queue.
    tx.execute(
        "UPDATE reports SET status = 'reopened', unit_code = ?2, ack_due_at = ?3, due_at = ?4,
             acknowledged_at = NULL, closed_at = NULL, updated_at = ?5,
             photos_expected = photos_expected + ?6
         WHERE id = ?1",
        params![report_id, x.unit_code, x.ack_due_at, x.due_at, now, x.photos.len() as i64],
    )?;
    tx.execute(
        "INSERT INTO changes (report_id, status, at, unit_code, due_at) VALUES (?1, 'reopened', ?2, ?3, ?4)",
        params![report_id, now, x.unit_code, x.due_at],
    )?;
    tx.execute(
        "INSERT INTO report_events (report_id, at, action, unit_code, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![report_id, now, if x.kind == "contest" { "contested" } else { "reopened" }, x.unit_code, x.reason],
    )?;
    let next: i64 = tx.query_row(
        "SELECT coalesce(max(position) + 1, 0) FROM photo_decls WHERE report_id = ?1",
        [report_id],
        |r| r.get(0),
    )?;
    for (i, p) in x.photos.iter().enumerate() {
        let taken: bool =
            tx.query_row("SELECT count(*) FROM photo_decls WHERE photo_id = ?1", [&p.id], |r| r.get(0))?;
        if taken {
            return Err(StorageError::PhotoIdTaken);
        }
        tx.execute(
            "INSERT INTO photo_decls (report_id, photo_id, sha256, bytes, position) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![report_id, p.id, p.sha256, p.bytes as i64, next + i as i64],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn follow(
    c: &mut Connection,
    report_id: i64,
    device: &str,
    me_too: bool,
    photos: &[DeclaredPhoto],
    now: i64,
) -> Result<(), StorageError> {
    let tx = c.savepoint()?;
    tx.execute(
        "INSERT INTO follows (report_id, device_id, me_too, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (report_id, device_id) DO UPDATE SET me_too = max(me_too, excluded.me_too)",
        params![report_id, device, me_too, now],
    )?;
    for p in photos {
        let owner: Option<(i64, Option<String>)> = tx
            .query_row("SELECT report_id, follower FROM photo_decls WHERE photo_id = ?1", [&p.id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match owner {
            // Declared before by this very follow: a resend.
            Some((r, Some(f))) if r == report_id && f == device => continue,
            Some(_) => return Err(StorageError::PhotoIdTaken),
            None => {}
        }
        tx.execute(
            "INSERT INTO photo_decls (report_id, photo_id, sha256, bytes, position, follower)
             VALUES (?1, ?2, ?3, ?4, (SELECT coalesce(max(position) + 1, 0) FROM photo_decls WHERE report_id = ?1), ?5)",
            params![report_id, p.id, p.sha256, p.bytes as i64, device],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// (followers, of them "me too").
pub(super) fn followers(c: &Connection, report_id: i64) -> rusqlite::Result<(i64, i64)> {
    c.prepare_cached("SELECT count(*), coalesce(sum(me_too), 0) FROM follows WHERE report_id = ?1")?
        .query_row([report_id], |r| Ok((r.get(0)?, r.get(1)?)))
}

pub(super) fn rating(c: &Connection, report_id: i64) -> rusqlite::Result<Option<RatingView>> {
    c.prepare_cached("SELECT score, comment, on_behalf, at FROM ratings WHERE report_id = ?1")?
        .query_row([report_id], |r| {
            Ok(RatingView { score: r.get(0)?, comment: r.get(1)?, on_behalf: r.get(2)?, at: rfc3339(r.get(3)?) })
        })
        .optional()
}

pub(super) fn reopens(c: &Connection, report_id: i64) -> rusqlite::Result<Vec<ReopenEntry>> {
    c.prepare_cached("SELECT kind, reason, at FROM reopens WHERE report_id = ?1 ORDER BY id")?
        .query_map([report_id], |r| Ok(ReopenEntry { kind: r.get(0)?, reason: r.get(1)?, at: rfc3339(r.get(2)?) }))?
        .collect()
}

/// The units' figures: reports received in `[from, to)`, with the ratings
/// and reopens made in it. On time means closed by the deadline in force
/// and never reopened as not fixed: a reopen counts against the unit.
pub(super) fn unit_stats(
    c: &Connection,
    from: i64,
    to: i64,
    now: i64,
    top: &str,
) -> Result<Vec<UnitStats>, StorageError> {
    use std::collections::BTreeMap;
    let mut by_unit: BTreeMap<String, UnitStats> = BTreeMap::new();
    let mut stmt = c.prepare(
        "SELECT coalesce(r.unit_code, ?4), count(*),
                sum(r.closed_at IS NULL),
                sum(r.closed_at IS NULL AND r.due_at IS NOT NULL AND r.due_at <= ?3),
                sum(r.closed_at IS NOT NULL),
                sum(r.closed_at IS NOT NULL AND (r.due_at IS NULL OR r.closed_at <= r.due_at)
                    AND NOT EXISTS (SELECT 1 FROM reopens x WHERE x.report_id = r.id AND x.kind = 'reopen'))
         FROM reports r
         WHERE r.created_at >= ?1 AND r.created_at < ?2 AND r.duplicate_of IS NULL
         GROUP BY 1",
    )?;
    let rows = stmt.query_map(params![from, to, now, top], |r| {
        Ok(UnitStats {
            unit: r.get(0)?,
            received: r.get(1)?,
            open: r.get(2)?,
            overdue: r.get(3)?,
            closed: r.get(4)?,
            closed_on_time: r.get(5)?,
            ..Default::default()
        })
    })?;
    for row in rows {
        let row = row?;
        by_unit.insert(row.unit.clone(), row);
    }
    let mut reopens = c.prepare(
        "SELECT coalesce(from_unit, ?3), count(*) FROM reopens WHERE kind = 'reopen' AND at >= ?1 AND at < ?2 GROUP BY 1",
    )?;
    for row in reopens.query_map(params![from, to, top], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (unit, n) = row?;
        let entry = by_unit.entry(unit.clone()).or_insert_with(|| UnitStats { unit, ..Default::default() });
        entry.reopened = n;
    }
    let mut ratings = c.prepare(
        "SELECT coalesce(unit_code, ?3), score, count(*) FROM ratings WHERE at >= ?1 AND at < ?2 GROUP BY 1, 2",
    )?;
    for row in ratings.query_map(params![from, to, top], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
    })? {
        let (unit, score, n) = row?;
        let entry = by_unit.entry(unit.clone()).or_insert_with(|| UnitStats { unit, ..Default::default() });
        match score.as_str() {
            "satisfied" => entry.satisfied = n,
            "acceptable" => entry.acceptable = n,
            _ => entry.not_satisfied = n,
        }
    }
    Ok(by_unit.into_values().collect())
}

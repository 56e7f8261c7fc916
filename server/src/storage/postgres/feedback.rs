//! The resident's word after the answer: ratings, reopens, follows.

use deadpool_postgres::{GenericClient, Object};
use phananh_protocol::vn_time::rfc3339;

use super::lock_feed;
use crate::storage::{
    DeclaredPhoto, NewRating, NewReopen, RatingView, ReopenEntry, ReportFacts, StorageError, UnitStats,
};

/// By the phone's id, or (`by_code`) by tracking code.
pub(super) async fn facts(
    c: &impl GenericClient,
    key: &str,
    by_code: bool,
) -> Result<Option<ReportFacts>, StorageError> {
    let column = if by_code { "tracking_code" } else { "client_id" };
    let sql = format!(
        "SELECT r.id, r.device_id, r.tracking_code, r.status, r.closed_at, r.unit_code, r.category, r.priority,
                (r.for_name IS NOT NULL OR r.for_phone IS NOT NULL), r.duplicate_of IS NOT NULL,
                (SELECT g.client_id FROM ratings g WHERE g.report_id = r.id), r.client_id
         FROM reports r WHERE r.{column} = $1"
    );
    let stmt = c.prepare_cached(&sql).await?;
    c.query_opt(&stmt, &[&key])
        .await?
        .map(|r| {
            Ok(ReportFacts {
                id: r.try_get(0)?,
                device_id: r.try_get(1)?,
                tracking_code: r.try_get(2)?,
                status: r.try_get(3)?,
                closed_at: r.try_get(4)?,
                unit_code: r.try_get(5)?,
                category: r.try_get(6)?,
                priority: r.try_get(7)?,
                on_behalf: r.try_get(8)?,
                duplicate: r.try_get(9)?,
                rating_id: r.try_get(10)?,
                client_id: r.try_get(11)?,
            })
        })
        .transpose()
}

pub(super) async fn known(c: &impl GenericClient, client_id: &str) -> Result<bool, StorageError> {
    let row = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM ratings WHERE client_id = $1) OR EXISTS (SELECT 1 FROM reopens WHERE client_id = $1)",
            &[&client_id],
        )
        .await?;
    Ok(row.try_get(0)?)
}

pub(super) async fn rate(c: &impl GenericClient, report_id: i64, g: &NewRating, now: i64) -> Result<(), StorageError> {
    let inserted = c
        .execute(
            "INSERT INTO ratings (report_id, client_id, score, comment, on_behalf, unit_code, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            &[&report_id, &g.client_id, &g.score, &g.comment, &g.on_behalf, &g.unit_code, &now],
        )
        .await?;
    if inserted == 0 { Err(StorageError::Conflict) } else { Ok(()) }
}

pub(super) async fn reopen(c: &mut Object, report_id: i64, x: &NewReopen, now: i64) -> Result<(), StorageError> {
    let tx = c.transaction().await?;
    // Reopens are read by id after a cursor, like the feed: the same lock.
    lock_feed(&tx).await?;
    tx.execute(
        "INSERT INTO reopens (client_id, report_id, kind, reason, from_unit, unit_code, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&x.client_id, &report_id, &x.kind, &x.reason, &x.from_unit, &x.unit_code, &now],
    )
    .await?;
    // Open again, not yet taken up: it is in the unit's "new" queue.
    tx.execute(
        "UPDATE reports SET status = 'reopened', unit_code = $2, ack_due_at = $3, due_at = $4,
             acknowledged_at = NULL, closed_at = NULL, updated_at = $5,
             photos_expected = photos_expected + $6
         WHERE id = $1",
        &[&report_id, &x.unit_code, &x.ack_due_at, &x.due_at, &now, &(x.photos.len() as i64)],
    )
    .await?;
    tx.execute(
        "INSERT INTO changes (report_id, status, at, unit_code, due_at) VALUES ($1, 'reopened', $2, $3, $4)",
        &[&report_id, &now, &x.unit_code, &x.due_at],
    )
    .await?;
    let action = if x.kind == "contest" { "contested" } else { "reopened" };
    tx.execute(
        "INSERT INTO report_events (report_id, at, action, unit_code, detail) VALUES ($1, $2, $3, $4, $5)",
        &[&report_id, &now, &action, &x.unit_code, &x.reason],
    )
    .await?;
    let next: i64 = tx
        .query_one("SELECT coalesce(max(position) + 1, 0) FROM photo_decls WHERE report_id = $1", &[&report_id])
        .await?
        .try_get(0)?;
    for (i, p) in x.photos.iter().enumerate() {
        let taken: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM photo_decls WHERE photo_id = $1)", &[&p.id])
            .await?
            .try_get(0)?;
        if taken {
            return Err(StorageError::PhotoIdTaken);
        }
        tx.execute(
            "INSERT INTO photo_decls (report_id, photo_id, sha256, bytes, position) VALUES ($1, $2, $3, $4, $5)",
            &[&report_id, &p.id, &p.sha256, &(p.bytes as i64), &(next + i as i64)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn follow(
    c: &mut Object,
    report_id: i64,
    device: &str,
    me_too: bool,
    photos: &[DeclaredPhoto],
    now: i64,
) -> Result<(), StorageError> {
    let tx = c.transaction().await?;
    tx.execute(
        "INSERT INTO follows (report_id, device_id, me_too, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (report_id, device_id) DO UPDATE SET me_too = follows.me_too OR excluded.me_too",
        &[&report_id, &device, &me_too, &now],
    )
    .await?;
    for p in photos {
        let owner = tx.query_opt("SELECT report_id, follower FROM photo_decls WHERE photo_id = $1", &[&p.id]).await?;
        if let Some(owner) = owner {
            let (r, f): (i64, Option<String>) = (owner.try_get(0)?, owner.try_get(1)?);
            // Declared before by this very follow: a resend.
            if r == report_id && f.as_deref() == Some(device) {
                continue;
            }
            return Err(StorageError::PhotoIdTaken);
        }
        tx.execute(
            "INSERT INTO photo_decls (report_id, photo_id, sha256, bytes, position, follower)
             VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position) + 1, 0) FROM photo_decls WHERE report_id = $1), $5)",
            &[&report_id, &p.id, &p.sha256, &(p.bytes as i64), &device],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// (followers, of them "me too").
pub(super) async fn followers(c: &impl GenericClient, report_id: i64) -> Result<(i64, i64), StorageError> {
    let stmt =
        c.prepare_cached("SELECT count(*), count(*) FILTER (WHERE me_too) FROM follows WHERE report_id = $1").await?;
    let row = c.query_one(&stmt, &[&report_id]).await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

pub(super) async fn rating(c: &impl GenericClient, report_id: i64) -> Result<Option<RatingView>, StorageError> {
    let stmt = c.prepare_cached("SELECT score, comment, on_behalf, at FROM ratings WHERE report_id = $1").await?;
    c.query_opt(&stmt, &[&report_id])
        .await?
        .map(|r| {
            Ok(RatingView {
                score: r.try_get(0)?,
                comment: r.try_get(1)?,
                on_behalf: r.try_get(2)?,
                at: rfc3339(r.try_get(3)?),
            })
        })
        .transpose()
}

pub(super) async fn reopens(c: &impl GenericClient, report_id: i64) -> Result<Vec<ReopenEntry>, StorageError> {
    let stmt = c.prepare_cached("SELECT kind, reason, at FROM reopens WHERE report_id = $1 ORDER BY id").await?;
    c.query(&stmt, &[&report_id])
        .await?
        .iter()
        .map(|r| Ok(ReopenEntry { kind: r.try_get(0)?, reason: r.try_get(1)?, at: rfc3339(r.try_get(2)?) }))
        .collect()
}

/// The units' figures: reports received in `[from, to)`, with the ratings
/// and reopens made in it (the rules are the SQLite store's).
pub(super) async fn unit_stats(
    c: &impl GenericClient,
    from: i64,
    to: i64,
    now: i64,
    top: &str,
) -> Result<Vec<UnitStats>, StorageError> {
    use std::collections::BTreeMap;
    let mut by_unit: BTreeMap<String, UnitStats> = BTreeMap::new();
    let rows = c
        .query(
            "SELECT coalesce(r.unit_code, $4), count(*),
                    count(*) FILTER (WHERE r.closed_at IS NULL),
                    count(*) FILTER (WHERE r.closed_at IS NULL AND r.due_at IS NOT NULL AND r.due_at <= $3),
                    count(*) FILTER (WHERE r.closed_at IS NOT NULL),
                    count(*) FILTER (WHERE r.closed_at IS NOT NULL AND (r.due_at IS NULL OR r.closed_at <= r.due_at)
                        AND NOT EXISTS (SELECT 1 FROM reopens x WHERE x.report_id = r.id AND x.kind = 'reopen'))
             FROM reports r
             WHERE r.created_at >= $1 AND r.created_at < $2 AND r.duplicate_of IS NULL
             GROUP BY 1",
            &[&from, &to, &now, &top],
        )
        .await?;
    for r in &rows {
        let unit: String = r.try_get(0)?;
        by_unit.insert(
            unit.clone(),
            UnitStats {
                unit,
                received: r.try_get(1)?,
                open: r.try_get(2)?,
                overdue: r.try_get(3)?,
                closed: r.try_get(4)?,
                closed_on_time: r.try_get(5)?,
                ..Default::default()
            },
        );
    }
    let rows = c
        .query(
            "SELECT coalesce(from_unit, $3), count(*) FROM reopens
             WHERE kind = 'reopen' AND at >= $1 AND at < $2 GROUP BY 1",
            &[&from, &to, &top],
        )
        .await?;
    for r in &rows {
        let (unit, n): (String, i64) = (r.try_get(0)?, r.try_get(1)?);
        by_unit.entry(unit.clone()).or_insert_with(|| UnitStats { unit, ..Default::default() }).reopened = n;
    }
    let rows = c
        .query(
            "SELECT coalesce(unit_code, $3), score, count(*) FROM ratings WHERE at >= $1 AND at < $2 GROUP BY 1, 2",
            &[&from, &to, &top],
        )
        .await?;
    for r in &rows {
        let (unit, score, n): (String, String, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let entry = by_unit.entry(unit.clone()).or_insert_with(|| UnitStats { unit, ..Default::default() });
        match score.as_str() {
            "satisfied" => entry.satisfied = n,
            "acceptable" => entry.acceptable = n,
            _ => entry.not_satisfied = n,
        }
    }
    Ok(by_unit.into_values().collect())
}

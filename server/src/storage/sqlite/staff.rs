//! Staff accounts, sessions, and the dashboard's reads and writes.

use phananh_protocol::text::fold_query;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::storage::Staff;
use crate::storage::StorageError;
use crate::storage::{HistoryEntry, ReportFilter, StaffReport, StatusUpdate};
use phananh_protocol::vn_time::rfc3339;

pub(super) fn put(c: &Connection, name: &str, password_hash: &str, now: i64) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO staff (name, password_hash, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET password_hash = ?2",
        params![name, password_hash, now],
    )?;
    Ok(())
}

pub(super) fn count(c: &Connection) -> Result<i64, StorageError> {
    Ok(c.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?)
}

pub(super) fn credentials(c: &Connection, name: &str) -> Result<Option<(i64, String)>, StorageError> {
    Ok(c.query_row("SELECT id, password_hash FROM staff WHERE name = ?1", [name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub(super) fn open_session(
    c: &mut Connection,
    token_hash: &str,
    staff_id: i64,
    csrf: &str,
    expires_at: i64,
    now: i64,
) -> Result<(), StorageError> {
    let tx = c.savepoint()?;
    tx.execute("DELETE FROM staff_sessions WHERE expires_at < ?1", [now])?;
    tx.execute(
        "INSERT INTO staff_sessions (token_hash, staff_id, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, staff_id, csrf, expires_at],
    )?;
    tx.commit()?;
    Ok(())
}

pub(super) fn session(c: &Connection, token_hash: &str, now: i64) -> Result<Option<Staff>, StorageError> {
    Ok(c.query_row(
        "SELECT s.id, s.name, x.csrf, x.token_hash FROM staff_sessions x JOIN staff s ON s.id = x.staff_id
         WHERE x.token_hash = ?1 AND x.expires_at > ?2",
        params![token_hash, now],
        |r| Ok(Staff { id: r.get(0)?, name: r.get(1)?, csrf: r.get(2)?, session: r.get(3)? }),
    )
    .optional()?)
}

pub(super) fn close_session(c: &Connection, token_hash: &str) -> Result<(), StorageError> {
    c.execute("DELETE FROM staff_sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

const COLUMNS: &str =
    "r.id, r.tracking_code, r.client_id, r.category, r.description, r.status, r.lat, r.lon, r.address,
     r.reporter_name, r.reporter_phone, r.anonymous, r.for_name, r.for_phone, r.consent,
     (SELECT d.tracking_code FROM reports d WHERE d.id = r.duplicate_of), r.photos_expected, r.created_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, StaffReport)> {
    Ok((
        r.get(0)?,
        StaffReport {
            tracking_code: r.get(1)?,
            client_id: r.get(2)?,
            category: r.get(3)?,
            description: r.get(4)?,
            status: r.get(5)?,
            lat: r.get(6)?,
            lon: r.get(7)?,
            address: r.get(8)?,
            reporter_name: r.get(9)?,
            reporter_phone: r.get(10)?,
            anonymous: r.get(11)?,
            for_name: r.get(12)?,
            for_phone: r.get(13)?,
            consent: r.get(14)?,
            duplicate_of: r.get(15)?,
            photos_expected: r.get(16)?,
            received_at: rfc3339(r.get(17)?),
            photos: Vec::new(),
            history: Vec::new(),
        },
    ))
}

/// Reports matching the filters, newest first.
pub(super) fn reports(c: &Connection, f: &ReportFilter, now: i64) -> Result<Vec<StaffReport>, StorageError> {
    let mut sql = format!("SELECT {COLUMNS} FROM reports r WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(s.to_owned()));
        sql.push_str(&format!(" AND r.status = ?{}", args.len()));
    }
    if let Some(cat) = f.category.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(cat.to_owned()));
        sql.push_str(&format!(" AND r.category = ?{}", args.len()));
    }
    if let Some(days) = f.older_than_days.filter(|d| *d > 0) {
        args.push(Value::Integer(now - i64::from(days) * 86_400_000));
        sql.push_str(&format!(" AND r.created_at <= ?{}", args.len()));
    }
    // Every word must appear, accents optional (both sides folded).
    // At most 8 words of at most 64 characters: a query of 20 000 words
    // made SQLite refuse the statement ("Expression tree is too large").
    let words: Vec<String> = f.q.as_deref().map(fold_query).unwrap_or_default();
    for word in words.into_iter().take(8).map(|w| w.chars().take(64).collect::<String>()) {
        args.push(Value::Text(word));
        let n = args.len();
        sql.push_str(&format!(
            " AND (instr(r.description_fold, ?{n}) OR instr(lower(r.tracking_code), ?{n}) OR instr(lower(coalesce(r.address, '')), ?{n}))"
        ));
    }
    args.push(Value::Integer(i64::from(f.limit.unwrap_or(50).clamp(1, 500))));
    args.push(Value::Integer(i64::from(f.offset.unwrap_or(0))));
    sql.push_str(&format!(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?{} OFFSET ?{}", args.len() - 1, args.len()));
    let rows = c.prepare(&sql)?.query_map(params_from_iter(args), from_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|(id, r)| complete(c, id, r)).collect()
}

fn complete(c: &Connection, id: i64, mut r: StaffReport) -> Result<StaffReport, StorageError> {
    let count: i64 = c.query_row("SELECT count(*) FROM photos WHERE report_id = ?1", [id], |x| x.get(0))?;
    r.photos = (0..count).map(|n| format!("/r/{}/photo/{n}", r.tracking_code)).collect();
    r.history = super::reports::history(c, id)?
        .into_iter()
        .map(|(status, reply, at)| HistoryEntry { status, reply, at: rfc3339(at) })
        .collect();
    Ok(r)
}

/// One report by tracking code.
pub(super) fn report(c: &Connection, code: &str) -> Result<Option<StaffReport>, StorageError> {
    let row = c
        .query_row(&format!("SELECT {COLUMNS} FROM reports r WHERE r.tracking_code = ?1"), [code], from_row)
        .optional()?;
    row.map(|(id, r)| complete(c, id, r)).transpose()
}

pub(super) fn change_status(c: &mut Connection, change: &StatusUpdate, now: i64) -> Result<(), StorageError> {
    let tx = c.savepoint()?;
    let id: i64 = tx
        .query_row("SELECT id FROM reports WHERE tracking_code = ?1", [&change.tracking_code], |r| r.get(0))
        .optional()?
        .ok_or(StorageError::NotFound)?;
    tx.execute("UPDATE reports SET status = ?2, updated_at = ?3 WHERE id = ?1", params![id, change.status, now])?;
    tx.execute(
        "INSERT INTO changes (report_id, status, reply, staff_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, change.status, change.reply, change.staff_id, now],
    )?;
    tx.commit()?;
    Ok(())
}

pub(super) fn mark_duplicate(
    c: &mut Connection,
    staff: i64,
    code: &str,
    of: &str,
    reply: &str,
    now: i64,
) -> Result<(), StorageError> {
    if code == of {
        return Err(StorageError::SelfDuplicate);
    }
    let tx = c.savepoint()?;
    let find = |code: &str| -> Result<Option<(i64, String)>, StorageError> {
        Ok(tx
            .query_row("SELECT id, status FROM reports WHERE tracking_code = ?1", [code], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    };
    let (id, status) = find(code)?.ok_or(StorageError::NotFound)?;
    let (original, _) = find(of)?.ok_or(StorageError::NotFound)?;
    tx.execute("UPDATE reports SET duplicate_of = ?2, updated_at = ?3 WHERE id = ?1", params![id, original, now])?;
    tx.execute(
        "INSERT INTO changes (report_id, status, reply, staff_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, status, reply, staff, now],
    )?;
    tx.commit()?;
    Ok(())
}

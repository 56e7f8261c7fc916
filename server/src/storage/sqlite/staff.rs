//! Staff accounts, sessions, and the dashboard's reads and writes.

use phananh_protocol::text::fold_query;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::storage::StorageError;
use crate::storage::{
    EventEntry, ExtensionEntry, HistoryEntry, NoteEntry, ReportAction, ReportFilter, Role, StaffReport, StatusUpdate,
};
use crate::storage::{Staff, StaffAccount};
use phananh_protocol::vn_time::rfc3339;

pub(super) fn put(
    c: &Connection,
    name: &str,
    password_hash: &str,
    role: Role,
    unit: Option<&str>,
    now: i64,
) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO staff (name, password_hash, created_at, role, unit_code) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (name) DO UPDATE SET password_hash = ?2, role = ?4, unit_code = ?5, disabled_at = NULL",
        params![name, password_hash, now, role.code(), unit],
    )?;
    Ok(())
}

pub(super) fn officers_in(c: &Connection, unit: &str) -> Result<i64, StorageError> {
    Ok(c.query_row(
        "SELECT count(*) FROM staff WHERE role = 'officer' AND unit_code = ?1 AND disabled_at IS NULL",
        [unit],
        |r| r.get(0),
    )?)
}

/// Every account, by name.
pub(super) fn accounts(c: &Connection) -> Result<Vec<StaffAccount>, StorageError> {
    let mut stmt = c.prepare("SELECT name, role, unit_code, created_at, disabled_at FROM staff ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(StaffAccount {
            name: r.get(0)?,
            role: Role::from_code(&r.get::<_, String>(1)?).unwrap_or(Role::Leader),
            unit: r.get(2)?,
            created_at: r.get(3)?,
            disabled_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Disable an account and end its sessions.
pub(super) fn disable(c: &mut Connection, name: &str, now: i64) -> Result<(), StorageError> {
    let sp = c.savepoint()?;
    let n =
        sp.execute("UPDATE staff SET disabled_at = coalesce(disabled_at, ?2) WHERE name = ?1", params![name, now])?;
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    sp.execute("DELETE FROM staff_sessions WHERE staff_id = (SELECT id FROM staff WHERE name = ?1)", [name])?;
    sp.commit()?;
    Ok(())
}

pub(super) fn count(c: &Connection) -> Result<i64, StorageError> {
    Ok(c.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?)
}

pub(super) fn credentials(c: &Connection, name: &str) -> Result<Option<(i64, String)>, StorageError> {
    Ok(c.query_row("SELECT id, password_hash FROM staff WHERE name = ?1 AND disabled_at IS NULL", [name], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
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
        "SELECT s.id, s.name, x.csrf, x.token_hash, s.role, s.unit_code
         FROM staff_sessions x JOIN staff s ON s.id = x.staff_id
         WHERE x.token_hash = ?1 AND x.expires_at > ?2 AND s.disabled_at IS NULL",
        params![token_hash, now],
        |r| {
            Ok(Staff {
                id: r.get(0)?,
                name: r.get(1)?,
                csrf: r.get(2)?,
                session: r.get(3)?,
                // An unknown role (a newer server's) may do nothing more than read.
                role: Role::from_code(&r.get::<_, String>(4)?).unwrap_or(Role::Leader),
                unit: r.get(5)?,
            })
        },
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
     (SELECT d.tracking_code FROM reports d WHERE d.id = r.duplicate_of), r.photos_expected, r.created_at,
     r.unit_code, r.priority, r.ack_due_at, r.due_at, r.acknowledged_at, r.closed_at, nullif(r.place_code, '')";

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
            fix_photos: Vec::new(),
            history: Vec::new(),
            unit: r.get(18)?,
            priority: r.get(19)?,
            ack_due_at: r.get::<_, Option<i64>>(20)?.map(rfc3339),
            due_at: r.get::<_, Option<i64>>(21)?.map(rfc3339),
            due_at_ms: r.get(21)?,
            acknowledged_at: r.get::<_, Option<i64>>(22)?.map(rfc3339),
            closed_at: r.get::<_, Option<i64>>(23)?.map(rfc3339),
            place: r.get(24)?,
            phones_hidden: false,
            rating: None,
            follower_photos: Vec::new(),
            followers: 0,
            me_too: 0,
            reopens: Vec::new(),
            events: Vec::new(),
            notes: Vec::new(),
            extensions: Vec::new(),
        },
    ))
}

/// The text a search looks in, as the index holds it
/// ([`crate::storage::searchable`]): a space, the folded description, the
/// tracking code, the folded address.
const SEARCHABLE: &str = "' ' || r.description_fold || ' ' || lower(r.tracking_code) || ' ' || r.address_fold";

/// Below this many index matches, a text search reads them through the
/// index; at or above, it reads the newest reports and checks each.
const INDEX_WHEN_FEWER: i64 = 2000;

/// Reports matching the filters, newest first.
pub(super) fn reports(c: &Connection, f: &ReportFilter, now: i64) -> Result<Vec<StaffReport>, StorageError> {
    let (clause, mut args) = filter_clause(c, f, now)?;
    let mut sql = format!("SELECT {COLUMNS} FROM reports r WHERE 1{clause}");
    args.push(Value::Integer(i64::from(f.limit.unwrap_or(50).clamp(1, 500))));
    args.push(Value::Integer(i64::from(f.offset.unwrap_or(0))));
    // Residents' weight first, when asked: the most followed, then newest.
    let order = match f.sort.as_deref() {
        Some("followers") => {
            "(SELECT count(*) FROM follows x WHERE x.report_id = r.id) DESC, r.created_at DESC, r.id DESC"
        }
        _ => "r.created_at DESC, r.id DESC",
    };
    sql.push_str(&format!(" ORDER BY {order} LIMIT ?{} OFFSET ?{}", args.len() - 1, args.len()));
    let rows = c.prepare(&sql)?.query_map(params_from_iter(args), from_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|(id, r)| complete(c, id, r)).collect()
}

/// The filters as SQL over `reports r`: a clause of ` AND …` conditions and
/// its numbered arguments (`?1`…), shared by the list, the map and the
/// exports so that all three show the same reports for the same filters.
pub(super) fn filter_clause(c: &Connection, f: &ReportFilter, now: i64) -> Result<(String, Vec<Value>), StorageError> {
    let mut sql = String::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(s.to_owned()));
        sql.push_str(&format!(" AND r.status = ?{}", args.len()));
    }
    if let Some(cat) = f.category.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(cat.to_owned()));
        sql.push_str(&format!(" AND r.category = ?{}", args.len()));
    }
    if let Some(unit) = f.unit.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(unit.to_owned()));
        sql.push_str(&format!(" AND r.unit_code = ?{}", args.len()));
    }
    if let Some(scope) = &f.scope {
        // An officer's units; reports from before units belong to none.
        let mut list = Vec::new();
        for unit in scope {
            args.push(Value::Text(unit.clone()));
            list.push(format!("?{}", args.len()));
        }
        if list.is_empty() {
            sql.push_str(" AND 0");
        } else {
            sql.push_str(&format!(" AND r.unit_code IN ({})", list.join(", ")));
        }
    }
    if let Some(p) = f.priority.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(p.to_owned()));
        sql.push_str(&format!(" AND r.priority = ?{}", args.len()));
    }
    const OPEN: &str = "r.status IN ('received', 'assigned', 'in_progress', 'reopened') AND r.duplicate_of IS NULL";
    match f.queue.as_deref().unwrap_or_default() {
        // Not taken up: no status past "received" yet, so neither
        // acknowledged nor closed (the partial index holds exactly these).
        "new" => sql.push_str(" AND r.acknowledged_at IS NULL AND r.closed_at IS NULL AND r.duplicate_of IS NULL"),
        "due_soon" => {
            args.push(Value::Integer(now));
            args.push(Value::Integer(f.due_soon_before.unwrap_or(now)));
            sql.push_str(&format!(" AND {OPEN} AND r.due_at > ?{} AND r.due_at <= ?{}", args.len() - 1, args.len()));
        }
        "overdue" => {
            args.push(Value::Integer(now));
            sql.push_str(&format!(" AND {OPEN} AND r.due_at <= ?{}", args.len()));
        }
        _ => {}
    }
    if let Some(days) = f.older_than_days.filter(|d| *d > 0) {
        args.push(Value::Integer(now - i64::from(days) * 86_400_000));
        sql.push_str(&format!(" AND r.created_at <= ?{}", args.len()));
    }
    if let Some(commune) = f.commune.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(commune.to_owned()));
        sql.push_str(&format!(" AND r.place_code = ?{}", args.len()));
    }
    if let Some(from) = f.received_from {
        args.push(Value::Integer(from));
        sql.push_str(&format!(" AND r.created_at >= ?{}", args.len()));
    }
    if let Some(before) = f.received_before {
        args.push(Value::Integer(before));
        sql.push_str(&format!(" AND r.created_at < ?{}", args.len()));
    }
    // Every word must appear, accents optional (both sides folded). At
    // most 8 words of at most 64 characters: a query of 20 000 words made
    // SQLite refuse the statement ("Expression tree is too large").
    let words: Vec<String> = f.q.as_deref().map(fold_query).unwrap_or_default();
    let words: Vec<String> = words.into_iter().take(8).map(|w| w.chars().take(64).collect()).collect();
    // A word of three letters or more matches anywhere in the text; a
    // shorter one ("gà", "số") at the start of a word, else it would match
    // inside most others. As a pattern, a short word gets the space before
    // it, which also gives a two-letter word the three characters the
    // trigram index needs.
    let patterns: Vec<String> =
        words.iter().map(|w| if w.chars().count() >= 3 { w.clone() } else { format!(" {w}") }).collect();
    // The index pays when the words are rare (a search matching nothing
    // costs a probe, not a read of every report); when they are common
    // ("thôn"), reading the newest reports and checking each finds a page
    // sooner than gathering every match. A bounded probe tells which.
    let indexed: Vec<&String> = patterns.iter().filter(|p| p.chars().count() >= 3).collect();
    let mut scan = patterns.clone();
    if !indexed.is_empty() {
        // Each pattern a quoted FTS5 string (a quote inside doubled): every
        // one must match, as a substring.
        let phrase = indexed.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect::<Vec<_>>().join(" ");
        let matches: i64 = c.query_row(
            "SELECT count(*) FROM (SELECT rowid FROM reports_search WHERE reports_search MATCH ?1 LIMIT ?2)",
            params![phrase, INDEX_WHEN_FEWER],
            |r| r.get(0),
        )?;
        if matches < INDEX_WHEN_FEWER {
            args.push(Value::Text(phrase));
            let n = args.len();
            sql.push_str(&format!(" AND r.id IN (SELECT rowid FROM reports_search WHERE reports_search MATCH ?{n})"));
            scan.retain(|p| p.chars().count() < 3);
        }
    }
    // One-letter words: the word index's prefixes ("z*"), by the same rule.
    let letters: Vec<&String> = words.iter().filter(|w| w.chars().count() == 1).collect();
    if !letters.is_empty() {
        let phrase = letters.iter().map(|w| format!("\"{}\"*", w.replace('"', "\"\""))).collect::<Vec<_>>().join(" ");
        let matches: i64 = c.query_row(
            "SELECT count(*) FROM (SELECT rowid FROM reports_words WHERE reports_words MATCH ?1 LIMIT ?2)",
            params![phrase, INDEX_WHEN_FEWER],
            |r| r.get(0),
        )?;
        if matches < INDEX_WHEN_FEWER {
            args.push(Value::Text(phrase));
            let n = args.len();
            sql.push_str(&format!(" AND r.id IN (SELECT rowid FROM reports_words WHERE reports_words MATCH ?{n})"));
            scan.retain(|p| p.chars().count() != 2);
        }
    }
    for pattern in scan {
        args.push(Value::Text(pattern));
        let n = args.len();
        sql.push_str(&format!(" AND instr({SEARCHABLE}, ?{n})"));
    }
    Ok((sql, args))
}

fn complete(c: &Connection, id: i64, mut r: StaffReport) -> Result<StaffReport, StorageError> {
    let count = |fix: i64| -> rusqlite::Result<i64> {
        c.query_row("SELECT count(*) FROM photos WHERE report_id = ?1 AND fix = ?2", params![id, fix], |x| x.get(0))
    };
    r.photos = (0..count(0)?).map(|n| format!("/r/{}/photo/{n}", r.tracking_code)).collect();
    r.fix_photos = (0..count(1)?).map(|n| format!("/r/{}/fix/{n}", r.tracking_code)).collect();
    r.follower_photos = (0..count(2)?).map(|n| format!("/staff/reports/{}/seen/{n}", r.tracking_code)).collect();
    (r.followers, r.me_too) = super::feedback::followers(c, id)?;
    r.rating = super::feedback::rating(c, id)?;
    r.reopens = super::feedback::reopens(c, id)?;
    r.history = super::reports::history(c, id)?
        .into_iter()
        .map(|h| HistoryEntry { status: h.status, reply: h.reply, at: rfc3339(h.at) })
        .collect();
    r.events = c
        .prepare_cached(
            "SELECT e.at, s.name, e.action, e.unit_code, e.detail FROM report_events e
             LEFT JOIN staff s ON s.id = e.staff_id WHERE e.report_id = ?1 ORDER BY e.seq",
        )?
        .query_map([id], |x| {
            Ok(EventEntry {
                at: rfc3339(x.get(0)?),
                staff: x.get(1)?,
                action: x.get(2)?,
                unit: x.get(3)?,
                detail: x.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    r.notes = c
        .prepare_cached(
            "SELECT n.at, coalesce(s.name, '?'), n.text FROM internal_notes n
             LEFT JOIN staff s ON s.id = n.staff_id WHERE n.report_id = ?1 ORDER BY n.seq",
        )?
        .query_map([id], |x| Ok(NoteEntry { at: rfc3339(x.get(0)?), staff: x.get(1)?, text: x.get(2)? }))?
        .collect::<Result<_, _>>()?;
    r.extensions = c
        .prepare_cached(
            "SELECT x.id, coalesce(s.name, '?'), x.reason, x.until, x.approved FROM extensions x
             LEFT JOIN staff s ON s.id = x.requested_by WHERE x.report_id = ?1 ORDER BY x.id",
        )?
        .query_map([id], |x| {
            Ok(ExtensionEntry {
                id: x.get(0)?,
                requested_by: x.get(1)?,
                reason: x.get(2)?,
                until: rfc3339(x.get(3)?),
                approved: x.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
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
    let closed = matches!(change.status.as_str(), "resolved" | "rejected");
    tx.execute(
        "UPDATE reports SET status = ?2, updated_at = ?3,
             acknowledged_at = CASE WHEN ?2 IN ('in_progress', 'resolved', 'rejected')
                 THEN coalesce(acknowledged_at, ?3) ELSE acknowledged_at END,
             closed_at = CASE WHEN ?4 THEN ?3 ELSE NULL END
         WHERE id = ?1",
        params![id, change.status, now, closed],
    )?;
    tx.execute(
        "INSERT INTO changes (report_id, status, reply, staff_id, at, unit_code, due_at)
         SELECT ?1, ?2, ?3, ?4, ?5, unit_code, due_at FROM reports WHERE id = ?1",
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
        "INSERT INTO changes (report_id, status, reply, staff_id, at, unit_code, due_at)
         SELECT ?1, ?2, ?3, ?4, ?5, unit_code, due_at FROM reports WHERE id = ?1",
        params![id, status, reply, staff, now],
    )?;
    tx.commit()?;
    Ok(())
}

/// Something staff do to a report besides its status.
pub(super) fn act(
    c: &mut Connection,
    staff: i64,
    code: &str,
    action: &ReportAction,
    now: i64,
) -> Result<(), StorageError> {
    let tx = c.savepoint()?;
    let (id, status): (i64, String) = tx
        .query_row("SELECT id, status FROM reports WHERE tracking_code = ?1", [code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StorageError::NotFound)?;
    let event = |action: &str, unit: Option<&str>, detail: Option<&str>| {
        tx.execute(
            "INSERT INTO report_events (report_id, at, staff_id, action, unit_code, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, now, staff, action, unit, detail],
        )
    };
    match action {
        ReportAction::Assign { unit, reason, ack_due_at, due_at } => {
            // A report not yet taken up becomes "assigned"; one in progress
            // stays so with its new unit.
            let next = if status == "received" || status == "assigned" { "assigned" } else { status.as_str() };
            tx.execute(
                "UPDATE reports SET unit_code = ?2, status = ?3, ack_due_at = ?4, due_at = ?5, updated_at = ?6,
                     acknowledged_at = NULL
                 WHERE id = ?1",
                params![id, unit, next, ack_due_at, due_at, now],
            )?;
            event("assigned", Some(unit), reason.as_deref())?;
            // The resident sees the unit and deadline, never the reason.
            tx.execute(
                "INSERT INTO changes (report_id, status, staff_id, at, unit_code, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, next, staff, now, unit, due_at],
            )?;
        }
        ReportAction::HandBack { to, reason } => {
            tx.execute(
                "UPDATE reports SET unit_code = ?2, status = 'received', acknowledged_at = NULL, updated_at = ?3
                 WHERE id = ?1",
                params![id, to, now],
            )?;
            event("handed_back", Some(to), Some(reason))?;
        }
        ReportAction::Note { text } => {
            tx.execute(
                "INSERT INTO internal_notes (report_id, staff_id, text, at) VALUES (?1, ?2, ?3, ?4)",
                params![id, staff, text, now],
            )?;
        }
        ReportAction::Priority { priority, ack_due_at, due_at } => {
            tx.execute(
                "UPDATE reports SET priority = ?2, ack_due_at = ?3, due_at = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, priority, ack_due_at, due_at, now],
            )?;
            event("priority", None, Some(priority))?;
        }
        ReportAction::RequestExtension { reason, until } => {
            tx.execute(
                "INSERT INTO extensions (report_id, requested_by, reason, until, requested_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, staff, reason, until, now],
            )?;
            event("extension_requested", None, Some(&format!("{} — {reason}", rfc3339(*until))))?;
        }
        ReportAction::DecideExtension { id: request, approve } => {
            let until: i64 = tx
                .query_row(
                    "SELECT until FROM extensions WHERE id = ?1 AND report_id = ?2 AND approved IS NULL",
                    params![request, id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or(StorageError::NotFound)?;
            tx.execute(
                "UPDATE extensions SET decided_by = ?2, decided_at = ?3, approved = ?4 WHERE id = ?1",
                params![request, staff, now, approve],
            )?;
            if *approve {
                tx.execute("UPDATE reports SET due_at = ?2, updated_at = ?3 WHERE id = ?1", params![id, until, now])?;
                event("extension_approved", None, Some(&rfc3339(until)))?;
                // The resident sees the new deadline.
                tx.execute(
                    "INSERT INTO changes (report_id, status, staff_id, at, unit_code, due_at)
                     SELECT ?1, status, ?2, ?3, unit_code, due_at FROM reports WHERE id = ?1",
                    params![id, staff, now],
                )?;
            } else {
                event("extension_refused", None, Some(&rfc3339(until)))?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

//! Staff accounts, sessions, and the dashboard's reads and writes.

use deadpool_postgres::{GenericClient, Object};
use phananh_protocol::text::fold_query;
use phananh_protocol::vn_time::rfc3339;
use tokio_postgres::Row;

use super::{Args, lock_feed};
use crate::storage::StorageError;
use crate::storage::{
    EventEntry, ExtensionEntry, HistoryEntry, NoteEntry, ReportAction, ReportFilter, Role, StaffReport, StatusUpdate,
};
use crate::storage::{Staff, StaffAccount};

pub(super) async fn put(
    c: &impl GenericClient,
    name: &str,
    password_hash: &str,
    role: Role,
    unit: Option<&str>,
    now: i64,
) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO staff (name, password_hash, created_at, role, unit_code) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name) DO UPDATE SET password_hash = $2, role = $4, unit_code = $5, disabled_at = NULL",
        &[&name, &password_hash, &now, &role.code(), &unit],
    )
    .await?;
    Ok(())
}

pub(super) async fn officers_in(c: &impl GenericClient, unit: &str) -> Result<i64, StorageError> {
    let row = c
        .query_one(
            "SELECT count(*) FROM staff WHERE role = 'officer' AND unit_code = $1 AND disabled_at IS NULL",
            &[&unit],
        )
        .await?;
    Ok(row.try_get(0)?)
}

/// Every account, by name.
pub(super) async fn accounts(c: &impl GenericClient) -> Result<Vec<StaffAccount>, StorageError> {
    c.query("SELECT name, role, unit_code, created_at, disabled_at FROM staff ORDER BY name", &[])
        .await?
        .iter()
        .map(|r| {
            Ok(StaffAccount {
                name: r.try_get(0)?,
                role: Role::from_code(r.try_get(1)?).unwrap_or(Role::Leader),
                unit: r.try_get(2)?,
                created_at: r.try_get(3)?,
                disabled_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// Disable an account and end its sessions.
pub(super) async fn disable(c: &mut Object, name: &str, now: i64) -> Result<(), StorageError> {
    let tx = c.transaction().await?;
    let n =
        tx.execute("UPDATE staff SET disabled_at = coalesce(disabled_at, $2) WHERE name = $1", &[&name, &now]).await?;
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    tx.execute("DELETE FROM staff_sessions WHERE staff_id = (SELECT id FROM staff WHERE name = $1)", &[&name]).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn credentials(c: &impl GenericClient, name: &str) -> Result<Option<(i64, String)>, StorageError> {
    let row =
        c.query_opt("SELECT id, password_hash FROM staff WHERE name = $1 AND disabled_at IS NULL", &[&name]).await?;
    Ok(row.map(|r| Ok::<_, tokio_postgres::Error>((r.try_get(0)?, r.try_get(1)?))).transpose()?)
}

pub(super) async fn open_session(
    c: &mut Object,
    token_hash: &str,
    staff_id: i64,
    csrf: &str,
    expires_at: i64,
    now: i64,
) -> Result<(), StorageError> {
    let tx = c.transaction().await?;
    tx.execute("DELETE FROM staff_sessions WHERE expires_at < $1", &[&now]).await?;
    tx.execute(
        "INSERT INTO staff_sessions (token_hash, staff_id, csrf, expires_at) VALUES ($1, $2, $3, $4)",
        &[&token_hash, &staff_id, &csrf, &expires_at],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn session(c: &impl GenericClient, token_hash: &str, now: i64) -> Result<Option<Staff>, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT s.id, s.name, x.csrf, x.token_hash, s.role, s.unit_code
             FROM staff_sessions x JOIN staff s ON s.id = x.staff_id
             WHERE x.token_hash = $1 AND x.expires_at > $2 AND s.disabled_at IS NULL",
        )
        .await?;
    c.query_opt(&stmt, &[&token_hash, &now])
        .await?
        .map(|r| {
            Ok(Staff {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                csrf: r.try_get(2)?,
                session: r.try_get(3)?,
                // An unknown role (a newer server's) may do nothing more than read.
                role: Role::from_code(r.try_get(4)?).unwrap_or(Role::Leader),
                unit: r.try_get(5)?,
            })
        })
        .transpose()
}

const COLUMNS: &str =
    "r.id, r.tracking_code, r.client_id, r.category, r.description, r.status, r.lat, r.lon, r.address,
     r.reporter_name, r.reporter_phone, r.anonymous, r.for_name, r.for_phone, r.consent,
     (SELECT d.tracking_code FROM reports d WHERE d.id = r.duplicate_of), r.photos_expected, r.created_at,
     r.unit_code, r.priority, r.ack_due_at, r.due_at, r.acknowledged_at, r.closed_at, nullif(r.place_code, '')";

fn from_row(r: &Row) -> Result<(i64, StaffReport), StorageError> {
    Ok((
        r.try_get(0)?,
        StaffReport {
            tracking_code: r.try_get(1)?,
            client_id: r.try_get(2)?,
            category: r.try_get(3)?,
            description: r.try_get(4)?,
            status: r.try_get(5)?,
            lat: r.try_get(6)?,
            lon: r.try_get(7)?,
            address: r.try_get(8)?,
            reporter_name: r.try_get(9)?,
            reporter_phone: r.try_get(10)?,
            anonymous: r.try_get(11)?,
            for_name: r.try_get(12)?,
            for_phone: r.try_get(13)?,
            consent: r.try_get(14)?,
            duplicate_of: r.try_get(15)?,
            photos_expected: r.try_get(16)?,
            received_at: rfc3339(r.try_get(17)?),
            photos: Vec::new(),
            fix_photos: Vec::new(),
            history: Vec::new(),
            unit: r.try_get(18)?,
            priority: r.try_get(19)?,
            ack_due_at: r.try_get::<_, Option<i64>>(20)?.map(rfc3339),
            due_at: r.try_get::<_, Option<i64>>(21)?.map(rfc3339),
            due_at_ms: r.try_get(21)?,
            acknowledged_at: r.try_get::<_, Option<i64>>(22)?.map(rfc3339),
            closed_at: r.try_get::<_, Option<i64>>(23)?.map(rfc3339),
            place: r.try_get(24)?,
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

/// Reports matching the filters, newest first.
pub(super) async fn reports(
    c: &impl GenericClient,
    f: &ReportFilter,
    now: i64,
) -> Result<Vec<StaffReport>, StorageError> {
    let (clause, mut args) = filter_clause(f, now);
    let limit = args.push(i64::from(f.limit.unwrap_or(50).clamp(1, 500)));
    let offset = args.push(i64::from(f.offset.unwrap_or(0)));
    // Residents' weight first, when asked: the most followed, then newest.
    let order = match f.sort.as_deref() {
        Some("followers") => {
            "(SELECT count(*) FROM follows x WHERE x.report_id = r.id) DESC, r.created_at DESC, r.id DESC"
        }
        _ => "r.created_at DESC, r.id DESC",
    };
    let sql =
        format!("SELECT {COLUMNS} FROM reports r WHERE true{clause} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
    let rows = c.query(&sql, &args.refs()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let (id, r) = from_row(row)?;
        out.push(complete(c, id, r).await?);
    }
    Ok(out)
}

/// `%`, `_` and `\` stand for themselves in a LIKE pattern.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The filters as SQL over `reports r` (the SQLite store's rules, in
/// PostgreSQL's words): a clause of ` AND …` conditions and its arguments,
/// shared by the list, the map and the exports.
pub(super) fn filter_clause(f: &ReportFilter, now: i64) -> (String, Args) {
    let mut sql = String::new();
    let mut args = Args::default();
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(&format!(" AND r.status = {}", args.push(s.to_owned())));
    }
    if let Some(cat) = f.category.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(&format!(" AND r.category = {}", args.push(cat.to_owned())));
    }
    if let Some(unit) = f.unit.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(&format!(" AND r.unit_code = {}", args.push(unit.to_owned())));
    }
    if let Some(scope) = &f.scope {
        // An officer's units; reports from before units belong to none.
        sql.push_str(&format!(" AND r.unit_code = ANY({})", args.push(scope.clone())));
    }
    if let Some(p) = f.priority.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(&format!(" AND r.priority = {}", args.push(p.to_owned())));
    }
    const OPEN: &str = "r.status IN ('received', 'assigned', 'in_progress', 'reopened') AND r.duplicate_of IS NULL";
    match f.queue.as_deref().unwrap_or_default() {
        "new" => sql.push_str(" AND r.acknowledged_at IS NULL AND r.closed_at IS NULL AND r.duplicate_of IS NULL"),
        "due_soon" => {
            let (at, before) = (args.push(now), args.push(f.due_soon_before.unwrap_or(now)));
            sql.push_str(&format!(" AND {OPEN} AND r.due_at > {at} AND r.due_at <= {before}"));
        }
        "overdue" => sql.push_str(&format!(" AND {OPEN} AND r.due_at <= {}", args.push(now))),
        _ => {}
    }
    if let Some(days) = f.older_than_days.filter(|d| *d > 0) {
        sql.push_str(&format!(" AND r.created_at <= {}", args.push(now - i64::from(days) * 86_400_000)));
    }
    if let Some(commune) = f.commune.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(&format!(" AND r.place_code = {}", args.push(commune.to_owned())));
    }
    if let Some(from) = f.received_from {
        sql.push_str(&format!(" AND r.created_at >= {}", args.push(from)));
    }
    if let Some(before) = f.received_before {
        sql.push_str(&format!(" AND r.created_at < {}", args.push(before)));
    }
    // Every word must appear, accents optional (both sides folded); at most
    // 8 words of at most 64 characters. A word of three letters or more
    // matches anywhere; a shorter one at the start of a word (the space
    // before it is part of the pattern). The trigram index serves patterns
    // of three characters or more; the planner picks it or the newest-first
    // scan, as SQLite's store picks by a probe.
    let words: Vec<String> = f.q.as_deref().map(fold_query).unwrap_or_default();
    for word in words.into_iter().take(8) {
        let word: String = word.chars().take(64).collect();
        let pattern = if word.chars().count() >= 3 { word } else { format!(" {word}") };
        sql.push_str(&format!(" AND r.searchable LIKE {}", args.push(format!("%{}%", like_escape(&pattern)))));
    }
    (sql, args)
}

async fn complete(c: &impl GenericClient, id: i64, mut r: StaffReport) -> Result<StaffReport, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE fix = 0), count(*) FILTER (WHERE fix = 1), count(*) FILTER (WHERE fix = 2)
             FROM photos WHERE report_id = $1",
        )
        .await?;
    let counts = c.query_one(&stmt, &[&id]).await?;
    let (mine, fix, seen): (i64, i64, i64) = (counts.try_get(0)?, counts.try_get(1)?, counts.try_get(2)?);
    r.photos = (0..mine).map(|n| format!("/r/{}/photo/{n}", r.tracking_code)).collect();
    r.fix_photos = (0..fix).map(|n| format!("/r/{}/fix/{n}", r.tracking_code)).collect();
    r.follower_photos = (0..seen).map(|n| format!("/staff/reports/{}/seen/{n}", r.tracking_code)).collect();
    (r.followers, r.me_too) = super::feedback::followers(c, id).await?;
    r.rating = super::feedback::rating(c, id).await?;
    r.reopens = super::feedback::reopens(c, id).await?;
    r.history = super::reports::history(c, id)
        .await?
        .into_iter()
        .map(|h| HistoryEntry { status: h.status, reply: h.reply, at: rfc3339(h.at) })
        .collect();
    let stmt = c
        .prepare_cached(
            "SELECT e.at, s.name, e.action, e.unit_code, e.detail FROM report_events e
             LEFT JOIN staff s ON s.id = e.staff_id WHERE e.report_id = $1 ORDER BY e.seq",
        )
        .await?;
    r.events = c
        .query(&stmt, &[&id])
        .await?
        .iter()
        .map(|x| {
            Ok(EventEntry {
                at: rfc3339(x.try_get(0)?),
                staff: x.try_get(1)?,
                action: x.try_get(2)?,
                unit: x.try_get(3)?,
                detail: x.try_get(4)?,
            })
        })
        .collect::<Result<_, StorageError>>()?;
    let stmt = c
        .prepare_cached(
            "SELECT n.at, coalesce(s.name, '?'), n.text FROM internal_notes n
             LEFT JOIN staff s ON s.id = n.staff_id WHERE n.report_id = $1 ORDER BY n.seq",
        )
        .await?;
    r.notes = c
        .query(&stmt, &[&id])
        .await?
        .iter()
        .map(|x| Ok(NoteEntry { at: rfc3339(x.try_get(0)?), staff: x.try_get(1)?, text: x.try_get(2)? }))
        .collect::<Result<_, StorageError>>()?;
    let stmt = c
        .prepare_cached(
            "SELECT x.id, coalesce(s.name, '?'), x.reason, x.until, x.approved FROM extensions x
             LEFT JOIN staff s ON s.id = x.requested_by WHERE x.report_id = $1 ORDER BY x.id",
        )
        .await?;
    r.extensions = c
        .query(&stmt, &[&id])
        .await?
        .iter()
        .map(|x| {
            Ok(ExtensionEntry {
                id: x.try_get(0)?,
                requested_by: x.try_get(1)?,
                reason: x.try_get(2)?,
                until: rfc3339(x.try_get(3)?),
                approved: x.try_get(4)?,
            })
        })
        .collect::<Result<_, StorageError>>()?;
    Ok(r)
}

/// One report by tracking code.
pub(super) async fn report(c: &impl GenericClient, code: &str) -> Result<Option<StaffReport>, StorageError> {
    let stmt = c.prepare_cached(&format!("SELECT {COLUMNS} FROM reports r WHERE r.tracking_code = $1")).await?;
    let Some(row) = c.query_opt(&stmt, &[&code]).await? else { return Ok(None) };
    let (id, r) = from_row(&row)?;
    Ok(Some(complete(c, id, r).await?))
}

async fn report_by_code(tx: &impl GenericClient, code: &str) -> Result<(i64, String), StorageError> {
    // FOR UPDATE: two officers acting on one report at once go one after the other.
    let row = tx
        .query_opt("SELECT id, status FROM reports WHERE tracking_code = $1 FOR UPDATE", &[&code])
        .await?
        .ok_or(StorageError::NotFound)?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

pub(super) async fn change_status(c: &mut Object, change: &StatusUpdate, now: i64) -> Result<(), StorageError> {
    let tx = c.transaction().await?;
    lock_feed(&tx).await?;
    let (id, _) = report_by_code(&tx, &change.tracking_code).await?;
    let closed = matches!(change.status.as_str(), "resolved" | "rejected");
    tx.execute(
        "UPDATE reports SET status = $2, updated_at = $3,
             acknowledged_at = CASE WHEN $2 IN ('in_progress', 'resolved', 'rejected')
                 THEN coalesce(acknowledged_at, $3) ELSE acknowledged_at END,
             closed_at = CASE WHEN $4 THEN $3 ELSE NULL END
         WHERE id = $1",
        &[&id, &change.status, &now, &closed],
    )
    .await?;
    tx.execute(
        "INSERT INTO changes (report_id, status, reply, staff_id, at, unit_code, due_at)
         SELECT $1, $2, $3, $4, $5, unit_code, due_at FROM reports WHERE id = $1",
        &[&id, &change.status, &change.reply, &change.staff_id, &now],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn mark_duplicate(
    c: &mut Object,
    staff: i64,
    code: &str,
    of: &str,
    reply: &str,
    now: i64,
) -> Result<(), StorageError> {
    if code == of {
        return Err(StorageError::SelfDuplicate);
    }
    let tx = c.transaction().await?;
    lock_feed(&tx).await?;
    let (id, status) = report_by_code(&tx, code).await?;
    let original: i64 = tx
        .query_opt("SELECT id FROM reports WHERE tracking_code = $1", &[&of])
        .await?
        .ok_or(StorageError::NotFound)?
        .try_get(0)?;
    tx.execute("UPDATE reports SET duplicate_of = $2, updated_at = $3 WHERE id = $1", &[&id, &original, &now]).await?;
    tx.execute(
        "INSERT INTO changes (report_id, status, reply, staff_id, at, unit_code, due_at)
         SELECT $1, $2, $3, $4, $5, unit_code, due_at FROM reports WHERE id = $1",
        &[&id, &status, &reply, &staff, &now],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Something staff do to a report besides its status.
pub(super) async fn act(
    c: &mut Object,
    staff: i64,
    code: &str,
    action: &ReportAction,
    now: i64,
) -> Result<(), StorageError> {
    let tx = c.transaction().await?;
    // Assignments and approved extensions reach the feed.
    lock_feed(&tx).await?;
    let (id, status) = report_by_code(&tx, code).await?;
    let event = async |action: &str, unit: Option<&str>, detail: Option<&str>| -> Result<(), StorageError> {
        tx.execute(
            "INSERT INTO report_events (report_id, at, staff_id, action, unit_code, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&id, &now, &staff, &action, &unit, &detail],
        )
        .await?;
        Ok(())
    };
    match action {
        ReportAction::Assign { unit, reason, ack_due_at, due_at } => {
            // A report not yet taken up becomes "assigned"; one in progress
            // stays so with its new unit.
            let next = if status == "received" || status == "assigned" { "assigned" } else { status.as_str() };
            tx.execute(
                "UPDATE reports SET unit_code = $2, status = $3, ack_due_at = $4, due_at = $5, updated_at = $6,
                     acknowledged_at = NULL
                 WHERE id = $1",
                &[&id, unit, &next, ack_due_at, due_at, &now],
            )
            .await?;
            event("assigned", Some(unit), reason.as_deref()).await?;
            // The resident sees the unit and deadline, never the reason.
            tx.execute(
                "INSERT INTO changes (report_id, status, staff_id, at, unit_code, due_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &next, &staff, &now, unit, due_at],
            )
            .await?;
        }
        ReportAction::HandBack { to, reason } => {
            tx.execute(
                "UPDATE reports SET unit_code = $2, status = 'received', acknowledged_at = NULL, updated_at = $3
                 WHERE id = $1",
                &[&id, to, &now],
            )
            .await?;
            event("handed_back", Some(to), Some(reason)).await?;
        }
        ReportAction::Note { text } => {
            tx.execute(
                "INSERT INTO internal_notes (report_id, staff_id, text, at) VALUES ($1, $2, $3, $4)",
                &[&id, &staff, text, &now],
            )
            .await?;
        }
        ReportAction::Priority { priority, ack_due_at, due_at } => {
            tx.execute(
                "UPDATE reports SET priority = $2, ack_due_at = $3, due_at = $4, updated_at = $5 WHERE id = $1",
                &[&id, priority, ack_due_at, due_at, &now],
            )
            .await?;
            event("priority", None, Some(priority)).await?;
        }
        ReportAction::RequestExtension { reason, until } => {
            tx.execute(
                "INSERT INTO extensions (report_id, requested_by, reason, until, requested_at) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &staff, reason, until, &now],
            )
            .await?;
            event("extension_requested", None, Some(&format!("{} — {reason}", rfc3339(*until)))).await?;
        }
        ReportAction::DecideExtension { id: request, approve } => {
            let until: i64 = tx
                .query_opt(
                    "SELECT until FROM extensions WHERE id = $1 AND report_id = $2 AND approved IS NULL FOR UPDATE",
                    &[request, &id],
                )
                .await?
                .ok_or(StorageError::NotFound)?
                .try_get(0)?;
            tx.execute(
                "UPDATE extensions SET decided_by = $2, decided_at = $3, approved = $4 WHERE id = $1",
                &[request, &staff, &now, approve],
            )
            .await?;
            if *approve {
                tx.execute("UPDATE reports SET due_at = $2, updated_at = $3 WHERE id = $1", &[&id, &until, &now])
                    .await?;
                event("extension_approved", None, Some(&rfc3339(until))).await?;
                // The resident sees the new deadline.
                tx.execute(
                    "INSERT INTO changes (report_id, status, staff_id, at, unit_code, due_at)
                     SELECT $1, status, $2, $3, unit_code, due_at FROM reports WHERE id = $1",
                    &[&id, &staff, &now],
                )
                .await?;
            } else {
                event("extension_refused", None, Some(&rfc3339(until))).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

//! Reports: creation (idempotent), status, the changes feed, public reads.

use phananh_protocol::ServiceArea;
use phananh_protocol::text::fold;
use phananh_protocol::wire::{ReportStatus, StatusChange, UnitRef};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::storage::StorageError;
use crate::storage::{
    AttachedPhoto, ChangesSlice, Created, NewReport, Open311Filter, Open311Request, OpenReport, PublicReport,
    searchable,
};
use crate::tracking;
use phananh_protocol::vn_time::rfc3339;

/// The earlier answer's status if this exact report was already created by
/// this device; 422 if the id was used with another body (or by another device).
pub(super) fn replay(c: &Connection, id: &str, device: Option<&str>, hash: &str) -> Result<Option<u16>, StorageError> {
    let found: Option<(Option<String>, String, u16)> = c
        .query_row("SELECT device_id, body_hash, response_status FROM reports WHERE client_id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some((dev, h, status)) if dev.as_deref() == device && h == hash => Ok(Some(status)),
        Some(_) => Err(StorageError::IdReused),
    }
}

fn created(c: &Connection, client_id: &str) -> Result<Created, StorageError> {
    Ok(c.query_row("SELECT id, tracking_code FROM reports WHERE client_id = ?1", [client_id], |r| {
        Ok(Created { id: r.get(0)?, tracking_code: r.get(1)? })
    })?)
}

pub(super) fn create(c: &mut Connection, r: &NewReport, prefix: &str, now: i64) -> Result<Created, StorageError> {
    let tx = c.savepoint()?;
    // A concurrent duplicate that slipped past the replay check lands here,
    // serialised behind the first: answer it the same way.
    if replay(&tx, &r.client_id, r.device_id.as_deref(), &r.body_hash)?.is_some() {
        return created(&tx, &r.client_id);
    }
    // Photo ids are global: a second report declaring one already in use
    // could never have it attached. Refuse it now, clearly.
    for p in &r.photos {
        let taken: bool =
            tx.query_row("SELECT count(*) FROM photo_decls WHERE photo_id = ?1", [&p.id], |r| r.get(0))?;
        if taken {
            return Err(StorageError::PhotoIdTaken);
        }
    }
    let mut code = tracking::new_code(prefix);
    for _ in 0..5 {
        let taken: bool =
            tx.query_row("SELECT count(*) FROM reports WHERE tracking_code = ?1", [&code], |r| r.get(0))?;
        if !taken {
            break;
        }
        code = tracking::new_code(prefix);
    }
    tx.execute(
        "INSERT INTO reports (client_id, device_id, source, tracking_code, body_hash, response_status, category,
             description, description_fold, lat, lon, accuracy_m, address, reporter_name, reporter_phone, anonymous,
             for_name, for_phone, consent, photos_expected, client_created_at, created_at, updated_at,
             unit_code, priority, ack_due_at, due_at, media_url, place_code, address_fold)
         VALUES (?1, ?2, ?3, ?4, ?5, 201, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21,
             ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
        params![
            r.client_id,
            r.device_id,
            r.source.as_str(),
            code,
            r.body_hash,
            r.category,
            r.description,
            fold(&r.description),
            r.lat,
            r.lon,
            r.accuracy_m,
            r.address,
            r.reporter_name,
            r.reporter_phone,
            r.anonymous,
            r.for_name,
            r.for_phone,
            r.consent,
            i64::from(r.photos_expected),
            r.client_created_at,
            now,
            r.routing.unit_code,
            r.routing.priority,
            r.routing.ack_due_at,
            r.routing.due_at,
            r.media_url,
            // Placed: a commune's code, or '' when outside them all.
            r.lat.map(|_| r.routing.place_code.clone().unwrap_or_default()),
            fold(r.address.as_deref().unwrap_or("")),
        ],
    )?;
    let report_id = tx.last_insert_rowid();
    let searchable = searchable(&r.description, &code, r.address.as_deref());
    tx.execute("INSERT INTO reports_search (rowid, text) VALUES (?1, ?2)", params![report_id, searchable])?;
    tx.execute("INSERT INTO reports_words (rowid, text) VALUES (?1, ?2)", params![report_id, searchable])?;
    for (i, p) in r.photos.iter().enumerate() {
        tx.execute(
            "INSERT INTO photo_decls (report_id, photo_id, sha256, bytes, position) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![report_id, p.id, p.sha256, p.bytes as i64, i as i64],
        )?;
    }
    tx.execute(
        "INSERT INTO changes (report_id, status, at, unit_code, due_at) VALUES (?1, 'received', ?2, ?3, ?4)",
        params![report_id, now, r.routing.unit_code, r.routing.due_at],
    )?;
    tx.execute(
        "INSERT INTO report_events (report_id, at, action, unit_code, detail) VALUES (?1, ?2, 'routed', ?3, ?4)",
        params![report_id, now, r.routing.unit_code, r.routing.reason],
    )?;
    tx.commit()?;
    Ok(Created { id: report_id, tracking_code: code })
}

/// A report's status as its device sees it (`device: None` for staff).
pub(super) fn status(c: &Connection, client_id: &str, device: Option<&str>) -> Result<ReportStatus, StorageError> {
    type Row = (i64, Option<String>, String, String, i64, i64, Option<String>, String, Option<i64>);
    let row: Option<Row> = c
        .query_row(
            "SELECT id, device_id, tracking_code, status, photos_expected, created_at, unit_code, priority, due_at
             FROM reports WHERE client_id = ?1",
            [client_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)),
        )
        .optional()?;
    let Some((id, owner, code, status, expected, created, unit, priority, due_at)) = row else {
        return Err(StorageError::NotFound);
    };
    // Another device's report is "not found", never "forbidden": ids cannot be probed.
    if device.is_some() && owner.as_deref() != device {
        return Err(StorageError::NotFound);
    }
    let received: i64 =
        c.query_row("SELECT count(*) FROM photos WHERE report_id = ?1 AND fix = 0", [id], |r| r.get(0))?;
    let history = history(c, id)?
        .into_iter()
        .map(|h| StatusChange {
            client_id: client_id.to_owned(),
            tracking_code: code.clone(),
            status: h.status,
            reply: h.reply,
            at: rfc3339(h.at),
            unit: unit_ref(h.unit),
            due_at: h.due_at.map(rfc3339),
            followed: false,
        })
        .collect();
    let rating = super::feedback::rating(c, id)?.and_then(|g| {
        Some(phananh_protocol::wire::WireRating {
            score: phananh_protocol::Score::from_code(&g.score)?,
            comment: g.comment,
            on_behalf: g.on_behalf,
        })
    });
    Ok(ReportStatus {
        rating,
        client_id: client_id.to_owned(),
        // A path: the HTTP layer knows the address it is served at.
        public_url: format!("/r/{code}"),
        tracking_code: code,
        status,
        photos_expected: expected as u32,
        photos_received: received as u32,
        received_at: rfc3339(created),
        history,
        unit: unit_ref(unit),
        due_at: due_at.map(rfc3339),
        priority: Some(priority),
    })
}

/// A unit by code; its name is the HTTP layer's to fill, in the reader's language.
fn unit_ref(code: Option<String>) -> Option<UnitRef> {
    code.map(|code| UnitRef { code, name: String::new() })
}

/// One step of a report's resident-visible history.
pub(super) struct Step {
    pub(super) status: String,
    pub(super) reply: Option<String>,
    pub(super) at: i64,
    pub(super) unit: Option<String>,
    pub(super) due_at: Option<i64>,
}

/// A report's resident-visible history, oldest first.
pub(super) fn history(c: &Connection, report_id: i64) -> rusqlite::Result<Vec<Step>> {
    c.prepare_cached("SELECT status, reply, at, unit_code, due_at FROM changes WHERE report_id = ?1 ORDER BY seq")?
        .query_map([report_id], |r| {
            Ok(Step { status: r.get(0)?, reply: r.get(1)?, at: r.get(2)?, unit: r.get(3)?, due_at: r.get(4)? })
        })?
        .collect()
}

pub(super) fn changes(c: &Connection, device: &str, after: i64, limit: u32) -> Result<ChangesSlice, StorageError> {
    let mut rows = c
        .prepare_cached(
            "SELECT ch.seq, r.client_id, r.tracking_code, ch.status, ch.reply, ch.at, ch.unit_code, ch.due_at,
                    coalesce(r.device_id, '') <> ?1
             FROM changes ch JOIN reports r ON r.id = ch.report_id
             WHERE (r.device_id = ?1 OR r.id IN (SELECT f.report_id FROM follows f WHERE f.device_id = ?1))
               AND ch.seq > ?2
             ORDER BY ch.seq LIMIT ?3",
        )?
        .query_map(params![device, after, i64::from(limit) + 1], |r| {
            // A followed report's changes carry no client id: a follower
            // never learns the reporter's ids.
            let followed: bool = r.get(8)?;
            Ok((
                r.get::<_, i64>(0)?,
                StatusChange {
                    followed,
                    client_id: if followed { String::new() } else { r.get(1)? },
                    tracking_code: r.get(2)?,
                    status: r.get(3)?,
                    reply: r.get(4)?,
                    at: rfc3339(r.get(5)?),
                    unit: unit_ref(r.get(6)?),
                    due_at: r.get::<_, Option<i64>>(7)?.map(rfc3339),
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let last = rows.last().map_or(after, |(seq, _)| *seq);
    Ok(ChangesSlice { changes: rows.into_iter().map(|(_, c)| c).collect(), last, has_more })
}

pub(super) fn open_in(
    c: &Connection,
    area: &ServiceArea,
    category: Option<&str>,
) -> Result<Vec<OpenReport>, StorageError> {
    Ok(c.prepare_cached(
        "SELECT r.tracking_code, r.category, r.status, r.lat, r.lon, r.created_at,
            EXISTS (SELECT 1 FROM photos p WHERE p.report_id = r.id AND p.fix = 0)
         FROM reports r
         WHERE r.status IN ('received', 'assigned', 'in_progress', 'reopened') AND r.duplicate_of IS NULL
           AND r.lat BETWEEN ?1 AND ?2 AND r.lon BETWEEN ?3 AND ?4
           AND (?5 IS NULL OR r.category = ?5)",
    )?
    .query_map(params![area.min_lat, area.max_lat, area.min_lon, area.max_lon, category], |r| {
        Ok(OpenReport {
            tracking_code: r.get(0)?,
            category: r.get(1)?,
            status: r.get(2)?,
            lat: r.get(3)?,
            lon: r.get(4)?,
            created_at: r.get(5)?,
            has_photo: r.get(6)?,
        })
    })?
    .collect::<Result<Vec<_>, _>>()?)
}

pub(super) fn public(c: &Connection, code: &str) -> Result<Option<PublicReport>, StorageError> {
    let row = c
        .query_row(
            "SELECT r.id, r.tracking_code, coalesce(k.name_vi, r.category), coalesce(k.name_en, r.category),
                    r.description, r.address, r.status, r.created_at,
                    (SELECT count(*) FROM photos p WHERE p.report_id = r.id AND p.fix = 0), r.unit_code, r.due_at,
                    (SELECT count(*) FROM photos p WHERE p.report_id = r.id AND p.fix = 1),
                    (SELECT g.score FROM ratings g WHERE g.report_id = r.id),
                    (SELECT count(*) FROM follows f WHERE f.report_id = r.id)
             FROM reports r LEFT JOIN categories k ON k.code = r.category WHERE r.tracking_code = ?1",
            [code],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    PublicReport {
                        code: r.get(1)?,
                        category_vi: r.get(2)?,
                        category_en: r.get(3)?,
                        description: r.get(4)?,
                        address: r.get(5)?,
                        status: r.get(6)?,
                        received: r.get(7)?,
                        photos: r.get(8)?,
                        history: Vec::new(),
                        unit: r.get(9)?,
                        due_at: r.get(10)?,
                        fix_photos: r.get(11)?,
                        rating: r.get(12)?,
                        followers: r.get(13)?,
                    },
                ))
            },
        )
        .optional()?;
    let Some((id, mut report)) = row else { return Ok(None) };
    report.history = history(c, id)?.into_iter().map(|h| (h.status, h.reply, h.at)).collect();
    Ok(Some(report))
}

pub(super) fn photo_key(c: &Connection, code: &str, n: u32, kind: i64) -> Result<Option<String>, StorageError> {
    Ok(c.query_row(
        "SELECT p.key FROM photos p JOIN reports r ON r.id = p.report_id
         WHERE r.tracking_code = ?1 AND p.fix = ?3 ORDER BY p.position, p.created_at LIMIT 1 OFFSET ?2",
        params![code, n, kind],
        |r| r.get(0),
    )
    .optional()?)
}

/// Record a stored photo; its position is the declared one unless given;
/// a photo a follower declared is a follower's (kind 2).
pub(super) fn attach_photo(c: &Connection, p: &AttachedPhoto, now: i64) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO photos (id, report_id, key, sha256, bytes, width, height, position, created_at, fix)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                 coalesce(?8, (SELECT position FROM photo_decls WHERE report_id = ?2 AND photo_id = ?1), 0), ?9,
                 CASE WHEN EXISTS (SELECT 1 FROM photo_decls WHERE report_id = ?2 AND photo_id = ?1
                                   AND follower IS NOT NULL) THEN 2 ELSE ?10 END)
         ON CONFLICT (id) DO NOTHING",
        params![p.id, p.report_id, p.key, p.sha256, p.bytes as i64, p.width, p.height, p.position, now, p.fix],
    )?;
    c.execute("UPDATE reports SET updated_at = ?2 WHERE id = ?1", params![p.report_id, now])?;
    Ok(())
}

pub(super) fn open311(c: &Connection, f: &Open311Filter) -> Result<Vec<Open311Request>, StorageError> {
    let mut sql = String::from(
        "SELECT r.tracking_code, r.status, r.category, coalesce(k.name_vi, r.category), r.description, r.address,
                r.lat, r.lon, r.created_at, r.updated_at,
                (SELECT reply FROM changes ch WHERE ch.report_id = r.id AND ch.reply IS NOT NULL ORDER BY ch.seq DESC LIMIT 1),
                (SELECT count(*) FROM photos p WHERE p.report_id = r.id AND p.fix = 0), r.unit_code, r.due_at, r.media_url
         FROM reports r LEFT JOIN categories k ON k.code = r.category WHERE 1",
    );
    let mut args: Vec<Value> = Vec::new();
    if let Some(codes) = &f.codes {
        let marks: Vec<String> = (1..=codes.len()).map(|i| format!("?{i}")).collect();
        sql.push_str(&format!(" AND r.tracking_code IN ({})", marks.join(", ")));
        args.extend(codes.iter().cloned().map(Value::Text));
    } else {
        args.push(Value::Integer(f.start));
        sql.push_str(&format!(" AND r.created_at >= ?{}", args.len()));
        if let Some(end) = f.end {
            args.push(Value::Integer(end));
            sql.push_str(&format!(" AND r.created_at <= ?{}", args.len()));
        }
        if !f.service_codes.is_empty() {
            let mut marks = Vec::new();
            for code in f.service_codes.iter().take(100) {
                args.push(Value::Text(code.clone()));
                marks.push(format!("?{}", args.len()));
            }
            sql.push_str(&format!(" AND r.category IN ({})", marks.join(", ")));
        }
        match f.open {
            None => {}
            Some(true) => sql.push_str(" AND r.status IN ('received', 'assigned', 'in_progress', 'reopened')"),
            Some(false) => sql.push_str(" AND r.status IN ('resolved', 'rejected')"),
        }
    }
    sql.push_str(" ORDER BY r.created_at DESC, r.id DESC LIMIT 1000");
    Ok(c.prepare(&sql)?
        .query_map(params_from_iter(args), |r| {
            Ok(Open311Request {
                tracking_code: r.get(0)?,
                status: r.get(1)?,
                category: r.get(2)?,
                category_name: r.get(3)?,
                description: r.get(4)?,
                address: r.get(5)?,
                lat: r.get(6)?,
                lon: r.get(7)?,
                created_at: r.get(8)?,
                updated_at: r.get(9)?,
                last_reply: r.get(10)?,
                photos: r.get(11)?,
                unit: r.get(12)?,
                due_at: r.get(13)?,
                media_url: r.get(14)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?)
}

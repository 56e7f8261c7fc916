//! Reports: creation (idempotent), status, the changes feed, public reads.

use deadpool_postgres::{GenericClient, Object};
use phananh_protocol::ServiceArea;
use phananh_protocol::text::fold;
use phananh_protocol::vn_time::rfc3339;
use phananh_protocol::wire::{ReportStatus, StatusChange, UnitRef};

use super::{Args, is_unique_violation, lock_feed};
use crate::storage::StorageError;
use crate::storage::{
    AttachedPhoto, ChangesSlice, Created, NewReport, Open311Filter, Open311Request, OpenReport, PublicReport,
    searchable,
};
use crate::tracking;

/// The earlier answer's status if this exact report was already created by
/// this device; `IdReused` if the id was used with another body (or by another device).
pub(super) async fn replay(
    c: &impl GenericClient,
    id: &str,
    device: Option<&str>,
    hash: &str,
) -> Result<Option<u16>, StorageError> {
    let stmt =
        c.prepare_cached("SELECT device_id, body_hash, response_status FROM reports WHERE client_id = $1").await?;
    let Some(row) = c.query_opt(&stmt, &[&id]).await? else { return Ok(None) };
    let (dev, h, status): (Option<String>, String, i32) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    if dev.as_deref() == device && h == hash { Ok(Some(status as u16)) } else { Err(StorageError::IdReused) }
}

async fn created(c: &impl GenericClient, client_id: &str) -> Result<Created, StorageError> {
    let row = c.query_one("SELECT id, tracking_code FROM reports WHERE client_id = $1", &[&client_id]).await?;
    Ok(Created { id: row.try_get(0)?, tracking_code: row.try_get(1)? })
}

pub(super) async fn create(c: &mut Object, r: &NewReport, prefix: &str, now: i64) -> Result<Created, StorageError> {
    // A twin created concurrently (the same phone retrying through another
    // replica) fails on the unique client id: answer it as a replay.
    // A twin that committed while this one ran can also show as its
    // photos being taken: a replay, not a refusal.
    for _ in 0..3 {
        match try_create(c, r, prefix, now).await {
            Ok(created) => return Ok(created),
            Err(Retry::Unique) | Err(Retry::Failed(StorageError::PhotoIdTaken)) if is_twin(c, r).await? => {
                return created(&*c, &r.client_id).await;
            }
            // Else a tracking code taken at the same instant: a new one.
            Err(Retry::Unique) => {}
            Err(Retry::Failed(e)) => return Err(e),
        }
    }
    Err(StorageError::backend("could not find a free tracking code"))
}

/// Whether this exact report now exists (a concurrent twin committed).
async fn is_twin(c: &Object, r: &NewReport) -> Result<bool, StorageError> {
    Ok(replay(c, &r.client_id, r.device_id.as_deref(), &r.body_hash).await?.is_some())
}

enum Retry {
    Unique,
    Failed(StorageError),
}

impl From<tokio_postgres::Error> for Retry {
    fn from(e: tokio_postgres::Error) -> Self {
        if is_unique_violation(&e) { Retry::Unique } else { Retry::Failed(e.into()) }
    }
}

impl From<StorageError> for Retry {
    fn from(e: StorageError) -> Self {
        Retry::Failed(e)
    }
}

async fn try_create(c: &mut Object, r: &NewReport, prefix: &str, now: i64) -> Result<Created, Retry> {
    let tx = c.transaction().await?;
    if replay(&tx, &r.client_id, r.device_id.as_deref(), &r.body_hash).await?.is_some() {
        return Ok(created(&tx, &r.client_id).await?);
    }
    // Photo ids are global: a second report declaring one already in use
    // could never have it attached. Refuse it now, clearly.
    for p in &r.photos {
        let taken: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM photo_decls WHERE photo_id = $1)", &[&p.id])
            .await?
            .try_get(0)?;
        if taken {
            return Err(StorageError::PhotoIdTaken.into());
        }
    }
    let mut code = tracking::new_code(prefix);
    for _ in 0..5 {
        let taken: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM reports WHERE tracking_code = $1)", &[&code])
            .await?
            .try_get(0)?;
        if !taken {
            break;
        }
        code = tracking::new_code(prefix);
    }
    // Placed: a commune's code, or '' when outside them all.
    let place = r.lat.map(|_| r.routing.place_code.clone().unwrap_or_default());
    let row = tx
        .query_one(
            "INSERT INTO reports (client_id, device_id, source, tracking_code, body_hash, response_status, category,
                 description, description_fold, searchable, lat, lon, accuracy_m, address, reporter_name,
                 reporter_phone, anonymous, for_name, for_phone, consent, photos_expected, client_created_at,
                 created_at, updated_at, unit_code, priority, ack_due_at, due_at, media_url, place_code)
             VALUES ($1, $2, $3, $4, $5, 201, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                 $21, $22, $22, $23, $24, $25, $26, $27, $28)
             RETURNING id",
            &[
                &r.client_id,
                &r.device_id,
                &r.source.as_str(),
                &code,
                &r.body_hash,
                &r.category,
                &r.description,
                &fold(&r.description),
                &searchable(&r.description, &code, r.address.as_deref()),
                &r.lat,
                &r.lon,
                &r.accuracy_m,
                &r.address,
                &r.reporter_name,
                &r.reporter_phone,
                &r.anonymous,
                &r.for_name,
                &r.for_phone,
                &r.consent,
                &i64::from(r.photos_expected),
                &r.client_created_at,
                &now,
                &r.routing.unit_code,
                &r.routing.priority,
                &r.routing.ack_due_at,
                &r.routing.due_at,
                &r.media_url,
                &place,
            ],
        )
        .await?;
    let report_id: i64 = row.try_get(0).map_err(StorageError::from)?;
    for (i, p) in r.photos.iter().enumerate() {
        tx.execute(
            "INSERT INTO photo_decls (report_id, photo_id, sha256, bytes, position) VALUES ($1, $2, $3, $4, $5)",
            &[&report_id, &p.id, &p.sha256, &(p.bytes as i64), &(i as i64)],
        )
        .await?;
    }
    lock_feed(&tx).await?;
    tx.execute(
        "INSERT INTO changes (report_id, status, at, unit_code, due_at) VALUES ($1, 'received', $2, $3, $4)",
        &[&report_id, &now, &r.routing.unit_code, &r.routing.due_at],
    )
    .await?;
    tx.execute(
        "INSERT INTO report_events (report_id, at, action, unit_code, detail) VALUES ($1, $2, 'routed', $3, $4)",
        &[&report_id, &now, &r.routing.unit_code, &r.routing.reason],
    )
    .await?;
    tx.commit().await?;
    Ok(Created { id: report_id, tracking_code: code })
}

/// A report's status as its device sees it (`device: None` for staff).
pub(super) async fn status(
    c: &impl GenericClient,
    client_id: &str,
    device: Option<&str>,
) -> Result<ReportStatus, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT id, device_id, tracking_code, status, photos_expected, created_at, unit_code, priority, due_at,
                    (SELECT count(*) FROM photos p WHERE p.report_id = r.id AND p.fix = 0)
             FROM reports r WHERE client_id = $1",
        )
        .await?;
    let Some(row) = c.query_opt(&stmt, &[&client_id]).await? else { return Err(StorageError::NotFound) };
    let id: i64 = row.try_get(0)?;
    let owner: Option<String> = row.try_get(1)?;
    // Another device's report is "not found", never "forbidden": ids cannot be probed.
    if device.is_some() && owner.as_deref() != device {
        return Err(StorageError::NotFound);
    }
    let code: String = row.try_get(2)?;
    let history = history(c, id)
        .await?
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
    let rating = super::feedback::rating(c, id).await?.and_then(|g| {
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
        status: row.try_get(3)?,
        photos_expected: row.try_get::<_, i64>(4)? as u32,
        photos_received: row.try_get::<_, i64>(9)? as u32,
        received_at: rfc3339(row.try_get(5)?),
        history,
        unit: unit_ref(row.try_get(6)?),
        due_at: row.try_get::<_, Option<i64>>(8)?.map(rfc3339),
        priority: Some(row.try_get(7)?),
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
pub(super) async fn history(c: &impl GenericClient, report_id: i64) -> Result<Vec<Step>, StorageError> {
    let stmt = c
        .prepare_cached("SELECT status, reply, at, unit_code, due_at FROM changes WHERE report_id = $1 ORDER BY seq")
        .await?;
    c.query(&stmt, &[&report_id])
        .await?
        .iter()
        .map(|r| {
            Ok(Step {
                status: r.try_get(0)?,
                reply: r.try_get(1)?,
                at: r.try_get(2)?,
                unit: r.try_get(3)?,
                due_at: r.try_get(4)?,
            })
        })
        .collect()
}

pub(super) async fn changes(
    c: &impl GenericClient,
    device: &str,
    after: i64,
    limit: u32,
) -> Result<ChangesSlice, StorageError> {
    // Two index reads (the device's own reports, the ones it follows)
    // rather than an OR the planner cannot split.
    let stmt = c
        .prepare_cached(
            "SELECT ch.seq, r.client_id, r.tracking_code, ch.status, ch.reply, ch.at, ch.unit_code, ch.due_at,
                    coalesce(r.device_id, '') <> $1
             FROM changes ch JOIN reports r ON r.id = ch.report_id
             WHERE ch.report_id IN (SELECT id FROM reports WHERE device_id = $1
                                    UNION SELECT report_id FROM follows WHERE device_id = $1)
               AND ch.seq > $2
             ORDER BY ch.seq LIMIT $3",
        )
        .await?;
    let rows = c.query(&stmt, &[&device, &after, &(i64::from(limit) + 1)]).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        // A followed report's changes carry no client id: a follower
        // never learns the reporter's ids.
        let followed: bool = r.try_get(8)?;
        out.push((
            r.try_get::<_, i64>(0)?,
            StatusChange {
                followed,
                client_id: if followed { String::new() } else { r.try_get(1)? },
                tracking_code: r.try_get(2)?,
                status: r.try_get(3)?,
                reply: r.try_get(4)?,
                at: rfc3339(r.try_get(5)?),
                unit: unit_ref(r.try_get(6)?),
                due_at: r.try_get::<_, Option<i64>>(7)?.map(rfc3339),
            },
        ));
    }
    let has_more = out.len() > limit as usize;
    out.truncate(limit as usize);
    let last = out.last().map_or(after, |(seq, _)| *seq);
    Ok(ChangesSlice { changes: out.into_iter().map(|(_, c)| c).collect(), last, has_more })
}

pub(super) async fn open_in(
    c: &impl GenericClient,
    area: &ServiceArea,
    category: Option<&str>,
) -> Result<Vec<OpenReport>, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT r.tracking_code, r.category, r.status, r.lat, r.lon, r.created_at,
                EXISTS (SELECT 1 FROM photos p WHERE p.report_id = r.id AND p.fix = 0)
             FROM reports r
             WHERE r.status IN ('received', 'assigned', 'in_progress', 'reopened') AND r.duplicate_of IS NULL
               AND r.lat BETWEEN $1 AND $2 AND r.lon BETWEEN $3 AND $4
               AND ($5::text IS NULL OR r.category = $5)",
        )
        .await?;
    c.query(&stmt, &[&area.min_lat, &area.max_lat, &area.min_lon, &area.max_lon, &category])
        .await?
        .iter()
        .map(|r| {
            Ok(OpenReport {
                tracking_code: r.try_get(0)?,
                category: r.try_get(1)?,
                status: r.try_get(2)?,
                lat: r.try_get(3)?,
                lon: r.try_get(4)?,
                created_at: r.try_get(5)?,
                has_photo: r.try_get(6)?,
            })
        })
        .collect()
}

pub(super) async fn public(c: &impl GenericClient, code: &str) -> Result<Option<PublicReport>, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT r.id, r.tracking_code, coalesce(k.name_vi, r.category), coalesce(k.name_en, r.category),
                    r.description, r.address, r.status, r.created_at,
                    (SELECT count(*) FROM photos p WHERE p.report_id = r.id AND p.fix = 0), r.unit_code, r.due_at,
                    (SELECT count(*) FROM photos p WHERE p.report_id = r.id AND p.fix = 1),
                    (SELECT g.score FROM ratings g WHERE g.report_id = r.id),
                    (SELECT count(*) FROM follows f WHERE f.report_id = r.id)
             FROM reports r LEFT JOIN categories k ON k.code = r.category WHERE r.tracking_code = $1",
        )
        .await?;
    let Some(r) = c.query_opt(&stmt, &[&code]).await? else { return Ok(None) };
    let id: i64 = r.try_get(0)?;
    Ok(Some(PublicReport {
        code: r.try_get(1)?,
        category_vi: r.try_get(2)?,
        category_en: r.try_get(3)?,
        description: r.try_get(4)?,
        address: r.try_get(5)?,
        status: r.try_get(6)?,
        received: r.try_get(7)?,
        photos: r.try_get(8)?,
        history: history(c, id).await?.into_iter().map(|h| (h.status, h.reply, h.at)).collect(),
        unit: r.try_get(9)?,
        due_at: r.try_get(10)?,
        fix_photos: r.try_get(11)?,
        rating: r.try_get(12)?,
        followers: r.try_get(13)?,
    }))
}

pub(super) async fn photo_key(
    c: &impl GenericClient,
    code: &str,
    n: u32,
    kind: i16,
) -> Result<Option<String>, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT p.key FROM photos p JOIN reports r ON r.id = p.report_id
             WHERE r.tracking_code = $1 AND p.fix = $3 ORDER BY p.position, p.created_at LIMIT 1 OFFSET $2",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&code, &i64::from(n), &kind]).await?.map(|r| r.try_get(0)).transpose()?)
}

/// Record a stored photo; its position is the declared one unless given;
/// a photo a follower declared is a follower's (kind 2).
pub(super) async fn attach_photo(c: &impl GenericClient, p: &AttachedPhoto, now: i64) -> Result<(), StorageError> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO photos (id, report_id, key, sha256, bytes, width, height, position, created_at, fix)
             VALUES ($1, $2, $3, $4, $5, $6, $7,
                     coalesce($8, (SELECT position FROM photo_decls WHERE report_id = $2 AND photo_id = $1), 0), $9,
                     CASE WHEN EXISTS (SELECT 1 FROM photo_decls WHERE report_id = $2 AND photo_id = $1
                                       AND follower IS NOT NULL) THEN 2 ELSE $10::smallint END)
             ON CONFLICT (id) DO NOTHING",
        )
        .await?;
    let position = p.position.map(i64::from);
    c.execute(
        &stmt,
        &[
            &p.id,
            &p.report_id,
            &p.key,
            &p.sha256,
            &(p.bytes as i64),
            &i64::from(p.width),
            &i64::from(p.height),
            &position,
            &now,
            &i16::from(p.fix),
        ],
    )
    .await?;
    c.execute("UPDATE reports SET updated_at = $2 WHERE id = $1", &[&p.report_id, &now]).await?;
    Ok(())
}

pub(super) async fn open311(c: &impl GenericClient, f: &Open311Filter) -> Result<Vec<Open311Request>, StorageError> {
    let mut sql = String::from(
        "SELECT r.tracking_code, r.status, r.category, coalesce(k.name_vi, r.category), r.description, r.address,
                r.lat, r.lon, r.created_at, r.updated_at,
                (SELECT reply FROM changes ch WHERE ch.report_id = r.id AND ch.reply IS NOT NULL ORDER BY ch.seq DESC LIMIT 1),
                (SELECT count(*) FROM photos p WHERE p.report_id = r.id AND p.fix = 0), r.unit_code, r.due_at, r.media_url
         FROM reports r LEFT JOIN categories k ON k.code = r.category WHERE true",
    );
    let mut args = Args::default();
    if let Some(codes) = &f.codes {
        let n = args.push(codes.clone());
        sql.push_str(&format!(" AND r.tracking_code = ANY({n})"));
    } else {
        sql.push_str(&format!(" AND r.created_at >= {}", args.push(f.start)));
        if let Some(end) = f.end {
            sql.push_str(&format!(" AND r.created_at <= {}", args.push(end)));
        }
        if !f.service_codes.is_empty() {
            let codes: Vec<String> = f.service_codes.iter().take(100).cloned().collect();
            sql.push_str(&format!(" AND r.category = ANY({})", args.push(codes)));
        }
        match f.open {
            None => {}
            Some(true) => sql.push_str(" AND r.status IN ('received', 'assigned', 'in_progress', 'reopened')"),
            Some(false) => sql.push_str(" AND r.status IN ('resolved', 'rejected')"),
        }
    }
    sql.push_str(" ORDER BY r.created_at DESC, r.id DESC LIMIT 1000");
    c.query(&sql, &args.refs())
        .await?
        .iter()
        .map(|r| {
            Ok(Open311Request {
                tracking_code: r.try_get(0)?,
                status: r.try_get(1)?,
                category: r.try_get(2)?,
                category_name: r.try_get(3)?,
                description: r.try_get(4)?,
                address: r.try_get(5)?,
                lat: r.try_get(6)?,
                lon: r.try_get(7)?,
                created_at: r.try_get(8)?,
                updated_at: r.try_get(9)?,
                last_reply: r.try_get(10)?,
                photos: r.try_get(11)?,
                unit: r.try_get(12)?,
                due_at: r.try_get(13)?,
                media_url: r.try_get(14)?,
            })
        })
        .collect()
}

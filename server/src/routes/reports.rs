//! Reports from the app: idempotent creation, one report's status, the
//! changes feed, and open reports nearby.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use phananh_protocol::text::{clean_line, clean_optional, clean_text, fold};
use phananh_protocol::validate::{Submission, validate};
use phananh_protocol::wire::{ChangesPage, Nearby, NearbyReport, ReportBody, ReportStatus, StatusChange};
use phananh_protocol::{Field, Lang};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::{Device, hex};
use crate::db::{now_ms, rfc3339};
use crate::error::ApiError;
use crate::routes::{ClientIp, base_url, limited};
use crate::state::Shared;
use crate::tracking;

/// `PUT /api/v1/reports/{client_id}`.
pub async fn put(
    State(state): State<Shared>,
    device: Device,
    ClientIp(ip): ClientIp,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ReportStatus>), ApiError> {
    let lang = device.lang;
    let client_id = parse_uuid(&client_id, lang)?;
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|_| bad_json(lang))?;
    // Hash the parsed value (keys sorted), so key order or spacing in a
    // resend does not count as a different body.
    let body_hash = hex(&Sha256::digest(serde_json::to_vec(&value).map_err(ApiError::internal)?));
    let report: ReportBody = serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_body",
            lang,
            "Nội dung phản ánh không hợp lệ",
            "Invalid report body",
        )
        .with_detail(e)
    })?;
    let base = base_url(&headers);

    // A replay is answered before rate limits: a phone retrying after a lost
    // response must not be punished for it.
    let (id, dev, hash) = (client_id.clone(), device.id.clone(), body_hash.clone());
    let replay = state.db.call(move |c| replay(c, &id, &dev, &hash, lang)).await?;
    if let Some(status) = replay {
        let id = client_id.clone();
        let dev = device.id.clone();
        let answer = state.db.call(move |c| load_status(c, &id, Some(&dev), &base, lang)).await?;
        return Ok((status, Json(answer)));
    }
    limited(&state, &format!("create:dev:{}", device.id), state.config.creates_per_minute, lang)?;
    if state.config.ip_creates_per_minute > 0 {
        limited(&state, &format!("create:ip:{ip}"), state.config.ip_creates_per_minute, lang)?;
    }

    let clean = Clean::from(&report);
    let categories = state.db.call(|c| Ok(crate::routes::services::load_categories(c)?)).await?;
    let category = categories.iter().find(|c| c.code == clean.category).cloned().ok_or_else(|| {
        invalid(lang, "unknown_category", Field::Category, "Loại sự việc không có trong danh sách", "Unknown category")
    })?;
    check(&state, &clean, &report, category.photo_required, lang)?;

    let prefix = state.config.code_prefix.clone();
    let (id, dev) = (client_id.clone(), device.id.clone());
    state.db.call(move |c| insert(c, &id, &dev, &body_hash, &report, &clean, &prefix, lang)).await?;
    tracing::info!(device = %device.id, "report received");
    let answer = state.db.call(move |c| load_status(c, &client_id, Some(&device.id), &base, lang)).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Text fields, NFC-normalised and trimmed, as stored.
pub(crate) struct Clean {
    pub category: String,
    pub description: String,
    pub address: Option<String>,
    pub reporter_name: Option<String>,
    pub for_name: Option<String>,
}

impl From<&ReportBody> for Clean {
    fn from(r: &ReportBody) -> Self {
        Clean {
            category: clean_line(&r.category),
            description: clean_text(&r.description),
            address: clean_optional(r.address.as_deref()),
            reporter_name: clean_optional(r.reporter.name.as_deref()),
            for_name: r.on_behalf_of.as_ref().and_then(|b| clean_optional(b.name.as_deref())),
        }
    }
}

fn check(state: &Shared, clean: &Clean, r: &ReportBody, photo_required: bool, lang: Lang) -> Result<(), ApiError> {
    let position = match (r.lat, r.lon) {
        (Some(lat), Some(lon)) => Some((lat, lon, r.accuracy_m)),
        (None, None) => None,
        _ => {
            return Err(invalid(
                lang,
                "location_incomplete",
                Field::Location,
                "Thiếu vĩ độ hoặc kinh độ",
                "Latitude and longitude go together",
            ));
        }
    };
    let behalf = r.on_behalf_of.clone().unwrap_or_default();
    let submission = Submission {
        category: Some(&clean.category),
        description: &clean.description,
        position,
        address: clean.address.as_deref(),
        reporter_name: clean.reporter_name.as_deref(),
        reporter_phone: r.reporter.phone.as_deref(),
        on_behalf: r.on_behalf_of.is_some(),
        for_name: clean.for_name.as_deref(),
        for_phone: behalf.phone.as_deref(),
        consent: behalf.consent,
        photo_count: r.photos.len(),
    };
    if let Err(errors) = validate(&submission, &state.config.limits, state.service_area().as_ref()) {
        let first = &errors.0[0];
        let mut e = ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: first.code(),
            message: first.message(lang),
            field: Some(first.field().code().to_owned()),
            headers: Vec::new(),
        };
        if errors.0.len() > 1 {
            e.message = errors.message(lang);
        }
        return Err(e);
    }
    if photo_required && r.photos.is_empty() {
        return Err(invalid(
            lang,
            "photo_required",
            Field::Photos,
            "Loại sự việc này cần ít nhất một ảnh",
            "This category needs at least one photo",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for p in &r.photos {
        let ok_id = uuid::Uuid::parse_str(&p.id).is_ok() && seen.insert(p.id.to_ascii_lowercase());
        let ok_sha = p.sha256.len() == 64 && p.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let ok_size = p.bytes > 0 && p.bytes <= state.config.max_photo_bytes;
        if !(ok_id && ok_sha && ok_size) {
            return Err(invalid(
                lang,
                "bad_photo",
                Field::Photos,
                "Thông tin ảnh không hợp lệ (mã, sha256 hoặc kích thước)",
                "Invalid photo declaration (id, sha256 or size)",
            ));
        }
    }
    Ok(())
}

pub(crate) fn invalid(lang: Lang, code: &'static str, field: Field, vi: &str, en: &str) -> ApiError {
    let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, lang, vi, en);
    e.field = Some(field.code().to_owned());
    e
}

fn bad_json(lang: Lang) -> ApiError {
    ApiError::bad_request(lang, "bad_json", "Nội dung không phải JSON hợp lệ", "The body is not valid JSON")
}

pub(crate) fn parse_uuid(text: &str, lang: Lang) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(text)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::bad_request(lang, "bad_id", "Mã phản ánh không hợp lệ", "The report id is not a UUID"))
}

/// The earlier answer's status if this exact report was already created by
/// this device; 422 if the id was used with another body (or by another device).
fn replay(c: &Connection, id: &str, device: &str, hash: &str, lang: Lang) -> Result<Option<StatusCode>, ApiError> {
    let found: Option<(Option<String>, String, u16)> = c
        .query_row("SELECT device_id, body_hash, response_status FROM reports WHERE client_id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some((dev, h, status)) if dev.as_deref() == Some(device) && h == hash => {
            Ok(Some(StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED)))
        }
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "id_reused",
            lang,
            "Mã phản ánh này đã được dùng cho một nội dung khác",
            "This report id was already used with a different body",
        )),
    }
}

#[allow(clippy::too_many_arguments)]
fn insert(
    c: &mut Connection,
    id: &str,
    device: &str,
    hash: &str,
    r: &ReportBody,
    clean: &Clean,
    prefix: &str,
    lang: Lang,
) -> Result<(), ApiError> {
    let tx = c.savepoint()?;
    // A concurrent duplicate that slipped past the replay check lands here,
    // serialised behind the first: answer it the same way.
    if replay(&tx, id, device, hash, lang)?.is_some() {
        return Ok(());
    }
    let now = now_ms();
    let behalf = r.on_behalf_of.as_ref();
    let phone =
        |p: Option<&str>| p.filter(|p| !p.trim().is_empty()).and_then(|p| phananh_protocol::normalize_phone(p).ok());
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
        "INSERT INTO reports (client_id, device_id, tracking_code, body_hash, response_status, category, description,
             description_fold, lat, lon, accuracy_m, address, reporter_name, reporter_phone, anonymous, for_name,
             for_phone, consent, photos_expected, client_created_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 201, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20)",
        params![
            id,
            device,
            code,
            hash,
            clean.category,
            clean.description,
            fold(&clean.description),
            r.lat,
            r.lon,
            r.accuracy_m,
            clean.address,
            clean.reporter_name,
            phone(r.reporter.phone.as_deref()),
            r.reporter.anonymous,
            clean.for_name,
            phone(behalf.and_then(|b| b.phone.as_deref())),
            behalf.is_some_and(|b| b.consent),
            r.photos.len() as i64,
            r.created_at,
            now
        ],
    )?;
    let report_id = tx.last_insert_rowid();
    for (i, p) in r.photos.iter().enumerate() {
        tx.execute(
            "INSERT INTO photo_decls (report_id, photo_id, sha256, bytes, position) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![report_id, p.id.to_ascii_lowercase(), p.sha256, p.bytes as i64, i as i64],
        )?;
    }
    tx.execute("INSERT INTO changes (report_id, status, at) VALUES (?1, 'received', ?2)", params![report_id, now])?;
    tx.commit()?;
    Ok(())
}

/// A report's status as its device sees it (`device: None` for staff).
pub(crate) fn load_status(
    c: &mut Connection,
    client_id: &str,
    device: Option<&str>,
    base: &str,
    lang: Lang,
) -> Result<ReportStatus, ApiError> {
    let row: Option<(i64, Option<String>, String, String, i64, i64)> = c
        .query_row(
            "SELECT id, device_id, tracking_code, status, photos_expected, created_at FROM reports WHERE client_id = ?1",
            [client_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((id, owner, code, status, expected, created)) = row else { return Err(ApiError::not_found(lang)) };
    // Another device's report is "not found", never "forbidden": ids cannot be probed.
    if device.is_some() && owner.as_deref() != device {
        return Err(ApiError::not_found(lang));
    }
    let received: i64 = c.query_row("SELECT count(*) FROM photos WHERE report_id = ?1", [id], |r| r.get(0))?;
    let history = c
        .prepare_cached("SELECT status, reply, at FROM changes WHERE report_id = ?1 ORDER BY seq")?
        .query_map([id], |r| {
            Ok(StatusChange {
                client_id: client_id.to_owned(),
                tracking_code: code.clone(),
                status: r.get(0)?,
                reply: r.get(1)?,
                at: rfc3339(r.get(2)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReportStatus {
        client_id: client_id.to_owned(),
        public_url: format!("{base}/r/{code}"),
        tracking_code: code,
        status,
        photos_expected: expected as u32,
        photos_received: received as u32,
        received_at: rfc3339(created),
        history,
    })
}

/// `GET /api/v1/reports/{client_id}`.
pub async fn get(
    State(state): State<Shared>,
    device: Device,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ReportStatus>, ApiError> {
    let lang = device.lang;
    let id = parse_uuid(&client_id, lang).map_err(|_| ApiError::not_found(lang))?;
    let base = base_url(&headers);
    Ok(Json(state.db.call(move |c| load_status(c, &id, Some(&device.id), &base, lang)).await?))
}

#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

/// `GET /api/v1/reports/changes?cursor=…&limit=…`: this device's status
/// changes and official replies after the cursor, oldest first.
pub async fn changes(
    State(state): State<Shared>,
    device: Device,
    Query(q): Query<ChangesQuery>,
) -> Result<Json<ChangesPage>, ApiError> {
    let lang = device.lang;
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => decode_cursor(c)
            .ok_or_else(|| ApiError::bad_request(lang, "bad_cursor", "Con trỏ không hợp lệ", "Invalid cursor"))?,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let page = state
        .db
        .call(move |c| {
            let mut rows = c
                .prepare_cached(
                    "SELECT ch.seq, r.client_id, r.tracking_code, ch.status, ch.reply, ch.at
                     FROM changes ch JOIN reports r ON r.id = ch.report_id
                     WHERE r.device_id = ?1 AND ch.seq > ?2 ORDER BY ch.seq LIMIT ?3",
                )?
                .query_map(params![device.id, after, i64::from(limit) + 1], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        StatusChange {
                            client_id: r.get(1)?,
                            tracking_code: r.get(2)?,
                            status: r.get(3)?,
                            reply: r.get(4)?,
                            at: rfc3339(r.get(5)?),
                        },
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let has_more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            let last = rows.last().map_or(after, |(seq, _)| *seq);
            Ok(ChangesPage {
                changes: rows.into_iter().map(|(_, c)| c).collect(),
                next_cursor: encode_cursor(last),
                has_more,
            })
        })
        .await?;
    Ok(Json(page))
}

/// Cursors are opaque to clients; today they wrap the change sequence number.
fn encode_cursor(seq: i64) -> String {
    format!("c{seq:x}")
}

fn decode_cursor(c: &str) -> Option<i64> {
    i64::from_str_radix(c.strip_prefix('c')?, 16).ok().filter(|s| *s >= 0)
}

#[derive(Debug, Deserialize)]
pub struct NearbyQuery {
    lat: f64,
    lon: f64,
    radius_m: Option<f64>,
    category: Option<String>,
}

/// `GET /api/v1/reports/nearby`: open reports around a point, public fields
/// only, for "is this the same problem?" before sending.
pub async fn nearby(
    State(state): State<Shared>,
    crate::auth::ReqLang(lang): crate::auth::ReqLang,
    headers: HeaderMap,
    q: Result<Query<NearbyQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Nearby>, ApiError> {
    let bad = || ApiError::bad_request(lang, "bad_position", "Vị trí không hợp lệ", "Invalid position");
    let Query(q) = q.map_err(|_| bad())?;
    let radius = q.radius_m.unwrap_or(300.0);
    let lat_ok = q.lat.is_finite() && (-90.0..=90.0).contains(&q.lat);
    let lon_ok = q.lon.is_finite() && (-180.0..=180.0).contains(&q.lon);
    if !(lat_ok && lon_ok && radius.is_finite() && radius > 0.0) {
        return Err(bad());
    }
    let radius = radius.min(5_000.0);
    let base = base_url(&headers);
    let reports = state
        .db
        .call(move |c| {
            let dlat = radius / 111_320.0;
            let dlon = radius / (111_320.0 * q.lat.to_radians().cos().max(0.01));
            let now = now_ms();
            let mut out: Vec<NearbyReport> = c
                .prepare_cached(
                    "SELECT r.tracking_code, r.category, r.status, r.lat, r.lon, r.created_at,
                        (SELECT p.id FROM photos p WHERE p.report_id = r.id ORDER BY p.position LIMIT 1)
                     FROM reports r
                     WHERE r.status IN ('received', 'in_progress') AND r.duplicate_of IS NULL
                       AND r.lat BETWEEN ?1 AND ?2 AND r.lon BETWEEN ?3 AND ?4
                       AND (?5 IS NULL OR r.category = ?5)",
                )?
                .query_map(params![q.lat - dlat, q.lat + dlat, q.lon - dlon, q.lon + dlon, q.category], |r| {
                    let (lat, lon): (f64, f64) = (r.get(3)?, r.get(4)?);
                    let code: String = r.get(0)?;
                    let photo: Option<String> = r.get(6)?;
                    Ok(NearbyReport {
                        thumbnail_url: photo.map(|_| format!("{base}/r/{code}/thumb/0")),
                        tracking_code: code,
                        category: r.get(1)?,
                        status: r.get(2)?,
                        distance_m: distance_m(q.lat, q.lon, lat, lon),
                        age_days: ((now - r.get::<_, i64>(5)?) / 86_400_000).max(0) as u32,
                    })
                })?
                .filter_map(Result::ok)
                .filter(|r| r.distance_m <= radius)
                .collect();
            out.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
            out.truncate(20);
            Ok(out)
        })
        .await?;
    Ok(Json(Nearby { reports }))
}

/// Great-circle distance (haversine), metres.
pub(crate) fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * a.sqrt().asin()
}

//! Reports from the app: idempotent creation, one report's status, the
//! changes feed, and open reports nearby.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use phananh_protocol::geo::distance_m;
use phananh_protocol::wire::{ChangesPage, Nearby, NearbyReport, ReportBody, ReportStatus};
use phananh_protocol::{Field, Lang, ServiceArea};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::Device;
use crate::error::ApiError;
use crate::routes::{ClientIp, limited};
use crate::service::Intake;
use crate::state::Shared;
use crate::storage::Source;

/// `PUT /api/v1/reports/{client_id}`.
pub async fn put(
    State(state): State<Shared>,
    device: Device,
    ClientIp(ip): ClientIp,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<ReportStatus>), ApiError> {
    let lang = device.lang;
    let client_id = parse_uuid(&client_id, lang)?;
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|_| bad_json(lang))?;
    // Hash the parsed value (keys sorted), so key order or spacing in a
    // resend does not count as a different body.
    let body_hash = hex::encode(Sha256::digest(serde_json::to_vec(&value).map_err(ApiError::internal)?));
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
    // A replay is answered before rate limits: a phone retrying after a lost
    // response must not be punished for it.
    let (id, dev, hash) = (client_id.clone(), device.id.clone(), body_hash.clone());
    if let Some(status) = state.store.replay(id, dev, hash).await? {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
        return Ok((status, Json(status_answer(&state, client_id, device.id).await?)));
    }
    limited(&state, &format!("create:dev:{}", device.id), state.config.creates_per_minute, lang).await?;
    if state.config.ip_creates_per_minute > 0 {
        limited(&state, &format!("create:ip:{ip}"), state.config.ip_creates_per_minute, lang).await?;
    }
    let intake = Intake {
        client_id: client_id.clone(),
        device_id: Some(device.id.clone()),
        source: Source::App,
        body_hash,
        body: report,
        inline_photos: 0,
        media_url: None,
    };
    state.reports.create(intake).await?;
    tracing::info!(device = %device.id, "report received");
    Ok((StatusCode::CREATED, Json(status_answer(&state, client_id, device.id).await?)))
}

/// A report as its device sees it, with its public page's full address
/// and its units named in the request's language.
pub(crate) async fn status_answer(state: &Shared, client_id: String, device: String) -> Result<ReportStatus, ApiError> {
    let mut answer = state.store.report_status(client_id, Some(device)).await?;
    answer.public_url = state.absolute(&answer.public_url);
    let lang = crate::error::request_lang();
    name_unit(state, &mut answer.unit, lang);
    for step in &mut answer.history {
        name_unit(state, &mut step.unit, lang);
    }
    Ok(answer)
}

/// Fill in a unit's name, in `lang`, from the district's configuration.
fn name_unit(state: &Shared, unit: &mut Option<phananh_protocol::wire::UnitRef>, lang: Lang) {
    if let Some(u) = unit {
        match state.reports.district().unit(&u.code) {
            Some(known) => u.name = known.name(lang).to_owned(),
            None => u.name = u.code.clone(),
        }
    }
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

/// `GET /api/v1/reports/{client_id}`.
pub async fn get(
    State(state): State<Shared>,
    device: Device,
    Path(client_id): Path<String>,
) -> Result<Json<ReportStatus>, ApiError> {
    let lang = device.lang;
    let id = parse_uuid(&client_id, lang).map_err(|_| ApiError::not_found(lang))?;
    Ok(Json(status_answer(&state, id, device.id).await?))
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
    let slice = state.store.changes(device.id, after, limit).await?;
    let mut changes = slice.changes;
    for change in &mut changes {
        name_unit(&state, &mut change.unit, lang);
    }
    let page = ChangesPage { changes, next_cursor: encode_cursor(slice.last), has_more: slice.has_more };
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
    let base = state.base_url().to_owned();
    let dlat = radius / 111_320.0;
    let dlon = radius / (111_320.0 * q.lat.to_radians().cos().max(0.01));
    let area =
        ServiceArea { min_lat: q.lat - dlat, max_lat: q.lat + dlat, min_lon: q.lon - dlon, max_lon: q.lon + dlon };
    let now = state.now_ms();
    let mut reports: Vec<NearbyReport> = state
        .store
        .open_reports_in(area, q.category)
        .await?
        .into_iter()
        .map(|r| NearbyReport {
            thumbnail_url: r.has_photo.then(|| format!("{base}/r/{}/thumb/0", r.tracking_code)),
            distance_m: distance_m(q.lat, q.lon, r.lat, r.lon),
            age_days: ((now - r.created_at) / 86_400_000).max(0) as u32,
            tracking_code: r.tracking_code,
            category: r.category,
            status: r.status,
        })
        .filter(|r| r.distance_m <= radius)
        .collect();
    reports.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    reports.truncate(20);
    Ok(Json(Nearby { reports }))
}

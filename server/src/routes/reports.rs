//! Reports from the app: idempotent creation, one report's status, the
//! changes feed, and open reports nearby.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use phananh_protocol::geo::distance_m;
use phananh_protocol::validate::validate;
use phananh_protocol::wire::{ChangesPage, Nearby, NearbyReport, ReportBody, ReportStatus};
use phananh_protocol::{Field, Lang, ServiceArea};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::Device;
use crate::error::ApiError;
use crate::routes::{ClientIp, limited};
use crate::state::Shared;
use crate::storage::{DeclaredPhoto, NewReport, Source};

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
    let base = state.base_url().to_owned();

    // A replay is answered before rate limits: a phone retrying after a lost
    // response must not be punished for it.
    let (id, dev, hash) = (client_id.clone(), device.id.clone(), body_hash.clone());
    if let Some(status) = state.store.replay(id, dev, hash, lang).await? {
        let answer = state.store.report_status(client_id, Some(device.id), base, lang).await?;
        return Ok((status, Json(answer)));
    }
    limited(&state, &format!("create:dev:{}", device.id), state.config.creates_per_minute, lang)?;
    if state.config.ip_creates_per_minute > 0 {
        limited(&state, &format!("create:ip:{ip}"), state.config.ip_creates_per_minute, lang)?;
    }

    let clean = report.cleaned();
    let categories = state.store.categories().await?;
    let category = categories.iter().find(|c| c.code == clean.category).cloned().ok_or_else(|| {
        invalid(lang, "unknown_category", Field::Category, "Loại sự việc không có trong danh sách", "Unknown category")
    })?;
    let area = state.store.service_area().await?;
    check(&state, &clean, &report, category.photo_required, area.as_ref(), lang)?;

    let new = new_report(client_id.clone(), device.id.clone(), body_hash, &report, clean);
    state.store.create_report(new, state.config.code_prefix.clone(), lang).await?;
    tracing::info!(device = %device.id, "report received");
    let answer = state.store.report_status(client_id, Some(device.id), base, lang).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// What the store keeps of a checked report body.
fn new_report(client_id: String, device: String, body_hash: String, r: &ReportBody, clean: ReportBody) -> NewReport {
    let behalf = r.on_behalf_of.as_ref();
    let phone =
        |p: Option<&str>| p.filter(|p| !p.trim().is_empty()).and_then(|p| phananh_protocol::normalize_phone(p).ok());
    NewReport {
        client_id,
        device_id: Some(device),
        source: Source::App,
        body_hash,
        category: clean.category,
        description: clean.description,
        lat: r.lat,
        lon: r.lon,
        accuracy_m: r.accuracy_m,
        address: clean.address,
        reporter_name: clean.reporter.name,
        reporter_phone: phone(r.reporter.phone.as_deref()),
        anonymous: r.reporter.anonymous,
        for_name: clean.on_behalf_of.and_then(|b| b.name),
        for_phone: phone(behalf.and_then(|b| b.phone.as_deref())),
        consent: behalf.is_some_and(|b| b.consent),
        photos: r
            .photos
            .iter()
            .map(|p| DeclaredPhoto { id: p.id.to_ascii_lowercase(), sha256: p.sha256.clone(), bytes: p.bytes })
            .collect(),
        photos_expected: r.photos.len() as u32,
        client_created_at: r.created_at.clone(),
    }
}

fn check(
    state: &Shared,
    clean: &ReportBody,
    r: &ReportBody,
    photo_required: bool,
    area: Option<&ServiceArea>,
    lang: Lang,
) -> Result<(), ApiError> {
    if r.lat.is_some() != r.lon.is_some() {
        return Err(invalid(
            lang,
            "location_incomplete",
            Field::Location,
            "Thiếu vĩ độ hoặc kinh độ",
            "Latitude and longitude go together",
        ));
    }
    let submission = clean.submission();
    if let Err(errors) = validate(&submission, &state.config.limits, area) {
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
    // The phone's creation time: an RFC 3339 instant, nothing longer.
    if let Some(at) = &r.created_at
        && (at.len() > 40 || time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).is_err())
    {
        return Err(invalid(
            lang,
            "bad_created_at",
            Field::Description,
            "Thời điểm tạo (created_at) không hợp lệ",
            "created_at must be an RFC 3339 time",
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

/// `GET /api/v1/reports/{client_id}`.
pub async fn get(
    State(state): State<Shared>,
    device: Device,
    Path(client_id): Path<String>,
) -> Result<Json<ReportStatus>, ApiError> {
    let lang = device.lang;
    let id = parse_uuid(&client_id, lang).map_err(|_| ApiError::not_found(lang))?;
    let base = state.base_url().to_owned();
    Ok(Json(state.store.report_status(id, Some(device.id), base, lang).await?))
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
    let page = ChangesPage { changes: slice.changes, next_cursor: encode_cursor(slice.last), has_more: slice.has_more };
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

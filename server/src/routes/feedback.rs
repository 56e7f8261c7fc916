//! The resident's word after the answer, from the app: rate, reopen,
//! follow. Each is a `PUT` idempotent by the phone's id (or, for a follow,
//! by the device), answered with what the phone shows next.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use phananh_protocol::Lang;
use phananh_protocol::wire::{FollowBody, FollowedReport, ReopenBody, ReportStatus, StatusChange, UnitRef, WireRating};
use serde::de::DeserializeOwned;

use crate::auth::Device;
use crate::error::ApiError;
use crate::routes::reports::{parse_uuid, status_answer};
use crate::state::Shared;
use crate::tracking;

fn body<T: DeserializeOwned>(bytes: &Bytes, lang: Lang, vi: &'static str, en: &'static str) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_body", lang, vi, en).with_detail(e))
}

/// `PUT /api/v1/reports/{client_id}/rating/{rating_id}` with
/// `{"score", "comment", "on_behalf"}`: once a report is resolved or
/// rejected, its reporter rates the answer, once.
pub async fn rate(
    State(state): State<Shared>,
    device: Device,
    Path((client_id, rating_id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<ReportStatus>, ApiError> {
    let lang = device.lang;
    let (client_id, rating_id) = (parse_uuid(&client_id, lang)?, parse_uuid(&rating_id, lang)?);
    let rating: WireRating =
        body(&bytes, lang, "Cần điểm đánh giá (score)", "score is satisfied, acceptable or not_satisfied")?;
    state.reports.rate(&device.id, &client_id, &rating_id, rating).await?;
    tracing::info!(device = %device.id, "rating received");
    Ok(Json(status_answer(&state, client_id, device.id).await?))
}

/// `PUT /api/v1/reports/{client_id}/reopen/{reopen_id}` with `{"reason",
/// "photos"}`: "not fixed" (or a rejection contested); new photos then go
/// by tus to `POST /api/v1/reports/{client_id}/photos` as the report's own.
pub async fn reopen(
    State(state): State<Shared>,
    device: Device,
    Path((client_id, reopen_id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<ReportStatus>, ApiError> {
    let lang = device.lang;
    let (client_id, reopen_id) = (parse_uuid(&client_id, lang)?, parse_uuid(&reopen_id, lang)?);
    let reopen: ReopenBody = body(&bytes, lang, "Cần lý do (reason)", "reason is required")?;
    state.reports.reopen(&device.id, &client_id, &reopen_id, reopen).await?;
    tracing::info!(device = %device.id, "report reopened");
    Ok(Json(status_answer(&state, client_id, device.id).await?))
}

/// `PUT /api/v1/follows/{tracking_code}` with `{"me_too"}`: follow a
/// report someone else filed; its changes then come in this device's feed.
/// The answer has public fields only: never who reported it.
pub async fn follow(
    State(state): State<Shared>,
    device: Device,
    Path(code): Path<String>,
    bytes: Bytes,
) -> Result<Json<FollowedReport>, ApiError> {
    let lang = device.lang;
    let f: FollowBody = if bytes.is_empty() {
        FollowBody::default()
    } else {
        body(&bytes, lang, "Nội dung không hợp lệ", "Invalid body")?
    };
    let code = tracking::normalize(&code);
    state.reports.follow(&device.id, &code, f.me_too, &f.photos).await?;
    Ok(Json(followed(&state, &code, lang).await?))
}

/// A followed report as a follower sees it.
pub(crate) async fn followed(state: &Shared, code: &str, lang: Lang) -> Result<FollowedReport, ApiError> {
    let r = state.store.public_report(code.to_owned()).await?.ok_or_else(|| ApiError::not_found(lang))?;
    let district = state.reports.district();
    let unit = r
        .unit
        .as_deref()
        .and_then(|u| district.unit(u))
        .map(|u| UnitRef { code: u.code.clone(), name: u.name(lang).to_owned() });
    let history = r
        .history
        .iter()
        .map(|(status, reply, at)| StatusChange {
            client_id: String::new(),
            tracking_code: r.code.clone(),
            status: status.clone(),
            at: phananh_protocol::vn_time::rfc3339(*at),
            reply: reply.clone(),
            unit: None,
            due_at: None,
            followed: true,
        })
        .collect();
    Ok(FollowedReport {
        public_url: state.absolute(&format!("/r/{}", r.code)),
        tracking_code: r.code,
        category: lang.pick(&r.category_vi, &r.category_en).to_owned(),
        status: r.status,
        history,
        unit,
        due_at: r.due_at.map(phananh_protocol::vn_time::rfc3339),
        followers: r.followers.max(0) as u32,
    })
}

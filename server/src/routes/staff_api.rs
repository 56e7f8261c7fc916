//! The staff actions as JSON, for scripts (and the tests): sign in, list,
//! open, change status with a reply, mark as duplicate.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use phananh_protocol::text::clean_text;
use phananh_protocol::{Lang, Status};
use serde::{Deserialize, Serialize};

use crate::auth::ReqLang;
use crate::error::ApiError;
use crate::routes::{ClientIp, limited};
use crate::staff::{Staff, audit, sign_in};
use crate::state::Shared;
use crate::storage::StatusUpdate;
pub use crate::storage::{ReportFilter, StaffReport};
use crate::tracking;

/// Statuses staff may set.
pub const STATUSES: [&str; 4] =
    [Status::Received.code(), Status::InProgress.code(), Status::Resolved.code(), Status::Rejected.code()];

#[derive(Debug, Deserialize)]
pub struct Login {
    name: String,
    password: String,
}

#[derive(Debug, Serialize)]
pub struct Session {
    token: String,
    csrf: String,
}

/// `POST /api/v1/staff/login`.
pub async fn login(
    State(state): State<Shared>,
    ReqLang(lang): ReqLang,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Result<Json<Session>, ApiError> {
    limited(&state, &format!("login:{ip}"), 10, lang)?;
    let login: Login = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(lang, "bad_json", "Cần tên và mật khẩu", "name and password are required")
    })?;
    let session = sign_in(&state, &login.name, &login.password, lang).await?;
    let (token, csrf) = session.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            lang,
            "Sai tên hoặc mật khẩu",
            "Wrong name or password",
        )
    })?;
    Ok(Json(Session { token, csrf }))
}

/// `GET /api/v1/staff/reports`.
pub async fn list(
    State(state): State<Shared>,
    _staff: Staff,
    Query(f): Query<ReportFilter>,
) -> Result<Json<Vec<StaffReport>>, ApiError> {
    Ok(Json(state.store.staff_reports(f, state.base_url().to_owned()).await?))
}

/// `GET /api/v1/staff/reports/{code}`.
pub async fn show(
    State(state): State<Shared>,
    _staff: Staff,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
) -> Result<Json<StaffReport>, ApiError> {
    let base = state.base_url().to_owned();
    let code = tracking::normalize(&code);
    state.store.staff_report(code, base).await?.map(Json).ok_or_else(|| ApiError::not_found(lang))
}

#[derive(Debug, Deserialize)]
pub struct StatusChange {
    pub status: String,
    pub reply: Option<String>,
}

/// Check a status change from staff: a known status, a reply of at most
/// 4 000 characters (cleaned; empty is none).
pub fn status_update(
    staff_id: i64,
    tracking_code: String,
    status: &str,
    reply: Option<&str>,
    lang: Lang,
) -> Result<StatusUpdate, ApiError> {
    if !STATUSES.contains(&status) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_status",
            lang,
            "Trạng thái không hợp lệ",
            "Unknown status",
        ));
    }
    let reply = reply.map(clean_text).filter(|r| !r.is_empty());
    if reply.as_ref().is_some_and(|r| r.chars().count() > 4000) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reply_too_long",
            lang,
            "Trả lời quá dài",
            "The reply is too long",
        ));
    }
    Ok(StatusUpdate { staff_id, tracking_code, status: status.to_owned(), reply })
}

/// `POST /api/v1/staff/reports/{code}/status` with `{"status", "reply"}`.
pub async fn set_status(
    State(state): State<Shared>,
    staff: Staff,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Json<StaffReport>, ApiError> {
    let change: StatusChange = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(lang, "bad_json", "Cần status và reply", "status (and reply) are required")
    })?;
    let code = tracking::normalize(&code);
    let base = state.base_url().to_owned();
    let update = status_update(staff.id, code.clone(), &change.status, change.reply.as_deref(), lang)?;
    state.store.change_status(update, lang).await?;
    audit(&state, Some(staff.id), &staff.name, "status", Some(&code), Some(&change.status)).await?;
    let report = state.store.staff_report(code, base).await?;
    report.map(Json).ok_or_else(|| ApiError::not_found(lang))
}

#[derive(Debug, Deserialize)]
pub struct Duplicate {
    pub of: String,
}

/// What the reporter of a duplicate is told: where to follow the original.
pub fn duplicate_reply(of: &str) -> String {
    format!(
        "Phản ánh này trùng với {of}; xin theo dõi tại /r/{of}. / This report duplicates {of}; follow it at /r/{of}."
    )
}

/// `POST /api/v1/staff/reports/{code}/duplicate` with `{"of": "DL-…"}`.
pub async fn mark_duplicate(
    State(state): State<Shared>,
    staff: Staff,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Json<StaffReport>, ApiError> {
    let dup: Duplicate = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(lang, "bad_json", "Cần mã phản ánh gốc (of)", "of (the original's code) is required")
    })?;
    let (code, of) = (tracking::normalize(&code), tracking::normalize(&dup.of));
    let base = state.base_url().to_owned();
    state.store.mark_duplicate(staff.id, code.clone(), of.clone(), duplicate_reply(&of), lang).await?;
    audit(&state, Some(staff.id), &staff.name, "duplicate", Some(&code), Some(&of)).await?;
    let report = state.store.staff_report(code, base).await?;
    report.map(Json).ok_or_else(|| ApiError::not_found(lang))
}

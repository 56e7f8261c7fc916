//! The staff actions as JSON, for scripts (and the tests): sign in, list,
//! open, change status with a reply, mark as duplicate.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use phananh_protocol::{Lang, Status};
use serde::{Deserialize, Serialize};

use crate::auth::ReqLang;
use crate::error::ApiError;
use crate::routes::{ClientIp, limited};
use crate::staff::{OnReport, Staff, sign_in};
use crate::state::Shared;
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
    let login: Login = parse(&body, lang, "Cần tên và mật khẩu", "name and password are required")?;
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
    let reports = state.store.staff_reports(f).await?;
    Ok(Json(reports.into_iter().map(|r| absolute(&state, r)).collect()))
}

/// `GET /api/v1/staff/reports/{code}`.
pub async fn show(
    State(state): State<Shared>,
    _staff: Staff,
    Path(code): Path<String>,
) -> Result<Json<StaffReport>, ApiError> {
    let report = state.reports.staff_report(&tracking::normalize(&code)).await?;
    Ok(Json(absolute(&state, report)))
}

#[derive(Debug, Deserialize)]
pub struct StatusChange {
    pub status: String,
    pub reply: Option<String>,
}

/// `POST /api/v1/staff/reports/{code}/status` with `{"status", "reply"}`.
pub async fn set_status(State(state): State<Shared>, on: OnReport, body: Bytes) -> Result<Json<StaffReport>, ApiError> {
    let change: StatusChange = parse(&body, on.lang, "Cần status và reply", "status (and reply) are required")?;
    let report = state.reports.change_status(&on.staff, &on.code, &change.status, change.reply.as_deref()).await?;
    Ok(Json(absolute(&state, report)))
}

/// A JSON body, or 400 saying what the route needs.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8], lang: Lang, vi: &str, en: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|_| ApiError::bad_request(lang, "bad_json", vi, en))
}

#[derive(Debug, Deserialize)]
pub struct Duplicate {
    pub of: String,
}

/// `POST /api/v1/staff/reports/{code}/duplicate` with `{"of": "DL-…"}`.
pub async fn mark_duplicate(
    State(state): State<Shared>,
    on: OnReport,
    body: Bytes,
) -> Result<Json<StaffReport>, ApiError> {
    let dup: Duplicate = parse(&body, on.lang, "Cần mã phản ánh gốc (of)", "of (the original's code) is required")?;
    let report = state.reports.mark_duplicate(&on.staff, &on.code, &tracking::normalize(&dup.of)).await?;
    Ok(Json(absolute(&state, report)))
}

/// A report for an API client: its photo links as full addresses.
fn absolute(state: &Shared, mut report: StaffReport) -> StaffReport {
    report.photos = report.photos.iter().map(|p| state.absolute(p)).collect();
    report
}

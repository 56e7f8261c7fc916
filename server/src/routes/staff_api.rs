//! The staff actions as JSON, for scripts (and the tests): sign in, list,
//! open, change status with a reply, mark as duplicate.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
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
    limited(&state, &format!("login:{ip}"), 10, lang).await?;
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

/// `GET /api/v1/staff/reports?status=&category=&unit=&priority=&queue=new|due_soon|overdue&q=`:
/// the reports the account may see (an officer: its unit's).
pub async fn list(
    State(state): State<Shared>,
    staff: Staff,
    Query(f): Query<ReportFilter>,
) -> Result<Json<Vec<StaffReport>>, ApiError> {
    let reports = state.reports.reports_for(&staff, f).await?;
    Ok(Json(reports.into_iter().map(|r| absolute(&state, r)).collect()))
}

/// `GET /api/v1/staff/reports/{code}` (another unit's report is 404 to an officer).
pub async fn show(State(state): State<Shared>, on: OnReport) -> Result<Json<StaffReport>, ApiError> {
    let report = state.reports.report_for(&on.staff, &on.code).await?;
    Ok(Json(absolute(&state, report)))
}

/// `GET /api/v1/staff/units`: `[{"code", "name", "kind", "parent"}]`.
pub async fn units(State(state): State<Shared>, _staff: Staff, ReqLang(lang): ReqLang) -> Json<serde_json::Value> {
    let units: Vec<_> = state
        .reports
        .district()
        .units()
        .iter()
        .map(|u| serde_json::json!({"code": u.code, "name": u.name(lang), "kind": u.kind.code(), "parent": u.parent}))
        .collect();
    Json(serde_json::Value::Array(units))
}

#[derive(Debug, Deserialize)]
pub struct Assign {
    pub unit: String,
    pub note: Option<String>,
}

/// `POST /api/v1/staff/reports/{code}/assign` with `{"unit": CODE, "note": …}`:
/// give it to a unit, or transfer it (a note is then required). Coordinator.
pub async fn assign(State(state): State<Shared>, on: OnReport, body: Bytes) -> Result<Json<StaffReport>, ApiError> {
    let a: Assign = parse(&body, on.lang, "Cần đơn vị (unit)", "unit is required")?;
    let report = state.reports.assign(&on.staff, &on.code, &a.unit, a.note.as_deref()).await?;
    Ok(Json(absolute(&state, report)))
}

#[derive(Debug, Deserialize)]
pub struct AssignMany {
    pub codes: Vec<String>,
    pub unit: String,
    pub note: Option<String>,
}

/// `POST /api/v1/staff/assign` with `{"codes": [...], "unit", "note"}`:
/// several at once; each report's own answer (or error code) in order.
pub async fn assign_many(
    State(state): State<Shared>,
    staff: Staff,
    ReqLang(lang): ReqLang,
    body: Bytes,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let a: AssignMany = parse(&body, lang, "Cần codes và unit", "codes and unit are required")?;
    let mut out = Vec::new();
    for code in a.codes.iter().take(200) {
        let code = tracking::normalize(code);
        out.push(match state.reports.assign(&staff, &code, &a.unit, a.note.as_deref()).await {
            Ok(_) => serde_json::json!({"code": code, "ok": true}),
            Err(e) => serde_json::json!({"code": code, "ok": false, "error": ApiError::from(e).code}),
        });
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
pub struct Reason {
    pub reason: Option<String>,
}

/// `POST /api/v1/staff/reports/{code}/hand-back` with `{"reason"}`: back to the coordinator.
pub async fn hand_back(State(state): State<Shared>, on: OnReport, body: Bytes) -> Result<Json<StaffReport>, ApiError> {
    let r: Reason = parse(&body, on.lang, "Cần lý do (reason)", "reason is required")?;
    let report = state.reports.hand_back(&on.staff, &on.code, r.reason.as_deref()).await?;
    Ok(Json(absolute(&state, report)))
}

#[derive(Debug, Deserialize)]
pub struct Note {
    pub text: Option<String>,
}

/// `POST /api/v1/staff/reports/{code}/note` with `{"text"}`: staff-only.
pub async fn note(State(state): State<Shared>, on: OnReport, body: Bytes) -> Result<Json<StaffReport>, ApiError> {
    let n: Note = parse(&body, on.lang, "Cần nội dung (text)", "text is required")?;
    let report = state.reports.note(&on.staff, &on.code, n.text.as_deref()).await?;
    Ok(Json(absolute(&state, report)))
}

/// `POST /api/v1/staff/reports/{code}/phone`: the report with its phone
/// numbers whole (the view is audited; everywhere else they are hidden).
pub async fn reveal_phones(State(state): State<Shared>, on: OnReport) -> Result<Json<StaffReport>, ApiError> {
    let report = state.reports.reveal_phones(&on.staff, &on.code).await?;
    Ok(Json(absolute(&state, report)))
}

#[derive(Debug, Deserialize)]
pub struct PriorityChange {
    pub priority: String,
}

/// `POST /api/v1/staff/reports/{code}/priority` with `{"priority": "normal"|"urgent"}`.
pub async fn priority(State(state): State<Shared>, on: OnReport, body: Bytes) -> Result<Json<StaffReport>, ApiError> {
    let p: PriorityChange = parse(&body, on.lang, "Cần priority", "priority is required")?;
    let report = state.reports.set_priority(&on.staff, &on.code, &p.priority).await?;
    Ok(Json(absolute(&state, report)))
}

#[derive(Debug, Deserialize)]
pub struct ExtensionRequest {
    pub days: u32,
    pub reason: Option<String>,
}

/// `POST /api/v1/staff/reports/{code}/extension` with `{"days", "reason"}`.
pub async fn extension(State(state): State<Shared>, on: OnReport, body: Bytes) -> Result<Json<StaffReport>, ApiError> {
    let x: ExtensionRequest = parse(&body, on.lang, "Cần days và reason", "days and reason are required")?;
    let report = state.reports.request_extension(&on.staff, &on.code, x.days, x.reason.as_deref()).await?;
    Ok(Json(absolute(&state, report)))
}

#[derive(Debug, Deserialize)]
pub struct Decision {
    pub id: i64,
    pub approve: bool,
}

/// `POST /api/v1/staff/reports/{code}/extension/decide` with `{"id", "approve"}`. Coordinator.
pub async fn decide(State(state): State<Shared>, on: OnReport, body: Bytes) -> Result<Json<StaffReport>, ApiError> {
    let d: Decision = parse(&body, on.lang, "Cần id và approve", "id and approve are required")?;
    let report = state.reports.decide_extension(&on.staff, &on.code, d.id, d.approve).await?;
    Ok(Json(absolute(&state, report)))
}

/// `GET /api/v1/staff/audit?limit=`: the newest audit entries. Admin and coordinator.
pub async fn audit_log(
    State(state): State<Shared>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<crate::storage::AuditEntry>>, ApiError> {
    if !matches!(staff.role, crate::storage::Role::Admin | crate::storage::Role::Coordinator) {
        return Err(crate::service::ServiceError::Forbidden.into());
    }
    Ok(Json(state.store.audit_log(q.limit.unwrap_or(100).clamp(1, 1000)).await?))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct StatusChange {
    pub status: String,
    pub reply: Option<String>,
    /// To reject: `not_competent`, `duplicate` or `insufficient_info`.
    pub reason: Option<String>,
}

/// `POST /api/v1/staff/reports/{code}/status` with `{"status", "reply"}`.
pub async fn set_status(State(state): State<Shared>, on: OnReport, body: Bytes) -> Result<Json<StaffReport>, ApiError> {
    let change: StatusChange = parse(&body, on.lang, "Cần status và reply", "status (and reply) are required")?;
    let (reply, reason) = (change.reply.as_deref(), change.reason.as_deref());
    let report = state.reports.change_status(&on.staff, &on.code, &change.status, reply, reason).await?;
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

#[derive(Debug, Deserialize)]
pub struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `GET /api/v1/staff/stats?from=YYYY-MM-DD&to=YYYY-MM-DD`: each unit's
/// figures (received, open, overdue, closed, on time, reopened, ratings)
/// and the district's two yardsticks, on time and satisfied, in percent.
pub async fn stats(
    State(state): State<Shared>,
    staff: Staff,
    Query(p): Query<Period>,
) -> Result<Json<crate::service::StatsView>, ApiError> {
    Ok(Json(state.reports.unit_stats(&staff, p.from.as_deref(), p.to.as_deref()).await?))
}

/// `GET /api/v1/staff/accounts`: every account (admin).
pub async fn accounts(
    State(state): State<Shared>,
    staff: Staff,
) -> Result<Json<Vec<crate::storage::StaffAccount>>, ApiError> {
    Ok(Json(state.reports.accounts(&staff).await?))
}

#[derive(Debug, Deserialize)]
pub struct AccountBody {
    pub name: String,
    pub role: String,
    pub unit: Option<String>,
    pub password: String,
}

/// `POST /api/v1/staff/accounts` with `{"name", "role", "unit", "password"}`:
/// add or change an account (admin).
pub async fn save_account(
    State(state): State<Shared>,
    staff: Staff,
    ReqLang(lang): ReqLang,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let a: AccountBody = parse(&body, lang, "Cần name, role, password", "name, role and password are required")?;
    let change = crate::service::AccountChange { name: a.name, role: a.role, unit: a.unit, password: a.password };
    state.reports.save_account(&staff, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/staff/accounts/{name}/disable` (admin).
pub async fn disable_account(
    State(state): State<Shared>,
    staff: Staff,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    state.reports.disable_account(&staff, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! The staff actions as JSON, for scripts (and the tests): sign in, list,
//! open, change status with a reply, mark as duplicate.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use phananh_protocol::Lang;
use phananh_protocol::text::{clean_text, fold_query};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};

use crate::auth::ReqLang;
use crate::db::{now_ms, rfc3339};
use crate::error::ApiError;
use crate::routes::{ClientIp, base_url, limited};
use crate::staff::{Staff, sign_in};
use crate::state::Shared;
use crate::tracking;

/// Statuses staff may set.
pub const STATUSES: [&str; 4] = ["received", "in_progress", "resolved", "rejected"];

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
    let session = sign_in(&state.db, &login.name, &login.password).await?;
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

/// A report as staff see it (private fields included).
#[derive(Debug, Clone, Serialize)]
pub struct StaffReport {
    pub tracking_code: String,
    pub client_id: String,
    pub category: String,
    pub description: String,
    pub status: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: Option<String>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub anonymous: bool,
    pub for_name: Option<String>,
    pub for_phone: Option<String>,
    pub consent: bool,
    pub duplicate_of: Option<String>,
    pub photos: Vec<String>,
    pub photos_expected: i64,
    pub received_at: String,
    pub history: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub status: String,
    pub reply: Option<String>,
    pub at: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
    /// Only reports at least this many days old.
    pub older_than_days: Option<u32>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

const COLUMNS: &str =
    "r.id, r.tracking_code, r.client_id, r.category, r.description, r.status, r.lat, r.lon, r.address,
     r.reporter_name, r.reporter_phone, r.anonymous, r.for_name, r.for_phone, r.consent,
     (SELECT d.tracking_code FROM reports d WHERE d.id = r.duplicate_of), r.photos_expected, r.created_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, StaffReport)> {
    Ok((
        r.get(0)?,
        StaffReport {
            tracking_code: r.get(1)?,
            client_id: r.get(2)?,
            category: r.get(3)?,
            description: r.get(4)?,
            status: r.get(5)?,
            lat: r.get(6)?,
            lon: r.get(7)?,
            address: r.get(8)?,
            reporter_name: r.get(9)?,
            reporter_phone: r.get(10)?,
            anonymous: r.get(11)?,
            for_name: r.get(12)?,
            for_phone: r.get(13)?,
            consent: r.get(14)?,
            duplicate_of: r.get(15)?,
            photos_expected: r.get(16)?,
            received_at: rfc3339(r.get(17)?),
            photos: Vec::new(),
            history: Vec::new(),
        },
    ))
}

/// Reports matching a filter, newest first.
pub fn query(c: &Connection, f: &Filter, base: &str) -> Result<Vec<StaffReport>, ApiError> {
    let mut sql = format!("SELECT {COLUMNS} FROM reports r WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(s.to_owned()));
        sql.push_str(&format!(" AND r.status = ?{}", args.len()));
    }
    if let Some(cat) = f.category.as_deref().filter(|s| !s.is_empty()) {
        args.push(Value::Text(cat.to_owned()));
        sql.push_str(&format!(" AND r.category = ?{}", args.len()));
    }
    if let Some(days) = f.older_than_days.filter(|d| *d > 0) {
        args.push(Value::Integer(now_ms() - i64::from(days) * 86_400_000));
        sql.push_str(&format!(" AND r.created_at <= ?{}", args.len()));
    }
    for word in f.q.as_deref().map(fold_query).unwrap_or_default() {
        args.push(Value::Text(word));
        let n = args.len();
        sql.push_str(&format!(
            " AND (instr(r.description_fold, ?{n}) OR instr(lower(r.tracking_code), ?{n}) OR instr(lower(coalesce(r.address, '')), ?{n}))"
        ));
    }
    args.push(Value::Integer(i64::from(f.limit.unwrap_or(50).clamp(1, 500))));
    args.push(Value::Integer(i64::from(f.offset.unwrap_or(0))));
    sql.push_str(&format!(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?{} OFFSET ?{}", args.len() - 1, args.len()));
    let rows = c.prepare(&sql)?.query_map(params_from_iter(args), from_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|(id, r)| complete(c, id, r, base)).collect()
}

fn complete(c: &Connection, id: i64, mut r: StaffReport, base: &str) -> Result<StaffReport, ApiError> {
    let count: i64 = c.query_row("SELECT count(*) FROM photos WHERE report_id = ?1", [id], |x| x.get(0))?;
    r.photos = (0..count).map(|n| format!("{base}/r/{}/photo/{n}", r.tracking_code)).collect();
    r.history = c
        .prepare_cached("SELECT status, reply, at FROM changes WHERE report_id = ?1 ORDER BY seq")?
        .query_map([id], |x| Ok(HistoryEntry { status: x.get(0)?, reply: x.get(1)?, at: rfc3339(x.get(2)?) }))?
        .collect::<Result<_, _>>()?;
    Ok(r)
}

/// One report by tracking code.
pub fn one(c: &Connection, code: &str, base: &str) -> Result<Option<StaffReport>, ApiError> {
    let row = c
        .query_row(&format!("SELECT {COLUMNS} FROM reports r WHERE r.tracking_code = ?1"), [code], from_row)
        .optional()?;
    row.map(|(id, r)| complete(c, id, r, base)).transpose()
}

/// `GET /api/v1/staff/reports`.
pub async fn list(
    State(state): State<Shared>,
    _staff: Staff,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Result<Json<Vec<StaffReport>>, ApiError> {
    let base = base_url(&headers);
    Ok(Json(state.db.call(move |c| query(c, &f, &base)).await?))
}

/// `GET /api/v1/staff/reports/{code}`.
pub async fn show(
    State(state): State<Shared>,
    _staff: Staff,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Json<StaffReport>, ApiError> {
    let base = base_url(&headers);
    let code = tracking::normalize(&code);
    state.db.call(move |c| one(c, &code, &base)).await?.map(Json).ok_or_else(|| ApiError::not_found(lang))
}

#[derive(Debug, Deserialize)]
pub struct StatusChange {
    pub status: String,
    pub reply: Option<String>,
}

/// Set a status (with an optional reply to the reporter); feeds the
/// reporter's changes feed.
pub fn change_status(
    c: &mut Connection,
    staff: i64,
    code: &str,
    status: &str,
    reply: Option<&str>,
    lang: Lang,
) -> Result<(), ApiError> {
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
    let tx = c.savepoint()?;
    let id: i64 = tx
        .query_row("SELECT id FROM reports WHERE tracking_code = ?1", [code], |r| r.get(0))
        .optional()?
        .ok_or_else(|| ApiError::not_found(lang))?;
    let now = now_ms();
    tx.execute("UPDATE reports SET status = ?2, updated_at = ?3 WHERE id = ?1", params![id, status, now])?;
    tx.execute(
        "INSERT INTO changes (report_id, status, reply, staff_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, status, reply, staff, now],
    )?;
    tx.commit()?;
    Ok(())
}

/// `POST /api/v1/staff/reports/{code}/status` with `{"status", "reply"}`.
pub async fn set_status(
    State(state): State<Shared>,
    staff: Staff,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Json<StaffReport>, ApiError> {
    let change: StatusChange = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(lang, "bad_json", "Cần status và reply", "status (and reply) are required")
    })?;
    let code = tracking::normalize(&code);
    let base = base_url(&headers);
    let report = state
        .db
        .call(move |c| {
            change_status(c, staff.id, &code, &change.status, change.reply.as_deref(), lang)?;
            one(c, &code, &base)
        })
        .await?;
    report.map(Json).ok_or_else(|| ApiError::not_found(lang))
}

#[derive(Debug, Deserialize)]
pub struct Duplicate {
    pub of: String,
}

/// Mark a report as a duplicate of another; the reporter is told where to
/// follow the original.
pub fn mark(c: &mut Connection, staff: i64, code: &str, of: &str, lang: Lang) -> Result<(), ApiError> {
    if code == of {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "self_duplicate",
            lang,
            "Không thể trùng với chính nó",
            "A report cannot duplicate itself",
        ));
    }
    let tx = c.savepoint()?;
    let find = |code: &str| -> Result<Option<(i64, String)>, ApiError> {
        Ok(tx
            .query_row("SELECT id, status FROM reports WHERE tracking_code = ?1", [code], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    };
    let (id, status) = find(code)?.ok_or_else(|| ApiError::not_found(lang))?;
    let (original, _) = find(of)?.ok_or_else(|| ApiError::not_found(lang))?;
    let reply = format!(
        "Phản ánh này trùng với {of}; xin theo dõi tại /r/{of}. / This report duplicates {of}; follow it at /r/{of}."
    );
    let now = now_ms();
    tx.execute("UPDATE reports SET duplicate_of = ?2, updated_at = ?3 WHERE id = ?1", params![id, original, now])?;
    tx.execute(
        "INSERT INTO changes (report_id, status, reply, staff_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, status, reply, staff, now],
    )?;
    tx.commit()?;
    Ok(())
}

/// `POST /api/v1/staff/reports/{code}/duplicate` with `{"of": "DL-…"}`.
pub async fn mark_duplicate(
    State(state): State<Shared>,
    staff: Staff,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Json<StaffReport>, ApiError> {
    let dup: Duplicate = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(lang, "bad_json", "Cần mã phản ánh gốc (of)", "of (the original's code) is required")
    })?;
    let (code, of) = (tracking::normalize(&code), tracking::normalize(&dup.of));
    let base = base_url(&headers);
    let report = state
        .db
        .call(move |c| {
            mark(c, staff.id, &code, &of, lang)?;
            one(c, &code, &base)
        })
        .await?;
    report.map(Json).ok_or_else(|| ApiError::not_found(lang))
}

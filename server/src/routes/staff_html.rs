//! The staff dashboard: server-rendered HTML, readable on a phone. Sign in
//! (argon2, HttpOnly SameSite=Strict cookie), filter and search reports,
//! open one with its photos and a map link, change its status with a reply
//! to the reporter, mark it as a duplicate, sign out. Every form carries
//! the session's CSRF token.

use axum::extract::{Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, extract::rejection::FormRejection};
use phananh_protocol::Lang;
use serde::Deserialize;

use crate::error::ApiError;
use crate::pages::{self, render};
use crate::routes::staff_api::ReportFilter;
use crate::routes::{ClientIp, limited};
use crate::staff::{COOKIE_NAME, OnReport, Staff, audit, same_origin, sign_in};
use crate::state::Shared;
use crate::tracking;

pub(crate) fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

fn login_page(error: Option<&'static str>) -> pages::StaffLogin {
    pages::StaffLogin::new(error)
}

/// `GET /staff`.
pub async fn index(staff: Result<Staff, ApiError>) -> Response {
    match staff {
        Ok(_) => redirect("/staff/reports"),
        Err(_) => render(StatusCode::OK, &login_page(None)),
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
}

/// `POST /staff/login`.
pub async fn login(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, ApiError> {
    limited(&state, &format!("login:{ip}"), 10, Lang::Vi).await?;
    if !same_origin(&headers, &state) {
        return Ok(render(StatusCode::FORBIDDEN, &login_page(Some("Yêu cầu từ trang khác bị từ chối"))));
    }
    let Ok(Form(form)) = form else {
        return Ok(render(StatusCode::BAD_REQUEST, &login_page(Some("Cần tên đăng nhập và mật khẩu"))));
    };
    let session = sign_in(&state, &form.name, &form.password, Lang::Vi).await?;
    let Some((token, _csrf)) = session else {
        return Ok(render(StatusCode::UNAUTHORIZED, &login_page(Some("Sai tên hoặc mật khẩu"))));
    };
    // Secure whenever the server is published over HTTPS (from its
    // configured address, never from the request's Host header).
    let secure = if state.base_url().starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200{secure}");
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/staff/reports".to_owned()), (SET_COOKIE, cookie)]).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

fn check_csrf(staff: &Staff, given: &str) -> Result<(), ApiError> {
    if given.is_empty() || given != staff.csrf {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            Lang::Vi,
            "Biểu mẫu đã hết hạn; hãy tải lại trang",
            "Form expired; reload the page",
        ));
    }
    Ok(())
}

/// `POST /staff/logout`.
pub async fn logout(
    State(state): State<Shared>,
    staff: Staff,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    check_csrf(&staff, &form.csrf)?;
    state.store.close_session(staff.session.clone()).await?;
    audit(&state, Some(staff.id), &staff.name, "sign_out", None, None).await?;
    let clear = format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/staff".to_owned()), (SET_COOKIE, clear)]).into_response())
}

/// `GET /staff/reports`: the list with filters and search.
pub async fn list(
    State(state): State<Shared>,
    staff: Result<Staff, ApiError>,
    Query(f): Query<ReportFilter>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(redirect("/staff")) };
    let (reports, categories) = (state.reports.reports_for(&staff, f.clone()).await?, state.store.categories().await?);
    let district = state.reports.district();
    let now = state.now_ms();
    let mut page = pages::StaffList::new(&staff, &f, &reports, &categories, district, now);
    page.query = uri.query().unwrap_or_default().to_owned();
    Ok(render(StatusCode::OK, &page))
}

/// `GET /staff/reports/{code}`.
pub async fn show(
    State(state): State<Shared>,
    staff: Result<Staff, ApiError>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(redirect("/staff")) };
    let code = tracking::normalize(&code);
    let (r, categories) = (state.reports.report_for(&staff, &code).await?, state.store.categories().await?);
    let district = state.reports.district();
    let now = state.now_ms();
    Ok(render(StatusCode::OK, &pages::StaffReportPage::new(&staff, r, &categories, district, now)))
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    csrf: String,
    status: String,
    reply: Option<String>,
    reason: Option<String>,
    /// A reply template, used when no reply was typed.
    template: Option<String>,
}

/// `GET /staff/reports/{code}/seen/{n}`: a follower's photo ("I see it
/// too"), for staff who may read the report.
pub async fn seen(
    State(state): State<Shared>,
    staff: Staff,
    axum::extract::Path((code, n)): axum::extract::Path<(String, u32)>,
) -> Result<Response, ApiError> {
    let code = tracking::normalize(&code);
    state.reports.report_for(&staff, &code).await?;
    let path = axum::extract::Path((code, n));
    crate::routes::public::serve_photo(State(state), path, false, crate::storage::PhotoKind::Follower).await
}

/// `POST /staff/reports/{code}/phone`: the report page with the phone
/// numbers whole (audited). A POST, so a link or a reload never reveals them.
pub async fn reveal_phones(
    State(state): State<Shared>,
    on: OnReport,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Form(form) =
        form.map_err(|_| ApiError::bad_request(on.lang, "bad_form", "Biểu mẫu không hợp lệ", "Invalid form"))?;
    check_csrf(&on.staff, &form.csrf)?;
    let (r, categories) = (state.reports.reveal_phones(&on.staff, &on.code).await?, state.store.categories().await?);
    let (district, now) = (state.reports.district(), state.now_ms());
    Ok(render(StatusCode::OK, &pages::StaffReportPage::new(&on.staff, r, &categories, district, now)))
}

/// `POST /staff/assign`: several reports to one unit at once. Each is
/// checked on its own; the list then says how many went and which did not.
pub async fn assign_many(
    State(state): State<Shared>,
    staff: Staff,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    // The ticked reports come as repeated `code` fields, which serde's
    // urlencoded reader cannot gather: read the pairs as they are.
    let (mut csrf, mut unit, mut note, mut codes) = (String::new(), String::new(), String::new(), Vec::new());
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "csrf" => csrf = v.into_owned(),
            "unit" => unit = v.into_owned(),
            "note" => note = v.into_owned(),
            "code" if codes.len() < 200 => codes.push(v.into_owned()),
            _ => {}
        }
    }
    check_csrf(&staff, &csrf)?;
    let note = Some(note.as_str()).filter(|n| !n.trim().is_empty());
    let (mut done, mut failed) = (0, Vec::new());
    for code in &codes {
        let code = tracking::normalize(code);
        match state.reports.assign(&staff, &code, &unit, note).await {
            Ok(_) => done += 1,
            Err(e) => failed.push(format!("{code}: {}", e.message(Lang::Vi))),
        }
    }
    let (reports, categories) =
        (state.reports.reports_for(&staff, ReportFilter::default()).await?, state.store.categories().await?);
    let (district, now) = (state.reports.district(), state.now_ms());
    let mut page = pages::StaffList::new(&staff, &ReportFilter::default(), &reports, &categories, district, now);
    page.notice = Some(format!("Đã giao {done} phản ánh."));
    page.problems = failed;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /staff/reports/{code}/status`.
pub async fn set_status(
    State(state): State<Shared>,
    on: OnReport,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    let (form, photo) = status_form(req, &state, &on).await?;
    let typed = form.reply.as_deref().filter(|r| !r.trim().is_empty());
    let reply = typed.or(form.template.as_deref().filter(|t| !t.is_empty()));
    let reason = form.reason.as_deref().filter(|r| !r.is_empty());
    // A photo of the fix is checked and cleaned like any other before the
    // status changes, so a refused photo changes nothing.
    let photo = match photo {
        Some(bytes) => match crate::jpeg::accept(&bytes, state.config.decode_budget) {
            Ok(a) => Some((a.clean.into_owned(), (a.width, a.height))),
            Err(_) => {
                let (vi, en) = ("Ảnh phải là tệp JPEG nguyên vẹn", "The photo must be a whole JPEG");
                return Err(ApiError::bad_request(on.lang, "bad_photo", vi, en));
            }
        },
        None => None,
    };
    let report = state.reports.change_status(&on.staff, &on.code, &form.status, reply, reason).await?;
    if let Some((jpeg, size)) = photo {
        let _decoding = state.decodes.acquire().await.map_err(ApiError::internal)?;
        let id = state.reports.internal_id(&report.tracking_code).await?;
        state.reports.add_photo(id, report.fix_photos.len() as u32, jpeg, size, true).await?;
    }
    Ok(redirect(&format!("/staff/reports/{}", on.code)))
}

/// The status form, as a plain form or (with a photo of the fix) multipart.
async fn status_form(
    req: axum::extract::Request,
    state: &Shared,
    on: &OnReport,
) -> Result<(StatusForm, Option<Vec<u8>>), ApiError> {
    use axum::extract::FromRequest;
    let bad = || ApiError::bad_request(on.lang, "bad_form", "Biểu mẫu không hợp lệ", "Invalid form");
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let form = checked(Form::<StatusForm>::from_request(req, state).await, on)?;
        return Ok((form, None));
    }
    let mut mp = axum::extract::Multipart::from_request(req, state).await.map_err(|_| bad())?;
    let (mut fields, mut photo) = (std::collections::HashMap::new(), None);
    while let Some(field) = mp.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| bad())?;
        if name == "photo" {
            photo = Some(bytes.to_vec()).filter(|b| !b.is_empty());
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let text = |k: &str| fields.get(k).cloned().filter(|v| !v.is_empty());
    let form = StatusForm {
        csrf: text("csrf").unwrap_or_default(),
        status: text("status").ok_or_else(bad)?,
        reply: text("reply"),
        reason: text("reason"),
        template: text("template"),
    };
    check_csrf(&on.staff, &form.csrf)?;
    Ok((form, photo))
}

/// A posted form, refused if malformed or without the session's CSRF token.
fn checked<T: HasCsrf>(form: Result<Form<T>, FormRejection>, on: &OnReport) -> Result<T, ApiError> {
    let Form(form) =
        form.map_err(|_| ApiError::bad_request(on.lang, "bad_form", "Biểu mẫu không hợp lệ", "Invalid form"))?;
    check_csrf(&on.staff, form.csrf())?;
    Ok(form)
}

/// A form that carries the session's CSRF token.
trait HasCsrf {
    fn csrf(&self) -> &str;
}

impl HasCsrf for StatusForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl HasCsrf for DuplicateForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Debug, Deserialize)]
pub struct DuplicateForm {
    csrf: String,
    of: String,
}

/// `POST /staff/reports/{code}/duplicate`.
pub async fn duplicate(
    State(state): State<Shared>,
    on: OnReport,
    form: Result<Form<DuplicateForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = checked(form, &on)?;
    state.reports.mark_duplicate(&on.staff, &on.code, &tracking::normalize(&form.of)).await?;
    Ok(redirect(&format!("/staff/reports/{}", on.code)))
}

/// Every other action on a report, as one form: `action` says which.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    action: String,
    unit: Option<String>,
    text: Option<String>,
    priority: Option<String>,
    days: Option<u32>,
    id: Option<i64>,
    approve: Option<String>,
}

impl HasCsrf for ActionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /staff/reports/{code}/action`: assign or transfer, hand back, a
/// note, the priority, an extension request or decision.
pub async fn action(
    State(state): State<Shared>,
    on: OnReport,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = checked(form, &on)?;
    let (r, staff, code, text) = (&state.reports, &on.staff, on.code.as_str(), form.text.as_deref());
    match form.action.as_str() {
        "assign" => r.assign(staff, code, form.unit.as_deref().unwrap_or_default(), text).await?,
        "hand_back" => r.hand_back(staff, code, text).await?,
        "note" => r.note(staff, code, text).await?,
        "priority" => r.set_priority(staff, code, form.priority.as_deref().unwrap_or_default()).await?,
        "extension" => r.request_extension(staff, code, form.days.unwrap_or(0), text).await?,
        "decide" => {
            let approve = form.approve.as_deref() == Some("yes");
            r.decide_extension(staff, code, form.id.unwrap_or(0), approve).await?
        }
        _ => return Err(ApiError::bad_request(on.lang, "bad_action", "Thao tác không hợp lệ", "Unknown action")),
    };
    // Handed back, the report is no longer the officer's to see.
    let back = if form.action == "hand_back" { "/staff/reports".to_owned() } else { format!("/staff/reports/{code}") };
    Ok(redirect(&back))
}

/// `GET /staff/stats?from=&to=`: the units' figures, the district's two
/// yardsticks first.
pub async fn stats(
    State(state): State<Shared>,
    staff: Result<Staff, ApiError>,
    Query(p): Query<crate::routes::staff_api::Period>,
) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(redirect("/staff")) };
    let view = state.reports.unit_stats(&staff, p.from.as_deref(), p.to.as_deref()).await?;
    Ok(render(StatusCode::OK, &pages::StatsPage::new(&staff, &view, state.reports.district())))
}

/// `GET /staff/admin`: accounts, a form to add or change one, and the
/// newest entries of the audit log. Admin only.
pub async fn admin(State(state): State<Shared>, staff: Result<Staff, ApiError>) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(redirect("/staff")) };
    admin_page(&state, &staff, None, StatusCode::OK).await
}

async fn admin_page(
    state: &Shared,
    staff: &Staff,
    message: Option<String>,
    code: StatusCode,
) -> Result<Response, ApiError> {
    let accounts = state.reports.accounts(staff).await?;
    let log = state.store.audit_log(50).await?;
    let page = pages::AdminPage::new(staff, &accounts, &log, state.reports.district(), message);
    Ok(render(code, &page))
}

#[derive(Debug, Deserialize)]
pub struct AccountForm {
    csrf: String,
    name: String,
    role: String,
    unit: Option<String>,
    password: String,
}

/// `POST /staff/admin/accounts`: add or change an account.
pub async fn save_account(
    State(state): State<Shared>,
    staff: Staff,
    form: Result<Form<AccountForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Ok(Form(form)) = form else {
        return Err(ApiError::bad_request(Lang::Vi, "bad_form", "Biểu mẫu không hợp lệ", "Invalid form"));
    };
    check_csrf(&staff, &form.csrf)?;
    let name = form.name.trim().to_owned();
    let change =
        crate::service::AccountChange { name: name.clone(), role: form.role, unit: form.unit, password: form.password };
    let done = state.reports.save_account(&staff, change).await;
    admin_outcome(&state, &staff, done, format!("Đã lưu tài khoản {name}.")).await
}

/// The admin page after a change: what was done, or why not (a refusal is
/// the admin's to read on the page; anything else is an error).
async fn admin_outcome(
    state: &Shared,
    staff: &Staff,
    done: Result<(), crate::service::ServiceError>,
    message: String,
) -> Result<Response, ApiError> {
    match done {
        Ok(()) => admin_page(state, staff, Some(message), StatusCode::OK).await,
        Err(e @ crate::service::ServiceError::Refused { .. }) => {
            admin_page(state, staff, Some(e.message(Lang::Vi)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct DisableForm {
    csrf: String,
    name: String,
}

/// `POST /staff/admin/disable`: disable an account.
pub async fn disable_account(
    State(state): State<Shared>,
    staff: Staff,
    form: Result<Form<DisableForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Ok(Form(form)) = form else {
        return Err(ApiError::bad_request(Lang::Vi, "bad_form", "Biểu mẫu không hợp lệ", "Invalid form"));
    };
    check_csrf(&staff, &form.csrf)?;
    let done = state.reports.disable_account(&staff, &form.name).await;
    admin_outcome(&state, &staff, done, format!("Đã khoá tài khoản {}.", form.name)).await
}

//! The staff dashboard: server-rendered HTML, readable on a phone. Sign in
//! (argon2, HttpOnly SameSite=Strict cookie), filter and search reports,
//! open one with its photos and a map link, change its status with a reply
//! to the reporter, mark it as a duplicate, sign out. Every form carries
//! the session's CSRF token.

use axum::extract::{Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, extract::rejection::FormRejection};
use phananh_protocol::Lang;
use serde::Deserialize;

use crate::auth::ReqLang;
use crate::error::ApiError;
use crate::html::{esc, page, status_label};
use crate::routes::staff_api::{ReportFilter, STATUSES, duplicate_reply, status_update};
use crate::routes::{ClientIp, limited};
use crate::staff::{COOKIE_NAME, Staff, audit, same_origin, sign_in};
use crate::state::Shared;
use crate::tracking;

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

fn login_page(error: Option<&str>) -> Html<String> {
    let error = error.map(|e| format!("<p style=\"color:#a00\">{}</p>", esc(e))).unwrap_or_default();
    Html(page(
        "vi",
        "Đăng nhập cán bộ",
        &format!(
            "<h1>Phản Ánh — cán bộ</h1>{error}<form method=\"post\" action=\"/staff/login\">\
             <p><label>Tên đăng nhập<br><input name=\"name\" id=\"name\" autocomplete=\"username\" required></label></p>\
             <p><label>Mật khẩu<br><input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>\
             <p><button type=\"submit\" id=\"sign-in\">Đăng nhập</button></p></form>"
        ),
    ))
}

/// `GET /staff`.
pub async fn index(staff: Result<Staff, ApiError>) -> Response {
    match staff {
        Ok(_) => redirect("/staff/reports"),
        Err(_) => login_page(None).into_response(),
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
    limited(&state, &format!("login:{ip}"), 10, Lang::Vi)?;
    if !same_origin(&headers, &state) {
        return Ok((StatusCode::FORBIDDEN, login_page(Some("Yêu cầu từ trang khác bị từ chối"))).into_response());
    }
    let Ok(Form(form)) = form else {
        return Ok((StatusCode::BAD_REQUEST, login_page(Some("Cần tên đăng nhập và mật khẩu"))).into_response());
    };
    let session = sign_in(&state, &form.name, &form.password, Lang::Vi).await?;
    let Some((token, _csrf)) = session else {
        return Ok((StatusCode::UNAUTHORIZED, login_page(Some("Sai tên hoặc mật khẩu"))).into_response());
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

fn nav(staff: &Staff) -> String {
    format!(
        "<nav><a href=\"/staff/reports\">Danh sách</a> <span>{}</span> \
         <form method=\"post\" action=\"/staff/logout\" style=\"display:inline\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button id=\"sign-out\">Đăng xuất</button></form></nav>",
        esc(&staff.name),
        esc(&staff.csrf)
    )
}

/// `GET /staff/reports`: the list with filters and search.
pub async fn list(
    State(state): State<Shared>,
    staff: Result<Staff, ApiError>,
    Query(f): Query<ReportFilter>,
) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(redirect("/staff")) };
    let base = state.base_url().to_owned();
    let (status, category, q, days) = (
        f.status.clone().unwrap_or_default(),
        f.category.clone().unwrap_or_default(),
        f.q.clone().unwrap_or_default(),
        f.older_than_days,
    );
    let (reports, categories) = (state.store.staff_reports(f, base).await?, state.store.categories().await?);
    let option = |value: &str, label: &str, selected: &str| {
        format!(
            "<option value=\"{}\"{}>{}</option>",
            esc(value),
            if value == selected { " selected" } else { "" },
            esc(label)
        )
    };
    let mut body = nav(&staff);
    body.push_str("<h1>Phản ánh</h1><form method=\"get\" action=\"/staff/reports\">");
    body.push_str("<select name=\"status\">");
    body.push_str(&option("", "Mọi trạng thái", &status));
    for s in STATUSES {
        body.push_str(&option(s, status_label(s, false), &status));
    }
    body.push_str("</select> <select name=\"category\">");
    body.push_str(&option("", "Mọi loại", &category));
    for c in &categories {
        body.push_str(&option(&c.code, &c.name_vi, &category));
    }
    body.push_str(&format!(
        "</select> <input name=\"older_than_days\" type=\"number\" min=\"0\" placeholder=\"Cũ hơn (ngày)\" value=\"{}\"> \
         <input name=\"q\" id=\"q\" placeholder=\"Tìm (không dấu cũng được)\" value=\"{}\"> <button>Lọc</button></form>",
        days.map(|d| d.to_string()).unwrap_or_default(),
        esc(&q)
    ));
    body.push_str("<table><tr><th>Mã</th><th>Loại</th><th>Trạng thái</th><th>Mô tả</th><th>Nhận lúc</th></tr>");
    for r in &reports {
        let name = categories.iter().find(|c| c.code == r.category).map_or(r.category.as_str(), |c| c.name_vi.as_str());
        let excerpt: String = r.description.chars().take(80).collect();
        body.push_str(&format!(
            "<tr><td><a class=\"report\" href=\"/staff/reports/{code}\">{code}</a></td><td>{}</td><td><span class=\"status\">{}</span></td><td>{}</td><td>{}</td></tr>",
            esc(name),
            status_label(&r.status, false),
            esc(&excerpt),
            esc(&r.received_at),
            code = esc(&r.tracking_code)
        ));
    }
    if reports.is_empty() {
        body.push_str("<tr><td colspan=\"5\">Không có phản ánh nào.</td></tr>");
    }
    body.push_str("</table>");
    Ok(Html(page("vi", "Phản ánh — cán bộ", &body)).into_response())
}

/// `GET /staff/reports/{code}`.
pub async fn show(
    State(state): State<Shared>,
    staff: Result<Staff, ApiError>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(redirect("/staff")) };
    let base = state.base_url().to_owned();
    let code = tracking::normalize(&code);
    let (r, categories) = (state.store.staff_report(code, base).await?, state.store.categories().await?);
    let r = r.ok_or_else(|| ApiError::not_found(Lang::Vi))?;
    let category = categories.iter().find(|c| c.code == r.category).map_or(r.category.as_str(), |c| c.name_vi.as_str());
    let mut body = nav(&staff);
    body.push_str(&format!(
        "<h1>{}</h1><p><span class=\"status\" id=\"status\">{}</span></p>",
        esc(&r.tracking_code),
        status_label(&r.status, false)
    ));
    if let Some(d) = &r.duplicate_of {
        body.push_str(&format!("<p>Trùng với <a href=\"/staff/reports/{d}\">{d}</a></p>", d = esc(d)));
    }
    body.push_str(&format!(
        "<p><b>Loại:</b> {}</p><p>{}</p>",
        esc(category),
        esc(&r.description).replace('\n', "<br>")
    ));
    if let (Some(lat), Some(lon)) = (r.lat, r.lon) {
        body.push_str(&format!(
            "<p><b>Vị trí:</b> <a href=\"https://www.openstreetmap.org/?mlat={lat}&amp;mlon={lon}#map=18/{lat}/{lon}\">{lat:.6}, {lon:.6} (bản đồ)</a></p>"
        ));
    }
    if let Some(a) = &r.address {
        body.push_str(&format!("<p><b>Địa chỉ:</b> {}</p>", esc(a)));
    }
    let who =
        [r.reporter_name.as_deref(), r.reporter_phone.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    body.push_str(&format!(
        "<p><b>Người phản ánh:</b> {}{}</p>",
        esc(if who.is_empty() { "—" } else { &who }),
        if r.anonymous { " (ẩn danh với công chúng)" } else { "" }
    ));
    if r.for_name.is_some() || r.for_phone.is_some() {
        let who = [r.for_name.as_deref(), r.for_phone.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
        body.push_str(&format!(
            "<p><b>Phản ánh hộ:</b> {} ({})</p>",
            esc(&who),
            if r.consent { "đã đồng ý" } else { "chưa đồng ý" }
        ));
    }
    body.push_str(&format!("<p><b>Ảnh:</b> {}/{}</p>", r.photos.len(), r.photos_expected));
    for url in &r.photos {
        body.push_str(&format!("<p><img src=\"{}\" alt=\"ảnh\"></p>", esc(url)));
    }
    body.push_str("<h2>Diễn biến</h2><ul id=\"history\">");
    for h in &r.history {
        body.push_str(&format!("<li>{} — <b>{}</b>", esc(&h.at), status_label(&h.status, false)));
        if let Some(reply) = &h.reply {
            body.push_str(&format!("<div class=\"reply\">{}</div>", esc(reply).replace('\n', "<br>")));
        }
        body.push_str("</li>");
    }
    body.push_str("</ul>");
    body.push_str(&format!(
        "<h2>Cập nhật</h2><form method=\"post\" action=\"/staff/reports/{code}/status\" id=\"status-form\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><p><select name=\"status\" id=\"new-status\">",
        code = esc(&r.tracking_code),
        csrf = esc(&staff.csrf)
    ));
    for s in STATUSES {
        body.push_str(&format!(
            "<option value=\"{s}\"{}>{}</option>",
            if s == r.status { " selected" } else { "" },
            status_label(s, false)
        ));
    }
    body.push_str(
        "</select></p><p><label>Trả lời người phản ánh<br><textarea name=\"reply\" id=\"reply\" rows=\"4\" cols=\"40\"></textarea></label></p>\
         <p><button type=\"submit\" id=\"save-status\">Lưu</button></p></form>",
    );
    body.push_str(&format!(
        "<h2>Trùng lặp</h2><form method=\"post\" action=\"/staff/reports/{code}/duplicate\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input name=\"of\" placeholder=\"Mã phản ánh gốc, vd DL-7K3M9Q\"> \
         <button type=\"submit\">Đánh dấu trùng</button></form>",
        code = esc(&r.tracking_code),
        csrf = esc(&staff.csrf)
    ));
    Ok(Html(page("vi", &r.tracking_code, &body)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    csrf: String,
    status: String,
    reply: Option<String>,
}

/// `POST /staff/reports/{code}/status`.
pub async fn set_status(
    State(state): State<Shared>,
    staff: Staff,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    form: Result<Form<StatusForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Form(form) =
        form.map_err(|_| ApiError::bad_request(lang, "bad_form", "Biểu mẫu không hợp lệ", "Invalid form"))?;
    check_csrf(&staff, &form.csrf)?;
    let code = tracking::normalize(&code);
    let target = format!("/staff/reports/{code}");
    let update = status_update(staff.id, code.clone(), &form.status, form.reply.as_deref(), lang)?;
    state.store.change_status(update, lang).await?;
    audit(&state, Some(staff.id), &staff.name, "status", Some(&code), Some(&form.status)).await?;
    Ok(redirect(&target))
}

#[derive(Debug, Deserialize)]
pub struct DuplicateForm {
    csrf: String,
    of: String,
}

/// `POST /staff/reports/{code}/duplicate`.
pub async fn duplicate(
    State(state): State<Shared>,
    staff: Staff,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    form: Result<Form<DuplicateForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let Form(form) =
        form.map_err(|_| ApiError::bad_request(lang, "bad_form", "Biểu mẫu không hợp lệ", "Invalid form"))?;
    check_csrf(&staff, &form.csrf)?;
    let (code, of) = (tracking::normalize(&code), tracking::normalize(&form.of));
    let target = format!("/staff/reports/{code}");
    let reply = duplicate_reply(&of);
    state.store.mark_duplicate(staff.id, code.clone(), of.clone(), reply, lang).await?;
    audit(&state, Some(staff.id), &staff.name, "duplicate", Some(&code), Some(&of)).await?;
    Ok(redirect(&target))
}

//! `GET /r/{tracking_code}`: the public page for one report, for the
//! neighbour a volunteer filed for, who has no app. Vietnamese first, an
//! English switch; never the reporter's name or phone.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::db::rfc3339;
use crate::error::ApiError;
use crate::html::{esc, page as frame, status_label};
use crate::state::Shared;
use crate::tracking;

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

pub async fn page(State(state): State<Shared>, Path(code): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let en = q.lang.as_deref() == Some("en");
    let code = tracking::normalize(&code);
    let found = state.store.public_report(code).await;
    let t = |vi: &'static str, en_text: &'static str| if en { en_text } else { vi };
    let report = match found {
        Ok(Some(r)) => r,
        Ok(None) => {
            let body = format!(
                "<h1>{}</h1><p>{}</p>",
                t("Không tìm thấy phản ánh", "Report not found"),
                t("Hãy kiểm tra lại mã theo dõi.", "Check the tracking code.")
            );
            return (StatusCode::NOT_FOUND, Html(frame(if en { "en" } else { "vi" }, "Phản Ánh", &body)))
                .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let mut body = String::new();
    let switch = if en {
        format!("<a href=\"/r/{}\">Tiếng Việt</a>", esc(&report.code))
    } else {
        format!("<a href=\"/r/{}?lang=en\">English</a>", esc(&report.code))
    };
    body.push_str(&format!("<nav>{switch}</nav><h1>{} {}</h1>", t("Phản ánh", "Report"), esc(&report.code)));
    body.push_str(&format!(
        "<p><span class=\"status\">{}</span></p><p><b>{}:</b> {}</p><p>{}</p>",
        status_label(&report.status, en),
        t("Loại", "Category"),
        esc(if en { &report.category_en } else { &report.category_vi }),
        esc(&report.description).replace('\n', "<br>")
    ));
    if let Some(a) = &report.address {
        body.push_str(&format!("<p><b>{}:</b> {}</p>", t("Địa chỉ", "Address"), esc(a)));
    }
    body.push_str(&format!("<p><b>{}:</b> {}</p>", t("Tiếp nhận", "Received"), esc(&rfc3339(report.received))));
    for n in 0..report.photos {
        // Thumbnails first (a neighbour's data plan is small); tap for the photo.
        body.push_str(&format!(
            "<p><a href=\"/r/{code}/photo/{n}\"><img src=\"/r/{code}/thumb/{n}\" alt=\"{} {}\"></a></p>",
            t("Ảnh", "Photo"),
            n + 1,
            code = esc(&report.code)
        ));
    }
    body.push_str(&format!("<h2>{}</h2><ul>", t("Diễn biến", "History")));
    for (status, reply, at) in &report.history {
        body.push_str(&format!("<li>{} — <b>{}</b>", esc(&rfc3339(*at)), status_label(status, en)));
        if let Some(reply) = reply {
            body.push_str(&format!("<div class=\"reply\">{}</div>", esc(reply).replace('\n', "<br>")));
        }
        body.push_str("</li>");
    }
    body.push_str("</ul>");
    Html(frame(if en { "en" } else { "vi" }, &format!("Phản Ánh {}", report.code), &body)).into_response()
}

/// `GET /r/{code}/photo/{n}`: the report's n-th photo (0-based).
pub async fn photo(state: State<Shared>, path: Path<(String, u32)>) -> Result<Response, ApiError> {
    serve_photo(state, path, false).await
}

/// `GET /r/{code}/thumb/{n}`: its thumbnail (the photo itself if none was made).
pub async fn thumb(state: State<Shared>, path: Path<(String, u32)>) -> Result<Response, ApiError> {
    serve_photo(state, path, true).await
}

async fn serve_photo(
    State(state): State<Shared>,
    Path((code, n)): Path<(String, u32)>,
    thumb: bool,
) -> Result<Response, ApiError> {
    let code = tracking::normalize(&code);
    let key = state.store.photo_key(code, n).await?;
    let key = key.ok_or_else(|| ApiError::not_found(phananh_protocol::Lang::Vi))?;
    let store = state.photos.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        let small = if thumb { store.get(&crate::photos::thumb_key(&key)).ok() } else { None };
        small.map_or_else(|| store.get(&key), Ok)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|_| ApiError::not_found(phananh_protocol::Lang::Vi))?;
    Ok(([(CONTENT_TYPE, "image/jpeg"), (CACHE_CONTROL, "public, max-age=86400")], bytes).into_response())
}

//! `GET /r/{tracking_code}`: the public page for one report, for the
//! neighbour a volunteer filed for, who has no app. Vietnamese first, an
//! English switch; never the reporter's name or phone.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use phananh_protocol::Lang;
use serde::Deserialize;

use crate::error::ApiError;
use crate::pages::{self, render};
use crate::state::Shared;
use crate::storage::PhotoKind;
use crate::tracking;

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    /// `en` for English; anything else is Vietnamese.
    pub lang: Option<String>,
}

pub async fn page(State(state): State<Shared>, Path(code): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let lang = if q.lang.as_deref() == Some("en") { Lang::En } else { Lang::Vi };
    match state.store.public_report(tracking::normalize(&code)).await {
        Ok(Some(report)) => {
            render(StatusCode::OK, &pages::PublicReportPage::new(report, lang, state.reports.district()))
        }
        Ok(None) => render(
            StatusCode::NOT_FOUND,
            &pages::PublicMissing {
                lang: lang.code(),
                title: lang.pick("Không tìm thấy phản ánh", "Report not found"),
                hint: lang.pick("Hãy kiểm tra lại mã theo dõi.", "Check the tracking code."),
            },
        ),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /r/{code}/photo/{n}`: the report's n-th photo (0-based).
pub async fn photo(state: State<Shared>, path: Path<(String, u32)>) -> Result<Response, ApiError> {
    serve_photo(state, path, false, PhotoKind::Reporter).await
}

/// `GET /r/{code}/thumb/{n}`: its thumbnail (the photo itself if none was made).
pub async fn thumb(state: State<Shared>, path: Path<(String, u32)>) -> Result<Response, ApiError> {
    serve_photo(state, path, true, PhotoKind::Reporter).await
}

/// `GET /r/{code}/fix/{n}`: the n-th photo of the fix, taken by staff.
pub async fn fix(state: State<Shared>, path: Path<(String, u32)>) -> Result<Response, ApiError> {
    serve_photo(state, path, false, PhotoKind::Fix).await
}

/// A photo of a report, by kind; the caller decides who may see the kind.
pub(crate) async fn serve_photo(
    State(state): State<Shared>,
    Path((code, n)): Path<(String, u32)>,
    thumb: bool,
    kind: PhotoKind,
) -> Result<Response, ApiError> {
    let code = tracking::normalize(&code);
    let key = state.store.photo_key(code, n, kind).await?;
    let key = key.ok_or_else(|| ApiError::not_found(Lang::Vi))?;
    let small = if thumb { state.photos.get(&crate::photos::thumb_key(&key)).await.ok() } else { None };
    let bytes = match small {
        Some(b) => b,
        None => state.photos.get(&key).await.map_err(|_| ApiError::not_found(Lang::Vi))?,
    };
    // A follower's photo is staff's alone: no shared cache keeps it.
    let cache = if kind == PhotoKind::Follower { "private, no-store" } else { "public, max-age=86400" };
    Ok(([(CONTENT_TYPE, "image/jpeg"), (CACHE_CONTROL, cache)], bytes).into_response())
}

//! `GET /api/v1/services`: categories, service area and limits, with an
//! ETag so phones on metered links download them only when they change.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use phananh_protocol::wire::Services;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::Shared;

pub async fn services(State(state): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    let categories = state.store.categories().await?;
    let mut limits = state.config.limits;
    limits.photo_budget = limits.photo_budget.min(state.config.max_photo_bytes * limits.max_photos as u64);
    let reopen_days = state.reports.district().reopen_days;
    let body = Services { categories, service_area: state.store.service_area().await?, limits, reopen_days };
    let json = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&json))[..32]);
    let matches = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(ETAG, etag)]).into_response());
    }
    Ok((
        StatusCode::OK,
        [
            (ETAG, etag),
            (CACHE_CONTROL, "no-cache".into()),
            (axum::http::header::CONTENT_TYPE, "application/json".into()),
        ],
        json,
    )
        .into_response())
}

//! `POST /api/v1/devices`: register an install, get a bearer token.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use phananh_protocol::wire::DeviceRegistered;

use crate::auth::{ReqLang, new_token, token_hash};
use crate::error::ApiError;
use crate::routes::{ClientIp, limited};
use crate::state::Shared;

pub async fn register(
    State(state): State<Shared>,
    ReqLang(lang): ReqLang,
    ClientIp(ip): ClientIp,
) -> Result<(StatusCode, Json<DeviceRegistered>), ApiError> {
    if state.config.ip_creates_per_minute > 0 {
        limited(&state, &format!("register:{ip}"), state.config.ip_creates_per_minute, lang).await?;
    }
    let token = new_token()?;
    let device_id = uuid::Uuid::now_v7().to_string();
    state.store.add_device(device_id.clone(), token_hash(&token)).await?;
    tracing::info!(device = %device_id, "device registered");
    Ok((StatusCode::CREATED, Json(DeviceRegistered { device_id, token })))
}

//! Who is asking: the request's language, the device behind a bearer
//! token.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use axum_extra::headers::HeaderMapExt;
use axum_extra::headers::authorization::{Authorization, Bearer};
use phananh_protocol::Lang;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::Shared;

/// The language the client asked for (`Accept-Language`), Vietnamese by default.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(lang_of(parts)))
    }
}

/// The request's language.
pub fn lang_of(parts: &Parts) -> Lang {
    parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_accept_language).unwrap_or_default()
}

/// A registered device, from `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct Device {
    /// The device's id.
    pub id: String,
    /// The request's language, for convenience.
    pub lang: Lang,
}

impl FromRequestParts<Shared> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let token = bearer(parts).ok_or_else(|| ApiError::unauthorized(lang))?;
        let hash = token_hash(&token);
        let id = state.store.device_for_token(hash).await?.ok_or_else(|| ApiError::unauthorized(lang))?;
        Ok(Device { id, lang })
    }
}

/// The bearer token, if the header has one (at most 256 characters).
pub fn bearer(parts: &Parts) -> Option<String> {
    let auth = parts.headers.typed_get::<Authorization<Bearer>>()?;
    let token = auth.token().trim();
    (!token.is_empty() && token.len() <= 256).then(|| token.to_owned())
}

/// Tokens are stored only as their SHA-256 (they are random, 256-bit:
/// no salt or slow hash is needed, unlike passwords).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token: 32 bytes, hex.
pub fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Whether an Open311 `api_key` is one the district issued.
pub async fn api_key_valid(state: &Shared, key: &str) -> bool {
    state.store.api_key_known(token_hash(key)).await.unwrap_or(false)
}

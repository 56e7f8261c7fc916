//! Staff accounts and sessions: argon2 password hashes, random session
//! tokens stored hashed, each with a CSRF token for the HTML forms.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;

use crate::auth::{bearer, lang_of, new_token, token_hash};
use crate::db::now_ms;
use crate::error::ApiError;
use crate::state::Shared;
use crate::storage::Storage;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "phananh_staff";
const SESSION_MS: i64 = 12 * 3600 * 1000;

/// Hash a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hash: {e}"))?
        .to_string())
}

/// Add (or reset the password of) a staff account.
pub async fn add(store: &dyn Storage, name: &str, password: &str) -> anyhow::Result<()> {
    anyhow::ensure!(!name.trim().is_empty(), "the staff name is empty");
    anyhow::ensure!(password.chars().count() >= 8, "the password needs at least 8 characters");
    let hash = hash_password(password)?;
    store.put_staff(name.trim().to_owned(), hash).await.map_err(|e| anyhow::anyhow!(e.message))
}

/// Check a name and password; on success open a session: (token, csrf).
///
/// The password hash is checked off the database's thread (argon2 takes
/// tens of milliseconds; other requests' commits must not wait for it).
pub async fn sign_in(store: &dyn Storage, name: &str, password: &str) -> Result<Option<(String, String)>, ApiError> {
    let row = store.staff_credentials(name.trim().to_owned()).await?;
    let password = password.to_owned();
    let verified = tokio::task::spawn_blocking(move || -> Result<Option<i64>, ApiError> {
        let Some((id, hash)) = row else {
            // Spend the same time as a real check, so names cannot be probed by timing.
            let _ = hash_password(&password);
            return Ok(None);
        };
        let parsed = PasswordHash::new(&hash).map_err(ApiError::internal)?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok().then_some(id))
    })
    .await
    .map_err(ApiError::internal)??;
    let Some(id) = verified else { return Ok(None) };
    let token = new_token()?;
    let csrf = new_token()?;
    store.open_session(token_hash(&token), id, csrf.clone(), now_ms() + SESSION_MS).await?;
    Ok(Some((token, csrf)))
}

/// A signed-in staff member, from `Authorization: Bearer` or the session cookie.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Account id.
    pub id: i64,
    /// Account name.
    pub name: String,
    /// The session's CSRF token (forms must echo it).
    pub csrf: String,
    /// The session token's hash (for sign-out).
    pub session: String,
}

/// The session token in the request, if any.
pub fn session_token(parts: &Parts) -> Option<String> {
    bearer(parts).or_else(|| {
        parts.headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == COOKIE_NAME && !v.is_empty()).then(|| v.to_owned())
        })
    })
}

impl FromRequestParts<Shared> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let unauthorized = || {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "staff_unauthorized",
                lang,
                "Cần đăng nhập",
                "Sign in first",
            )
        };
        let token = session_token(parts).ok_or_else(unauthorized)?;
        let hash = token_hash(&token);
        state.store.session(hash, now_ms()).await?.ok_or_else(unauthorized)
    }
}

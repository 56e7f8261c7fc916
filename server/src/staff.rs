//! Staff accounts and sessions: argon2 password hashes, random session
//! tokens stored hashed, each with a CSRF token for the HTML forms.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::ORIGIN;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use phananh_protocol::Lang;

use crate::auth::{bearer, lang_of, new_token, token_hash};
use crate::error::ApiError;
use crate::state::Shared;
pub use crate::storage::Staff;
use crate::storage::{AuditEntry, Role, Storage};

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
pub async fn add(
    store: &dyn Storage,
    name: &str,
    password: &str,
    role: Role,
    unit: Option<&str>,
) -> anyhow::Result<()> {
    anyhow::ensure!(!name.trim().is_empty(), "the staff name is empty");
    anyhow::ensure!(password.chars().count() >= 8, "the password needs at least 8 characters");
    anyhow::ensure!(role != Role::Officer || unit.is_some(), "an officer needs --unit CODE");
    let hash = hash_password(password)?;
    let (name, unit) = (name.trim().to_owned(), unit.map(str::to_owned));
    store.put_staff(name.clone(), hash, role, unit.clone()).await.map_err(|e| anyhow::anyhow!(e))?;
    // Account changes are staff actions too (made at the server's console).
    let detail = format!("{}{}", role.code(), unit.map(|u| format!(" {u}")).unwrap_or_default());
    let entry = AuditEntry {
        at: phananh_protocol::Clock::now_ms(&phananh_protocol::SystemClock),
        staff_id: None,
        actor: "console".into(),
        action: "account".into(),
        subject: Some(name),
        detail: Some(detail),
    };
    store.audit(entry).await.map_err(|e| anyhow::anyhow!(e))
}

/// Disable an account from the console (audited like `add`).
pub async fn disable(store: &dyn Storage, name: &str) -> anyhow::Result<()> {
    store.disable_staff(name.to_owned()).await.map_err(|e| match e {
        crate::storage::StorageError::NotFound => anyhow::anyhow!("there is no staff account {name}"),
        e => anyhow::anyhow!(e),
    })?;
    let entry = AuditEntry {
        at: phananh_protocol::Clock::now_ms(&phananh_protocol::SystemClock),
        staff_id: None,
        actor: "console".into(),
        action: "account_disabled".into(),
        subject: Some(name.to_owned()),
        detail: None,
    };
    store.audit(entry).await.map_err(|e| anyhow::anyhow!(e))
}

/// Check a name and password; on success open a session: (token, csrf).
/// An account that failed too often must wait (429, whatever the IP);
/// every attempt, failed or not, goes to the audit trail.
///
/// The password hash is checked off the database's thread (argon2 takes
/// tens of milliseconds; other requests' commits must not wait for it).
pub async fn sign_in(
    state: &Shared,
    name: &str,
    password: &str,
    lang: Lang,
) -> Result<Option<(String, String)>, ApiError> {
    let store = state.store.as_ref();
    let account: String = name.trim().chars().take(100).collect();
    if let Some(wait) = state.shared.sign_in_wait(account.clone(), state.now_ms()).await? {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "sign_in_backoff",
            lang,
            "Đăng nhập sai quá nhiều lần; hãy thử lại sau",
            "Too many failed sign-ins for this account; try again later",
        )
        .with_header(axum::http::header::RETRY_AFTER, &wait.to_string()));
    }
    let row = store.staff_credentials(account.clone()).await?;
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
    let Some(id) = verified else {
        state.shared.sign_in_failed(account.clone(), state.now_ms()).await?;
        audit(state, None, &account, "sign_in_failed", None, None).await?;
        return Ok(None);
    };
    state.shared.sign_in_succeeded(account.clone()).await?;
    let token = new_token()?;
    let csrf = new_token()?;
    store.open_session(token_hash(&token), id, csrf.clone(), state.now_ms() + SESSION_MS).await?;
    audit(state, Some(id), &account, "sign_in", None, None).await?;
    Ok(Some((token, csrf)))
}

/// Append one line to the audit trail.
pub async fn audit(
    state: &Shared,
    staff_id: Option<i64>,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<(), ApiError> {
    Ok(state
        .store
        .audit(AuditEntry {
            at: state.now_ms(),
            staff_id,
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.map(str::to_owned),
            detail: detail.map(str::to_owned),
        })
        .await?)
}

/// Whether a request may change state with the credentials it carries.
///
/// A browser sends the session cookie with any request a hostile page
/// makes it send, so a cookie alone never suffices for a change:
/// - `Origin`, when the browser sends one, must be the server's own
///   (forms included; a `null` or foreign origin is refused);
/// - the JSON API must also carry the session's CSRF token in
///   `X-CSRF-Token` (a header a cross-site form cannot set);
/// - the HTML forms carry it as a field, checked by their handlers.
///
/// A bearer token is not sent by browsers on their own: scripts using one
/// need neither.
fn cross_site_refusal(parts: &Parts, state: &Shared, staff: &Staff, lang: Lang) -> Option<ApiError> {
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || bearer(parts).is_some() {
        return None;
    }
    let forbidden = |code, vi, en| Some(ApiError::new(StatusCode::FORBIDDEN, code, lang, vi, en));
    if !same_origin(&parts.headers, state) {
        return forbidden("cross_origin", "Yêu cầu từ trang khác bị từ chối", "Cross-origin request refused");
    }
    // Inside the nested `/api/v1` router the URI has lost its prefix; the
    // original one has it.
    let path = parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |u| u.0.path());
    if path.starts_with("/api/") {
        let given = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if given.is_empty() || given != staff.csrf {
            return forbidden(
                "csrf",
                "Thiếu mã CSRF (X-CSRF-Token) của phiên đăng nhập",
                "The session's CSRF token (X-CSRF-Token) is required",
            );
        }
    }
    None
}

/// Whether a request comes from our own pages: an `Origin` that is present
/// must be the configured public origin, or name the very host the request
/// was sent to (`Host`) — what a browser does for our own pages whichever
/// name reached us (`localhost` or `127.0.0.1`, an emulator's `10.0.2.2`, a
/// proxy's name). A page elsewhere cannot make the browser send a `Host` of
/// ours with an `Origin` of ours; `null` (sandboxed or opaque) never passes.
pub fn same_origin(headers: &axum::http::HeaderMap, state: &Shared) -> bool {
    let Some(origin) = headers.get(ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    if origin == state.origin() {
        return true;
    }
    let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok());
    matches!((authority, host), (Some(a), Some(h)) if !a.is_empty() && a.eq_ignore_ascii_case(h))
}

/// The session token in the request, if any.
pub fn session_token(parts: &Parts) -> Option<String> {
    bearer(parts).or_else(|| {
        let jar = axum_extra::extract::cookie::CookieJar::from_headers(&parts.headers);
        jar.get(COOKIE_NAME).map(|c| c.value().to_owned()).filter(|v| !v.is_empty())
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
        let staff = state.store.session(hash, state.now_ms()).await?.ok_or_else(unauthorized)?;
        match cross_site_refusal(parts, state, &staff, lang) {
            Some(refused) => Err(refused),
            None => Ok(staff),
        }
    }
}

/// A signed-in staff member acting on the report in the path
/// (`…/reports/{code}/…`), with the request's language.
pub struct OnReport {
    /// Who.
    pub staff: Staff,
    /// The report's tracking code, normalised.
    pub code: String,
    /// The request's language.
    pub lang: Lang,
}

impl FromRequestParts<Shared> for OnReport {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let staff = Staff::from_request_parts(parts, state).await?;
        let axum::extract::Path(code) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found(lang))?;
        Ok(OnReport { staff, code: crate::tracking::normalize(&code), lang })
    }
}

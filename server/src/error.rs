//! Errors as the API answers them: `{"code", "message"}` with the right
//! status, the message in the request's language. A client's mistake is
//! never a 500.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use phananh_protocol::Lang;
use phananh_protocol::wire;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// Message in the request's language.
    pub message: String,
    /// Field at fault.
    pub field: Option<String>,
    /// Extra headers (Retry-After, Tus-Resumable…).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// A new error.
    pub fn new(status: StatusCode, code: &'static str, lang: Lang, vi: &str, en: &str) -> ApiError {
        ApiError { status, code, message: lang.pick(vi, en).to_owned(), field: None, headers: Vec::new() }
    }

    /// A server-side failure. The detail goes to the log, not the client.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(detail = %detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal error / lỗi máy chủ".into(),
            field: None,
            headers: Vec::new(),
        }
    }

    /// 404 in the request's language.
    pub fn not_found(lang: Lang) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", lang, "Không tìm thấy", "Not found")
    }

    /// 401.
    pub fn unauthorized(lang: Lang) -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            lang,
            "Thiếu hoặc sai mã xác thực thiết bị",
            "Missing or invalid device token",
        )
    }

    /// 400 for a malformed request.
    pub fn bad_request(lang: Lang, code: &'static str, vi: &str, en: &str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, lang, vi, en)
    }

    /// Append what went wrong in detail (e.g. which JSON field).
    pub fn with_detail(mut self, detail: impl std::fmt::Display) -> ApiError {
        self.message = format!("{}: {detail}", self.message);
        self
    }

    /// Add a header.
    pub fn with_header(mut self, name: HeaderName, value: &str) -> ApiError {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = wire::ApiError { code: self.code.to_owned(), message: self.message, field: self.field };
        let mut response = (self.status, axum::Json(body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

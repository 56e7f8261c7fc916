//! Errors as the API answers them: `{"code", "message"}` with the right
//! status, the message in the request's language. A client's mistake is
//! never a 500.
//!
//! Storage and the services speak the domain's errors; the one `From` for
//! each here turns them into answers, in the language of the request being
//! served ([`REQUEST_LANG`], set for every request by the router).

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use phananh_protocol::Lang;
use phananh_protocol::wire;

use crate::service::ServiceError;
use crate::storage::StorageError;

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

tokio::task_local! {
    /// The language of the request being served (from `Accept-Language`).
    pub static REQUEST_LANG: Lang;
}

/// The language of the request being served; Vietnamese outside a request.
pub fn request_lang() -> Lang {
    REQUEST_LANG.try_with(|l| *l).unwrap_or_default()
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        let lang = request_lang();
        match e {
            StorageError::NotFound => ApiError::not_found(lang),
            StorageError::IdReused => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "id_reused",
                lang,
                "Mã phản ánh này đã được dùng cho một nội dung khác",
                "This report id was already used with a different body",
            ),
            StorageError::PhotoIdTaken => {
                let mut e = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "photo_id_taken",
                    lang,
                    "Mã ảnh này đã được dùng cho một phản ánh khác",
                    "This photo id is already used by another report",
                );
                e.field = Some("photos".into());
                e
            }
            StorageError::SelfDuplicate => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "self_duplicate",
                lang,
                "Không thể trùng với chính nó",
                "A report cannot duplicate itself",
            ),
            StorageError::Conflict => ApiError::new(
                StatusCode::CONFLICT,
                "already_recorded",
                lang,
                "Việc này đã được ghi nhận trước đó",
                "This was already recorded",
            ),
            StorageError::Backend(detail) => ApiError::internal(detail),
        }
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

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let lang = request_lang();
        match e {
            ServiceError::Invalid(errors) => {
                // The first broken rule names the code and field; the
                // message lists them all.
                let Some(first) = errors.0.first() else {
                    return ApiError::internal("a validation failure without errors");
                };
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: first.code(),
                    message: errors.message(lang),
                    field: Some(first.field().code().to_owned()),
                    headers: Vec::new(),
                }
            }
            ServiceError::Refused { code, field, vi, en } => {
                let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, lang, vi, en);
                e.field = field.map(|f| f.code().to_owned());
                e
            }
            ServiceError::Conflict { code, vi, en } => ApiError::new(StatusCode::CONFLICT, code, lang, vi, en),
            ServiceError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                lang,
                "Vai trò của bạn không được làm việc này",
                "Your role may not do this",
            ),
            ServiceError::Storage(e) => e.into(),
        }
    }
}

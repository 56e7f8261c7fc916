//! The core's errors: typed, with context, and a message in both languages.

use std::path::PathBuf;

use phananh_protocol::{Lang, ValidationErrors};

use crate::model::{ReportId, StateKind};

/// Anything the core can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The report breaks the rules; every broken rule is listed.
    #[error("the report is not ready to send: {0}")]
    Invalid(#[from] ValidationErrors),

    /// No report (or photo) with this id.
    #[error("no report with id {0}")]
    NotFound(ReportId),

    /// No report's id is or starts with this text.
    #[error("no report with an id starting {0:?}")]
    UnknownId(String),

    /// Several reports' ids start with this text.
    #[error("several reports have ids starting {0:?}: give more of the id")]
    AmbiguousId(String),

    /// No photo with this id.
    #[error("no photo with id {0}")]
    PhotoNotFound(String),

    /// The report is past the point where it can be changed this way.
    #[error("report {id} is {state} and cannot be changed now")]
    NotEditable {
        /// The report.
        id: ReportId,
        /// Its state.
        state: StateKind,
    },

    /// A report already holds the most photos allowed.
    #[error("a report can hold at most {max} photos")]
    TooManyPhotos {
        /// The limit.
        max: usize,
    },

    /// The photo could not be used.
    #[error(transparent)]
    Photo(#[from] crate::photo::PhotoError),

    /// The file is not a SQLite database; it was left as it was.
    #[error("{} is not a Phản Ánh database; it was left untouched", path.display())]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },

    /// The database was written by a newer version of the app; it was left as it was.
    #[error("{} was written by a newer version of the app (schema {found}, this version knows up to {supported}); it was left untouched", path.display())]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest this build knows.
        supported: u32,
    },

    /// SQLite failed.
    #[error("database error while {context}: {source}")]
    Storage {
        /// What the store was doing.
        context: &'static str,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },

    /// A file operation failed.
    #[error("file error while {context} ({}): {source}", path.display())]
    Io {
        /// What the store was doing.
        context: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// A stored row holds something this build cannot read.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),

    /// The server could not be reached, or did not answer like the server
    /// (a captive portal's login page, a proxy's error page).
    #[error("cannot reach the server: {0}")]
    Network(String),

    /// The server refused the request; its message is in the user's language.
    #[error("the server refused: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's stable code.
        code: String,
        /// The server's message for people.
        message: String,
    },

    /// The secret store (Keystore, Keychain, the CLI's file) failed.
    #[error("the secret store failed: {0}")]
    Secret(String),

    /// The configuration cannot work (e.g. the server URL is not a URL).
    #[error("invalid setting: {0}")]
    Config(String),

    /// A rating, reopen or follow the resident cannot make now.
    #[error("{}", .0.message(Lang::En))]
    Feedback(FeedbackRefusal),
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable snake_case code, for scripts and the FFI.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::NotFound(_) | Error::PhotoNotFound(_) | Error::UnknownId(_) => "not_found",
            Error::AmbiguousId(_) => "ambiguous_id",
            Error::NotEditable { .. } => "not_editable",
            Error::TooManyPhotos { .. } => "too_many_photos",
            Error::Photo(e) => e.code(),
            Error::NotADatabase { .. } => "not_a_database",
            Error::TooNew { .. } => "database_too_new",
            Error::Storage { .. } | Error::Io { .. } | Error::Corrupt(_) => "storage",
            Error::Network(_) => "offline",
            Error::Server { .. } => "server",
            Error::Secret(_) => "secret_store",
            Error::Config(_) => "config",
            Error::Feedback(r) => r.code(),
        }
    }

    /// The message for a person, in their language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return match self {
                Error::Invalid(errors) => errors.message(Lang::En),
                Error::Photo(e) => e.message(Lang::En),
                Error::Server { message, .. } => message.clone(),
                Error::Feedback(r) => r.message(Lang::En),
                other => phananh_protocol::lang::sentence(&other.to_string()),
            };
        }
        match self {
            Error::Invalid(errors) => errors.message(Lang::Vi),
            Error::NotFound(id) => format!("Không tìm thấy phản ánh {id}"),
            Error::PhotoNotFound(id) => format!("Không tìm thấy ảnh {id}"),
            Error::UnknownId(text) => format!("Không có phản ánh nào có mã bắt đầu bằng {text:?}"),
            Error::AmbiguousId(text) => {
                format!("Nhiều phản ánh có mã bắt đầu bằng {text:?}: hãy nhập thêm ký tự")
            }
            Error::NotEditable { id, state } => {
                format!("Phản ánh {id} đang ở trạng thái “{}”, không thể thay đổi lúc này", state.label(Lang::Vi))
            }
            Error::TooManyPhotos { max } => format!("Mỗi phản ánh chỉ được tối đa {max} ảnh"),
            Error::Photo(e) => e.message(Lang::Vi),
            Error::NotADatabase { path } => {
                format!("{} không phải cơ sở dữ liệu của Phản Ánh; tệp được giữ nguyên", path.display())
            }
            Error::TooNew { path, found, supported } => format!(
                "{} được tạo bởi phiên bản ứng dụng mới hơn (lược đồ {found}, phiên bản này hỗ trợ tới {supported}); tệp được giữ nguyên",
                path.display()
            ),
            Error::Storage { .. } | Error::Io { .. } | Error::Corrupt(_) => {
                format!("Lỗi lưu trữ trên máy: {self}")
            }
            Error::Network(why) => format!("Không kết nối được máy chủ: {why}"),
            Error::Server { message, .. } => message.clone(),
            Error::Secret(why) => format!("Lỗi kho khóa bí mật trên máy: {why}"),
            Error::Config(why) => format!("Cài đặt không hợp lệ: {why}"),
            Error::Feedback(r) => r.message(Lang::Vi),
        }
    }
}

/// Why a rating, reopen or follow cannot be made now (checked on the
/// phone, offline, by the rules the server applies again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackRefusal {
    /// The report has not reached the server yet.
    NotSent,
    /// The district has not resolved or rejected it yet.
    NotClosed,
    /// Rated already (a report is rated once).
    AlreadyRated,
    /// A reopen is already on its way.
    AlreadyReopening,
    /// Too long after the answer; a new report is the way.
    WindowPassed,
    /// A reopen needs a reason; a comment or reason is too long.
    BadText,
    /// Not a tracking code.
    BadCode,
}

impl FeedbackRefusal {
    /// A stable code.
    pub fn code(self) -> &'static str {
        match self {
            FeedbackRefusal::NotSent => "not_sent",
            FeedbackRefusal::NotClosed => "not_closed",
            FeedbackRefusal::AlreadyRated => "already_rated",
            FeedbackRefusal::AlreadyReopening => "already_reopening",
            FeedbackRefusal::WindowPassed => "reopen_window_passed",
            FeedbackRefusal::BadText => "bad_text",
            FeedbackRefusal::BadCode => "bad_code",
        }
    }

    /// For people.
    pub fn message(self, lang: Lang) -> String {
        let (vi, en) = match self {
            FeedbackRefusal::NotSent => {
                ("Phản ánh chưa được gửi tới chính quyền", "The report has not reached the district yet")
            }
            FeedbackRefusal::NotClosed => (
                "Chỉ đánh giá hoặc mở lại được khi phản ánh đã được giải quyết hoặc từ chối",
                "A report can be rated or reopened once it is resolved or rejected",
            ),
            FeedbackRefusal::AlreadyRated => ("Phản ánh này đã được đánh giá", "This report was already rated"),
            FeedbackRefusal::AlreadyReopening => {
                ("Yêu cầu mở lại đang chờ gửi", "A reopen is already waiting to be sent")
            }
            FeedbackRefusal::WindowPassed => (
                "Đã quá thời hạn mở lại phản ánh này; hãy gửi phản ánh mới",
                "It is too late to reopen this report; send a new one",
            ),
            FeedbackRefusal::BadText => ("Cần nói vì sao (tối đa 1000 ký tự)", "Say why, in at most 1000 characters"),
            FeedbackRefusal::BadCode => {
                ("Mã phản ánh không hợp lệ (dạng DL-XXXXXX)", "Not a tracking code (like DL-XXXXXX)")
            }
        };
        lang.pick(vi, en).to_owned()
    }
}

/// Attach what the store was doing to a SQLite error.
pub(crate) trait StorageContext<T> {
    fn context(self, context: &'static str) -> Result<T>;
}

impl<T> StorageContext<T> for std::result::Result<T, rusqlite::Error> {
    fn context(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Storage { context, source })
    }
}

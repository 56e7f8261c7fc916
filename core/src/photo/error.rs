//! Why a photo was refused, in words the user can act on.

use std::path::PathBuf;

use phananh_protocol::Lang;

/// A photo that could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// Zero bytes.
    #[error("the photo file is empty")]
    Empty,
    /// Not an image at all.
    #[error("this file is not a photo")]
    NotAnImage,
    /// An image format the app does not take (HEIC should be converted by the phone).
    #[error("{format} photos are not supported; use JPEG, PNG or WebP{hint}", hint = if *.format == "HEIC" { " (the phone should convert HEIC to JPEG)" } else { "" })]
    UnsupportedFormat {
        /// The format found.
        format: &'static str,
    },
    /// Too many pixels or too long a side: refused before decoding.
    #[error("the photo is too large ({width}×{height} pixels)")]
    TooLarge {
        /// Width from the header.
        width: u64,
        /// Height from the header.
        height: u64,
    },
    /// Decoding would need more memory than the budget allows: refused
    /// from the header, before anything was allocated.
    #[error("the photo needs too much memory to process on this device ({} MB of at most {} MB)", needed.div_ceil(1 << 20), budget >> 20)]
    NeedsTooMuchMemory {
        /// Worst-case bytes the decode would hold.
        needed: u64,
        /// The budget.
        budget: u64,
    },
    /// The file is larger than any photo the app takes.
    #[error("the file is too large to be a photo ({} MB of at most {} MB)", bytes.div_ceil(1 << 20), max >> 20)]
    FileTooLarge {
        /// Its size (or what was read of it).
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// Damaged or cut short.
    #[error("the photo is damaged and cannot be read: {detail}")]
    Corrupt {
        /// What the decoder said.
        detail: String,
    },
    /// Even at the lowest quality and size the photos would exceed the
    /// report's byte budget.
    #[error("the photos on this report would exceed {budget} bytes; remove a photo first")]
    OverBudget {
        /// The budget in bytes.
        budget: u64,
    },
    /// Reading or writing a file failed.
    #[error("photo file error ({}): {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The encoder or resizer failed on a valid image (a bug, not the photo's fault).
    #[error("the photo could not be processed: {0}")]
    Internal(String),
}

impl PhotoError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::Empty => "empty",
            PhotoError::NotAnImage => "not_an_image",
            PhotoError::UnsupportedFormat { .. } => "unsupported_format",
            PhotoError::TooLarge { .. } => "too_large",
            PhotoError::NeedsTooMuchMemory { .. } => "needs_too_much_memory",
            PhotoError::FileTooLarge { .. } => "file_too_large",
            PhotoError::Corrupt { .. } => "corrupt",
            PhotoError::OverBudget { .. } => "over_budget",
            PhotoError::Io { .. } => "io",
            PhotoError::Internal(_) => "internal",
        }
    }

    /// The message for a person, in their language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return phananh_protocol::lang::sentence(&self.to_string());
        }
        match self {
            PhotoError::Empty => "Tệp ảnh trống".into(),
            PhotoError::NotAnImage => "Tệp này không phải là ảnh".into(),
            PhotoError::UnsupportedFormat { format } => {
                let hint = if *format == "HEIC" { " (điện thoại cần chuyển HEIC sang JPEG)" } else { "" };
                format!("Không hỗ trợ ảnh {format}; hãy dùng JPEG, PNG hoặc WebP{hint}")
            }
            PhotoError::TooLarge { width, height } => format!("Ảnh quá lớn ({width}×{height} điểm ảnh)"),
            PhotoError::NeedsTooMuchMemory { needed, budget } => format!(
                "Ảnh cần quá nhiều bộ nhớ để xử lý trên máy này ({} MB, tối đa {} MB)",
                needed.div_ceil(1 << 20),
                budget >> 20
            ),
            PhotoError::FileTooLarge { bytes, max } => {
                format!("Tệp quá lớn để là một ảnh ({} MB, tối đa {} MB)", bytes.div_ceil(1 << 20), max >> 20)
            }
            PhotoError::Corrupt { detail } => format!("Ảnh bị hỏng, không đọc được: {detail}"),
            PhotoError::OverBudget { budget } => {
                format!("Tổng dung lượng ảnh của phản ánh sẽ vượt {} KB; hãy bỏ bớt một ảnh", budget / 1024)
            }
            PhotoError::Io { path, source } => format!("Lỗi tệp ảnh ({}): {source}", path.display()),
            PhotoError::Internal(detail) => format!("Không xử lý được ảnh: {detail}"),
        }
    }
}

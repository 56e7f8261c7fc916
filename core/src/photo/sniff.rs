//! What the bytes are, whatever the file is called.

use serde::{Deserialize, Serialize};

use super::PhotoError;

/// An input format the pipeline decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JPEG (most phone photos).
    Jpeg,
    /// PNG (screenshots).
    Png,
    /// WebP.
    Webp,
}

/// Identify the format from the first bytes.
pub fn sniff(bytes: &[u8]) -> Result<Format, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(Format::Webp);
    }
    // ISO base media (HEIC/HEIF/AVIF): "ftyp" box at offset 4 with a brand.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        let format = match brand {
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => "HEIC",
            b"avif" | b"avis" => "AVIF",
            _ => return Err(PhotoError::NotAnImage),
        };
        return Err(PhotoError::UnsupportedFormat { format });
    }
    let other = if bytes.starts_with(b"GIF8") {
        "GIF"
    } else if bytes.starts_with(b"BM") && bytes.len() > 26 {
        "BMP"
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        "TIFF"
    } else {
        return Err(PhotoError::NotAnImage);
    };
    Err(PhotoError::UnsupportedFormat { format: other })
}

//! The photo pipeline: a phone photo in, a small upright JPEG with no
//! metadata out, plus a thumbnail and what EXIF suggested about place and time.
//!
//! Photos are compressed when attached, not when sent, so the outbox holds
//! exactly the bytes that will travel and the user sees their real size.
//!
//! JPEG, the common case, takes a fast path that never holds a full-size
//! image: decode at 1/2, 1/4 or 1/8 scale in the DCT (the largest reduction
//! that still leaves both sides at least the target), resize with Lanczos3,
//! rotate the small image upright, encode. PNG and WebP go through `image`.

mod decode;
mod encode;
mod error;
mod exif;
mod orient;
mod resize;
mod sniff;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use error::PhotoError;
pub use sniff::Format;

/// How to compress. The defaults suit 3G and a district's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Longest side of the output, in pixels (64–8192). Never upscaled.
    pub max_edge: u32,
    /// JPEG quality (30–100).
    pub quality: u8,
    /// Longest side of the thumbnail (32–1024).
    pub thumb_edge: u32,
    /// Refuse images with more pixels than this, before decoding.
    pub max_pixels: u64,
    /// Refuse images with a side longer than this, before decoding.
    pub max_side: u32,
    /// Refuse images whose decode would need more memory than this, in
    /// bytes, computed from the header before anything is allocated (a
    /// low-end phone's app dies well before a gigabyte).
    pub max_decode_bytes: u64,
    /// Refuse files larger than this without reading them whole.
    pub max_input_bytes: u64,
}

/// The memory a photo's decode may take on a phone, by default.
pub const DECODE_BUDGET: u64 = 64 << 20;

impl Default for Options {
    fn default() -> Self {
        Options {
            max_edge: 1600,
            quality: 80,
            thumb_edge: 320,
            max_pixels: 100_000_000,
            max_side: 20_000,
            max_decode_bytes: DECODE_BUDGET,
            max_input_bytes: 64 << 20,
        }
    }
}

/// What the photo's EXIF said, offered to the user before it is stripped.
/// The store keeps none of it unless the user accepts.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Suggestion {
    /// Where the camera said it was: (latitude, longitude) in degrees.
    pub position: Option<(f64, f64)>,
    /// When the camera said the photo was taken (UTC if the photo gave its
    /// offset, else the camera's local time read as UTC).
    #[serde(with = "time::serde::rfc3339::option")]
    pub taken_at: Option<OffsetDateTime>,
}

impl Suggestion {
    /// Whether EXIF suggested anything at all.
    pub fn is_empty(&self) -> bool {
        self.position.is_none() && self.taken_at.is_none()
    }
}

/// A compressed photo and its thumbnail, both baseline JPEG without metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Compressed {
    /// The JPEG to send.
    pub jpeg: Vec<u8>,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// The thumbnail JPEG for lists.
    pub thumbnail: Vec<u8>,
    /// What the input was.
    pub source_format: Format,
    /// The input's size as stored (before orientation).
    pub source_width: u32,
    /// The input's size as stored (before orientation).
    pub source_height: u32,
    /// What EXIF suggested.
    pub suggestion: Suggestion,
}

/// An upright image at most `max_edge` on its long side, ready to encode at
/// any quality or a smaller size (for the per-report byte budget).
pub struct Prepared {
    image: resize::Rgb,
    icc: Option<Vec<u8>>,
    source_format: Format,
    source_width: u32,
    source_height: u32,
    suggestion: Suggestion,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared").field("width", &self.image.width).field("height", &self.image.height).finish()
    }
}

impl Prepared {
    /// Width of the prepared image.
    pub fn width(&self) -> u32 {
        self.image.width
    }

    /// Height of the prepared image.
    pub fn height(&self) -> u32 {
        self.image.height
    }

    /// What EXIF suggested.
    pub fn suggestion(&self) -> Suggestion {
        self.suggestion
    }

    /// Encode at a quality, shrinking further first if `max_edge` is below
    /// the prepared size; also makes the thumbnail.
    pub fn encode(&self, quality: u8, max_edge: u32, thumb_edge: u32) -> Result<Compressed, PhotoError> {
        let shrunk;
        let image = if max_edge < self.image.width.max(self.image.height) {
            shrunk = resize::fit(&self.image, max_edge)?;
            &shrunk
        } else {
            &self.image
        };
        let jpeg = encode::jpeg(image, quality, self.icc.as_deref())?;
        let thumb = resize::fit(image, thumb_edge)?;
        let thumbnail = encode::jpeg(&thumb, 70, self.icc.as_deref())?;
        Ok(Compressed {
            jpeg,
            width: image.width,
            height: image.height,
            thumbnail,
            source_format: self.source_format,
            source_width: self.source_width,
            source_height: self.source_height,
            suggestion: self.suggestion,
        })
    }
}

/// Decode, orient and shrink a photo to at most `options.max_edge`.
pub fn prepare(bytes: &[u8], options: &Options) -> Result<Prepared, PhotoError> {
    let options = options.clamped();
    let format = sniff::sniff(bytes)?;
    let decoded = decode::decode(bytes, format, &options)?;
    let suggestion = decoded.exif.as_deref().map(exif::suggestion).unwrap_or_default();
    let orientation = decoded.orientation;
    // Moved, not copied, when it is small enough already.
    let (w, h) = (decoded.image.width, decoded.image.height);
    let image = if resize::fitted(w, h, options.max_edge) == (w, h) {
        decoded.image
    } else {
        resize::fit(&decoded.image, options.max_edge)?
    };
    let image = orient::apply(image, orientation);
    Ok(Prepared {
        image,
        icc: decoded.icc,
        source_format: format,
        source_width: decoded.source_width,
        source_height: decoded.source_height,
        suggestion,
    })
}

/// Compress a photo in one step.
pub fn compress(bytes: &[u8], options: &Options) -> Result<Compressed, PhotoError> {
    let options = options.clamped();
    prepare(bytes, &options)?.encode(options.quality, options.max_edge, options.thumb_edge)
}

/// Read and compress a photo file.
pub fn compress_file(path: &std::path::Path, options: &Options) -> Result<Compressed, PhotoError> {
    compress(&read_file(path, options.max_input_bytes)?, options)
}

/// Read a photo file, at most `max_bytes` of it, with a clear error for a
/// missing file or a directory. Its first bytes are checked before the
/// rest is read, so a file that is not a photo (`/dev/zero`, a 1 GB video)
/// is refused at once, and a file over the limit is never read whole.
pub fn read_file(path: &std::path::Path, max_bytes: u64) -> Result<Vec<u8>, PhotoError> {
    use std::io::Read;
    let io = |source| PhotoError::Io { path: path.to_owned(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(PhotoError::Io { path: path.to_owned(), source: std::io::Error::other("is a directory") });
    }
    if meta.is_file() && meta.len() > max_bytes {
        return Err(PhotoError::FileTooLarge { bytes: meta.len(), max: max_bytes });
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut head = Vec::with_capacity(64);
    (&mut file).take(64).read_to_end(&mut head).map_err(io)?;
    sniff::sniff(&head)?;
    let mut bytes = head;
    file.take(max_bytes.saturating_add(1).saturating_sub(bytes.len() as u64)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(PhotoError::FileTooLarge { bytes: bytes.len() as u64, max: max_bytes });
    }
    Ok(bytes)
}

impl Options {
    /// The allowed range of `max_edge`.
    pub const MAX_EDGE: std::ops::RangeInclusive<u32> = 64..=8192;
    /// The allowed range of `quality`.
    pub const QUALITY: std::ops::RangeInclusive<u8> = 30..=100;

    /// Options with every value inside its allowed range.
    pub fn clamped(&self) -> Options {
        Options {
            max_edge: self.max_edge.clamp(*Self::MAX_EDGE.start(), *Self::MAX_EDGE.end()),
            quality: self.quality.clamp(*Self::QUALITY.start(), *Self::QUALITY.end()),
            thumb_edge: self.thumb_edge.clamp(32, 1024),
            max_pixels: self.max_pixels,
            max_side: self.max_side,
            max_decode_bytes: self.max_decode_bytes,
            max_input_bytes: self.max_input_bytes,
        }
    }
}

#[cfg(test)]
mod tests;

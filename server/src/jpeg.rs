//! Every photo the server receives passes here before it is kept: it must
//! be a whole JPEG (SOI to EOI) within the size the app ever sends, whose
//! decode for a thumbnail fits the memory budget — computed from the
//! header, before anything is allocated — and it is kept without its
//! metadata (EXIF, XMP, IPTC, comments, trailers), pixels untouched.

use std::borrow::Cow;

use phananh_protocol::jpeg::{self, JpegError};

/// Longest side accepted (the app sends at most 8192).
const MAX_SIDE: u32 = 8192;

/// Longest side of a thumbnail, at least (DCT scaling picks the nearest
/// 1/2, 1/4 or 1/8 at or above it).
const THUMB_EDGE: u32 = 240;

/// Why a photo was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not a JPEG, damaged or cut short.
    #[error("not a whole JPEG: {0}")]
    NotJpeg(#[from] JpegError),
    /// A side longer than the app ever sends.
    #[error("{0}×{1} is larger than accepted")]
    TooLarge(u32, u32),
    /// Decoding it would need more memory than the budget.
    #[error("decoding would need {needed} bytes, over the budget of {budget}")]
    TooCostly {
        /// Worst case, from the header.
        needed: u64,
        /// The server's budget.
        budget: u64,
    },
}

/// A photo the server accepts: its size, and its bytes without metadata
/// (borrowed when it had none, so an already-clean photo is byte-identical).
#[derive(Debug)]
pub struct Accepted<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The bytes to keep and publish.
    pub clean: Cow<'a, [u8]>,
}

/// Check a received photo and strip its metadata.
pub fn accept(bytes: &[u8], decode_budget: u64) -> Result<Accepted<'_>, Refused> {
    let frame = jpeg::frame(bytes)?;
    let (width, height) = (u32::from(frame.width), u32::from(frame.height));
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(Refused::TooLarge(width, height));
    }
    let needed = thumbnail_cost(&frame);
    if needed > decode_budget {
        return Err(Refused::TooCostly { needed, budget: decode_budget });
    }
    // Walks every segment to EOI: a truncated file is refused here.
    let orientation = jpeg::exif(bytes).and_then(orientation);
    let clean = jpeg::strip_metadata(bytes, orientation)?;
    Ok(Accepted { width, height, clean })
}

/// The EXIF orientation (2–8), kept so a photo still shows upright.
fn orientation(raw: &[u8]) -> Option<u16> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let parsed = reader.read_raw(raw.to_vec()).or_else(|e| e.distill_partial_result(|_| {})).ok()?;
    let value = parsed.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?.value.get_uint(0)?;
    u16::try_from(value).ok().filter(|o| (2..=8).contains(o))
}

fn thumb_size(w: u32, h: u32) -> (u32, u32) {
    if w >= h { (THUMB_EDGE, (THUMB_EDGE * h / w).max(1)) } else { ((THUMB_EDGE * w / h).max(1), THUMB_EDGE) }
}

/// What making the thumbnail holds at once: the decoder's buffers at the
/// chosen scale plus the encoder's copy.
fn thumbnail_cost(frame: &jpeg::Frame) -> u64 {
    let (w, h) = (u32::from(frame.width), u32::from(frame.height));
    let (tw, th) = thumb_size(w, h);
    let d = frame.denominator_for(tw, th);
    let (sw, sh) = frame.scaled(d);
    frame.decode_cost(d) + u64::from(sw) * u64::from(sh) * 3
}

/// A small JPEG for lists and duplicate hints, made by decoding at 1/8–1/2
/// scale in the DCT (no full-size image, no resampling pass). Call it only
/// on what [`accept`] let through, under the server's decode semaphore.
pub fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let frame = jpeg::frame(bytes).ok()?;
    let (tw, th) = thumb_size(u32::from(frame.width), u32::from(frame.height));
    let mut d = jpeg_decoder::Decoder::new(bytes);
    // A decoder panic on a hostile file is a missing thumbnail, not a crash.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        d.read_info().ok()?;
        d.scale(tw as u16, th as u16).ok()?;
        let pixels = d.decode().ok()?;
        Some((pixels, d.info()?))
    }))
    .ok()
    .flatten()?;
    let (pixels, info) = decoded;
    let color = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => jpeg_encoder::ColorType::Rgb,
        jpeg_decoder::PixelFormat::L8 => jpeg_encoder::ColorType::Luma,
        _ => return None,
    };
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 70);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
    encoder.encode(&pixels, info.width, info.height, color).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(w: u16, h: u16, progressive: bool) -> Vec<u8> {
        let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h) * 3).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        let mut e = jpeg_encoder::Encoder::new(&mut out, 30);
        e.set_progressive(progressive);
        e.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_4_4);
        e.encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
        out
    }

    #[test]
    fn thumbnails_are_small_jpegs() {
        let big = photo(1600, 1200, false);
        let thumb = thumbnail(&big).unwrap();
        let frame = jpeg::frame(&thumb).unwrap();
        let (w, h) = (u32::from(frame.width), u32::from(frame.height));
        assert!((240..=450).contains(&w.max(h)), "{w}x{h}");
        assert!(thumb.len() * 5 < big.len(), "{} vs {}", thumb.len(), big.len());
        assert!(thumbnail(b"not a jpeg").is_none());
    }

    #[test]
    fn a_clean_photo_is_kept_byte_for_byte() {
        let p = photo(320, 240, false);
        let a = accept(&p, 64 << 20).unwrap();
        assert!(matches!(a.clean, Cow::Borrowed(_)));
        assert_eq!((a.width, a.height), (320, 240));
    }

    #[test]
    fn refuses_truncated_oversized_and_costly_photos() {
        let p = photo(320, 240, false);
        assert!(matches!(accept(&p[..p.len() - 10], 64 << 20), Err(Refused::NotJpeg(JpegError::Truncated))));
        assert!(matches!(accept(b"GIF89a", 64 << 20), Err(Refused::NotJpeg(JpegError::NotJpeg))));
        // Progressive: the decoder keeps every coefficient, whatever the scale.
        let prog = photo(2048, 2048, true);
        assert!(accept(&prog, 64 << 20).is_ok());
        assert!(matches!(accept(&prog, 8 << 20), Err(Refused::TooCostly { .. })));
    }
}

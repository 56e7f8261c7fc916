//! The one check every uploaded photo passes: a JPEG whose header the
//! decoder reads, within the size the app ever sends.

/// Longest side accepted (the app sends at most 8192).
const MAX_SIDE: u32 = 8192;

/// Width and height if the bytes are a JPEG the server accepts.
pub fn dims(bytes: &[u8]) -> Option<(u32, u32)> {
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return None;
    }
    let mut d = jpeg_decoder::Decoder::new(bytes);
    // A decoder panic on a hostile header is a refusal, not a crash.
    let info = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| d.read_info().ok().and_then(|_| d.info())))
        .ok()
        .flatten()?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    (w > 0 && h > 0 && w <= MAX_SIDE && h <= MAX_SIDE).then_some((w, h))
}

/// Longest side of a thumbnail, at least (DCT scaling picks the nearest
/// 1/2, 1/4 or 1/8 at or above it).
const THUMB_EDGE: u16 = 240;

/// A small JPEG for lists and duplicate hints, made by decoding at 1/8–1/2
/// scale in the DCT (no full-size image, no resampling pass).
pub fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let (w, h) = dims(bytes)?;
    let (tw, th) = if w >= h {
        (THUMB_EDGE, (u32::from(THUMB_EDGE) * h / w).max(1) as u16)
    } else {
        ((u32::from(THUMB_EDGE) * w / h).max(1) as u16, THUMB_EDGE)
    };
    let mut d = jpeg_decoder::Decoder::new(bytes);
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        d.scale(tw, th).ok()?;
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

    #[test]
    fn thumbnails_are_small_jpegs() {
        let photo = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/testdata/photos/orientation/Landscape_1.jpg"
        ))
        .unwrap();
        let thumb = thumbnail(&photo).unwrap();
        let (w, h) = dims(&thumb).unwrap();
        assert!((240..=450).contains(&w.max(h)), "{w}x{h}");
        assert!(thumb.len() * 5 < photo.len(), "{} vs {}", thumb.len(), photo.len());
        assert!(thumbnail(b"not a jpeg").is_none());
    }
}

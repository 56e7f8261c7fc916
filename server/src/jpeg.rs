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

//! Baseline JPEG out, 4:2:0, nothing but pixels (and a colour profile only
//! when the photo is not plain sRGB).

use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};

use super::PhotoError;
use super::resize::Rgb;

pub(super) fn jpeg(image: &Rgb, quality: u8, icc: Option<&[u8]>) -> Result<Vec<u8>, PhotoError> {
    let (Ok(w), Ok(h)) = (u16::try_from(image.width), u16::try_from(image.height)) else {
        return Err(PhotoError::Internal("image too large to encode".into()));
    };
    let mut out = Vec::with_capacity(image.data.len() / 10);
    let mut encoder = Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    // Average each 2×2 block for chroma (as libjpeg does) rather than take
    // its top-left pixel: ≈ 0.3 dB better for the same bytes.
    encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    // Optimised Huffman tables would save ~5 %, but with 4:2:0 zune-jpeg
    // (the `image` crate's decoder) misreads them: colours come out green.
    // Standard tables decode the same everywhere.
    encoder.set_optimized_huffman_tables(false);
    if let Some(profile) = icc.filter(|p| needs_profile(p)) {
        encoder.add_icc_profile(profile).map_err(|e| PhotoError::Internal(e.to_string()))?;
    }
    encoder.encode(&image.data, w, h, ColorType::Rgb).map_err(|e| PhotoError::Internal(e.to_string()))?;
    Ok(out)
}

/// sRGB is what every viewer assumes; any other profile (Display P3 from
/// newer iPhones, Adobe RGB) changes colours if dropped, so it stays.
fn needs_profile(profile: &[u8]) -> bool {
    !profile.windows(4).any(|w| w == b"sRGB") && !utf16_contains(profile, "sRGB")
}

fn utf16_contains(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_be_bytes).collect();
    bytes.windows(pattern.len()).any(|w| w == pattern.as_slice())
}

//! Shrinking with a high-quality filter (Lanczos3), never enlarging.

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::PhotoError;

/// A packed 8-bit RGB image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rgb {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// The size that fits `max_edge` on the long side, keeping the aspect ratio.
pub(super) fn fitted(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_edge {
        return (width, height);
    }
    let scale = f64::from(max_edge) / f64::from(long);
    let w = ((f64::from(width) * scale).round() as u32).clamp(1, max_edge);
    let h = ((f64::from(height) * scale).round() as u32).clamp(1, max_edge);
    (w, h)
}

/// Shrink to fit `max_edge`; an image already small enough is returned as is.
pub(super) fn fit(src: &Rgb, max_edge: u32) -> Result<Rgb, PhotoError> {
    let (w, h) = fitted(src.width, src.height, max_edge);
    if (w, h) == (src.width, src.height) {
        return Ok(src.clone());
    }
    let internal = |e: &dyn std::fmt::Display| PhotoError::Internal(e.to_string());
    let view = fast_image_resize::images::ImageRef::new(src.width, src.height, &src.data, PixelType::U8x3)
        .map_err(|e| internal(&e))?;
    let mut dst = Image::new(w, h, PixelType::U8x3);
    Resizer::new()
        .resize(&view, &mut dst, &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)))
        .map_err(|e| internal(&e))?;
    Ok(Rgb { width: w, height: h, data: dst.into_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_keeps_aspect_and_never_enlarges() {
        assert_eq!(fitted(4608, 1976, 1600), (1600, 686));
        assert_eq!(fitted(1976, 4608, 1600), (686, 1600));
        assert_eq!(fitted(640, 480, 1600), (640, 480));
        assert_eq!(fitted(100_000, 1, 1600), (1600, 1));
    }
}

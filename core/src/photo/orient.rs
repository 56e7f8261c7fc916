//! Making pixels upright, on the already small image.

use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};

use super::resize::Rgb;

/// Apply an EXIF orientation so the pixels are upright.
pub(super) fn apply(image: Rgb, orientation: Orientation) -> Rgb {
    if orientation == Orientation::NoTransforms {
        return image;
    }
    let Rgb { width, height, data } = image;
    let Some(buffer) = RgbImage::from_raw(width, height, data) else {
        return Rgb { width: 0, height: 0, data: Vec::new() };
    };
    let mut dynamic = DynamicImage::ImageRgb8(buffer);
    dynamic.apply_orientation(orientation);
    let upright = dynamic.into_rgb8();
    let (width, height) = upright.dimensions();
    Rgb { width, height, data: upright.into_raw() }
}

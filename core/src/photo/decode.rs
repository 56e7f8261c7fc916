//! Decoding within limits: the header is checked before any pixel buffer
//! exists, and JPEGs are decoded at a reduced scale when the target allows.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader};

use super::resize::Rgb;
use super::{Format, Options, PhotoError};

/// Pixels as decoded (not yet upright), with what orientation and colour
/// need.
pub(super) struct Decoded {
    pub image: Rgb,
    pub orientation: Orientation,
    pub exif: Option<Vec<u8>>,
    pub icc: Option<Vec<u8>>,
    pub source_width: u32,
    pub source_height: u32,
}

pub(super) fn decode(bytes: &[u8], format: Format, options: &Options) -> Result<Decoded, PhotoError> {
    match format {
        Format::Jpeg => jpeg(bytes, options),
        Format::Png => with_image(bytes, image::ImageFormat::Png, options),
        Format::Webp => with_image(bytes, image::ImageFormat::WebP, options),
    }
}

fn check_size(width: u64, height: u64, options: &Options) -> Result<(), PhotoError> {
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt { detail: "the image has no pixels".into() });
    }
    if width > u64::from(options.max_side)
        || height > u64::from(options.max_side)
        || width * height > options.max_pixels
    {
        return Err(PhotoError::TooLarge { width, height });
    }
    Ok(())
}

fn corrupt(e: impl std::fmt::Display) -> PhotoError {
    PhotoError::Corrupt { detail: e.to_string() }
}

/// Run a decoder step, turning a decoder panic (a bug in it, triggered by a
/// hostile file) into `Corrupt` rather than taking the app down.
fn guarded<T>(f: impl FnOnce() -> Result<T, PhotoError>) -> Result<T, PhotoError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(corrupt("the decoder gave up on this file")))
}

fn jpeg(bytes: &[u8], options: &Options) -> Result<Decoded, PhotoError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    let info = guarded(|| {
        decoder.read_info().map_err(corrupt)?;
        decoder.info().ok_or_else(|| corrupt("no image header"))
    })?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_size(width.into(), height.into(), options)?;

    // Ask for the smallest DCT scale that still leaves both sides at least
    // the final size, so the full-size image never exists.
    let long = width.max(height);
    if long > options.max_edge {
        let ratio = f64::from(options.max_edge) / f64::from(long);
        let want_w = (f64::from(width) * ratio).ceil().max(1.0) as u16;
        let want_h = (f64::from(height) * ratio).ceil().max(1.0) as u16;
        guarded(|| decoder.scale(want_w, want_h).map_err(corrupt))?;
    }
    let scaled = guarded(|| decoder.info().ok_or_else(|| corrupt("no image header")))?;
    let (w, h) = (u32::from(scaled.width), u32::from(scaled.height));
    let bytes_per_pixel = scaled.pixel_format.pixel_bytes();
    decoder.set_max_decoding_buffer_size(w as usize * h as usize * bytes_per_pixel + 1024);
    let pixels = guarded(|| decoder.decode().map_err(corrupt))?;
    let data = match scaled.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect(),
        // Adobe CMYK as decoded is inverted: channel = 255 - ink.
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                let k = u16::from(p[3]);
                [p[0], p[1], p[2]].map(|c| (u16::from(c) * k / 255) as u8)
            })
            .collect(),
    };
    if data.len() < w as usize * h as usize * 3 {
        return Err(corrupt("the decoder returned too few pixels"));
    }
    let exif = decoder.exif_data().map(<[u8]>::to_vec);
    let orientation = exif.as_deref().and_then(super::exif::orientation).unwrap_or(Orientation::NoTransforms);
    Ok(Decoded {
        image: Rgb { width: w, height: h, data },
        orientation,
        exif,
        icc: decoder.icc_profile(),
        source_width: width,
        source_height: height,
    })
}

fn with_image(bytes: &[u8], format: image::ImageFormat, options: &Options) -> Result<Decoded, PhotoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(options.max_side);
    limits.max_image_height = Some(options.max_side);
    // Full RGBA at the pixel cap, plus room for the decoder's own buffers.
    limits.max_alloc = Some(options.max_pixels.saturating_mul(4).saturating_add(64 << 20));
    reader.limits(limits);
    guarded(|| {
        let mut decoder = reader.into_decoder().map_err(image_error)?;
        let (width, height) = decoder.dimensions();
        check_size(width.into(), height.into(), options)?;
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let exif = decoder.exif_metadata().ok().flatten();
        let icc = decoder.icc_profile().ok().flatten();
        let image = DynamicImage::from_decoder(decoder).map_err(image_error)?;
        let image = if image.color().has_alpha() { flatten_on_white(image) } else { image.into_rgb8() };
        Ok(Decoded {
            image: Rgb { width, height, data: image.into_raw() },
            orientation,
            exif,
            icc,
            source_width: width,
            source_height: height,
        })
    })
}

/// Transparent screenshots become readable on white, not black.
fn flatten_on_white(image: DynamicImage) -> image::RgbImage {
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let data = rgba
        .into_raw()
        .chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            [p[0], p[1], p[2]].map(|c| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8)
        })
        .collect();
    image::RgbImage::from_raw(w, h, data).unwrap_or_default()
}

fn image_error(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooLarge { width: 0, height: 0 },
        image::ImageError::Unsupported(u) => PhotoError::Corrupt { detail: u.to_string() },
        other => corrupt(other),
    }
}

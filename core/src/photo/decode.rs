//! Decoding within limits: the header is read and the decode's worst-case
//! memory computed before any pixel buffer exists, and JPEGs are decoded at
//! a reduced scale when the target allows. PNG is decoded row by row into
//! RGB, so a 16-bit or RGBA file costs no more than an RGB one.

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
        Format::Png => png(bytes, options),
        Format::Webp => {
            // The decoder sizes its buffers from each frame's own header,
            // not the canvas: price those before it runs.
            let frames = webp_frames(bytes)?;
            let frame_bytes: u64 = frames.iter().map(|&(w, h)| u64::from(w) * u64::from(h) * 4).sum();
            within_budget(frame_bytes, options)?;
            with_image(bytes, image::ImageFormat::WebP, options)
        }
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

/// What the pipeline holds once the decoder is gone: the image as RGB,
/// the resize's intermediate and output (or nothing, when no resize is
/// needed), and the upright copy.
fn after_decode(w: u32, h: u32, options: &Options) -> u64 {
    let (ow, oh) = super::resize::fitted(w, h, options.max_edge);
    let (w, h, ow, oh) = (u64::from(w), u64::from(h), u64::from(ow), u64::from(oh));
    if (ow, oh) == (w, h) { 2 * w * h * 3 } else { w * h * 3 + w * oh * 3 + 2 * ow * oh * 3 }
}

/// Refuse before allocating when the worst case is over the budget.
fn within_budget(needed: u64, options: &Options) -> Result<(), PhotoError> {
    if needed > options.max_decode_bytes {
        return Err(PhotoError::NeedsTooMuchMemory { needed, budget: options.max_decode_bytes });
    }
    Ok(())
}

fn jpeg(bytes: &[u8], options: &Options) -> Result<Decoded, PhotoError> {
    let frame = phananh_protocol::jpeg::frame(bytes).map_err(|e| match e {
        phananh_protocol::jpeg::JpegError::NotJpeg => PhotoError::NotAnImage,
        other => corrupt(other),
    })?;
    let (width, height) = (u32::from(frame.width), u32::from(frame.height));
    check_size(width.into(), height.into(), options)?;

    // Ask for the smallest DCT scale that still leaves both sides at least
    // the final size, so the full-size image never exists.
    let long = width.max(height);
    let (want_w, want_h) = if long > options.max_edge {
        let ratio = f64::from(options.max_edge) / f64::from(long);
        ((f64::from(width) * ratio).ceil().max(1.0) as u32, (f64::from(height) * ratio).ceil().max(1.0) as u32)
    } else {
        (width, height)
    };
    let denominator = frame.denominator_for(want_w, want_h);
    let (sw, sh) = frame.scaled(denominator);
    // The decoder's buffers (and a conversion to RGB for grey or CMYK)
    // are freed before the resize starts: the peak is the larger of the two.
    let conversion = if frame.components.len() == 3 { 0 } else { u64::from(sw) * u64::from(sh) * 3 };
    within_budget((frame.decode_cost(denominator) + conversion).max(after_decode(sw, sh, options)), options)?;

    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    guarded(|| decoder.read_info().map_err(corrupt))?;
    if denominator > 1 {
        guarded(|| decoder.scale(want_w as u16, want_h as u16).map_err(corrupt))?;
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
    limits.max_alloc = Some(options.max_decode_bytes);
    reader.limits(limits);
    guarded(|| {
        let mut decoder = reader.into_decoder().map_err(image_error)?;
        let (width, height) = decoder.dimensions();
        check_size(width.into(), height.into(), options)?;
        // The decoder's own buffer with the RGB copy, then the resize.
        let rgb = u64::from(width) * u64::from(height) * 3;
        within_budget((decoder.total_bytes() + rgb).max(after_decode(width, height, options)), options)?;
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

/// PNG with the `png` crate directly: rows are expanded to 8 bits and
/// turned into RGB one at a time (transparent pixels on white), so the
/// only full-size buffer is the RGB image. Interlaced files need the whole
/// frame first; their budget counts it.
fn png(bytes: &[u8], options: &Options) -> Result<Decoded, PhotoError> {
    let png_error = |e: png::DecodingError| match e {
        png::DecodingError::LimitsExceeded => PhotoError::NeedsTooMuchMemory {
            needed: options.max_decode_bytes.saturating_add(1),
            budget: options.max_decode_bytes,
        },
        other => corrupt(other),
    };
    let limits = png::Limits { bytes: usize::try_from(options.max_decode_bytes).unwrap_or(usize::MAX) };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    guarded(|| {
        // The size first, from IHDR alone, before any other chunk is read.
        let (width, height) = {
            let header = decoder.read_header_info().map_err(png_error)?;
            (header.width, header.height)
        };
        check_size(width.into(), height.into(), options)?;
        let mut reader = decoder.read_info().map_err(png_error)?;
        let interlaced = reader.info().interlaced;
        let (color, _) = reader.output_color_type();
        let channels = color.samples();
        let frame_bytes = if interlaced { u64::from(width) * u64::from(height) * channels as u64 } else { 0 };
        let rgb = u64::from(width) * u64::from(height) * 3;
        within_budget((frame_bytes + rgb).max(after_decode(width, height, options)), options)?;
        let (exif, icc) = {
            let info = reader.info();
            (info.exif_metadata.as_deref().map(<[u8]>::to_vec), info.icc_profile.as_deref().map(<[u8]>::to_vec))
        };
        let (w, h) = (width as usize, height as usize);
        let mut data = Vec::with_capacity(w * h * 3);
        if interlaced {
            let mut frame = vec![0; reader.output_buffer_size().ok_or_else(|| corrupt("image too large"))?];
            let out = reader.next_frame(&mut frame).map_err(png_error)?;
            for row in frame.chunks_exact(out.line_size).take(h) {
                push_rgb(&mut data, row, channels, w);
            }
        } else {
            while let Some(row) = reader.next_row().map_err(png_error)? {
                push_rgb(&mut data, row.data(), channels, w);
            }
        }
        if data.len() != w * h * 3 {
            return Err(corrupt("the image data ends early"));
        }
        let orientation = exif.as_deref().and_then(super::exif::orientation).unwrap_or(Orientation::NoTransforms);
        Ok(Decoded {
            image: Rgb { width, height, data },
            orientation,
            exif,
            icc,
            source_width: width,
            source_height: height,
        })
    })
}

/// One row of 8-bit grey, grey+alpha, RGB or RGBA as RGB on white.
fn push_rgb(out: &mut Vec<u8>, row: &[u8], channels: usize, width: usize) {
    let on_white = |c: u8, a: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
    for p in row.chunks_exact(channels).take(width) {
        match *p {
            [l] => out.extend_from_slice(&[l, l, l]),
            [l, a] => out.extend_from_slice(&[on_white(l, a); 3]),
            [r, g, b] => out.extend_from_slice(&[r, g, b]),
            [r, g, b, a] => out.extend_from_slice(&[on_white(r, a), on_white(g, a), on_white(b, a)]),
            _ => {}
        }
    }
}

/// The sizes the WebP's image chunks declare (`VP8 ` lossy, `VP8L`
/// lossless), read from the RIFF chunk list without decoding. An animation
/// is refused: a report's photo is one picture.
fn webp_frames(bytes: &[u8]) -> Result<Vec<(u32, u32)>, PhotoError> {
    let le16 = |b: &[u8]| u32::from(u16::from_le_bytes([b[0], b[1]]));
    let mut frames = Vec::new();
    let mut at = 12;
    while let Some(head) = bytes.get(at..at + 8) {
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let payload = bytes.get(at + 8..(at + 8).saturating_add(size).min(bytes.len())).unwrap_or_default();
        match &head[..4] {
            b"VP8 " if payload.len() >= 10 && payload[3..6] == [0x9d, 0x01, 0x2a] => {
                frames.push((le16(&payload[6..8]) & 0x3fff, le16(&payload[8..10]) & 0x3fff));
            }
            b"VP8L" if payload.len() >= 5 && payload[0] == 0x2f => {
                let bits = u32::from_le_bytes([payload[1], payload[2], payload[3], payload[4]]);
                frames.push(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1));
            }
            b"ANMF" | b"ANIM" => return Err(corrupt("animated WebP is not a photo")),
            _ => {}
        }
        at = at.saturating_add(8).saturating_add(size).saturating_add(size % 2);
    }
    Ok(frames)
}

/// Transparent screenshots become readable on white, not black (the same
/// blending as PNG rows, over the whole image as one row).
fn flatten_on_white(image: DynamicImage) -> image::RgbImage {
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut data = Vec::with_capacity(w as usize * h as usize * 3);
    push_rgb(&mut data, rgba.as_raw(), 4, w as usize * h as usize);
    image::RgbImage::from_raw(w, h, data).unwrap_or_default()
}

fn image_error(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooLarge { width: 0, height: 0 },
        image::ImageError::Unsupported(u) => PhotoError::Corrupt { detail: u.to_string() },
        other => corrupt(other),
    }
}

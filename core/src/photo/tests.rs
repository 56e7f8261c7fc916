use std::path::PathBuf;

use super::*;
use crate::Lang;

fn photos() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/photos")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(photos().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The JPEG segments before the image data, as (marker, payload).
fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "starts with SOI");
    let mut out = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        assert_eq!(jpeg[i], 0xFF, "segment at {i}");
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        out.push((marker, jpeg[i + 4..i + 2 + len].to_vec()));
        if marker == 0xDA {
            break;
        }
        i += 2 + len;
    }
    assert_eq!(&jpeg[jpeg.len() - 2..], &[0xFF, 0xD9], "ends with EOI");
    out
}

/// No EXIF, XMP or other metadata segment; baseline; 4:2:0.
fn assert_clean_baseline(jpeg: &[u8]) {
    let segs = segments(jpeg);
    for (marker, payload) in &segs {
        assert!(*marker != 0xE1, "an APP1 (EXIF/XMP) segment is present");
        assert!(!(0xE3..=0xEF).contains(marker), "an APP{} segment is present", marker - 0xE0);
        assert!(*marker != 0xFE, "a comment segment is present");
        assert!(!payload.starts_with(b"Exif"), "EXIF payload present");
    }
    let sof: Vec<_> =
        segs.iter().filter(|(m, _)| (0xC0..=0xCF).contains(m) && ![0xC4, 0xC8, 0xCC].contains(m)).collect();
    assert_eq!(sof.len(), 1);
    assert_eq!(sof[0].0, 0xC0, "baseline DCT (SOF0)");
    let sof = &sof[0].1;
    assert_eq!(sof[5], 3, "three components");
    assert_eq!(sof[7], 0x22, "luma sampled 2x2 against chroma: 4:2:0");
    assert!(!jpeg.windows(4).any(|w| w == b"Exif"), "no EXIF anywhere in the file");
}

fn decode_rgb(jpeg: &[u8]) -> image::RgbImage {
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).unwrap().into_rgb8()
}

fn mean_abs_diff(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    sum as f64 / a.as_raw().len() as f64
}

#[test]
fn every_orientation_comes_out_upright() {
    let reference = compress(&read("orientation/Landscape_1.jpg"), &Options::default()).unwrap();
    assert_eq!((reference.width, reference.height), (1600, 1067));
    let reference_pixels = decode_rgb(&reference.jpeg);
    for i in 0..=8 {
        let out = compress(&read(&format!("orientation/Landscape_{i}.jpg")), &Options::default()).unwrap();
        assert!(out.width > out.height, "Landscape_{i} is landscape");
        assert_eq!((out.width, out.height), (reference.width, reference.height), "Landscape_{i}");
        let diff = mean_abs_diff(&decode_rgb(&out.jpeg), &reference_pixels);
        assert!(diff < 4.0, "Landscape_{i} differs from Landscape_1 by {diff:.2} on average");
        assert_clean_baseline(&out.jpeg);
    }
    // The test can fail: a wrongly rotated image is far off.
    let wrong = decode_rgb(&reference.jpeg);
    let flipped = image::imageops::flip_vertical(&wrong);
    assert!(mean_abs_diff(&flipped, &reference_pixels) > 20.0);
}

/// (file, latitude, longitude, capture time in UTC), read independently with
/// exifread: the Nokia states +03:00, the others no offset.
const REAL: &[(&str, f64, f64, &str)] = &[
    ("real/HMD_Nokia_8.3_5G.jpg", 60.146_705_555, 24.906_772_222, "2022-08-14T11:12:31Z"),
    ("real/iphone_hdr_NO.jpg", 40.446_972_222, -3.724_752_777, "2015-04-10T20:12:23Z"),
    ("real/DSCN0010.jpg", 43.467_448_333, 11.885_126_666, "2008-10-22T16:28:39Z"),
];

#[test]
fn phone_photos_shrink_lose_their_metadata_and_suggest_their_gps() {
    for &(file, lat, lon, taken) in REAL {
        let input = read(file);
        assert!(input.windows(4).any(|w| w == b"Exif"), "{file} has EXIF to strip");
        let out = compress(&input, &Options::default()).unwrap();
        assert!(out.width.max(out.height) <= 1600, "{file}: {}x{}", out.width, out.height);
        assert_clean_baseline(&out.jpeg);
        assert_clean_baseline(&out.thumbnail);
        let thumb = decode_rgb(&out.thumbnail);
        assert_eq!(thumb.width().max(thumb.height()), 320.min(out.width.max(out.height)));

        let (got_lat, got_lon) = out.suggestion.position.unwrap_or_else(|| panic!("{file}: no GPS suggestion"));
        assert!((got_lat - lat).abs() < 1e-6 && (got_lon - lon).abs() < 1e-6, "{file}: {got_lat}, {got_lon}");
        let expected = OffsetDateTime::parse(taken, &time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(out.suggestion.taken_at, Some(expected), "{file}");
    }
}

#[test]
fn twelve_megapixel_phone_photos_land_in_the_size_window() {
    for file in ["real/HMD_Nokia_8.3_5G.jpg", "real/iphone_hdr_NO.jpg"] {
        let out = compress(&read(file), &Options::default()).unwrap();
        assert_eq!(out.width.max(out.height), 1600, "{file}");
        let kb = out.jpeg.len() / 1024;
        assert!((150..=350).contains(&kb), "{file}: {kb} KB");
    }
}

#[test]
fn small_photos_are_not_enlarged() {
    let out = compress(&read("real/DSCN0010.jpg"), &Options::default()).unwrap();
    assert_eq!((out.width, out.height), (640, 480));
    assert_eq!((out.source_width, out.source_height), (640, 480));
}

#[test]
fn options_are_honoured() {
    let input = read("real/iphone_hdr_NO.jpg");
    let small = compress(&input, &Options { max_edge: 800, quality: 60, ..Options::default() }).unwrap();
    assert_eq!(small.width.max(small.height), 800);
    let big = compress(&input, &Options { max_edge: 800, quality: 95, ..Options::default() }).unwrap();
    assert!(big.jpeg.len() > small.jpeg.len() * 3 / 2, "{} vs {}", big.jpeg.len(), small.jpeg.len());
}

/// Decided: a photo the decoder cannot read to the end is refused as
/// `Corrupt` rather than sent half grey: it is evidence for the district,
/// and the resident can still retake it. (Pillow shows this file with its
/// lower part garbled.)
#[test]
fn the_damaged_camera_file_is_refused_as_corrupt() {
    match compress(&read("bad/corrupted.jpg"), &Options::default()) {
        Err(PhotoError::Corrupt { detail }) => assert!(detail.contains("marker"), "{detail}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn bad_inputs_get_typed_errors() {
    let jpeg = read("real/iphone_hdr_NO.jpg");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("zero bytes", Vec::new(), "empty"),
        ("truncated", jpeg[..jpeg.len() / 3].to_vec(), "corrupt"),
        ("header only", jpeg[..600].to_vec(), "corrupt"),
        ("text named .jpg", b"Day la mot tep van ban, khong phai anh.\n".repeat(20), "not_an_image"),
        ("HEIC", [&[0, 0, 0, 0x18][..], b"ftypheic", &[0; 12]].concat(), "unsupported_format"),
        ("GIF", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(), "unsupported_format"),
        ("PNG claiming 100000x100000", png_header(100_000, 100_000), "too_large"),
        ("PNG claiming 20001x10", png_header(20_001, 10), "too_large"),
        ("JPEG SOI then junk", [&[0xFF, 0xD8, 0xFF][..], &[0x42; 64]].concat(), "corrupt"),
    ];
    for (what, bytes, code) in cases {
        let err = compress(&bytes, &Options::default()).err().unwrap_or_else(|| panic!("{what} was accepted"));
        assert_eq!(err.code(), code, "{what}: {err}");
        assert!(!err.message(Lang::Vi).is_empty() && err.message(Lang::Vi) != err.message(Lang::En));
    }
    let heic = compress(&[&[0, 0, 0, 0x18][..], b"ftypheic", &[0; 12]].concat(), &Options::default()).unwrap_err();
    assert!(heic.message(Lang::En).contains("HEIC"), "{}", heic.message(Lang::En));
}

#[test]
fn a_jpeg_bomb_is_refused_from_its_header() {
    // A real JPEG header claiming 30000x30000 (900 MP), no data behind it.
    let mut bomb = vec![0xFF, 0xD8];
    bomb.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x75, 0x30, 0x75, 0x30, 0x03]);
    bomb.extend_from_slice(&[0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    bomb.extend_from_slice(&[0xFF, 0xD9]);
    let err = compress(&bomb, &Options::default()).unwrap_err();
    assert!(matches!(err, PhotoError::TooLarge { width: 30000, height: 30000 }), "{err:?}");
}

fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(b"IHDR");
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let crc = crc32(&ihdr);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn png_and_webp_work_too() {
    // A transparent PNG screenshot: transparent areas come out white.
    let mut rgba = image::RgbaImage::new(2000, 1000);
    for (x, _, p) in rgba.enumerate_pixels_mut() {
        *p = if x < 1000 { image::Rgba([200, 30, 30, 255]) } else { image::Rgba([0, 0, 0, 0]) };
    }
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(rgba.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let out = compress(&png, &Options::default()).unwrap();
    assert_eq!((out.width, out.height, out.source_format), (1600, 800, Format::Png));
    assert_clean_baseline(&out.jpeg);
    let pixels = decode_rgb(&out.jpeg);
    let right = pixels.get_pixel(1500, 400);
    assert!(right.0.iter().all(|&c| c > 240), "transparent became white: {right:?}");
    let left = pixels.get_pixel(100, 400);
    assert!(left.0[0] > 180 && left.0[1] < 60, "{left:?}");

    let mut webp = Vec::new();
    image::DynamicImage::ImageRgba8(rgba)
        .write_to(&mut std::io::Cursor::new(&mut webp), image::ImageFormat::WebP)
        .unwrap();
    let out = compress(&webp, &Options::default()).unwrap();
    assert_eq!((out.width, out.height, out.source_format), (1600, 800, Format::Webp));
    let pixels = decode_rgb(&out.jpeg);
    assert!(pixels.get_pixel(1500, 400).0.iter().all(|&c| c > 240), "WebP: transparent became white");
    assert!(pixels.get_pixel(100, 400).0[0] > 180);
}

#[test]
fn files_that_are_missing_or_directories_are_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(compress_file(&dir.path().join("nope.jpg"), &Options::default()).unwrap_err().code(), "io");
    assert_eq!(compress_file(dir.path(), &Options::default()).unwrap_err().code(), "io");
}

#[test]
fn a_webp_frame_larger_than_its_canvas_is_priced_by_the_frame() {
    // Found by the photo_png_webp fuzz target: a 40×30 VP8X canvas whose
    // VP8 frame header claims 16383 px made the decoder allocate 172 MB.
    let mut input = b"RIFF\0\0\0\0WEBP".to_vec();
    input.extend_from_slice(&[
        0x56, 0x50, 0x38, 0x58, 0x0a, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x27, 0x00, 0x00, 0x1d, 0x00, 0x00,
        0x41, 0x4c, 0x50, 0x48, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x07, 0x50, 0xb2, 0x88, 0x08, 0x44, 0x44, 0xff, 0x03,
        0x56, 0x50, 0x38, 0x20, 0x40, 0x00, 0x00, 0x00, 0x90, 0x03, 0x00, 0x9d, 0x01, 0x2a, 0xff, 0xff, 0xff, 0x28,
        0x00, 0x1e, 0x00, 0x3e, 0x6d, 0x36, 0x97, 0x48, 0xa4, 0x23, 0x22, 0x21, 0x25, 0x68,
    ]);
    let len = (input.len() - 8) as u32;
    input[4..8].copy_from_slice(&len.to_le_bytes());
    let err = compress(&input, &Options::default()).unwrap_err();
    assert_eq!(err.code(), "needs_too_much_memory", "{err}");
}

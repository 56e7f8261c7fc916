//! Photo pipeline benchmark: `phananh photo compress` against
//! `vipsthumbnail` and the naive `image` pipeline, by whole-process time and
//! peak RSS (`/usr/bin/time -v`), output bytes and PSNR against a
//! full-resolution Lanczos3 reference. Prints a Markdown table.
//!
//! Run it with `cargo xtask bench-photo` (which builds the release binaries
//! first); needs `vipsthumbnail` (Debian `libvips-tools`) and `/usr/bin/time`.
//!
//! `photo-bench naive IN OUT` is the naive pipeline itself, run as a child
//! so it is measured the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};

const RUNS: usize = 9;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["naive", input, output] => naive(Path::new(input), Path::new(output)),
        [phananh, photos, work] => bench(Path::new(phananh), Path::new(photos), Path::new(work)),
        _ => {
            eprintln!("usage: photo-bench PHANANH_BIN PHOTOS_DIR WORK_DIR | photo-bench naive IN OUT");
            std::process::exit(2);
        }
    }
}

/// Decode in full, Lanczos3 to 1600, encode at 80: what one writes first.
fn naive(input: &Path, output: &Path) {
    let mut decoder = ImageReader::open(input).expect("open").into_decoder().expect("decoder");
    let orientation = decoder.orientation().expect("orientation");
    let mut img = DynamicImage::from_decoder(decoder).expect("decode");
    img.apply_orientation(orientation);
    let small = img.resize(1600, 1600, image::imageops::FilterType::Lanczos3);
    let mut out = std::fs::File::create(output).expect("create");
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&small.to_rgb8()).expect("encode");
}

fn bench(phananh: &Path, photos: &Path, work: &Path) {
    std::fs::create_dir_all(work).expect("work dir");
    let me = std::env::current_exe().expect("current exe");
    let mut inputs: Vec<(String, PathBuf)> = vec![
        ("HMD_Nokia_8.3_5G.jpg (4608×1976)".into(), photos.join("real/HMD_Nokia_8.3_5G.jpg")),
        ("iphone_hdr_NO.jpg (3264×2448)".into(), photos.join("real/iphone_hdr_NO.jpg")),
    ];
    for (w, h, name) in [(4000, 3000, "generated 12 MP (4000×3000)"), (8000, 6000, "generated 48 MP (8000×6000)")] {
        let path = work.join(format!("gen_{w}x{h}.jpg"));
        if !path.exists() {
            generate(&photos.join("real/iphone_hdr_NO.jpg"), w, h, &path);
        }
        inputs.push((name.into(), path));
    }

    println!("| input | tool | time (median of {RUNS}) | peak RSS | output | bytes | PSNR vs Lanczos3 ref |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (name, input) in &inputs {
        let reference = full_reference(input);
        let tools: [(&str, PathBuf, Vec<String>); 3] = [
            (
                "phananh photo compress",
                work.join("out_phananh.jpg"),
                vec![
                    phananh.display().to_string(),
                    "photo".into(),
                    "compress".into(),
                    input.display().to_string(),
                    work.join("out_phananh.jpg").display().to_string(),
                ],
            ),
            (
                "vipsthumbnail -s 1600 [Q=80,strip]",
                work.join("out_vips.jpg"),
                vec![
                    "vipsthumbnail".into(),
                    input.display().to_string(),
                    "-s".into(),
                    "1600".into(),
                    "-o".into(),
                    format!("{}[Q=80,strip]", work.join("out_vips.jpg").display()),
                ],
            ),
            (
                "naive image (full decode, Lanczos3, q80)",
                work.join("out_naive.jpg"),
                vec![
                    me.display().to_string(),
                    "naive".into(),
                    input.display().to_string(),
                    work.join("out_naive.jpg").display().to_string(),
                ],
            ),
        ];
        for (tool, out, cmd) in tools {
            let mut times = Vec::new();
            let mut rss = 0u64;
            for _ in 0..RUNS {
                let (t, r) = timed(&cmd);
                times.push(t);
                rss = rss.max(r);
            }
            times.sort_by(f64::total_cmp);
            let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            let produced = image::open(&out).expect("decode output").into_rgb8();
            let psnr = psnr(&produced, &resized(&reference, produced.width(), produced.height()));
            println!(
                "| {name} | {tool} | {:.0} ms | {:.1} MB | {}×{} | {:.0} KB | {psnr:.2} dB |",
                times[RUNS / 2] * 1000.0,
                rss as f64 / 1024.0,
                produced.width(),
                produced.height(),
                bytes as f64 / 1024.0
            );
        }
    }
}

/// Run a command under `/usr/bin/time -v`: (wall seconds, peak RSS in KiB).
fn timed(cmd: &[String]) -> (f64, u64) {
    let out = Command::new("/usr/bin/time").arg("-v").args(cmd).output().expect("run /usr/bin/time");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} failed: {report}");
    let field = |name: &str| report.lines().find_map(|l| l.trim().strip_prefix(name)).map(str::trim).unwrap_or("");
    let rss = field("Maximum resident set size (kbytes):").parse().unwrap_or(0);
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):");
    let secs = wall.split(':').fold(0.0, |acc, part| acc * 60.0 + part.parse::<f64>().unwrap_or(0.0));
    (secs, rss)
}

/// The upright full-resolution image.
fn full_reference(input: &Path) -> RgbImage {
    let mut decoder = ImageReader::open(input).expect("open").into_decoder().expect("decoder");
    let orientation = decoder.orientation().expect("orientation");
    let mut img = DynamicImage::from_decoder(decoder).expect("decode");
    img.apply_orientation(orientation);
    img.into_rgb8()
}

fn resized(src: &RgbImage, w: u32, h: u32) -> RgbImage {
    let view = fast_image_resize::images::ImageRef::new(src.width(), src.height(), src.as_raw(), PixelType::U8x3)
        .expect("view");
    let mut dst = Image::new(w, h, PixelType::U8x3);
    Resizer::new()
        .resize(&view, &mut dst, &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)))
        .expect("resize");
    RgbImage::from_raw(w, h, dst.into_vec()).expect("image")
}

fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    let mse: f64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2)).sum::<f64>()
        / a.as_raw().len() as f64;
    10.0 * (255.0 * 255.0 / mse).log10()
}

/// A camera-like test image: a real photo enlarged with Lanczos3, given a
/// little sensor grain so it does not compress unrealistically well, saved
/// as a baseline 4:2:0 JPEG at quality 92.
fn generate(source: &Path, w: u32, h: u32, out: &Path) {
    let base = full_reference(source);
    let mut big = resized(&base, w, h);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for px in big.as_mut().iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let grain = (state % 9) as i16 - 4;
        *px = (i16::from(*px) + grain).clamp(0, 255) as u8;
    }
    let mut encoder = jpeg_encoder::Encoder::new_file(out, 92).expect("create");
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder.encode(big.as_raw(), w as u16, h as u16, jpeg_encoder::ColorType::Rgb).expect("encode");
}

//! Issue 12 on the phone's side, through the real `phananh` binary: photo
//! memory has a cap (peak resident memory read by the child itself from
//! `/proc/self/status`), two first syncs on one home do not lose photos,
//! and bad command lines are usage errors, not panics.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use phananh_core::Store;
use phananh_e2e::harness::{Server, queue_report};

const BIN: &str = env!("CARGO_BIN_EXE_phananh");

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(BIN).args(["--lang", "en", "--json"]).args(args).env("PHANANH_REPORT_PEAK_RSS", "1").output().unwrap()
}

fn compress(input: &Path, dir: &Path) -> (Output, u64) {
    let out_file = dir.join("out.jpg");
    let out = run(&["photo".as_ref(), "compress".as_ref(), input.as_os_str(), out_file.as_os_str()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb="))
        .unwrap_or_else(|| panic!("no peak line in {stderr}"))
        .parse()
        .unwrap();
    // The figure, for docs/benchmarks.md (`-- --nocapture`).
    eprintln!("peak RSS {} MB: {}", kb / 1024, input.display());
    (out, kb / 1024)
}

fn error_code(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let json = stderr.lines().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("no JSON error in {stderr}"));
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["error"]["code"].as_str().unwrap().to_owned()
}

/// Case 8: inputs that used to take 0.5–1 GB (or grow without end) are
/// refused from their first bytes or their header, within a small peak.
#[test]
fn photo_memory_has_a_real_cap() {
    let dir = tempfile::tempdir().unwrap();
    // /dev/zero: refused at once (not an image), not read forever.
    let (out, peak) = compress(Path::new("/dev/zero"), dir.path());
    assert!(!out.status.success());
    assert_eq!(error_code(&out), "not_an_image");
    assert!(peak < 40, "/dev/zero: {peak} MB");

    // A 1 GB file that is not a photo (sparse: no disk needed).
    let big = dir.path().join("big.jpg");
    std::fs::File::create(&big).unwrap().set_len(1 << 30).unwrap();
    let (out, peak) = compress(&big, dir.path());
    assert!(!out.status.success());
    assert_eq!(error_code(&out), "file_too_large");
    assert!(peak < 40, "1 GB file: {peak} MB");

    // A progressive 10000² JPEG (629 MB before), an RGBA 10000² PNG
    // (689 MB) and a 16-bit 7000² PNG (580 MB).
    let jpeg = dir.path().join("progressive.jpg");
    let pixels = vec![0u8; 10_000 * 10_000 * 3];
    let mut bytes = Vec::new();
    let mut e = jpeg_encoder::Encoder::new(&mut bytes, 10);
    e.set_progressive(true);
    e.set_optimized_huffman_tables(true);
    e.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_4_4);
    e.encode(&pixels, 10_000, 10_000, jpeg_encoder::ColorType::Rgb).unwrap();
    drop(pixels);
    std::fs::write(&jpeg, &bytes).unwrap();
    let rgba = dir.path().join("rgba.png");
    write_png(&rgba, 10_000, png::ColorType::Rgba, png::BitDepth::Eight);
    let deep = dir.path().join("deep.png");
    write_png(&deep, 7_000, png::ColorType::Rgb, png::BitDepth::Sixteen);
    for file in [&jpeg, &rgba, &deep] {
        let (out, peak) = compress(file, dir.path());
        assert!(!out.status.success(), "{} was accepted", file.display());
        assert_eq!(error_code(&out), "needs_too_much_memory");
        assert!(peak < 100, "{}: {peak} MB", file.display());
    }

    // And a real phone photo still goes through, well inside the budget.
    let photo = phananh_e2e::harness::real_photo("HMD_Nokia_8.3_5G.jpg");
    let (out, peak) = compress(&photo, dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(peak < 100, "a 9 MP phone photo: {peak} MB");
}

fn write_png(path: &Path, side: u32, color: png::ColorType, depth: png::BitDepth) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut enc = png::Encoder::new(file, side, side);
    enc.set_color(color);
    enc.set_depth(depth);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let samples = match color {
        png::ColorType::Rgba => 4,
        _ => 3,
    };
    let bytes_per_sample = if depth == png::BitDepth::Sixteen { 2 } else { 1 };
    let row = vec![0u8; side as usize * samples * bytes_per_sample];
    for _ in 0..side {
        std::io::Write::write_all(&mut stream, &row).unwrap();
    }
    stream.finish().unwrap();
}

/// Case 4: two first syncs on one home at the same moment (the app and its
/// background job): one registration, every report on the server once
/// with all its photos.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_first_syncs_on_one_home_lose_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let url = server.url();
    for round in 0..3 {
        let home = tempfile::tempdir().unwrap();
        let ids: Vec<_> = {
            let store = Store::open_in(home.path()).unwrap();
            (0..6).map(|n| queue_report(&store, round * 10 + n, 2)).collect()
        };
        let spawn = || {
            Command::new(BIN)
                .arg("--home")
                .arg(home.path())
                .args(["--server", &url, "--json", "sync", "--quiet"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        };
        let (mut a, mut b) = (spawn(), spawn());
        tokio::task::block_in_place(|| {
            assert!(a.wait().unwrap().success());
            assert!(b.wait().unwrap().success());
        });
        let store = Store::open_in(home.path()).unwrap();
        for id in &ids {
            let state = store.get(*id).unwrap().state;
            assert!(format!("{state:?}").starts_with("Sent"), "round {round}: report {id} is {state:?}");
        }
        let devices: i64 = server.db(|c| c.query_row("SELECT count(*) FROM devices", [], |r| r.get(0)).unwrap());
        assert_eq!(devices, round as i64 + 1, "round {round}: one registration per home");
        let ours: Vec<_> =
            server.reports().into_iter().filter(|r| ids.iter().any(|i| i.to_string() == r.client_id)).collect();
        assert_eq!(ours.len(), 6);
        assert!(ours.iter().all(|r| r.photos.len() == 2), "round {round}: every photo attached");
    }
}

/// A command line that is not valid UTF-8, or a photo option out of range,
/// is a usage error (exit 2), never a panic or a silent clamp.
#[test]
fn bad_command_lines_are_usage_errors() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let bad = std::ffi::OsStr::from_bytes(b"\xff\xfe.jpg");
    let out = run(&["draft".as_ref(), "--lang".as_ref(), bad]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let out = run(&["--home".as_ref(), dir.path().as_os_str(), "draft".as_ref(), "show".as_ref(), bad]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{}", String::from_utf8_lossy(&out.stderr));
    let photo = phananh_e2e::harness::real_photo("DSCN0010.jpg");
    let o = dir.path().join("o.jpg");
    for flags in [["--max-edge", "0"], ["--quality", "255"], ["--quality", "10"], ["--max-edge", "9000"]] {
        let out = run(&[
            "photo".as_ref(),
            "compress".as_ref(),
            photo.as_os_str(),
            o.as_os_str(),
            flags[0].as_ref(),
            flags[1].as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
    }
}

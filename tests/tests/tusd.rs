//! The app's tus client against the reference server, `tusd` (Go), on
//! loopback: create, upload, cut at 60 % by the fault proxy, resume.
//!
//! `.ci/run` installs tusd (`go install github.com/tus/tusd/v2/cmd/tusd@v2.9.1`);
//! set `TUSD_BIN` to use another build. Without tusd the test fails in CI
//! and only says so elsewhere.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use phananh_core::Lang;
use phananh_core::sync::http_client;
use phananh_core::sync::tus::{TusClient, UploadFailure};
use phananh_e2e::harness::{real_photo, sha256_hex};
use phananh_e2e::proxy::{Action, Fault, FaultProxy};
use reqwest::Url;
use reqwest::header::HeaderMap;

fn tusd_bin() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("TUSD_BIN") {
        return Some(PathBuf::from(p));
    }
    let gopath = Command::new("go")
        .args(["env", "GOPATH"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|p| !p.is_empty())
        .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/go")))?;
    let bin = PathBuf::from(gopath).join("bin/tusd");
    bin.exists().then_some(bin)
}

struct Tusd(Child);

impl Drop for Tusd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_to_tusd_and_resumes_after_a_cut() {
    let Some(bin) = tusd_bin() else {
        assert!(std::env::var_os("CI").is_none(), "tusd is missing: .ci/run should have installed it");
        eprintln!("SKIPPED here: tusd not installed (go install github.com/tus/tusd/v2/cmd/tusd@v2.9.1)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _tusd = Tusd(
        Command::new(bin)
            .args(["-host", "127.0.0.1", "-port", &port.to_string(), "-upload-dir"])
            .arg(dir.path())
            .args(["-show-greeting=false", "-verbose=false", "-expose-metrics=false"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let started = Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "tusd did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let proxy = FaultProxy::start(addr).await.unwrap();
    let endpoint = Url::parse(&format!("{}/files/", proxy.url())).unwrap();

    let http = http_client("PhanAnh-test", Duration::from_secs(5), Duration::from_secs(5)).unwrap();
    let chunk = 256 * 1024;
    let mut tus = TusClient::new(http, HeaderMap::new(), Lang::En, chunk, false);
    let caps = tus.options(&endpoint).await.unwrap();
    assert!(caps.extensions.iter().any(|e| e == "creation"), "{caps:?}");
    // Checksums only where the server offers them (tusd 2.9 does not).
    tus.checksums = caps.sha256_checksums();

    // A real photo, as it is (several chunks).
    let photo = real_photo("HMD_Nokia_8.3_5G.jpg");
    let bytes = std::fs::read(&photo).unwrap();
    let len = bytes.len() as u64;
    assert!(len > 3 * chunk as u64);
    let url = tus.create(&endpoint, len, &[("filename", "nokia.jpg")], None).await.unwrap();

    let cut_at = len * 6 / 10;
    let chunk_start = cut_at / chunk as u64 * chunk as u64;
    proxy.arm(Fault::on(&format!("upload-offset: {chunk_start}\r\n"), Action::CutAfter(cut_at - chunk_start + 300)));
    match tus.upload_file(&url, &photo, len, Some(0), |_, _| {}).await {
        Err(UploadFailure::Other(_)) => {}
        other => panic!("the cut should fail the upload: {other:?}"),
    }
    assert_eq!(proxy.fired(), 1);
    let before = proxy.up_bytes();
    let server_had = tus.offset(&url).await.unwrap();
    assert!(server_had >= chunk_start, "tusd kept what arrived: {server_had}");
    let mut seen = Vec::new();
    tus.upload_file(&url, &photo, len, None, |sent, _| seen.push(sent)).await.unwrap();
    // tusd may still be writing the cut PATCH's last bytes when the first
    // HEAD comes: the offset the upload resumes from can only be later.
    let resumed = *seen.first().unwrap();
    assert!(resumed >= server_had && resumed <= cut_at + 300, "resumed from the server's offset: {resumed}");
    assert_eq!(seen.last(), Some(&len));
    let after = proxy.up_bytes() - before;
    assert!(after <= len - cut_at + chunk as u64 + 4096, "{after} bytes after the cut for {} remaining", len - cut_at);

    let id = url.path_segments().unwrap().next_back().unwrap().to_owned();
    let stored = std::fs::read(dir.path().join(&id)).unwrap();
    assert_eq!(sha256_hex(&stored), sha256_hex(&bytes), "tusd holds the very same bytes");
    assert_eq!(tus.offset(&url).await.unwrap(), len);

    // The first chunk with the creation (creation-with-upload, which the
    // sync uses with our server): tusd speaks it too, and says how much
    // it took.
    assert!(caps.extensions.iter().any(|e| e == "creation-with-upload"), "{caps:?}");
    let first = bytes[..chunk].to_vec();
    let (url, offset) = tus.create_with(&endpoint, len, &[("filename", "nokia.jpg")], None, Some(first)).await.unwrap();
    assert_eq!(offset, Some(chunk as u64));
    tus.upload_file(&url, &photo, len, offset, |_, _| {}).await.unwrap();
    let id = url.path_segments().unwrap().next_back().unwrap().to_owned();
    let stored = std::fs::read(dir.path().join(&id)).unwrap();
    assert_eq!(sha256_hex(&stored), sha256_hex(&bytes), "the same bytes, the first chunk with the creation");
}

//! Issue 12, each case as it was found: the real `phananh-server` binary
//! in its own process, real sockets, hostile clients. The memory cases read
//! the server's peak resident memory (`VmHWM`) from `/proc/PID/status`.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_phananh-server");

/// The server binary on a fresh data directory, killed when dropped; its
/// log is kept in a file to be read back.
struct ChildServer {
    child: Child,
    base: String,
    addr: String,
    data: tempfile::TempDir,
    log: std::path::PathBuf,
}

impl ChildServer {
    fn start(extra: &[&str]) -> ChildServer {
        Self::start_in(tempfile::tempdir().unwrap(), extra, None)
    }

    /// `ulimit -n` set for the server alone, through the shell.
    fn start_in(data: tempfile::TempDir, extra: &[&str], nofile: Option<u32>) -> ChildServer {
        let log = data.path().join("server.log");
        let mut args = vec!["serve", "--demo", "--listen", "127.0.0.1:0", "--creates-per-minute", "10000"];
        args.extend_from_slice(extra);
        let data_dir = data.path().join("d");
        let mut cmd = match nofile {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" \"$@\"")).arg(BIN);
                c
            }
            None => Command::new(BIN),
        };
        let mut child = cmd
            .args(&args)
            .arg("--data")
            .arg(&data_dir)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().unwrap().unwrap();
            if let Some(rest) = line.strip_prefix("phananh-server listening on http://") {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep reading: a closed pipe would fail the server's next print.
        std::thread::spawn(move || lines.for_each(drop));
        ChildServer { child, base: format!("http://{addr}"), addr, data, log }
    }

    fn peak_rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .unwrap()
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap();
        kb / 1024
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap()
}

async fn device(base: &str) -> String {
    let reg: Value = client().post(format!("{base}/api/v1/devices")).send().await.unwrap().json().await.unwrap();
    reg["token"].as_str().unwrap().to_owned()
}

/// A report declaring `photo`; returns its client id.
async fn report_with(base: &str, token: &str, photo: &[u8]) -> (String, String) {
    let client_id = uuid::Uuid::now_v7().to_string();
    let photo_id = uuid::Uuid::now_v7().to_string();
    let body = json!({
        "category": "o_ga", "description": "Ổ gà lớn giữa đường liên xã", "lat": 18.9, "lon": 105.3,
        "photos": [{"id": photo_id, "sha256": hex(&Sha256::digest(photo)), "bytes": photo.len()}]
    });
    let r =
        client().put(format!("{base}/api/v1/reports/{client_id}")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    (client_id, photo_id)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// tus creation; the upload's URL.
async fn create_upload(base: &str, token: &str, client_id: &str, photo_id: &str, len: usize) -> String {
    let meta = format!("photo_id {}", base64::engine::general_purpose::STANDARD.encode(photo_id));
    let r = client()
        .post(format!("{base}/api/v1/reports/{client_id}/photos"))
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", len.to_string())
        .header("Upload-Metadata", meta)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    format!("{base}{}", r.headers()["location"].to_str().unwrap())
}

async fn patch(url: &str, token: &str, offset: usize, chunk: &[u8]) -> (u16, String) {
    let r = client()
        .patch(url)
        .bearer_auth(token)
        .header("Tus-Resumable", "1.0.0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", offset.to_string())
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The issue's file: 8192×8192, progressive, quality 10, no chroma
/// subsampling — under a megabyte, ~400 MB of coefficients to decode.
fn progressive_bomb(side: u16) -> Vec<u8> {
    let pixels = vec![0u8; usize::from(side) * usize::from(side) * 3];
    let mut out = Vec::new();
    let mut e = jpeg_encoder::Encoder::new(&mut out, 10);
    e.set_progressive(true);
    e.set_optimized_huffman_tables(true);
    e.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_4_4);
    e.encode(&pixels, side, side, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

/// Case 1: uploads (tus and Open311 media) of a small progressive 8192²
/// JPEG are refused from the header; the server's memory stays bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_progressive_8192_jpeg_does_not_take_the_servers_memory() {
    let bomb = progressive_bomb(8192);
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let server = ChildServer::start(&[]);
    let base = server.base.clone();
    let token = device(&base).await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (base, token, bomb) = (base.clone(), token.clone(), bomb.clone());
        tasks.push(tokio::spawn(async move {
            let (cid, pid) = report_with(&base, &token, &bomb).await;
            let url = create_upload(&base, &token, &cid, &pid, bomb.len()).await;
            patch(&url, &token, 0, &bomb).await
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("photo_too_complex"), "{body}");
    }
    let key = api_key(&server);
    let form = reqwest::multipart::Form::new()
        .text("api_key", key)
        .text("service_code", "o_ga")
        .text("description", "Ổ gà lớn giữa đường liên xã")
        .text("lat", "18.9")
        .text("long", "105.3")
        .part("media", reqwest::multipart::Part::bytes(bomb).file_name("b.jpg"));
    let r = client().post(format!("{base}/open311/v2/requests.json")).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let peak = server.peak_rss_mb();
    eprintln!("server peak RSS after six bombs and an Open311 post: {peak} MB");
    assert!(peak < 150, "the server peaked at {peak} MB");
}

fn api_key(server: &ChildServer) -> String {
    let out = Command::new(BIN)
        .args(["apikey", "add", "test"])
        .arg("--data")
        .arg(server.data.path().join("d"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().last().unwrap().to_owned()
}

/// Case 2: 1 100 connections that send half a request and stop, against a
/// server allowed 256 file descriptors: it keeps answering, drops the
/// half-sent ones after the header timeout, and says so in its log.
#[test]
fn half_sent_requests_time_out_and_everyone_else_is_answered() {
    let mut server = ChildServer::start_in(
        tempfile::tempdir().unwrap(),
        &["--max-connections", "100", "--header-timeout", "2"],
        Some(256),
    );
    let mut idle = Vec::new();
    for _ in 0..1100 {
        let Ok(mut s) = TcpStream::connect(&server.addr) else { continue };
        let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n");
        idle.push(s);
    }
    let started = Instant::now();
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(90))).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(90));
    // The server hung up on the half-sent requests it had accepted.
    let first = &mut idle[0];
    first.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut buf = [0u8; 512];
    let n = first.read(&mut buf).unwrap_or(0);
    assert!(n == 0 || String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"), "still open");
    assert!(server.alive());
    let log = server.log();
    assert!(log.contains("connection limit reached"), "{log}");
    assert!(!log.contains("Too many open files"), "{log}");
}

/// Case 3: two PATCHes on one upload at the same moment: never a 500,
/// never a deleted upload; the photo ends attached and whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_patches_on_one_upload_do_not_race() {
    let server = ChildServer::start(&[]);
    let base = server.base.clone();
    let token = device(&base).await;
    let photo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/photos/real/DSCN0010.jpg")).unwrap();
    let photo = phananh_protocol::jpeg::strip_metadata(&photo, None).unwrap().into_owned();
    for round in 0..20 {
        let (cid, pid) = report_with(&base, &token, &photo).await;
        let url = create_upload(&base, &token, &cid, &pid, photo.len()).await;
        // Identical PATCHes, or (odd rounds) a half and the whole, both at 0.
        let second: &[u8] = if round % 2 == 0 { &photo } else { &photo[..photo.len() / 2] };
        let (a, b) = tokio::join!(patch(&url, &token, 0, &photo), patch(&url, &token, 0, second));
        for (status, body) in [&a, &b] {
            assert!([204, 409, 423].contains(status), "round {round}: {status} {body}");
        }
        // Resume as a client would, from the server's offset.
        let mut done = a.0 == 204 && b.0 != 204 || b.0 == 204 && second.len() == photo.len();
        for _ in 0..5 {
            if done {
                break;
            }
            let h = client().head(&url).bearer_auth(&token).header("Tus-Resumable", "1.0.0").send().await.unwrap();
            let offset: usize = h.headers()["upload-offset"].to_str().unwrap().parse().unwrap();
            done = offset == photo.len() || patch(&url, &token, offset, &photo[offset..]).await.0 == 204;
        }
        let status = get_json(&format!("{base}/api/v1/reports/{cid}"), &token).await;
        let code = status["tracking_code"].as_str().unwrap();
        let served = client().get(format!("{base}/r/{code}/photo/0")).send().await.unwrap();
        assert_eq!(served.status(), 200, "round {round}: the photo was never attached");
        assert_eq!(served.bytes().await.unwrap().as_ref(), photo.as_slice(), "round {round}");
    }
}

/// Case 5: a noncharacter in a description (native) or a name (Open311)
/// never reaches the XML feed; the feed parses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_report_cannot_break_the_open311_xml_feed() {
    let server = ChildServer::start(&[]);
    let base = server.base.clone();
    let token = device(&base).await;
    let r = client()
        .put(format!("{base}/api/v1/reports/{}", uuid::Uuid::now_v7()))
        .bearer_auth(&token)
        .json(&json!({"category": "o_ga", "description": "Ổ gà \u{FFFF} lớn \u{FFFE} giữa đường \u{202E}xã", "lat": 18.9, "lon": 105.3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let form = [
        ("api_key", api_key(&server)),
        ("service_code", "o_ga".into()),
        ("description", "Đèn đường hỏng ở cổng chợ".into()),
        ("last_name", "Nguyễn\u{FFFF}\u{FFFE}".into()),
        ("lat", "18.9".into()),
        ("long", "105.3".into()),
    ];
    let r = client().post(format!("{base}/open311/v2/requests.xml")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let xml = client().get(format!("{base}/open311/v2/requests.xml")).send().await.unwrap().text().await.unwrap();
    assert!(!xml.contains(['\u{FFFF}', '\u{FFFE}', '\u{202E}']));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("request")).count(), 2);
}

/// Case 6: a photo posted as Open311 `media` is published without its
/// EXIF (GPS), the rest of the file byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open311_media_is_published_without_its_gps() {
    let server = ChildServer::start(&[]);
    let base = server.base.clone();
    let photo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/photos/real/DSCN0010.jpg")).unwrap();
    assert!(phananh_protocol::jpeg::exif(&photo).is_some(), "the test photo has EXIF GPS");
    let form = reqwest::multipart::Form::new()
        .text("api_key", api_key(&server))
        .text("service_code", "o_ga")
        .text("description", "Ổ gà lớn giữa đường liên xã")
        .text("lat", "18.9")
        .text("long", "105.3")
        .part("media", reqwest::multipart::Part::bytes(photo.clone()).file_name("p.jpg"));
    let r = client().post(format!("{base}/open311/v2/requests.json")).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let code = created[0]["service_request_id"].as_str().unwrap();
    let served = client().get(format!("{base}/r/{code}/photo/0")).send().await.unwrap().bytes().await.unwrap();
    assert!(phananh_protocol::jpeg::exif(&served).is_none(), "EXIF published");
    assert!(!served.windows(4).any(|w| w == b"GPS\0") && !served.windows(5).any(|w| w == b"NIKON"));
    assert_eq!(served.as_ref(), phananh_protocol::jpeg::strip_metadata(&photo, None).unwrap().as_ref());
    let thumb = client().get(format!("{base}/r/{code}/thumb/0")).send().await.unwrap().bytes().await.unwrap();
    assert!(phananh_protocol::jpeg::exif(&thumb).is_none());
}

/// Case 7: a cookie alone does not change anything through the staff JSON
/// API; a form from another origin is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_api_needs_more_than_the_cookie() {
    let server = ChildServer::start(&[]);
    let base = server.base.clone();
    let token = device(&base).await;
    let cid = uuid::Uuid::now_v7().to_string();
    let r = client()
        .put(format!("{base}/api/v1/reports/{cid}"))
        .bearer_auth(&token)
        .json(&json!({"category": "o_ga", "description": "Ổ gà lớn giữa đường liên xã", "lat": 18.9, "lon": 105.3}))
        .send()
        .await
        .unwrap();
    let code = r.json::<Value>().await.unwrap()["tracking_code"].as_str().unwrap().to_owned();
    let session = staff_login(&server, "lan").await;
    let (session_token, csrf) = (session["token"].as_str().unwrap(), session["csrf"].as_str().unwrap());
    let cookie = format!("phananh_staff={session_token}");
    let url = format!("{base}/api/v1/staff/reports/{code}/status");
    let body = r#"{"status":"in_progress"}"#;
    let forged = client()
        .post(&url)
        .header("Cookie", &cookie)
        .header("Content-Type", "text/plain")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "cookie only");
    let foreign = client()
        .post(&url)
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", csrf)
        .header("Origin", "http://evil.example")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403, "foreign origin");
    let own = client()
        .post(&url)
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", csrf)
        .header("Origin", &base)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200, "{}", own.text().await.unwrap());
    let form = client()
        .post(format!("{base}/staff/reports/{code}/status"))
        .header("Cookie", &cookie)
        .header("Origin", "null")
        .form(&[("csrf", csrf), ("status", "resolved")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 403, "an opaque origin");
    // Our own page reached by another name (localhost for 127.0.0.1): the
    // browser's Origin names the Host it sent to.
    let port = base.rsplit(':').next().unwrap();
    let other_name = client()
        .post(&url)
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", csrf)
        .header("Host", format!("localhost:{port}"))
        .header("Origin", format!("http://localhost:{port}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(other_name.status(), 200, "same page, another name");
    let done = r#"{"status":"resolved","reply":"Đã xử lý xong."}"#;
    let bearer = client().post(&url).bearer_auth(session_token).body(done).send().await.unwrap();
    assert_eq!(bearer.status(), 200, "scripts with a bearer token need no CSRF token");
    // Security headers on every page.
    let page = client().get(format!("{base}/staff")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-eval")
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
}

/// A new staff account `name`, signed in: `{"token", "csrf"}`.
async fn staff_login(server: &ChildServer, name: &str) -> Value {
    let password = staff_password(server, name);
    let r = client()
        .post(format!("{}/api/v1/staff/login", server.base))
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap();
    r.json().await.unwrap()
}

async fn get_json(url: &str, token: &str) -> Value {
    client().get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

fn staff_password(server: &ChildServer, name: &str) -> String {
    let password = "mot-mat-khau-rat-dai";
    let mut add = Command::new(BIN)
        .args(["staff", "add", name])
        .arg("--data")
        .arg(server.data.path().join("d"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
    assert!(add.wait().unwrap().success());
    password.to_owned()
}

/// Sign-in: the back-off follows the account, whatever the IP; failures
/// are in the audit trail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_backs_off_per_account_and_failures_are_audited() {
    let server = ChildServer::start(&[]);
    let base = server.base.clone();
    let password = staff_password(&server, "minh");
    let login = |pw: &'static str| {
        let base = base.clone();
        async move {
            client()
                .post(format!("{base}/api/v1/staff/login"))
                .json(&json!({"name": "minh", "password": pw}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for _ in 0..5 {
        assert_eq!(login("sai-mat-khau").await, 401);
    }
    assert_eq!(login("sai-mat-khau").await, 429, "the account backs off");
    let right = client()
        .post(format!("{base}/api/v1/staff/login"))
        .json(&json!({"name": "minh", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 429, "even the right password waits");
    let db = rusqlite::Connection::open(server.data.path().join("d/server.sqlite3")).unwrap();
    let failed: i64 = db
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed' AND actor = 'minh'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(failed, 5);
}

/// The smaller findings, one request each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_limits_photo_budget_search_and_host() {
    let server = ChildServer::start(&["--public-url", "https://phananh.example.vn"]);
    let base = server.base.clone();
    let token = device(&base).await;
    let put = |body: Value, host: Option<&'static str>| {
        let (base, token) = (base.clone(), token.clone());
        async move {
            let mut r = client().put(format!("{base}/api/v1/reports/{}", uuid::Uuid::now_v7())).bearer_auth(&token);
            if let Some(h) = host {
                r = r.header("Host", h);
            }
            let r = r.json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let ok = json!({"category": "o_ga", "description": "Ổ gà lớn giữa đường liên xã", "lat": 18.9, "lon": 105.3});
    // created_at: 8 MB is refused at the door (64 KB is the most a report
    // body may be), and a long or malformed one by its own rule.
    let mut big = ok.clone();
    big["created_at"] = json!("2".repeat(8 << 20));
    let r =
        client().put(format!("{base}/api/v1/reports/{}", uuid::Uuid::now_v7())).bearer_auth(&token).json(&big).send();
    // The server answers 413 and closes at once; a client still writing
    // the 8 MB may see the close before the answer. Either is a refusal.
    match r.await {
        Ok(r) => assert_eq!(r.status(), 413),
        Err(e) => assert!(!e.is_timeout() && (e.is_request() || e.is_body()), "{e}"),
    }
    let mut long = ok.clone();
    long["created_at"] = json!(format!("2026-11-29T10:00:00{}Z", "0".repeat(200)));
    let (status, body) = put(long, None).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("bad_created_at")), "{body}");
    // The photo budget (2 MB a report) holds on the server too.
    let mut heavy = ok.clone();
    heavy["photos"] = json!(
        (0..3)
            .map(|_| json!({"id": uuid::Uuid::now_v7().to_string(), "sha256": "a".repeat(64), "bytes": 1_000_000}))
            .collect::<Vec<_>>()
    );
    let (status, body) = put(heavy, None).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("photos_too_large")), "{body}");
    // Twelve zero-width spaces are not a description.
    let mut empty = ok.clone();
    empty["description"] = json!("\u{200B}".repeat(12));
    assert_eq!(put(empty, None).await.1["code"], "description_too_short");
    // A photo id can belong to one report only.
    let photo_id = uuid::Uuid::now_v7().to_string();
    let mut first = ok.clone();
    first["photos"] = json!([{"id": photo_id, "sha256": "b".repeat(64), "bytes": 1000}]);
    assert_eq!(put(first.clone(), None).await.0, 201);
    let (status, body) = put(first, None).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("photo_id_taken")), "{body}");
    // Links come from --public-url, never from Host.
    let (status, body) = put(ok.clone(), Some("evil.example")).await;
    assert_eq!(status, 201);
    assert!(body["public_url"].as_str().unwrap().starts_with("https://phananh.example.vn/r/"), "{body}");
    let discovery =
        client().get(format!("{base}/open311/v2/discovery.json")).header("Host", "evil.example").send().await.unwrap();
    assert!(!discovery.text().await.unwrap().contains("evil"));
    // A staff search of 20 000 words is answered, not a 500.
    let session = staff_login(&server, "hoa").await;
    let q = "d+".repeat(20_000);
    let r = client()
        .get(format!("{base}/api/v1/staff/reports?q={q}"))
        .bearer_auth(session["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Private files.
    use std::os::unix::fs::PermissionsExt;
    let d = server.data.path().join("d");
    for (path, mode) in [("", 0o700), ("photos", 0o700), ("uploads", 0o700), ("server.sqlite3", 0o600)] {
        let m = std::fs::metadata(d.join(path)).unwrap().permissions().mode() & 0o777;
        assert_eq!(m, mode, "{path}");
    }
}

/// A truncated JPEG is refused when its upload completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_jpeg_is_refused() {
    let server = ChildServer::start(&[]);
    let base = server.base.clone();
    let token = device(&base).await;
    let photo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/photos/real/DSCN0010.jpg")).unwrap();
    let cut = &photo[..photo.len() * 2 / 3];
    let (cid, pid) = report_with(&base, &token, cut).await;
    let url = create_upload(&base, &token, &cid, &pid, cut.len()).await;
    let (status, body) = patch(&url, &token, 0, cut).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("not_a_jpeg"), "{body}");
}

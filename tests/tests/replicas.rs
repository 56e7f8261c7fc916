//! Two replicas of the server as separate processes on one PostgreSQL and
//! one S3 bucket (SeaweedFS), behind nginx: a tus upload whose PATCHes
//! alternate between the replicas completes byte-identical, and a replica
//! killed with SIGKILL mid-PATCH loses nothing — the phone resumes through
//! nginx on the other. Needs what `.ci/run` starts (`PHANANH_PG_URL`,
//! `PHANANH_S3_ENDPOINT`, nginx); outside CI without them it says so and
//! passes.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use phananh_e2e::cluster::{Backing, Nginx};
use phananh_e2e::harness::sha256_hex;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

/// A replica process; killed (SIGKILL) when dropped.
struct Replica {
    child: Child,
    addr: SocketAddr,
}

impl Replica {
    fn start(backing: &Backing, s3_url: &str, district: &std::path::Path, data: &std::path::Path) -> Replica {
        let mut child = Command::new(env!("CARGO_BIN_EXE_replica"))
            .arg(&backing.database)
            .arg(s3_url)
            .arg(district)
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let line = BufReader::new(child.stdout.take().unwrap()).lines().next().unwrap().unwrap();
        let addr = line.rsplit("http://").next().unwrap().parse().unwrap();
        Replica { child, addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL: no shutdown, no flush, sockets closed by the kernel.
    fn kill(&mut self) {
        let _ = Command::new("kill").args(["-9", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

fn ready() -> bool {
    if std::env::var_os("PHANANH_PG_URL").is_some() && std::env::var_os("PHANANH_S3_ENDPOINT").is_some() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI must run the replica tests (PHANANH_PG_URL, PHANANH_S3_ENDPOINT)");
    eprintln!(
        "\n*** SKIPPED: the replica tests need PHANANH_PG_URL and PHANANH_S3_ENDPOINT (cargo xtask postgres / s3) ***\n"
    );
    false
}

/// A photo as the app sends it: a JPEG with no metadata (kept byte-identical).
fn app_photo() -> Vec<u8> {
    let (w, h) = (900u16, 700u16);
    let mut pixels = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            let v = ((u32::from(x) * 7 + u32::from(y) * 13) ^ (u32::from(x) * u32::from(y))) as u8;
            pixels.extend_from_slice(&[v, v.wrapping_mul(3), 255 - v]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90).encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

struct Phone {
    http: reqwest::Client,
    token: String,
}

impl Phone {
    async fn register(base: &str) -> Phone {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let reg: Value = http.post(format!("{base}/api/v1/devices")).send().await.unwrap().json().await.unwrap();
        Phone { http, token: reg["token"].as_str().unwrap().to_owned() }
    }

    /// A report declaring `photo`, and its upload's path (`/api/v1/uploads/ID`).
    async fn report_with(&self, base: &str, photo: &[u8]) -> (String, String) {
        let (rid, pid) = (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string());
        let body = json!({
            "category": "o_ga",
            "description": "Ổ gà lớn giữa đường liên xã, xe máy dễ ngã",
            "lat": 18.9, "lon": 105.3, "accuracy_m": 6.0,
            "reporter": {"name": "Nguyễn Văn An", "phone": "0912345678", "anonymous": false},
            "photos": [{"id": pid, "sha256": sha256_hex(photo), "bytes": photo.len()}],
        });
        let r = self.http.put(format!("{base}/api/v1/reports/{rid}")).bearer_auth(&self.token).json(&body).send().await;
        assert_eq!(r.unwrap().status(), 201);
        let meta = format!("photo_id {},sha256 {}", B64.encode(&pid), B64.encode(sha256_hex(photo)));
        let created = self
            .http
            .post(format!("{base}/api/v1/reports/{rid}/photos"))
            .bearer_auth(&self.token)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", photo.len().to_string())
            .header("upload-metadata", meta)
            .header("idempotency-key", &pid)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        (rid, created.headers()["location"].to_str().unwrap().to_owned())
    }

    async fn offset(&self, base: &str, upload: &str) -> u64 {
        let r = self.http.head(format!("{base}{upload}")).bearer_auth(&self.token).header("tus-resumable", "1.0.0");
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 200, "HEAD on {base}");
        r.headers()["upload-offset"].to_str().unwrap().parse().unwrap()
    }

    async fn patch(&self, base: &str, upload: &str, at: u64, chunk: &[u8]) -> reqwest::StatusCode {
        self.http
            .patch(format!("{base}{upload}"))
            .bearer_auth(&self.token)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", at.to_string())
            .header("content-type", "application/offset+octet-stream")
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap()
            .status()
    }

    /// The stored photo, by the report's tracking code.
    async fn stored_photo(&self, base: &str, rid: &str) -> Vec<u8> {
        let status: Value = self
            .http
            .get(format!("{base}/api/v1/reports/{rid}"))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = status["tracking_code"].as_str().unwrap();
        assert_eq!(status["photos_received"], 1);
        self.http.get(format!("{base}/r/{code}/photo/0")).send().await.unwrap().bytes().await.unwrap().to_vec()
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    database: String,
    a: Replica,
    b: Replica,
    nginx: Nginx,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let backing = Backing::fresh().await;
    let s3_url = format!(
        "s3://{}/{}?endpoint={}",
        backing.photos.bucket,
        backing.photos.prefix,
        std::env::var("PHANANH_S3_ENDPOINT").unwrap()
    );
    phananh_server::demo::write_district(dir.path()).unwrap();
    let district = dir.path().join(phananh_server::DISTRICT_FILE);
    // The first replica makes the schema; the second finds it.
    let a = Replica::start(&backing, &s3_url, &district, &dir.path().join("a"));
    let b = Replica::start(&backing, &s3_url, &district, &dir.path().join("b"));
    let nginx = Nginx::start(&[a.addr, b.addr]);
    Setup { _dir: dir, database: backing.database, a, b, nginx }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patches_alternating_between_replicas_make_one_byte_identical_photo() {
    if !ready() {
        return;
    }
    let s = setup().await;
    let (a, b) = (s.a.url(), s.b.url());
    let phone = Phone::register(&a).await;
    let photo = app_photo();
    let (rid, upload) = phone.report_with(&b, &photo).await;
    // Ten chunks, each to the other replica; each asks the other where it is.
    let step = photo.len().div_ceil(10);
    let mut at = 0u64;
    for (i, chunk) in photo.chunks(step).enumerate() {
        let (here, there) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        assert_eq!(phone.offset(there, &upload).await, at, "the other replica knows the offset");
        assert_eq!(phone.patch(here, &upload, at, chunk).await, 204, "chunk {i} on {here}");
        at += chunk.len() as u64;
    }
    let nginx = format!("http://{}", s.nginx.addr);
    assert_eq!(phone.offset(&nginx, &upload).await, photo.len() as u64);
    let stored = phone.stored_photo(&nginx, &rid).await;
    assert_eq!(sha256_hex(&stored), sha256_hex(&photo), "byte-identical, whichever replica finished it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_patch_loses_nothing_and_the_phone_resumes_on_the_other() {
    if !ready() {
        return;
    }
    let mut s = setup().await;
    let nginx = format!("http://{}", s.nginx.addr);
    let phone = Phone::register(&nginx).await;
    let photo = app_photo();
    let (rid, upload) = phone.report_with(&nginx, &photo).await;
    let half = photo.len() / 2;
    assert_eq!(phone.patch(&s.a.url(), &upload, 0, &photo[..half / 2]).await, 204);
    let first = (half / 2) as u64;

    // A PATCH for the rest goes to replica A, which dies with part of it sent.
    let mut raw = tokio::net::TcpStream::connect(s.a.addr).await.unwrap();
    let head = format!(
        "PATCH {upload} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nTus-Resumable: 1.0.0\r\n\
         Content-Type: application/offset+octet-stream\r\nUpload-Offset: {first}\r\nContent-Length: {}\r\n\r\n",
        phone.token,
        photo.len() as u64 - first
    );
    raw.write_all(head.as_bytes()).await.unwrap();
    raw.write_all(&photo[first as usize..half]).await.unwrap();
    raw.flush().await.unwrap();
    // Once A holds the upload's claim (it is writing), kill it.
    let (db, conn) = tokio_postgres::connect(&s.database, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let mut claimed = false;
    for _ in 0..1000 {
        let n: i64 = db.query_one("SELECT count(*) FROM upload_claims", &[]).await.unwrap().get(0);
        if n == 1 {
            claimed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(claimed, "replica A took the upload");
    s.a.kill();
    drop(raw);

    // The phone asks nginx where to resume: B answers (A is gone), with an
    // offset no further than what arrived, at least what A recorded.
    let resume = phone.offset(&nginx, &upload).await;
    assert!((first..=half as u64).contains(&resume), "resume at {resume}");
    // B takes the dead replica's claim at once (no 423 until a lease ends).
    assert_eq!(phone.patch(&nginx, &upload, resume, &photo[resume as usize..]).await, 204);
    assert_eq!(phone.offset(&nginx, &upload).await, photo.len() as u64);
    let stored = phone.stored_photo(&nginx, &rid).await;
    assert_eq!(sha256_hex(&stored), sha256_hex(&photo), "nothing lost, nothing doubled");
    assert_eq!(phone.offset(&s.b.url(), &upload).await, photo.len() as u64);
}

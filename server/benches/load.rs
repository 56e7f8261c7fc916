//! Load benchmark: the release `phananh-server` as a child process on
//! loopback, driven by this process over HTTP. Prints report creations per
//! second with p50/p99 latency, and tus uploads of ~340 KB photos per second.
//!
//! `cargo bench -p phananh-server --bench load`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use sha2::Digest;

const DEVICES: usize = 64;
const CREATES: usize = 4000;
const UPLOADS: usize = 300;
const UPLOAD_CONCURRENCY: usize = 8;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    // Requests in flight for the creation run (LOAD_CONCURRENCY, default 32).
    let create_concurrency: usize = std::env::var("LOAD_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(32);
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_phananh-server"))
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--creates-per-minute",
            "100000",
            "--ip-creates-per-minute",
            "0",
        ])
        .arg("--data")
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let base = loop {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        if let Some(url) = line.split("listening on ").nth(1) {
            break url.split_whitespace().next().unwrap().to_owned();
        }
    };
    // See tests/common: reqwest's rustls needs a provider when features unify.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let mut tokens = Vec::new();
    for _ in 0..DEVICES {
        let r: Value = http.post(format!("{base}/api/v1/devices")).send().await.unwrap().json().await.unwrap();
        tokens.push(r["token"].as_str().unwrap().to_owned());
    }
    let tokens = Arc::new(tokens);

    // Report creations.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..create_concurrency {
        let (http, base, tokens) = (http.clone(), base.clone(), tokens.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for i in (w..CREATES).step_by(create_concurrency) {
                let body = json!({
                    "category": "o_ga",
                    "description": format!("Ổ gà số {i} giữa đường liên xã, xe máy dễ ngã"),
                    "lat": 18.9 + (i % 100) as f64 * 1e-4, "lon": 105.3,
                    "reporter": {"phone": "0912345678"},
                });
                let t = Instant::now();
                let r = http
                    .put(format!("{base}/api/v1/reports/{}", uuid::Uuid::now_v7()))
                    .bearer_auth(&tokens[i % DEVICES])
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                r.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "creates: {CREATES} over {DEVICES} devices, {create_concurrency} in flight: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        CREATES as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3
    );

    // tus uploads of a real ~340 KB photo: report PUT, creation, two PATCHes.
    let photo = Arc::new(
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/photos/orientation/Landscape_1.jpg")).unwrap(),
    );
    let sha = hex::encode(sha2::Sha256::digest(photo.as_slice()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..UPLOAD_CONCURRENCY {
        let (http, base, tokens, photo, sha) = (http.clone(), base.clone(), tokens.clone(), photo.clone(), sha.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for i in (w..UPLOADS).step_by(UPLOAD_CONCURRENCY) {
                let token = &tokens[i % DEVICES];
                let (rid, pid) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
                let body = json!({"category": "rac_thai", "description": "Rác thải đổ trộm bên bờ kênh", "lat": 18.9, "lon": 105.3,
                                  "photos": [{"id": pid, "sha256": sha, "bytes": photo.len()}]});
                http.put(format!("{base}/api/v1/reports/{rid}")).bearer_auth(token).json(&body).send().await.unwrap();
                let t = Instant::now();
                let b64 = base64::engine::general_purpose::STANDARD;
                let created = http
                    .post(format!("{base}/api/v1/reports/{rid}/photos"))
                    .bearer_auth(token)
                    .header("tus-resumable", "1.0.0")
                    .header("upload-length", photo.len().to_string())
                    .header("upload-metadata", format!("photo_id {}", b64.encode(pid.to_string())))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(created.status(), 201);
                let url = format!("{base}{}", created.headers()["location"].to_str().unwrap());
                let mut offset = 0;
                for chunk in photo.chunks(256 * 1024) {
                    let r = http
                        .patch(&url)
                        .bearer_auth(token)
                        .header("tus-resumable", "1.0.0")
                        .header("upload-offset", offset.to_string())
                        .header("content-type", "application/offset+octet-stream")
                        .header("upload-checksum", format!("sha256 {}", b64.encode(sha2::Sha256::digest(chunk))))
                        .body(chunk.to_vec())
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 204);
                    offset += chunk.len();
                }
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "uploads: {UPLOADS} photos of {} KB (creation + 2 PATCH, sha256 per chunk and whole), {UPLOAD_CONCURRENCY} in flight: {:.0}/s ({:.1} MB/s), p50 {:.1} ms, p99 {:.1} ms (includes the report PUT's time in throughput only)",
        photo.len() / 1024,
        UPLOADS as f64 / elapsed.as_secs_f64(),
        (UPLOADS * photo.len()) as f64 / elapsed.as_secs_f64() / 1e6,
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
    );
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
}

//! Sync benchmark: 200 reports with one ~300 KB photo each, and 1 000
//! without photos, synced over loopback to the real server; against a plain
//! upload of the same bytes (a reqwest loop: one PUT, one tus creation and
//! one whole-file PATCH per report, same concurrency). Bytes are counted by
//! a pass-through proxy in front of the server in both runs.
//!
//! `cargo run --release -p phananh-e2e --bin sync-bench [-- REPORTS]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use phananh_core::Store;
use phananh_core::model::{Photo, PhotoId, ReportId};
use phananh_core::store::PhotoSource;
use phananh_core::sync::{MemorySecretStore, SyncConfig, Syncer, http_client, report_body};
use phananh_e2e::harness::{Server, draft, real_photo, sha256_hex};
use phananh_e2e::proxy::FaultProxy;
use reqwest::header::{HeaderMap, HeaderValue};

fn main() {
    let reports: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        println!("# sync bench: {reports} reports with one photo; 1000 without");
        with_photos(reports).await;
        without_photos(1000).await;
    });
}

struct Bench {
    _data: tempfile::TempDir,
    _server: Server,
    proxy: FaultProxy,
}

async fn bench_server() -> Bench {
    let data = tempfile::tempdir().expect("dir");
    let server = Server::start(data.path()).await;
    let proxy = FaultProxy::start(server.addr).await.expect("proxy");
    Bench { _data: data, _server: server, proxy }
}

fn phone(url: &str) -> (tempfile::TempDir, Syncer) {
    let home = tempfile::tempdir().expect("home");
    let store = Arc::new(Store::open_in(home.path()).expect("store"));
    let mut config = SyncConfig::new(url);
    config.chunk_size = 512 * 1024;
    // Fixed, as measured before chunks followed the link (comparable figures).
    config.chunk_min = config.chunk_size;
    config.chunk_max = config.chunk_size;
    let syncer = Syncer::new(store, Arc::new(MemorySecretStore::default()), config).expect("syncer");
    (home, syncer)
}

/// Queue `n` reports, each with a copy of one real compressed photo.
fn queue(store: &Store, n: usize, photo: bool) -> (Vec<ReportId>, u64) {
    let mut template: Option<(Photo, Vec<u8>)> = None;
    let mut ids = Vec::new();
    let mut photo_bytes = 0;
    for i in 0..n {
        let report = store.create_draft(&draft(i)).expect("draft");
        if photo {
            match &template {
                None => {
                    let path = real_photo("HMD_Nokia_8.3_5G.jpg");
                    // About 300 KB, as the benchmark asks.
                    let options = phananh_core::photo::Options { max_edge: 2000, quality: 85, ..Default::default() };
                    let p = store.attach_photo(report.id, PhotoSource::Path(&path), &options).expect("photo").photo;
                    let bytes = std::fs::read(store.photo_path(&p.file)).expect("bytes");
                    photo_bytes += bytes.len() as u64;
                    template = Some((p, bytes));
                }
                Some((t, bytes)) => {
                    let id = PhotoId::new();
                    let file = format!("{id}.jpg");
                    std::fs::write(store.photo_path(&file), bytes).expect("write");
                    let p = Photo { id, file, thumb_file: None, sha256: sha256_hex(bytes), ..t.clone() };
                    store.add_photo(report.id, &p).expect("add");
                    photo_bytes += bytes.len() as u64;
                }
            }
        }
        store.submit(report.id).expect("submit");
        ids.push(report.id);
    }
    (ids, photo_bytes)
}

/// The JSON bodies the reports travel as.
fn json_bytes(store: &Store, ids: &[ReportId]) -> u64 {
    ids.iter()
        .map(|id| serde_json::to_vec(&report_body(&store.get(*id).expect("report"))).expect("json").len() as u64)
        .sum()
}

async fn sync_run(n: usize, photo: bool) -> (Duration, u64, u64, Vec<(Vec<u8>, Vec<u8>)>) {
    let b = bench_server().await;
    let (_home, syncer) = phone(&b.proxy.url());
    let (ids, photo_bytes) = queue(syncer.store(), n, photo);
    let payload = photo_bytes + json_bytes(syncer.store(), &ids);
    // Register and fetch the categories first: both runs start with a token.
    syncer.refresh_categories().await.expect("categories");
    let bodies: Vec<(Vec<u8>, Vec<u8>)> = ids
        .iter()
        .map(|id| {
            let r = syncer.store().get(*id).expect("report");
            let json = serde_json::to_vec(&report_body(&r)).expect("json");
            let photo = r
                .photos
                .first()
                .map(|p| std::fs::read(syncer.store().photo_path(&p.file)).expect("photo"))
                .unwrap_or_default();
            (json, photo)
        })
        .collect();
    let up0 = b.proxy.up_bytes();
    let started = Instant::now();
    loop {
        let s = syncer.sync_once().await.expect("sync");
        if s.waiting == 0 {
            break;
        }
    }
    let took = started.elapsed();
    (took, b.proxy.up_bytes() - up0, payload, bodies)
}

/// The plain upload: the same bodies, the fewest requests the server
/// accepts, two at a time like the sync.
async fn plain_run(bodies: &[(Vec<u8>, Vec<u8>)]) -> (Duration, u64) {
    let b = bench_server().await;
    let http = http_client("plain", Duration::from_secs(20), Duration::from_secs(60)).expect("client");
    let base = b.proxy.url();
    let reg: serde_json::Value =
        http.post(format!("{base}/api/v1/devices")).send().await.expect("register").json().await.expect("json");
    let token = reg["token"].as_str().expect("token").to_owned();
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).expect("header"));
    headers.insert("tus-resumable", HeaderValue::from_static("1.0.0"));
    let http = reqwest::Client::builder().default_headers(headers).build().expect("client");
    let queue = Arc::new(std::sync::Mutex::new(bodies.to_vec()));
    let up0 = b.proxy.up_bytes();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..2 {
        let (http, queue, base) = (http.clone(), queue.clone(), base.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop();
                let Some((json, photo)) = next else { break };
                let id = uuid_v7();
                let r = http
                    .put(format!("{base}/api/v1/reports/{id}"))
                    .header("content-type", "application/json")
                    .body(json.clone())
                    .send()
                    .await
                    .expect("put");
                assert!(r.status().is_success(), "put {}", r.status());
                if photo.is_empty() {
                    continue;
                }
                let decl: serde_json::Value = serde_json::from_slice(&json).expect("json");
                let pid = decl["photos"][0]["id"].as_str().expect("photo id").to_owned();
                let meta = format!("photo_id {}", b64(&pid));
                let r = http
                    .post(format!("{base}/api/v1/reports/{id}/photos"))
                    .header("upload-length", photo.len().to_string())
                    .header("upload-metadata", meta)
                    .send()
                    .await
                    .expect("create");
                let loc = r.headers()["location"].to_str().expect("location").to_owned();
                let r = http
                    .patch(format!("{base}{loc}"))
                    .header("content-type", "application/offset+octet-stream")
                    .header("upload-offset", "0")
                    .body(photo)
                    .send()
                    .await
                    .expect("patch");
                assert!(r.status().is_success(), "patch {}", r.status());
            }
        }));
    }
    for w in workers {
        w.await.expect("worker");
    }
    (started.elapsed(), b.proxy.up_bytes() - up0)
}

fn uuid_v7() -> String {
    ReportId::new().to_string()
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

async fn with_photos(n: usize) {
    let (sync_time, sync_bytes, payload, bodies) = sync_run(n, true).await;
    let (plain_time, plain_bytes) = plain_run(&bodies).await;
    report(&format!("{n} reports × 1 photo"), n, sync_time, sync_bytes, payload, plain_time, plain_bytes);
}

async fn without_photos(n: usize) {
    let (sync_time, sync_bytes, payload, bodies) = sync_run(n, false).await;
    let (plain_time, plain_bytes) = plain_run(&bodies).await;
    report(&format!("{n} reports, no photos"), n, sync_time, sync_bytes, payload, plain_time, plain_bytes);
}

fn report(what: &str, n: usize, st: Duration, sb: u64, payload: u64, pt: Duration, pb: u64) {
    println!("## {what}");
    println!("payload (JSON bodies + photo bytes): {payload} B");
    println!(
        "sync : {:>8.2} s  {:>7.1} reports/s  wire {:>11} B  = {:.4}× payload",
        st.as_secs_f64(),
        n as f64 / st.as_secs_f64(),
        sb,
        sb as f64 / payload as f64
    );
    println!(
        "plain: {:>8.2} s  {:>7.1} reports/s  wire {:>11} B  = {:.4}× payload",
        pt.as_secs_f64(),
        n as f64 / pt.as_secs_f64(),
        pb,
        pb as f64 / payload as f64
    );
    println!("sync time / plain time: {:.3}×", st.as_secs_f64() / pt.as_secs_f64());
}

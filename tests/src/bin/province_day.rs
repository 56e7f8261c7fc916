//! A province's day, simulated on this machine: reports with photos through
//! tus and phones polling their changes feed, against two replicas on
//! PostgreSQL and SeaweedFS (S3) behind nginx, and against the single-node
//! SQLite default, side by side. Everything — load, servers, database, S3,
//! nginx — shares the machine's cores; each side is reported with where its
//! CPU time went.
//!
//! ```text
//! cargo build --release -p phananh-server -p phananh-e2e
//! PHANANH_PG_URL=… PHANANH_S3_ENDPOINT=… \
//!   target/release/province-day [--reports 20000] [--photos 3] [--polls 1000000] [--mode both|cluster|single]
//! ```
//! (`cargo xtask postgres` and `cargo xtask s3` print the two variables;
//! for figures PostgreSQL should keep `fsync` on, as `cargo xtask
//! postgres`'s throw-away cluster does not. `PHANANH_S3_MASTER`, SeaweedFS's
//! master URL, lets the run vacuum deleted pieces as it goes.)

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use phananh_e2e::cluster::{Backing, Nginx};
use phananh_e2e::harness::sha256_hex;
use serde_json::{Value, json};

/// The day's size and shape.
#[derive(Debug, Clone)]
struct Day {
    reports: usize,
    photos_per_report: usize,
    polls: usize,
    phones: usize,
    /// Phones sending at once.
    senders: usize,
    /// Phones polling at once.
    pollers: usize,
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let num = |name: &str, default: usize| arg(&args, name).and_then(|v| v.parse().ok()).unwrap_or(default);
    let day = Day {
        reports: num("--reports", 20_000),
        photos_per_report: num("--photos", 3),
        polls: num("--polls", 1_000_000),
        phones: num("--phones", 2_000),
        senders: num("--senders", 32),
        pollers: num("--pollers", 32),
    };
    let mode = arg(&args, "--mode").unwrap_or_else(|| "both".into());
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        println!("# province day: {day:?}");
        let photos = Photos::make(16);
        println!(
            "photos: {} distinct JPEGs of {:.0} KB on average, reused across reports (each upload its own photo id)",
            photos.jpegs.len(),
            photos.jpegs.iter().map(|(b, _)| b.len()).sum::<usize>() as f64 / photos.jpegs.len() as f64 / 1024.0
        );
        let mut results = Vec::new();
        if mode == "both" || mode == "single" {
            let target = Target::single();
            results.push(("single node: SQLite + files", run(&day, &photos, &target).await));
        }
        if mode == "both" || mode == "cluster" {
            let target = Target::cluster().await;
            results.push(("two replicas + PostgreSQL + SeaweedFS + nginx", run(&day, &photos, &target).await));
        }
        println!();
        for (name, r) in &results {
            r.print(name);
        }
    });
}

/// Photos as the app sends them: ~300 KB JPEGs without metadata.
struct Photos {
    jpegs: Vec<(Vec<u8>, String)>,
}

impl Photos {
    fn make(n: usize) -> Photos {
        let jpegs = (0..n)
            .map(|k| {
                let (w, h) = (1600u16, 1200u16);
                let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ k as u64;
                let mut px = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
                for y in 0..h {
                    for x in 0..w {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        let noise = (seed & 0x1f) as u8;
                        let base = ((u32::from(x) / 8 + u32::from(y) / 6 + k as u32 * 9) % 200) as u8;
                        px.extend_from_slice(&[base + noise, base / 2 + noise, 200 - base / 2 + noise / 2]);
                    }
                }
                let mut out = Vec::new();
                jpeg_encoder::Encoder::new(&mut out, 72).encode(&px, w, h, jpeg_encoder::ColorType::Rgb).expect("jpeg");
                let sha = sha256_hex(&out);
                (out, sha)
            })
            .collect();
        Photos { jpegs }
    }
}

/// What the load is sent to, and the processes whose CPU time counts.
struct Target {
    url: String,
    /// Named processes (pids found at the end: PostgreSQL forks).
    processes: Vec<(String, u32)>,
    postgres: bool,
    _children: Vec<Child>,
    _nginx: Option<Nginx>,
    _dir: tempfile::TempDir,
}

fn release_bin(name: &str) -> PathBuf {
    let path = std::env::current_exe().expect("exe").with_file_name(name);
    assert!(path.is_file(), "{} is missing: cargo build --release -p phananh-server -p phananh-e2e", path.display());
    path
}

/// Start a server process and read its address from the line it prints.
fn spawn_listening(mut cmd: Command) -> (Child, String) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn");
    let out = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(out));
    let addr = loop {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().expect("addr").to_owned();
        }
    };
    // Keep draining what it prints, so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, format!("http://{addr}"))
}

impl Target {
    fn single() -> Target {
        let dir = tempfile::tempdir().expect("dir");
        let mut cmd = Command::new(release_bin("phananh-server"));
        cmd.args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .args(["--creates-per-minute", "1000000", "--ip-creates-per-minute", "0", "--map-tiles", "none"])
            .arg("--data")
            .arg(dir.path().join("data"));
        let (child, url) = spawn_listening(cmd);
        let pid = child.id();
        Target {
            url,
            processes: vec![("server".into(), pid)],
            postgres: false,
            _children: vec![child],
            _nginx: None,
            _dir: dir,
        }
    }

    async fn cluster() -> Target {
        let dir = tempfile::tempdir().expect("dir");
        let backing = Backing::fresh().await;
        let s3 = format!(
            "s3://{}/{}?endpoint={}",
            backing.photos.bucket,
            backing.photos.prefix,
            std::env::var("PHANANH_S3_ENDPOINT").expect("PHANANH_S3_ENDPOINT")
        );
        phananh_server::demo::write_district(dir.path()).expect("district");
        let district = dir.path().join(phananh_server::DISTRICT_FILE);
        let mut children = Vec::new();
        let mut processes = Vec::new();
        let mut addrs = Vec::new();
        for name in ["replica a", "replica b"] {
            let mut cmd = Command::new(release_bin("replica"));
            cmd.arg(&backing.database).arg(&s3).arg(&district).arg(dir.path().join(name.replace(' ', "-")));
            let (child, url) = spawn_listening(cmd);
            processes.push((name.to_owned(), child.id()));
            addrs.push(url.trim_start_matches("http://").parse().expect("addr"));
            children.push(child);
        }
        let nginx = Nginx::start(&addrs);
        processes.push(("nginx".into(), 0));
        if let Some(pid) = pid_of("weed") {
            processes.push(("SeaweedFS".into(), pid));
        }
        Target {
            url: format!("http://{}", nginx.addr),
            processes,
            postgres: true,
            _children: children,
            _nginx: Some(nginx),
            _dir: dir,
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        // The server processes end with the run.
        for child in &mut self._children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn pid_of(comm: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.filter_map(|e| e.ok()).find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        (std::fs::read_to_string(e.path().join("comm")).ok()?.trim() == comm).then_some(pid)
    })
}

/// CPU seconds (user + system) of a process, and of all processes named `comm`.
fn cpu_of(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn cpu_of_all(comm: &str) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let name = std::fs::read_to_string(e.path().join("comm")).ok()?;
            (name.trim() == comm).then(|| cpu_of(pid))
        })
        .sum()
}

/// CPU seconds per component, now.
fn cpu_snapshot(target: &Target) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (name, pid) in &target.processes {
        let secs = if name == "nginx" { cpu_of_all("nginx") } else { cpu_of(*pid) };
        out.insert(name.clone(), secs);
    }
    if target.postgres {
        out.insert("PostgreSQL".into(), cpu_of_all("postgres"));
    }
    out.insert("load generator".into(), cpu_of(std::process::id()));
    out
}

/// One kind of request's timings and failures.
#[derive(Default)]
struct Timings {
    micros: std::sync::Mutex<Vec<u32>>,
    errors: AtomicU64,
    first_error: std::sync::Mutex<Option<String>>,
}

impl Timings {
    fn record(&self, took: Duration) {
        self.micros.lock().unwrap_or_else(|p| p.into_inner()).push(took.as_micros().min(u128::from(u32::MAX)) as u32);
    }

    fn fail(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.first_error.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(what);
    }

    fn summary(&self, wall: Duration) -> String {
        let mut v = self.micros.lock().unwrap_or_else(|p| p.into_inner()).clone();
        v.sort_unstable();
        let at = |q: f64| v.get(((v.len() as f64 * q) as usize).min(v.len().saturating_sub(1))).copied().unwrap_or(0);
        let ms = |us: u32| f64::from(us) / 1000.0;
        format!(
            "{:>9} | {:>8.1}/s | {:>7.1} ms | {:>7.1} ms | {:>8.1} ms | {}",
            v.len(),
            v.len() as f64 / wall.as_secs_f64().max(1e-9),
            ms(at(0.5)),
            ms(at(0.99)),
            ms(v.last().copied().unwrap_or(0)),
            self.errors.load(Ordering::Relaxed)
        )
    }
}

struct Results {
    wall: Duration,
    send_wall: Duration,
    poll_wall: Duration,
    creations: Arc<Timings>,
    uploads: Arc<Timings>,
    polls: Arc<Timings>,
    cpu: BTreeMap<String, f64>,
    bytes: u64,
}

impl Results {
    fn print(&self, name: &str) {
        println!("## {name}");
        println!();
        println!(
            "wall {:.0} s (sending {:.0} s, polling {:.0} s); {:.1} GB of photos",
            self.wall.as_secs_f64(),
            self.send_wall.as_secs_f64(),
            self.poll_wall.as_secs_f64(),
            self.bytes as f64 / 1e9
        );
        println!();
        println!("| | count | rate | p50 | p99 | max | errors |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for (what, t, wall) in [
            ("report creations", &self.creations, self.send_wall),
            ("photo uploads (creation + PATCH)", &self.uploads, self.send_wall),
            ("changes-feed polls", &self.polls, self.poll_wall),
        ] {
            println!("| {what} | {} |", t.summary(wall));
            if let Some(e) = t.first_error.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                println!("|   first error: {e} | | | | | | |");
            }
        }
        println!();
        let total: f64 = self.cpu.values().sum();
        println!(
            "CPU time ({:.0} s in all, {:.0} % of 2 cores over the wall time):",
            total,
            100.0 * total / (2.0 * self.wall.as_secs_f64())
        );
        for (who, secs) in &self.cpu {
            println!("- {who}: {secs:.0} s ({:.0} %)", 100.0 * secs / total.max(1e-9));
        }
        println!();
    }
}

struct Phone {
    token: String,
    cursor: std::sync::Mutex<String>,
}

async fn register(http: &reqwest::Client, base: &str) -> Phone {
    for _ in 0..10 {
        if let Ok(r) = http.post(format!("{base}/api/v1/devices")).send().await
            && let Ok(v) = r.json::<Value>().await
            && let Some(t) = v["token"].as_str()
        {
            return Phone { token: t.to_owned(), cursor: std::sync::Mutex::new(String::new()) };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not register a phone");
}

async fn run(day: &Day, photos: &Photos, target: &Target) -> Results {
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build().expect("client");
    let base = target.url.clone();
    let mut phones = Vec::with_capacity(day.phones);
    for _ in 0..day.phones {
        phones.push(register(&http, &base).await);
    }
    let phones = Arc::new(phones);
    let (creations, uploads, polls) =
        (Arc::new(Timings::default()), Arc::new(Timings::default()), Arc::new(Timings::default()));
    let next_report = Arc::new(AtomicUsize::new(0));
    let next_poll = Arc::new(AtomicUsize::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let jpegs: Arc<Vec<(Vec<u8>, String)>> = Arc::new(photos.jpegs.clone());
    let cpu0 = cpu_snapshot(target);
    let started = Instant::now();
    // SeaweedFS frees deleted objects' space (the uploads' pieces) only when
    // its volumes are vacuumed: ask it now and then, as an operator's
    // schedule would (PHANANH_S3_MASTER, e.g. http://127.0.0.1:9333).
    let vacuum = std::env::var("PHANANH_S3_MASTER").ok().filter(|_| target.postgres).map(|master| {
        let http = http.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let _ = http.get(format!("{master}/vol/vacuum?garbageThreshold=0.2")).send().await;
            }
        })
    });

    let senders: Vec<_> = (0..day.senders)
        .map(|_| {
            let (http, base, phones, creations, uploads, next, jpegs, bytes, day) = (
                http.clone(),
                base.clone(),
                phones.clone(),
                creations.clone(),
                uploads.clone(),
                next_report.clone(),
                jpegs.clone(),
                bytes.clone(),
                day.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= day.reports {
                        break Instant::now();
                    }
                    let phone = &phones[n % phones.len()];
                    send_report(&http, &base, phone, n, &day, &jpegs, &creations, &uploads, &bytes).await;
                }
            })
        })
        .collect();
    let pollers: Vec<_> = (0..day.pollers)
        .map(|_| {
            let (http, base, phones, polls, next, total) =
                (http.clone(), base.clone(), phones.clone(), polls.clone(), next_poll.clone(), day.polls);
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        break Instant::now();
                    }
                    poll(&http, &base, &phones[(n * 7919) % phones.len()], &polls).await;
                }
            })
        })
        .collect();
    let mut send_end = started;
    for s in senders {
        send_end = send_end.max(s.await.expect("sender"));
    }
    let mut poll_end = started;
    for p in pollers {
        poll_end = poll_end.max(p.await.expect("poller"));
    }
    let wall = started.elapsed();
    if let Some(v) = vacuum {
        v.abort();
    }
    let cpu1 = cpu_snapshot(target);
    let cpu = cpu1.iter().map(|(k, v)| (k.clone(), v - cpu0.get(k).copied().unwrap_or(0.0))).collect();
    Results {
        wall,
        send_wall: send_end - started,
        poll_wall: poll_end - started,
        creations,
        uploads,
        polls,
        cpu,
        bytes: bytes.load(Ordering::Relaxed),
    }
}

#[allow(clippy::too_many_arguments)]
async fn send_report(
    http: &reqwest::Client,
    base: &str,
    phone: &Phone,
    n: usize,
    day: &Day,
    jpegs: &[(Vec<u8>, String)],
    creations: &Timings,
    uploads: &Timings,
    bytes: &AtomicU64,
) {
    let rid = uuid::Uuid::now_v7().to_string();
    let chosen: Vec<(String, &(Vec<u8>, String))> = (0..day.photos_per_report)
        .map(|k| (uuid::Uuid::now_v7().to_string(), &jpegs[(n * 3 + k) % jpegs.len()]))
        .collect();
    let category = ["o_ga", "den_duong", "rac_thai"][n % 3];
    let body = json!({
        "category": category,
        "description": format!("Phản ánh số {n}: ổ gà sâu giữa đường liên thôn, xe máy dễ ngã"),
        "lat": 18.85 + (n % 100) as f64 * 0.001, "lon": 105.25 + (n % 97) as f64 * 0.001, "accuracy_m": 8.0,
        "address": format!("Xóm {}, xã Đà Sơn", n % 12 + 1),
        "reporter": {"name": "Nguyễn Văn An", "phone": "0912345678", "anonymous": false},
        "photos": chosen.iter().map(|(id, (b, sha))| json!({"id": id, "sha256": sha, "bytes": b.len()})).collect::<Vec<_>>(),
    });
    let t = Instant::now();
    match http.put(format!("{base}/api/v1/reports/{rid}")).bearer_auth(&phone.token).json(&body).send().await {
        Ok(r) if r.status().is_success() => creations.record(t.elapsed()),
        Ok(r) => return creations.fail(format!("PUT {}", r.status())),
        Err(e) => return creations.fail(format!("PUT {e}")),
    }
    for (pid, (jpeg, sha)) in chosen {
        let t = Instant::now();
        let meta = format!("photo_id {},sha256 {}", B64.encode(&pid), B64.encode(sha));
        let created = http
            .post(format!("{base}/api/v1/reports/{rid}/photos"))
            .bearer_auth(&phone.token)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", jpeg.len().to_string())
            .header("upload-metadata", meta)
            .send()
            .await;
        let location = match created {
            Ok(r) if r.status() == 201 => match r.headers().get("location").and_then(|l| l.to_str().ok()) {
                Some(l) => l.to_owned(),
                None => {
                    uploads.fail("creation without a Location".into());
                    continue;
                }
            },
            Ok(r) => {
                uploads.fail(format!("POST {}", r.status()));
                continue;
            }
            Err(e) => {
                uploads.fail(format!("POST {e}"));
                continue;
            }
        };
        let patched = http
            .patch(format!("{base}{location}"))
            .bearer_auth(&phone.token)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", "0")
            .header("content-type", "application/offset+octet-stream")
            .body(jpeg.clone())
            .send()
            .await;
        match patched {
            Ok(r) if r.status() == 204 => {
                uploads.record(t.elapsed());
                bytes.fetch_add(jpeg.len() as u64, Ordering::Relaxed);
            }
            Ok(r) => uploads.fail(format!("PATCH {}", r.status())),
            Err(e) => uploads.fail(format!("PATCH {e}")),
        }
    }
}

async fn poll(http: &reqwest::Client, base: &str, phone: &Phone, polls: &Timings) {
    let cursor = phone.cursor.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let t = Instant::now();
    let r = http
        // Cursors are `c` and hex: nothing to escape.
        .get(format!("{base}/api/v1/reports/changes?cursor={cursor}"))
        .bearer_auth(&phone.token)
        .send()
        .await;
    match r {
        Ok(r) if r.status() == 200 => match r.json::<Value>().await {
            Ok(page) => {
                polls.record(t.elapsed());
                if let Some(next) = page["next_cursor"].as_str() {
                    *phone.cursor.lock().unwrap_or_else(|p| p.into_inner()) = next.to_owned();
                }
            }
            Err(e) => polls.fail(format!("GET body {e}")),
        },
        Ok(r) => polls.fail(format!("GET {}", r.status())),
        Err(e) => polls.fail(format!("GET {e}")),
    }
}

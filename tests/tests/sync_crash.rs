//! The sync client killed with SIGKILL at random moments while it sends 50
//! reports with photos, at least 30 times, then run until its outbox is
//! empty: every report is on the server exactly once with every photo whole.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use phananh_core::Store;
use phananh_core::model::{Photo, PhotoId, StateKind};
use phananh_core::store::PhotoSource;
use phananh_e2e::harness::{Server, assert_server_has_exactly, draft, real_photo, sha256_hex};
use phananh_e2e::proxy::FaultProxy;

const REPORTS: usize = 50;
const KILLS: usize = 32;

fn rng(seed: &mut u64, below: u64) -> u64 {
    *seed ^= *seed >> 12;
    *seed ^= *seed << 25;
    *seed ^= *seed >> 27;
    seed.wrapping_mul(0x2545_F491_4F6C_DD1D) % below
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_survives_sigkill_at_random_moments() {
    let mut seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
    eprintln!("sync crash test seed: {seed} (set CRASH_SEED to repeat)");

    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let proxy = FaultProxy::start(server.addr).await.unwrap();
    // A slow link, so kills land in every step of the way.
    let mut latency = 60;
    proxy.set_latency(Duration::from_millis(latency));

    let home = tempfile::tempdir().unwrap();
    let ids = {
        let store = Store::open_in(home.path()).unwrap();
        // One real compressed photo, copied under a new id for each report
        // (compressing 50 times would only slow the test).
        let first = store.create_draft(&draft(0)).unwrap();
        let path = real_photo("HMD_Nokia_8.3_5G.jpg");
        let template = store.attach_photo(first.id, PhotoSource::Path(&path), &Default::default()).unwrap().photo;
        let bytes = std::fs::read(store.photo_path(&template.file)).unwrap();
        store.submit(first.id).unwrap();
        let mut ids = vec![first.id];
        for n in 1..REPORTS {
            let report = store.create_draft(&draft(n)).unwrap();
            let id = PhotoId::new();
            let file = format!("{id}.jpg");
            std::fs::write(store.photo_path(&file), &bytes).unwrap();
            let photo = Photo { id, file, thumb_file: None, sha256: sha256_hex(&bytes), ..template.clone() };
            store.add_photo(report.id, &photo).unwrap();
            store.submit(report.id).unwrap();
            ids.push(report.id);
        }
        ids
    };

    let url = proxy.url();
    let mut kills = 0;
    for _ in 0..KILLS {
        let delay = Duration::from_millis(150 + rng(&mut seed, 700));
        let finished_by_itself = tokio::task::block_in_place(|| run_and_kill(home.path(), &url, delay));
        if finished_by_itself {
            break;
        }
        kills += 1;
        // Keep the kills spread over the whole sync whatever the machine's
        // speed: slow the link when the client is ahead of the schedule.
        let arrived = server.reports().len();
        let schedule = kills * REPORTS / KILLS;
        if arrived > schedule + 3 {
            latency += 20;
        } else if arrived + 10 < schedule {
            latency = latency.saturating_sub(10).max(10);
        }
        proxy.set_latency(Duration::from_millis(latency));
    }
    let sent_before_last_run = server.reports().len();
    proxy.set_latency(Duration::ZERO);
    let (ok, done) = tokio::task::block_in_place(|| run_to_end(home.path(), &url));
    assert!(ok && done, "the last run emptied the outbox");
    eprintln!("{kills} kills; {sent_before_last_run} reports on the server before the last run");
    assert!(kills >= 30, "the client was killed mid-sync at least 30 times ({kills})");

    let store = Store::open_in(home.path()).unwrap();
    for id in &ids {
        let state = store.get(*id).unwrap().state;
        assert_eq!(state.kind(), StateKind::Sent, "report {id}: {state:?}");
    }
    assert_server_has_exactly(&server, &store, &ids);
}

fn spawn(home: &std::path::Path, url: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_sync-client"))
        .arg(home)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Start the client, SIGKILL it after `delay`; true if it had already
/// finished on its own.
fn run_and_kill(home: &std::path::Path, url: &str, delay: Duration) -> bool {
    let mut child = spawn(home, url);
    std::thread::sleep(delay);
    let finished = child.try_wait().unwrap().is_some();
    if !finished {
        child.kill().unwrap(); // SIGKILL on Unix
    }
    child.wait().unwrap();
    finished
}

/// Run the client to the end: (exited successfully, said "done").
fn run_to_end(home: &std::path::Path, url: &str) -> (bool, bool) {
    let out = spawn(home, url).wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).contains("done"))
}

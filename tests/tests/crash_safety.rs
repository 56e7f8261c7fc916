//! Kill a writer with SIGKILL at random moments; every commit it announced
//! must survive, intact, in a database that passes `integrity_check`.

#![allow(clippy::unwrap_used)] // a test fails loudly, which is the point

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use phananh_core::Store;
use phananh_core::model::{ReportId, ReportState};
use phananh_core::store::ListQuery;
use phananh_e2e::{crash_description, crash_photo_bytes, crash_seq};
use tempfile::TempDir;

/// xorshift64*: enough randomness for kill timing, and reproducible from
/// the printed seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, PartialOrd)]
enum Step {
    #[default]
    Draft,
    Photo,
    Queued,
}

const KILLS: usize = 60;

#[test]
fn committed_drafts_survive_sigkill() {
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
    eprintln!("crash test seed: {seed} (set CRASH_SEED to repeat)");
    let mut rng = Rng(seed);
    let home = TempDir::new().unwrap();
    let mut announced: BTreeMap<u64, (ReportId, Step)> = BTreeMap::new();
    let mut next_seq = 0u64;
    let mut killed_mid_work = 0;

    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(home.path())
            .arg(next_seq.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(60_000)));
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        let mut stdout = String::new();
        child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(stderr.is_empty(), "round {round}: the writer failed on its own: {stderr}");
        if status.code().is_none() {
            killed_mid_work += 1;
        }

        // Only whole lines were announced; a line cut by the kill was not.
        for line in stdout.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let mut parts = line.split_whitespace();
            let (Some(step), Some(seq), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
                panic!("round {round}: bad line {line:?}");
            };
            let step = match step {
                "draft" => Step::Draft,
                "photo" => Step::Photo,
                "queued" => Step::Queued,
                other => panic!("unknown step {other}"),
            };
            let seq: u64 = seq.parse().unwrap();
            announced.insert(seq, (id.parse().unwrap(), step));
            next_seq = next_seq.max(seq + 1);
        }

        check(home.path(), &announced, round);
    }
    assert!(killed_mid_work >= KILLS * 9 / 10, "the writer was killed, not left to finish: {killed_mid_work}");
    assert!(announced.len() > 20, "the writer got real work done: {}", announced.len());
    eprintln!("{} drafts announced over {KILLS} kills", announced.len());
}

fn check(home: &std::path::Path, announced: &BTreeMap<u64, (ReportId, Step)>, round: usize) {
    let db = home.join(phananh_core::store::DB_FILE);
    if db.exists() {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(integrity, "ok", "round {round}");
        drop(conn);
    }
    let store = Store::open_in(home).unwrap();
    for (&seq, &(id, step)) in announced {
        let report = store.get(id).unwrap_or_else(|e| panic!("round {round}: announced draft {seq} is gone: {e}"));
        assert_eq!(report.description, crash_description(seq), "round {round}");
        assert_eq!(report.category.as_deref(), Some("o_ga"));
        if step >= Step::Photo {
            assert_eq!(report.photos.len(), 1, "round {round}: photo of {seq}");
        }
        if step >= Step::Queued {
            assert_eq!(report.state, ReportState::Queued, "round {round}: {seq}");
            assert_eq!(report.reporter.phone.as_deref(), Some("+84912345678"));
        }
    }
    // Every photo row has its file, whole: files are written before rows.
    let mut offset = 0;
    loop {
        let page = store.list(&ListQuery { limit: 500, offset, ..Default::default() }).unwrap();
        for summary in &page.items {
            let report = store.get(summary.id).unwrap();
            let seq = crash_seq(&report.description).unwrap();
            for p in &report.photos {
                let bytes = std::fs::read(store.photo_path(&p.file))
                    .unwrap_or_else(|e| panic!("round {round}: photo file of {seq}: {e}"));
                assert_eq!(bytes, crash_photo_bytes(seq), "round {round}");
            }
        }
        if !page.has_more {
            break;
        }
        offset += 500;
    }
    // And no file is left without a row (the open swept them).
    let files = std::fs::read_dir(store.photo_dir()).unwrap().count();
    let rows: usize = {
        let conn = rusqlite::Connection::open(home.join(phananh_core::store::DB_FILE)).unwrap();
        conn.query_row("SELECT count(*) FROM photos", [], |r| r.get::<_, i64>(0)).unwrap() as usize
    };
    assert_eq!(files, rows, "round {round}: orphan files swept");
}

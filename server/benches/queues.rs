//! The dashboard's queues and filters at province-year scale: 200 000
//! reports across the demo district's 33 communes and towns and its
//! offices, then each query the dashboard makes, timed through the
//! `Storage` trait (p50/p95 of 40 runs each), and routing one report.
//!
//! `cargo bench -p phananh-server --bench queues`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use phananh_server::storage::{ReportFilter, SqliteStorage, Storage};

const REPORTS: i64 = 200_000;
const RUNS: usize = 40;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sqlite3");
    drop(SqliteStorage::open(&path).unwrap());
    let district = phananh_server::demo::district();
    let units: Vec<String> = district.units().iter().map(|u| u.code.clone()).collect();
    let categories = ["o_ga", "den_duong", "rac_thai", "ngap_ung", "cay_do", "quoc_lo", "an_ninh", "khac"];
    let statuses = ["received", "assigned", "in_progress", "resolved", "resolved", "resolved", "rejected"];
    // Filled straight into the file (the API would take minutes): a year
    // of reports, one every ~158 s, deadlines five days on.
    let started = Instant::now();
    {
        let mut c = rusqlite::Connection::open(&path).unwrap();
        let tx = c.transaction().unwrap();
        let now: i64 = 1_796_086_800_000;
        let mut insert = tx
            .prepare(
                "INSERT INTO reports (client_id, source, tracking_code, body_hash, response_status, category,
                     description, description_fold, lat, lon, status, created_at, updated_at, unit_code, priority,
                     ack_due_at, due_at, acknowledged_at, closed_at, place_code)
                 VALUES (?1, 'app', ?2, 'h', 201, ?3, ?4, ?13, 18.9, 105.3, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14)",
            )
            .unwrap();
        let mut search = tx.prepare("INSERT INTO reports_search (rowid, text) VALUES (?1, ?2)").unwrap();
        let mut words = tx.prepare("INSERT INTO reports_words (rowid, text) VALUES (?1, ?2)").unwrap();
        let communes: Vec<&String> = district.units().iter().filter(|u| u.kind.is_local()).map(|u| &u.code).collect();
        for i in 0..REPORTS {
            let at = now - (REPORTS - i) * 158_000;
            let status = statuses[(i % statuses.len() as i64) as usize];
            let closed = matches!(status, "resolved" | "rejected");
            let description = format!("Phản ánh số {i} ở thôn {} cần xử lý sớm", i % 190);
            insert
                .execute(rusqlite::params![
                    format!("c-{i}"),
                    format!("DL-{i:06}"),
                    categories[(i % categories.len() as i64) as usize],
                    description,
                    status,
                    at,
                    units[(i % units.len() as i64) as usize],
                    if i % 10 == 0 { "urgent" } else { "normal" },
                    at + 8 * 3_600_000,
                    at + 5 * 86_400_000,
                    (status != "received").then_some(at + 3_600_000),
                    closed.then_some(at + 86_400_000),
                    phananh_protocol::text::fold(&description),
                    communes[(i % communes.len() as i64) as usize],
                ])
                .unwrap();
            let id = tx.last_insert_rowid();
            let text = phananh_server::storage::searchable(&description, &format!("DL-{i:06}"), None);
            search.execute(rusqlite::params![id, text]).unwrap();
            words.execute(rusqlite::params![id, text]).unwrap();
        }
        drop((insert, search, words));
        tx.commit().unwrap();
    }
    println!("{REPORTS} reports written in {:.1?}", started.elapsed());
    let store = SqliteStorage::open(&path).unwrap();
    let f = |edit: &dyn Fn(&mut ReportFilter)| {
        let mut filter = ReportFilter { due_soon_before: Some(1_796_086_800_000 + 86_400_000), ..Default::default() };
        edit(&mut filter);
        filter
    };
    let cases: Vec<(&str, ReportFilter)> = vec![
        ("all, newest 50", f(&|_| {})),
        ("queue new", f(&|x| x.queue = Some("new".into()))),
        ("queue due soon", f(&|x| x.queue = Some("due_soon".into()))),
        ("queue overdue", f(&|x| x.queue = Some("overdue".into()))),
        ("officer's unit (scope)", f(&|x| x.scope = Some(vec!["TRANG_SON".into()]))),
        (
            "officer's overdue",
            f(&|x| {
                x.scope = Some(vec!["TRANG_SON".into()]);
                x.queue = Some("overdue".into());
            }),
        ),
        ("unit filter", f(&|x| x.unit = Some("KTHT".into()))),
        (
            "category + status",
            f(&|x| {
                x.category = Some("den_duong".into());
                x.status = Some("in_progress".into());
            }),
        ),
        ("priority urgent", f(&|x| x.priority = Some("urgent".into()))),
        ("text search 'thon 42'", f(&|x| x.q = Some("thon 42".into()))),
        ("text search, no match", f(&|x| x.q = Some("khong co dau".into()))),
        ("text search, a short word", f(&|x| x.q = Some("so 7".into()))),
        ("text search, a code", f(&|x| x.q = Some("dl-123456".into()))),
        ("text search, 2 letters, none", f(&|x| x.q = Some("zq".into()))),
        ("text search, 1 letter, none", f(&|x| x.q = Some("z".into()))),
        ("text search, 1 letter, common", f(&|x| x.q = Some("c".into()))),
        ("commune filter", f(&|x| x.commune = Some("TRANG_SON".into()))),
        (
            "date range, one week",
            f(&|x| {
                x.received_from = Some(1_796_086_800_000 - 30 * 86_400_000);
                x.received_before = Some(1_796_086_800_000 - 23 * 86_400_000);
            }),
        ),
        ("older than 300 days", f(&|x| x.older_than_days = Some(300))),
        ("page 100 (offset 4950)", f(&|x| x.offset = Some(4950))),
    ];
    println!("{:<28} {:>9} {:>9} {:>6}", "query (50 rows a page)", "p50", "p95", "rows");
    for (name, filter) in cases {
        let mut times = Vec::with_capacity(RUNS);
        let mut rows = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            rows = store.staff_reports(filter.clone()).await.unwrap().len();
            times.push(t.elapsed());
        }
        times.sort();
        println!("{name:<28} {:>9.2?} {:>9.2?} {rows:>6}", percentile(&times, 0.5), percentile(&times, 0.95));
    }
    // Routing one report: rules, then point in polygon over 33 boundaries.
    let points: Vec<(f64, f64)> =
        (0..10_000).map(|i| (18.80 + (i % 100) as f64 * 0.0025, 105.15 + (i / 100) as f64 * 0.003)).collect();
    let t = Instant::now();
    let mut routed = 0;
    for p in &points {
        routed += usize::from(district.route("den_duong", Some(*p)).0.kind.is_local());
    }
    let per = t.elapsed() / points.len() as u32;
    println!("routing one report: {per:.2?} (of {} points, {routed} inside a commune)", points.len());
}

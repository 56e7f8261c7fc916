//! The district at a glance at province-year scale: 200 000 synthetic
//! reports (`demo_reports::fill`, a year back, 33 communes), then each
//! figure the overview pages ask for, timed through the service layer
//! (what a handler calls) — right after a report changed, and again with
//! nothing changed — and the map's answer size as JSON.
//!
//! `cargo bench -p phananh-server --bench overview`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use phananh_protocol::{Lang, ManualClock};
use phananh_server::service::overview::MapBox;
use phananh_server::storage::{ReportFilter, Role, Staff};
use phananh_server::{Config, demo};

const REPORTS: i64 = 200_000;
const RUNS: usize = 15;
/// 2026-11-30 10:00 in Vietnam.
const NOW: i64 = 1_796_007_600_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    demo::write_district(dir.path()).unwrap();
    let clock = Arc::new(ManualClock::new(NOW));
    let mut config = Config::new(dir.path().to_owned());
    config.clock = clock.clone();
    let state = phananh_server::open(config).unwrap();
    demo::seed(state.store.as_ref()).await.unwrap();
    let started = Instant::now();
    let db = dir.path().join("server.sqlite3");
    let filled = phananh_server::demo_reports::fill(&db, state.reports.district(), REPORTS, NOW, 2026).unwrap();
    println!(
        "{} reports ({} closed, {} ratings) written in {:.1?}",
        filled.reports,
        filled.closed,
        filled.ratings,
        started.elapsed()
    );
    let coordinator = Staff {
        id: 1,
        name: "dieuphoi".into(),
        role: Role::Coordinator,
        unit: None,
        csrf: String::new(),
        session: String::new(),
    };
    let officer = Staff { unit: Some("TRANG_SON".into()), role: Role::Officer, ..coordinator.clone() };
    let r = &state.reports;
    let whole = MapBox::parse("105.15,18.8,105.45,19.05", Some(11)).unwrap();
    let commune = MapBox::parse("105.28,18.88,105.32,18.97", Some(14)).unwrap();
    let year = ("2026-01-01", "2026-11-30");

    // The first question loads every report's counts into memory.
    let t = Instant::now();
    r.public_stats(None, None).await.unwrap();
    println!("first load of the figures: {:.1?}", t.elapsed());

    // Before each "changed" run a staff member resolves a report: the next
    // question reads that change first, as it would on a busy day.
    let sql = rusqlite::Connection::open(&db).unwrap();
    let mut minute = 0;
    let mut cold = || {
        minute += 1;
        clock.set(NOW + minute * 60_000);
        sql.execute(
            "UPDATE reports SET status = 'resolved', closed_at = ?1, updated_at = ?1
             WHERE id = (SELECT id FROM reports WHERE closed_at IS NULL LIMIT 1)",
            [NOW + minute * 60_000],
        )
        .unwrap();
    };
    println!("{:<44} {:>9} {:>9} {:>9}", "figure (200 000 reports)", "changed50", "changed95", "same p50");
    macro_rules! time {
        ($name:expr, $call:expr) => {{
            let mut colds = Vec::new();
            let mut warms = Vec::new();
            for _ in 0..RUNS {
                cold();
                let t = Instant::now();
                let _ = $call.await.unwrap();
                colds.push(t.elapsed());
                let t = Instant::now();
                let _ = $call.await.unwrap();
                warms.push(t.elapsed());
            }
            colds.sort();
            warms.sort();
            println!(
                "{:<44} {:>9.1?} {:>9.1?} {:>9.2?}",
                $name,
                percentile(&colds, 0.5),
                percentile(&colds, 0.95),
                percentile(&warms, 0.5)
            );
        }};
    }
    time!("public figures, last 30 days (/api/v1/stats)", r.public_stats(None, None));
    time!("public figures, this year", r.public_stats(Some(year.0), Some(year.1)));
    time!("scoreboard (/thong-ke: 30 days + year)", r.scoreboard());
    time!("charts, last 30 days (coordinator)", r.charts(&coordinator, None, None));
    time!("charts, this year (coordinator)", r.charts(&coordinator, Some(year.0), Some(year.1)));
    time!("charts, this year (officer's unit)", r.charts(&officer, Some(year.0), Some(year.1)));
    time!("monthly summary (November)", r.monthly_summary(Some("2026-11")));

    // The map is not cached: each pan is a new box.
    println!("{:<44} {:>9} {:>9} {:>9} {:>9}", "map query", "p50", "p95", "markers", "JSON");
    let cases = [
        ("whole district, zoom 11", whole, ReportFilter::default()),
        ("whole district, open only", whole, ReportFilter { queue: Some("overdue".into()), ..Default::default() }),
        ("one commune, zoom 14", commune, ReportFilter::default()),
        ("whole district, text 'den'", whole, ReportFilter { q: Some("den".into()), ..Default::default() }),
    ];
    for (name, area, filter) in cases {
        let mut times = Vec::new();
        let mut size = 0;
        let mut markers = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let v = r.map(Some(&coordinator), filter.clone(), area).await.unwrap();
            times.push(t.elapsed());
            markers = v.clusters.len() + v.reports.len();
            size = serde_json::to_vec(&v).unwrap().len();
        }
        times.sort();
        println!(
            "{name:<44} {:>9.1?} {:>9.1?} {markers:>9} {:>7} KB",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            size / 1024
        );
    }

    // Exports: the whole year as XLSX and CSV (100 000 rows at most).
    for (name, xlsx) in [("export, year, XLSX", true), ("export, year, CSV", false)] {
        let t = Instant::now();
        let filter = ReportFilter { from: Some(year.0.into()), to: Some(year.1.into()), ..Default::default() };
        let lines = r.export(&coordinator, filter, Lang::Vi).await.unwrap();
        let bytes = if xlsx {
            phananh_server::export::list_xlsx(&lines, Lang::Vi).unwrap()
        } else {
            phananh_server::export::list_csv(&lines, Lang::Vi).unwrap()
        };
        println!("{name:<44} {:>9.1?} {:>7} rows {:>6} KB", t.elapsed(), lines.len(), bytes.len() / 1024);
    }
}

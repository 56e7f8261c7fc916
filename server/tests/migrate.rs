//! `migrate`: a district's data directory into PostgreSQL and S3. The demo
//! district with reports made through the API (photos by tus, staff's
//! answers, a rating, a follow), and a 10 000-report directory: afterwards
//! a server on PostgreSQL and S3 answers as the one on SQLite did, every
//! table digests equal, every photo has its sha256.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use phananh_protocol::ManualClock;
use phananh_server::storage::{Open311Filter, ReportFilter, Role, Storage};
use serde_json::json;

const NOW: i64 = 1_796_000_000_000;

/// A photo through tus, whole.
async fn upload(s: &TestServer, dev: &reqwest::Client, rid: &str, pid: &str, bytes: &[u8]) {
    let meta = format!("photo_id {},sha256 {}", B64.encode(pid), B64.encode(sha256(bytes)));
    let created = dev
        .post(format!("{}/api/v1/reports/{rid}/photos", s.base))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len().to_string())
        .header("upload-metadata", meta)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let url = format!("{}{}", s.base, created.headers()["location"].to_str().unwrap());
    let r = dev
        .patch(url)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

/// What a store answers, for comparing two.
async fn answers(store: &dyn Storage) -> (serde_json::Value, usize, Vec<String>) {
    let all = ReportFilter { limit: Some(500), ..Default::default() };
    let staff = serde_json::to_value(store.staff_reports(all).await.unwrap()).unwrap();
    let open311 = store.open311_requests(Open311Filter::default()).await.unwrap().len();
    let audit = store.audit_log(100).await.unwrap().into_iter().map(|e| format!("{}:{}", e.actor, e.action)).collect();
    (staff, open311, audit)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_district_moves_whole_and_answers_the_same() {
    let Some(database) = common::pg::fresh_database("the_demo_district_moves_whole").await else { return };
    let Some(bucket) = common::s3::fresh_bucket("the_demo_district_moves_whole").await else { return };
    let clock = Arc::new(ManualClock::new(NOW));
    let s = start_district(&[("dieuphoi", Role::Coordinator, None)], clock.clone()).await;
    assert!(s.state.config.database.is_none(), "the source is the SQLite default");
    let dev = device(&s).await;
    let photo = test_jpeg();
    let mut codes = Vec::new();
    for n in 0..3 {
        let rid = new_id();
        let pid = new_id();
        let mut body = report(&[(&pid, &photo)]);
        body["description"] = json!(format!("Đèn đường số {n} hỏng, cả thôn tối om"));
        let r = dev.put(format!("{}/api/v1/reports/{rid}", s.base)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
        codes.push(r.json::<serde_json::Value>().await.unwrap()["tracking_code"].as_str().unwrap().to_owned());
        upload(&s, &dev, &rid, &pid, &photo).await;
    }
    let staff = staff_as(&s, "dieuphoi").await;
    let r = staff
        .post(format!("{}/api/v1/staff/reports/{}/status", s.base, codes[0]))
        .json(&json!({"status": "in_progress", "reply": "Đã cử thợ điện"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    s.state.store.checkpoint();
    let before = answers(s.state.store.as_ref()).await;
    let photo_keys: Vec<String> = {
        let c = s.sql();
        let mut stmt = c.prepare("SELECT key FROM photos ORDER BY key").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(photo_keys.len(), 3);

    let data = s.state.config.data_dir.clone();
    let moved = phananh_server::migrate::migrate(&data, &database, Some(&bucket)).await.unwrap();
    assert_eq!((moved.rows["reports"], moved.rows["photos"], moved.photos, moved.thumbnails), (3, 3, 3, 3));
    assert!(moved.rows["changes"] >= 4 && moved.rows["audit_log"] >= 1);

    // A server on PostgreSQL and S3 answers as the SQLite one did.
    let mut config = s.state.config.clone();
    config.database = Some(database.clone());
    config.photos = Some(bucket.clone());
    let moved_state = phananh_server::open(config).unwrap();
    assert_eq!(answers(moved_state.store.as_ref()).await, before);
    for key in &photo_keys {
        let there = moved_state.photos.get(key).await.unwrap();
        let here = s.state.photos.get(key).await.unwrap();
        assert_eq!(sha256(&there), sha256(&here), "{key}");
    }
    // And it goes on: new ids continue after the copied ones.
    let r = moved_state.store.create_report(
        phananh_server::storage::NewReport {
            client_id: new_id(),
            device_id: None,
            source: phananh_server::storage::Source::Open311,
            body_hash: "h".into(),
            category: "o_ga".into(),
            description: "Sau khi chuyển".into(),
            lat: None,
            lon: None,
            accuracy_m: None,
            address: None,
            reporter_name: None,
            reporter_phone: None,
            anonymous: true,
            for_name: None,
            for_phone: None,
            consent: false,
            photos: Vec::new(),
            photos_expected: 0,
            client_created_at: None,
            routing: phananh_server::storage::Routing {
                unit_code: "DL".into(),
                place_code: None,
                reason: "test".into(),
                priority: "normal".into(),
                ack_due_at: None,
                due_at: None,
            },
            media_url: None,
        },
        "DL".into(),
    );
    assert_eq!(r.await.unwrap().id, 4, "the next id after the copied three");

    // Into a database that holds a district already: refused, nothing touched.
    let again = phananh_server::migrate::migrate(&data, &database, None).await.unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");
    let nowhere = phananh_server::migrate::migrate(&data.join("missing"), &database, None).await.unwrap_err();
    assert!(nowhere.to_string().contains("server.sqlite3"), "{nowhere}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_reports_move_with_equal_figures() {
    let Some(database) = common::pg::fresh_database("ten_thousand_reports_move").await else { return };
    let dir = tempfile::tempdir().unwrap();
    phananh_server::demo::write_district(dir.path()).unwrap();
    let mut config = phananh_server::Config::new(dir.path().to_owned());
    config.clock = Arc::new(ManualClock::new(NOW));
    let state = phananh_server::open(config.clone()).unwrap();
    phananh_server::demo::seed(state.store.as_ref()).await.unwrap();
    let db = dir.path().join("server.sqlite3");
    let filled = phananh_server::demo_reports::fill(&db, state.reports.district(), 10_000, NOW, 11).unwrap();
    assert_eq!(filled.reports, 10_000);
    state.store.checkpoint();

    let moved = phananh_server::migrate::migrate(dir.path(), &database, None).await.unwrap();
    assert_eq!(moved.rows["reports"], 10_000);
    assert_eq!(moved.rows["ratings"], filled.ratings);
    config.database = Some(database);
    let on_pg = phananh_server::open(config).unwrap();
    // The year's figures, unit by unit, from either store.
    let figures = |store: Arc<dyn Storage>| async move {
        store.unit_stats(NOW - 366 * 86_400_000, NOW + 1, NOW, "DL".into()).await.unwrap()
    };
    let (sqlite, pg) = (figures(state.store.clone()).await, figures(on_pg.store.clone()).await);
    assert_eq!(sqlite, pg);
    assert_eq!(pg.iter().map(|u| u.received).sum::<i64>(), 10_000);
    // A text search finds the same reports on both.
    let search = ReportFilter { q: Some("den duong".into()), limit: Some(500), ..Default::default() };
    let codes =
        |v: Vec<phananh_server::storage::StaffReport>| v.into_iter().map(|r| r.tracking_code).collect::<Vec<_>>();
    let here = codes(state.store.staff_reports(search.clone()).await.unwrap());
    assert!(!here.is_empty());
    assert_eq!(codes(on_pg.store.staff_reports(search).await.unwrap()), here);
}

//! A data directory written by the release before the government's half
//! (server schema 2; made by `tests/data/make-release-data.sh` with that
//! release's own server and CLI) upgrades in place: reports, replies,
//! photos and staff accounts survive, and the new parts work on old data.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use phananh_protocol::ManualClock;
use phananh_server::storage::Role;
use serde_json::{Value, json};

/// Tuesday 1 December 2026, 08:00 in Vietnam.
const TUESDAY_8AM: i64 = 1_796_086_800_000;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_release_data_directory_upgrades_in_place() {
    let release = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/release-schema-2");
    let old = tempfile::tempdir().unwrap();
    copy_dir(&release, old.path());
    let read = |name: &str| std::fs::read_to_string(release.join(name)).unwrap();
    let codes: Vec<String> = read("CODES").lines().map(str::to_owned).collect();
    let staff = read("STAFF");
    let (old_name, old_password) = staff.trim().split_once(' ').unwrap();
    let before = rusqlite::Connection::open(release.join("server.sqlite3")).unwrap();
    let version: u32 = before.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 2, "the fixture is what that release wrote");
    let photo_sha: String = before.query_row("SELECT sha256 FROM photos", [], |r| r.get(0)).unwrap();
    drop(before);

    let data = old.path().to_owned();
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let s = start_with(move |config| {
        config.data_dir = data;
        phananh_server::demo::write_district(&config.data_dir).unwrap();
        config.clock = clock;
    })
    .await;
    let now: u32 = s.sql().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(now, phananh_server::storage::db::SCHEMA_VERSION);

    // The release's own staff account still signs in, as a coordinator.
    let r = client()
        .post(format!("{}/api/v1/staff/login", s.base))
        .json(&json!({"name": old_name, "password": old_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the old account signs in");
    let role: String = s.sql().query_row("SELECT role FROM staff WHERE name = ?1", [old_name], |r| r.get(0)).unwrap();
    assert_eq!(role, "coordinator");

    // Every report is there with its history; old ones are the coordinator's.
    let coordinator = staff_as(&s, "canbo").await;
    let list: Value =
        coordinator.get(format!("{}/api/v1/staff/reports", s.base)).send().await.unwrap().json().await.unwrap();
    let mut listed: Vec<String> =
        list.as_array().unwrap().iter().map(|r| r["tracking_code"].as_str().unwrap().to_owned()).collect();
    listed.sort();
    assert_eq!(listed, codes);
    let by_status =
        |status: &str| list.as_array().unwrap().iter().find(|r| r["status"] == status).cloned().unwrap_or(Value::Null);
    let resolved = by_status("resolved");
    assert_eq!(resolved["history"].as_array().unwrap().last().unwrap()["reply"], "Đã vá xong.");
    assert!(resolved["closed_at"].is_string(), "closed reports count as closed");
    assert!(resolved["unit"].is_null(), "from before units: the coordinator's");
    let received = by_status("received");
    assert!(received["acknowledged_at"].is_null(), "not taken up: in the 'new' queue");

    // The 'new' queue holds the one not yet taken up.
    let new: Value = coordinator
        .get(format!("{}/api/v1/staff/reports?queue=new", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(new.as_array().unwrap().len(), 1);
    // Old reports are placed in their communes, and found by words.
    s.state.reports.place_unplaced().await.unwrap();
    let in_trang_son: Value = coordinator
        .get(format!("{}/api/v1/staff/reports?commune=TRANG_SON", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(in_trang_son[0]["category"], "den_duong");
    let found: Value = coordinator
        .get(format!("{}/api/v1/staff/reports?q=nha%20van%20hoa", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1, "the old text is in the search index");

    // The photo is served as it was stored.
    let code = received["tracking_code"].as_str().unwrap();
    let bytes = client().get(format!("{}/r/{code}/photo/0", s.base)).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(sha256(&bytes), photo_sha);
    // And the new half works beside the old data: an old report can be
    // assigned, a new one is routed.
    let r = coordinator
        .post(format!("{}/api/v1/staff/reports/{code}/assign", s.base))
        .json(&json!({"unit": "TRANG_SON"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    phananh_server::staff::add(s.state.store.as_ref(), "ts", "mat-khau-du-dai", Role::Officer, Some("TRANG_SON"))
        .await
        .unwrap();
    let dev = device(&s).await;
    let body = json!({"category": "den_duong", "description": "Đèn đường hỏng", "lat": 18.82, "lon": 105.355});
    let created = put_report(&s, &dev, &body).await;
    let view: Value = coordinator
        .get(format!("{}/api/v1/staff/reports/{}", s.base, created["tracking_code"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((view["unit"].as_str(), view["place"].as_str()), (Some("TRANG_SON"), Some("TRANG_SON")));
}

//! The resident's word after the answer, over HTTP: ratings, reopens and
//! contested rejections, following a neighbour's report — who may, when,
//! idempotency, and what a follower never learns.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use phananh_protocol::ManualClock;
use phananh_server::storage::Role;
use serde_json::{Value, json};

/// Tuesday 1 December 2026, 08:00 in Vietnam.
const TUESDAY_8AM: i64 = 1_796_086_800_000;
const DAY: u64 = 86_400;

async fn setup() -> (TestServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let accounts = [("dieuphoi", Role::Coordinator, None), ("ts", Role::Officer, Some("TRANG_SON"))];
    (start_district(&accounts, clock.clone()).await, clock)
}

fn light() -> Value {
    json!({
        "category": "den_duong",
        "description": "Đèn đường trước nhà văn hoá xóm 3 tắt cả tuần nay",
        "lat": 18.82, "lon": 105.355,
        "reporter": {"name": "Nguyễn Văn An", "phone": "0912345678", "anonymous": false},
    })
}

async fn put(c: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
    let r = c.put(url).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn staff_post(s: &TestServer, who: &str, code: &str, what: &str, body: Value) -> Value {
    let c = staff_as(s, who).await;
    let r = c.post(format!("{}/api/v1/staff/reports/{code}/{what}", s.base)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200, "{what}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_reporter_rates_once_after_the_answer_and_no_one_else_may() {
    let (s, _clock) = setup().await;
    let (mine, other) = (device(&s).await, device(&s).await);
    let id = new_id();
    let created: Value =
        mine.put(format!("{}/api/v1/reports/{id}", s.base)).json(&light()).send().await.unwrap().json().await.unwrap();
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let rate = |id: &str, rid: &str| format!("{}/api/v1/reports/{id}/rating/{rid}", s.base);
    let rating = json!({"score": "satisfied", "comment": "Đèn đã sáng, cảm ơn xã"});
    let first = new_id();
    // Before any answer: refused, clearly.
    let (status, answer) = put(&mine, rate(&id, &first), rating.clone()).await;
    assert_eq!((status, answer["code"].as_str()), (409, Some("not_closed")), "{answer}");
    staff_post(&s, "ts", &code, "status", json!({"status": "resolved", "reply": "Đã thay bóng đèn."})).await;
    // Another device: as if there were no such report.
    assert_eq!(put(&other, rate(&id, &first), rating.clone()).await.0, 404);
    let (status, answer) = put(&mine, rate(&id, &first), json!({"score": "great"})).await;
    assert_eq!((status, answer["code"].as_str()), (422, Some("bad_body")));
    let (status, answer) = put(&mine, rate(&id, &first), rating.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["rating"]["score"], "satisfied");
    // The same rating again (a lost answer): the same answer. Another: refused.
    assert_eq!(put(&mine, rate(&id, &first), rating.clone()).await.0, 200);
    let (status, answer) = put(&mine, rate(&id, &new_id()), json!({"score": "not_satisfied"})).await;
    assert_eq!((status, answer["code"].as_str()), (409, Some("already_rated")));
    // Staff read the score and the comment; the public page the score alone.
    let staff: Value = staff_as(&s, "dieuphoi")
        .await
        .get(format!("{}/api/v1/staff/reports/{code}", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(staff["rating"]["score"], "satisfied");
    assert_eq!(staff["rating"]["comment"], "Đèn đã sáng, cảm ơn xã");
    assert_eq!(staff["rating"]["on_behalf"], false, "filed for no one: not on anyone's behalf");
    let public = client().get(format!("{}/r/{code}", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(public.contains(r#"<span id="rating">Hài lòng</span>"#), "{public}");
    assert!(!public.contains("cảm ơn xã"), "the comment is staff's to read");
}

#[tokio::test]
async fn not_fixed_goes_back_to_the_unit_with_a_new_deadline_within_the_window() {
    let (s, clock) = setup().await;
    let mine = device(&s).await;
    let id = new_id();
    let created: Value =
        mine.put(format!("{}/api/v1/reports/{id}", s.base)).json(&light()).send().await.unwrap().json().await.unwrap();
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let reopen = |rid: &str| format!("{}/api/v1/reports/{id}/reopen/{rid}", s.base);
    let photo = json!({"id": new_id(), "sha256": "ab".repeat(32), "bytes": 120_000});
    let body = json!({"reason": "Đèn lại tắt sau hai ngày", "photos": [photo]});
    assert_eq!(put(&mine, reopen(&new_id()), body.clone()).await.0, 409, "not closed yet");
    staff_post(&s, "ts", &code, "status", json!({"status": "resolved", "reply": "Đã thay bóng đèn."})).await;
    clock.advance(Duration::from_secs(2 * DAY));
    assert_eq!(put(&mine, reopen(&new_id()), json!({"reason": "  "})).await.0, 422, "a reason is needed");
    let other = device(&s).await;
    assert_eq!(put(&other, reopen(&new_id()), body.clone()).await.0, 404, "another device cannot reopen it");
    let rid = new_id();
    let (status, answer) = put(&mine, reopen(&rid), body.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "reopened");
    assert_eq!(answer["unit"]["code"], "TRANG_SON", "back to the unit it counts against");
    assert_eq!(answer["photos_expected"], 1, "the new photo is declared");
    let due = answer["due_at"].as_str().unwrap().to_owned();
    assert!(due.as_str() > created["due_at"].as_str().unwrap(), "a new deadline: {due}");
    assert_eq!(put(&mine, reopen(&rid), body.clone()).await.0, 200, "the same reopen again");
    // In the unit's "new" queue again; the feed tells the reporter.
    let ts = staff_as(&s, "ts").await;
    let queue: Value =
        ts.get(format!("{}/api/v1/staff/reports?queue=new", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(queue[0]["tracking_code"], code.as_str());
    assert_eq!(queue[0]["reopens"][0]["reason"], "Đèn lại tắt sau hai ngày");
    let feed: Value =
        mine.get(format!("{}/api/v1/reports/changes", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(feed["changes"].as_array().unwrap().last().unwrap()["status"], "reopened");

    // Resolved again, then past the window: a new report instead.
    staff_post(&s, "ts", &code, "status", json!({"status": "resolved", "reply": "Đã thay cả chấn lưu."})).await;
    clock.advance(Duration::from_secs(31 * DAY));
    let (status, answer) = put(&mine, reopen(&new_id()), json!({"reason": "Vẫn tắt"})).await;
    assert_eq!((status, answer["code"].as_str()), (409, Some("reopen_window_passed")));

    // A rejection contested goes to the coordinator.
    let id2 = new_id();
    let second: Value =
        mine.put(format!("{}/api/v1/reports/{id2}", s.base)).json(&light()).send().await.unwrap().json().await.unwrap();
    let code2 = second["tracking_code"].as_str().unwrap().to_owned();
    staff_post(&s, "ts", &code2, "status", json!({"status": "rejected", "reason": "duplicate"})).await;
    let url = format!("{}/api/v1/reports/{id2}/reopen/{}", s.base, new_id());
    let (status, answer) = put(&mine, url, json!({"reason": "Không trùng: đây là cột đèn khác"})).await;
    assert_eq!((status, answer["unit"]["code"].as_str()), (200, Some("DL")), "{answer}");
    let events: Value = staff_as(&s, "dieuphoi")
        .await
        .get(format!("{}/api/v1/staff/reports/{code2}", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events["reopens"][0]["kind"], "contest");
}

#[tokio::test]
async fn a_neighbour_follows_and_hears_of_replies_but_never_who_reported() {
    let (s, clock) = setup().await;
    let (reporter, neighbour) = (device(&s).await, device(&s).await);
    let created = put_report(&s, &reporter, &light()).await;
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let follow = |c: &str| format!("{}/api/v1/follows/{c}", s.base);
    assert_eq!(put(&reporter, follow(&code), json!({})).await.0, 409, "one's own report");
    assert_eq!(put(&neighbour, follow("DL-NOPE00"), json!({})).await.0, 404);
    let (status, followed) = put(&neighbour, follow(&code.to_lowercase()), json!({"me_too": true})).await;
    assert_eq!(status, 200, "{followed}");
    assert_eq!((followed["tracking_code"].as_str(), followed["followers"].as_u64()), (Some(code.as_str()), Some(1)));
    assert_eq!(put(&neighbour, follow(&code), json!({})).await.1["followers"], 1, "following twice is once");
    // The staff reply reaches the follower's feed, without the reporter's ids.
    staff_post(&s, "ts", &code, "status", json!({"status": "in_progress", "reply": "Tổ điện đang đến."})).await;
    let feed: Value =
        neighbour.get(format!("{}/api/v1/reports/changes", s.base)).send().await.unwrap().json().await.unwrap();
    let last = feed["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["reply"].as_str(), last["followed"].as_bool()), (Some("Tổ điện đang đến."), Some(true)));
    assert_eq!(last["client_id"], "");
    let everything = format!("{followed}{feed}");
    for secret in ["Nguyễn Văn An", "912345678", created["client_id"].as_str().unwrap()] {
        assert!(!everything.contains(secret), "a follower never learns {secret}");
    }
    // The reporter's own feed is unchanged in form.
    let own: Value =
        reporter.get(format!("{}/api/v1/reports/changes", s.base)).send().await.unwrap().json().await.unwrap();
    assert!(
        own["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["client_id"] == created["client_id"] && c.get("followed").is_none())
    );
    // Staff see the weight; the coordinator can sort by it.
    let other = put_report(&s, &reporter, &light()).await;
    let list: Value = staff_as(&s, "dieuphoi")
        .await
        .get(format!("{}/api/v1/staff/reports?sort=followers", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["tracking_code"], code.as_str(), "the followed one first, though older");
    assert_eq!((list[0]["followers"].as_i64(), list[0]["me_too"].as_i64()), (Some(1), Some(1)));
    assert_eq!(list[1]["tracking_code"], other["tracking_code"]);
    let public = client().get(format!("{}/r/{code}", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(public.contains(r#"<p id="followers">1 người dân cùng quan tâm</p>"#));
    // Resolved long ago: no longer followed by newcomers.
    staff_post(&s, "ts", &code, "status", json!({"status": "resolved", "reply": "Xong."})).await;
    clock.advance(Duration::from_secs(31 * DAY));
    let late = device(&s).await;
    let (status, answer) = put(&late, follow(&code), json!({})).await;
    assert_eq!((status, answer["code"].as_str()), (409, Some("not_followable")));
}

#[tokio::test]
async fn a_me_too_photo_goes_to_staff_alone() {
    use base64::Engine;
    let (s, _clock) = setup().await;
    let (reporter, neighbour) = (device(&s).await, device(&s).await);
    let code = put_report(&s, &reporter, &light()).await["tracking_code"].as_str().unwrap().to_owned();
    let jpeg = test_jpeg();
    let pid = new_id();
    let decl = json!({"id": pid, "sha256": sha256(&jpeg), "bytes": jpeg.len()});
    let url = format!("{}/api/v1/follows/{code}", s.base);
    let (status, followed) = put(&neighbour, url, json!({"photos": [decl]})).await;
    assert_eq!(status, 200, "{followed}");
    // The reporter cannot upload it (not its declaration); the follower can.
    let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
    let meta = format!("photo_id {},sha256 {}", b64(&pid), b64(&sha256(&jpeg)));
    let create = |dev: &reqwest::Client| {
        dev.post(format!("{}/api/v1/follows/{code}/photos", s.base))
            .header("tus-resumable", "1.0.0")
            .header("upload-length", jpeg.len().to_string())
            .header("upload-metadata", meta.clone())
            .send()
    };
    assert_eq!(create(&reporter).await.unwrap().status(), 422, "declared by someone else");
    let created = create(&neighbour).await.unwrap();
    assert_eq!(created.status(), 201);
    let location = format!("{}{}", s.base, created.headers()["location"].to_str().unwrap());
    let r = neighbour
        .patch(&location)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .body(jpeg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // Staff see it; the public page and the reporter's count do not.
    let staff = staff_as(&s, "dieuphoi").await;
    let view: Value =
        staff.get(format!("{}/api/v1/staff/reports/{code}", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(view["follower_photos"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!((view["photos"].as_array().unwrap().len(), view["me_too"].as_i64()), (0, Some(1)));
    let seen = view["follower_photos"][0].as_str().unwrap();
    let photo = staff.get(format!("{}{seen}", s.base)).send().await.unwrap();
    assert_eq!(photo.headers()["cache-control"], "private, no-store");
    assert_eq!(photo.bytes().await.unwrap().len(), phananh_protocol::jpeg::strip_metadata(&jpeg, None).unwrap().len());
    assert_eq!(client().get(format!("{}{seen}", s.base)).send().await.unwrap().status(), 401, "not without a session");
    assert_eq!(client().get(format!("{}/r/{code}/photo/0", s.base)).send().await.unwrap().status(), 404);
    let public = client().get(format!("{}/r/{code}", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(!public.contains("/seen/"));
}

#[tokio::test]
async fn the_units_figures_count_reopens_against_on_time_and_show_satisfaction() {
    let (s, clock) = setup().await;
    let mine = device(&s).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = new_id();
        let r: Value = mine
            .put(format!("{}/api/v1/reports/{id}", s.base))
            .json(&light())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push((id, r["tracking_code"].as_str().unwrap().to_owned()));
    }
    // Two resolved on time; one of them reopened as not fixed; the third
    // still open and, a week on, overdue.
    for (_, code) in &ids[..2] {
        staff_post(&s, "ts", code, "status", json!({"status": "resolved", "reply": "Đã thay bóng."})).await;
    }
    let rate = |id: &str, score: &str| {
        let url = format!("{}/api/v1/reports/{id}/rating/{}", s.base, new_id());
        let body = json!({"score": score});
        let c = mine.clone();
        async move { c.put(url).json(&body).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(rate(&ids[0].0, "satisfied").await, 200);
    assert_eq!(rate(&ids[1].0, "not_satisfied").await, 200);
    let url = format!("{}/api/v1/reports/{}/reopen/{}", s.base, ids[1].0, new_id());
    assert_eq!(put(&mine, url, json!({"reason": "Vẫn tắt"})).await.0, 200);
    clock.advance(Duration::from_secs(8 * DAY));
    let figures = |who: &'static str| {
        let base = s.base.clone();
        let server = &s;
        async move {
            let c = staff_as(server, who).await;
            c.get(format!("{base}/api/v1/staff/stats?from=2026-12-01"))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let all = figures("dieuphoi").await;
    let ts = all["units"].as_array().unwrap().iter().find(|u| u["unit"] == "TRANG_SON").unwrap().clone();
    assert_eq!(
        (ts["received"].as_i64(), ts["closed"].as_i64(), ts["closed_on_time"].as_i64(), ts["reopened"].as_i64()),
        (Some(3), Some(1), Some(1), Some(1)),
        "{ts}"
    );
    assert_eq!(ts["overdue"].as_i64(), Some(2), "the open one and the reopened one are past their deadlines");
    assert_eq!((ts["satisfied"].as_i64(), ts["not_satisfied"].as_i64()), (Some(1), Some(1)));
    assert_eq!((ts["on_time_pct"].as_f64(), ts["satisfied_pct"].as_f64()), (Some(100.0), Some(50.0)));
    assert_eq!(all["total"]["satisfied_pct"].as_f64(), Some(50.0));
    assert_eq!(all["from"], "2026-12-01");
    // An officer sees its own unit's; a bad date is refused.
    let own = figures("ts").await;
    assert!(own["units"].as_array().unwrap().iter().all(|u| u["unit"] == "TRANG_SON"));
    let c = staff_as(&s, "dieuphoi").await;
    assert_eq!(c.get(format!("{}/api/v1/staff/stats?to=hôm-qua", s.base)).send().await.unwrap().status(), 422);
    let page = c.get(format!("{}/staff/stats?from=2026-12-01", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<dd id="satisfied">50,0 %"#), "the page shows the yardstick honestly");
    // Fixed at last: closed, but never again on time.
    staff_post(&s, "ts", &ids[1].1, "status", json!({"status": "resolved", "reply": "Đã thay cả bộ đèn."})).await;
    let after = figures("dieuphoi").await;
    let ts = after["units"].as_array().unwrap().iter().find(|u| u["unit"] == "TRANG_SON").unwrap().clone();
    assert_eq!(
        (ts["closed"].as_i64(), ts["closed_on_time"].as_i64(), ts["on_time_pct"].as_f64()),
        (Some(2), Some(1), Some(50.0))
    );
}

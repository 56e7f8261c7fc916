//! The native API over real sockets: success and error paths.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use phananh_server::coordination::{Claims, Coordination};
use phananh_server::storage::Fut;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn services_have_categories_area_limits_and_an_etag() {
    let s = start().await;
    let r = client().get(format!("{}/api/v1/services", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    let cats = body["categories"].as_array().unwrap();
    assert_eq!(cats.len(), 11);
    assert_eq!(cats[0]["name_vi"], "Ổ gà, hư hỏng mặt đường");
    assert_eq!(body["service_area"]["min_lat"], 18.8);
    assert_eq!(body["limits"]["max_photos"], 5);
    let again =
        client().get(format!("{}/api/v1/services", s.base)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let other =
        client().get(format!("{}/api/v1/services", s.base)).header("if-none-match", "\"stale\"").send().await.unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn report_creation_is_idempotent() {
    let s = start().await;
    let dev = device(&s).await;
    let id = new_id();
    let url = format!("{}/api/v1/reports/{id}", s.base);
    let first = dev.put(&url).json(&report(&[])).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let code = first["tracking_code"].as_str().unwrap();
    assert!(code.starts_with("DL-") && code.len() == 9, "{code}");
    assert_eq!(first["status"], "received");

    // The same body again (keys in another order): the same answer.
    let text = serde_json::to_string(&report(&[])).unwrap();
    let reordered: serde_json::Map<String, Value> =
        serde_json::from_str::<serde_json::Map<String, Value>>(&text).unwrap().into_iter().rev().collect();
    let replay = dev.put(&url).json(&reordered).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay["tracking_code"], code);

    // A changed body under the same id.
    let mut changed = report(&[]);
    changed["description"] = json!("Một mô tả khác hẳn, nhưng cùng mã");
    let r = dev.put(&url).json(&changed).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "id_reused");

    let stored = s.state.store.staff_reports(Default::default()).await.unwrap();
    assert_eq!(stored.len(), 1);
    // Stored normalised.
    assert_eq!(stored[0].reporter_phone.as_deref(), Some("+84912345678"));
}

#[tokio::test]
async fn validation_errors_are_422_in_the_requested_language() {
    let s = start().await;
    let dev = device(&s).await;
    let cases = [
        (json!({"description": "ngắn"}), "description_too_short", "description"),
        (json!({"category": "khong_co"}), "unknown_category", "category"),
        (json!({"lat": 21.03, "lon": 105.85}), "outside_service_area", "location"),
        (json!({"lat": 18.9, "lon": null}), "location_incomplete", "location"),
        (json!({"reporter": {"phone": "12345"}}), "phone_invalid", "reporter_phone"),
        (json!({"on_behalf_of": {"name": "Bà Lan", "consent": false}}), "consent_missing", "consent"),
        (json!({"photos": [{"id": "x", "sha256": "00", "bytes": 1}]}), "bad_photo", "photos"),
    ];
    for (patch, code, field) in cases {
        let mut body = report(&[]);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        for (lang, word) in [("vi", "vi"), ("en-US,en;q=0.9", "en")] {
            let r = dev
                .put(format!("{}/api/v1/reports/{}", s.base, new_id()))
                .header("accept-language", lang)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code}");
            let e: Value = r.json().await.unwrap();
            assert_eq!(e["code"], code);
            assert_eq!(e["field"], field);
            let msg = e["message"].as_str().unwrap();
            let looks_vi = msg.chars().any(|c| "ảạấầẩậắằẳặẹếềểệỉịọốồổộớờởợủụứừửựỳỷỹđơưăâêô".contains(c));
            assert_eq!(looks_vi, word == "vi", "{code} in {lang}: {msg}");
        }
    }
}

#[tokio::test]
async fn tokens_are_required_and_other_devices_reports_are_not_found() {
    let s = start().await;
    let id = new_id();
    let url = format!("{}/api/v1/reports/{id}", s.base);
    let r = client().put(&url).json(&report(&[])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client().put(&url).bearer_auth("forged").json(&report(&[])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "unauthorized");

    let mine = device(&s).await;
    assert_eq!(mine.put(&url).json(&report(&[])).send().await.unwrap().status(), 201);
    let theirs = device(&s).await;
    assert_eq!(theirs.get(&url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(mine.get(&url).send().await.unwrap().status(), 200);
    // Reusing another device's id is refused without saying whose it is.
    assert_eq!(theirs.put(&url).json(&report(&[])).send().await.unwrap().status(), 422);
}

#[tokio::test]
async fn malformed_requests_are_4xx_never_500() {
    let s = start().await;
    let dev = device(&s).await;
    let base = &s.base;
    let id = new_id();
    let requests = vec![
        dev.put(format!("{base}/api/v1/reports/not-a-uuid")).json(&report(&[])),
        dev.put(format!("{base}/api/v1/reports/{id}")).body("{not json"),
        dev.put(format!("{base}/api/v1/reports/{id}")).json(&json!({"category": 5})),
        dev.put(format!("{base}/api/v1/reports/{id}")).json(&json!([])),
        dev.get(format!("{base}/api/v1/reports/changes?cursor=zzz")),
        dev.get(format!("{base}/api/v1/reports/changes?limit=-4")),
        dev.get(format!("{base}/api/v1/reports/nearby?lat=abc&lon=1")),
        dev.get(format!("{base}/api/v1/reports/nearby?lat=NaN&lon=1")),
        dev.get(format!("{base}/api/v1/reports/nearby?lat=95&lon=1")),
        dev.post(format!("{base}/api/v1/reports/{id}/photos")),
        dev.head(format!("{base}/api/v1/uploads/../../etc/passwd")),
        dev.patch(format!("{base}/api/v1/uploads/00")).body("x"),
        client().post(format!("{base}/api/v1/staff/login")).body("nope"),
        client().get(format!("{base}/api/v1/staff/reports")),
        client().get(format!("{base}/no/such/page")),
        client().get(format!("{base}/r/%00%ff")),
        client().get(format!("{base}/r/DL-AAAAAA/photo/99")),
    ];
    for req in requests {
        let r = req.send().await.unwrap();
        let status = r.status();
        let url = r.url().to_string();
        assert!(status.is_client_error(), "{url}: {status}");
    }
}

#[tokio::test]
async fn status_changes_and_replies_reach_the_device_feed() {
    let s = start().await;
    let dev = device(&s).await;
    let id = new_id();
    let created: Value = dev
        .put(format!("{}/api/v1/reports/{id}", s.base))
        .json(&report(&[]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = created["tracking_code"].as_str().unwrap();

    let feed: Value = dev.get(format!("{}/api/v1/reports/changes", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(feed["changes"].as_array().unwrap().len(), 1);
    assert_eq!(feed["changes"][0]["status"], "received");
    let cursor = feed["next_cursor"].as_str().unwrap().to_owned();

    let staff = staff_client(&s).await;
    let r = staff
        .post(format!("{}/api/v1/staff/reports/{code}/status", s.base))
        .json(&json!({"status": "in_progress", "reply": "Đội giao thông xã sẽ vá trong tuần này."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bad = staff
        .post(format!("{}/api/v1/staff/reports/{code}/status", s.base))
        .json(&json!({"status": "lost"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);

    let feed: Value = dev
        .get(format!("{}/api/v1/reports/changes?cursor={cursor}", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let changes = feed["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "only what is new since the cursor");
    assert_eq!(changes[0]["status"], "in_progress");
    assert_eq!(changes[0]["reply"], "Đội giao thông xã sẽ vá trong tuần này.");
    assert_eq!(changes[0]["client_id"], id.as_str());
    assert_eq!(feed["has_more"], false);
    let again: Value = dev
        .get(format!("{}/api/v1/reports/changes?cursor={}", s.base, feed["next_cursor"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(again["changes"].as_array().unwrap().is_empty());

    // Another device sees none of it.
    let other = device(&s).await;
    let feed: Value =
        other.get(format!("{}/api/v1/reports/changes", s.base)).send().await.unwrap().json().await.unwrap();
    assert!(feed["changes"].as_array().unwrap().is_empty());

    // Paging.
    for _ in 0..3 {
        staff
            .post(format!("{}/api/v1/staff/reports/{code}/status", s.base))
            .json(&json!({"status": "in_progress"}))
            .send()
            .await
            .unwrap();
    }
    let page: Value =
        dev.get(format!("{}/api/v1/reports/changes?limit=2", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(page["changes"].as_array().unwrap().len(), 2);
    assert_eq!(page["has_more"], true);
}

#[tokio::test]
async fn nearby_lists_open_reports_within_the_radius_with_public_fields_only() {
    let s = start().await;
    let dev = device(&s).await;
    let mut near = report(&[]);
    near["lat"] = json!(18.9001);
    let mut far = report(&[]);
    far["lat"] = json!(18.95);
    for body in [&near, &far] {
        put_report(&s, &dev, body).await;
    }
    let r: Value = client()
        .get(format!("{}/api/v1/reports/nearby?lat=18.9&lon=105.3&radius_m=200", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = r["reports"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let d = list[0]["distance_m"].as_f64().unwrap();
    assert!((d - 11.1).abs() < 1.0, "{d}");
    let text = r.to_string();
    assert!(!text.contains("Nguyễn") && !text.contains("+84"), "no private fields: {text}");
    let other_category: Value = client()
        .get(format!("{}/api/v1/reports/nearby?lat=18.9&lon=105.3&radius_m=200&category=rac_thai", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(other_category["reports"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_public_page_shows_status_and_replies_but_not_the_reporter() {
    let s = start().await;
    let dev = device(&s).await;
    let created = put_report(&s, &dev, &report(&[])).await;
    let code = created["tracking_code"].as_str().unwrap();
    staff_client(&s)
        .await
        .post(format!("{}/api/v1/staff/reports/{code}/status", s.base))
        .json(&json!({"status": "resolved", "reply": "Đã vá xong <b>ổ gà</b>."}))
        .send()
        .await
        .unwrap();
    let html = client().get(created["public_url"].as_str().unwrap()).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Đã giải quyết"), "{html}");
    assert!(html.contains("Ổ gà, hư hỏng mặt đường"));
    assert!(html.contains("Đã vá xong ") && !html.contains("<b>ổ gà</b>"), "replies are escaped: {html}");
    assert!(!html.contains("style="), "no inline style (the CSP allows none)");
    // Times as people read them, in Vietnam time; never raw UTC.
    let received = html.split("Tiếp nhận:</b> ").nth(1).unwrap_or_default();
    let stamp: String = received.chars().take(16).collect();
    assert!(
        time::PrimitiveDateTime::parse(
            &stamp,
            time::macros::format_description!("[hour]:[minute] [day]/[month]/[year]")
        )
        .is_ok(),
        "{stamp:?}"
    );
    assert!(!html.contains("Nguyễn Văn An") && !html.contains("0912345678") && !html.contains("+84912345678"));
    let en = client()
        .get(format!("{}/r/{}?lang=en", s.base, code.to_lowercase()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Resolved") && en.contains("Pothole, damaged road"));
    assert_eq!(client().get(format!("{}/r/DL-ZZZZZZ", s.base)).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn staff_can_list_search_and_mark_duplicates() {
    let s = start().await;
    let dev = device(&s).await;
    let mut codes = Vec::new();
    for desc in ["Đèn đường hỏng ở ngã ba chợ", "Đèn đường tắt cả tuần ở ngã ba chợ"] {
        let mut body = report(&[]);
        body["description"] = json!(desc);
        body["category"] = json!("den_duong");
        let r = put_report(&s, &dev, &body).await;
        codes.push(r["tracking_code"].as_str().unwrap().to_owned());
    }
    let staff = staff_client(&s).await;
    let list: Value =
        staff.get(format!("{}/api/v1/staff/reports?q=den%20tat", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Private fields: the phone's last digits in a list, whole on an
    // explicit (audited) request.
    assert_eq!(list[0]["reporter_phone"], "••••••••678", "a list hides phone numbers");
    let code = list[0]["tracking_code"].as_str().unwrap();
    let shown: Value =
        staff.post(format!("{}/api/v1/staff/reports/{code}/phone", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown["reporter_phone"], "+84912345678", "staff may see it whole");
    let r = staff
        .post(format!("{}/api/v1/staff/reports/{}/duplicate", s.base, codes[1]))
        .json(&json!({"of": codes[0]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let dup: Value = r.json().await.unwrap();
    assert_eq!(dup["duplicate_of"], codes[0].as_str());
    let nearby: Value = client()
        .get(format!("{}/api/v1/reports/nearby?lat=18.9&lon=105.3", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(nearby["reports"].as_array().unwrap().len(), 1, "duplicates are not offered as hints");
    let wrong = client()
        .post(format!("{}/api/v1/staff/login", s.base))
        .json(&json!({"name": "canbo", "password": "sai"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn creations_are_rate_limited_but_replays_are_not() {
    let s = start_with(|c| c.creates_per_minute = 3).await;
    let dev = device(&s).await;
    let first = new_id();
    for i in 0..3 {
        let id = if i == 0 { first.clone() } else { new_id() };
        assert_eq!(
            dev.put(format!("{}/api/v1/reports/{id}", s.base)).json(&report(&[])).send().await.unwrap().status(),
            201
        );
    }
    let r = dev.put(format!("{}/api/v1/reports/{}", s.base, new_id())).json(&report(&[])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    let replay = dev.put(format!("{}/api/v1/reports/{first}", s.base)).json(&report(&[])).send().await.unwrap();
    assert_eq!(replay.status(), 201, "a resend after a lost answer is never limited");
}

// ---- tus ----

struct Upload {
    url: String,
}

/// A tus creation for the photo `bytes` declared as `photo_id`.
fn creation(
    s: &TestServer,
    dev: &reqwest::Client,
    report_id: &str,
    photo_id: &str,
    bytes: &[u8],
) -> reqwest::RequestBuilder {
    let meta = format!("photo_id {},sha256 {}", B64.encode(photo_id), B64.encode(sha256(bytes)));
    dev.post(format!("{}/api/v1/reports/{report_id}/photos", s.base))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len().to_string())
        .header("upload-metadata", meta)
}

async fn create_upload(
    s: &TestServer,
    dev: &reqwest::Client,
    report_id: &str,
    photo_id: &str,
    bytes: &[u8],
    key: Option<&str>,
) -> reqwest::Response {
    let mut req = creation(s, dev, report_id, photo_id, bytes);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.unwrap()
}

async fn report_with_photo(s: &TestServer, dev: &reqwest::Client, bytes: &[u8]) -> (String, String, Upload) {
    let (rid, pid) = (new_id(), new_id());
    let r = dev.put(format!("{}/api/v1/reports/{rid}", s.base)).json(&report(&[(&pid, bytes)])).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created = create_upload(s, dev, &rid, &pid, bytes, Some(&pid)).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(created.headers().contains_key("upload-expires"));
    let loc = created.headers()["location"].to_str().unwrap().to_owned();
    (rid, pid, Upload { url: format!("{}{loc}", s.base) })
}

async fn patch(
    dev: &reqwest::Client,
    up: &Upload,
    offset: usize,
    chunk: &[u8],
    checksum: Option<String>,
) -> reqwest::Response {
    let mut req = dev
        .patch(&up.url)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(chunk.to_vec());
    if let Some(c) = checksum {
        req = req.header("upload-checksum", c);
    }
    req.send().await.unwrap()
}

fn sha256_b64(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256 {}", B64.encode(sha2::Sha256::digest(bytes)))
}

async fn offset(dev: &reqwest::Client, up: &Upload) -> u64 {
    let r = dev.head(&up.url).header("tus-resumable", "1.0.0").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.headers()["upload-offset"].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn tus_upload_resumes_checks_and_attaches() {
    let s = start().await;
    let dev = device(&s).await;
    let jpeg = test_jpeg();
    let (rid, pid, up) = report_with_photo(&s, &dev, &jpeg).await;

    // Replay of the creation: the same Location.
    let again = create_upload(&s, &dev, &rid, &pid, &jpeg, Some(&pid)).await;
    assert_eq!(format!("{}{}", s.base, again.headers()["location"].to_str().unwrap()), up.url);

    let half = jpeg.len() / 2;
    assert_eq!(offset(&dev, &up).await, 0);
    let r = patch(&dev, &up, 0, &jpeg[..half], Some(sha256_b64(&jpeg[..half]))).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["upload-offset"].to_str().unwrap(), half.to_string());

    // Wrong offset: 409, nothing written.
    let r = patch(&dev, &up, 5, &jpeg[5..half], None).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // A flipped byte: 460, the chunk is discarded.
    let mut flipped = jpeg[half..].to_vec();
    flipped[10] ^= 0xFF;
    let r = patch(&dev, &up, half, &flipped, Some(sha256_b64(&jpeg[half..]))).await;
    assert_eq!(r.status().as_u16(), 460);
    assert_eq!(offset(&dev, &up).await, half as u64);
    // sha1 works too.
    let sha1 = {
        use sha1::Digest;
        format!("sha1 {}", B64.encode(sha1::Sha1::digest(&jpeg[half..])))
    };
    let r = patch(&dev, &up, half, &jpeg[half..], Some(sha1)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    let status: Value = dev.get(format!("{}/api/v1/reports/{rid}", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["photos_received"], 1);
    let code = status["tracking_code"].as_str().unwrap();
    let served = client().get(format!("{}/r/{code}/photo/0", s.base)).send().await.unwrap().bytes().await.unwrap();
    // The uploaded photo less its metadata (this one carries EXIF GPS; the
    // app's own photos have none and are stored byte for byte).
    let clean = phananh_protocol::jpeg::strip_metadata(&jpeg, None).unwrap();
    assert_eq!(sha256(&served), sha256(&clean), "the stored photo is the uploaded one, cleaned");
    // Duplicate hints link a small thumbnail, not the photo.
    let nearby: Value = client()
        .get(format!("{}/api/v1/reports/nearby?lat=18.9&lon=105.3", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hint = nearby["reports"].as_array().unwrap().iter().find(|r| r["tracking_code"] == code).unwrap().clone();
    let thumb = client().get(hint["thumbnail_url"].as_str().unwrap()).send().await.unwrap().bytes().await.unwrap();
    assert!(thumb.starts_with(&[0xFF, 0xD8]) && thumb.len() < jpeg.len() / 2, "{} vs {}", thumb.len(), jpeg.len());
    let page = client().get(format!("{}/r/{code}", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/r/{code}/thumb/0")));
    // Another device cannot even see the upload.
    let other = device(&s).await;
    assert_eq!(other.head(&up.url).header("tus-resumable", "1.0.0").send().await.unwrap().status(), 404);
}

/// Upload claims as the server keeps them, but a release takes a while to
/// land: what a claim in PostgreSQL does on a busy database.
struct SlowRelease(Arc<dyn Coordination>);

/// How long [`SlowRelease`] takes: far longer than a loopback round trip.
const SLOW_RELEASE: std::time::Duration = std::time::Duration::from_millis(300);

impl Coordination for SlowRelease {
    fn hit(&self, key: String, per_minute: u32, now_ms: i64) -> Fut<'_, Result<(), u64>> {
        self.0.hit(key, per_minute, now_ms)
    }
    fn sign_in_wait(&self, account: String, now_ms: i64) -> Fut<'_, Option<u64>> {
        self.0.sign_in_wait(account, now_ms)
    }
    fn sign_in_failed(&self, account: String, now_ms: i64) -> Fut<'_, ()> {
        self.0.sign_in_failed(account, now_ms)
    }
    fn sign_in_succeeded(&self, account: String) -> Fut<'_, ()> {
        self.0.sign_in_succeeded(account)
    }
    fn claim(&self, id: String, holder: String, now_ms: i64, until: i64) -> Fut<'_, bool> {
        self.0.claim(id, holder, now_ms, until)
    }
    fn renew(&self, id: String, holder: String, until: i64) -> Fut<'_, ()> {
        self.0.renew(id, holder, until)
    }
    fn release(&self, id: String, holder: String) -> Fut<'_, ()> {
        Box::pin(async move {
            tokio::time::sleep(SLOW_RELEASE).await;
            self.0.release(id, holder).await
        })
    }
    fn tidy(&self, now_ms: i64) -> Fut<'_, ()> {
        self.0.tidy(now_ms)
    }
}

/// Every answer to a PATCH goes out after its claim on the upload is given
/// up, refusals too: the phone sends its next request the moment it reads
/// one, and must not meet its own last request's claim (`423 Locked`). A
/// claim left to be freed when dropped came free after the answer; on
/// PostgreSQL that once lost the race to the next PATCH in CI.
#[tokio::test]
async fn every_answer_to_a_patch_leaves_the_upload_free() {
    let s = start_changed(
        |_| {},
        |state| {
            let slow: Arc<dyn Coordination> = Arc::new(SlowRelease(state.shared.clone()));
            state.claims = Claims::new(slow.clone(), state.config.clock.clone());
            state.shared = slow;
        },
    )
    .await;
    let dev = device(&s).await;
    let jpeg = test_jpeg();
    let (_, _, up) = report_with_photo(&s, &dev, &jpeg).await;
    let half = jpeg.len() / 2;
    let r = patch(&dev, &up, 0, &jpeg[..half], Some(sha256_b64(&jpeg[..half]))).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT, "a chunk written");
    let mut flipped = jpeg[half..].to_vec();
    flipped[10] ^= 0xFF;
    for _ in 0..2 {
        let r = patch(&dev, &up, 5, &jpeg[5..half], None).await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "wrong offset");
        let r = patch(&dev, &up, half, &flipped, Some(sha256_b64(&jpeg[half..]))).await;
        assert_eq!(r.status().as_u16(), 460, "a flipped byte");
    }
    let r = patch(&dev, &up, half, &jpeg[half..], Some(sha256_b64(&jpeg[half..]))).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT, "the rest written");
    assert_eq!(offset(&dev, &up).await, jpeg.len() as u64);
}

#[tokio::test]
async fn tus_refuses_wrong_files_and_supports_termination_and_expiry() {
    let s = start_with(|c| c.max_photo_bytes = 200_000).await;
    let dev = device(&s).await;

    // The declared sha256 does not match what arrives.
    let jpeg = test_jpeg();
    let (rid, pid) = (new_id(), new_id());
    let mut body = report(&[(&pid, &jpeg)]);
    body["photos"][0]["sha256"] = json!("0".repeat(64));
    dev.put(format!("{}/api/v1/reports/{rid}", s.base)).json(&body).send().await.unwrap();
    let meta = format!("photo_id {}", B64.encode(&pid));
    let created = dev
        .post(format!("{}/api/v1/reports/{rid}/photos", s.base))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", jpeg.len().to_string())
        .header("upload-metadata", meta)
        .send()
        .await
        .unwrap();
    let up = Upload { url: format!("{}{}", s.base, created.headers()["location"].to_str().unwrap()) };
    let r = patch(&dev, &up, 0, &jpeg, None).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "sha256_mismatch");
    assert_eq!(dev.head(&up.url).header("tus-resumable", "1.0.0").send().await.unwrap().status(), 404, "started over");

    // Not a JPEG.
    let text = b"this is not a jpeg at all, but it claims the right sha".repeat(10);
    let (_, _, up) = report_with_photo(&s, &dev, &text).await;
    let r = patch(&dev, &up, 0, &text, None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "not_a_jpeg");

    // Too large for the server.
    let big = vec![0u8; 300_000];
    let (rid, pid) = (new_id(), new_id());
    dev.put(format!("{}/api/v1/reports/{rid}", s.base)).json(&report(&[])).send().await.unwrap();
    let r = create_upload(&s, &dev, &rid, &pid, &big, None).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Not declared with the report.
    let r = create_upload(&s, &dev, &rid, &pid, &jpeg[..1000], None).await;
    assert_eq!(r.status(), 422);
    // No Tus-Resumable.
    let r =
        dev.post(format!("{}/api/v1/reports/{rid}/photos", s.base)).header("upload-length", "10").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);

    // Termination.
    let (_, _, up) = report_with_photo(&s, &dev, &jpeg).await;
    patch(&dev, &up, 0, &jpeg[..100], None).await;
    let r = dev.delete(&up.url).header("tus-resumable", "1.0.0").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(dev.head(&up.url).header("tus-resumable", "1.0.0").send().await.unwrap().status(), 404);

    // Expiry.
    let (_, _, up) = report_with_photo(&s, &dev, &jpeg).await;
    s.expire_uploads().await;
    assert_eq!(dev.head(&up.url).header("tus-resumable", "1.0.0").send().await.unwrap().status(), StatusCode::GONE);
    let swept = phananh_server::routes::uploads::sweep_expired(&s.state).await.unwrap();
    assert_eq!(swept, 1);
    assert_eq!(dev.head(&up.url).header("tus-resumable", "1.0.0").send().await.unwrap().status(), 404);

    // OPTIONS.
    let r = client().request(reqwest::Method::OPTIONS, format!("{}/api/v1/uploads", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["tus-version"], "1.0.0");
    assert_eq!(r.headers()["tus-extension"], "creation,creation-with-upload,checksum,expiration,termination");
    assert_eq!(r.headers()["tus-max-size"], "200000");
}

#[tokio::test]
async fn open_uploads_per_device_are_capped() {
    let s = start_with(|c| c.max_open_uploads = 2).await;
    let dev = device(&s).await;
    let jpeg = test_jpeg();
    let (rid, a, b, c) = (new_id(), new_id(), new_id(), new_id());
    let photos: Vec<(&str, &[u8])> = vec![(&a, &jpeg), (&b, &jpeg), (&c, &jpeg)];
    dev.put(format!("{}/api/v1/reports/{rid}", s.base)).json(&report(&photos)).send().await.unwrap();
    assert_eq!(create_upload(&s, &dev, &rid, &a, &jpeg, None).await.status(), 201);
    assert_eq!(create_upload(&s, &dev, &rid, &b, &jpeg, None).await.status(), 201);
    let r = create_upload(&s, &dev, &rid, &c, &jpeg, None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn staff_forms_need_the_sessions_csrf_token() {
    let s = start().await;
    let dev = device(&s).await;
    let created = put_report(&s, &dev, &report(&[])).await;
    let code = created["tracking_code"].as_str().unwrap();
    let session = staff_session(&s).await;
    let cookie = format!("phananh_staff={}", session["token"].as_str().unwrap());
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |csrf: String| {
        no_redirects
            .post(format!("{}/staff/reports/{code}/status", s.base))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("status", "resolved"), ("reply", "Xong")])
            .send()
    };
    assert_eq!(post("forged".into()).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(post(String::new()).await.unwrap().status(), StatusCode::FORBIDDEN);
    let ok = post(session["csrf"].as_str().unwrap().to_owned()).await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let status: Value = staff_client(&s)
        .await
        .get(format!("{}/api/v1/staff/reports/{code}", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "resolved");
}

/// A PATCH cut off by the link: without a checksum the bytes that arrived
/// are kept and `HEAD` says so; with one the chunk is all or nothing.
#[tokio::test]
async fn a_chunk_cut_off_keeps_what_arrived_unless_it_carries_a_checksum() {
    use tokio::io::AsyncWriteExt;
    let s = start().await;
    let reg: Value = client().post(format!("{}/api/v1/devices", s.base)).send().await.unwrap().json().await.unwrap();
    let token = reg["token"].as_str().unwrap().to_owned();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    let dev = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let jpeg = test_jpeg();
    let (_rid, _pid, up) = report_with_photo(&s, &dev, &jpeg).await;
    let path = up.url.trim_start_matches(&s.base).to_owned();
    let addr = s.base.trim_start_matches("http://").to_owned();

    // Sends a PATCH declaring the whole rest, writes `sent` bytes of it and hangs up.
    let cut = |from: usize, sent: usize, checksum: Option<String>| {
        let (path, addr, token, body) = (path.clone(), addr.clone(), token.clone(), jpeg[from..].to_vec());
        async move {
            let mut c = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let extra = checksum.map(|c| format!("Upload-Checksum: {c}\r\n")).unwrap_or_default();
            let head = format!(
                "PATCH {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nTus-Resumable: 1.0.0\r\n\
                 Content-Type: application/offset+octet-stream\r\nUpload-Offset: {from}\r\n{extra}Content-Length: {}\r\n\r\n",
                body.len()
            );
            c.write_all(head.as_bytes()).await.unwrap();
            c.write_all(&body[..sent]).await.unwrap();
            c.flush().await.unwrap();
            drop(c);
        }
    };
    // Bounded wait for the server's task to record what it kept.
    // Up to ~10 s for what must happen (the slow case is a busy machine, or
    // an S3 server growing its first volumes; the usual one a few
    // milliseconds), ~2 s for what must not.
    let settled = |want: u64, tries: u32| {
        let (dev, up) = (dev.clone(), Upload { url: up.url.clone() });
        async move {
            for _ in 0..tries {
                if offset(&dev, &up).await == want {
                    return true;
                }
                tokio::task::yield_now().await;
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            false
        }
    };

    let third = jpeg.len() / 3;
    cut(0, third, None).await;
    assert!(
        settled(third as u64, 1000).await,
        "the bytes before the drop are kept: offset {}",
        offset(&dev, &up).await
    );

    // With a checksum, a cut chunk leaves nothing behind.
    cut(third, third, Some(sha256_b64(&jpeg[third..]))).await;
    assert!(!settled(2 * third as u64, 200).await);
    assert_eq!(offset(&dev, &up).await, third as u64);

    // The rest completes the photo, byte for byte.
    let r = patch(&dev, &up, third, &jpeg[third..], None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset(&dev, &up).await, jpeg.len() as u64);
}

/// A creation carrying the first chunk (tus creation-with-upload).
async fn create_with_data(
    s: &TestServer,
    dev: &reqwest::Client,
    report_id: &str,
    photo_id: &str,
    bytes: &[u8],
    chunk: &[u8],
    checksum: Option<String>,
) -> reqwest::Response {
    let mut req = creation(s, dev, report_id, photo_id, bytes)
        .header("idempotency-key", photo_id)
        .header("content-type", "application/offset+octet-stream")
        .body(chunk.to_vec());
    if let Some(c) = checksum {
        req = req.header("upload-checksum", c);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_creation_may_carry_the_first_chunk_or_the_whole_photo() {
    let s = start().await;
    let dev = device(&s).await;
    let options = dev.request(reqwest::Method::OPTIONS, format!("{}/api/v1/uploads", s.base)).send().await.unwrap();
    assert!(options.headers()["tus-extension"].to_str().unwrap().split(',').any(|e| e == "creation-with-upload"));
    let jpeg = test_jpeg();
    let half = jpeg.len() / 2;

    // The first half with the creation: the answer says how much arrived.
    let (rid, pid) = (new_id(), new_id());
    let r = dev.put(format!("{}/api/v1/reports/{rid}", s.base)).json(&report(&[(&pid, &jpeg)])).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created = create_with_data(&s, &dev, &rid, &pid, &jpeg, &jpeg[..half], None).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["upload-offset"].to_str().unwrap(), half.to_string());
    let up = Upload { url: format!("{}{}", s.base, created.headers()["location"].to_str().unwrap()) };
    assert_eq!(offset(&dev, &up).await, half as u64);
    // A replayed creation (its answer lost) leaves the bytes alone, even
    // with a body, and says where the upload stands: no HEAD needed.
    let replay = create_with_data(&s, &dev, &rid, &pid, &jpeg, &jpeg[..half], None).await;
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(format!("{}{}", s.base, replay.headers()["location"].to_str().unwrap()), up.url);
    assert_eq!(replay.headers()["upload-offset"].to_str().unwrap(), half.to_string());
    let plain = create_upload(&s, &dev, &rid, &pid, &jpeg, Some(&pid)).await;
    assert_eq!(plain.headers()["upload-offset"].to_str().unwrap(), half.to_string());
    let r = patch(&dev, &up, half, &jpeg[half..], None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let status: Value = dev.get(format!("{}/api/v1/reports/{rid}", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["photos_received"], 1);

    // A whole photo in one request: created and attached at once.
    let (rid, pid) = (new_id(), new_id());
    let r = dev.put(format!("{}/api/v1/reports/{rid}", s.base)).json(&report(&[(&pid, &jpeg)])).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created = create_with_data(&s, &dev, &rid, &pid, &jpeg, &jpeg, Some(sha256_b64(&jpeg))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["upload-offset"].to_str().unwrap(), jpeg.len().to_string());
    let status: Value = dev.get(format!("{}/api/v1/reports/{rid}", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["photos_received"], 1);

    // A damaged first chunk with a checksum: 460, the upload exists and is
    // empty; more than the photo's length: 413. Never a 500.
    let (rid, pid) = (new_id(), new_id());
    let r = dev.put(format!("{}/api/v1/reports/{rid}", s.base)).json(&report(&[(&pid, &jpeg)])).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let mut flipped = jpeg[..half].to_vec();
    flipped[7] ^= 0xFF;
    let r = create_with_data(&s, &dev, &rid, &pid, &jpeg, &flipped, Some(sha256_b64(&jpeg[..half]))).await;
    assert_eq!(r.status().as_u16(), 460);
    let plain = create_upload(&s, &dev, &rid, &pid, &jpeg, Some(&pid)).await;
    assert_eq!(plain.status(), StatusCode::CREATED);
    assert_eq!(plain.headers()["upload-offset"].to_str().unwrap(), "0");
    let mut longer = jpeg.clone();
    longer.extend_from_slice(b"more");
    let r = create_with_data(&s, &dev, &rid, &pid, &jpeg, &longer, None).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let plain = create_upload(&s, &dev, &rid, &pid, &jpeg, Some(&pid)).await;
    assert_eq!(plain.headers()["upload-offset"].to_str().unwrap(), "0");
}

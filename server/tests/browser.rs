//! The staff dashboard in real headless Chromium, driven over WebDriver
//! (chromedriver): sign in, open a report, set it in progress with a reply;
//! the reporter's changes feed then shows both. A screenshot is saved in
//! the test's output directory.
//!
//! Needs Debian's `chromium` and `chromium-driver` (.ci/run installs them).

#![allow(clippy::unwrap_used)]

mod common;

use common::webdriver::Driver;
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn staff_sign_in_and_reply_in_chromium() {
    let s = start().await;
    let dev = device(&s).await;
    let created = put_report(&s, &dev, &report(&[])).await;
    let code = created["tracking_code"].as_str().unwrap().to_owned();

    let profile = tempfile::TempDir::new().unwrap();
    let d = Driver::start(profile.path()).await;

    // Not signed in: the list sends us to the sign-in page.
    d.go(&format!("{}/staff/reports", s.base)).await;
    assert!(d.url().await.ends_with("/staff"), "{}", d.url().await);
    d.type_into("#name", "canbo").await;
    d.type_into("#password", "mat-khau-du-dai").await;
    d.click("#sign-in").await;
    d.wait_for_url("/staff/reports").await;
    let list = d.source().await;
    assert!(list.contains(&code), "the new report is listed");

    d.click("a.report").await;
    d.wait_for_text("Ổ gà lớn giữa đường liên xã").await;
    d.click("#new-status option[value=in_progress]").await;
    d.type_into("#reply", "Đã cử tổ công tác xuống kiểm tra.").await;
    d.click("#save-status").await;
    // The reply shows in the history once the form's redirect has landed.
    let page = d.wait_for_text("<div class=\"reply text\">Đã cử tổ công tác xuống kiểm tra.</div>").await;
    assert!(page.contains("Đang xử lý"));

    let shot = d.call("GET", "/screenshot", json!(null)).await;
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, shot.as_str().unwrap()).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("staff-dashboard.png");
    std::fs::write(&out, png).unwrap();
    eprintln!("screenshot: {}", out.display());

    // The reporter's next pull sees the status and the reply.
    let feed: Value = dev.get(format!("{}/api/v1/reports/changes", s.base)).send().await.unwrap().json().await.unwrap();
    let last = feed["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "in_progress");
    assert_eq!(last["reply"], "Đã cử tổ công tác xuống kiểm tra.");

    // A forged form without the session's CSRF token is refused.
    let cookie_less = common::client()
        .post(format!("{}/staff/reports/{code}/status", s.base))
        .form(&[("csrf", "forged"), ("status", "resolved")])
        .send()
        .await
        .unwrap();
    assert_eq!(cookie_less.status(), 401);

    d.click("#sign-out").await;
    d.wait_for_url("/staff").await;
    d.go(&format!("{}/staff/reports", s.base)).await;
    assert!(d.url().await.ends_with("/staff"), "signed out");
    d.call("DELETE", "", json!(null)).await;
}

/// The government's half in the browser, on the demo district: the
/// coordinator assigns a new report to Tràng Sơn; the commune's officer
/// finds it in the unit's queue, replies and resolves; the reporter's feed
/// shows unit, reply and status; a report past its deadline shows in the
/// coordinator's overdue queue once the injected clock passes it.
/// Screenshots of each screen are saved in the test's output directory.
#[tokio::test]
async fn coordinator_assigns_officer_resolves_overdue_shows_in_chromium() {
    use phananh_server::storage::Role;
    const TUESDAY_8AM: i64 = 1_796_086_800_000; // 2026-12-01 08:00 in Vietnam
    let clock = std::sync::Arc::new(phananh_protocol::ManualClock::new(TUESDAY_8AM));
    let accounts = [("dieuphoi", Role::Coordinator, None), ("ts", Role::Officer, Some("TRANG_SON"))];
    let s = start_district(&accounts, clock.clone()).await;
    let dev = device(&s).await;
    let body = json!({
        "category": "khac",
        "description": "Cống thoát nước trước chợ bị tắc, nước tràn ra đường",
        "lat": 18.82, "lon": 105.355,
        "reporter": {"name": "Lê Thị Hoa", "phone": "0912345678", "anonymous": false},
    });
    let created = put_report(&s, &dev, &body).await;
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).to_owned();
    let profile = tempfile::TempDir::new().unwrap();
    let d = Driver::start(profile.path()).await;
    let shot = |name: &'static str| {
        let d = &d;
        let path = shots.join(name);
        async move {
            let png = d.call("GET", "/screenshot", json!(null)).await;
            let png =
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, png.as_str().unwrap()).unwrap();
            std::fs::write(&path, png).unwrap();
            eprintln!("screenshot: {}", path.display());
        }
    };
    let sign_in = |name: &'static str| {
        let d = &d;
        let base = s.base.clone();
        async move {
            d.go(&format!("{base}/staff")).await;
            d.type_into("#name", name).await;
            d.type_into("#password", "mat-khau-du-dai").await;
            d.click("#sign-in").await;
            d.wait_for_url("/staff/reports").await;
        }
    };

    // The coordinator: the new report waits in the district's queue.
    sign_in("dieuphoi").await;
    d.go(&format!("{}/staff/reports?queue=new", s.base)).await;
    let queue = d.wait_for_text(&code).await;
    assert!(queue.contains("UBND huyện Đô Lương"), "no rule for 'khac': the coordinator's");
    shot("coordinator-new-queue.png").await;
    d.go(&format!("{}/staff/reports/{code}", s.base)).await;
    d.click("#assign-unit option[value=TRANG_SON]").await;
    d.click("#assign").await;
    d.wait_for_text("<dd id=\"unit\">UBND xã Tràng Sơn</dd>").await;
    shot("coordinator-assigned.png").await;
    d.click("#sign-out").await;
    d.wait_for_url("/staff").await;

    // The commune's officer: it is in the unit's new queue; reply, resolve.
    sign_in("ts").await;
    d.go(&format!("{}/staff/reports?queue=new", s.base)).await;
    d.wait_for_text(&code).await;
    shot("officer-queue.png").await;
    d.click("a.report").await;
    d.wait_for_text("Cống thoát nước trước chợ").await;
    // A reply template (no JavaScript: used when nothing is typed).
    d.click("#new-status option[value=in_progress]").await;
    d.click("#template option:nth-child(2)").await;
    d.click("#save-status").await;
    d.wait_for_text("<div class=\"reply text\">Đã tiếp nhận, đơn vị đang kiểm tra hiện trường.</div>").await;
    d.click("#new-status option[value=resolved]").await;
    d.type_into("#reply", "Tổ vệ sinh đã thông cống chiều nay.").await;
    // A photo of the fix, as the phone's camera would give the page a file.
    let fix = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/photos/real/DSCN0010.jpg");
    d.type_into("#fix-photo", &fix.canonicalize().unwrap().to_string_lossy()).await;
    d.click("#save-status").await;
    d.wait_for_text("<div class=\"reply text\">Tổ vệ sinh đã thông cống chiều nay.</div>").await;
    shot("officer-resolved.png").await;

    // The reporter's feed: the unit, the reply, the status.
    let feed: Value = dev.get(format!("{}/api/v1/reports/changes", s.base)).send().await.unwrap().json().await.unwrap();
    let last = feed["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "resolved");
    assert_eq!(last["reply"], "Tổ vệ sinh đã thông cống chiều nay.");
    assert_eq!(last["unit"]["name"], "UBND xã Tràng Sơn");
    // The photo of the fix: on the staff page and the public page, without its metadata.
    assert!(d.source().await.contains(&format!("/r/{code}/fix/0")));
    let public = common::client().get(format!("{}/r/{code}", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(public.contains(&format!("/r/{code}/fix/0")) && public.contains("Ảnh sau khi xử lý"), "{public}");
    let served =
        common::client().get(format!("{}/r/{code}/fix/0", s.base)).send().await.unwrap().bytes().await.unwrap();
    let original = std::fs::read(&fix).unwrap();
    assert_eq!(served.as_ref(), phananh_protocol::jpeg::strip_metadata(&original, None).unwrap().as_ref());
    d.click("#sign-out").await;
    d.wait_for_url("/staff").await;

    // Another report, never taken up: overdue once the clock passes its deadline.
    let late = put_report(
        &s,
        &dev,
        &json!({
            "category": "den_duong",
            "description": "Đèn đường trước trạm y tế xã tắt từ tuần trước",
            "lat": 18.82, "lon": 105.355,
        }),
    )
    .await;
    let late = late["tracking_code"].as_str().unwrap().to_owned();
    clock.set(TUESDAY_8AM + 8 * 24 * 3_600_000);
    sign_in("dieuphoi").await;
    d.go(&format!("{}/staff/reports?queue=overdue", s.base)).await;
    let overdue = d.wait_for_text(&late).await;
    assert!(overdue.contains("badge late") && !overdue.contains(&code), "only the open one is late, marked so");
    shot("coordinator-overdue.png").await;
    // Ticked in the list and given to another unit with the form below it.
    d.click(&format!("input[name=code][value={late}]")).await;
    d.click("#assign-many select[name=unit] option[value=KTHT]").await;
    d.type_into("#assign-many input[name=note]", "Đèn trên quốc lộ, giao phòng KT-HT").await;
    d.click("#assign-many button").await;
    d.wait_for_text("Đã giao 1 phản ánh.").await;
    shot("coordinator-assigned-many.png").await;
    let moved: Value = staff_as(&s, "dieuphoi")
        .await
        .get(format!("{}/api/v1/staff/reports/{late}", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["unit"], "KTHT");
    // The reporter's phone: its last digits, then whole on request (audited).
    d.go(&format!("{}/staff/reports/{code}", s.base)).await;
    let page = d.wait_for_text("••••••••678").await;
    assert!(!page.contains("912345678"));
    d.click("#reveal-phone button").await;
    d.wait_for_text("+84912345678").await;
    let viewed: i64 = s
        .sql()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'view_phone' AND subject = ?1", [&code], |r| r.get(0))
        .unwrap();
    assert_eq!(viewed, 1);
    d.call("DELETE", "", json!(null)).await;
}

/// The resident's word in the browser: a neighbour follows ("I see it too"),
/// the reporter rates the answer and reopens it; the coordinator's list is
/// sorted by followers, the staff page shows the rating with its comment
/// and the reopen, the public page the score and the follower count alone.
#[tokio::test]
async fn ratings_reopens_and_followers_show_to_staff_and_public_in_chromium() {
    let s = start().await;
    let (reporter, neighbour) = (device(&s).await, device(&s).await);
    let id = new_id();
    let body = report(&[]);
    let created: Value =
        reporter.put(format!("{}/api/v1/reports/{id}", s.base)).json(&body).send().await.unwrap().json().await.unwrap();
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let staff = staff_client(&s).await;
    let put = |c: &reqwest::Client, url: String, body: Value| {
        let c = c.clone();
        async move { c.put(url).json(&body).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(put(&neighbour, format!("{}/api/v1/follows/{code}", s.base), json!({"me_too": true})).await, 200);
    let r = staff
        .post(format!("{}/api/v1/staff/reports/{code}/status", s.base))
        .json(&json!({"status": "resolved", "reply": "Đã vá xong."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rating = json!({"score": "not_satisfied", "comment": "Vá ẩu, đã vỡ lại"});
    assert_eq!(put(&reporter, format!("{}/api/v1/reports/{id}/rating/{}", s.base, new_id()), rating).await, 200);
    let reopen = json!({"reason": "Ổ gà lại vỡ sau trận mưa"});
    assert_eq!(put(&reporter, format!("{}/api/v1/reports/{id}/reopen/{}", s.base, new_id()), reopen).await, 200);

    let profile = tempfile::TempDir::new().unwrap();
    let d = Driver::start(profile.path()).await;
    d.go(&format!("{}/staff", s.base)).await;
    d.type_into("#name", "canbo").await;
    d.type_into("#password", "mat-khau-du-dai").await;
    d.click("#sign-in").await;
    d.wait_for_url("/staff/reports").await;
    d.go(&format!("{}/staff/reports?sort=followers", s.base)).await;
    let list = d.wait_for_text(&code).await;
    assert!(list.contains(r#"<td data-label="Quan tâm">1</td>"#), "the follower count in the list");
    d.go(&format!("{}/staff/reports/{code}", s.base)).await;
    let page = d.wait_for_text("Không hài lòng").await;
    assert!(page.contains(r#"<dd id="rating">Không hài lòng: Vá ẩu, đã vỡ lại</dd>"#), "staff read the comment");
    assert!(page.contains("1 người quan tâm, 1 người cũng thấy"));
    assert!(page.contains("Ổ gà lại vỡ sau trận mưa") && page.contains("Đã mở lại"));
    let shot = d.call("GET", "/screenshot", json!(null)).await;
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, shot.as_str().unwrap()).unwrap();
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("staff-rating-reopen.png");
    std::fs::write(&out, png).unwrap();
    eprintln!("screenshot: {}", out.display());
    // The public page: the score and the count, never the comment or who.
    d.go(&format!("{}/r/{code}", s.base)).await;
    let public = d.wait_for_text("người dân cùng quan tâm").await;
    assert!(public.contains(r#"<span id="rating">Không hài lòng</span>"#));
    assert!(!public.contains("Vá ẩu"), "the comment is staff's");
    d.call("DELETE", "", json!(null)).await;
}

//! The permission matrix: every role × every staff route, HTML and JSON,
//! on a report of Tràng Sơn's. Each call gets a report of its own, so no
//! call's effect (a hand-back, a transfer) changes what the next may do.
//!
//! Roles: the coordinator (C), Tràng Sơn's officer (O), Bài Sơn's officer
//! asking for Tràng Sơn's report (X), a leader (L), an admin (A). A report
//! the account may not see is 404; one it sees but may not change, 403.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::*;
use phananh_protocol::ManualClock;
use phananh_server::storage::Role;
use serde_json::{Value, json};

/// Tuesday 1 December 2026, 08:00 in Vietnam.
const TUESDAY_8AM: i64 = 1_796_086_800_000;
const TRANG_SON: (f64, f64) = (18.82, 105.355);

const ROLES: [&str; 5] = ["dieuphoi", "ts", "bs", "lanhdao", "quantri"];

/// A signed-in account: bearer for JSON, the session's CSRF token for the
/// forms, redirects not followed (a form's success is its 303).
struct Account {
    http: reqwest::Client,
    csrf: String,
}

async fn sign_in(s: &TestServer, name: &str) -> Account {
    let session: Value = client()
        .post(format!("{}/api/v1/staff/login", s.base))
        .json(&json!({"name": name, "password": "mat-khau-du-dai"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    let bearer = format!("Bearer {}", session["token"].as_str().unwrap());
    headers.insert("authorization", bearer.parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Account { http, csrf: session["csrf"].as_str().unwrap().to_owned() }
}

/// A new report of Tràng Sơn's (a street light there goes to the commune),
/// from a phone of its own (a phone may send 30 a minute).
async fn fresh(s: &TestServer) -> String {
    let dev = device(s).await;
    let body = json!({
        "category": "den_duong",
        "description": "Đèn đường trước nhà văn hoá xóm 3 không sáng",
        "lat": TRANG_SON.0, "lon": TRANG_SON.1,
        "reporter": {"name": "Trần Thị Bình", "phone": "0987654321", "anonymous": false},
    });
    put_report(s, &dev, &body).await["tracking_code"].as_str().unwrap().to_owned()
}

/// A call on one report; the extension id for a decision is filled in.
enum Call {
    Get(&'static str),
    Json(&'static str, Value),
    Form(&'static str, Vec<(&'static str, &'static str)>),
}

#[tokio::test]
async fn every_role_on_every_staff_route() {
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let accounts = [
        ("dieuphoi", Role::Coordinator, None),
        ("ts", Role::Officer, Some("TRANG_SON")),
        ("bs", Role::Officer, Some("BAI_SON")),
        ("lanhdao", Role::Leader, None),
        ("quantri", Role::Admin, None),
    ];
    let s = start_district(&accounts, clock).await;
    let mut who = Vec::new();
    for name in ROLES {
        who.push(sign_in(&s, name).await);
    }
    let original = fresh(&s).await;
    let dup = Box::leak(format!("{{\"of\":\"{original}\"}}").into_boxed_str());
    let dup_form = Box::leak(original.clone().into_boxed_str());

    use Call::*;
    // (route, call, expected for C, O, X, L, A).
    let table: Vec<(&str, Call, [u16; 5])> = vec![
        ("show", Get("/api/v1/staff/reports/{code}"), [200, 200, 404, 200, 200]),
        ("phone", Json("/api/v1/staff/reports/{code}/phone", json!({})), [200, 200, 404, 200, 200]),
        (
            "status",
            Json("/api/v1/staff/reports/{code}/status", json!({"status": "in_progress"})),
            [200, 200, 404, 403, 403],
        ),
        (
            "duplicate",
            Json("/api/v1/staff/reports/{code}/duplicate", serde_json::from_str(dup).unwrap()),
            [200, 200, 404, 403, 403],
        ),
        (
            "assign",
            Json("/api/v1/staff/reports/{code}/assign", json!({"unit": "BAI_SON", "note": "Thuộc Bài Sơn"})),
            [200, 403, 404, 403, 403],
        ),
        (
            "hand-back",
            Json("/api/v1/staff/reports/{code}/hand-back", json!({"reason": "Không thuộc xã"})),
            [200, 200, 404, 403, 403],
        ),
        (
            "note",
            Json("/api/v1/staff/reports/{code}/note", json!({"text": "Đã gọi điện cho trưởng thôn"})),
            [200, 200, 404, 403, 403],
        ),
        (
            "priority",
            Json("/api/v1/staff/reports/{code}/priority", json!({"priority": "urgent"})),
            [200, 403, 404, 403, 403],
        ),
        (
            "extension",
            Json("/api/v1/staff/reports/{code}/extension", json!({"days": 2, "reason": "Chờ vật tư"})),
            [200, 200, 404, 403, 403],
        ),
        (
            "decide",
            Json("/api/v1/staff/reports/{code}/extension/decide", json!({"approve": true})),
            [200, 403, 404, 403, 403],
        ),
        ("page", Get("/staff/reports/{code}"), [200, 200, 404, 200, 200]),
        ("page phone", Form("/staff/reports/{code}/phone", vec![]), [200, 200, 404, 200, 200]),
        (
            "page status",
            Form("/staff/reports/{code}/status", vec![("status", "in_progress")]),
            [303, 303, 404, 403, 403],
        ),
        ("page duplicate", Form("/staff/reports/{code}/duplicate", vec![("of", dup_form)]), [303, 303, 404, 403, 403]),
        (
            "page assign",
            Form("/staff/reports/{code}/action", vec![("action", "assign"), ("unit", "BAI_SON"), ("text", "x")]),
            [303, 403, 404, 403, 403],
        ),
        (
            "page hand back",
            Form("/staff/reports/{code}/action", vec![("action", "hand_back"), ("text", "Không thuộc xã")]),
            [303, 303, 404, 403, 403],
        ),
        (
            "page note",
            Form("/staff/reports/{code}/action", vec![("action", "note"), ("text", "Ghi chú")]),
            [303, 303, 404, 403, 403],
        ),
        (
            "page priority",
            Form("/staff/reports/{code}/action", vec![("action", "priority"), ("priority", "urgent")]),
            [303, 403, 404, 403, 403],
        ),
        (
            "page extension",
            Form("/staff/reports/{code}/action", vec![("action", "extension"), ("days", "2"), ("text", "Chờ vật tư")]),
            [303, 303, 404, 403, 403],
        ),
        (
            "page decide",
            Form("/staff/reports/{code}/action", vec![("action", "decide"), ("approve", "yes")]),
            [303, 403, 404, 403, 403],
        ),
    ];
    let officer = &who[1];
    let mut failures = Vec::new();
    for (name, call, expected) in &table {
        for (i, account) in who.iter().enumerate() {
            let code = fresh(&s).await;
            // A decision needs a request to decide on: the officer asks first.
            let mut extension_id = None;
            if name.ends_with("decide") {
                let url = format!("{}/api/v1/staff/reports/{code}/extension", s.base);
                let asked: Value = officer
                    .http
                    .post(url)
                    .json(&json!({"days": 1, "reason": "Chờ vật tư"}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                extension_id = asked["extensions"][0]["id"].as_i64();
            }
            let id = extension_id.unwrap_or(0).to_string();
            let url = |path: &str| format!("{}{}", s.base, path.replace("{code}", &code));
            let got = match call {
                Get(path) => account.http.get(url(path)).send().await.unwrap().status().as_u16(),
                Json(path, body) => {
                    let mut body = body.clone();
                    if let Some(id) = extension_id {
                        body["id"] = json!(id);
                    }
                    account.http.post(url(path)).json(&body).send().await.unwrap().status().as_u16()
                }
                Form(path, fields) => {
                    let mut fields: Vec<(&str, &str)> = fields.clone();
                    fields.push(("csrf", &account.csrf));
                    if extension_id.is_some() {
                        fields.push(("id", &id));
                    }
                    account.http.post(url(path)).form(&fields).send().await.unwrap().status().as_u16()
                }
            };
            if got != expected[i] {
                failures.push(format!("{} on {name}: {got}, expected {}", ROLES[i], expected[i]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Routes not about one report.
    let lists: [(&str, [u16; 5]); 8] = [
        ("/api/v1/staff/stats", [200; 5]),
        ("/staff/stats", [200; 5]),
        ("/api/v1/staff/reports", [200; 5]),
        ("/api/v1/staff/units", [200; 5]),
        ("/api/v1/staff/audit", [200, 403, 403, 403, 200]),
        ("/api/v1/staff/accounts", [403, 403, 403, 403, 200]),
        ("/staff/reports", [200; 5]),
        ("/staff/admin", [403, 403, 403, 403, 200]),
    ];
    for (path, expected) in lists {
        for (i, account) in who.iter().enumerate() {
            let got = account.http.get(format!("{}{path}", s.base)).send().await.unwrap().status().as_u16();
            assert_eq!(got, expected[i], "{} on {path}", ROLES[i]);
        }
    }
    // Several at once: each report is judged as if assigned alone.
    for (i, account) in who.iter().enumerate() {
        let code = fresh(&s).await;
        let answer: Value = account
            .http
            .post(format!("{}/api/v1/staff/assign", s.base))
            .json(&json!({"codes": [code], "unit": "BAI_SON", "note": "x"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer[0]["ok"], i == 0, "{} assigns many: {answer}", ROLES[i]);
        let code = fresh(&s).await;
        let page = account
            .http
            .post(format!("{}/staff/assign", s.base))
            .form(&[("csrf", account.csrf.as_str()), ("unit", "BAI_SON"), ("note", "x"), ("code", &code)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let done = if i == 0 { "Đã giao 1 phản ánh." } else { "Đã giao 0 phản ánh." };
        assert!(page.contains(done), "{} assigns many on the page", ROLES[i]);
    }
    // Accounts: only the admin adds, changes or disables them.
    for (i, account) in who.iter().enumerate() {
        let expected = if i == 4 { 204 } else { 403 };
        let body = json!({"name": format!("moi{i}"), "role": "leader", "password": "mat-khau-moi-1"});
        let url = format!("{}/api/v1/staff/accounts", s.base);
        assert_eq!(account.http.post(url).json(&body).send().await.unwrap().status(), expected, "{}", ROLES[i]);
        let url = format!("{}/api/v1/staff/accounts/ts/disable", s.base);
        let got = account.http.post(url).send().await.unwrap().status().as_u16();
        assert_eq!(got, if i == 4 { 204 } else { 403 }, "{} disables", ROLES[i]);
        let form = [("csrf", account.csrf.as_str()), ("name", "bs")];
        let got = account.http.post(format!("{}/staff/admin/disable", s.base)).form(&form).send().await.unwrap();
        assert_eq!(got.status().as_u16(), if i == 4 { 200 } else { 403 }, "{} disables on the page", ROLES[i]);
        if i < 4 {
            let form = [("csrf", account.csrf.as_str()), ("name", "x1"), ("role", "leader"), ("password", "12345678")];
            let got = account.http.post(format!("{}/staff/admin/accounts", s.base)).form(&form).send().await.unwrap();
            assert_eq!(got.status(), 403, "{} adds on the page", ROLES[i]);
        }
    }
}

//! The government's half over HTTP, on the demo district: routing at
//! intake, roles and who sees what, the workflow, deadlines on the injected
//! clock, and what the resident is (and is never) told.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::*;
use phananh_protocol::ManualClock;
use phananh_server::storage::Role;
use serde_json::{Value, json};

/// Tuesday 1 December 2026, 08:00 in Vietnam (01:00 UTC).
const TUESDAY_8AM: i64 = 1_796_086_800_000;
const HOUR: i64 = 3_600_000;

/// A point inside Tràng Sơn's demo cell, one inside Bài Sơn's.
const TRANG_SON: (f64, f64) = (18.82, 105.355);
const BAI_SON: (f64, f64) = (19.04, 105.16);

fn at(category: &str, (lat, lon): (f64, f64)) -> Value {
    json!({
        "category": category,
        "description": "Sự việc cần xử lý ở thôn, đã lâu chưa ai sửa",
        "lat": lat, "lon": lon,
        "reporter": {"name": "Nguyễn Văn An", "phone": "0912345678", "anonymous": false},
    })
}

async fn district(clock: Arc<ManualClock>) -> TestServer {
    let accounts = [
        ("dieuphoi", Role::Coordinator, None),
        ("ts", Role::Officer, Some("TRANG_SON")),
        ("bs", Role::Officer, Some("BAI_SON")),
        ("ktht", Role::Officer, Some("KTHT")),
        ("lanhdao", Role::Leader, None),
        ("quantri", Role::Admin, None),
    ];
    start_district(&accounts, clock).await
}

async fn get(c: &reqwest::Client, url: String) -> (u16, Value) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn post(c: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
    let r = c.post(url).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn reports_reach_their_unit_and_each_role_sees_what_it_should() {
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let s = district(clock.clone()).await;
    let dev = device(&s).await;
    let light = put_report(&s, &dev, &at("den_duong", TRANG_SON)).await;
    let road = put_report(&s, &dev, &at("quoc_lo", BAI_SON)).await;
    let other = put_report(&s, &dev, &at("khac", BAI_SON)).await;
    let flood = put_report(&s, &dev, &at("ngap_ung", (18.99, 105.40))).await; // a commune with no officer
    let code = |v: &Value| v["tracking_code"].as_str().unwrap().to_owned();
    let (light, road, other, flood) = (code(&light), code(&road), code(&other), code(&flood));

    let coordinator = staff_as(&s, "dieuphoi").await;
    let unit_of = |v: &Value| v["unit"].as_str().unwrap_or_default().to_owned();
    let r = |c: &str| format!("{}/api/v1/staff/reports/{c}", s.base);
    assert_eq!(unit_of(&get(&coordinator, r(&light)).await.1), "TRANG_SON");
    assert_eq!(unit_of(&get(&coordinator, r(&road)).await.1), "KTHT");
    assert_eq!(unit_of(&get(&coordinator, r(&other)).await.1), "DL");
    let flooded = get(&coordinator, r(&flood)).await.1;
    assert_eq!(unit_of(&flooded), "DL", "a unit without an officer leaves it with the coordinator");
    assert!(flooded["events"][0]["detail"].as_str().unwrap().contains("has no officer"), "{flooded}");

    // Deadlines: 8 working hours to acknowledge (7 of them on Tuesday from
    // 08:00, the last on Wednesday from 07:00: 08:00 VN = 01:00 UTC), 5
    // working days to resolve (next Tuesday 08:00 VN).
    let light_view = get(&coordinator, r(&light)).await.1;
    assert_eq!(light_view["ack_due_at"], "2026-12-02T01:00:00Z");
    assert_eq!(light_view["due_at"], "2026-12-08T01:00:00Z");

    // The permission matrix over the routes: (who, report, expected status) for reading.
    let ts = staff_as(&s, "ts").await;
    let leader = staff_as(&s, "lanhdao").await;
    let admin = staff_as(&s, "quantri").await;
    for (client, code, expected) in [
        (&ts, &light, 200),
        (&ts, &road, 404),
        (&ts, &other, 404),
        (&leader, &road, 200),
        (&admin, &other, 200),
        (&coordinator, &flood, 200),
    ] {
        assert_eq!(get(client, r(code)).await.0, expected, "{code}");
    }
    // The officer's list is its unit's; the HTML page of another unit's report is 404 too.
    let (_, mine) = get(&ts, format!("{}/api/v1/staff/reports", s.base)).await;
    let codes: Vec<&str> = mine.as_array().unwrap().iter().map(|r| r["tracking_code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec![light.as_str()]);
    assert_eq!(ts.get(format!("{}/staff/reports/{road}", s.base)).send().await.unwrap().status(), 404);
    assert_eq!(ts.get(format!("{}/staff/reports/{light}", s.base)).send().await.unwrap().status(), 200);

    // Acting: (who, route, body, expected).
    let status = |code: &str| format!("{}/status", r(code));
    let assign = |code: &str| format!("{}/assign", r(code));
    let cases: Vec<(&reqwest::Client, String, Value, u16)> = vec![
        (&leader, status(&light), json!({"status": "in_progress"}), 403),
        (&admin, status(&light), json!({"status": "in_progress"}), 403),
        (&ts, status(&road), json!({"status": "in_progress"}), 404),
        (&ts, assign(&light), json!({"unit": "BAI_SON", "note": "x"}), 403),
        (&leader, assign(&other), json!({"unit": "BAI_SON"}), 403),
        (&coordinator, assign(&other), json!({"unit": "NOPE"}), 422),
        (&ts, status(&light), json!({"status": "resolved"}), 422),
        (&ts, status(&light), json!({"status": "rejected", "reply": "x"}), 422),
        (&ts, status(&light), json!({"status": "assigned"}), 422),
        (&ts, status(&light), json!({"status": "in_progress"}), 200),
        (&coordinator, assign(&other), json!({"unit": "BAI_SON"}), 200),
        (&coordinator, assign(&other), json!({"unit": "TRANG_SON"}), 422),
        (&coordinator, assign(&other), json!({"unit": "TRANG_SON", "note": "Thuộc địa bàn Tràng Sơn"}), 200),
    ];
    for (client, url, body, expected) in cases {
        let (got, answer) = post(client, url.clone(), body.clone()).await;
        assert_eq!(got, expected, "{url} {body}: {answer}");
    }
    let transferred = get(&coordinator, r(&other)).await.1;
    assert_eq!(unit_of(&transferred), "TRANG_SON");
    let actions: Vec<&str> =
        transferred["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["routed", "assigned", "assigned"]);
    assert_eq!(get(&ts, r(&other)).await.0, 200, "now the officer's");
    // The officer hands it back; it is gone from its view, back with the coordinator.
    assert_eq!(post(&ts, format!("{}/hand-back", r(&other)), json!({})).await.0, 422, "a reason is required");
    assert_eq!(post(&ts, format!("{}/hand-back", r(&other)), json!({"reason": "Không thuộc xã"})).await.0, 200);
    assert_eq!(get(&ts, r(&other)).await.0, 404);
    assert_eq!(unit_of(&get(&coordinator, r(&other)).await.1), "DL");
    // Phone numbers are hidden but their last digits; seeing one whole is
    // a step of its own, and audited.
    let hidden = get(&coordinator, r(&light)).await.1;
    assert_eq!(hidden["reporter_phone"], "••••••••678", "{hidden}");
    assert_eq!(hidden["phones_hidden"], true);
    let listed = get(&coordinator, format!("{}/api/v1/staff/reports", s.base)).await.1;
    assert!(!listed.to_string().contains("912345678"), "lists hide phones too");
    let shown = post(&coordinator, format!("{}/phone", r(&light)), json!({})).await.1;
    assert_eq!(shown["reporter_phone"], "+84912345678");
    // The audit trail has each of it, readable by the admin, not the officer.
    assert_eq!(get(&ts, format!("{}/api/v1/staff/audit", s.base)).await.0, 403);
    let (_, log) = get(&admin, format!("{}/api/v1/staff/audit?limit=100", s.base)).await;
    let logged: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in ["assign", "transfer", "hand_back", "status", "view_phone", "sign_in"] {
        assert!(logged.contains(&action), "{action} in {logged:?}");
    }
}

#[tokio::test]
async fn the_resident_sees_unit_deadline_and_replies_but_never_a_note() {
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let s = district(clock.clone()).await;
    let dev = device(&s).await;
    let created = put_report(&s, &dev, &at("den_duong", TRANG_SON)).await;
    assert_eq!(created["unit"]["code"], "TRANG_SON");
    assert_eq!(created["unit"]["name"], "UBND xã Tràng Sơn");
    assert_eq!(created["due_at"], "2026-12-08T01:00:00Z");
    assert_eq!(created["priority"], "normal");
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    let ts = staff_as(&s, "ts").await;
    let r = format!("{}/api/v1/staff/reports/{code}", s.base);
    const SECRET: &str = "GHI-CHU-NOI-BO: số nhà ông trưởng thôn";
    assert_eq!(post(&ts, format!("{r}/note"), json!({"text": SECRET})).await.0, 200);
    let (got, _) = post(&ts, format!("{r}/status"), json!({"status": "resolved", "reply": "Đã thay bóng đèn."})).await;
    assert_eq!(got, 200);

    // Everything a resident or the public can read.
    let english = reqwest::Client::builder()
        .default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert("accept-language", "en".parse().unwrap());
            h
        })
        .build()
        .unwrap();
    let mine = dev.get(format!("{}/api/v1/reports/{client_id}", s.base)).send().await.unwrap().text().await.unwrap();
    let feed = dev.get(format!("{}/api/v1/reports/changes", s.base)).send().await.unwrap().text().await.unwrap();
    let page = client().get(format!("{}/r/{code}", s.base)).send().await.unwrap().text().await.unwrap();
    let page_en = english.get(format!("{}/r/{code}?lang=en", s.base)).send().await.unwrap().text().await.unwrap();
    let o_json =
        client().get(format!("{}/open311/v2/requests.json", s.base)).send().await.unwrap().text().await.unwrap();
    let o_xml = client().get(format!("{}/open311/v2/requests.xml", s.base)).send().await.unwrap().text().await.unwrap();
    let o_one =
        client().get(format!("{}/open311/v2/requests/{code}.json", s.base)).send().await.unwrap().text().await.unwrap();
    for (what, text) in [
        ("app record", &mine),
        ("changes feed", &feed),
        ("public page", &page),
        ("public page (en)", &page_en),
        ("Open311 JSON", &o_json),
        ("Open311 XML", &o_xml),
        ("Open311 one", &o_one),
    ] {
        assert!(!text.contains("GHI-CHU-NOI-BO"), "an internal note reached the {what}");
        assert!(text.contains("Đã thay bóng đèn"), "the public reply is in the {what}");
    }
    assert!(page.contains("UBND xã Tràng Sơn"), "the public page names the unit");
    assert!(o_json.contains("\"agency_responsible\":\"UBND xã Tràng Sơn\""), "{o_json}");
    let feed: Value = serde_json::from_str(&feed).unwrap();
    assert!(feed["changes"].as_array().unwrap().iter().all(|c| c["unit"]["code"] == "TRANG_SON"));
    // The staff view has the note.
    assert!(get(&ts, r.clone()).await.1["notes"][0]["text"] == SECRET);
}

#[tokio::test]
async fn overdue_reports_appear_when_the_clock_passes_their_deadline() {
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let s = district(clock.clone()).await;
    let dev = device(&s).await;
    let created = put_report(&s, &dev, &at("den_duong", TRANG_SON)).await;
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    let coordinator = staff_as(&s, "dieuphoi").await;
    let queue = |q: &str| format!("{}/api/v1/staff/reports?queue={q}", s.base);
    let count = |v: Value| v.as_array().unwrap_or_else(|| panic!("{v}")).len();
    assert_eq!(count(get(&coordinator, queue("new")).await.1), 1);
    assert_eq!(count(get(&coordinator, queue("overdue")).await.1), 0);
    assert_eq!(count(get(&coordinator, queue("due_soon")).await.1), 0);
    // Monday 7 December, 09:00: due within one working day. (Sessions last
    // 12 hours: staff sign in again on the new day.)
    clock.set(TUESDAY_8AM + 6 * 24 * HOUR + HOUR);
    let coordinator = staff_as(&s, "dieuphoi").await;
    assert_eq!(count(get(&coordinator, queue("due_soon")).await.1), 1);
    // Past Tuesday 8 December, 08:00: overdue, for the coordinator and the unit.
    clock.set(TUESDAY_8AM + 7 * 24 * HOUR + HOUR);
    let coordinator = staff_as(&s, "dieuphoi").await;
    assert_eq!(count(get(&coordinator, queue("overdue")).await.1), 1);
    let ts = staff_as(&s, "ts").await;
    assert_eq!(count(get(&ts, queue("overdue")).await.1), 1);
    let html =
        coordinator.get(format!("{}/staff/reports?queue=overdue", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&code) && html.contains("Quá hạn"), "{html}");
    // An approved extension takes it out of the overdue queue.
    let r = format!("{}/api/v1/staff/reports/{code}", s.base);
    let (got, asked) = post(&ts, format!("{r}/extension"), json!({"days": 3, "reason": "Chờ bóng đèn"})).await;
    assert_eq!(got, 200, "{asked}");
    let id = asked["extensions"][0]["id"].as_i64().unwrap_or_else(|| panic!("{asked}"));
    assert_eq!(post(&ts, format!("{r}/extension/decide"), json!({"id": id, "approve": true})).await.0, 403);
    assert_eq!(post(&coordinator, format!("{r}/extension/decide"), json!({"id": id, "approve": true})).await.0, 200);
    assert_eq!(count(get(&coordinator, queue("overdue")).await.1), 0);
    let view = get(&coordinator, r).await.1;
    assert_eq!(view["due_at"], "2026-12-11T01:00:00Z", "three working days after the old deadline");
    // The staff page tells it in Vietnam time, never in RFC 3339.
    let page = coordinator.get(format!("{}/staff/reports/{code}", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đồng ý gia hạn (08:00 11/12/2026)"), "{page}");
    assert!(!page.contains("2026-12-11T01:00:00Z"), "no raw UTC for people");
}

#[tokio::test]
async fn the_dashboard_filters_by_commune_dates_and_words() {
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let s = district(clock.clone()).await;
    let dev = device(&s).await;
    let describe = |mut v: Value, text: &str| {
        v["description"] = json!(text);
        v
    };
    // A national-road pothole in Bài Sơn goes to KTHT, but it is in Bài Sơn.
    let road = put_report(&s, &dev, &describe(at("quoc_lo", BAI_SON), "Ổ gà lớn trên quốc lộ 7A gần chợ")).await;
    let light = put_report(&s, &dev, &describe(at("den_duong", TRANG_SON), "Đèn đường hỏng ở xóm Đông")).await;
    clock.advance(std::time::Duration::from_secs(3 * 86_400)); // Friday
    let later = put_report(&s, &dev, &describe(at("den_duong", BAI_SON), "Bóng đèn chập chờn cả tuần")).await;
    let code = |v: &Value| v["tracking_code"].as_str().unwrap().to_owned();
    let (road, light, later) = (code(&road), code(&light), code(&later));

    let coordinator = staff_as(&s, "dieuphoi").await;
    let codes = |query: &'static str| {
        let (c, base) = (coordinator.clone(), s.base.clone());
        async move {
            let (status, list) = get(&c, format!("{base}/api/v1/staff/reports?{query}")).await;
            assert_eq!(status, 200, "{query}: {list}");
            let mut out: Vec<String> =
                list.as_array().unwrap().iter().map(|r| r["tracking_code"].as_str().unwrap().to_owned()).collect();
            out.sort();
            out
        }
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(codes("commune=BAI_SON").await, sorted(vec![road.clone(), later.clone()]));
    assert_eq!(codes("commune=BAI_SON&unit=KTHT").await, vec![road.clone()]);
    assert_eq!(codes("commune=TRANG_SON").await, vec![light.clone()]);
    // Days in Vietnam time: Tuesday 1 and Friday 4 December.
    assert_eq!(codes("from=2026-12-04").await, vec![later.clone()]);
    assert_eq!(codes("to=2026-12-01").await, sorted(vec![road.clone(), light.clone()]));
    assert_eq!(codes("from=2026-12-02&to=2026-12-03").await, Vec::<String>::new());
    let (status, bad) = get(&coordinator, format!("{}/api/v1/staff/reports?from=04/12/2026", s.base)).await;
    assert_eq!((status, bad["code"].as_str()), (422, Some("bad_date")), "{bad}");
    // Words, accents optional, through the trigram index and (short words) without it.
    assert_eq!(codes("q=quoc%20lo").await, vec![road.clone()]);
    assert_eq!(codes("q=DEN%20duong").await, vec![light.clone()]);
    assert_eq!(codes("q=den").await, sorted(vec![light.clone(), later.clone()]));
    assert_eq!(codes("q=xom%20dong").await, vec![light.clone()]);
    // A short word matches at a word's start: "ga" is "gà", not inside "ngã".
    assert_eq!(codes("q=o%20ga").await, vec![road.clone()]);
    assert_eq!(codes("q=uoc").await, vec![road.clone()], "three letters match inside a word");
    assert_eq!(codes("q=uo").await, Vec::<String>::new(), "two do not");
    // One letter: a word's start ("ổ", "ở"), through the word index.
    assert_eq!(codes("q=o").await, sorted(vec![road.clone(), light.clone()]));
    // "v": no word here starts with it, and tracking codes (searchable too)
    // never hold it — a random code such as DL-Z9WBGH did start a word "z…".
    assert_eq!(codes("q=v").await, Vec::<String>::new());
    assert_eq!(codes("q=khong%20co%20dau").await, Vec::<String>::new());
    assert_eq!(codes(Box::leak(format!("q={}", later.to_lowercase()).into_boxed_str())).await, vec![later.clone()]);
    // A quote in the words is a character to look for, not FTS syntax.
    assert_eq!(codes("q=%22quoc").await, Vec::<String>::new());
    // The page offers the same filters, the communes among them.
    let page = coordinator
        .get(format!("{}/staff/reports?commune=TRANG_SON&from=2026-12-01", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&light) && !page.contains(&road), "the page filters by commune");
    assert!(page.contains(r#"<option value="TRANG_SON" selected>"#), "the chosen commune stays chosen");
    assert!(page.contains(r#"name="from" type="date" value="2026-12-01""#));
    let urgent = coordinator
        .get(format!("{}/staff/reports?priority=urgent", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!urgent.contains(&light) && urgent.contains(r#"<option value="urgent" selected>"#), "priority filter");
}

#[tokio::test]
async fn open311_takes_an_address_id_from_the_register() {
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let s = district(clock).await;
    let key = "khoa-thu-nghiem-open311".to_owned();
    let hash = phananh_server::auth::token_hash(&key);
    s.state.store.add_api_key("test".into(), hash).await.unwrap();
    let post = |fields: Vec<(&'static str, String)>| {
        let url = format!("{}/open311/v2/requests.json", s.base);
        async move {
            let r = client().post(url).form(&fields).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let base = |extra: (&'static str, &'static str)| {
        vec![
            ("api_key", key.clone()),
            ("service_code", "den_duong".to_owned()),
            ("description", "Đèn trước trụ sở xã không sáng".to_owned()),
            (extra.0, extra.1.to_owned()),
        ]
    };
    let (status, answer) = post(base(("address_id", "TS-UBND"))).await;
    assert_eq!(status, 201, "{answer}");
    let id = answer[0]["service_request_id"].as_str().unwrap().to_owned();
    let (_, got) = get(&client(), format!("{}/open311/v2/requests/{id}.json", s.base)).await;
    assert_eq!(got[0]["address"], "Trụ sở UBND xã Tràng Sơn");
    assert_eq!(got[0]["lat"], 18.82);
    assert_eq!(got[0]["agency_responsible"], "UBND xã Tràng Sơn", "routed by the register's point");
    let (status, answer) = post(base(("address_id", "NO-SUCH"))).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer[0]["description"], "unknown address_id");
}

#[tokio::test]
async fn an_admin_adds_changes_and_disables_accounts() {
    let clock = Arc::new(ManualClock::new(TUESDAY_8AM));
    let s = district(clock).await;
    let admin = staff_as(&s, "quantri").await;
    let accounts = format!("{}/api/v1/staff/accounts", s.base);
    let save = |body: Value| admin.post(&accounts).json(&body).send();
    // Refused with reasons: an officer without a unit, an unknown unit or role, a short password.
    for (body, code) in [
        (json!({"name": "canbo.moi", "role": "officer", "password": "mat-khau-du-dai"}), "unit_required"),
        (
            json!({"name": "canbo.moi", "role": "officer", "unit": "NOPE", "password": "mat-khau-du-dai"}),
            "unknown_unit",
        ),
        (json!({"name": "canbo.moi", "role": "king", "password": "mat-khau-du-dai"}), "bad_role"),
        (json!({"name": "canbo.moi", "role": "leader", "password": "ngan"}), "password_short"),
        (json!({"name": "có dấu cách", "role": "leader", "password": "mat-khau-du-dai"}), "bad_name"),
    ] {
        let r = save(body.clone()).await.unwrap();
        assert_eq!(r.status(), 422, "{body}");
        assert_eq!(r.json::<Value>().await.unwrap()["code"], code, "{body}");
    }
    let body = json!({"name": "canbo.moi", "role": "officer", "unit": "BAI_SON", "password": "mat-khau-du-dai"});
    assert_eq!(save(body).await.unwrap().status(), 204);
    let newcomer = staff_as(&s, "canbo.moi").await;
    let (status, mine) = get(&newcomer, format!("{}/api/v1/staff/reports", s.base)).await;
    assert_eq!((status, mine), (200, json!([])));
    let (_, list) = get(&admin, accounts.clone()).await;
    let entry = list.as_array().unwrap().iter().find(|a| a["name"] == "canbo.moi").unwrap().clone();
    assert_eq!((entry["role"].as_str(), entry["unit"].as_str()), (Some("officer"), Some("BAI_SON")));
    assert!(!list.to_string().contains("password"), "no hash leaves the server");

    // Disabled: its session ends at once and it cannot sign in again.
    let r = admin.post(format!("{accounts}/canbo.moi/disable")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(newcomer.get(format!("{}/api/v1/staff/reports", s.base)).send().await.unwrap().status(), 401);
    let login = client()
        .post(format!("{}/api/v1/staff/login", s.base))
        .json(&json!({"name": "canbo.moi", "password": "mat-khau-du-dai"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 401);
    let (_, list) = get(&admin, accounts.clone()).await;
    assert!(list.as_array().unwrap().iter().any(|a| a["name"] == "canbo.moi" && a["disabled_at"].is_i64()));
    // Not one's own; not an unknown one.
    let r = admin.post(format!("{accounts}/quantri/disable")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(admin.post(format!("{accounts}/khong-co/disable")).send().await.unwrap().status(), 404);
    // Saved again, it is back.
    let body = json!({"name": "canbo.moi", "role": "leader", "password": "mat-khau-du-dai"});
    assert_eq!(save(body).await.unwrap().status(), 204);
    staff_as(&s, "canbo.moi").await;
    // Each change is in the audit log, by the admin, without the password.
    let (_, log) = get(&admin, format!("{}/api/v1/staff/audit?limit=100", s.base)).await;
    let changes: Vec<String> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == "canbo.moi" && e["actor"] == "quantri")
        .map(|e| format!("{} {}", e["action"].as_str().unwrap(), e["detail"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(changes, ["account leader", "account_disabled ", "account officer BAI_SON"]);
    assert!(!log.to_string().contains("mat-khau"));
    // The page shows the accounts and the log.
    let page = admin.get(format!("{}/staff/admin", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("canbo.moi") && page.contains("account_disabled"));
}

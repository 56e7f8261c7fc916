//! The district at a glance, over HTTP against a real server: the public
//! figures and scoreboard counted from known reports (asserted numbers),
//! the cache giving way the moment a report changes, the charts' figures,
//! the XLSX read back with calamine and equal to the JSON, the CSV's
//! Vietnamese round-tripped, and the map's clusters for 10 000 reports.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use common::webdriver;
use common::*;
use phananh_protocol::ManualClock;
use phananh_server::storage::Role;
use serde_json::{Value, json};

/// 2026-11-30 10:00 in Vietnam.
const NOW: i64 = 1_796_007_600_000;
const H: i64 = 3_600_000;
const D: i64 = 24 * H;
/// 2026-03-15 10:00 in Vietnam: this year, not the last 30 days.
const MARCH: i64 = NOW - 260 * D;

struct Row {
    code: &'static str,
    unit: &'static str,
    place: &'static str,
    category: &'static str,
    description: &'static str,
    created: i64,
    took: Option<i64>,
    status: &'static str,
    for_name: Option<&'static str>,
    rating: Option<&'static str>,
}

/// Known reports: their figures are worked out by hand in the tests.
const ROWS: [Row; 7] = [
    // Tràng Sơn: on time (24 h), late (144 h), open past its deadline, open.
    Row {
        code: "DL-00000A",
        unit: "TRANG_SON",
        place: "TRANG_SON",
        category: "o_ga",
        description: "Ổ gà sâu trước cổng chợ Tràng Sơn",
        created: NOW - 10 * D,
        took: Some(24 * H),
        status: "resolved",
        for_name: None,
        rating: Some("satisfied"),
    },
    Row {
        code: "DL-00000B",
        unit: "TRANG_SON",
        place: "TRANG_SON",
        category: "den_duong",
        description: "Đèn đường hỏng",
        created: NOW - 20 * D,
        took: Some(144 * H),
        status: "resolved",
        for_name: None,
        rating: Some("not_satisfied"),
    },
    Row {
        code: "DL-00000C",
        unit: "TRANG_SON",
        place: "TRANG_SON",
        category: "o_ga",
        description: "Ổ gà",
        created: NOW - 8 * D,
        took: None,
        status: "in_progress",
        for_name: None,
        rating: None,
    },
    Row {
        code: "DL-00000D",
        unit: "TRANG_SON",
        place: "TRANG_SON",
        category: "rac_thai",
        description: "Rác đổ ven đường",
        created: NOW - D,
        took: None,
        status: "received",
        for_name: None,
        rating: None,
    },
    // The infrastructure office: on time (48 h, 2 h); one filed by a
    // volunteer for a neighbour.
    Row {
        code: "DL-00000E",
        unit: "KTHT",
        place: "BAC_SON",
        category: "o_ga",
        description: "Ổ gà quốc lộ",
        created: NOW - 5 * D,
        took: Some(48 * H),
        status: "resolved",
        for_name: None,
        rating: Some("satisfied"),
    },
    Row {
        code: "DL-00000F",
        unit: "KTHT",
        place: "TRANG_SON",
        category: "quoc_lo",
        description: "Sụt lún tỉnh lộ",
        created: NOW - 3 * D,
        took: Some(2 * H),
        status: "resolved",
        for_name: Some("Bà Lan"),
        rating: None,
    },
    // Earlier this year.
    Row {
        code: "DL-00000G",
        unit: "TRANG_SON",
        place: "TRANG_SON",
        category: "o_ga",
        description: "Ổ gà cũ",
        created: MARCH,
        took: Some(10 * H),
        status: "resolved",
        for_name: None,
        rating: None,
    },
];

async fn district_with_known_reports() -> (TestServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(NOW));
    let accounts = [("dieuphoi", Role::Coordinator, None), ("ktht", Role::Officer, Some("KTHT"))];
    let s = start_district(&accounts, clock.clone()).await;
    let c = s.sql();
    for (i, r) in ROWS.iter().enumerate() {
        let closed = r.took.map(|t| r.created + t);
        c.execute(
            "INSERT INTO reports (client_id, tracking_code, body_hash, response_status, category, description,
                 description_fold, lat, lon, for_name, consent, status, created_at, updated_at, unit_code, priority,
                 ack_due_at, due_at, acknowledged_at, closed_at, place_code, address)
             VALUES (?1, ?2, 'h', 201, ?3, ?4, ?5, 18.9, 105.3, ?6, ?7, ?8, ?9, ?9, ?10, 'normal', ?11, ?12, ?13, ?14, ?15,
                     ?16)",
            rusqlite::params![
                format!("known-{i}"),
                r.code,
                r.category,
                r.description,
                phananh_protocol::text::fold(r.description),
                r.for_name,
                r.for_name.is_some(),
                r.status,
                r.created,
                r.unit,
                r.created + 8 * H,
                r.created + 5 * D,
                (r.status != "received").then_some(r.created + H),
                closed,
                r.place,
                r.for_name.map(|_| "Xóm 3, xã Tràng Sơn"),
            ],
        )
        .unwrap();
        let id = c.last_insert_rowid();
        c.execute(
            "INSERT INTO changes (report_id, status, at, unit_code, due_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![id, r.status, r.created, r.unit, r.created + 5 * D],
        )
        .unwrap();
        if let (Some(score), Some(at)) = (r.rating, closed) {
            c.execute(
                "INSERT INTO ratings (report_id, client_id, score, unit_code, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![id, format!("rating-{i}"), score, r.unit, at + H],
            )
            .unwrap();
        }
    }
    (s, clock)
}

fn unit<'a>(stats: &'a Value, code: &str) -> &'a Value {
    stats["units"].as_array().unwrap().iter().find(|u| u["unit"] == code).unwrap_or_else(|| panic!("{code}: {stats}"))
}

#[tokio::test]
async fn public_figures_count_known_reports_and_follow_every_change() {
    let (s, _clock) = district_with_known_reports().await;
    let http = client();
    let stats: Value = http.get(format!("{}/api/v1/stats", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!((stats["from"].as_str(), stats["to"].as_str()), (Some("2026-11-01"), Some("2026-11-30")));
    let t = &stats["total"];
    assert_eq!(
        [&t["received"], &t["resolved"], &t["on_time"], &t["open"], &t["overdue"], &t["ratings"], &t["satisfied"]],
        [6, 4, 3, 2, 1, 3, 2].map(|n| json!(n)).each_ref(),
        "{t}"
    );
    assert_eq!(t["on_time_pct"], 75.0);
    assert_eq!(t["satisfied_pct"], 66.7);
    assert_eq!(t["median_hours_to_resolve"], 36.0, "the middle two of 2, 24, 48, 144 hours");
    let ts = unit(&stats, "TRANG_SON");
    assert_eq!((&ts["received"], &ts["resolved"], &ts["on_time"]), (&json!(4), &json!(2), &json!(1)));
    assert_eq!(
        (&ts["on_time_pct"], &ts["satisfied_pct"], &ts["median_hours_to_resolve"]),
        (&json!(50.0), &json!(50.0), &json!(84.0))
    );
    assert_eq!(ts["name"], "UBND xã Tràng Sơn");
    let kt = unit(&stats, "KTHT");
    assert_eq!(
        (&kt["received"], &kt["on_time_pct"], &kt["median_hours_to_resolve"]),
        (&json!(2), &json!(100.0), &json!(25.0))
    );
    assert_eq!(stats["yardsticks"], json!({"on_time_pct": 99.0, "satisfied_pct": 100.0}));
    // Public fields only: no report, no name, no phone.
    let text = stats.to_string();
    assert!(!text.contains("DL-00000A") && !text.contains("Bà Lan"));

    // A period: this year from March holds the older report too.
    let year: Value = http
        .get(format!("{}/api/v1/stats?from=2026-01-01&to=2026-11-30", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((&year["total"]["received"], &year["total"]["on_time_pct"]), (&json!(7), &json!(80.0)));
    // Bad periods are the client's mistake, said so.
    for bad in ["from=2026-13-01", "from=2026-11-30&to=2026-11-01", "from=2020-01-01&to=2026-11-30", "to=hôm-nay"] {
        let r = http.get(format!("{}/api/v1/stats?{bad}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), 422, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(["bad_date", "bad_period"].contains(&body["code"].as_str().unwrap()), "{body}");
    }

    // The scoreboard shows the same figures, in Vietnamese and English.
    let page = http.get(format!("{}/thong-ke", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<span class=\"figure on-time\">75,0 %</span>"), "{page}");
    assert!(page.contains("<span class=\"figure satisfied\">66,7 %</span>"));
    assert!(page.contains("Chỉ tiêu ≥ 99,0 %"));
    assert!(page.contains("<span class=\"figure on-time\">80,0 %</span>"), "this year");
    assert!(page.contains("36 giờ"), "median in hours");
    let en = http.get(format!("{}/thong-ke?lang=en", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("75.0 %") && en.contains("Last 30 days"));

    // A staff change shows at once: the cache is keyed by the data.
    let staff = staff_as(&s, "dieuphoi").await;
    let r = staff
        .post(format!("{}/api/v1/staff/reports/DL-00000D/status", s.base))
        .json(&json!({"status": "resolved", "reply": "Đã thu gom."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let after: Value = http.get(format!("{}/api/v1/stats", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!((&after["total"]["resolved"], &after["total"]["open"]), (&json!(5), &json!(1)));
    // So does a rating (kept beside the report, not in it).
    s.sql()
        .execute(
            "INSERT INTO ratings (report_id, client_id, score, unit_code, at)
             SELECT id, 'late-rating', 'satisfied', unit_code, ?1 FROM reports WHERE tracking_code = 'DL-00000F'",
            [NOW],
        )
        .unwrap();
    let rated: Value = http.get(format!("{}/api/v1/stats", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!((&rated["total"]["ratings"], &rated["total"]["satisfied_pct"]), (&json!(4), &json!(75.0)));
}

#[tokio::test]
async fn charts_figures_count_known_reports_and_an_officer_sees_its_unit() {
    let (s, _clock) = district_with_known_reports().await;
    let coordinator = staff_as(&s, "dieuphoi").await;
    let v: Value =
        coordinator.get(format!("{}/api/v1/staff/charts", s.base)).send().await.unwrap().json().await.unwrap();
    let backlog: Vec<i64> = v["backlog"].as_array().unwrap().iter().map(|b| b["count"].as_i64().unwrap()).collect();
    assert_eq!(backlog, [0, 1, 0, 1, 0, 0], "D waited 1 day, C 8 days");
    assert_eq!(
        v["categories"][0],
        json!({"code": "o_ga", "label": "Ổ gà, hư hỏng mặt đường", "label_en": "Pothole, damaged road", "count": 3})
    );
    let communes: Vec<(String, i64)> = v["communes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap().to_owned(), c["received"].as_i64().unwrap()))
        .collect();
    assert_eq!(communes, [("TRANG_SON".to_owned(), 5), ("BAC_SON".to_owned(), 1)]);
    assert_eq!(
        v["volunteers"],
        json!([{"month": "2026-11", "commune": "TRANG_SON", "name": "UBND xã Tràng Sơn", "hamlet": "Xóm 3", "reports": 1}])
    );
    let received: i64 = v["weekly"].as_array().unwrap().iter().map(|w| w["received"].as_i64().unwrap()).sum();
    let resolved: i64 = v["weekly"].as_array().unwrap().iter().map(|w| w["resolved"].as_i64().unwrap()).sum();
    assert_eq!((received, resolved), (6, 4));
    assert!(
        v["weekly"].as_array().unwrap().iter().all(|w| {
            let d =
                time::Date::parse(w["week"].as_str().unwrap(), &time::format_description::well_known::Iso8601::DATE)
                    .unwrap();
            d.weekday() == time::Weekday::Monday
        }),
        "weeks start on Monday"
    );
    let on_time = v["on_time"].as_array().unwrap();
    assert!(on_time.contains(&json!({"unit": "TRANG_SON", "name": "UBND xã Tràng Sơn", "name_en": "Tràng Sơn Commune People's Committee", "pct": 50.0, "of": 2})));

    // The charts page draws each as SVG, with the figures as a table too.
    let page = coordinator.get(format!("{}/staff/charts", s.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches("<svg").count(), 7, "{page:.400}");
    assert!(page.contains("<td>UBND xã Tràng Sơn</td><td>50,0 %</td><td>2</td>"));
    assert!(page.contains("Phản ánh tiếp nhận 01/11/2026 – 30/11/2026"), "dates as people read them");

    // The office's officer sees its own unit's figures only.
    let officer = staff_as(&s, "ktht").await;
    let v: Value = officer.get(format!("{}/api/v1/staff/charts", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["unit"], "KTHT");
    let received: i64 = v["weekly"].as_array().unwrap().iter().map(|w| w["received"].as_i64().unwrap()).sum();
    assert_eq!(received, 2);
    assert!(v["on_time"].as_array().unwrap().iter().all(|u| u["unit"] == "KTHT"));
    // Not signed in: no figures.
    let r = client().get(format!("{}/api/v1/staff/charts", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

fn cell(row: &[Data], i: usize) -> String {
    match &row[i] {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(n) => n.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn exports_open_in_a_real_reader_and_equal_the_json() {
    let (s, _clock) = district_with_known_reports().await;
    let staff = staff_as(&s, "dieuphoi").await;

    // The filtered list: Tràng Sơn's five reports, newest first.
    let r = staff.get(format!("{}/api/v1/staff/export.xlsx?unit=TRANG_SON", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], phananh_server::export::XLSX_TYPE);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".xlsx"));
    let mut book = Xlsx::new(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("Phản ánh").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(cell(rows[0], 0), "Mã");
    let codes: Vec<String> = rows[1..].iter().map(|r| cell(r, 0)).collect();
    assert_eq!(codes, ["DL-00000D", "DL-00000C", "DL-00000A", "DL-00000B", "DL-00000G"]);
    let a = rows.iter().find(|r| cell(r, 0) == "DL-00000A").unwrap();
    assert_eq!(cell(a, 13), "Ổ gà sâu trước cổng chợ Tràng Sơn");
    assert_eq!(cell(a, 1), "10:00 20/11/2026", "Vietnam time, as people read it");
    assert_eq!(cell(a, 9), "có", "on time");
    assert_eq!(cell(a, 11), phananh_protocol::feedback::Score::Satisfied.label(phananh_protocol::Lang::Vi));

    // The list page links to these files with its own filters.
    let list =
        staff.get(format!("{}/staff/reports?unit=TRANG_SON", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("href=\"/api/v1/staff/export.xlsx?unit=TRANG_SON\""), "{list}");

    // The same filter as CSV: UTF-8 with a BOM, the Vietnamese intact.
    let csv_bytes = staff
        .get(format!("{}/api/v1/staff/export.csv?unit=TRANG_SON", s.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(csv_bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&csv_bytes[3..]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 5);
    assert!(records.iter().any(|r| &r[13] == "Ổ gà sâu trước cổng chợ Tràng Sơn" && &r[0] == "DL-00000A"));
    assert_eq!(&reader.headers().unwrap()[1], "Tiếp nhận");

    // The monthly summary's numbers are the public figures' numbers.
    let json: Value = staff
        .get(format!("{}/api/v1/stats?from=2026-11-01&to=2026-11-30", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = staff.get(format!("{}/api/v1/staff/summary.xlsx?month=2026-11", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let mut book = Xlsx::new(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("Tổng hợp").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let mut units = json["units"].as_array().unwrap().clone();
    units.push(json["total"].clone());
    for u in &units {
        let row = rows.iter().find(|r| cell(r, 0) == u["name"].as_str().unwrap()).unwrap_or_else(|| panic!("{u}"));
        for (col, key) in [
            (1, "received"),
            (2, "resolved"),
            (3, "on_time"),
            (5, "open"),
            (6, "overdue"),
            (8, "ratings"),
            (9, "satisfied"),
        ] {
            assert_eq!(row[col], Data::Float(u[key].as_f64().unwrap()), "{key} of {}", u["name"]);
        }
        assert_eq!(row[4], Data::Float(u["on_time_pct"].as_f64().unwrap()));
    }
    let teams = book.worksheet_range("Tổ công nghệ số").unwrap();
    let team_rows: Vec<&[Data]> = teams.rows().collect();
    let team: Vec<String> = (0..4).map(|i| cell(team_rows[1], i)).collect();
    assert_eq!(team, ["2026-11", "UBND xã Tràng Sơn", "Xóm 3", "1"]);
    let page = staff.get(format!("{}/staff/summary?month=2026-11", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("tháng 11/2026") && page.contains("<strong id=\"volunteers-total\">1</strong>"));
    assert!(page.contains("<tr><td>UBND xã Tràng Sơn</td><td>Xóm 3</td><td>1</td></tr>"), "{page}");
    let r = staff.get(format!("{}/api/v1/staff/summary.xlsx?month=2026-14", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "bad_month");

    // An officer exports its unit's reports only; no one else exports at all.
    let officer = staff_as(&s, "ktht").await;
    let text = officer.get(format!("{}/api/v1/staff/export.csv", s.base)).send().await.unwrap().text().await.unwrap();
    let codes: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(codes, ["DL-00000F", "DL-00000E"]);
    assert_eq!(client().get(format!("{}/api/v1/staff/export.xlsx", s.base)).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn the_map_clusters_ten_thousand_reports_and_follows_the_filters() {
    let clock = Arc::new(ManualClock::new(NOW));
    let s = start_district(&[("dieuphoi", Role::Coordinator, None)], clock).await;
    let db = s.state.config.data_dir.join("server.sqlite3");
    let filled = phananh_server::demo_reports::fill(&db, s.state.reports.district(), 10_000, NOW, 7).unwrap();
    assert_eq!(filled.reports, 10_000);
    assert_eq!(
        phananh_server::demo_reports::fill(&db, s.state.reports.district(), 10_000, NOW, 7).unwrap().reports,
        0,
        "once"
    );
    let staff = staff_as(&s, "dieuphoi").await;
    let whole = "bbox=105.15,18.8,105.45,19.05&zoom=11";
    let r = staff.get(format!("{}/api/v1/staff/map?{whole}", s.base)).send().await.unwrap();
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.len() < 200 * 1024, "{} bytes", bytes.len());
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["total"], 10_000);
    let markers = v["clusters"].as_array().unwrap().len() + v["reports"].as_array().unwrap().len();
    assert!((10..=400).contains(&markers), "{markers} markers");
    let in_clusters: i64 = v["clusters"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
    assert_eq!(in_clusters + v["reports"].as_array().unwrap().len() as i64, 10_000);
    for c in v["clusters"].as_array().unwrap() {
        let parts = c["open"].as_i64().unwrap() + c["overdue"].as_i64().unwrap() + c["closed"].as_i64().unwrap();
        assert_eq!(parts, c["count"].as_i64().unwrap(), "every report in one state: {c}");
    }

    // Filters: the same as the list's.
    let received: Value = staff
        .get(format!("{}/api/v1/staff/map?{whole}&status=received", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let count: i64 =
        s.sql().query_row("SELECT count(*) FROM reports WHERE status = 'received'", [], |r| r.get(0)).unwrap();
    assert_eq!(received["total"], count);
    assert!(count > 0 && count < 10_000);

    // A text search: the database answers (the figures hold no words).
    let searched: Value =
        staff.get(format!("{}/api/v1/staff/map?{whole}&q=den", s.base)).send().await.unwrap().json().await.unwrap();
    let expected: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM reports WHERE duplicate_of IS NULL
               AND instr(' ' || description_fold || ' ' || lower(tracking_code) || ' ' || lower(coalesce(address, '')), 'den')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(searched["total"], expected);
    assert!(expected > 0 && expected < 10_000);

    // Close in, and reports stand alone, with a link's code.
    let near: Value = staff
        .get(format!("{}/api/v1/staff/map?bbox=105.30,18.90,105.31,18.91&zoom=19", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(near["reports"].as_array().unwrap().iter().all(|r| r["code"].as_str().unwrap().starts_with("DL-0")));

    // The whole world at the closest zoom: still a bounded answer.
    let wide: Value = client()
        .get(format!("{}/api/v1/map?bbox=-180,-90,180,90&zoom=22", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let markers = wide["clusters"].as_array().unwrap().len() + wide["reports"].as_array().unwrap().len();
    assert!(markers <= phananh_server::service::overview::MAP_MAX_MARKERS, "{markers}");
    assert_eq!(wide["total"], 10_000);

    // The public map: public fields only, and staff filters ignored.
    let public: Value = client()
        .get(format!("{}/api/v1/map?bbox=105.30,18.90,105.31,18.91&zoom=19&unit=KTHT&q=zzz", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["total"], near["total"], "unit and q are staff filters");
    let first = &public["reports"].as_array().unwrap()[0];
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["category", "code", "lat", "lon", "state", "status"]);
    // The public sees a point to about 100 m (three decimals); staff to the metre.
    for r in public["reports"].as_array().unwrap() {
        let lat = r["lat"].as_f64().unwrap();
        assert!(((lat * 1e3).round() / 1e3 - lat).abs() < 1e-9, "{lat}");
    }
    assert!(near["reports"].as_array().unwrap().iter().any(|r| {
        let lat = r["lat"].as_f64().unwrap();
        ((lat * 1e3).round() / 1e3 - lat).abs() > 1e-9
    }));
    for bad in ["bbox=1,2,3", "bbox=105.45,18.8,105.15,19.05", "bbox=a,b,c,d", "bbox=1,2,3,4&zoom=999"] {
        let r = client().get(format!("{}/api/v1/map?{bad}", s.base)).send().await.unwrap();
        // A zoom past u8 is the query's shape (400); the rest, the box (422).
        assert!(matches!(r.status().as_u16(), 400 | 422), "{bad}: {}", r.status());
    }
    assert_eq!(client().get(format!("{}/api/v1/staff/map?{whole}", s.base)).send().await.unwrap().status(), 401);

    // The figures in memory count as the database's own query does.
    let year = "from=2025-12-01&to=2026-11-30";
    let memory: Value =
        client().get(format!("{}/api/v1/stats?{year}", s.base)).send().await.unwrap().json().await.unwrap();
    let sql: Value =
        staff.get(format!("{}/api/v1/staff/stats?{year}", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(memory["units"].as_array().unwrap().len(), sql["units"].as_array().unwrap().len());
    for u in sql["units"].as_array().unwrap() {
        let m = unit(&memory, u["unit"].as_str().unwrap());
        for (a, b) in [
            ("received", "received"),
            ("resolved", "closed"),
            ("on_time", "closed_on_time"),
            ("open", "open"),
            ("overdue", "overdue"),
            ("satisfied", "satisfied"),
            ("not_satisfied", "not_satisfied"),
        ] {
            assert_eq!(m[a], u[b], "{a} of {}", u["unit"]);
        }
    }
    assert_eq!(memory["total"]["received"], sql["total"]["received"]);
    assert!(memory["total"]["received"].as_i64().unwrap() > 9_900, "nearly all of a year's 10 000");

    // The boundaries, for the map to draw.
    let g: Value =
        client().get(format!("{}/api/v1/district/boundaries", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(g["type"], "FeatureCollection");
    assert_eq!(g["features"].as_array().unwrap().len(), 33, "33 communes and towns");
}

// --- In Chromium: the pages as people see them. ---

/// Distinct colours in a PNG: a blank page has one or two.
fn colours(png_bytes: &[u8]) -> usize {
    let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let mut seen = std::collections::HashSet::new();
    for px in buf[..info.buffer_size()].chunks(step) {
        seen.insert(px.to_vec());
    }
    seen.len()
}

fn shot_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

async fn sign_in(d: &webdriver::Driver, base: &str, name: &str) {
    d.go(&format!("{base}/staff")).await;
    d.type_into("#name", name).await;
    d.type_into("#password", "mat-khau-du-dai").await;
    d.click("#sign-in").await;
    d.wait_for_url("/staff/reports").await;
}

/// Markers Leaflet drew: clusters (`div.cluster`) and reports (`path.report`).
const MARKERS: &str = "return document.querySelectorAll('.leaflet-marker-icon.cluster, path.report').length";

#[tokio::test]
async fn the_map_in_chromium_clusters_ten_thousand_reports_without_a_basemap() {
    let clock = Arc::new(ManualClock::new(NOW));
    // A basemap that cannot be reached (a closed port on loopback), as on a
    // district intranet without internet: the map must work without it.
    let dead_tiles = "http://127.0.0.1:9/{z}/{x}/{y}.png";
    let s = start_district_with(&[("dieuphoi", Role::Coordinator, None)], clock, |c| {
        c.map_tiles = Some(phananh_server::state::MapTiles { url: dead_tiles.into(), attribution: "© test".into() });
    })
    .await;
    let db = s.state.config.data_dir.join("server.sqlite3");
    phananh_server::demo_reports::fill(&db, s.state.reports.district(), 10_000, NOW, 11).unwrap();
    let profile = tempfile::TempDir::new().unwrap();
    let d = webdriver::Driver::start_sized(profile.path(), 1280, 900).await;
    sign_in(&d, &s.base, "dieuphoi").await;

    d.go(&format!("{}/staff/map", s.base)).await;
    d.wait_until("return document.getElementById('map').dataset.total === '10000'").await;
    let all = d.script(MARKERS).await.as_i64().unwrap();
    assert!((10..=400).contains(&all), "{all} markers for 10 000 reports");
    let status = d.script("return document.getElementById('map-status').textContent").await;
    assert_eq!(status, "10000 phản ánh trong vùng đang xem.");
    let boundaries = d
        .wait_until("return document.querySelectorAll('path.leaflet-interactive, .leaflet-overlay-pane path').length")
        .await;
    assert!(boundaries.as_i64().unwrap() >= 33, "the communes' boundaries are drawn");
    let png = d.screenshot(&shot_path("overview-staff-map.png")).await;
    assert!(colours(&png) > 20, "the map is not blank");
    // Nothing was fetched from beyond loopback: our origin, and the dead
    // tile server's tries.
    let elsewhere = d
        .script(
            "return performance.getEntriesByType('resource').map(e => e.name)
               .filter(n => !n.startsWith(location.origin) && !n.startsWith('http://127.0.0.1:9/'))",
        )
        .await;
    assert_eq!(elsewhere, json!([]), "no CDN, no other host");
    let tried = d.script("return performance.getEntriesByType('resource').filter(e => e.name.startsWith('http://127.0.0.1:9/')).length").await;
    assert!(tried.as_i64().unwrap() > 0, "the basemap was asked for, and its failure did not stop the map");

    // The filters change the markers: only reports just received.
    let received: i64 =
        s.sql().query_row("SELECT count(*) FROM reports WHERE status = 'received'", [], |r| r.get(0)).unwrap();
    d.click("select[name=status] option[value=received]").await;
    d.click("form.filters button").await;
    d.wait_for_url("status=received&category=&unit=&commune=&from=&to=&q=").await;
    d.wait_until(&format!("return document.getElementById('map').dataset.total === '{received}'")).await;
    let fewer = d.script(MARKERS).await.as_i64().unwrap();
    assert!(fewer > 0, "{fewer}");

    // A click on a cluster zooms in; single reports link to their page.
    let zoom_before = d.script("return document.querySelector('.leaflet-marker-icon.cluster') !== null").await;
    if zoom_before == Value::Bool(true) {
        d.click(".leaflet-marker-icon.cluster").await;
        d.wait_until("return document.getElementById('map').dataset.total !== ''").await;
    }

    // The public map, in English.
    d.go(&format!("{}/ban-do?lang=en", s.base)).await;
    d.wait_until("return document.getElementById('map').dataset.total === '10000'").await;
    assert_eq!(d.script("return document.getElementById('map-status').textContent").await, "10000 reports in view.");
    assert_eq!(d.script("return document.getElementById('map').getAttribute('aria-label')").await, "Map of reports");
    assert_eq!(d.script("return document.querySelector('.legend li').textContent.trim()").await, "Open");
    d.screenshot(&shot_path("overview-public-map.png")).await;
    d.call("DELETE", "", json!(null)).await;
}

#[tokio::test]
async fn charts_and_scoreboard_in_chromium_show_the_known_figures() {
    let (s, _clock) = district_with_known_reports().await;
    let profile = tempfile::TempDir::new().unwrap();
    let d = webdriver::Driver::start_sized(profile.path(), 1280, 900).await;

    // The scoreboard: anyone, no sign-in.
    d.go(&format!("{}/thong-ke", s.base)).await;
    let on_time = d.script("return document.querySelector('#last-30 .figure.on-time').textContent").await;
    assert_eq!(on_time, "75,0 %");
    let satisfied = d.script("return document.querySelector('#last-30 .figure.satisfied').textContent").await;
    assert_eq!(satisfied, "66,7 %");
    let year = d.script("return document.querySelector('#this-year .figure.received').textContent").await;
    assert_eq!(year, "7");
    let short = d.script("return document.querySelectorAll('#last-30 .yardstick.short').length").await;
    assert_eq!(short, 2, "both yardsticks missed, and shown as missed");
    let png = d.screenshot(&shot_path("overview-scoreboard.png")).await;
    assert!(colours(&png) > 10);

    // The charts: seven SVGs drawn, each with its table.
    sign_in(&d, &s.base, "dieuphoi").await;
    d.go(&format!("{}/staff/charts", s.base)).await;
    assert_eq!(d.script("return document.querySelectorAll('section.chart svg').length").await, 7);
    assert_eq!(d.script("return document.querySelectorAll('section.chart table').length").await, 7);
    let drawn = d.script("return document.querySelector('#weekly svg polyline') !== null").await;
    assert_eq!(drawn, true, "the weekly lines are drawn");
    let png = d.screenshot(&shot_path("overview-charts.png")).await;
    assert!(colours(&png) > 20, "the charts are not blank");
    d.call("DELETE", "", json!(null)).await;
}

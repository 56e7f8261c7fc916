//! Open311 GeoReport v2, JSON and XML, against a real server.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn api_key(s: &TestServer) -> String {
    let key = "khoa-thu-nghiem-open311";
    let hash = phananh_server::auth::token_hash(key);
    s.state.store.add_api_key("test".into(), hash).await.unwrap();
    key.to_owned()
}

#[tokio::test]
async fn discovery_and_services_in_json_and_xml() {
    let s = start().await;
    let d: Value =
        client().get(format!("{}/open311/v2/discovery.json", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
    let x = client().get(format!("{}/open311/v2/discovery.xml", s.base)).send().await.unwrap();
    assert!(x.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));
    let x = x.text().await.unwrap();
    assert!(x.contains("<discovery>") && x.contains("<format>text/xml</format>"), "{x}");

    let services: Value =
        client().get(format!("{}/open311/v2/services.json", s.base)).send().await.unwrap().json().await.unwrap();
    let list = services.as_array().unwrap();
    assert_eq!(list.len(), 11);
    assert_eq!(list[0]["service_code"], "o_ga");
    assert_eq!(list[0]["metadata"], false);
    assert_eq!(list[0]["type"], "realtime");
    let xml = client().get(format!("{}/open311/v2/services.xml", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(xml.starts_with("<?xml") && xml.contains("<services><service><service_code>o_ga</service_code>"), "{xml}");

    let def: Value =
        client().get(format!("{}/open311/v2/services/o_ga.json", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(def, json!({"service_code": "o_ga", "attributes": []}));
    let missing = client().get(format!("{}/open311/v2/services/khong_co.xml", s.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body = missing.text().await.unwrap();
    assert!(body.contains("<errors><error><code>404</code>"), "{body}");
    let bad_format = client().get(format!("{}/open311/v2/services.csv", s.base)).send().await.unwrap();
    assert_eq!(bad_format.status(), 404);
}

#[tokio::test]
async fn posting_a_request_needs_a_key_and_lands_as_a_report() {
    let s = start().await;
    let key = api_key(&s).await;
    let url = format!("{}/open311/v2/requests.json", s.base);
    let form = |extra: &[(&str, &str)]| {
        let mut f: Vec<(String, String)> = vec![
            ("service_code".into(), "den_duong".into()),
            ("lat".into(), "18.91".into()),
            ("long".into(), "105.31".into()),
            ("description".into(), "Đèn đường ở cổng chợ huyện không sáng".into()),
            ("first_name".into(), "Trần".into()),
            ("last_name".into(), "Bình".into()),
        ];
        f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        f
    };
    let r = client().post(&url).form(&form(&[])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()[0]["code"], 403);
    let r = client().post(&url).form(&form(&[("api_key", "sai")])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client().post(&url).form(&form(&[("api_key", &key), ("service_code", "khong_co")])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "an unknown service is not found, as the spec has it");
    let r = client().post(&url).form(&form(&[("api_key", &key), ("lat", "abc")])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let r = client().post(&url).form(&form(&[("api_key", &key)])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let code = created[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(code.starts_with("DL-"));

    // The same report the staff see.
    let staff = staff_client(&s).await;
    let seen: Value =
        staff.get(format!("{}/api/v1/staff/reports/{code}", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(seen["category"], "den_duong");
    assert_eq!(seen["reporter_name"], "Trần Bình");

    // With a photo, as multipart.
    let jpeg = test_jpeg();
    let mut mp = reqwest::multipart::Form::new();
    for (k, v) in form(&[("api_key", &key)]) {
        mp = mp.text(k, v);
    }
    mp = mp.part(
        "media",
        reqwest::multipart::Part::bytes(jpeg.clone()).file_name("anh.jpg").mime_str("image/jpeg").unwrap(),
    );
    let r = client().post(format!("{}/open311/v2/requests.xml", s.base)).multipart(mp).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let xml = r.text().await.unwrap();
    let with_photo = xml.split("<service_request_id>").nth(1).unwrap().split('<').next().unwrap().to_owned();

    let got: Value = client()
        .get(format!("{}/open311/v2/requests.json?service_request_id={code},{with_photo}", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got.as_array().unwrap().len(), 2);
    let photo_row = got.as_array().unwrap().iter().find(|r| r["service_request_id"] == with_photo.as_str()).unwrap();
    let media_url = photo_row["media_url"].as_str().unwrap();
    let served = client().get(media_url).send().await.unwrap().bytes().await.unwrap();
    // Published without its metadata (the photo's EXIF carries GPS): the
    // same file less its metadata segments.
    let clean = phananh_protocol::jpeg::strip_metadata(&jpeg, None).unwrap();
    assert_ne!(clean.len(), jpeg.len());
    assert_eq!(sha256(&served), sha256(&clean));
    assert_eq!(photo_row["status"], "open");
    assert_eq!(photo_row["lat"], 18.91);
    assert_eq!(photo_row["long"], 105.31);

    // Closed once resolved, with the reply as status_notes.
    staff
        .post(format!("{}/api/v1/staff/reports/{code}/status", s.base))
        .json(&json!({"status": "resolved", "reply": "Đã thay bóng đèn."}))
        .send()
        .await
        .unwrap();
    let one: Value =
        client().get(format!("{}/open311/v2/requests/{code}.json", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(one[0]["status"], "closed");
    assert_eq!(one[0]["status_notes"], "Đã thay bóng đèn.");
    let xml =
        client().get(format!("{}/open311/v2/requests/{code}.xml", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(xml.contains("<service_requests><request>") && xml.contains("<status>closed</status>"), "{xml}");

    let open: Value = client()
        .get(format!("{}/open311/v2/requests.json?status=open", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(open.as_array().unwrap().len(), 1);
    let closed: Value = client()
        .get(format!("{}/open311/v2/requests.json?status=closed&service_code=den_duong", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(closed.as_array().unwrap().len(), 1);

    for (path, status) in [
        ("requests.json?start_date=yesterday", 400),
        ("requests.json?status=maybe", 400),
        ("requests/DL-ZZZZZZ.json", 404),
        ("requests/DL-ZZZZZZ.xml", 404),
    ] {
        let r = client().get(format!("{}/open311/v2/{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
    }
    // A 3 MB photo (over axum's 2 MB default body limit, under the server's 4 MiB).
    let mut big = test_jpeg();
    big.resize(3 * 1024 * 1024, 0);
    let big_form = reqwest::multipart::Form::new()
        .text("api_key", key.clone())
        .text("service_code", "cay_do")
        .text("address_string", "Đường vào trường tiểu học")
        .text("description", "Cây đổ chắn ngang đường vào trường")
        .part("media", reqwest::multipart::Part::bytes(big));
    assert_eq!(client().post(&url).multipart(big_form).send().await.unwrap().status(), StatusCode::CREATED);

    let not_jpeg = reqwest::multipart::Form::new()
        .text("api_key", key.clone())
        .text("service_code", "rac_thai")
        .text("address_string", "Chợ Đô Lương")
        .text("description", "Rác chất đống sau chợ nhiều ngày")
        .part("media", reqwest::multipart::Part::bytes(b"GIF89a....".to_vec()));
    let r = client().post(&url).multipart(not_jpeg).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

/// What clients such as `georeport` send and expect beyond the basics.
#[tokio::test]
async fn lists_tokens_coarse_dates_media_url_and_errors_as_clients_expect() {
    let s = start().await;
    let key = api_key(&s).await;
    let post = |service: &str, extra: Vec<(&'static str, String)>| {
        let mut f: Vec<(&str, String)> = vec![
            ("api_key", key.clone()),
            ("service_code", service.to_owned()),
            ("lat", "18.91".into()),
            ("long", "105.31".into()),
            ("description", "Sự việc ở thôn cần chính quyền xử lý sớm".into()),
        ];
        f.extend(extra);
        client().post(format!("{}/open311/v2/requests.json", s.base)).form(&f).send()
    };
    let first: Value = post("den_duong", vec![]).await.unwrap().json().await.unwrap();
    let photo = "https://example.org/anh/den.jpg".to_owned();
    let second: Value = post("rac_thai", vec![("media_url", photo.clone())]).await.unwrap().json().await.unwrap();
    let (a, b) = (first[0]["service_request_id"].as_str().unwrap(), second[0]["service_request_id"].as_str().unwrap());
    let base = s.base.clone();
    let get = |q: String| {
        let url = format!("{base}/open311/v2/requests.json?{q}");
        async move {
            let r = client().get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let ids = |v: &Value| -> Vec<String> {
        let rows = v.as_array().unwrap().iter();
        rows.map(|r| r["service_request_id"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()).collect()
    };
    // Comma-separated lists.
    let (status, both) = get("service_code=den_duong,rac_thai".into()).await;
    assert_eq!((status, ids(&both).len()), (200, 2));
    let (_, one) = get("service_code=rac_thai".into()).await;
    assert_eq!(ids(&one), vec![b.to_owned()]);
    let (status, open_closed) = get("status=open,closed".into()).await;
    assert_eq!((status, ids(&open_closed).len()), (200, 2));
    assert_eq!(get("status=open,bogus".into()).await.0, 400);
    // Coarser W3C dates.
    for date in ["2026-01-01", "2026-01-01T00:00Z", "2026-01-01T07:00%2B07:00"] {
        let (status, found) = get(format!("start_date={date}")).await;
        assert_eq!((status, ids(&found).len()), (200, 2), "{date}");
    }
    assert_eq!(get("start_date=yesterday".into()).await.0, 400);
    // media_url kept and given back; service_notice the same as on POST.
    let row = both.as_array().unwrap().iter().find(|r| r["service_request_id"] == b).unwrap();
    assert_eq!(row["media_url"], photo.as_str());
    assert_eq!(row["service_notice"], second[0]["service_notice"]);
    // Tokens.
    let r = client().get(format!("{}/open311/v2/tokens/{a}.json", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()[0]["service_request_id"], a);
    let r = client().get(format!("{}/open311/v2/tokens/NOPE.xml", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("<errors>"));
    // Any other path: Open311's error list, XML for .xml.
    let r = client().get(format!("{}/open311/v2/nothing/here.xml", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    assert!(body.contains("<errors>") && body.contains("<code>404</code>"), "{body}");
    let r = client().get(format!("{}/open311/v2/nothing.json", s.base)).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()[0]["code"], 404);
}

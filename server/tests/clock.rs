//! The server reads "now" from its configured clock: tests move time
//! instead of waiting for it.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use common::*;
use phananh_protocol::ManualClock;
use serde_json::Value;

#[tokio::test]
async fn uploads_expire_and_sessions_end_on_the_injected_clock() {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let c = clock.clone();
    let s = start_with(move |config| config.clock = c).await;
    let dev = device(&s).await;
    let photo = test_jpeg();
    let photo_id = new_id();
    let created = put_report(&s, &dev, &report(&[(&photo_id, &photo)])).await;
    assert!(created["received_at"].as_str().unwrap().starts_with("2027-01-15"), "{created}");
    let client_id = created["client_id"].as_str().unwrap();
    let meta = format!("photo_id {}", base64::engine::general_purpose::STANDARD.encode(&photo_id));
    let r = dev
        .post(format!("{}/api/v1/reports/{client_id}/photos", s.base))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", photo.len().to_string())
        .header("Upload-Metadata", meta)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["upload-expires"], "Sat, 16 Jan 2027 08:00:00 GMT");
    let upload = format!("{}{}", s.base, r.headers()["location"].to_str().unwrap());
    let head = || dev.head(&upload).header("Tus-Resumable", "1.0.0").send();
    assert_eq!(head().await.unwrap().status(), 200);
    clock.advance(Duration::from_secs(24 * 3600 + 1));
    assert_eq!(head().await.unwrap().status(), 410, "expired a day later on the injected clock");

    // A staff session lasts 12 hours of that clock.
    let staff = staff_client(&s).await;
    let list = || staff.get(format!("{}/api/v1/staff/reports", s.base)).send();
    assert_eq!(list().await.unwrap().status(), 200);
    clock.advance(Duration::from_secs(12 * 3600 + 1));
    let r = list().await.unwrap();
    assert_eq!(r.status(), 401, "{:?}", r.json::<Value>().await.unwrap());
}

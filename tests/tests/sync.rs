//! Sync end to end: the real core against the real `phananh-server` over
//! loopback, with the fault proxy between them. Each scenario ends with
//! every report on the server exactly once and every photo's sha256 equal to
//! the phone's.
//!
//! The 5xx and 429 answers are given by the proxy in the server's place (as
//! a load balancer would); everything else is the real server.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use phananh_core::Lang;
use phananh_core::model::{DraftPatch, StateKind, Status};
use phananh_core::photo::Options;
use phananh_core::store::{PhotoSource, StatusUpdate};
use phananh_core::sync::{SyncEvent, SyncListener};
use phananh_e2e::harness::{Phone, Server, assert_server_has_exactly, draft, queue_report, real_photo};
use phananh_e2e::proxy::{Action, Fault, FaultProxy, http_response};
use time::OffsetDateTime;

struct Setup {
    _data: tempfile::TempDir,
    server: Server,
    proxy: FaultProxy,
}

async fn setup() -> Setup {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let proxy = FaultProxy::start(server.addr).await.unwrap();
    Setup { _data: data, server, proxy }
}

const PUT: &str = "PUT /api/v1/reports/";
const PATCH: &str = "PATCH /api/v1/uploads/";
const CREATE: &str = "POST /api/v1/reports/";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_sync_sends_each_report_once_and_nothing_more() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let ids: Vec<_> = (0..3).map(|n| queue_report(phone.store(), n, n)).collect();
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!((summary.sent, summary.photos_sent, summary.waiting, summary.retrying), (3, 3, 0, 0));
    assert_server_has_exactly(&s.server, phone.store(), &ids);
    for id in &ids {
        let r = phone.store().get(*id).unwrap();
        assert_eq!(r.state.kind(), StateKind::Sent);
        assert!(r.tracking_code.as_deref().unwrap().starts_with("DL-"));
        assert_eq!(r.history.first().map(|h| h.status), Some(Status::Received));
        assert!(r.public_url.is_some());
    }
    // Each photo's first 256 KiB chunk went with its upload's creation,
    // the rest (if any) by PATCH.
    let rest: usize = ids
        .iter()
        .flat_map(|id| phone.store().get(*id).unwrap().photos)
        .map(|p| p.bytes.div_ceil(256 * 1024) as usize - 1)
        .sum();
    let (puts, creations, patches) = (s.proxy.count(PUT), s.proxy.count(CREATE), s.proxy.count(PATCH));
    assert_eq!((creations, patches), (3, rest));
    // A second pass sends nothing again.
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!((summary.sent, summary.waiting), (0, 0));
    assert_eq!(s.proxy.count(PUT), puts);
    assert_eq!((s.proxy.count(CREATE), s.proxy.count(PATCH)), (creations, patches));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_to_the_report_put_does_not_duplicate_it() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let id = queue_report(phone.store(), 1, 1);
    s.proxy.arm(Fault::on(PUT, Action::DropResponse));
    let first = phone.syncer.sync_once().await.unwrap();
    assert_eq!((first.sent, first.retrying), (0, 1));
    // The server committed the report although the phone never heard.
    assert_eq!(s.server.reports().len(), 1);
    phone.sync_until_empty(20).await;
    assert_eq!(s.proxy.count(PUT), 2, "the PUT was sent again, and answered from the stored response");
    assert_server_has_exactly(&s.server, phone.store(), &[id]);
}

/// A report with one large photo (about 1 MB at 4000 px, quality 95) so
/// the upload takes several 256 KiB chunks.
fn queue_big_photo_report(phone: &Phone) -> (phananh_core::model::ReportId, u64) {
    let store = phone.store();
    let report = store.create_draft(&draft(7)).unwrap();
    let path = real_photo("HMD_Nokia_8.3_5G.jpg");
    // A 4000 px output is more than the phone's default job: give it the memory.
    let options = Options { max_edge: 4000, quality: 95, max_decode_bytes: 256 << 20, ..Options::default() };
    let attached = store.attach_photo(report.id, PhotoSource::Path(&path), &options).unwrap();
    store.submit(report.id).unwrap();
    (report.id, attached.photo.bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_at_60_percent_resumes_from_the_servers_offset() {
    let s = setup().await;
    // Photos up to 4 MB for this test.
    let phone = Phone::new(&s.proxy.url());
    let (id, len) = queue_big_photo_report(&phone);
    let chunk = 256 * 1024u64;
    assert!(len > 4 * chunk, "the photo spans several chunks: {len} bytes");
    // Cut inside the chunk that holds the 60 % mark.
    let cut_at = len * 6 / 10;
    let chunk_start = cut_at / chunk * chunk;
    s.proxy.arm(Fault::on(&format!("upload-offset: {chunk_start}\r\n"), Action::CutAfter(cut_at - chunk_start + 400)));
    let first = phone.syncer.sync_once().await.unwrap();
    assert_eq!(first.retrying, 1, "the cut made the attempt fail");
    assert_eq!(s.proxy.fired(), 1);
    let before = s.proxy.up_bytes();
    let heads = s.proxy.count("HEAD /api/v1/uploads/");
    phone.sync_until_empty(20).await;
    let after = s.proxy.up_bytes() - before;
    assert!(s.proxy.count("HEAD /api/v1/uploads/") > heads, "the client asked where to resume");
    let remaining = len - cut_at;
    // Request lines and headers of the HEAD/PATCH/GET requests: a few KiB.
    let headers_allowance = 8 * 1024;
    assert!(
        after <= remaining + chunk + headers_allowance,
        "after the cut {after} bytes went up; the remaining 40 % is {remaining} plus one chunk {chunk}"
    );
    assert_server_has_exactly(&s.server, phone.store(), &[id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_costs_the_photo_once_then_one_chunk_with_checksums() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let chunks = |len: u64| len.div_ceil(256 * 1024) as usize;
    // First damage: chunks carry no checksum (a dropped link keeps what
    // arrived), so the server finds it in the whole file's sha256 and the
    // photo goes again, within the same pass.
    let (first, len) = queue_big_photo_report(&phone);
    s.proxy.arm(Fault::on(PATCH, Action::Flip(5000)));
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!(summary.sent, 1, "the damaged photo is sent again at once");
    assert_eq!(s.proxy.fired(), 1);
    // The whole photo went twice: the first chunk with the first creation,
    // the rest by PATCH; then all of it by PATCH (a second creation for
    // the photo carries no data).
    assert_eq!(s.proxy.count(PATCH), 2 * chunks(len) - 1, "the whole photo went twice");
    // From now on every chunk carries a sha256: damage costs one chunk.
    let (second, len2) = queue_big_photo_report(&phone);
    let before = s.proxy.count(PATCH);
    s.proxy.arm(Fault::on(PATCH, Action::Flip(5000)));
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!(summary.sent, 1, "a 460 is resent at once, within the same pass");
    assert_eq!(s.proxy.fired(), 2);
    // With checksums every chunk goes by PATCH (none with the creation),
    // one of them twice.
    assert_eq!(s.proxy.count(PATCH) - before, chunks(len2) + 1, "exactly one chunk went twice");
    assert_server_has_exactly(&s.server, phone.store(), &[first, second]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_damaged_on_its_way_with_its_creation_is_sent_again() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    // One small photo: all of it rides with its upload's creation.
    let id = queue_report(phone.store(), 0, 1);
    let photo = phone.store().get(id).unwrap().photos[0].clone();
    assert!(photo.bytes < 256 * 1024);
    s.proxy.arm(Fault::on(CREATE, Action::Flip(5000)));
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!(s.proxy.fired(), 1);
    // The server refused the damaged photo; the phone sent it again (a
    // creation without data, then a PATCH with a checksum) in the same pass.
    assert_eq!((summary.sent, summary.needs_attention), (1, 0));
    assert_eq!((s.proxy.count(CREATE), s.proxy.count(PATCH)), (2, 1));
    assert_server_has_exactly(&s.server, phone.store(), &[id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_restarting_mid_sync_loses_and_duplicates_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let proxy = FaultProxy::start(server.addr).await.unwrap();
    proxy.set_latency(Duration::from_millis(15));
    let phone = Arc::new(Phone::new(&proxy.url()));
    let ids: Vec<_> = (0..4).map(|n| queue_report(phone.store(), n, 2)).collect();
    let syncing = {
        let phone = phone.clone();
        tokio::spawn(async move { phone.sync_until_empty(100).await })
    };
    let started = Instant::now();
    while proxy.count(PATCH) < 2 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(proxy.count(PATCH) >= 2, "uploads started");
    server.kill().await;
    proxy.set_down();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let server = Server::start(data.path()).await;
    proxy.set_upstream(server.addr);
    proxy.set_latency(Duration::ZERO);
    tokio::time::timeout(Duration::from_secs(90), syncing).await.unwrap().unwrap();
    assert_server_has_exactly(&server, phone.store(), &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_until_success() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let id = queue_report(phone.store(), 2, 1);
    for status in [500, 502, 503] {
        s.proxy.arm(Fault::on(PUT, Action::Respond(http_response(status, "Oops", &[], "upstream trouble"))));
    }
    phone.sync_until_empty(20).await;
    assert_eq!(s.proxy.fired(), 3);
    assert_eq!(s.proxy.count(PUT), 4);
    assert_server_has_exactly(&s.server, phone.store(), &[id]);
    assert_eq!(phone.store().get(id).unwrap().state.kind(), StateKind::Sent);
}

fn too_many(retry_after: &str) -> Action {
    let body = r#"{"code":"rate_limited","message":"Chậm lại"}"#;
    Action::Respond(http_response(
        429,
        "Too Many Requests",
        &[("Retry-After", retry_after), ("Content-Type", "application/json")],
        body,
    ))
}

/// Seconds from now until the report is due again.
fn due_in(phone: &Phone) -> f64 {
    let due = phone.store().outbox_next_due().unwrap().unwrap();
    (due - (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64) as f64 / 1000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_in_seconds_and_as_a_date() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let id = queue_report(phone.store(), 3, 0);

    s.proxy.arm(Fault::on(PUT, too_many("2")));
    let started = Instant::now();
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!(summary.retrying, 1);
    let wait = due_in(&phone);
    assert!((1.8..=2.1).contains(&wait), "Retry-After: 2 → due in {wait} s");
    // Not due yet: a pass now sends nothing.
    let puts = s.proxy.count(PUT);
    phone.syncer.sync_once().await.unwrap();
    assert_eq!(s.proxy.count(PUT), puts);

    phone.sync_until_empty(5).await;
    assert!(started.elapsed() >= Duration::from_secs(2), "waited the 2 s asked");

    // The HTTP-date form (whole seconds: 3–4 s from now).
    let second = queue_report(phone.store(), 4, 0);
    s.proxy.arm(Fault::on(PUT, too_many(&httpdate_in(Duration::from_secs(4)))));
    phone.syncer.sync_once().await.unwrap();
    let wait = due_in(&phone);
    assert!((2.9..=4.1).contains(&wait), "Retry-After as a date → due in {wait} s");
    phone.sync_until_empty(5).await;
    assert_server_has_exactly(&s.server, phone.store(), &[id, second]);
}

fn httpdate_in(d: Duration) -> String {
    let at = OffsetDateTime::now_utc() + d;
    at.format(&time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_retry_after_values_never_make_a_tight_loop() {
    let s = setup().await;
    let phone = Phone::with(&s.proxy.url(), |c| c.backoff.max_retry_after = Duration::from_secs(5));
    let id = queue_report(phone.store(), 4, 0);
    for junk in ["-1", "inf", "NaN", "", "1.5"] {
        s.proxy.arm(Fault::on(PUT, too_many(junk)));
        phone.syncer.sync_once().await.unwrap();
        let wait = due_in(&phone);
        // Ignored: the client's own backoff (50 ms base, 500 ms cap here).
        assert!((-0.05..=0.55).contains(&wait), "Retry-After {junk:?} → due in {wait} s");
        phone.store().retry_all_now().unwrap();
    }
    // Huge: clamped to the configured maximum.
    s.proxy.arm(Fault::on(PUT, too_many("99999999999999999999999")));
    phone.syncer.sync_once().await.unwrap();
    let wait = due_in(&phone);
    assert!((4.8..=5.1).contains(&wait), "a huge Retry-After is clamped to 5 s: {wait}");
    phone.store().retry_all_now().unwrap();

    // The loop against a server that always says "Retry-After: 0": it
    // backs off instead of spinning.
    for _ in 0..500 {
        s.proxy.arm(Fault::on(PUT, too_many("0")));
    }
    let before = s.proxy.count(PUT);
    let handle = phone.syncer.run(Arc::new(phananh_core::sync::NoListener));
    tokio::time::sleep(Duration::from_secs(2)).await;
    handle.stop().await;
    let tries = s.proxy.count(PUT) - before;
    // 50 ms base doubling to a 500 ms cap: about 8 tries in 2 s; a tight
    // loop would make hundreds.
    assert!((2..=25).contains(&tries), "{tries} tries in 2 s");
    assert_eq!(phone.store().get(id).unwrap().state.kind(), StateKind::Sending);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validation_error_waits_for_the_user_with_the_servers_message() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    phone.syncer.set_lang(Lang::Vi);
    let mut patch = draft(5);
    patch.category = Some(Some("khong_co_loai_nay".into()));
    let report = phone.store().create_draft(&patch).unwrap();
    phone.store().submit(report.id).unwrap();
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!((summary.needs_attention, summary.waiting), (1, 0));
    let r = phone.store().get(report.id).unwrap();
    match &r.state {
        phananh_core::model::ReportState::NeedsAttention { reason } => {
            assert_eq!(reason, "Loại sự việc không có trong danh sách", "the server's message, in Vietnamese");
        }
        other => panic!("expected needs attention, got {other:?}"),
    }
    // Nothing is sent again until the user acts.
    let puts = s.proxy.count(PUT);
    for _ in 0..3 {
        phone.syncer.sync_once().await.unwrap();
    }
    assert_eq!(s.proxy.count(PUT), puts);
    assert!(s.server.reports().is_empty());
    // The user fixes the category and sends again.
    phone
        .store()
        .update_draft(report.id, &DraftPatch { category: Some(Some("o_ga".into())), ..Default::default() })
        .unwrap();
    phone.syncer.submit(report.id).unwrap();
    phone.sync_until_empty(10).await;
    assert_server_has_exactly(&s.server, phone.store(), &[report.id]);
}

#[derive(Default)]
struct Events(Mutex<Vec<SyncEvent>>);

impl SyncListener for Events {
    fn on_event(&self, event: SyncEvent) {
        self.0.lock().unwrap().push(event);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_replies_come_back_once() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let events = Arc::new(Events::default());
    phone.syncer.set_listener(events.clone());
    let id = queue_report(phone.store(), 6, 1);
    phone.syncer.sync_once().await.unwrap();
    let code = phone.store().get(id).unwrap().tracking_code.unwrap();

    let reply = "Đội giao thông xã sẽ vá ổ gà trong tuần này.";
    s.server.staff_reply(&code, "in_progress", reply).await;
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!(summary.changes, 1);
    let r = phone.store().get(id).unwrap();
    assert_eq!(r.history.len(), 2, "{:?}", r.history);
    assert_eq!(r.history[1].status, Status::InProgress);
    assert_eq!(r.history[1].reply.as_deref(), Some(reply));
    // The district's unit and deadline come with each step (a server
    // without units of its own answers with the district itself).
    let (unit_code, unit_name) = r.history[1].unit.clone().expect("the unit responsible");
    assert!(!unit_code.is_empty() && !unit_name.is_empty());
    assert!(r.history[1].due_at.is_some_and(|due| due > r.history[0].at), "a deadline after receipt");
    let listed = phone.store().list(&Default::default()).unwrap().items;
    assert_eq!(listed[0].unit_name.as_deref(), Some(unit_name.as_str()));
    assert_eq!(listed[0].status, Some(Status::InProgress));
    assert_eq!(listed[0].last_reply.as_deref(), Some(reply));
    assert!(events.0.lock().unwrap().contains(&SyncEvent::StatusChanged { id, status: Status::InProgress }));

    // The next pass has nothing new, and the same page applied twice
    // changes nothing.
    assert_eq!(phone.syncer.sync_once().await.unwrap().changes, 0);
    let page = vec![StatusUpdate { report: id, entry: r.history[1].clone() }];
    let cursor = phone.store().changes_cursor().unwrap().unwrap();
    assert!(phone.store().apply_changes(&page, &[], &cursor).unwrap().is_empty());
    assert!(phone.store().apply_changes(&page, &[], &cursor).unwrap().is_empty());
    assert_eq!(phone.store().get(id).unwrap().history, r.history);

    s.server.staff_reply(&code, "resolved", "Đã vá xong.").await;
    assert_eq!(phone.syncer.sync_once().await.unwrap().changes, 1);
    assert_eq!(phone.store().get(id).unwrap().history.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_are_cached_and_refreshed_with_their_etag() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    assert!(phone.syncer.refresh_categories().await.unwrap(), "first download");
    let services = phone.store().cached_services().unwrap().unwrap();
    assert_eq!(services.categories.len(), 11);
    assert!(services.categories.iter().any(|c| c.name_vi == "Cây đổ"));
    assert_eq!(phone.store().limits().unwrap(), services.limits, "submit checks the server's limits");
    assert!(phone.store().service_area().unwrap().is_some());
    let down = s.proxy.down_bytes();
    assert!(!phone.syncer.refresh_categories().await.unwrap(), "304: unchanged");
    assert!(s.proxy.down_bytes() - down < 600, "a 304 carries no list");
    // Offline, the cached list is still there.
    s.proxy.set_down();
    assert!(matches!(phone.syncer.refresh_categories().await, Err(phananh_core::Error::Network(_))));
    assert_eq!(phone.store().cached_services().unwrap().unwrap(), services);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_hints_fall_back_to_the_last_answer_offline() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let id = queue_report(phone.store(), 0, 1);
    phone.syncer.sync_once().await.unwrap();
    let code = phone.store().get(id).unwrap().tracking_code.unwrap();
    let (lat, lon) = (18.9, 105.3);
    let fresh = phone.syncer.nearby(lat, lon, None).await.unwrap();
    assert!(!fresh.from_cache);
    assert_eq!(fresh.reports[0].tracking_code, code);
    assert!(fresh.reports[0].thumbnail_url.is_some());

    phone.syncer.set_online(false);
    let cached = phone.syncer.nearby(lat + 0.0005, lon, None).await.unwrap();
    assert!(cached.from_cache);
    assert_eq!(cached.reports, fresh.reports);
    phone.syncer.set_online(true);
    s.proxy.set_down();
    let cached = phone.syncer.nearby(lat, lon, None).await.unwrap();
    assert!(cached.from_cache, "an unreachable server also falls back");
    // Far away (or another category), nothing cached: offline is an error.
    assert!(matches!(phone.syncer.nearby(19.0, 105.4, None).await, Err(phananh_core::Error::Network(_))));
    assert!(matches!(phone.syncer.nearby(lat, lon, Some("rac_thai")).await, Err(phananh_core::Error::Network(_))));
    assert!(phone.syncer.nearby(f64::NAN, lon, None).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_wakes_on_new_work_reports_progress_and_stops() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let events = Arc::new(Events::default());
    let handle = phone.syncer.run(events.clone());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let report = phone.store().create_draft(&draft(8)).unwrap();
    let path = real_photo("iphone_hdr_NO.jpg");
    phone.store().attach_photo(report.id, PhotoSource::Path(&path), &Default::default()).unwrap();
    phone.syncer.submit(report.id).unwrap();
    let started = Instant::now();
    while phone.store().get(report.id).unwrap().state.kind() != StateKind::Sent {
        assert!(started.elapsed() < Duration::from_secs(20), "the loop sent the new report");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    handle.stop().await;
    let events = events.0.lock().unwrap().clone();
    let id = report.id;
    assert!(events.contains(&SyncEvent::ReportQueued { id }));
    assert!(events.contains(&SyncEvent::ReportSending { id }));
    let photo_total = phone.store().get(id).unwrap().photos[0].bytes;
    assert!(events.iter().any(
        |e| matches!(e, SyncEvent::PhotoProgress { sent, total, .. } if *sent == photo_total && *total == photo_total)
    ));
    assert!(events.iter().any(|e| matches!(e, SyncEvent::ReportSent { id: i, .. } if *i == id)));
    // Stopped: new work is not picked up.
    let later = queue_report(phone.store(), 9, 0);
    phone.syncer.wake();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(phone.store().get(later).unwrap().state.kind(), StateKind::Queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_registers_again_once() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let first = queue_report(phone.store(), 0, 0);
    phone.syncer.sync_once().await.unwrap();
    // The server forgets every device (a reset deployment).
    s.server.execute("UPDATE devices SET token_hash = 'gone'").await;
    let second = queue_report(phone.store(), 1, 0);
    let registrations = s.proxy.count("POST /api/v1/devices");
    let summary = phone.syncer.sync_once().await.unwrap();
    assert_eq!(summary.sent, 1);
    assert_eq!(s.proxy.count("POST /api/v1/devices"), registrations + 1);
    assert_server_has_exactly(&s.server, phone.store(), &[first, second]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captive_portals_page_is_not_success() {
    let s = setup().await;
    let phone = Phone::new(&s.proxy.url());
    let id = queue_report(phone.store(), 3, 0);
    let portal = "<html><body>Đăng nhập Wi-Fi miễn phí</body></html>";
    s.proxy.arm(Fault::on(PUT, Action::Respond(http_response(200, "OK", &[("Content-Type", "text/html")], portal))));
    s.proxy
        .arm(Fault::on(PUT, Action::Respond(http_response(302, "Found", &[("Location", "http://portal.local/")], ""))));
    let first = phone.syncer.sync_once().await.unwrap();
    assert_eq!((first.sent, first.retrying), (0, 1), "a 200 HTML page is not the server's answer");
    phone.sync_until_empty(10).await;
    assert_eq!(s.proxy.fired(), 2);
    assert_server_has_exactly(&s.server, phone.store(), &[id]);
}

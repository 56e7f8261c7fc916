//! The resident's word after the answer, end to end: the real core (in
//! process and as the `sync-client` child the crash test kills) against the
//! real server through the fault proxy. A rating, a reopen with a photo and
//! a follow with a photo each reach the server exactly once despite a lost
//! answer and a client killed mid-way; the reopened report is back in its
//! unit's queue with a new deadline; a follower's next sync brings the
//! staff's reply, never the reporter's identity; notifications are decided
//! as the core says.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::Duration;

use phananh_core::Score;
use phananh_core::model::{StateKind, Status};
use phananh_core::photo::Options;
use phananh_core::store::PhotoSource;
use phananh_e2e::harness::{Phone, Server, assert_server_has_exactly, queue_report, real_photo};
use phananh_e2e::proxy::{Action, Fault, FaultProxy};

fn count(server: &Server, sql: &str) -> i64 {
    server.db(|c| c.query_row(sql, [], |r| r.get(0)).unwrap())
}

/// Run the `sync-client` child on `home` until `ready` says the moment has
/// come (polled), then SIGKILL it.
fn kill_when(home: &std::path::Path, url: &str, ready: impl Fn() -> bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sync-client"))
        .arg(home)
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut waited = 0;
    while !ready() {
        assert!(child.try_wait().unwrap().is_none(), "the client finished before the moment came");
        assert!(waited < 300, "the moment never came");
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Run the `sync-client` child to the end.
fn run_to_end(home: &std::path::Path, url: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_sync-client")).arg(home).arg(url).output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("done"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rating_reopen_and_follow_arrive_once_through_faults() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let proxy = FaultProxy::start(server.addr).await.unwrap();
    let url = proxy.url();

    // The reporter's phone sends a report; the district resolves it.
    let reporter = Phone::new(&url);
    let id = queue_report(reporter.store(), 1, 1);
    reporter.sync_until_empty(10).await;
    let code = reporter.store().get(id).unwrap().tracking_code.unwrap();
    server.staff_reply(&code, "resolved", "Đã vá ổ gà.").await;
    reporter.syncer.sync_once().await.unwrap();
    assert_eq!(reporter.store().get(id).unwrap().history.last().unwrap().status, Status::Resolved);
    let told = reporter.store().take_notifications().unwrap();
    assert_eq!(told.len(), 1, "the answer is worth a notification");
    assert_eq!((told[0].status, told[0].report_id), (Status::Resolved, Some(id)));

    // A rating whose answer is lost: sent again, kept once.
    reporter.store().queue_rating(id, Score::NotSatisfied, Some("Vá xong lại vỡ"), false).unwrap();
    proxy.arm(Fault::on(&format!("PUT /api/v1/reports/{id}/rating/"), Action::DropResponse));
    reporter.sync_until_empty(20).await;
    assert_eq!(proxy.count(&format!("PUT /api/v1/reports/{id}/rating/")), 2, "sent again after the lost answer");
    assert_eq!(count(&server, "SELECT count(*) FROM ratings"), 1);
    assert_eq!(count(&server, "SELECT count(*) FROM ratings WHERE score = 'not_satisfied'"), 1);

    // A reopen with a new photo: its answer lost once, then the client
    // killed while the photo is on its way; a restart finishes it.
    let due_before: i64 = count(&server, "SELECT due_at FROM reports");
    let photo =
        reporter.store().prepare_photo(PhotoSource::Path(&real_photo("DSCN0010.jpg")), &Options::default()).unwrap();
    reporter.store().queue_reopen(id, "Ổ gà lại vỡ sau cơn mưa", std::slice::from_ref(&photo)).unwrap();
    proxy.arm(Fault::on(&format!("PUT /api/v1/reports/{id}/reopen/"), Action::DropResponse));
    // (The photo's bytes ride with its upload's creation.)
    proxy.arm(Fault::on(&format!("POST /api/v1/reports/{id}/photos"), Action::Stall(Duration::from_secs(60))));
    // The same phone as a child process (the same home and token file).
    let home = reporter.home.clone();
    let keep_reporter = reporter;
    tokio::task::block_in_place(|| {
        kill_when(&home, &url, || proxy.armed() == 0 && count(&server, "SELECT count(*) FROM reopens") == 1)
    });
    assert_eq!(count(&server, "SELECT count(*) FROM photos"), 1, "the reopen's photo had not arrived");
    tokio::task::block_in_place(|| run_to_end(&home, &url));
    assert_eq!(count(&server, "SELECT count(*) FROM reopens"), 1, "reopened once");
    assert_eq!(proxy.count(&format!("PUT /api/v1/reports/{id}/reopen/")), 2);
    let store = phananh_core::Store::open_in(&home).unwrap();
    assert_eq!(store.get(id).unwrap().state.kind(), StateKind::Sent);
    assert_server_has_exactly(&server, &store, &[id]);
    let (status, unit_due): (String, i64) =
        server.db(|c| c.query_row("SELECT status, due_at FROM reports", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap());
    assert_eq!(status, "reopened");
    // Counted again from the reopen (on the real clock: equal when both
    // fall outside working hours; the server's tests move a clock).
    assert!(unit_due >= due_before, "a deadline counted from the reopen");
    assert_eq!(count(&server, "SELECT count(*) FROM reports WHERE acknowledged_at IS NULL"), 1, "in the 'new' queue");
    // The resident's own reopen is not news to the resident.
    drop(keep_reporter);
    let reporter = Phone::reopen(&home, &url);
    reporter.syncer.sync_once().await.unwrap();
    assert!(reporter.store().take_notifications().unwrap().is_empty());

    // A neighbour follows it, saying "I see it too" with a photo: the
    // answer lost, then killed during the photo; once on the server.
    let neighbour = Phone::new(&url);
    let seen =
        neighbour.store().prepare_photo(PhotoSource::Path(&real_photo("DSCN0010.jpg")), &Options::default()).unwrap();
    neighbour.store().follow(&code, true, std::slice::from_ref(&seen)).unwrap();
    proxy.arm(Fault::on(&format!("PUT /api/v1/follows/{code}"), Action::DropResponse));
    proxy.arm(Fault::on(&format!("POST /api/v1/follows/{code}/photos"), Action::Stall(Duration::from_secs(60))));
    let nhome = neighbour.home.clone();
    let keep = neighbour;
    tokio::task::block_in_place(|| {
        kill_when(&nhome, &url, || proxy.armed() == 0 && count(&server, "SELECT count(*) FROM follows") == 1)
    });
    tokio::task::block_in_place(|| run_to_end(&nhome, &url));
    assert_eq!(count(&server, "SELECT count(*) FROM follows"), 1);
    assert_eq!(count(&server, "SELECT count(*) FROM follows WHERE me_too = 1"), 1);
    assert_eq!(count(&server, "SELECT count(*) FROM photos WHERE fix = 2"), 1, "the neighbour's photo, once");
    assert_eq!(count(&server, "SELECT count(*) FROM photos WHERE fix = 0"), 2, "the reporter's two, as they were");

    // Staff answer the reopened report: the follower's next sync has it.
    server.staff_reply(&code, "in_progress", "Tổ giao thông đang vá lại.").await;
    let neighbour_again = Phone::reopen(&nhome, &url);
    let neighbour = &neighbour_again;
    neighbour.syncer.sync_once().await.unwrap();
    let following = neighbour.store().following().unwrap();
    assert_eq!(following.len(), 1);
    assert_eq!(following[0].status, Some(Status::InProgress));
    assert!(following[0].history.iter().any(|h| h.reply.as_deref() == Some("Tổ giao thông đang vá lại.")));
    let told = neighbour.store().take_notifications().unwrap();
    assert_eq!((told.len(), told[0].followed, told[0].status), (1, true, Status::InProgress));
    // Nothing of the reporter reached the neighbour's device.
    let everything = neighbour.home_dump();
    for secret in ["Nguyễn", "0912", &id.to_string()] {
        assert!(!everything.contains(secret), "the follower's store holds no {secret}");
    }
    drop(keep);
}

//! The `Storage` contract, called directly: what any implementation must
//! do, run unchanged against SQLite and PostgreSQL (written against
//! `&dyn Storage`).

#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "common/pg.rs"]
mod pg;

use std::sync::Arc;

use phananh_protocol::ServiceArea;
use phananh_protocol::wire::Category;
use phananh_server::storage::*;

fn report(client_id: &str, device: &str, hash: &str) -> NewReport {
    NewReport {
        client_id: client_id.into(),
        device_id: Some(device.into()),
        source: Source::App,
        body_hash: hash.into(),
        category: "o_ga".into(),
        description: "Ổ gà lớn trước cổng trường".into(),
        lat: Some(18.9),
        lon: Some(105.3),
        accuracy_m: Some(8.0),
        address: None,
        reporter_name: None,
        reporter_phone: Some("+84912345678".into()),
        anonymous: false,
        for_name: None,
        for_phone: None,
        consent: false,
        photos: vec![DeclaredPhoto {
            id: "0190a0a0-0000-7000-8000-000000000001".into(),
            sha256: "ab".repeat(32),
            bytes: 1000,
        }],
        photos_expected: 1,
        client_created_at: None,
        routing: Routing {
            unit_code: "TRANG_SON".into(),
            place_code: Some("TRANG_SON".into()),
            reason: "location".into(),
            priority: "normal".into(),
            ack_due_at: Some(10_000),
            due_at: Some(50_000),
        },
        media_url: None,
    }
}

async fn contract(store: &dyn Storage) {
    // Devices and keys.
    store.add_device("dev-a".into(), "hash-a".into()).await.unwrap();
    store.add_device("dev-b".into(), "hash-b".into()).await.unwrap();
    assert_eq!(store.device_for_token("hash-a".into()).await.unwrap().as_deref(), Some("dev-a"));
    assert_eq!(store.device_for_token("nope".into()).await.unwrap(), None);
    assert!(store.add_device("dev-c".into(), "hash-a".into()).await.is_err(), "token hashes are unique");
    store.add_api_key("city".into(), "key-hash".into()).await.unwrap();
    assert!(store.api_key_known("key-hash".into()).await.unwrap());
    assert!(!store.api_key_known("other".into()).await.unwrap());

    // Catalogue: adding keeps order and never overwrites.
    let cat = |code: &str, vi: &str| Category {
        code: code.into(),
        name_vi: vi.into(),
        name_en: code.into(),
        group_vi: "Giao thông".into(),
        group_en: "Roads".into(),
        photo_required: false,
    };
    store.add_categories(vec![cat("o_ga", "Ổ gà"), cat("den_duong", "Đèn đường")]).await.unwrap();
    store.add_categories(vec![cat("o_ga", "đổi tên?"), cat("khac", "Khác")]).await.unwrap();
    let cats = store.categories().await.unwrap();
    let codes: Vec<&str> = cats.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["o_ga", "den_duong", "khac"]);
    assert_eq!(cats[0].name_vi, "Ổ gà");
    assert_eq!(store.service_area().await.unwrap(), None);
    let area = ServiceArea { min_lat: 18.8, min_lon: 105.15, max_lat: 19.05, max_lon: 105.45 };
    store.set_service_area(area).await.unwrap();
    assert_eq!(store.service_area().await.unwrap(), Some(area));

    // Reports: creation is idempotent by client id and body.
    let id = "0190a0a0-0000-7000-8000-0000000000aa";
    assert_eq!(store.replay(id.into(), "dev-a".into(), "h1".into()).await.unwrap(), None);
    let created = store.create_report(report(id, "dev-a", "h1"), "DL".into()).await.unwrap();
    assert!(created.tracking_code.starts_with("DL-"), "{}", created.tracking_code);
    let again = store.create_report(report(id, "dev-a", "h1"), "DL".into()).await.unwrap();
    assert_eq!(again, created);
    assert_eq!(store.replay(id.into(), "dev-a".into(), "h1".into()).await.unwrap(), Some(201));
    let reused = store.replay(id.into(), "dev-a".into(), "h2".into()).await.unwrap_err();
    assert_eq!(reused, StorageError::IdReused);
    assert!(store.replay(id.into(), "dev-b".into(), "h1".into()).await.is_err(), "another device's id");

    let status = store.report_status(id.into(), Some("dev-a".into())).await.unwrap();
    assert_eq!((status.status.as_str(), status.photos_expected, status.photos_received), ("received", 1, 0));
    assert_eq!(status.public_url, format!("/r/{}", created.tracking_code), "a path: storage knows no address");
    let hidden = store.report_status(id.into(), Some("dev-b".into())).await.unwrap_err();
    assert_eq!(hidden, StorageError::NotFound, "another device's report is not found, not forbidden");
    assert!(store.report_status(id.into(), None).await.is_ok(), "staff see it");

    // The changes feed: per device, in order, sliced.
    let first = store.changes("dev-a".into(), 0, 10).await.unwrap();
    assert_eq!(first.changes.len(), 1);
    assert!(!first.has_more);
    assert!(store.changes("dev-b".into(), 0, 10).await.unwrap().changes.is_empty());

    // Staff: accounts, sessions, status changes that feed the device.
    store.put_staff("canbo".into(), "argon-hash-1".into(), Role::Coordinator, None).await.unwrap();
    store.put_staff("canbo".into(), "argon-hash-2".into(), Role::Coordinator, None).await.unwrap();
    assert_eq!(store.staff_count().await.unwrap(), 1);
    assert_eq!(store.officers_in("TRANG_SON".into()).await.unwrap(), 0);
    store.put_staff("ts".into(), "h".into(), Role::Officer, Some("TRANG_SON".into())).await.unwrap();
    assert_eq!(store.officers_in("TRANG_SON".into()).await.unwrap(), 1);
    let (ts_id, _) = store.staff_credentials("ts".into()).await.unwrap().unwrap();
    store.open_session("ts-sess".into(), ts_id, "c".into(), i64::MAX).await.unwrap();
    let ts = store.session("ts-sess".into(), 10).await.unwrap().unwrap();
    assert_eq!((ts.role, ts.unit.as_deref()), (Role::Officer, Some("TRANG_SON")));
    let (staff_id, hash) = store.staff_credentials("canbo".into()).await.unwrap().unwrap();
    assert_eq!(hash, "argon-hash-2");
    store.open_session("sess".into(), staff_id, "csrf".into(), i64::MAX).await.unwrap();
    store.open_session("old".into(), staff_id, "csrf".into(), 1).await.unwrap();
    let who = store.session("sess".into(), 10).await.unwrap().unwrap();
    assert_eq!((who.id, who.name.as_str(), who.csrf.as_str()), (staff_id, "canbo", "csrf"));
    assert_eq!((who.role, who.unit), (Role::Coordinator, None));
    assert!(store.session("old".into(), 10).await.unwrap().is_none(), "an expired session is no session");
    store.close_session("sess".into()).await.unwrap();
    assert!(store.session("sess".into(), 10).await.unwrap().is_none());

    let update = |status: &str, reply: Option<&str>| StatusUpdate {
        staff_id,
        tracking_code: created.tracking_code.clone(),
        status: status.into(),
        reply: reply.map(Into::into),
    };
    store.change_status(update("in_progress", Some("Đã cử người đến"))).await.unwrap();
    let mut unknown = update("resolved", None);
    unknown.tracking_code = "DL-NONE00".into();
    assert_eq!(store.change_status(unknown).await.unwrap_err(), StorageError::NotFound);
    let next = store.changes("dev-a".into(), first.last, 10).await.unwrap();
    assert_eq!(next.changes.len(), 1);
    assert_eq!(next.changes[0].reply.as_deref(), Some("Đã cử người đến"));
    assert!(next.last > first.last);
    let one = store.changes("dev-a".into(), 0, 1).await.unwrap();
    assert!(one.has_more && one.changes.len() == 1);

    let listed = store.staff_reports(ReportFilter { q: Some("o ga TRUONG".into()), ..Default::default() });
    assert_eq!(listed.await.unwrap().len(), 1, "search ignores accents and case");
    let none = store.staff_reports(ReportFilter { status: Some("resolved".into()), ..Default::default() });
    assert!(none.await.unwrap().is_empty());
    let full = store.staff_report(created.tracking_code.clone()).await.unwrap().unwrap();
    assert_eq!(full.reporter_phone.as_deref(), Some("+84912345678"));
    assert_eq!(full.history.len(), 2);
    assert_eq!(
        (full.unit.as_deref(), full.priority.as_str(), full.due_at_ms),
        (Some("TRANG_SON"), "normal", Some(50_000))
    );
    assert_eq!(full.events[0].action, "routed", "routing is the first staff-only step");

    // The government's half: scope, queues, assignment, notes, extensions.
    let scoped = |units: &[&str]| ReportFilter {
        scope: Some(units.iter().map(|u| u.to_string()).collect()),
        ..Default::default()
    };
    assert_eq!(store.staff_reports(scoped(&["TRANG_SON"])).await.unwrap().len(), 1);
    assert!(store.staff_reports(scoped(&["BAI_SON"])).await.unwrap().is_empty(), "another unit's reports stay out");
    assert!(store.staff_reports(scoped(&[])).await.unwrap().is_empty(), "an officer without a unit sees nothing");
    let queue = |q: &str| ReportFilter { queue: Some(q.into()), due_soon_before: Some(i64::MAX), ..Default::default() };
    // The clock stands past both deadlines (50 000 ms): overdue, not due soon.
    assert_eq!(store.staff_reports(queue("overdue")).await.unwrap().len(), 1);
    assert!(store.staff_reports(queue("due_soon")).await.unwrap().is_empty());
    assert!(store.staff_reports(queue("new")).await.unwrap().is_empty(), "in progress: taken up");
    let code = created.tracking_code.clone();
    let note = ReportAction::Note { text: "Nội bộ: gọi lại cho tổ trưởng".into() };
    store.act(staff_id, code.clone(), note).await.unwrap();
    let assign = ReportAction::Assign {
        unit: "KTHT".into(),
        reason: Some("Quốc lộ".into()),
        ack_due_at: Some(1),
        due_at: Some(i64::MAX / 2),
    };
    store.act(staff_id, code.clone(), assign).await.unwrap();
    let ask = ReportAction::RequestExtension { reason: "Chờ vật tư".into(), until: i64::MAX / 2 + 1 };
    store.act(ts_id, code.clone(), ask).await.unwrap();
    let asked = store.staff_report(code.clone()).await.unwrap().unwrap();
    assert_eq!((asked.unit.as_deref(), asked.status.as_str()), (Some("KTHT"), "in_progress"), "in progress stays so");
    assert_eq!(asked.notes.len(), 1);
    let request = asked.extensions[0].id;
    store.act(staff_id, code.clone(), ReportAction::DecideExtension { id: request, approve: true }).await.unwrap();
    let decided = store.act(staff_id, code.clone(), ReportAction::DecideExtension { id: request, approve: true });
    assert_eq!(decided.await.unwrap_err(), StorageError::NotFound, "decided once");
    let extended = store.staff_report(code.clone()).await.unwrap().unwrap();
    assert_eq!(extended.due_at_ms, Some(i64::MAX / 2 + 1));
    assert_eq!(extended.extensions[0].approved, Some(true));
    let feed = store.changes("dev-a".into(), 0, 100).await.unwrap().changes;
    assert!(feed.iter().all(|c| !c.reply.as_deref().unwrap_or("").contains("Nội bộ")), "a note never reaches the feed");
    assert_eq!(
        feed.last().and_then(|c| c.unit.as_ref()).map(|u| u.code.as_str()),
        Some("KTHT"),
        "the resident sees the unit"
    );
    let gone = store.act(staff_id, "DL-NONE00".into(), ReportAction::Note { text: "x".into() });
    assert_eq!(gone.await.unwrap_err(), StorageError::NotFound);
    let back = ReportAction::HandBack { to: "DL".into(), reason: "Không thuộc đơn vị".into() };
    store.act(ts_id, code.clone(), back).await.unwrap();
    let handed = store.staff_report(code.clone()).await.unwrap().unwrap();
    assert_eq!((handed.unit.as_deref(), handed.status.as_str()), (Some("DL"), "received"));

    // Nearby: open reports inside the box only.
    let inside = ServiceArea { min_lat: 18.89, min_lon: 105.29, max_lat: 18.91, max_lon: 105.31 };
    let near = store.open_reports_in(inside, None).await.unwrap();
    assert_eq!(near.len(), 1);
    assert!(!near[0].has_photo);
    assert!(store.open_reports_in(inside, Some("khac".into())).await.unwrap().is_empty());
    let away = ServiceArea { min_lat: 18.0, min_lon: 105.0, max_lat: 18.1, max_lon: 105.1 };
    assert!(store.open_reports_in(away, None).await.unwrap().is_empty());

    // Uploads: only declared photos of the device's own report, idempotent,
    // capped, completed into an attached photo.
    let photo_id = "0190a0a0-0000-7000-8000-000000000001";
    let start = |id: &str, device: &str, key: &str, length: u64, max_open: u32| NewUpload {
        id: id.into(),
        device_id: device.into(),
        client_id: "0190a0a0-0000-7000-8000-0000000000aa".into(),
        photo_id: photo_id.into(),
        key: key.into(),
        length,
        now: 1_000,
        expires_at: 5_000,
        max_open,
        follower: false,
    };
    let refused = |u| async { store.start_upload(u).await.unwrap().unwrap_err() };
    assert_eq!(refused(start("u0", "dev-b", "k", 1000, 5)).await, UploadRefusal::NotFound);
    assert_eq!(refused(start("u0", "dev-a", "k", 999, 5)).await, UploadRefusal::LengthMismatch);
    let mut undeclared = start("u0", "dev-a", "k", 1000, 5);
    undeclared.photo_id = "0190a0a0-0000-7000-8000-000000000002".into();
    assert_eq!(refused(undeclared).await, UploadRefusal::Undeclared);
    assert_eq!(refused(start("u0", "dev-a", "k", 1000, 0)).await, UploadRefusal::TooMany);
    let (uid, expires) = store.start_upload(start("u1", "dev-a", "k", 1000, 5)).await.unwrap().unwrap();
    assert_eq!((uid.as_str(), expires), ("u1", 5_000));
    let same = store.start_upload(start("u2", "dev-a", "k", 1000, 5)).await.unwrap().unwrap();
    assert_eq!(same.0, "u1", "the same idempotency key finds the same upload");
    assert!(store.upload("u1".into(), "dev-b".into()).await.unwrap().is_none(), "not another device's");
    store.set_upload_offset("u1".into(), 600).await.unwrap();
    let up = store.upload("u1".into(), "dev-a".into()).await.unwrap().unwrap();
    assert_eq!((up.offset, up.length, up.completed, up.sha256.len()), (600, 1000, false, 64));
    let photo = AttachedPhoto {
        id: photo_id.into(),
        report_id: up.report_id,
        key: "k.jpg".into(),
        sha256: up.sha256.clone(),
        bytes: 1000,
        width: 10,
        height: 10,
        position: None,
        fix: false,
    };
    store.complete_upload("u1".into(), photo.clone()).await.unwrap();
    store.complete_upload("u1".into(), photo).await.unwrap();
    assert!(store.upload("u1".into(), "dev-a".into()).await.unwrap().unwrap().completed);
    let status = store.report_status(id.into(), Some("dev-a".into())).await.unwrap();
    assert_eq!(status.photos_received, 1, "completing twice attaches once");
    assert_eq!(
        store.photo_key(created.tracking_code.clone(), 0, PhotoKind::Reporter).await.unwrap().as_deref(),
        Some("k.jpg")
    );
    assert_eq!(store.photo_key(created.tracking_code.clone(), 1, PhotoKind::Reporter).await.unwrap(), None);
    assert!(store.open_reports_in(inside, None).await.unwrap()[0].has_photo);

    // Expiry sweeps only unfinished uploads.
    let mut other = start("u3", "dev-a", "k2", 1000, 5);
    other.expires_at = 2_000;
    store.start_upload(other).await.unwrap().unwrap();
    assert_eq!(store.sweep_expired_uploads(3_000).await.unwrap(), ["u3"]);
    assert!(store.upload("u3".into(), "dev-a".into()).await.unwrap().is_none());
    assert!(store.upload("u1".into(), "dev-a".into()).await.unwrap().is_some());
    store.delete_upload("u1".into()).await.unwrap();
    assert!(store.upload("u1".into(), "dev-a".into()).await.unwrap().is_none());

    // Open311 reports are the same reports; filters as the spec says.
    let mut o = report("0190a0a0-0000-7000-8000-0000000000bb", "", "h");
    (o.device_id, o.source, o.category, o.photos) = (None, Source::Open311, "khac".into(), Vec::new());
    let o = store.create_report(o, "DL".into()).await.unwrap();
    let all = store.open311_requests(Open311Filter::default()).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].tracking_code, o.tracking_code, "newest first");
    let by_code = Open311Filter { codes: Some(vec![created.tracking_code.clone()]), ..Default::default() };
    let found = store.open311_requests(by_code).await.unwrap();
    assert_eq!((found.len(), found[0].photos, found[0].last_reply.as_deref()), (1, 1, Some("Đã cử người đến")));
    let khac = Open311Filter { service_codes: vec!["khac".into(), "den_duong".into()], ..Default::default() };
    assert_eq!(store.open311_requests(khac).await.unwrap().len(), 1);
    let closed = Open311Filter { open: Some(false), ..Default::default() };
    assert!(store.open311_requests(closed).await.unwrap().is_empty());
    assert!(store.staff_report(o.tracking_code.clone()).await.unwrap().is_some());

    // Duplicates: both must exist; a report cannot duplicate itself.
    let reply = "see the other".to_owned();
    let dup = store.mark_duplicate(staff_id, o.tracking_code.clone(), created.tracking_code.clone(), reply.clone());
    dup.await.unwrap();
    let marked = store.staff_report(o.tracking_code.clone()).await.unwrap().unwrap();
    assert_eq!(marked.duplicate_of.as_deref(), Some(created.tracking_code.as_str()));
    let selfdup = store.mark_duplicate(staff_id, o.tracking_code.clone(), o.tracking_code.clone(), reply.clone());
    assert_eq!(selfdup.await.unwrap_err(), StorageError::SelfDuplicate);
    let missing = store.mark_duplicate(staff_id, o.tracking_code.clone(), "DL-NONE00".into(), reply);
    assert_eq!(missing.await.unwrap_err(), StorageError::NotFound);

    // The public page's view: no reporter fields exist on it at all.
    let public = store.public_report(created.tracking_code.clone()).await.unwrap().unwrap();
    // Received, in progress, assigned to KTHT, the extension's new deadline.
    assert_eq!((public.category_vi.as_str(), public.photos, public.history.len()), ("Ổ gà", 1, 4));
    assert_eq!((public.unit.as_deref(), public.fix_photos), (Some("DL"), 0));
    assert!(store.public_report("DL-NONE00".into()).await.unwrap().is_none());

    // Where reports are, and when they came: the dashboard's filters.
    let by = |edit: &dyn Fn(&mut ReportFilter)| {
        let mut f = ReportFilter::default();
        edit(&mut f);
        store.staff_reports(f)
    };
    let in_ts = by(&|f| f.commune = Some("TRANG_SON".into())).await.unwrap();
    assert_eq!(in_ts.len(), 2, "both were placed in Tràng Sơn");
    assert_eq!(in_ts[0].place.as_deref(), Some("TRANG_SON"));
    assert!(by(&|f| f.commune = Some("BAI_SON".into())).await.unwrap().is_empty());
    assert_eq!(by(&|f| f.received_from = Some(0)).await.unwrap().len(), 2);
    assert!(by(&|f| f.received_before = Some(0)).await.unwrap().is_empty());
    assert!(by(&|f| f.q = Some("khong co".into())).await.unwrap().is_empty(), "words that are not there");
    assert_eq!(by(&|f| f.q = Some("cong".into())).await.unwrap().len(), 2, "a word inside the text");
    // Reports with a point but no place yet are placed later, once.
    let mut unplaced = report("0190a0a0-0000-7000-8000-0000000000cc", "dev-a", "h3");
    (unplaced.routing.place_code, unplaced.photos) = (None, Vec::new());
    let unplaced = store.create_report(unplaced, "DL".into()).await.unwrap();
    assert!(store.unplaced_reports(10).await.unwrap().is_empty(), "outside every boundary is a place too");
    assert_eq!(by(&|f| f.commune = Some("TRANG_SON".into())).await.unwrap().len(), 2);
    store.set_places(vec![(unplaced.tracking_code.clone(), Some("BAI_SON".into()))]).await.unwrap();
    assert_eq!(by(&|f| f.commune = Some("BAI_SON".into())).await.unwrap().len(), 1);

    // The resident's word: facts by either id, a rating once, a reopen back
    // to a unit with its photos declared, a follow with a follower's photo.
    let facts = store.report_facts(id.to_owned(), false).await.unwrap().unwrap();
    assert_eq!(store.report_facts(created.tracking_code.clone(), true).await.unwrap().unwrap(), facts);
    assert_eq!((facts.device_id.as_deref(), facts.rating_id.as_deref()), (Some("dev-a"), None));
    let rating = NewRating {
        client_id: "0190a0a0-0000-7000-8000-0000000000d1".into(),
        score: "satisfied".into(),
        comment: None,
        on_behalf: false,
        unit_code: facts.unit_code.clone(),
    };
    store.rate(facts.id, rating.clone()).await.unwrap();
    assert!(store.feedback_known(rating.client_id.clone()).await.unwrap());
    assert_eq!(store.rate(facts.id, rating).await.unwrap_err(), StorageError::Conflict, "once");
    let reopen = NewReopen {
        client_id: "0190a0a0-0000-7000-8000-0000000000d2".into(),
        kind: "reopen".into(),
        reason: "Vẫn hỏng".into(),
        from_unit: Some("KTHT".into()),
        unit_code: "KTHT".into(),
        ack_due_at: Some(90_000),
        due_at: Some(900_000),
        photos: vec![DeclaredPhoto {
            id: "0190a0a0-0000-7000-8000-0000000000e1".into(),
            sha256: "cd".repeat(32),
            bytes: 500,
        }],
    };
    store.reopen(facts.id, reopen).await.unwrap();
    let reopened = store.staff_report(created.tracking_code.clone()).await.unwrap().unwrap();
    assert_eq!((reopened.status.as_str(), reopened.due_at_ms, reopened.reopens.len()), ("reopened", Some(900_000), 1));
    assert!(reopened.acknowledged_at.is_none() && reopened.closed_at.is_none(), "open again, not taken up");
    assert_eq!(reopened.rating.as_ref().map(|g| g.score.as_str()), Some("satisfied"));
    let seen = DeclaredPhoto { id: "0190a0a0-0000-7000-8000-0000000000e2".into(), sha256: "ef".repeat(32), bytes: 400 };
    store.follow(facts.id, "dev-b".into(), true, vec![seen.clone()]).await.unwrap();
    store.follow(facts.id, "dev-b".into(), false, vec![seen]).await.unwrap();
    let followed = store.staff_report(created.tracking_code.clone()).await.unwrap().unwrap();
    assert_eq!((followed.followers, followed.me_too), (1, 1), "once per device; 'me too' stays");
    let mut follower_upload = start("u9", "dev-b", "k9", 400, 5);
    follower_upload.photo_id = "0190a0a0-0000-7000-8000-0000000000e2".into();
    assert_eq!(refused(follower_upload.clone()).await, UploadRefusal::NotFound, "not as the reporter");
    follower_upload.follower = true;
    assert!(store.start_upload(follower_upload).await.unwrap().is_ok(), "as the follower who declared it");

    // Accounts: listed by name; a disabled one signs in no more, its
    // sessions end, and it no longer counts as its unit's officer.
    let accounts = store.staff_accounts().await.unwrap();
    let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]) && names.contains(&"ts"));
    assert_eq!(store.officers_in("TRANG_SON".into()).await.unwrap(), 1);
    let (ts_id, _) = store.staff_credentials("ts".into()).await.unwrap().unwrap();
    store.open_session("ts-token".into(), ts_id, "c".into(), i64::MAX).await.unwrap();
    store.disable_staff("ts".into()).await.unwrap();
    assert!(store.staff_credentials("ts".into()).await.unwrap().is_none());
    assert!(store.session("ts-token".into(), 0).await.unwrap().is_none());
    assert_eq!(store.officers_in("TRANG_SON".into()).await.unwrap(), 0);
    assert!(store.staff_accounts().await.unwrap().iter().any(|a| a.name == "ts" && a.disabled_at.is_some()));
    assert_eq!(store.disable_staff("nobody".into()).await.unwrap_err(), StorageError::NotFound);
    store.put_staff("ts".into(), "h2".into(), Role::Officer, Some("TRANG_SON".into())).await.unwrap();
    assert!(store.staff_credentials("ts".into()).await.unwrap().is_some(), "saved again, enabled again");

    // The audit trail: appended, read newest first.
    for action in ["sign_in", "status"] {
        let entry = AuditEntry {
            at: 5,
            staff_id: Some(staff_id),
            actor: "canbo".into(),
            action: action.into(),
            subject: Some(created.tracking_code.clone()),
            detail: None,
        };
        store.audit(entry).await.unwrap();
    }
    let log = store.audit_log(10).await.unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["status", "sign_in"]);
    assert_eq!(store.audit_log(1).await.unwrap().len(), 1);

    // The figures. The first report is KTHT's now (reopened to it, which
    // counts against it); the third is Tràng Sơn's; the duplicate counts
    // for no one; the rating went to the unit that answered (DL).
    let stats = store.unit_stats(0, i64::MAX, i64::MAX - 1, "DL".into()).await.unwrap();
    let of = |unit: &str| stats.iter().find(|s| s.unit == unit).cloned().unwrap_or_default();
    assert_eq!(stats.iter().map(|s| s.received).sum::<i64>(), 2, "{stats:?}");
    assert_eq!((of("KTHT").received, of("KTHT").reopened, of("KTHT").open), (1, 1, 1));
    assert_eq!((of("TRANG_SON").received, of("TRANG_SON").overdue), (1, 1), "past its deadline, open");
    assert_eq!((of("DL").satisfied, of("DL").received), (1, 0));
    let delta = store.figure_delta(0, 0).await.unwrap();
    assert_eq!((delta.reports.len(), delta.ratings.len(), delta.reopens.len()), (3, 1, 1));
    assert_eq!(delta.reports.iter().filter(|r| r.duplicate).count(), 1);
    let later = store.figure_delta(i64::MAX - 1, delta.reopens[0].id).await.unwrap();
    assert_eq!((later.reports.len(), later.ratings.len(), later.reopens.len()), (0, 0, 0));

    // The map and the exports read the same filters as the list.
    let map = |q: Option<&str>| MapQuery {
        filter: ReportFilter { q: q.map(Into::into), ..Default::default() },
        min_lat: 18.8,
        min_lon: 105.2,
        max_lat: 19.0,
        max_lon: 105.4,
        cell_deg: 0.5,
    };
    let cells = store.map_cells(map(None)).await.unwrap();
    assert_eq!(cells.len(), 1, "one cell holds both reports (the duplicate stays off)");
    assert_eq!((cells[0].count, cells[0].overdue), (2, 2), "open, past their deadlines");
    assert!((cells[0].lat - 18.9).abs() < 1e-9);
    assert_eq!(store.map_cells(map(Some("truong"))).await.unwrap()[0].count, 2);
    assert!(store.map_cells(map(Some("khong co"))).await.unwrap().is_empty());
    let rows = store.export_rows(ReportFilter::default(), 10).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].tracking_code, unplaced.tracking_code, "newest first");
    assert_eq!(store.export_rows(ReportFilter::default(), 1).await.unwrap().len(), 1);
    let first = rows.iter().find(|r| r.tracking_code == created.tracking_code).unwrap();
    assert_eq!((first.rating.as_deref(), first.status.as_str()), (Some("satisfied"), "reopened"));

    // Search text with LIKE's and FTS's special characters finds nothing, and fails nothing.
    for q in ["%", "_", "\\", "\"\"", "a%b", "*"] {
        assert!(by(&|f| f.q = Some(q.into())).await.unwrap().is_empty(), "{q}");
    }
}

/// A search finds a report by a short word at the very start of its text
/// and by its address, accents or not, whether the store answers from its
/// index (a rare word) or by reading the newest reports (a common one).
async fn search_contract(store: &dyn Storage) {
    store.add_device("dev-s".into(), "hash-s".into()).await.unwrap();
    // Enough reports with a common word ("xóm", in their addresses) for the
    // store to prefer reading the newest over its index for that word; sent
    // at once, as a busy morning would.
    let others = (0..2100).map(|i| {
        let mut other = report(&format!("0190a0a0-0000-7000-8000-{i:012}"), "dev-s", &format!("h{i}"));
        other.description = format!("Đèn đường số {i} hỏng");
        other.address = Some(format!("Xóm {}, Yên Sơn", i % 9 + 1));
        other.photos = vec![];
        other.photos_expected = 0;
        store.create_report(other, "DL".into())
    });
    for created in futures_util::future::join_all(others).await {
        created.unwrap();
    }
    let mut pond = report("0190a0a0-0000-7000-8000-0000000000a0", "dev-s", "pond");
    pond.description = "Ao tù bốc mùi sau mưa".into();
    pond.address = Some("Xóm Đồng Sơn, Lạc Sơn".into());
    pond.photos = vec![];
    pond.photos_expected = 0;
    let pond = store.create_report(pond, "DL".into()).await.unwrap().tracking_code;
    let found = |q: &'static str| async move {
        let filter = ReportFilter { q: Some(q.into()), limit: Some(500), ..Default::default() };
        store.staff_reports(filter).await.unwrap().into_iter().map(|r| r.tracking_code).collect::<Vec<_>>()
    };
    for q in ["ao", "Ao tù", "AO", "tù", "xom dong", "Đồng Sơn", "lac son", "ao lạc"] {
        assert_eq!(found(q).await, vec![pond.clone()], "{q:?} finds the pond by a word of its text or address");
    }
    let common = found("xóm").await;
    assert_eq!((common.len(), common[0].as_str()), (500, pond.as_str()), "the newest first, by its address");
    assert!(found("au").await.is_empty(), "a short word matches at a word's start only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_storage_finds_short_first_words_and_addresses() {
    let dir = tempfile::tempdir().unwrap();
    search_contract(&SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_storage_finds_short_first_words_and_addresses() {
    let Some(url) = pg::fresh_database("postgres_storage_finds_short_first_words").await else { return };
    let store = PgStorage::connect(&url, Arc::new(phananh_protocol::SystemClock)).await.unwrap();
    search_contract(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_storage_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
    contract(&store).await;
    store.checkpoint();
    // Durable: a fresh open of the same file sees the same records.
    let reopened = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
    assert_eq!(
        reopened.open311_requests(Open311Filter::default()).await.unwrap().len(),
        3,
        "the three reports of the contract"
    );
    assert_eq!(reopened.device_for_token("hash-b".into()).await.unwrap().as_deref(), Some("dev-b"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_storage_keeps_the_contract() {
    let Some(url) = pg::fresh_database("postgres_storage_keeps_the_contract").await else { return };
    let clock = Arc::new(phananh_protocol::SystemClock);
    let store = PgStorage::connect(&url, clock.clone()).await.unwrap();
    contract(&store).await;
    // A second replica's connection sees the same records, and migrating
    // an up-to-date database again changes nothing.
    let other = PgStorage::connect(&url, clock).await.unwrap();
    assert_eq!(other.open311_requests(Open311Filter::default()).await.unwrap().len(), 3);
    assert_eq!(other.device_for_token("hash-b".into()).await.unwrap().as_deref(), Some("dev-b"));
}

/// Two replicas writing at once: a phone's retry through the other replica
/// makes one report, and a reader of the changes feed that follows its
/// cursor while officers write never skips a step (sequence order is
/// commit order).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_replicas_create_once_and_the_feed_never_skips() {
    let Some(url) = pg::fresh_database("postgres_replicas_create_once_and_the_feed_never_skips").await else {
        return;
    };
    let clock = Arc::new(phananh_protocol::SystemClock);
    let a = Arc::new(PgStorage::connect(&url, clock.clone()).await.unwrap());
    let b = Arc::new(PgStorage::connect(&url, clock).await.unwrap());
    a.add_device("dev-a".into(), "hash-a".into()).await.unwrap();
    let id = "0190a0a0-0000-7000-8000-0000000000aa";
    let twins: Vec<_> = (0..8)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move { store.create_report(report(id, "dev-a", "h1"), "DL".into()).await })
        })
        .collect();
    let mut codes = std::collections::BTreeSet::new();
    for t in twins {
        codes.insert(t.await.unwrap().unwrap().tracking_code);
    }
    assert_eq!(codes.len(), 1, "eight concurrent twins, one report");
    let code = codes.into_iter().next().unwrap();
    a.put_staff("canbo".into(), "h".into(), Role::Coordinator, None).await.unwrap();
    let (staff_id, _) = a.staff_credentials("canbo".into()).await.unwrap().unwrap();

    // Writers made slow between taking a sequence number and committing
    // (a trigger in the real database), where a skipped step would hide.
    let (raw, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    raw.batch_execute(
        "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN PERFORM pg_sleep(random() * 0.02); RETURN NEW; END $$;
         CREATE TRIGGER slow_commit AFTER INSERT ON changes FOR EACH ROW EXECUTE FUNCTION slow_commit();",
    )
    .await
    .unwrap();
    // 4 writers × 25 steps, each on its own report of the device (one
    // report's writers queue on its row anyway), through both replicas,
    // while a reader polls.
    const WRITERS: usize = 4;
    const STEPS: usize = 25;
    let mut codes = vec![code];
    for w in 1..WRITERS {
        let mut r = report(&format!("0190a0a0-0000-7000-8000-0000000001{w:02}"), "dev-a", "h");
        r.photos.clear();
        codes.push(a.create_report(r, "DL".into()).await.unwrap().tracking_code);
    }
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = if w % 2 == 0 { a.clone() } else { b.clone() };
            let code = codes[w].clone();
            tokio::spawn(async move {
                for n in 0..STEPS {
                    let reply = Some(format!("{w}-{n}"));
                    let update =
                        StatusUpdate { staff_id, tracking_code: code.clone(), status: "in_progress".into(), reply };
                    store.change_status(update).await.unwrap();
                }
            })
        })
        .collect();
    let mut seen = Vec::new();
    let mut cursor = 0;
    let done = |seen: &Vec<String>| seen.len() == WRITERS + WRITERS * STEPS;
    for _ in 0..100_000 {
        let slice = b.changes("dev-a".into(), cursor, 7).await.unwrap();
        cursor = slice.last;
        seen.extend(slice.changes.into_iter().map(|c| c.reply.unwrap_or_default()));
        if done(&seen) {
            break;
        }
        tokio::task::yield_now().await;
    }
    for w in writers {
        w.await.unwrap();
    }
    assert!(done(&seen), "the reader saw {} of {} steps", seen.len(), WRITERS + WRITERS * STEPS);
    let distinct: std::collections::BTreeSet<_> = seen.iter().filter(|r| !r.is_empty()).collect();
    assert_eq!(distinct.len(), WRITERS * STEPS, "every step once");
}

/// What replicas agree on through PostgreSQL: a limit counted on one
/// replica holds on the other, a sign-in back-off too, and an upload's
/// claim is one holder's until released or until its lease runs out (a
/// replica that died).
#[tokio::test]
async fn postgres_replicas_share_limits_back_off_and_claims() {
    use phananh_server::coordination::{Coordination, FREE_FAILURES};
    let Some(url) = pg::fresh_database("postgres_replicas_share_limits_back_off_and_claims").await else { return };
    let clock = Arc::new(phananh_protocol::SystemClock);
    let a = PgStorage::connect(&url, clock.clone()).await.unwrap().coordination();
    let b = PgStorage::connect(&url, clock).await.unwrap().coordination();
    let t0 = 1_700_000_000_000i64;
    for i in 0..4 {
        let on = if i % 2 == 0 { &a } else { &b };
        assert!(on.hit("create:dev:x".into(), 4, t0).await.unwrap().is_ok());
    }
    assert_eq!(b.hit("create:dev:x".into(), 4, t0 + 1_000).await.unwrap(), Err(59), "4 of 4, on either replica");
    assert!(a.hit("create:dev:y".into(), 4, t0).await.unwrap().is_ok(), "other keys are not affected");
    assert!(a.hit("create:dev:x".into(), 4, t0 + 200_000).await.unwrap().is_ok(), "a quiet while later");

    for _ in 0..FREE_FAILURES {
        a.sign_in_failed("Lan".into(), t0).await.unwrap();
    }
    assert_eq!(b.sign_in_wait("lan".into(), t0).await.unwrap(), Some(60));
    b.sign_in_succeeded("LAN".into()).await.unwrap();
    assert_eq!(a.sign_in_wait("lan".into(), t0).await.unwrap(), None);

    assert!(a.claim("u1".into(), "a-1".into(), t0, t0 + 30_000).await.unwrap());
    assert!(!b.claim("u1".into(), "b-1".into(), t0 + 1, t0 + 30_001).await.unwrap(), "held on the other replica");
    b.release("u1".into(), "b-1".into()).await.unwrap();
    assert!(!b.claim("u1".into(), "b-1".into(), t0 + 2, t0 + 30_002).await.unwrap(), "only its holder releases it");
    a.renew("u1".into(), "a-1".into(), t0 + 60_000).await.unwrap();
    assert!(!b.claim("u1".into(), "b-1".into(), t0 + 40_000, t0 + 70_000).await.unwrap(), "renewed");
    assert!(b.claim("u1".into(), "b-1".into(), t0 + 60_000, t0 + 90_000).await.unwrap(), "the lease ran out");
    b.release("u1".into(), "b-1".into()).await.unwrap();
    assert!(a.claim("u1".into(), "a-2".into(), t0 + 60_001, t0 + 90_001).await.unwrap(), "released");
    a.sign_in_failed("minh".into(), t0).await.unwrap();
    a.tidy(t0 + 1_000_000).await.unwrap();
    assert!(b.claim("u1".into(), "b-2".into(), t0 + 1_000_000, t0 + 1_030_000).await.unwrap());
    // An old failure was forgotten: the free failures start again.
    for _ in 0..FREE_FAILURES - 1 {
        b.sign_in_failed("minh".into(), t0 + 1_000_000).await.unwrap();
    }
    assert_eq!(a.sign_in_wait("minh".into(), t0 + 1_000_000).await.unwrap(), None, "tidied, as in memory");

    // A replica that dies holding a claim frees it at once, lease or not:
    // its liveness lock goes with its connection.
    assert!(a.claim("u2".into(), "a-3".into(), t0, i64::MAX).await.unwrap());
    assert!(!b.claim("u2".into(), "b-3".into(), t0, i64::MAX).await.unwrap(), "alive, held");
    drop(a);
    let mut taken = false;
    for _ in 0..500 {
        if b.claim("u2".into(), "b-3".into(), t0, i64::MAX).await.unwrap() {
            taken = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(taken, "the dead replica's claim was taken over");
}

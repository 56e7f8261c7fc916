//! The use cases through `App`, as the shells and the CLI call them.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use super::*;
use crate::model::{Location, StateKind};
use crate::protocol::{ManualClock, vn_time};
use crate::sync::MemorySecretStore;
use time::macros::datetime;

fn config(dir: &std::path::Path, server: Option<&str>, locale: &str) -> AppConfig {
    AppConfig {
        data_dir: dir.to_string_lossy().into_owned(),
        default_server_url: server.map(str::to_owned),
        device_locale: Some(locale.into()),
        user_agent_suffix: None,
    }
}

/// Nothing listens on port 9 here.
const NOWHERE: &str = "http://127.0.0.1:9";

fn open(dir: &std::path::Path, server: Option<&str>, locale: &str) -> App {
    App::open(config(dir, server, locale), Arc::new(MemorySecretStore::default())).unwrap()
}

#[test]
fn settings_follow_the_device_until_chosen_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path(), Some(" http://10.0.2.2:8080/ "), "fr-FR");
    let first = app.settings();
    assert_eq!(
        first,
        Settings { language: Lang::En, server_url: "http://10.0.2.2:8080".into(), volunteer_mode: false }
    );
    assert_eq!(open(tempfile::tempdir().unwrap().path(), None, "vi-VN").language(), Lang::Vi);

    let saved = app
        .save_settings(Settings {
            language: Lang::Vi,
            server_url: "  http://192.168.1.5:8080/ ".into(),
            volunteer_mode: true,
        })
        .unwrap();
    assert_eq!(saved.server_url, "http://192.168.1.5:8080");
    assert_eq!(app.settings(), saved);
    assert_eq!(app.texts().send, "Gửi", "the language switched at once");

    // Not an address: why, in the chosen language, and nothing kept.
    for bad in ["10.0.2.2:8080", "ftp://x", "http://"] {
        let err = app.save_settings(Settings { server_url: bad.into(), ..saved.clone() }).unwrap_err();
        assert!(matches!(err, Error::Config(ref m) if m.contains("không phải địa chỉ máy chủ")), "{bad}: {err}");
    }
    assert_eq!(app.settings(), saved);
    // Blank is the default.
    assert_eq!(
        app.save_settings(Settings { server_url: " ".into(), ..saved.clone() }).unwrap().server_url,
        "http://10.0.2.2:8080"
    );
    drop(app);

    // A new process, a device now in English: the user's choice stands.
    let again = open(dir.path(), Some(NOWHERE), "en-US");
    assert_eq!(again.settings().language, Lang::Vi);
    assert!(again.settings().volunteer_mode);
    assert_eq!(again.settings().server_url, "http://10.0.2.2:8080");
}

#[test]
fn a_bad_default_server_is_refused_and_no_server_still_keeps_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let err = App::open(config(dir.path(), Some("not a url"), "vi"), Arc::new(MemorySecretStore::default()));
    assert!(matches!(err, Err(Error::Config(_))));
    let app = open(dir.path(), None, "vi");
    let draft = app.create_draft(&DraftFields { description: Some("Ổ gà".into()), ..Default::default() }).unwrap();
    assert_eq!(app.get_report(&draft.id).unwrap().description, "Ổ gà");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    assert!(matches!(rt.block_on(app.sync_once()), Err(Error::Config(_))));
    assert!(app.sync_status().unwrap().offline);
}

#[test]
fn views_carry_labels_sizes_and_vietnam_times() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(vn_time::ms(datetime!(2026-12-04 10:00 UTC))));
    let store = Store::open_in(dir.path()).unwrap().with_clock(clock.clone());
    let app = App::with_store(store, config(dir.path(), Some(NOWHERE), "vi"), Arc::new(MemorySecretStore::default()))
        .unwrap();
    let fields = DraftFields {
        description: Some("Đèn đường hỏng".into()),
        location: Some(Location { lat: 18.9, lon: 105.3, accuracy_m: Some(7.6) }),
        for_name: Some("Bà Lan".into()),
        ..Default::default()
    };
    let draft = app.create_draft(&fields).unwrap();
    assert_eq!(draft.state, StateKind::Draft);
    assert_eq!(draft.state_label, "Bản nháp");
    assert_eq!(draft.location_label.as_deref(), Some("18.90000, 105.30000 ±8 m"));
    assert!(draft.on_behalf, "a neighbour's name means filing for them");
    assert_eq!(draft.created_label, "17:00 04/12/2026");

    let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/photos/real/iphone_hdr_NO.jpg");
    let attached = app.attach_photo(&draft.id, PhotoSource::Path(&photo)).unwrap();
    assert_eq!(attached.photo.size_label, size_label(attached.photo.bytes));
    assert!(attached.photo.size_label.ends_with(" KB"));
    let gps = attached.suggestion.location.unwrap();
    assert!((gps.lat - 40.446_972).abs() < 1e-5);

    // The district routes it: the unit and deadline in one line, Vietnam time.
    let step = crate::model::StatusEntry {
        status: crate::model::Status::Assigned,
        at: datetime!(2026-12-04 10:05 UTC),
        reply: None,
        unit: Some(("TRANG_SON".into(), "UBND xã Tràng Sơn".into())),
        due_at: Some(datetime!(2026-12-11 10:00 UTC)),
    };
    let id = app.report_id(&draft.id).unwrap();
    let update = crate::store::StatusUpdate { report: id, entry: step };
    app.store().apply_changes(&[update], &[], "c1").unwrap();
    let routed = app.get_report(&draft.id).unwrap();
    assert_eq!(routed.handling_line.as_deref(), Some("Đơn vị xử lý: UBND xã Tràng Sơn · Hạn xử lý: 17:00 11/12/2026"));
    assert_eq!(
        app.list_reports(&ListFilter::default()).unwrap().items[0].unit_name.as_deref(),
        Some("UBND xã Tràng Sơn")
    );

    clock.set(vn_time::ms(datetime!(2026-12-04 13:00 UTC)));
    let later = app.get_report(&draft.id).unwrap();
    assert_eq!(later.created_relative, "3 giờ trước");
    assert_eq!(later.photos_size_label, attached.photo.size_label);
    app.set_language(Lang::En).unwrap();
    let row = app.list_reports(&ListFilter::default()).unwrap().items.remove(0);
    assert_eq!(row.state_label, "Draft");
    assert_eq!(row.updated_relative, "3 hours ago");
    assert_eq!(row.photo_count, 1);
}

#[derive(Default)]
struct Heard(Mutex<Vec<SyncEvent>>);

impl AppListener for Heard {
    fn on_event(&self, event: SyncEvent) {
        self.0.lock().unwrap().push(event);
    }
}

#[test]
fn submit_tells_the_running_sync_and_a_new_server_keeps_it_running() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path(), Some(NOWHERE), "vi");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let heard = Arc::new(Heard::default());
    app.set_online(false); // no passes: only what submit says is heard
    app.start_sync(heard.clone(), rt.handle().clone());
    assert!(app.is_syncing());

    let fields = DraftFields {
        category: Some("o_ga".into()),
        description: Some("Ổ gà lớn giữa đường liên xã, xe máy đã ngã".into()),
        location: Some(Location { lat: 18.9, lon: 105.3, accuracy_m: None }),
        ..Default::default()
    };
    let draft = app.create_draft(&fields).unwrap();
    let queued = app.submit(&draft.id).unwrap();
    assert_eq!(queued.state, StateKind::Queued);
    assert!(heard.0.lock().unwrap().contains(&SyncEvent::Queued { report_id: draft.id.clone() }));
    assert_eq!(app.sync_status().unwrap().waiting, 1);

    app.save_settings(Settings { server_url: "http://127.0.0.1:10".into(), ..app.settings() }).unwrap();
    assert!(app.is_syncing(), "the loop moved to the new server");
    app.stop_sync();
    assert!(!app.is_syncing());
}

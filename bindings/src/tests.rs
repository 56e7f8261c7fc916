//! Every exported function with hostile input: errors, never panics (an
//! `Internal` error would mean a panic was caught, so none is accepted).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use phananh_core::app::*;
use phananh_core::model::{Location, StateKind};

use super::*;
use crate::api::guard;
use phananh_core::Lang;

/// Wait for a future on a throwaway runtime.
fn futures_lite_block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

#[derive(Default)]
struct Secrets(Mutex<HashMap<String, String>>);

impl SecretStore for Secrets {
    fn get(&self, key: String) -> Result<Option<String>, PhanAnhError> {
        Ok(self.0.lock().unwrap().get(&key).cloned())
    }
    fn set(&self, key: String, value: String) -> Result<(), PhanAnhError> {
        self.0.lock().unwrap().insert(key, value);
        Ok(())
    }
    fn remove(&self, key: String) -> Result<(), PhanAnhError> {
        self.0.lock().unwrap().remove(&key);
        Ok(())
    }
}

struct Quiet;
impl SyncListener for Quiet {
    fn on_event(&self, _event: SyncEvent) {}
}

/// A listener that panics on every event: the sync must carry on.
struct Panicky;
impl SyncListener for Panicky {
    fn on_event(&self, _event: SyncEvent) {
        panic!("listener bug");
    }
}

fn config(dir: &std::path::Path, server: &str) -> AppConfig {
    AppConfig {
        data_dir: dir.to_string_lossy().into_owned(),
        default_server_url: Some(server.into()),
        device_locale: Some("en-GB".into()),
        user_agent_suffix: None,
    }
}

/// Nothing listens on port 9 here: every network call fails fast.
const NOWHERE: &str = "http://127.0.0.1:9";

fn not_internal<T>(what: &str, r: Result<T, PhanAnhError>) -> Result<T, PhanAnhError> {
    if let Err(PhanAnhError::Internal { detail }) = &r {
        panic!("{what}: a panic was caught: {detail}");
    }
    r
}

#[test]
fn opening_with_bad_config_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(Secrets::default());
    assert!(matches!(
        not_internal("empty dir", PhanAnh::new(config(std::path::Path::new(""), NOWHERE), secrets.clone())),
        Err(PhanAnhError::Storage { .. })
    ));
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    assert!(not_internal("file as dir", PhanAnh::new(config(&file, NOWHERE), secrets.clone())).is_err());
    for url in ["not a url", "ftp://example.com", "http://", "\u{0}"] {
        let r = not_internal(url, PhanAnh::new(config(dir.path(), url), secrets.clone()));
        assert!(matches!(r, Err(PhanAnhError::Validation { ref field, .. }) if field == "server_url"), "{url:?}");
    }
    // No server at all (the CLI before `--server`): drafts work, network calls say why.
    let none = PhanAnh::new(config(dir.path(), ""), secrets.clone()).unwrap();
    assert!(none.create_draft(DraftFields::default()).is_ok());
    let no_server = futures_lite_block(none.sync_once());
    assert!(matches!(no_server, Err(PhanAnhError::Validation { ref field, .. }) if field == "server_url"));
    // Not a database: refused, left untouched.
    let db = dir.path().join("db");
    std::fs::create_dir_all(&db).unwrap();
    std::fs::write(db.join("phananh.sqlite3"), vec![0x42; 4096]).unwrap();
    assert!(matches!(
        not_internal("not a db", PhanAnh::new(config(&db, NOWHERE), secrets)),
        Err(PhanAnhError::Storage { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_with_hostile_input_errs_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let app = PhanAnh::new(config(dir.path(), NOWHERE), Arc::new(Secrets::default())).unwrap();
    let huge = "ổ gà ".repeat(200_000);
    let ids = ["", " ", "x", "01a2", &"z".repeat(10_000), "'; DROP TABLE reports; --", "\u{0}"];

    for id in ids {
        assert!(matches!(not_internal("get", app.get_report(id.into())), Err(PhanAnhError::NotFound { .. })));
        assert!(not_internal("update", app.update_draft(id.into(), DraftFields::default())).is_err());
        assert!(not_internal("delete", app.delete_report(id.into())).is_err());
        assert!(not_internal("submit", app.submit(id.into())).is_err());
        assert!(not_internal("retry", app.retry(id.into())).is_err());
        assert!(not_internal("attach", app.attach_photo_bytes(id.into(), vec![0xff, 0xd8])).is_err());
        assert!(not_internal("remove photo", app.remove_photo(id.into())).is_err());
    }

    // Huge and empty texts are saved as drafts; submit lists what is wrong.
    let draft = not_internal(
        "huge draft",
        app.create_draft(DraftFields {
            description: Some(huge.clone()),
            address: Some(huge.clone()),
            reporter_phone: Some("not a phone ☎".into()),
            category: Some(String::new()),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(matches!(not_internal("submit huge", app.submit(draft.id.clone())), Err(PhanAnhError::Validation { .. })));
    let empty = not_internal("empty draft", app.create_draft(DraftFields::default())).unwrap();
    assert!(matches!(not_internal("submit empty", app.submit(empty.id.clone())), Err(PhanAnhError::Validation { .. })));

    for (lat, lon) in [(f64::NAN, 105.0), (18.9, f64::INFINITY), (f64::NEG_INFINITY, f64::NAN)] {
        let fields =
            DraftFields { location: Some(Location { lat, lon, accuracy_m: Some(f64::NAN) }), ..Default::default() };
        assert!(matches!(
            not_internal("nan location", app.update_draft(empty.id.clone(), fields)),
            Err(PhanAnhError::Validation { .. })
        ));
        assert!(not_internal("nearby nan", app.nearby(lat, lon, None).await).is_err());
    }
    assert!(not_internal("nearby out of range", app.nearby(91.0, 0.0, Some(String::new())).await).is_err());
    assert!(matches!(
        not_internal("nearby offline", app.nearby(18.9, 105.3, Some("o_ga".into())).await),
        Err(PhanAnhError::Offline { .. })
    ));

    // Photos: a missing file, a directory, garbage, nothing, a big nothing.
    let dir_path = dir.path().to_string_lossy().into_owned();
    for path in ["", "/definitely/not/here.jpg", dir_path.as_str(), "\u{0}"] {
        assert!(not_internal("attach path", app.attach_photo_path(empty.id.clone(), path.into())).is_err(), "{path:?}");
    }
    for bytes in [Vec::new(), b"GIF89a not really".to_vec(), vec![0u8; 8 * 1024 * 1024], vec![0xff, 0xd8, 0xff, 0xe0]] {
        assert!(matches!(
            not_internal("attach bytes", app.attach_photo_bytes(empty.id.clone(), bytes)),
            Err(PhanAnhError::PhotoRejected { .. })
        ));
    }

    // Lists with odd filters.
    for filter in [
        ListFilter { states: vec![], category: None, search: Some(huge.clone()), limit: 0, offset: u32::MAX },
        ListFilter {
            states: vec![StateKind::Sent],
            category: Some("\u{0}".into()),
            search: Some("%_\\".into()),
            limit: u32::MAX,
            offset: 0,
        },
    ] {
        // Out-of-range paging may be refused; it must not panic.
        let _ = not_internal("list", app.list_reports(filter));
    }

    // A report that is not in "needs attention" cannot be retried.
    assert!(matches!(not_internal("retry draft", app.retry(empty.id.clone())), Err(PhanAnhError::NotEditable { .. })));
    assert!(not_internal("categories", app.categories()).unwrap().is_empty());
    assert!(matches!(not_internal("refresh", app.refresh_categories().await), Err(PhanAnhError::Offline { .. })));
    let summary = not_internal("sync offline", app.sync_once().await).unwrap();
    assert!(summary.offline);
    app.set_online(false);
    app.set_online(true);
    app.set_language(Lang::En).unwrap();
    assert_eq!(app.texts().send, "Send");
    app.set_language(Lang::Vi).unwrap();
    assert_eq!(app.language(), Lang::Vi);
    assert_eq!(app.texts().send, "Gửi");
    for m in [f64::NAN, f64::INFINITY, -5.0, 1e300] {
        assert!(app.accuracy_label(m).ends_with(" m"));
    }
    assert!(not_internal("outbox", app.outbox_count()).is_ok());
    assert!(not_internal("discard unknown", app.discard_if_untouched("nope".into())).is_err());
    // Settings: hostile addresses are refused in the chosen language, and nothing is kept.
    let before = app.settings();
    for url in ["\u{0}", "ftp://x", &"h".repeat(100_000)] {
        let wanted = Settings { server_url: url.into(), ..before.clone() };
        assert!(matches!(not_internal("settings", app.save_settings(wanted)), Err(PhanAnhError::Validation { .. })));
    }
    assert_eq!(app.settings(), before);
    let status = not_internal("status", app.sync_status()).unwrap();
    assert!(!status.busy && !status.text.is_empty());

    // A listener that panics does not stop the sync or cross the FFI.
    let task = app.start_sync(Arc::new(Panicky));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!task.is_stopped());
    task.cancel();
    let quiet = app.start_sync(Arc::new(Quiet));
    quiet.cancel();
    drop(quiet);
    assert!(not_internal("delete", app.delete_report(draft.id)).is_ok());
}

#[test]
fn a_panic_becomes_an_internal_error() {
    let r: Result<(), PhanAnhError> = guard(phananh_core::Lang::Vi, || panic!("boom"));
    match r {
        Err(PhanAnhError::Internal { detail }) => {
            assert!(detail.contains("boom"));
            assert!(detail.starts_with("Lỗi bên trong ứng dụng"));
        }
        other => panic!("expected Internal, got {other:?}"),
    }
}

#[test]
fn errors_speak_the_chosen_language() {
    let dir = tempfile::tempdir().unwrap();
    let app = PhanAnh::new(config(dir.path(), NOWHERE), Arc::new(Secrets::default())).unwrap();
    let draft = app.create_draft(DraftFields::default()).unwrap();
    let message = |app: &PhanAnh| match app.submit(draft.id.clone()) {
        Err(PhanAnhError::Validation { detail, .. }) => detail,
        other => panic!("{other:?}"),
    };
    let en = message(&app);
    app.set_language(Lang::Vi).unwrap();
    let vi = message(&app);
    assert_ne!(en, vi);
    assert!(vi.contains("Mô tả") || vi.contains("Loại"), "{vi}");
}

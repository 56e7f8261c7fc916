use std::path::Path;

use phananh_protocol::{Field, Limits, ServiceArea, ValidationError};
use tempfile::TempDir;

use super::*;
use crate::Error;
use crate::Lang;
use crate::model::{DraftPatch, Location, Photo, PhotoId, ReportState, StateKind};

fn open() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    (dir, store)
}

fn complete() -> DraftPatch {
    DraftPatch {
        category: Some(Some("o_ga".into())),
        description: Some("Ổ gà lớn giữa đường liên xã, xe máy dễ ngã".into()),
        location: Some(Some(Location { lat: 18.9, lon: 105.3, accuracy_m: Some(6.0) })),
        ..Default::default()
    }
}

fn photo_files(store: &Store, n: usize) -> Vec<Photo> {
    (0..n)
        .map(|i| {
            let id = PhotoId::new();
            let file = format!("{id}.jpg");
            let thumb = format!("{id}.thumb.jpg");
            std::fs::write(store.photo_path(&file), format!("jpeg {i}")).unwrap();
            std::fs::write(store.photo_path(&thumb), format!("thumb {i}")).unwrap();
            Photo { id, file, thumb_file: Some(thumb), sha256: "ab".repeat(32), bytes: 6, width: 1600, height: 1200 }
        })
        .collect()
}

#[test]
fn create_edit_get_round_trip() {
    let (_dir, store) = open();
    let draft = store.create_draft(&DraftPatch::default()).unwrap();
    assert_eq!(draft.state, ReportState::Draft);
    assert_eq!(draft.description, "");
    store.update_draft(draft.id, &complete()).unwrap();
    store
        .update_draft(
            draft.id,
            &DraftPatch {
                reporter_name: Some(Some("  Nguyễn Văn An ".into())),
                reporter_phone: Some(Some("0912 345 678".into())),
                anonymous: Some(true),
                address: Some(Some("Xóm 3, xã Đà Sơn".into())),
                ..Default::default()
            },
        )
        .unwrap();
    let got = store.get(draft.id).unwrap();
    assert_eq!(got.category.as_deref(), Some("o_ga"));
    assert_eq!(got.reporter.name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(got.reporter.phone.as_deref(), Some("0912 345 678"), "kept as typed until submit");
    assert!(got.reporter.anonymous);
    assert_eq!(got.location, Some(Location { lat: 18.9, lon: 105.3, accuracy_m: Some(6.0) }));
    assert!(got.updated_at >= got.created_at);

    // Clearing a field.
    store
        .update_draft(draft.id, &DraftPatch { address: Some(None), location: Some(None), ..Default::default() })
        .unwrap();
    let got = store.get(draft.id).unwrap();
    assert_eq!(got.address, None);
    assert_eq!(got.location, None);
}

#[test]
fn decomposed_text_is_stored_composed_and_found() {
    let (_dir, store) = open();
    let decomposed = "\u{0110}u\u{031B}o\u{031B}\u{0300}ng la\u{0300}ng bi\u{0323} nga\u{0302}\u{0323}p sa\u{0302}u";
    assert_ne!(decomposed, "Đường làng bị ngập sâu");
    let r = store.create_draft(&DraftPatch { description: Some(decomposed.into()), ..Default::default() }).unwrap();
    assert_eq!(store.get(r.id).unwrap().description, "Đường làng bị ngập sâu");
    // Found by the composed form, by the decomposed form and without accents.
    for q in ["Đường", "\u{0110}u\u{031B}o\u{031B}\u{0300}ng", "duong", "DUONG LANG"] {
        let page = store.list(&ListQuery { search: Some(q.into()), ..Default::default() }).unwrap();
        assert_eq!(page.items.len(), 1, "{q}");
        assert_eq!(page.items[0].description, "Đường làng bị ngập sâu");
    }
}

#[test]
fn search_ignores_accents_and_case() {
    let (_dir, store) = open();
    let mk = |d: &str, addr: Option<&str>, neighbour: Option<&str>| {
        store
            .create_draft(&DraftPatch {
                description: Some(d.into()),
                address: addr.map(|a| Some(a.into())),
                for_name: neighbour.map(|n| Some(n.into())),
                ..Default::default()
            })
            .unwrap()
            .id
    };
    let road = mk("Đường trục xã có ổ gà", None, None);
    let lamp = mk("Đèn đường hỏng ba hôm nay", None, None);
    let rubbish = mk("Rác thải đổ trộm bên bờ sông", Some("Thôn Đông Sơn"), Some("Bà Lê Thị Đào"));
    let search = |q: &str| {
        let mut ids: Vec<_> = store
            .list(&ListQuery { search: Some(q.into()), ..Default::default() })
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.id)
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<_>| {
        v.sort();
        v
    };
    assert_eq!(search("duong"), sorted(vec![road, lamp]));
    assert_eq!(search("den"), vec![lamp]);
    assert_eq!(search("ĐÈN"), vec![lamp]);
    assert_eq!(search("den duong"), vec![lamp], "every word must match");
    assert_eq!(search("o ga"), vec![road]);
    assert_eq!(search("dong son"), vec![rubbish], "address is searched");
    assert_eq!(search("dao"), vec![rubbish], "the neighbour's name is searched");
    assert_eq!(search("cau"), Vec::<crate::model::ReportId>::new());
    assert_eq!(search("   ").len(), 3, "an empty search lists all");
    // LIKE wildcards are plain text here.
    assert!(search("%").is_empty());
}

#[test]
fn paging_is_newest_first_without_gaps_or_repeats() {
    let (_dir, store) = open();
    let mut made = Vec::new();
    for i in 0..23 {
        made.push(
            store
                .create_draft(&DraftPatch { description: Some(format!("Báo cáo số {i}")), ..Default::default() })
                .unwrap()
                .id,
        );
    }
    made.reverse();
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = store.list(&ListQuery { limit: 5, offset, ..Default::default() }).unwrap();
        assert!(page.items.len() <= 5);
        seen.extend(page.items.iter().map(|s| s.id));
        offset += 5;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen, made, "newest first, each once");
    assert_eq!(offset, 25);
}

#[test]
fn list_filters_by_state_and_category() {
    let (_dir, store) = open();
    let a = store.create_draft(&complete()).unwrap().id;
    let b = store.create_draft(&DraftPatch { category: Some(Some("rac_thai".into())), ..complete() }).unwrap().id;
    store.submit(a).unwrap();
    let ids = |q: ListQuery| store.list(&q).unwrap().items.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids(ListQuery { states: vec![StateKind::Queued], ..Default::default() }), vec![a]);
    assert_eq!(ids(ListQuery { states: vec![StateKind::Draft], ..Default::default() }), vec![b]);
    assert_eq!(ids(ListQuery { states: vec![StateKind::Draft, StateKind::Queued], ..Default::default() }), vec![b, a]);
    assert_eq!(ids(ListQuery { category: Some("rac_thai".into()), ..Default::default() }), vec![b]);
    assert!(ids(ListQuery { states: vec![StateKind::Sent], ..Default::default() }).is_empty());
}

#[test]
fn submit_validates_then_queues() {
    let (_dir, store) = open();
    let id = store.create_draft(&DraftPatch { description: Some("ngắn".into()), ..Default::default() }).unwrap().id;
    let Err(Error::Invalid(errors)) = store.submit(id) else { panic!("an incomplete draft must not be queued") };
    let fields: Vec<_> = errors.0.iter().map(|e| e.field()).collect();
    assert_eq!(fields, [Field::Category, Field::Description, Field::Location]);
    assert!(Error::Invalid(errors.clone()).message(Lang::Vi).contains("Hãy chọn loại sự việc"));
    assert!(Error::Invalid(errors).message(Lang::En).contains("Choose a category"));
    assert_eq!(store.get(id).unwrap().state, ReportState::Draft, "nothing changed");

    store.update_draft(id, &complete()).unwrap();
    store
        .update_draft(
            id,
            &DraftPatch {
                reporter_phone: Some(Some("091.234.5678".into())),
                // Typed, then filing-for-someone switched off: must not leave.
                for_name: Some(Some("Ông Hùng".into())),
                for_phone: Some(Some("0388888888".into())),
                ..Default::default()
            },
        )
        .unwrap();
    let queued = store.submit(id).unwrap();
    assert_eq!(queued.state, ReportState::Queued);
    assert_eq!(queued.reporter.phone.as_deref(), Some("+84912345678"));
    assert_eq!(queued.on_behalf_of, None);
    let page = store.list(&ListQuery { search: Some("hung".into()), ..Default::default() }).unwrap();
    assert!(page.items.is_empty(), "the neighbour's name is gone from the search index too");

    // Past the draft stage it cannot be edited, submitted again or have photos added.
    let err =
        store.update_draft(id, &DraftPatch { description: Some("khác đi một chút".into()), ..Default::default() });
    assert!(matches!(err, Err(Error::NotEditable { state: StateKind::Queued, .. })), "{err:?}");
    assert!(matches!(store.submit(id), Err(Error::NotEditable { .. })));
}

#[test]
fn filing_for_a_neighbour_needs_consent() {
    let (_dir, store) = open();
    let id = store
        .create_draft(&DraftPatch {
            on_behalf: Some(true),
            for_name: Some(Some("Bà Lan".into())),
            for_phone: Some(Some("+84 388 888 888".into())),
            ..complete()
        })
        .unwrap()
        .id;
    let Err(Error::Invalid(errors)) = store.submit(id) else { panic!("no consent, no submit") };
    assert_eq!(errors.0, vec![ValidationError::ConsentMissing]);
    store.update_draft(id, &DraftPatch { consent: Some(true), ..Default::default() }).unwrap();
    let queued = store.submit(id).unwrap();
    let behalf = queued.on_behalf_of.unwrap();
    assert_eq!(behalf.name.as_deref(), Some("Bà Lan"));
    assert_eq!(behalf.phone.as_deref(), Some("+84388888888"));
    assert!(behalf.consent);
}

#[test]
fn the_servers_area_and_limits_apply_at_submit() {
    let (_dir, store) = open();
    store
        .set_service_area(Some(&ServiceArea { min_lat: 18.80, min_lon: 105.15, max_lat: 19.05, max_lon: 105.45 }))
        .unwrap();
    let hanoi =
        DraftPatch { location: Some(Some(Location { lat: 21.03, lon: 105.85, accuracy_m: None })), ..complete() };
    let id = store.create_draft(&hanoi).unwrap().id;
    let Err(Error::Invalid(errors)) = store.submit(id) else { panic!("outside the area") };
    assert_eq!(errors.0, vec![ValidationError::OutsideServiceArea]);

    store.set_limits(&Limits { description_min: 50, ..Limits::default() }).unwrap();
    let id = store.create_draft(&complete()).unwrap().id;
    let Err(Error::Invalid(errors)) = store.submit(id) else { panic!("too short for this server") };
    assert!(matches!(errors.0[..], [ValidationError::DescriptionTooShort { min: 50, .. }]));
}

#[test]
fn nan_coordinates_are_refused_when_typed() {
    let (_dir, store) = open();
    let id = store.create_draft(&DraftPatch::default()).unwrap().id;
    let err = store
        .update_draft(
            id,
            &DraftPatch {
                location: Some(Some(Location { lat: f64::NAN, lon: 105.0, accuracy_m: None })),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(&err, Error::Invalid(e) if e.0 == vec![ValidationError::LatitudeInvalid]), "{err:?}");
}

#[test]
fn unknown_ids_are_not_found() {
    let (_dir, store) = open();
    let ghost = crate::model::ReportId::new();
    assert!(matches!(store.get(ghost), Err(Error::NotFound(id)) if id == ghost));
    assert!(matches!(store.update_draft(ghost, &complete()), Err(Error::NotFound(_))));
    assert!(matches!(store.delete(ghost), Err(Error::NotFound(_))));
    assert!(matches!(store.submit(ghost), Err(Error::NotFound(_))));
    assert!(matches!(store.remove_photo(PhotoId::new()), Err(Error::PhotoNotFound(_))));
}

#[test]
fn photos_attach_in_order_up_to_the_limit() {
    let (_dir, store) = open();
    let id = store.create_draft(&complete()).unwrap().id;
    let photos = photo_files(&store, 6);
    for p in &photos[..5] {
        store.add_photo(id, p).unwrap();
    }
    assert!(matches!(store.add_photo(id, &photos[5]), Err(Error::TooManyPhotos { max: 5 })));
    let got = store.get(id).unwrap();
    assert_eq!(
        got.photos.iter().map(|p| p.id).collect::<Vec<_>>(),
        photos[..5].iter().map(|p| p.id).collect::<Vec<_>>()
    );
    let summary = &store.list(&ListQuery::default()).unwrap().items[0];
    assert_eq!(summary.photo_count, 5);
    assert_eq!(summary.thumbnail, photos[0].thumb_file);

    store.remove_photo(photos[0].id).unwrap();
    assert!(!store.photo_path(&photos[0].file).exists());
    assert!(!store.photo_path(photos[0].thumb_file.as_deref().unwrap()).exists());
    assert_eq!(store.get(id).unwrap().photos.len(), 4);
}

#[test]
fn deleting_a_draft_removes_its_photo_files() {
    let (_dir, store) = open();
    let keep = store.create_draft(&complete()).unwrap().id;
    let gone = store.create_draft(&complete()).unwrap().id;
    let kept_photo = photo_files(&store, 1).remove(0);
    store.add_photo(keep, &kept_photo).unwrap();
    let photos = photo_files(&store, 2);
    for p in &photos {
        store.add_photo(gone, p).unwrap();
    }
    store.delete(gone).unwrap();
    for p in &photos {
        assert!(!store.photo_path(&p.file).exists());
    }
    assert!(store.photo_path(&kept_photo.file).exists(), "other reports' files stay");
    assert!(matches!(store.get(gone), Err(Error::NotFound(_))));
    let rows: i64 = store.conn().query_row("SELECT count(*) FROM photos", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn orphan_files_are_swept_on_open() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let id = store.create_draft(&complete()).unwrap().id;
    let kept = photo_files(&store, 1).remove(0);
    store.add_photo(id, &kept).unwrap();
    let orphan = store.photo_path("0190f0b0-dead-7000-8000-000000000000.jpg");
    std::fs::write(&orphan, b"left by a crash").unwrap();
    drop(store);
    let store = Store::open_in(dir.path()).unwrap();
    assert!(!orphan.exists());
    assert!(store.photo_path(&kept.file).exists());
}

#[test]
fn a_report_being_sent_cannot_be_deleted() {
    let (_dir, store) = open();
    let id = store.create_draft(&complete()).unwrap().id;
    store.submit(id).unwrap();
    store.conn().execute("UPDATE reports SET state = 'sending'", []).unwrap();
    assert!(matches!(store.delete(id), Err(Error::NotEditable { state: StateKind::Sending, .. })));
}

fn fingerprint(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (std::fs::read(path).unwrap(), std::fs::metadata(path).unwrap().modified().unwrap())
}

fn siblings(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(DB_FILE);
    for content in [&b"just some notes, not a database"[..], &[0u8; 4096][..], &b"SQLite format 3\0 but cut short"[..]]
    {
        std::fs::write(&path, content).unwrap();
        let before = fingerprint(&path);
        let err = Store::open(&path, &dir.path().join("photos")).unwrap_err();
        assert!(matches!(&err, Error::NotADatabase { .. }), "{err:?}");
        assert!(err.message(Lang::Vi).contains("không phải cơ sở dữ liệu"));
        assert_eq!(fingerprint(&path), before);
        assert_eq!(siblings(dir.path()), [DB_FILE], "no -wal, no -journal, no photo dir");
    }
    // A directory where the file should be.
    let err = Store::open(dir.path(), &dir.path().join("photos")).unwrap_err();
    assert!(matches!(err, Error::NotADatabase { .. }), "{err:?}");
}

#[test]
fn a_database_from_a_newer_app_is_refused_untouched() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); INSERT INTO future VALUES (1); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = fingerprint(&path);
    let err = Store::open(&path, &dir.path().join("photos")).unwrap_err();
    assert!(matches!(err, Error::TooNew { found: 99, supported: SCHEMA_VERSION, .. }), "{err:?}");
    assert!(err.message(Lang::En).contains("newer version"));
    assert!(err.message(Lang::Vi).contains("phiên bản ứng dụng mới hơn"));
    assert_eq!(fingerprint(&path), before);
    assert_eq!(siblings(dir.path()), [DB_FILE]);
}

#[test]
fn a_version_1_database_on_disk_is_upgraded_and_keeps_its_drafts() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema::tests::V1).unwrap();
        conn.execute(
            "INSERT INTO reports (id, description, description_fold, created_at, updated_at) \
             VALUES ('0190f0b0-0000-7000-8000-000000000001', 'Cây đổ chắn đường', 'cay do chan duong', 5, 5)",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path, &dir.path().join("photos")).unwrap();
    let page = store.list(&ListQuery { search: Some("cay do".into()), ..Default::default() }).unwrap();
    assert_eq!(page.items.len(), 1);
    let version: u32 = store.conn().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = store.conn().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = store.conn().pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    let fk: i64 = store.conn().pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn short_ids_find_one_report() {
    let (_dir, store) = open();
    let id = store.create_draft(&complete()).unwrap().id;
    let full = id.to_string();
    assert_eq!(store.find_id(&full).unwrap(), id);
    assert_eq!(store.find_id(&full[..13].to_uppercase()).unwrap(), id);
    assert!(matches!(store.find_id("ffff"), Err(Error::UnknownId(_))));
    assert!(matches!(store.find_id("ab"), Err(Error::UnknownId(_))), "too short to mean anything");
    assert!(matches!(store.find_id("zzzz%"), Err(Error::UnknownId(_))));
    let other = store.create_draft(&complete()).unwrap().id;
    // UUIDv7 ids made moments apart share their leading timestamp digits.
    let common: String =
        full.chars().zip(other.to_string().chars()).take_while(|(a, b)| a == b).map(|(a, _)| a).collect();
    assert!(common.len() >= 8, "{full} {other}");
    assert!(matches!(store.find_id(&common), Err(Error::AmbiguousId(_))));
}

mod attach {
    use super::*;
    use crate::photo::{Options, PhotoError};
    use crate::store::PhotoSource;
    use sha2::{Digest, Sha256};

    fn photo(rel: &str) -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/photos").join(rel)
    }

    fn files_in(store: &Store) -> Vec<String> {
        siblings(store.photo_dir())
    }

    #[test]
    fn a_phone_photo_is_compressed_stored_and_suggests_but_does_not_set_a_location() {
        let (_dir, store) = open();
        let id = store.create_draft(&DraftPatch { location: Some(None), ..complete() }).unwrap().id;
        let attached =
            store.attach_photo(id, PhotoSource::Path(&photo("real/iphone_hdr_NO.jpg")), &Options::default()).unwrap();
        let p = &attached.photo;
        assert_eq!(p.width.max(p.height), 1600);
        let bytes = std::fs::read(store.photo_path(&p.file)).unwrap();
        assert_eq!(bytes.len() as u64, p.bytes);
        let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(sha, p.sha256);
        assert!(store.photo_path(p.thumb_file.as_deref().unwrap()).exists());
        let (lat, lon) = attached.suggestion.position.unwrap();
        assert!((lat - 40.446_972).abs() < 1e-5 && (lon + 3.724_752).abs() < 1e-5);
        let report = store.get(id).unwrap();
        assert_eq!(report.photos, vec![p.clone()]);
        assert_eq!(report.location, None, "a suggestion is only applied if the user accepts it");
        assert_eq!(files_in(&store).len(), 2, "the JPEG and its thumbnail, no temp files");
    }

    #[test]
    fn bytes_work_like_paths() {
        let (_dir, store) = open();
        let id = store.create_draft(&complete()).unwrap().id;
        let bytes = std::fs::read(photo("real/DSCN0010.jpg")).unwrap();
        let attached = store.attach_photo(id, PhotoSource::Bytes(&bytes), &Options::default()).unwrap();
        assert_eq!((attached.photo.width, attached.photo.height), (640, 480));
    }

    #[test]
    fn a_refused_photo_leaves_no_file_and_no_row() {
        let (_dir, store) = open();
        let id = store.create_draft(&complete()).unwrap().id;
        let cases: [(&[u8], &str); 3] =
            [(b"", "empty"), (b"khong phai anh", "not_an_image"), (&[0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0], "corrupt")];
        for (bytes, code) in cases {
            let err = store.attach_photo(id, PhotoSource::Bytes(bytes), &Options::default()).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
        }
        let missing =
            store.attach_photo(id, PhotoSource::Path(Path::new("/nonexistent/photo.jpg")), &Options::default());
        assert!(matches!(missing, Err(Error::Photo(PhotoError::Io { .. }))), "{missing:?}");
        let dir = store.attach_photo(id, PhotoSource::Path(store.photo_dir()), &Options::default());
        assert!(matches!(dir, Err(Error::Photo(PhotoError::Io { .. }))), "{dir:?}");
        assert!(files_in(&store).is_empty());
        assert!(store.get(id).unwrap().photos.is_empty());
    }

    #[test]
    fn photos_are_shrunk_further_to_fit_the_budget_or_refused() {
        let (_dir, store) = open();
        store.set_limits(&Limits { photo_budget: 400 * 1024, ..Limits::default() }).unwrap();
        let id = store.create_draft(&complete()).unwrap().id;
        let first = store
            .attach_photo(id, PhotoSource::Path(&photo("orientation/Landscape_1.jpg")), &Options::default())
            .unwrap();
        assert_eq!(first.photo.width, 1600, "the first fits as it is");
        let second = store
            .attach_photo(id, PhotoSource::Path(&photo("orientation/Landscape_3.jpg")), &Options::default())
            .unwrap();
        assert!(first.photo.bytes + second.photo.bytes <= 400 * 1024, "{} + {}", first.photo.bytes, second.photo.bytes);
        assert!(second.photo.bytes < first.photo.bytes);

        store.set_limits(&Limits { photo_budget: 420 * 1024, ..Limits::default() }).unwrap();
        let before = files_in(&store);
        let err = store
            .attach_photo(id, PhotoSource::Path(&photo("real/iphone_hdr_NO.jpg")), &Options::default())
            .unwrap_err();
        assert!(matches!(err, Error::Photo(PhotoError::OverBudget { .. })), "{err:?}");
        assert!(err.message(Lang::Vi).contains("vượt"));
        assert_eq!(files_in(&store), before, "nothing written for a refused photo");
    }

    #[test]
    fn only_editable_reports_take_photos() {
        let (_dir, store) = open();
        let id = store.create_draft(&complete()).unwrap().id;
        store.submit(id).unwrap();
        let err =
            store.attach_photo(id, PhotoSource::Path(&photo("real/DSCN0010.jpg")), &Options::default()).unwrap_err();
        assert!(matches!(err, Error::NotEditable { .. }), "{err:?}");
        assert!(files_in(&store).is_empty());
    }
}

#[test]
fn the_outbox_records_each_step_and_leaves_only_when_everything_arrived() {
    use crate::model::{Status, StatusEntry};
    use crate::store::{Accepted, StatusUpdate};
    let (_dir, store) = open();
    let draft = store.create_draft(&complete()).unwrap();
    let photos = photo_files(&store, 2);
    for p in &photos {
        store.add_photo(draft.id, p).unwrap();
    }
    assert!(store.outbox_due(store.now_ms()).unwrap().is_empty(), "drafts are not in the outbox");
    store.submit(draft.id).unwrap();
    assert_eq!(store.outbox_due(store.now_ms()).unwrap(), vec![draft.id]);
    assert!(store.mark_sending(draft.id).unwrap());
    let entry = store.outbox_entry(draft.id).unwrap().unwrap();
    assert!(!entry.on_server);
    assert_eq!(entry.photos.len(), 2);
    // A report being sent cannot be deleted or edited.
    assert!(matches!(store.delete(draft.id), Err(Error::NotEditable { .. })));

    let received =
        StatusEntry { status: Status::Received, at: from_ms(1_700_000_000_000), reply: None, unit: None, due_at: None };
    let accepted = Accepted {
        tracking_code: "DL-7K3M9Q".into(),
        public_url: "http://x/r/DL-7K3M9Q".into(),
        history: vec![received.clone()],
    };
    store.record_accepted(draft.id, &accepted).unwrap();
    store.record_accepted(draft.id, &accepted).unwrap(); // a replayed answer stores nothing twice
    store.set_upload_url(photos[0].id, Some("http://x/api/v1/uploads/ab")).unwrap();
    store.mark_photo_sent(photos[0].id).unwrap();
    assert!(!store.mark_sent(draft.id).unwrap(), "one photo is still missing");
    let entry = store.outbox_entry(draft.id).unwrap().unwrap();
    assert!(entry.on_server);
    assert_eq!(entry.photos[0].upload_url.as_deref(), Some("http://x/api/v1/uploads/ab"));
    assert!(entry.photos[0].sent && !entry.photos[1].sent);

    // A temporary failure: not due until its time.
    let later = store.now_ms() + 60_000;
    assert_eq!(store.schedule_retry(draft.id, later).unwrap(), 1);
    assert!(store.outbox_due(store.now_ms()).unwrap().is_empty());
    assert_eq!(store.outbox_next_due().unwrap(), Some(later));
    assert_eq!(store.retry_all_now().unwrap(), 1);
    assert_eq!(store.outbox_due(store.now_ms()).unwrap(), vec![draft.id]);

    store.mark_photo_sent(photos[1].id).unwrap();
    assert!(store.mark_sent(draft.id).unwrap());
    let sent = store.get(draft.id).unwrap();
    assert_eq!(sent.state, ReportState::Sent { tracking_code: "DL-7K3M9Q".into() });
    assert_eq!(sent.history, vec![received.clone()]);
    assert_eq!(store.outbox_len().unwrap(), 0);

    // A status page applied twice changes nothing the second time.
    let update = StatusUpdate {
        report: draft.id,
        entry: StatusEntry {
            status: Status::InProgress,
            at: from_ms(1_700_000_100_000),
            reply: Some("Đang xử lý".into()),
            unit: Some(("TRANG_SON".into(), "UBND xã Tràng Sơn".into())),
            due_at: Some(from_ms(1_700_500_000_000)),
        },
    };
    assert_eq!(
        store.apply_changes(std::slice::from_ref(&update), &[], "c1").unwrap(),
        vec![(draft.id, Status::InProgress)]
    );
    assert!(store.apply_changes(std::slice::from_ref(&update), &[], "c1").unwrap().is_empty());
    let kept = store.get(draft.id).unwrap().history.pop().unwrap();
    assert_eq!(kept, update.entry, "the unit and deadline are kept with the step");
    assert_eq!(store.changes_cursor().unwrap().as_deref(), Some("c1"));
    assert_eq!(store.get(draft.id).unwrap().history.len(), 2);
    let row = &store.list(&ListQuery::default()).unwrap().items[0];
    assert_eq!((row.status, row.last_reply.as_deref()), (Some(Status::InProgress), Some("Đang xử lý")));

    // Progress writes relax durability only while they run.
    let sync: i64 = store.conn().pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
    assert_eq!(sync, 2, "back to synchronous=FULL");
}

#[test]
fn a_refused_report_waits_with_its_reason_until_the_user_acts() {
    let (_dir, store) = open();
    let draft = store.create_draft(&complete()).unwrap();
    store.submit(draft.id).unwrap();
    store.mark_sending(draft.id).unwrap();
    store.mark_needs_attention(draft.id, "Loại sự việc không có trong danh sách").unwrap();
    assert_eq!(store.outbox_len().unwrap(), 0);
    let r = store.get(draft.id).unwrap();
    assert_eq!(r.state, ReportState::NeedsAttention { reason: "Loại sự việc không có trong danh sách".into() });
    // Editable again; retry queues it after checking it like submit.
    store.update_draft(draft.id, &DraftPatch { description: Some("Mô tả".into()), ..Default::default() }).unwrap();
    assert!(matches!(store.retry(draft.id), Err(Error::Invalid(_))));
    store.update_draft(draft.id, &complete()).unwrap();
    assert_eq!(store.retry(draft.id).unwrap().state, ReportState::Queued);
    assert!(matches!(store.retry(draft.id), Err(Error::NotEditable { .. })));
}

#[test]
fn only_an_untouched_draft_is_discarded() {
    let (_dir, store) = open();
    let blank = store.create_draft(&DraftPatch::default()).unwrap().id;
    // Filing for a neighbour with nothing typed yet is still untouched.
    let volunteer = store.create_draft(&DraftPatch { on_behalf: Some(true), ..Default::default() }).unwrap().id;
    let spaces = store.create_draft(&DraftPatch { description: Some("   ".into()), ..Default::default() }).unwrap().id;
    let named = store
        .create_draft(&DraftPatch {
            on_behalf: Some(true),
            for_name: Some(Some("Bà Lan".into())),
            ..Default::default()
        })
        .unwrap()
        .id;
    let with_photo = store.create_draft(&DraftPatch::default()).unwrap().id;
    store.add_photo(with_photo, &photo_files(&store, 1).remove(0)).unwrap();
    let queued = store.create_draft(&complete()).unwrap().id;
    store.submit(queued).unwrap();

    for id in [blank, volunteer, spaces] {
        assert!(store.discard_if_untouched(id).unwrap());
        assert!(matches!(store.get(id), Err(Error::NotFound(_))));
    }
    for id in [named, with_photo, queued] {
        assert!(!store.discard_if_untouched(id).unwrap());
        assert!(store.get(id).is_ok());
    }
    assert!(matches!(store.discard_if_untouched(blank), Err(Error::NotFound(_))));
}

#[test]
fn the_store_reads_time_from_its_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(phananh_protocol::ManualClock::new(1_800_000_000_000));
    let store = Store::open_in(dir.path()).unwrap().with_clock(clock.clone());
    let draft = store.create_draft(&DraftPatch::default()).unwrap();
    assert_eq!(super::to_ms(draft.created_at), 1_800_000_000_000);
    clock.advance(std::time::Duration::from_secs(90));
    store.update_draft(draft.id, &DraftPatch { description: Some("x".into()), ..Default::default() }).unwrap();
    assert_eq!(super::to_ms(store.get(draft.id).unwrap().updated_at), 1_800_000_090_000);
}

/// A sent report the district answered with `status` at `at_ms`.
fn answered(store: &Store, status: crate::model::Status, at_ms: i64) -> crate::model::ReportId {
    use crate::model::{Status, StatusEntry};
    use crate::store::Accepted;
    let draft = store.create_draft(&complete()).unwrap();
    store.submit(draft.id).unwrap();
    assert!(store.mark_sending(draft.id).unwrap());
    let received =
        StatusEntry { status: Status::Received, at: from_ms(at_ms - 1000), reply: None, unit: None, due_at: None };
    let accepted = Accepted {
        tracking_code: "DL-7K3M9Q".into(),
        public_url: "http://x/r/DL-7K3M9Q".into(),
        history: vec![received],
    };
    store.record_accepted(draft.id, &accepted).unwrap();
    assert!(store.mark_sent(draft.id).unwrap());
    let answer =
        StatusEntry { status, at: from_ms(at_ms), reply: Some("Đã xử lý".into()), unit: None, due_at: None };
    store.apply_changes(&[StatusUpdate { report: draft.id, entry: answer }], &[], "c1").unwrap();
    draft.id
}

#[test]
fn ratings_and_reopens_wait_with_their_report_and_follow_the_rules() {
    use crate::error::FeedbackRefusal;
    use crate::model::Status;
    use crate::store::{ActionKind, ActionState};
    use phananh_protocol::Score;
    let dir = TempDir::new().unwrap();
    let clock = std::sync::Arc::new(phananh_protocol::ManualClock::new(1_796_086_800_000));
    let store = Store::open_in(dir.path()).unwrap().with_clock(clock.clone());
    let refused = |e: Error| match e {
        Error::Feedback(r) => r,
        other => panic!("{other}"),
    };
    // Not answered yet: neither.
    let open = answered(&store, Status::InProgress, store.now_ms());
    assert_eq!(
        refused(store.queue_rating(open, Score::Satisfied, None, false).unwrap_err()),
        FeedbackRefusal::NotClosed
    );
    assert_eq!(refused(store.check_reopen(open, "vẫn hỏng").unwrap_err()), FeedbackRefusal::NotClosed);
    // A draft is not on the server.
    let draft = store.create_draft(&complete()).unwrap();
    assert_eq!(
        refused(store.queue_rating(draft.id, Score::Satisfied, None, false).unwrap_err()),
        FeedbackRefusal::NotSent
    );

    let id = answered(&store, Status::Resolved, store.now_ms());
    store.queue_rating(id, Score::Acceptable, Some("  Tạm được  "), true).unwrap();
    assert_eq!(
        refused(store.queue_rating(id, Score::Satisfied, None, false).unwrap_err()),
        FeedbackRefusal::AlreadyRated
    );
    // Back in the outbox, its text already on the server; the rating waits with it.
    assert_eq!(store.outbox_due(store.now_ms()).unwrap(), vec![id]);
    let pending = store.pending_actions(id).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, ActionKind::Rating);
    let body: serde_json::Value = serde_json::from_str(&pending[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"score": "acceptable", "comment": "Tạm được", "on_behalf": false}),
        "filed for no one"
    );
    let rating = store.rating(id).unwrap().unwrap();
    assert_eq!((rating.score, rating.state), (Score::Acceptable, ActionState::Queued));
    // A pass cannot call the report sent while its rating waits.
    assert!(store.mark_sending(id).unwrap());
    assert!(!store.mark_sent(id).unwrap(), "the rating is not on the server yet");

    // A reopen: a reason is required; photos are declared with it.
    assert_eq!(refused(store.check_reopen(id, "   ").unwrap_err()), FeedbackRefusal::BadText);
    let photos = photo_files(&store, 1);
    store.queue_reopen(id, "Đèn lại tắt", &photos).unwrap();
    assert_eq!(refused(store.queue_reopen(id, "Lần nữa", &[]).unwrap_err()), FeedbackRefusal::AlreadyReopening);
    let pending = store.pending_actions(id).unwrap();
    assert_eq!(pending.iter().map(|a| a.kind).collect::<Vec<_>>(), [ActionKind::Rating, ActionKind::Reopen]);
    assert!(pending[1].body.contains(&photos[0].id.to_string()));
    assert_eq!(store.get(id).unwrap().photos.len(), 1, "the new photo is the report's, not yet sent");
    // The server refuses the reopen: its photo goes, files too.
    store.action_sent(id, &pending[0].id, &[]).unwrap();
    store.action_refused(&pending[1].id, "Đã quá hạn").unwrap();
    assert!(store.get(id).unwrap().photos.is_empty());
    assert!(!store.photo_path(&photos[0].file).exists());
    assert_eq!(store.reopen_state(id).unwrap(), Some(ActionState::Refused("Đã quá hạn".into())));
    assert_eq!(store.rating(id).unwrap().unwrap().state, ActionState::Sent);
    assert!(store.pending_actions(id).unwrap().is_empty());

    // Thirty-one days on, the window has passed (the default: 30).
    clock.advance(std::time::Duration::from_secs(31 * 86_400));
    assert_eq!(refused(store.check_reopen(id, "Vẫn tắt").unwrap_err()), FeedbackRefusal::WindowPassed);
}

#[test]
fn follows_are_queued_and_their_changes_become_notifications() {
    use crate::model::{Status, StatusEntry};
    use crate::store::{ActionState, FollowedUpdate};
    let (dir, store) = open();
    assert!(matches!(store.follow("not a code", false, &[]), Err(Error::Feedback(_))));
    let code = store.follow(" dl-7k3m9q ", false, &[]).unwrap();
    assert_eq!(code, "DL-7K3M9Q");
    let photos = photo_files(&store, 1);
    store.follow("DL-7K3M9Q", false, &photos).unwrap();
    let due = store.follows_due(store.now_ms()).unwrap();
    assert_eq!((due.len(), due[0].me_too, due[0].photos.len()), (1, true, 1), "a photo means 'I see it too'");
    // Opened again (another process), its files are not orphans.
    drop(Store::open_in(dir.path()).unwrap());
    assert!(store.photo_path(&photos[0].file).exists());
    store.follow_sent("DL-7K3M9Q").unwrap();
    assert_eq!(store.follows_waiting().unwrap(), 1, "not sent while its photo is not");
    store.mark_photo_sent(photos[0].id).unwrap();
    store.follow_sent("DL-7K3M9Q").unwrap();
    assert_eq!(store.follows_waiting().unwrap(), 0);

    // A change of the followed report is kept, and notified once.
    let entry = |status, minute: i64| StatusEntry {
        status,
        at: from_ms(1_796_086_800_000 + minute * 60_000),
        reply: Some(format!("bước {minute}")),
        unit: Some(("TRANG_SON".into(), "UBND xã Tràng Sơn".into())),
        due_at: None,
    };
    let page = [
        FollowedUpdate { tracking_code: "DL-7K3M9Q".into(), entry: entry(Status::Assigned, 1) },
        FollowedUpdate { tracking_code: "DL-7K3M9Q".into(), entry: entry(Status::InProgress, 2) },
        FollowedUpdate { tracking_code: "DL-NOTME0".into(), entry: entry(Status::InProgress, 2) },
    ];
    store.apply_changes(&[], &page, "c2").unwrap();
    store.apply_changes(&[], &page, "c2").unwrap(); // pulled twice: stored once
    let following = store.following().unwrap();
    assert_eq!(following.len(), 1);
    let f = &following[0];
    assert_eq!((f.status, f.state.clone(), f.history.len()), (Some(Status::InProgress), ActionState::Sent, 2));
    assert_eq!(f.unit_name.as_deref(), Some("UBND xã Tràng Sơn"));
    let shown = store.take_notifications().unwrap();
    assert_eq!(shown.len(), 1, "one per report, the latest");
    assert_eq!((shown[0].status, shown[0].reply.as_deref()), (Status::InProgress, Some("bước 2")));
    assert!(store.take_notifications().unwrap().is_empty(), "each shown once");
    store.unfollow("DL-7K3M9Q").unwrap();
    assert!(store.following().unwrap().is_empty());
}

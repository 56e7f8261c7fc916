//! The `phananh` binary as scripts and people use it.

#![allow(clippy::unwrap_used)] // a test fails loudly, which is the point

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

fn phananh(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phananh"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env_remove("PHANANH_HOME")
        .env_remove("PHANANH_LANG")
        .env("LANG", "C")
        .output()
        .expect("run phananh")
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = phananh(home, args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(home: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(home, &all)).unwrap()
}

fn new_complete(home: &Path) -> String {
    ok(
        home,
        &[
            "draft",
            "new",
            "--category",
            "den_duong",
            "--description",
            "Đèn đường hỏng ở đầu xóm 3, tối không thấy đường",
            "--lat",
            "18.9",
            "--lon",
            "105.3",
            "--accuracy",
            "8",
        ],
    )
    .trim()
    .to_owned()
}

#[test]
fn draft_new_prints_the_id_and_json_gives_it_too() {
    let home = TempDir::new().unwrap();
    let id = new_complete(home.path());
    assert_eq!(id.len(), 36, "{id}");
    let v = json(home.path(), &["draft", "new", "--description", "Cây đổ"]);
    assert_eq!(v["id"].as_str().unwrap().len(), 36);
    let shown = json(home.path(), &["draft", "show", &id]);
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["state"], "draft");
    assert_eq!(shown["location"]["accuracy_m"], 8.0);
}

#[test]
fn every_field_flag_lands_in_the_draft() {
    let home = TempDir::new().unwrap();
    let id = ok(
        home.path(),
        &[
            "draft",
            "new",
            "--category",
            "rac_thai",
            "--description",
            "Rác thải đổ trộm bên bờ sông Lam",
            "--lat",
            "-18.5",
            "--lon",
            "105.3",
            "--accuracy",
            "12",
            "--address",
            "Bến đò xã Đà Sơn",
            "--name",
            "Nguyễn Văn An",
            "--phone",
            "0912345678",
            "--anonymous",
            "--for-name",
            "Bà Lê Thị Lan",
            "--for-phone",
            "0388 888 888",
            "--consent",
        ],
    );
    let r = json(home.path(), &["draft", "show", id.trim()]);
    assert_eq!(r["category"], "rac_thai");
    assert_eq!(r["location"]["lat"], -18.5, "negative numbers are values, not flags");
    assert_eq!(r["address"], "Bến đò xã Đà Sơn");
    assert_eq!(r["reporter"]["name"], "Nguyễn Văn An");
    assert_eq!(r["reporter"]["anonymous"], true);
    assert_eq!(r["on_behalf_of"]["name"], "Bà Lê Thị Lan");
    assert_eq!(r["on_behalf_of"]["consent"], true);

    // Edit: clear the address, switch anonymity off, stop filing for a neighbour.
    ok(
        home.path(),
        &["draft", "edit", id.trim(), "--address", "", "--anonymous=false", "--on-behalf=false", "--no-location"],
    );
    let r = json(home.path(), &["draft", "show", id.trim()]);
    assert_eq!(r["address"], Value::Null);
    assert_eq!(r["reporter"]["anonymous"], false);
    assert_eq!(r["on_behalf_of"], Value::Null);
    assert_eq!(r["location"], Value::Null);
}

#[test]
fn list_searches_without_accents_and_filters_by_state() {
    let home = TempDir::new().unwrap();
    let lamp = new_complete(home.path());
    ok(home.path(), &["draft", "new", "--description", "Ngập úng sau mưa lớn ở thôn Yên Lạc"]);
    let found = json(home.path(), &["draft", "list", "--search", "den duong"]);
    let items = found["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], lamp.as_str());
    assert_eq!(found["has_more"], false);

    ok(home.path(), &["submit", &lamp[..13]]);
    let queued = json(home.path(), &["draft", "list", "--state", "queued"]);
    assert_eq!(queued["items"].as_array().unwrap().len(), 1);
    let drafts = json(home.path(), &["draft", "list", "--state", "draft"]);
    assert_eq!(drafts["items"][0]["description"], "Ngập úng sau mưa lớn ở thôn Yên Lạc");
    let text = ok(home.path(), &["draft", "list", "--limit", "1"]);
    assert!(text.contains("--offset 1"), "{text}");
}

#[test]
fn submit_errors_speak_the_chosen_language_on_stderr() {
    let home = TempDir::new().unwrap();
    let id = ok(home.path(), &["draft", "new", "--description", "ngắn"]).trim().to_owned();

    let vi = phananh(home.path(), &["--lang", "vi", "submit", &id]);
    assert!(!vi.status.success());
    let stderr = String::from_utf8(vi.stderr).unwrap();
    assert!(stderr.contains("Hãy chọn loại sự việc"), "{stderr}");
    assert!(stderr.contains("Mô tả quá ngắn"), "{stderr}");
    assert!(vi.stdout.is_empty());

    let en = phananh(home.path(), &["--lang", "en", "--json", "submit", &id]);
    assert!(!en.status.success());
    let err: Value = serde_json::from_slice(&en.stderr).unwrap();
    assert_eq!(err["error"]["code"], "invalid");
    let fields: Vec<_> =
        err["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["category", "description", "location"]);
    assert!(err["error"]["message"].as_str().unwrap().contains("Choose a category"));

    assert_eq!(json(home.path(), &["draft", "show", &id])["state"], "draft", "a refused submit changes nothing");
}

#[test]
fn mistakes_are_errors_not_panics() {
    let home = TempDir::new().unwrap();
    let cases: &[&[&str]] = &[
        &["draft", "show", "not-an-id"],
        &["draft", "show", "0190f0b0-0000-7000-8000-000000000000"],
        &["draft", "delete", "ffff"],
        &["draft", "edit", "ffff", "--description", "x"],
        &["submit", ""],
        &["draft", "new", "--lat", "abc", "--lon", "1"],
        &["draft", "new", "--lat", "NaN", "--lon", "105"],
        &["draft", "new", "--lat", "18"],
        &["draft", "list", "--state", "gone"],
        &["--lang", "fr", "draft", "list"],
        &["draft", "frobnicate"],
    ];
    for args in cases {
        let out = phananh(home.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{args:?}: {stderr}");
        assert!(stderr.contains("Lỗi"), "{args:?} in Vietnamese by default: {stderr}");
    }
}

#[test]
fn edits_after_submit_and_delete_are_refused_or_done_cleanly() {
    let home = TempDir::new().unwrap();
    let id = new_complete(home.path());
    ok(home.path(), &["submit", &id]);
    let out =
        phananh(home.path(), &["--lang", "en", "draft", "edit", &id, "--description", "Đổi ý rồi, sửa lại mô tả"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be changed now"));
    let deleted = json(home.path(), &["draft", "delete", &id]);
    assert_eq!(deleted["deleted"], id.as_str());
    assert!(!phananh(home.path(), &["draft", "show", &id]).status.success());
}

#[test]
fn a_home_holding_something_else_is_refused_untouched() {
    let home = TempDir::new().unwrap();
    let db = home.path().join("phananh.sqlite3");
    std::fs::write(&db, "ghi chép riêng, không phải cơ sở dữ liệu").unwrap();
    let out = phananh(home.path(), &["--lang", "en", "draft", "list"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Phản Ánh database"));
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "ghi chép riêng, không phải cơ sở dữ liệu");
}

#[test]
fn phananh_home_env_is_the_default_home() {
    let home = TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_phananh"))
        .args(["draft", "new", "--description", "Cây đổ chắn ngang đường"])
        .env("PHANANH_HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(home.path().join("phananh.sqlite3").exists());
}

fn testphoto(rel: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/photos").join(rel)
}

#[test]
fn photo_compress_reports_size_and_gps() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.jpg");
    let thumb = dir.path().join("thumb.jpg");
    let input = testphoto("real/HMD_Nokia_8.3_5G.jpg");
    let v = json(
        dir.path(),
        &[
            "photo",
            "compress",
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "--max-edge",
            "1200",
            "--quality",
            "75",
            "--thumbnail",
            thumb.to_str().unwrap(),
        ],
    );
    assert_eq!(v["width"], 1200);
    assert_eq!(v["bytes"].as_u64().unwrap(), std::fs::metadata(&out).unwrap().len());
    assert_eq!(v["thumbnail_bytes"].as_u64().unwrap(), std::fs::metadata(&thumb).unwrap().len());
    assert_eq!(v["source"]["width"], 4608);
    assert!((v["suggestion"]["lat"].as_f64().unwrap() - 60.146_705).abs() < 1e-5);
    assert_eq!(v["suggestion"]["taken_at"], "2022-08-14T11:12:31Z");
    assert!(!std::fs::read(&out).unwrap().windows(4).any(|w| w == b"Exif"));

    let bad = phananh(dir.path(), &["--lang", "en", "photo", "compress", "Cargo.toml", out.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a photo"));
}

#[test]
fn draft_attach_suggests_gps_and_applies_it_only_when_asked() {
    let home = TempDir::new().unwrap();
    let id = ok(home.path(), &["draft", "new", "--description", "Cây đổ chắn ngang đường liên thôn"]).trim().to_owned();
    let photo = testphoto("real/iphone_hdr_NO.jpg");
    let v = json(home.path(), &["draft", "attach", &id, photo.to_str().unwrap()]);
    assert_eq!(v["location_applied"], false);
    assert!((v["suggestion"]["lon"].as_f64().unwrap() + 3.724_752).abs() < 1e-5);
    assert_eq!(json(home.path(), &["draft", "show", &id])["location"], Value::Null);

    let v = json(home.path(), &["draft", "attach", &id, photo.to_str().unwrap(), "--use-location"]);
    assert_eq!(v["location_applied"], true);
    let shown = json(home.path(), &["draft", "show", &id]);
    assert!((shown["location"]["lat"].as_f64().unwrap() - 40.446_972).abs() < 1e-5);
    assert_eq!(shown["photos"].as_array().unwrap().len(), 2);

    let photo_id = v["photo"]["id"].as_str().unwrap().to_owned();
    ok(home.path(), &["draft", "detach", &photo_id]);
    assert_eq!(json(home.path(), &["draft", "show", &id])["photos"].as_array().unwrap().len(), 1);
    assert!(!phananh(home.path(), &["draft", "detach", "nope"]).status.success());
}

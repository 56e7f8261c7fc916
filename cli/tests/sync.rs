//! `phananh sync`, `reports --json` and `categories --json` against a real
//! server (in-process, loopback): the JSON shapes scripts rely on.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use phananh_e2e::harness::{Server, real_photo};
use serde_json::Value;

fn phananh(home: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phananh"))
        .arg("--home")
        .arg(home)
        .args(["--lang", "en"])
        .args(args)
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_reports_and_categories_speak_json() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let url = server.url();
    tokio::task::block_in_place(|| {
        let (ok, id) = phananh(
            h,
            &[
                "draft",
                "new",
                "--category",
                "o_ga",
                "--description",
                "Ổ gà lớn giữa đường liên xã, xe máy dễ ngã",
                "--lat",
                "18.9",
                "--lon",
                "105.3",
            ],
        );
        assert!(ok);
        let id = id.trim().lines().last().unwrap().to_owned();
        assert!(phananh(h, &["draft", "attach", &id, &real_photo("DSCN0010.jpg").to_string_lossy()]).0);
        assert!(phananh(h, &["submit", &id]).0);

        let (ok, out) = phananh(h, &["--server", &url, "--json", "sync", "--quiet"]);
        assert!(ok, "{out}");
        let summary: Value = serde_json::from_str(&out).unwrap();
        assert_eq!((summary["sent"].as_u64(), summary["photos_sent"].as_u64()), (Some(1), Some(1)));
        assert_eq!(summary["waiting"], 0);
        assert_eq!(summary["offline"], false);

        // The server is remembered.
        let (ok, out) = phananh(h, &["--json", "reports"]);
        assert!(ok);
        let reports: Value = serde_json::from_str(&out).unwrap();
        let first = &reports[0];
        assert_eq!(first["id"], id.as_str());
        assert_eq!(first["state"], "sent");
        assert_eq!(first["status"], "received");
        assert!(first["tracking_code"].as_str().unwrap().starts_with("DL-"));
        assert!(first["last_reply"].is_null());

        let (ok, out) = phananh(h, &["--json", "categories"]);
        assert!(ok);
        let categories: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(categories.as_array().unwrap().len(), 11);
        assert!(categories.as_array().unwrap().iter().any(|c| c["code"] == "cay_do" && c["name_en"] == "Fallen tree"));

        // Offline: the report waits, the summary says so, the exit code is 0.
        let (ok, id2) = phananh(
            h,
            &[
                "draft",
                "new",
                "--category",
                "rac_thai",
                "--description",
                "Rác thải đổ trộm bên bờ kênh, bốc mùi",
                "--lat",
                "18.9",
                "--lon",
                "105.3",
            ],
        );
        assert!(ok);
        assert!(phananh(h, &["submit", id2.trim().lines().last().unwrap()]).0);
        let (ok, out) = phananh(h, &["--server", "http://127.0.0.1:9", "--json", "sync", "--quiet"]);
        assert!(ok, "{out}");
        let summary: Value = serde_json::from_str(&out).unwrap();
        assert_eq!((summary["offline"].as_bool(), summary["waiting"].as_u64()), (Some(true), Some(1)));
        // And the cached categories still list offline.
        let (ok, out) = phananh(h, &["--json", "categories"]);
        assert!(ok);
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().len(), 11);
    });
}

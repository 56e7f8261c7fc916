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

/// `rate`, `reopen`, `follow` and `following --json`: the contracts of the
/// resident's loop, against a real server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_reopen_follow_and_following_as_scripts_use_them() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let (reporter, neighbour) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (h, n) = (reporter.path(), neighbour.path());
    let url = server.url();
    let code = tokio::task::block_in_place(|| {
        let (ok, id) = phananh(
            h,
            &[
                "draft",
                "new",
                "--category",
                "o_ga",
                "--description",
                "Ổ gà lớn trước cổng chợ",
                "--lat",
                "18.9",
                "--lon",
                "105.3",
            ],
        );
        assert!(ok);
        let id = id.trim().lines().last().unwrap().to_owned();
        assert!(phananh(h, &["submit", &id]).0);
        assert!(phananh(h, &["--server", &url, "sync", "--quiet"]).0);
        let reports: Value = serde_json::from_str(&phananh(h, &["--json", "reports"]).1).unwrap();
        (id, reports[0]["tracking_code"].as_str().unwrap().to_owned())
    });
    let (id, code) = code;
    // The neighbour follows it, says "I see it too", with a photo.
    tokio::task::block_in_place(|| {
        let photo = real_photo("DSCN0010.jpg");
        let (ok, out) = phananh(
            n,
            &[
                "--server",
                &url,
                "--json",
                "follow",
                &code.to_lowercase(),
                "--me-too",
                "--photo",
                &photo.to_string_lossy(),
            ],
        );
        assert!(ok, "{out}");
        let queued: Value = serde_json::from_str(&out).unwrap();
        assert_eq!((queued["tracking_code"].as_str(), queued["state"].as_str()), (Some(code.as_str()), Some("queued")));
        assert!(phananh(n, &["sync", "--quiet"]).0);
    });
    server.staff_reply(&code, "resolved", "Đã vá xong ổ gà.").await;
    tokio::task::block_in_place(|| {
        // Before the answer reached the phone: rating is refused, clearly.
        let out = Command::new(env!("CARGO_BIN_EXE_phananh"))
            .arg("--home")
            .arg(h)
            .args(["--lang", "en", "rate", &id, "--score", "satisfied"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("resolved or rejected"));
        assert!(phananh(h, &["sync", "--quiet"]).0);
        let (ok, out) = phananh(h, &["--json", "rate", &id, "--score", "not_satisfied", "--comment", "Vá dối"]);
        assert!(ok, "{out}");
        let (ok, out) = phananh(
            h,
            &[
                "--json",
                "reopen",
                &id,
                "--reason",
                "Ổ gà lại vỡ",
                "--photo",
                &real_photo("DSCN0010.jpg").to_string_lossy(),
            ],
        );
        assert!(ok, "{out}");
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["queued"], true);
        assert!(phananh(h, &["sync", "--quiet"]).0);
        // The follower hears of the answer, and never of the reporter.
        assert!(phananh(n, &["sync", "--quiet"]).0);
        let (ok, out) = phananh(n, &["--json", "following"]);
        assert!(ok);
        let list: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(list[0]["tracking_code"], code.as_str());
        assert_eq!(list[0]["me_too"], true);
        assert!(list[0]["replies"].as_array().unwrap().iter().any(|r| r == "Đã vá xong ổ gà."), "{list}");
        assert!(list[0]["history"].as_array().unwrap().iter().any(|s| s["status"] == "reopened"), "{list}");
    });
    let counts: (i64, i64, i64, i64) = server.db(|c| {
        c.query_row(
            "SELECT (SELECT count(*) FROM ratings WHERE score = 'not_satisfied'), (SELECT count(*) FROM reopens),
                    (SELECT count(*) FROM follows WHERE me_too = 1), (SELECT count(*) FROM photos WHERE fix = 2)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
    });
    assert_eq!(counts, (1, 1, 1, 1));
}

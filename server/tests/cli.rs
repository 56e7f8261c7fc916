//! The `phananh-server` binary: `serve --demo` on a fresh directory, `staff
//! add` with the password on stdin, `apikey add` printing the key last.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_phananh-server");

#[test]
fn serve_demo_starts_on_a_fresh_directory_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new/data");
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let password_line = lines.next().unwrap().unwrap();
    assert!(password_line.starts_with("demo staff account: admin / "), "{password_line}");
    // Then an officer of a commune, one of a department and a leader (the
    // demo district's), then where it listens.
    let mut accounts = vec![password_line.clone()];
    let listening = loop {
        let line = lines.next().unwrap().unwrap();
        if line.contains("listening on") {
            break line;
        }
        accounts.push(line);
    };
    assert_eq!(accounts.len(), 4, "{accounts:?}");
    assert!(accounts[1].starts_with("demo officer account (UBND xã Tràng Sơn): canbo.trangson / "));
    assert!(accounts[3].starts_with("demo leader account: lanhdao / "));
    assert!(data.join("district.toml").exists(), "the demo district is written beside the data");
    let addr = listening.split("http://").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let body = std::io::Read::bytes(
        std::net::TcpStream::connect(&addr)
            .map(|mut s| {
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
                s
            })
            .unwrap(),
    )
    .map(|b| b.unwrap())
    .collect::<Vec<u8>>();
    assert!(String::from_utf8_lossy(&body).ends_with("ok"));
    assert!(data.join("server.sqlite3").exists());
    Command::new("kill").arg(child.id().to_string()).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit on SIGTERM: {status}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains(password_line.rsplit(' ').next().unwrap()), "the password is never logged");
}

#[test]
fn staff_add_reads_the_password_from_stdin_and_apikey_add_prints_the_key_last() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["staff", "add", "Lan"])
        .arg("--data")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"mot-mat-khau-dai\n").unwrap();
    assert!(child.wait().unwrap().success());
    let short = Command::new(BIN)
        .args(["staff", "add", "Hoa"])
        .arg("--data")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = {
        let mut c = short;
        c.stdin.take().unwrap().write_all(b"ngan\n").unwrap();
        c.wait_with_output().unwrap()
    };
    assert!(!out.status.success(), "a short password is refused");

    let out =
        Command::new(BIN).args(["apikey", "add", "Cổng dịch vụ công"]).arg("--data").arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let key = text.split_whitespace().last().unwrap();
    assert_eq!(key.len(), 64);
    let db = rusqlite::Connection::open(dir.path().join("server.sqlite3")).unwrap();
    let stored: String = db.query_row("SELECT key_hash FROM api_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, phananh_server::auth::token_hash(key), "only the hash is stored");
    let (staff, role): (i64, String) = db
        .query_row("SELECT count(*), max(role) FROM staff WHERE name = 'Lan'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((staff, role.as_str()), (1, "coordinator"), "without --role: a coordinator, as before");
}

/// `unit list --json` and `staff add --role --unit`: contracts for scripts.
#[test]
fn units_are_listed_and_officers_belong_to_one() {
    let dir = tempfile::tempdir().unwrap();
    phananh_server::demo::write_district(dir.path()).unwrap();
    let out = Command::new(BIN).args(["unit", "list", "--json", "--data"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let units: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let units = units.as_array().unwrap();
    assert_eq!(units.len(), 38, "the district, 4 offices, 33 communes and towns");
    assert_eq!(
        units[0],
        serde_json::json!({"code": "DL", "name": "UBND huyện Đô Lương", "kind": "district", "parent": null})
    );
    let trang_son = units.iter().find(|u| u["code"] == "TRANG_SON").unwrap();
    assert_eq!((trang_son["kind"].as_str(), trang_son["parent"].as_str()), (Some("commune"), Some("DL")));
    assert!(units.iter().any(|u| u["kind"] == "town") && units.iter().any(|u| u["kind"] == "department"));

    let add = |args: &[&str]| {
        let mut child = Command::new(BIN)
            .args(["staff", "add"])
            .args(args)
            .arg("--data")
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"mot-mat-khau-dai\n").unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(add(&["hoa", "--role", "officer", "--unit", "TRANG_SON"]).status.success());
    let no_unit = add(&["minh", "--role", "officer"]);
    assert!(!no_unit.status.success() && String::from_utf8_lossy(&no_unit.stderr).contains("--unit"));
    let unknown = add(&["minh", "--role", "officer", "--unit", "NOWHERE"]);
    assert!(!unknown.status.success() && String::from_utf8_lossy(&unknown.stderr).contains("NOWHERE"));
    assert!(!add(&["minh", "--role", "mayor"]).status.success(), "an unknown role is refused");
    let db = rusqlite::Connection::open(dir.path().join("server.sqlite3")).unwrap();
    let hoa: (String, String) = db
        .query_row("SELECT role, unit_code FROM staff WHERE name = 'hoa'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(hoa, ("officer".into(), "TRANG_SON".into()));
    let audited: String = db
        .query_row("SELECT detail FROM audit_log WHERE action = 'account' AND subject = 'hoa'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audited, "officer TRANG_SON", "account changes are in the audit log");
    drop(db);

    // A leaver is disabled, not deleted; an unknown name is an error.
    let disable =
        |name: &str| Command::new(BIN).args(["staff", "disable", name, "--data"]).arg(dir.path()).output().unwrap();
    let out = disable("hoa");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = disable("khong-co");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no staff account khong-co"));
    let db = rusqlite::Connection::open(dir.path().join("server.sqlite3")).unwrap();
    let (disabled, audited): (Option<i64>, i64) = db
        .query_row(
            "SELECT disabled_at, (SELECT count(*) FROM audit_log WHERE action = 'account_disabled' AND subject = 'hoa')
             FROM staff WHERE name = 'hoa'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(disabled.is_some() && audited == 1);
}

#[allow(dead_code)]
#[path = "common/pg.rs"]
mod pg;

/// `--database`: the records in PostgreSQL (nothing in the data directory
/// but the district and the photos), its password never printed, and an
/// unreachable database stops the start with a clear line.
#[tokio::test]
async fn serve_keeps_its_records_in_postgres_when_given_a_database() {
    let Some(url) = pg::fresh_database("serve_keeps_its_records_in_postgres_when_given_a_database").await else {
        return;
    };
    // Loopback trust takes any password: this one must never be printed.
    let url = url.replacen("://phananh@", "://phananh:bi-mat-khong-in@", 1);
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--database", &url, "--data"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let listening = loop {
        let line = lines.next().unwrap().unwrap();
        printed.push(line.clone());
        if line.contains("listening on") {
            break line;
        }
    };
    assert!(listening.contains("records in PostgreSQL"), "{listening}");
    assert!(!dir.path().join("server.sqlite3").exists(), "no SQLite file beside PostgreSQL");
    // The demo's accounts were written to PostgreSQL: a second start finds them.
    let admin = printed[0].rsplit(' ').next().unwrap().to_owned();
    let addr = listening.split("http://").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let login = serde_json::json!({"name": "admin", "password": admin});
    let r = client.post(format!("http://{addr}/api/v1/staff/login")).json(&login).send().await.unwrap();
    assert_eq!(r.status(), 200);
    Command::new("kill").arg(child.id().to_string()).status().unwrap();
    assert!(child.wait().unwrap().success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let all = format!("{}\n{stderr}", printed.join("\n"));
    assert!(!all.contains("bi-mat-khong-in"), "the database password is never printed");

    // Nothing listens on port 1: a clear refusal, not a server that fails later.
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", "postgres://x@127.0.0.1:1/none", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the records cannot be read"));
    let out = Command::new(BIN).args(["serve", "--database", "mysql://x", "--data"]).arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("postgres://"));
}

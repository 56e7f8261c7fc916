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
    let staff: i64 = db.query_row("SELECT count(*) FROM staff WHERE name = 'Lan'", [], |r| r.get(0)).unwrap();
    assert_eq!(staff, 1);
}

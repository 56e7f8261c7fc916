//! A real server on a loopback port, with demo data, for each test.

#![allow(dead_code, clippy::unwrap_used)]

pub mod pg;
pub mod s3;
pub mod webdriver;

use std::path::Path;

use phananh_server::storage::Role;
use phananh_server::{Config, Shared, demo, staff};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tempfile::TempDir;

pub struct TestServer {
    pub base: String,
    pub state: Shared,
    pub _dir: TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Make every unfinished upload expired, in whichever database the
    /// server keeps its records.
    pub async fn expire_uploads(&self) {
        match &self.state.config.database {
            Some(url) => {
                let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(conn);
                c.execute("UPDATE uploads SET expires_at = 0 WHERE NOT completed", &[]).await.unwrap();
            }
            None => {
                self.sql().execute("UPDATE uploads SET expires_at = 0 WHERE completed = 0", []).unwrap();
            }
        }
    }

    /// A second connection to the server's SQLite file, to look behind the
    /// API (WAL lets it read and write beside the server's own). Tests that
    /// also run on PostgreSQL use the storage trait or a helper instead.
    pub fn sql(&self) -> rusqlite::Connection {
        assert!(self.state.config.database.is_none(), "this test reads SQLite directly: SQLite only");
        let c = rusqlite::Connection::open(self.state.config.data_dir.join("server.sqlite3")).unwrap();
        c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        c
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

/// Whether this run keeps the test servers' records in PostgreSQL
/// (`PHANANH_TEST_DATABASE=postgres`, with `PHANANH_PG_URL`) and their
/// photos and partial uploads in S3 (`PHANANH_TEST_PHOTOS=s3`, with
/// `PHANANH_S3_ENDPOINT`): CI runs the API's suites a second time so, the
/// same assertions on the province's stores as on the district's.
pub fn on_postgres() -> bool {
    std::env::var("PHANANH_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// See [`on_postgres`].
pub fn on_s3() -> bool {
    std::env::var("PHANANH_TEST_PHOTOS").is_ok_and(|v| v == "s3")
}

pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
    start_changed(tweak, |_| {}).await
}

/// [`start_with`], and `change` the state before it serves (while it is
/// still the only handle: to put a test's own part in place of one).
pub async fn start_changed(
    tweak: impl FnOnce(&mut Config),
    change: impl FnOnce(&mut phananh_server::state::AppState),
) -> TestServer {
    tls_provider();
    let dir = TempDir::new().unwrap();
    let mut config = Config::new(dir.path().to_owned());
    if on_postgres() {
        let url = pg::fresh_database("a test server on PostgreSQL").await;
        config.database = Some(url.expect("PHANANH_TEST_DATABASE=postgres needs PHANANH_PG_URL"));
    }
    if on_s3() {
        let bucket = s3::fresh_bucket("a test server on S3").await;
        config.photos = Some(bucket.expect("PHANANH_TEST_PHOTOS=s3 needs PHANANH_S3_ENDPOINT"));
    }
    tweak(&mut config);
    let mut state = phananh_server::open(config).unwrap();
    change(std::sync::Arc::get_mut(&mut state).expect("no other handle on a state not yet served"));
    demo::seed(state.store.as_ref()).await.unwrap();
    staff::add(state.store.as_ref(), "canbo", "mat-khau-du-dai", Role::Coordinator, None).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let s = state.clone();
    tokio::spawn(async move {
        phananh_server::serve(listener, s, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    TestServer { base, state, _dir: dir, shutdown: Some(tx) }
}

/// reqwest is built with rustls but no crypto provider of its own (the app
/// uses ring, not aws-lc); when the workspace builds together, every client
/// needs ring installed first.
pub fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub fn client() -> reqwest::Client {
    tls_provider();
    reqwest::Client::new()
}

/// A client with a fresh device token.
pub async fn device(server: &TestServer) -> reqwest::Client {
    let reg: Value =
        client().post(format!("{}/api/v1/devices", server.base)).send().await.unwrap().json().await.unwrap();
    let token = reg["token"].as_str().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

/// A staff session: `{"token", "csrf"}`.
pub async fn staff_session(server: &TestServer) -> Value {
    client()
        .post(format!("{}/api/v1/staff/login", server.base))
        .json(&json!({"name": "canbo", "password": "mat-khau-du-dai"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A client signed in as staff.
pub async fn staff_client(server: &TestServer) -> reqwest::Client {
    let session = staff_session(server).await;
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {}", session["token"].as_str().unwrap())).unwrap(),
    );
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

/// Create a report as `dev` (under a new id); the server must answer 201.
pub async fn put_report(server: &TestServer, dev: &reqwest::Client, body: &Value) -> Value {
    let r = dev.put(format!("{}/api/v1/reports/{}", server.base, new_id())).json(body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

pub fn report(photos: &[(&str, &[u8])]) -> Value {
    json!({
        "category": "o_ga",
        "description": "Ổ gà lớn giữa đường liên xã, xe máy dễ ngã",
        "lat": 18.9, "lon": 105.3, "accuracy_m": 6.0,
        "address": "Xóm 3, xã Đà Sơn",
        "reporter": {"name": "Nguyễn Văn An", "phone": "0912345678", "anonymous": false},
        "photos": photos.iter().map(|(id, bytes)| json!({"id": id, "sha256": sha256(bytes), "bytes": bytes.len()})).collect::<Vec<_>>(),
    })
}

pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn test_jpeg() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/photos/real/DSCN0010.jpg")).unwrap()
}

/// A server with the demo district (units, rules, calendar) and these staff
/// accounts: (name, role, unit). Every password is `mat-khau-du-dai`.
pub async fn start_district(
    accounts: &[(&str, phananh_server::storage::Role, Option<&str>)],
    clock: std::sync::Arc<dyn phananh_protocol::Clock>,
) -> TestServer {
    start_district_with(accounts, clock, |_| {}).await
}

/// [`start_district`], with the configuration changed by `tweak` first.
pub async fn start_district_with(
    accounts: &[(&str, phananh_server::storage::Role, Option<&str>)],
    clock: std::sync::Arc<dyn phananh_protocol::Clock>,
    tweak: impl FnOnce(&mut Config),
) -> TestServer {
    let s = start_with(move |config| {
        demo::write_district(&config.data_dir).unwrap();
        config.clock = clock;
        tweak(config);
    })
    .await;
    for (name, role, unit) in accounts {
        staff::add(s.state.store.as_ref(), name, "mat-khau-du-dai", *role, *unit).await.unwrap();
    }
    s
}

/// A client signed in as `name`.
pub async fn staff_as(server: &TestServer, name: &str) -> reqwest::Client {
    let session: Value = client()
        .post(format!("{}/api/v1/staff/login", server.base))
        .json(&json!({"name": name, "password": "mat-khau-du-dai"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap_or_else(|| panic!("{name} signs in: {session}"));
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

//! The real server in-process on a loopback port (restartable on the same
//! data), a phone's home directory, and checks against what the server
//! stored.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use phananh_core::model::{DraftPatch, Location, ReportId};
use phananh_core::store::{PhotoSource, Store};
use phananh_core::sync::{FileSecretStore, SyncConfig, Syncer};
use phananh_server::{Config, Shared, demo, staff};
use sha2::{Digest, Sha256};

/// Staff account every test server has.
pub const STAFF: (&str, &str) = ("canbo", "mat-khau-du-dai");

/// A real `phananh-server` serving `data` on a loopback port; or, when
/// [`crate::cluster::wanted`], two replicas of it on one PostgreSQL and one
/// S3 bucket behind nginx, `addr` being nginx's.
pub struct Server {
    /// Where its database and photos are (a cluster: its district file and
    /// where to find its database and bucket again).
    pub data: PathBuf,
    /// Its address.
    pub addr: SocketAddr,
    /// Its shared state: configuration and storage (a cluster: the first
    /// replica's).
    pub state: Shared,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    nginx: Option<crate::cluster::Nginx>,
}

impl Server {
    /// Start on `data` (seeding demo categories and the staff account the
    /// first time).
    pub async fn start(data: &Path) -> Server {
        Server::start_with(data, |_| {}).await
    }

    /// Start with a tweaked configuration.
    pub async fn start_with(data: &Path, tweak: impl FnOnce(&mut Config)) -> Server {
        let mut config = Config::new(data.to_owned());
        // Tests create many reports from one device quickly.
        config.creates_per_minute = 100_000;
        config.uploads_per_minute = 100_000;
        config.ip_creates_per_minute = 0;
        let cluster = crate::cluster::wanted();
        if cluster {
            let backing = crate::cluster::Backing::of(data).await;
            config.database = Some(backing.database);
            config.photos = Some(backing.photos);
            config.trusted_proxies = vec![std::net::Ipv4Addr::LOCALHOST.into()];
        }
        tweak(&mut config);
        let replicas = if cluster { 2 } else { 1 };
        let mut states = Vec::new();
        for _ in 0..replicas {
            states.push(phananh_server::open(config.clone()).expect("server opens"));
        }
        let state = states[0].clone();
        demo::seed(state.store.as_ref()).await.expect("demo data");
        if state.store.staff_count().await.expect("staff") == 0 {
            staff::add(state.store.as_ref(), STAFF.0, STAFF.1, phananh_server::storage::Role::Coordinator, None)
                .await
                .expect("staff account");
        }
        let mut tasks = Vec::new();
        let mut addrs = Vec::new();
        for s in states {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("port");
            addrs.push(listener.local_addr().expect("address"));
            tasks.push(tokio::spawn(async move {
                let _ = phananh_server::serve(listener, s, std::future::pending()).await;
            }));
        }
        let nginx = cluster.then(|| crate::cluster::Nginx::start(&addrs));
        let addr = nginx.as_ref().map_or(addrs[0], |n| n.addr);
        Server { data: data.to_owned(), addr, state, tasks, nginx }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop abruptly, as a crash or a pulled plug would: connections are
    /// dropped mid-request. (Committed transactions survive.)
    pub async fn kill(mut self) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
        drop(self.nginx.take());
    }

    /// Run one SQL statement on the server's database (SQLite's file, or a
    /// cluster's PostgreSQL), beside the server's own connection.
    pub async fn execute(&self, sql: &str) {
        match &self.state.config.database {
            Some(url) => {
                let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("PostgreSQL");
                tokio::spawn(conn);
                c.batch_execute(sql).await.expect("statement");
            }
            None => self.db(|c| c.execute_batch(sql).expect("statement")),
        }
    }

    /// Run SQL against the server's SQLite database, on a second connection
    /// beside the server's own (WAL allows it).
    pub fn db<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> T) -> T {
        assert!(self.state.config.database.is_none(), "SQLite only");
        let c = rusqlite::Connection::open(self.data.join("server.sqlite3")).expect("server database");
        c.busy_timeout(std::time::Duration::from_secs(10)).expect("busy timeout");
        f(&c)
    }

    /// Every report the server holds: client id → (tracking code, photo
    /// sha256s in order, each recomputed from the stored bytes).
    pub fn reports(&self) -> Vec<ServerReport> {
        // (report id, client id, code) and each report's (photo id, key, sha256).
        type Rows = Vec<(i64, String, String, Vec<(String, String, String)>)>;
        let rows: Rows = match &self.state.config.database {
            None => {
                let reports: Vec<(i64, String, String)> = self.db(|c| {
                    c.prepare("SELECT id, client_id, tracking_code FROM reports ORDER BY id")
                        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
                        .expect("reports")
                });
                reports
                    .into_iter()
                    .map(|(id, client_id, code)| {
                        let photos = self.db(|c| {
                            c.prepare("SELECT id, key, sha256 FROM photos WHERE report_id = ?1 ORDER BY position")
                                .and_then(|mut s| {
                                    s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect()
                                })
                                .expect("photos")
                        });
                        (id, client_id, code, photos)
                    })
                    .collect()
            }
            Some(url) => {
                let url = url.clone();
                tokio::task::block_in_place(|| {
                    tokio::runtime::Handle::current().block_on(async move {
                        let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("PostgreSQL");
                        tokio::spawn(conn);
                        let mut out = Vec::new();
                        for r in c
                            .query("SELECT id, client_id, tracking_code FROM reports ORDER BY id", &[])
                            .await
                            .expect("reports")
                        {
                            let id: i64 = r.get(0);
                            let photos = c
                                .query(
                                    "SELECT id, key, sha256 FROM photos WHERE report_id = $1 ORDER BY position",
                                    &[&id],
                                )
                                .await
                                .expect("photos")
                                .iter()
                                .map(|p| (p.get(0), p.get(1), p.get(2)))
                                .collect();
                            out.push((id, r.get(1), r.get(2), photos));
                        }
                        out
                    })
                })
            }
        };
        rows.into_iter()
            .map(|(_, client_id, tracking_code, photos)| {
                let photos = photos
                    .into_iter()
                    .map(|(pid, key, declared)| {
                        let bytes = self.photo(&key);
                        ServerPhoto { id: pid, declared_sha256: declared, file_sha256: sha256_hex(&bytes) }
                    })
                    .collect();
                ServerReport { client_id, tracking_code, photos }
            })
            .collect()
    }

    /// A stored photo's bytes, from wherever the server keeps them (empty if none).
    fn photo(&self, key: &str) -> Vec<u8> {
        if self.state.config.photos.is_none() {
            return std::fs::read(self.data.join("photos").join(key)).unwrap_or_default();
        }
        let photos = self.state.photos.clone();
        let key = key.to_owned();
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async move { photos.get(&key).await.unwrap_or_default() })
        })
    }

    /// Set a report's status with a reply, as staff do (through the staff API).
    pub async fn staff_reply(&self, tracking_code: &str, status: &str, reply: &str) {
        let http = phananh_core::sync::http_client(
            "test",
            std::time::Duration::from_secs(5),
            std::time::Duration::from_secs(30),
        )
        .expect("client");
        let session: serde_json::Value = http
            .post(format!("{}/api/v1/staff/login", self.url()))
            .json(&serde_json::json!({"name": STAFF.0, "password": STAFF.1}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("session");
        let token = session["token"].as_str().expect("token");
        let r = http
            .post(format!("{}/api/v1/staff/reports/{tracking_code}/status", self.url()))
            .bearer_auth(token)
            .json(&serde_json::json!({"status": status, "reply": reply}))
            .send()
            .await
            .expect("status change");
        assert_eq!(r.status(), 200, "staff status change");
    }
}

/// A report as the server stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerReport {
    /// The app's id.
    pub client_id: String,
    /// Its tracking code.
    pub tracking_code: String,
    /// Its photos.
    pub photos: Vec<ServerPhoto>,
}

/// A photo as the server stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPhoto {
    /// The app's photo id.
    pub id: String,
    /// The sha256 the app declared.
    pub declared_sha256: String,
    /// The sha256 of the file on the server's disk.
    pub file_sha256: String,
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// One of the real phone photos in `testdata/photos/real/`.
pub fn real_photo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/photos/real").join(name)
}

/// The real photos, by file name.
pub const REAL_PHOTOS: [&str; 3] = ["HMD_Nokia_8.3_5G.jpg", "iphone_hdr_NO.jpg", "DSCN0010.jpg"];

/// A complete draft for report number `n`, inside the demo service area.
pub fn draft(n: usize) -> DraftPatch {
    DraftPatch {
        category: Some(Some(["o_ga", "den_duong", "rac_thai"][n % 3].into())),
        description: Some(format!("Phản ánh thử số {n}: ổ gà sâu giữa đường liên thôn, xe máy dễ ngã")),
        location: Some(Some(Location { lat: 18.9 + n as f64 * 1e-4, lon: 105.3, accuracy_m: Some(8.0) })),
        reporter_name: Some(Some("Nguyễn Văn An".into())),
        reporter_phone: Some(Some("0912345678".into())),
        ..Default::default()
    }
}

/// Create, fill, attach `photos` real photos to, and submit report `n`.
pub fn queue_report(store: &Store, n: usize, photos: usize) -> ReportId {
    let report = store.create_draft(&draft(n)).expect("draft");
    for i in 0..photos {
        let path = real_photo(REAL_PHOTOS[(n + i) % REAL_PHOTOS.len()]);
        let src = PhotoSource::Path(&path);
        store.attach_photo(report.id, src, &Default::default()).expect("photo");
    }
    store.submit(report.id).expect("submit");
    report.id
}

/// A phone: its store in a home directory and a sync engine for
/// `server_url`. Its device token is a file in the home, as the CLI and the
/// `sync-client` child keep it, so a child process is the same phone.
pub struct Phone {
    /// The home directory.
    pub home: PathBuf,
    /// Removes a temporary home when the phone goes.
    _temp: Option<tempfile::TempDir>,
    /// The sync engine (its store is `syncer.store()`).
    pub syncer: Syncer,
}

impl Phone {
    /// A fresh phone talking to `server_url`, with quick retries for tests.
    pub fn new(server_url: &str) -> Phone {
        Phone::with(server_url, |_| {})
    }

    /// A fresh phone with a tweaked sync configuration.
    pub fn with(server_url: &str, tweak: impl FnOnce(&mut SyncConfig)) -> Phone {
        let temp = tempfile::tempdir().expect("home");
        let mut phone = Phone::open(temp.path(), server_url, tweak);
        phone._temp = Some(temp);
        phone
    }

    /// The phone whose home is `home` (left by an earlier one, or a child
    /// process), started again.
    pub fn reopen(home: &Path, server_url: &str) -> Phone {
        Phone::open(home, server_url, |_| {})
    }

    fn open(home: &Path, server_url: &str, tweak: impl FnOnce(&mut SyncConfig)) -> Phone {
        let store = Arc::new(Store::open_in(home).expect("store"));
        let mut config = SyncConfig::new(server_url);
        config.backoff.base = std::time::Duration::from_millis(50);
        config.backoff.cap = std::time::Duration::from_millis(500);
        config.chunk_size = 256 * 1024;
        // Fixed chunks: the tests count requests and cut at chunk boundaries.
        config.chunk_min = config.chunk_size;
        config.chunk_max = config.chunk_size;
        config.read_timeout = std::time::Duration::from_secs(5);
        config.connect_timeout = std::time::Duration::from_secs(5);
        tweak(&mut config);
        let secrets = Arc::new(FileSecretStore::new(home.join("secrets.json")));
        let syncer = Syncer::new(store, secrets, config).expect("syncer");
        Phone { home: home.to_owned(), _temp: None, syncer }
    }

    /// Every row of every table of the phone's database, as text: what a
    /// test looks through for what must never be on the device.
    pub fn home_dump(&self) -> String {
        let c = rusqlite::Connection::open(self.home.join(phananh_core::store::DB_FILE)).expect("phone database");
        let tables: Vec<String> = c
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("tables");
        let mut out = String::new();
        for t in tables {
            let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\"")).expect("rows");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| match r.get_ref(i) {
                            Ok(rusqlite::types::ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                            Ok(v) => format!("{v:?}"),
                            Err(_) => String::new(),
                        })
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .expect("rows")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows");
            out.push_str(&rows.join("\n"));
            out.push('\n');
        }
        out
    }

    /// The phone's store.
    pub fn store(&self) -> &Store {
        self.syncer.store()
    }

    /// Sync pass after pass (sleeping until the next report is due) until
    /// the outbox is empty; panics after `max_passes`.
    pub async fn sync_until_empty(&self, max_passes: usize) -> usize {
        for pass in 1..=max_passes {
            let summary = self.syncer.sync_once().await.expect("sync pass");
            if summary.waiting == 0 {
                return pass;
            }
            if let Some(at_ms) = summary.next_attempt_at_ms {
                let now_ms = phananh_core::protocol::vn_time::ms(time::OffsetDateTime::now_utc());
                let wait = (at_ms - now_ms).clamp(0, 60_000) as u64;
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            }
        }
        panic!("the outbox did not empty in {max_passes} passes");
    }
}

/// Check that the server holds exactly the phone's sent reports, once each,
/// with every photo's sha256 equal to the phone's.
pub fn assert_server_has_exactly(server: &Server, phone: &Store, ids: &[ReportId]) {
    let on_server = server.reports();
    for id in ids {
        let local = phone.get(*id).expect("local report");
        let matching: Vec<&ServerReport> = on_server.iter().filter(|r| r.client_id == id.to_string()).collect();
        assert_eq!(matching.len(), 1, "report {id} is on the server exactly once");
        let remote = matching[0];
        assert_eq!(local.tracking_code.as_deref(), Some(remote.tracking_code.as_str()));
        let local_shas: Vec<String> = local
            .photos
            .iter()
            .map(|p| sha256_hex(&std::fs::read(phone.photo_path(&p.file)).expect("local photo")))
            .collect();
        let remote_shas: Vec<String> = remote.photos.iter().map(|p| p.file_sha256.clone()).collect();
        assert_eq!(remote_shas, local_shas, "report {id}: every photo arrived whole, in order");
        for p in &remote.photos {
            assert_eq!(p.declared_sha256, p.file_sha256);
        }
    }
    let ours: std::collections::HashSet<String> = ids.iter().map(|i| i.to_string()).collect();
    let extra: Vec<&ServerReport> = on_server.iter().filter(|r| !ours.contains(&r.client_id)).collect();
    assert!(extra.is_empty(), "no other reports on the server: {extra:?}");
}

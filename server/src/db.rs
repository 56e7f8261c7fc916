//! The server's SQLite database: schema, and one connection used from a
//! blocking thread so request handlers never block the async runtime.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::ApiError;

const SCHEMA_VERSION: u32 = 1;

const SCHEMA: &str = "
CREATE TABLE devices (
    id          TEXT PRIMARY KEY NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE categories (
    code           TEXT PRIMARY KEY NOT NULL,
    name_vi        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    group_vi       TEXT NOT NULL,
    group_en       TEXT NOT NULL,
    photo_required INTEGER NOT NULL DEFAULT 0,
    position       INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    client_id       TEXT NOT NULL UNIQUE,
    device_id       TEXT REFERENCES devices (id),
    source          TEXT NOT NULL DEFAULT 'app',
    tracking_code   TEXT NOT NULL UNIQUE,
    body_hash       TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    category        TEXT NOT NULL,
    description     TEXT NOT NULL,
    description_fold TEXT NOT NULL,
    lat             REAL,
    lon             REAL,
    accuracy_m      REAL,
    address         TEXT,
    reporter_name   TEXT,
    reporter_phone  TEXT,
    anonymous       INTEGER NOT NULL DEFAULT 0,
    for_name        TEXT,
    for_phone       TEXT,
    consent         INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'received',
    duplicate_of    INTEGER REFERENCES reports (id),
    photos_expected INTEGER NOT NULL DEFAULT 0,
    client_created_at TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX reports_device ON reports (device_id);
CREATE INDEX reports_status ON reports (status, created_at);
CREATE INDEX reports_position ON reports (lat, lon);

CREATE TABLE photo_decls (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    photo_id  TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    bytes     INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (report_id, photo_id)
) STRICT;

CREATE TABLE photos (
    id         TEXT PRIMARY KEY NOT NULL,
    report_id  INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX photos_report ON photos (report_id, position);

CREATE TABLE uploads (
    id              TEXT PRIMARY KEY NOT NULL,
    device_id       TEXT NOT NULL,
    report_id       INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    photo_id        TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    length          INTEGER NOT NULL,
    offset          INTEGER NOT NULL DEFAULT 0,
    sha256          TEXT NOT NULL,
    expires_at      INTEGER NOT NULL,
    completed       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    UNIQUE (device_id, idempotency_key)
) STRICT;

CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    reply      TEXT,
    staff_id   INTEGER,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX changes_report ON changes (report_id, seq);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
    key_hash   TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
";

/// The one connection, shared; every use runs on a blocking thread.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Open (or create) the database file.
    pub fn open(path: &Path) -> anyhow::Result<Db> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a 2xx lets the phone drop its copy, so what we acknowledged
        // must survive a power cut here too.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            anyhow::bail!("{} was written by a newer server (schema {version})", path.display());
        }
        if version == 0 {
            let tx = conn.transaction()?;
            tx.execute_batch(SCHEMA)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            tx.commit()?;
        }
        Ok(Db { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Run `f` with the connection on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| ApiError::internal(format!("database task failed: {e}")))?
    }

    /// Run `f` on the calling thread (for the CLI and start-up).
    pub fn blocking<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Write the WAL back into the main file (on shutdown).
    pub fn checkpoint(&self) {
        self.blocking(|c| {
            if let Err(e) = c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        });
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// RFC 3339 text for a stored millisecond time.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

//! The server's SQLite database: its numbered migrations, and one
//! connection on its own thread with group commit, so request handlers
//! never block the async runtime.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use crate::storage::StorageError;

/// The schema's history, one step a version: step *n* takes a database at
/// version *n* to *n + 1*. A new database runs them all; an old one runs
/// what it lacks, in one transaction. Never edit a step that has shipped.
const MIGRATIONS: &[&str] = &[SCHEMA_1, SCHEMA_2, SCHEMA_3, SCHEMA_4, SCHEMA_5, SCHEMA_6, SCHEMA_7];

/// The schema version this server writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Version 7: search finds what version 4 missed. The address is kept
/// folded (`address_fold`, as the description is) so a search without
/// accents finds "Xóm Đồng" whether it reads the index or the newest
/// reports; and both search indexes are rebuilt with the text every store
/// now writes (`storage::searchable`): a leading space, so a two-letter
/// first word ("Ao tù…") is found, and the address folded (version 4's rows
/// had it only lower-cased, and new reports' lacked the space). `fold()` is
/// the project's own folding, registered on the connection
/// ([`register_functions`]) because SQL's `lower()` keeps accents and `đ`.
const SCHEMA_7: &str = "
ALTER TABLE reports ADD COLUMN address_fold TEXT NOT NULL DEFAULT '';
UPDATE reports SET address_fold = fold(address) WHERE address IS NOT NULL;
INSERT INTO reports_search (reports_search) VALUES ('delete-all');
INSERT INTO reports_search (rowid, text)
    SELECT id, ' ' || description_fold || ' ' || lower(tracking_code) || ' ' || address_fold FROM reports;
INSERT INTO reports_words (reports_words) VALUES ('delete-all');
INSERT INTO reports_words (rowid, text)
    SELECT id, ' ' || description_fold || ' ' || lower(tracking_code) || ' ' || address_fold FROM reports;
";

/// Version 6: the overview keeps every report's figures in memory and
/// reads what changed since its last look: reports by `updated_at`,
/// ratings by `at` (a rating does not change the report itself).
const SCHEMA_6: &str = "
CREATE INDEX reports_updated ON reports (updated_at);
CREATE INDEX ratings_at ON ratings (at);
";

/// Version 5: the resident's word after the answer. A rating per report
/// (the unit that answered kept with it, for the units' figures); reopens
/// and contested rejections, each with the unit it went back to (a reopen
/// counts against that unit); followers per device, with "me too" and
/// their photos (declared with `photo_decls.follower`, stored as photos of
/// kind 2 beside the reporter's 0 and the fix's 1: staff see them, the
/// public page does not — a neighbour's photo is not theirs to publish).
/// Each is idempotent by the phone's id.
const SCHEMA_5: &str = "
CREATE TABLE ratings (
    report_id INTEGER PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL UNIQUE,
    score     TEXT NOT NULL CHECK (score IN ('satisfied', 'acceptable', 'not_satisfied')),
    comment   TEXT,
    on_behalf INTEGER NOT NULL DEFAULT 0,
    unit_code TEXT,
    at        INTEGER NOT NULL
) STRICT;
CREATE INDEX ratings_unit ON ratings (unit_code, at);

CREATE TABLE reopens (
    id        INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('reopen', 'contest')),
    reason    TEXT NOT NULL,
    from_unit TEXT,
    unit_code TEXT,
    at        INTEGER NOT NULL
) STRICT;
CREATE INDEX reopens_report ON reopens (report_id);
CREATE INDEX reopens_unit ON reopens (from_unit, at);

CREATE TABLE follows (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    me_too    INTEGER NOT NULL DEFAULT 0,
    at        INTEGER NOT NULL,
    PRIMARY KEY (report_id, device_id)
) STRICT;
CREATE INDEX follows_device ON follows (device_id);

ALTER TABLE photo_decls ADD COLUMN follower TEXT;
";

/// Version 4: where a report is (`place_code`, the commune whose boundary
/// holds its point; `''` outside every boundary; `NULL` not yet placed —
/// the server places those at start-up, since SQL cannot), for the
/// dashboard's commune filter; and a trigram index of the searchable text
/// (folded description, tracking code, address), so a search that matches
/// nothing no longer reads every report, beside a word index with one-letter
/// prefixes for the one-letter words the trigrams cannot take. Text of earlier reports goes in as
/// SQLite's `lower()` leaves it; new reports' is folded in Rust. A staff
/// account can be disabled (a leaver): it keeps its place in the records.
const SCHEMA_4: &str = "
ALTER TABLE staff ADD COLUMN disabled_at INTEGER;
ALTER TABLE reports ADD COLUMN place_code TEXT;
CREATE INDEX reports_place ON reports (place_code, created_at);
CREATE VIRTUAL TABLE reports_search USING fts5 (text, content = '', tokenize = 'trigram');
INSERT INTO reports_search (rowid, text)
    SELECT id, ' ' || description_fold || ' ' || lower(tracking_code) || ' ' || lower(coalesce(address, '')) FROM reports;
CREATE VIRTUAL TABLE reports_words USING fts5 (text, content = '', tokenize = 'unicode61', prefix = '1');
INSERT INTO reports_words (rowid, text)
    SELECT id, description_fold || ' ' || lower(tracking_code) || ' ' || lower(coalesce(address, '')) FROM reports;
";

/// Version 3: the government's half. Each report has the unit responsible,
/// a priority, and deadlines (to acknowledge, to resolve) in ms; staff have
/// a role and a unit; the resident's feed (`changes`) says which unit and
/// which deadline from each step on; photos of the fix (staff's, `fix = 1`)
/// are kept apart from the resident's. Staff-only records are kept apart from
/// that feed, so nothing in them can reach a resident: `report_events`
/// (routing, assignment, transfer, hand-back, priority, extensions, with
/// who and why) and `internal_notes`. Reports of earlier versions have no
/// unit: they are the coordinator's.
const SCHEMA_3: &str = "
ALTER TABLE reports ADD COLUMN unit_code TEXT;
ALTER TABLE reports ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE reports ADD COLUMN ack_due_at INTEGER;
ALTER TABLE reports ADD COLUMN due_at INTEGER;
ALTER TABLE reports ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE reports ADD COLUMN closed_at INTEGER;
ALTER TABLE reports ADD COLUMN media_url TEXT;
ALTER TABLE photos ADD COLUMN fix INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reports_unit ON reports (unit_code, created_at);
CREATE INDEX reports_due ON reports (due_at);
CREATE INDEX reports_newest ON reports (created_at);
CREATE INDEX reports_unacknowledged ON reports (created_at) WHERE acknowledged_at IS NULL;
-- Reports from before: taken up if past 'received', closed if done.
UPDATE reports SET acknowledged_at = updated_at WHERE status <> 'received';
UPDATE reports SET closed_at = updated_at WHERE status IN ('resolved', 'rejected');

ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'coordinator';
ALTER TABLE staff ADD COLUMN unit_code TEXT;

ALTER TABLE changes ADD COLUMN unit_code TEXT;
ALTER TABLE changes ADD COLUMN due_at INTEGER;

CREATE TABLE report_events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    staff_id  INTEGER,
    action    TEXT NOT NULL,
    unit_code TEXT,
    detail    TEXT
) STRICT;
CREATE INDEX report_events_report ON report_events (report_id, seq);

CREATE TABLE internal_notes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    staff_id  INTEGER NOT NULL,
    text      TEXT NOT NULL,
    at        INTEGER NOT NULL
) STRICT;
CREATE INDEX internal_notes_report ON internal_notes (report_id, seq);

CREATE TABLE extensions (
    id           INTEGER PRIMARY KEY,
    report_id    INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    requested_by INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    until        INTEGER NOT NULL,
    requested_at INTEGER NOT NULL,
    decided_by   INTEGER,
    decided_at   INTEGER,
    approved     INTEGER
) STRICT;
CREATE INDEX extensions_report ON extensions (report_id);
";

/// Version 2: photo ids are looked up alone (they are global), and an
/// append-only audit trail for staff actions, sign-in failures included.
const SCHEMA_2: &str = "
CREATE INDEX photo_decls_photo ON photo_decls (photo_id);

CREATE TABLE audit_log (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    staff_id INTEGER,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT,
    detail   TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

const SCHEMA_1: &str = "
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

/// SQL functions of the project's own, registered on a connection before it
/// migrates (schema steps may call them; the store's own writes fold in
/// Rust): `fold(text)`, the search folding ([`phananh_protocol::text::fold`]).
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("fold", 1, flags, |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|text| phananh_protocol::text::fold(&text)))
    })
}

/// Bring a database at `from` up to [`SCHEMA_VERSION`], all steps in one
/// transaction (a failure leaves it as it was).
pub fn migrate(conn: &mut Connection, from: u32) -> anyhow::Result<()> {
    if from >= SCHEMA_VERSION {
        return Ok(());
    }
    register_functions(conn)?;
    let tx = conn.transaction()?;
    for (i, step) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.execute_batch(step).map_err(|e| anyhow::anyhow!("schema step {}: {e}", i + 1))?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// The one connection, shared; every use runs on a blocking thread.
///
/// Requests' work is **group-committed**: calls that arrive while a batch is
/// running queue up, and the next batch runs them all in one transaction,
/// each inside its own savepoint (a failing call rolls back only its own
/// writes), with one fsync at `COMMIT`. Answers are released only after the
/// commit, so a 2xx still means "on disk". Under load this turns N fsyncs
/// into one; alone, a call costs what it did.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    queue: Arc<Mutex<Queue>>,
}

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    running: bool,
}

/// Runs a call inside the batch; returns whether it succeeded, and how to
/// deliver its answer once the batch's commit is known.
type Job = Box<dyn FnOnce(&mut Connection) -> (bool, Deliver) + Send>;
type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;

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
        migrate(&mut conn, version)?;
        Ok(Db { conn: Arc::new(Mutex::new(conn)), queue: Arc::new(Mutex::new(Queue::default())) })
    }

    /// Run `f` with the connection (inside the current batch's transaction;
    /// use `savepoint()`, not `transaction()`, for a unit of work) and
    /// return its answer once it is committed.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, StorageError>>();
        let job: Job = Box::new(move |c: &mut Connection| {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(c)))
                .unwrap_or_else(|_| Err(StorageError::backend("a database call panicked")));
            let ok = result.is_ok();
            let deliver: Deliver = Box::new(move |commit_error: Option<&str>| {
                let answer = match (commit_error, result) {
                    (Some(e), Ok(_)) => Err(StorageError::backend(format!("commit failed: {e}"))),
                    (_, r) => r,
                };
                let _ = tx.send(answer);
            });
            (ok, deliver)
        });
        let start = {
            let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            q.jobs.push(job);
            !std::mem::replace(&mut q.running, true)
        };
        if start {
            let (conn, queue) = (self.conn.clone(), self.queue.clone());
            tokio::task::spawn_blocking(move || run_batches(&conn, &queue));
        }
        rx.await.map_err(|_| StorageError::backend("the database task stopped"))?
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

/// Run queued calls in batches until the queue is empty.
fn run_batches(conn: &Mutex<Connection>, queue: &Mutex<Queue>) {
    let mut c = conn.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let jobs = {
            let mut q = queue.lock().unwrap_or_else(|p| p.into_inner());
            if q.jobs.is_empty() {
                q.running = false;
                return;
            }
            std::mem::take(&mut q.jobs)
        };
        let mut delivers = Vec::with_capacity(jobs.len());
        let began = c.execute_batch("BEGIN IMMEDIATE").err().map(|e| e.to_string());
        for job in jobs {
            if let Err(e) = c.execute_batch("SAVEPOINT call") {
                tracing::error!(error = %e, "savepoint failed");
            }
            let (ok, deliver) = job(&mut c);
            if !ok {
                let _ = c.execute_batch("ROLLBACK TO call");
            }
            let _ = c.execute_batch("RELEASE call");
            delivers.push(deliver);
        }
        let failed = match began {
            Some(e) => Some(e),
            None => c.execute_batch("COMMIT").err().map(|e| {
                let _ = c.execute_batch("ROLLBACK");
                e.to_string()
            }),
        };
        for deliver in delivers {
            deliver(failed.as_deref());
        }
    }
}

#[cfg(test)]
mod group_commit_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_calls_share_commits_and_a_failure_rolls_back_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.sqlite3")).unwrap();
        db.blocking(|c| c.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)").unwrap());
        let mut tasks = Vec::new();
        for n in 0..200i64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.call(move |c| {
                    c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                    if n % 10 == 0 {
                        // Wrote, then failed: its row must not stay.
                        return Err(StorageError::backend("refused"));
                    }
                    Ok(n)
                })
                .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            if t.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, 180);
        let (count, tens): (i64, i64) = db.blocking(|c| {
            c.query_row("SELECT count(*), count(*) FILTER (WHERE n % 10 = 0) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
        });
        assert_eq!((count, tens), (180, 0));
        // A call's own savepoint works inside the batch.
        let n = db
            .call(|c| {
                let sp = c.savepoint()?;
                sp.execute("INSERT INTO t (n) VALUES (1000)", [])?;
                sp.commit()?;
                Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))?)
            })
            .await
            .unwrap();
        assert_eq!(n, 181);
        // A panicking call is an error, and the database carries on.
        assert!(db.call(|_| -> Result<(), StorageError> { panic!("bug") }).await.is_err());
        assert_eq!(
            db.call(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))?)).await.unwrap(),
            181
        );
    }
}

#[cfg(test)]
mod migration_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn schema_of(c: &Connection) -> Vec<(String, String)> {
        let mut stmt =
            c.prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn each_version_upgraded_equals_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let fresh_path = dir.path().join("fresh.sqlite3");
        drop(Db::open(&fresh_path).unwrap());
        let fresh = Connection::open(&fresh_path).unwrap();
        for start in 1..SCHEMA_VERSION {
            // A database as release `start` left it, with a report in it.
            let path = dir.path().join(format!("v{start}.sqlite3"));
            let old = Connection::open(&path).unwrap();
            for step in &MIGRATIONS[..start as usize] {
                old.execute_batch(step).unwrap();
            }
            old.pragma_update(None, "user_version", start).unwrap();
            old.execute(
                "INSERT INTO reports (client_id, source, tracking_code, body_hash, response_status, category,
                     description, description_fold, created_at, updated_at)
                 VALUES ('c', 'app', 'DL-1', 'h', 201, 'o_ga', 'd', 'd', 1, 1)",
                [],
            )
            .unwrap();
            drop(old);
            drop(Db::open(&path).unwrap());
            let upgraded = Connection::open(&path).unwrap();
            assert_eq!(schema_of(&upgraded), schema_of(&fresh), "from version {start}");
            let version: u32 = upgraded.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
            assert_eq!(version, SCHEMA_VERSION);
            let kept: i64 = upgraded.query_row("SELECT count(*) FROM reports", [], |r| r.get(0)).unwrap();
            assert_eq!(kept, 1, "data survives the upgrade");
        }
    }

    /// Version 6's search rows (no leading space, the address only
    /// lower-cased) are rebuilt by version 7: a report filed then is found
    /// by its two-letter first word and by its address without accents.
    #[tokio::test]
    async fn version_7_reindexes_what_version_6_wrote() {
        use crate::storage::{ReportFilter, SqliteStorage, Storage};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.sqlite3");
        let old = Connection::open(&path).unwrap();
        for step in &MIGRATIONS[..6] {
            old.execute_batch(step).unwrap();
        }
        old.pragma_update(None, "user_version", 6).unwrap();
        old.execute(
            "INSERT INTO reports (id, client_id, source, tracking_code, body_hash, response_status, category,
                 description, description_fold, address, created_at, updated_at)
             VALUES (7, 'c', 'app', 'DL-AB2345', 'h', 201, 'o_ga', 'Ao tù', 'ao tu', 'Xóm Đồng', 1, 1)",
            [],
        )
        .unwrap();
        // As version 6's server wrote them.
        let v6_text = "ao tu dl-ab2345 xóm đồng";
        old.execute("INSERT INTO reports_search (rowid, text) VALUES (7, ?1)", [v6_text]).unwrap();
        old.execute("INSERT INTO reports_words (rowid, text) VALUES (7, ?1)", [v6_text]).unwrap();
        drop(old);
        let store = SqliteStorage::open(&path).unwrap();
        for q in ["ao", "xom dong", "Xóm Đồng", "tu"] {
            let found = store.staff_reports(ReportFilter { q: Some(q.into()), ..Default::default() }).await.unwrap();
            assert_eq!(found.len(), 1, "{q:?}");
        }
        let c = Connection::open(&path).unwrap();
        let folded: String = c.query_row("SELECT address_fold FROM reports WHERE id = 7", [], |r| r.get(0)).unwrap();
        assert_eq!(folded, "xom dong");
    }

    #[test]
    fn the_audit_log_cannot_be_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite3");
        drop(Db::open(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        c.execute("INSERT INTO audit_log (at, actor, action) VALUES (1, 'lan', 'sign_in')", []).unwrap();
        assert!(c.execute("UPDATE audit_log SET actor = 'x'", []).is_err());
        assert!(c.execute("DELETE FROM audit_log", []).is_err());
    }
}

//! Opening the database without ever damaging what is there.
//!
//! Before SQLite touches the file we read its 100-byte header ourselves: a
//! file that is not a database, or one from a newer app, is refused without
//! a single byte written (no WAL switch, no `-wal` file, no migration).

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::{Store, schema};
use crate::error::{Error, Result, StorageContext};

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Open (or create) the database at `path`, with photo files in `photo_dir`.
    ///
    /// Refuses a file that is not a SQLite database ([`Error::NotADatabase`])
    /// or that a newer app wrote ([`Error::TooNew`]), leaving it untouched.
    pub fn open(path: &Path, photo_dir: &Path) -> Result<Store> {
        if let Some(found) = header_version(path)? {
            check_version(path, found)?;
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: "creating the data directory",
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::create_dir_all(photo_dir).map_err(|source| Error::Io {
            context: "creating the photo directory",
            path: photo_dir.to_owned(),
            source,
        })?;

        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn =
            Connection::open_with_flags(path, flags).map_err(|e| not_a_db_or(path, e, "opening the database"))?;
        // The header may lag behind a WAL that was never checkpointed: ask
        // SQLite too, still before writing anything.
        let found: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| not_a_db_or(path, e, "reading the schema version"))?;
        check_version(path, found)?;

        conn.busy_timeout(Duration::from_secs(5)).context("setting the busy timeout")?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).context("switching to WAL")?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL; continuing in this journal mode");
        }
        conn.pragma_update(None, "synchronous", "FULL").context("setting synchronous=FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON").context("enabling foreign keys")?;
        conn.set_prepared_statement_cache_capacity(64);
        schema::migrate(&mut conn, found)?;

        let store = Store {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            photo_dir: photo_dir.to_owned(),
            clock: std::sync::Arc::new(phananh_protocol::SystemClock),
        };
        store.sweep_orphan_files()?;
        Ok(store)
    }
}

/// The schema version from the file header, `None` for a missing or empty
/// file (a new database).
fn header_version(path: &Path) -> Result<Option<u32>> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io { context: "reading the database header", path: path.to_owned(), source });
        }
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Error::NotADatabase { path: path.to_owned() });
    }
    let mut header = Vec::with_capacity(100);
    (&mut file).take(100).read_to_end(&mut header).map_err(|source| Error::Io {
        context: "reading the database header",
        path: path.to_owned(),
        source,
    })?;
    if header.is_empty() {
        return Ok(None);
    }
    if header.len() < 100 || &header[..16] != MAGIC {
        return Err(Error::NotADatabase { path: path.to_owned() });
    }
    // user_version: big-endian u32 at offset 60 (SQLite file format §1.3).
    Ok(Some(u32::from_be_bytes([header[60], header[61], header[62], header[63]])))
}

fn check_version(path: &Path, found: u32) -> Result<()> {
    if found > schema::VERSION {
        return Err(Error::TooNew { path: path.to_owned(), found, supported: schema::VERSION });
    }
    Ok(())
}

fn not_a_db_or(path: &Path, e: rusqlite::Error, context: &'static str) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase { path: path.to_owned() },
        _ => Error::Storage { context, source: e },
    }
}

//! The offline store: drafts, the outbox and what the server sent back, in
//! one SQLite file on the device.
//!
//! One writer connection (behind a mutex), WAL so readers never block it,
//! `synchronous=FULL` so a report acknowledged as queued survives a power
//! cut, foreign keys on. Photo files live beside the database, named by the
//! photo's id; rows are the truth and files follow them.

mod attach;
mod drafts;
mod feedback;
mod list;
mod meta;
mod open;
mod outbox;
mod photos;
mod remote;
mod row;
pub(crate) mod schema;
mod usage;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;
use time::OffsetDateTime;

pub use attach::{Attached, PhotoSource};
pub use feedback::{
    ActionKind, ActionState, FollowDue, Followed, FollowedUpdate, PendingAction, RatingState, normalize_code,
};
pub use list::{ListQuery, Page};
pub use outbox::{Accepted, OutboxEntry, PhotoUpload};
pub use remote::{NearbyHints, StatusUpdate};
pub use schema::VERSION as SCHEMA_VERSION;

/// The database file's name inside a home directory.
pub const DB_FILE: &str = "phananh.sqlite3";
/// The photo directory's name inside a home directory.
pub const PHOTO_DIR: &str = "photos";

/// The device's store. Cheap to share by reference; every method does disk
/// I/O and takes the one writer connection for its duration.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    photo_dir: PathBuf,
    clock: std::sync::Arc<dyn phananh_protocol::Clock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Open (or create) the store in a home directory: `DIR/phananh.sqlite3`
    /// and `DIR/photos/`.
    pub fn open_in(home: &Path) -> crate::Result<Store> {
        Store::open(&home.join(DB_FILE), &home.join(PHOTO_DIR))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory photo files are kept in.
    pub fn photo_dir(&self) -> &Path {
        &self.photo_dir
    }

    /// The full path of a photo file named in a [`crate::model::Photo`].
    pub fn photo_path(&self, file: &str) -> PathBuf {
        self.photo_dir.join(file)
    }

    /// The connection for writes that are safe to lose in a power cut:
    /// the outbox's progress markers and copies of server data. Each only
    /// saves repeating a step the server treats idempotently (a PUT answered
    /// from its stored response, a HEAD, a page pulled again with its
    /// cursor), so they commit with `synchronous=NORMAL` — still atomic and
    /// consistent in WAL, without an fsync each. What the user typed keeps
    /// `FULL`.
    fn progress_conn(&self) -> Relaxed<'_> {
        let guard = self.conn();
        let _ = guard.pragma_update(None, "synchronous", "NORMAL");
        Relaxed(guard)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (transactions roll back on drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The connection with `synchronous=NORMAL` until dropped (see
/// [`Store::progress_conn`]).
struct Relaxed<'a>(MutexGuard<'a, Connection>);

impl Drop for Relaxed<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.pragma_update(None, "synchronous", "FULL") {
            tracing::error!(error = %e, "could not restore synchronous=FULL");
        }
    }
}

impl std::ops::Deref for Relaxed<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl std::ops::DerefMut for Relaxed<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

impl Store {
    /// Read "now" from `clock` from here on (tests set the time with a
    /// [`phananh_protocol::ManualClock`]; the system's clock by default).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn phananh_protocol::Clock>) -> Store {
        self.clock = clock;
        self
    }

    /// Milliseconds since the Unix epoch, from the store's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Now, from the store's clock.
    pub fn now(&self) -> OffsetDateTime {
        from_ms(self.now_ms())
    }
}

pub(crate) fn to_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests;

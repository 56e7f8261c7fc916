//! Locks across processes on one phone home: the app's sync and the
//! background job (or two `phananh sync` runs) must not both register a
//! device or both push the same outbox. An in-process mutex cannot see the
//! other process; an advisory file lock (`flock` on Unix, `LockFileEx` on
//! Windows, through `std::fs::File::lock`) can, and the OS releases it when
//! a process dies, so a crash never leaves a home locked.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use crate::error::{Error, Result};

/// A held lock; released when dropped.
#[derive(Debug)]
pub(crate) struct HomeLock {
    _file: File,
}

/// Wait (off the async threads) until this process holds `path`'s lock.
pub(crate) async fn acquire(path: PathBuf) -> Result<HomeLock> {
    tokio::task::spawn_blocking(move || {
        let io = |source| Error::Io { context: "locking the app's data directory", path: path.clone(), source };
        let file = OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path).map_err(io)?;
        file.lock().map_err(io)?;
        Ok(HomeLock { _file: file })
    })
    .await
    .map_err(|e| Error::Corrupt(format!("the lock task stopped: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_holder_is_shut_out_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let first = acquire(path.clone()).await.unwrap();
        // A second open file description of the same file is a second holder,
        // as another process would be.
        let other = File::options().write(true).open(&path).unwrap();
        assert!(other.try_lock().is_err(), "held by the first");
        drop(first);
        other.try_lock().unwrap();
        drop(other);
        acquire(path).await.unwrap();
    }
}

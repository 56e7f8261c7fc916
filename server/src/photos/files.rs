//! Photos as files under a directory; a partial upload as one file,
//! written at offsets and cut back with `set_len`.

use std::io::SeekFrom;
use std::path::PathBuf;

use bytes::Bytes;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::{PhotoFut, PhotoStore, bad_key, safe_key};

/// Photos under `root`, partial uploads under `partial`.
pub struct FileStore {
    root: PathBuf,
    partial: PathBuf,
}

impl FileStore {
    /// Keep photos under `root` and partial uploads under `partial`.
    pub fn new(root: PathBuf, partial: PathBuf) -> std::io::Result<FileStore> {
        std::fs::create_dir_all(&root)?;
        std::fs::create_dir_all(&partial)?;
        Ok(FileStore { root, partial })
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        if safe_key(key) { Ok(self.root.join(key)) } else { Err(bad_key()) }
    }

    fn partial_path(&self, id: &str) -> std::io::Result<PathBuf> {
        if safe_key(id) && !id.contains('/') { Ok(self.partial.join(format!("{id}.part"))) } else { Err(bad_key()) }
    }
}

/// Gone already is fine.
fn ignore_missing(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

impl PhotoStore for FileStore {
    fn put<'a>(&'a self, key: &'a str, bytes: Bytes) -> PhotoFut<'a, ()> {
        Box::pin(async move {
            let to = self.path(key)?;
            if let Some(parent) = to.parent() {
                tokio::fs::create_dir_all(parent).await?;
            }
            // Whole or not at all: a temporary file, synced, then renamed.
            let tmp = to.with_extension("tmp");
            let mut f = tokio::fs::File::create(&tmp).await?;
            f.write_all(&bytes).await?;
            f.sync_data().await?;
            drop(f);
            tokio::fs::rename(&tmp, &to).await
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> PhotoFut<'a, Vec<u8>> {
        Box::pin(async move { tokio::fs::read(self.path(key)?).await })
    }

    fn delete<'a>(&'a self, key: &'a str) -> PhotoFut<'a, ()> {
        Box::pin(async move { ignore_missing(tokio::fs::remove_file(self.path(key)?).await) })
    }

    fn write_partial<'a>(&'a self, id: &'a str, at: u64, bytes: Bytes) -> PhotoFut<'a, ()> {
        Box::pin(async move {
            let mut f = tokio::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(false)
                .open(self.partial_path(id)?)
                .await?;
            f.seek(SeekFrom::Start(at)).await?;
            f.write_all(&bytes).await?;
            f.sync_data().await
        })
    }

    fn truncate_partial<'a>(&'a self, id: &'a str, offset: u64) -> PhotoFut<'a, ()> {
        Box::pin(async move {
            let f = tokio::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(false)
                .open(self.partial_path(id)?)
                .await?;
            if f.metadata().await?.len() > offset {
                f.set_len(offset).await?;
                f.sync_data().await?;
            }
            Ok(())
        })
    }

    fn partial_len<'a>(&'a self, id: &'a str) -> PhotoFut<'a, u64> {
        Box::pin(async move {
            match tokio::fs::metadata(self.partial_path(id)?).await {
                Ok(m) => Ok(m.len()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
                Err(e) => Err(e),
            }
        })
    }

    fn read_partial<'a>(&'a self, id: &'a str) -> PhotoFut<'a, Vec<u8>> {
        Box::pin(async move { tokio::fs::read(self.partial_path(id)?).await })
    }

    fn remove_partial<'a>(&'a self, id: &'a str) -> PhotoFut<'a, ()> {
        Box::pin(async move { ignore_missing(tokio::fs::remove_file(self.partial_path(id)?).await) })
    }
}

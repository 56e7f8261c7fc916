//! Where finished photos live. Behind a trait so S3-compatible object
//! storage can replace the file system when the server outgrows one machine.

use std::path::{Path, PathBuf};

/// Blob storage for photos, by key.
pub trait PhotoStore: Send + Sync {
    /// Store a finished file under `key`, moving it from `from` when possible.
    fn put_file(&self, key: &str, from: &Path) -> std::io::Result<()>;
    /// Store bytes under `key`.
    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// Read a photo.
    fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
}

/// Where a photo's thumbnail is kept, next to the photo.
pub fn thumb_key(photo_key: &str) -> String {
    match photo_key.strip_suffix(".jpg") {
        Some(stem) => format!("{stem}.thumb.jpg"),
        None => format!("{photo_key}.thumb"),
    }
}

/// Make and store a photo's thumbnail; a failure only costs the thumbnail
/// (lists then fall back to the photo).
pub fn store_thumbnail(store: &dyn PhotoStore, photo_key: &str, jpeg: &[u8]) {
    if let Some(thumb) = crate::jpeg::thumbnail(jpeg)
        && let Err(e) = store.put(&thumb_key(photo_key), &thumb)
    {
        tracing::warn!(error = %e, "could not store a thumbnail");
    }
}

/// Photos as files under a directory.
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// Keep photos under `root`.
    pub fn new(root: PathBuf) -> std::io::Result<FileStore> {
        std::fs::create_dir_all(&root)?;
        Ok(FileStore { root })
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        // Keys are made by the server (ids and hex), never by clients; refuse
        // anything that could climb out of the root all the same.
        let safe =
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
        (safe && !key.contains("..")).then(|| self.root.join(key))
    }
}

impl PhotoStore for FileStore {
    fn put_file(&self, key: &str, from: &Path) -> std::io::Result<()> {
        let to = self.path(key).ok_or_else(|| std::io::Error::other("bad photo key"))?;
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(from, &to).or_else(|_| std::fs::copy(from, &to).map(|_| ()))
    }

    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let to = self.path(key).ok_or_else(|| std::io::Error::other("bad photo key"))?;
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = to.with_extension("tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &to)
    }

    fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self.path(key).ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        std::fs::read(path)
    }
}

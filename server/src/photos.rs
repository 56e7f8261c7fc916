//! Where finished photos live. Behind a trait so S3-compatible object
//! storage can replace the file system when the server outgrows one machine.

use std::path::{Path, PathBuf};

/// Blob storage for photos, by key.
pub trait PhotoStore: Send + Sync {
    /// Store a finished file under `key`, moving it from `from` when possible.
    fn put_file(&self, key: &str, from: &Path) -> std::io::Result<()>;
    /// Read a photo.
    fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
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

    fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self.path(key).ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        std::fs::read(path)
    }
}

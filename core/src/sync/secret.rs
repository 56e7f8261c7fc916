//! Where the device's bearer token lives: never in the SQLite file (backups
//! and bug reports copy that), but in the platform's secret store.
//!
//! The shells back [`SecretStore`] with the Android Keystore and the iOS
//! Keychain; the CLI uses [`FileSecretStore`], a file only its user can read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// A small key–value store for secrets.
pub trait SecretStore: Send + Sync {
    /// The value for `key`, if set.
    fn get(&self, key: &str) -> Result<Option<String>>;
    /// Set `key` to `value`.
    fn set(&self, key: &str, value: &str) -> Result<()>;
    /// Forget `key` (no error if it was not set).
    fn remove(&self, key: &str) -> Result<()>;
}

/// Secrets in memory only: for tests and for a session that must leave no trace.
#[derive(Debug, Default)]
pub struct MemorySecretStore(Mutex<BTreeMap<String, String>>);

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        Ok(())
    }
}

/// Secrets in a JSON file readable only by its owner (mode 0600 on Unix),
/// replaced atomically on every change.
#[derive(Debug)]
pub struct FileSecretStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecretStore {
    /// A store in `path` (created on the first `set`).
    pub fn new(path: impl Into<PathBuf>) -> FileSecretStore {
        FileSecretStore { path: path.into(), lock: Mutex::new(()) }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::Secret(format!("{} is damaged: {e}", self.path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::Secret(format!("reading {}: {e}", self.path.display()))),
        }
    }

    fn write(&self, map: &BTreeMap<String, String>) -> Result<()> {
        let fail = |e: std::io::Error| Error::Secret(format!("writing {}: {e}", self.path.display()));
        let tmp = self.path.with_extension("tmp");
        let text = serde_json::to_vec_pretty(map).map_err(|e| Error::Secret(e.to_string()))?;
        {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(&tmp).map_err(fail)?;
            f.write_all(&text).map_err(fail)?;
            f.sync_all().map_err(fail)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(fail)
    }
}

impl SecretStore for FileSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.read()?.get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<()> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = self.read()?;
        map.insert(key.to_owned(), value.to_owned());
        self.write(&map)
    }
    fn remove(&self, key: &str) -> Result<()> {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = self.read()?;
        if map.remove(key).is_some() {
            self.write(&map)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileSecretStore::new(dir.path().join("secrets.json"));
        assert_eq!(store.get("token").unwrap(), None);
        store.set("token", "abc").unwrap();
        store.set("other", "x").unwrap();
        assert_eq!(FileSecretStore::new(store.path()).get("token").unwrap().as_deref(), Some("abc"));
        store.remove("token").unwrap();
        assert_eq!(store.get("token").unwrap(), None);
        assert_eq!(store.get("other").unwrap().as_deref(), Some("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(store.path(), "not json").unwrap();
        assert!(matches!(store.get("other"), Err(Error::Secret(_))));
    }
}

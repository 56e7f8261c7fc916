//! Traits the apps implement: where the token lives, and who hears sync
//! events. Adapted here to the core's own traits.

use std::sync::Arc;

use phananh_core::app::{AppListener, SyncEvent};
use phananh_core::{Error, sync};

use crate::error::PhanAnhError;

/// A small secret store: the Android Keystore, the iOS Keychain. Holds the
/// device's bearer token.
#[uniffi::export(with_foreign)]
pub trait SecretStore: Send + Sync {
    /// The value for `key`, if set.
    fn get(&self, key: String) -> Result<Option<String>, PhanAnhError>;
    /// Set `key`.
    fn set(&self, key: String, value: String) -> Result<(), PhanAnhError>;
    /// Forget `key`.
    fn remove(&self, key: String) -> Result<(), PhanAnhError>;
}

/// Hears what the sync does (called from the sync's threads: hand over to
/// the UI thread and return quickly).
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// One event.
    fn on_event(&self, event: SyncEvent);
}

pub(crate) struct ForeignSecrets(pub(crate) Arc<dyn SecretStore>);

fn secret_error(e: PhanAnhError) -> Error {
    Error::Secret(e.to_string())
}

impl sync::SecretStore for ForeignSecrets {
    fn get(&self, key: &str) -> phananh_core::Result<Option<String>> {
        self.0.get(key.to_owned()).map_err(secret_error)
    }
    fn set(&self, key: &str, value: &str) -> phananh_core::Result<()> {
        self.0.set(key.to_owned(), value.to_owned()).map_err(secret_error)
    }
    fn remove(&self, key: &str) -> phananh_core::Result<()> {
        self.0.remove(key.to_owned()).map_err(secret_error)
    }
}

pub(crate) struct ForeignListener(pub(crate) Arc<dyn SyncListener>);

impl AppListener for ForeignListener {
    fn on_event(&self, event: SyncEvent) {
        self.0.on_event(event)
    }
}

//! Small values the app keeps between runs: what the server last told us
//! (limits, service area) for offline validation.

use phananh_protocol::{Limits, ServiceArea};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Store;
use crate::error::{Error, Result, StorageContext};

pub(super) const LIMITS: &str = "limits";
pub(super) const SERVICE_AREA: &str = "service_area";

pub(super) fn get_json<T: DeserializeOwned>(conn: &Connection, key: &str) -> Result<Option<T>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
        .context("reading settings")?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| Error::Corrupt(format!("setting {key}: {e}")))).transpose()
}

pub(super) fn set_json<T: Serialize>(conn: &Connection, key: &str, value: Option<&T>) -> Result<()> {
    match value {
        Some(v) => {
            let text = serde_json::to_string(v).map_err(|e| Error::Corrupt(format!("setting {key}: {e}")))?;
            conn.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            )
            .and_then(|mut s| s.execute([key, text.as_str()]))
            .context("saving settings")?;
        }
        None => {
            conn.prepare_cached("DELETE FROM meta WHERE key = ?1")
                .and_then(|mut s| s.execute([key]))
                .context("saving settings")?;
        }
    }
    Ok(())
}

impl Store {
    /// A value the app keeps under `key` (its settings), if set.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        get_json(&self.conn(), key)
    }

    /// Keep (or, with `None`, forget) a value under `key`.
    pub fn set_setting<T: Serialize>(&self, key: &str, value: Option<&T>) -> Result<()> {
        set_json(&self.conn(), key, value)
    }

    /// The limits submit checks against: the server's, once known.
    pub fn limits(&self) -> Result<Limits> {
        Ok(get_json(&self.conn(), LIMITS)?.unwrap_or_default())
    }

    /// Remember the server's limits.
    pub fn set_limits(&self, limits: &Limits) -> Result<()> {
        set_json(&self.conn(), LIMITS, Some(limits))
    }

    /// The area the server accepts reports in, once known.
    pub fn service_area(&self) -> Result<Option<ServiceArea>> {
        get_json(&self.conn(), SERVICE_AREA)
    }

    /// Remember (or forget) the server's service area.
    pub fn set_service_area(&self, area: Option<&ServiceArea>) -> Result<()> {
        set_json(&self.conn(), SERVICE_AREA, area)
    }
}

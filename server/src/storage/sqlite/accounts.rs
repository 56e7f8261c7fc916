//! Devices, API keys, categories and settings.

use phananh_protocol::ServiceArea;
use phananh_protocol::wire::Category;
use rusqlite::{Connection, OptionalExtension, params};

use crate::storage::StorageError;

pub(super) fn add_device(c: &Connection, id: &str, token_hash: &str, now: i64) -> Result<(), StorageError> {
    c.execute("INSERT INTO devices (id, token_hash, created_at) VALUES (?1, ?2, ?3)", params![id, token_hash, now])?;
    Ok(())
}

pub(super) fn device_for_token(c: &Connection, token_hash: &str) -> Result<Option<String>, StorageError> {
    Ok(c.query_row("SELECT id FROM devices WHERE token_hash = ?1", [token_hash], |r| r.get(0)).optional()?)
}

pub(super) fn add_api_key(c: &Connection, name: &str, key_hash: &str, now: i64) -> Result<(), StorageError> {
    c.execute("INSERT INTO api_keys (key_hash, name, created_at) VALUES (?1, ?2, ?3)", params![key_hash, name, now])?;
    Ok(())
}

pub(super) fn api_key_known(c: &Connection, key_hash: &str) -> Result<bool, StorageError> {
    Ok(c.query_row("SELECT count(*) FROM api_keys WHERE key_hash = ?1", [key_hash], |r| r.get::<_, i64>(0))? > 0)
}

pub(super) fn categories(c: &Connection) -> rusqlite::Result<Vec<Category>> {
    c.prepare_cached(
        "SELECT code, name_vi, name_en, group_vi, group_en, photo_required FROM categories ORDER BY position, code",
    )?
    .query_map([], |r| {
        Ok(Category {
            code: r.get(0)?,
            name_vi: r.get(1)?,
            name_en: r.get(2)?,
            group_vi: r.get(3)?,
            group_en: r.get(4)?,
            photo_required: r.get(5)?,
        })
    })?
    .collect()
}

pub(super) fn add_categories(c: &mut Connection, categories: &[Category]) -> Result<(), StorageError> {
    let tx = c.savepoint()?;
    let first: i64 = tx.query_row("SELECT coalesce(max(position) + 1, 0) FROM categories", [], |r| r.get(0))?;
    for (i, k) in categories.iter().enumerate() {
        tx.execute(
            "INSERT INTO categories (code, name_vi, name_en, group_vi, group_en, photo_required, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO NOTHING",
            params![k.code, k.name_vi, k.name_en, k.group_vi, k.group_en, k.photo_required, first + i as i64],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn service_area(c: &Connection) -> Result<Option<ServiceArea>, StorageError> {
    let value: Option<String> =
        c.query_row("SELECT value FROM settings WHERE key = 'service_area'", [], |r| r.get(0)).optional()?;
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

pub(super) fn set_service_area(c: &Connection, area: &ServiceArea) -> Result<(), StorageError> {
    let value = serde_json::to_string(area).map_err(StorageError::backend)?;
    c.execute(
        "INSERT INTO settings (key, value) VALUES ('service_area', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
        [value],
    )?;
    Ok(())
}

//! Devices, API keys, categories and settings.

use deadpool_postgres::GenericClient;
use phananh_protocol::ServiceArea;
use phananh_protocol::wire::Category;

use crate::storage::StorageError;

pub(super) async fn add_device(
    c: &impl GenericClient,
    id: &str,
    token_hash: &str,
    now: i64,
) -> Result<(), StorageError> {
    c.execute("INSERT INTO devices (id, token_hash, created_at) VALUES ($1, $2, $3)", &[&id, &token_hash, &now])
        .await?;
    Ok(())
}

pub(super) async fn device_for_token(c: &impl GenericClient, token_hash: &str) -> Result<Option<String>, StorageError> {
    let stmt = c.prepare_cached("SELECT id FROM devices WHERE token_hash = $1").await?;
    Ok(c.query_opt(&stmt, &[&token_hash]).await?.map(|r| r.try_get(0)).transpose()?)
}

pub(super) async fn add_api_key(
    c: &impl GenericClient,
    name: &str,
    key_hash: &str,
    now: i64,
) -> Result<(), StorageError> {
    c.execute("INSERT INTO api_keys (key_hash, name, created_at) VALUES ($1, $2, $3)", &[&key_hash, &name, &now])
        .await?;
    Ok(())
}

pub(super) async fn api_key_known(c: &impl GenericClient, key_hash: &str) -> Result<bool, StorageError> {
    let row = c.query_one("SELECT EXISTS (SELECT 1 FROM api_keys WHERE key_hash = $1)", &[&key_hash]).await?;
    Ok(row.try_get(0)?)
}

pub(super) async fn categories(c: &impl GenericClient) -> Result<Vec<Category>, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT code, name_vi, name_en, group_vi, group_en, photo_required FROM categories ORDER BY position, code",
        )
        .await?;
    c.query(&stmt, &[])
        .await?
        .iter()
        .map(|r| {
            Ok(Category {
                code: r.try_get(0)?,
                name_vi: r.try_get(1)?,
                name_en: r.try_get(2)?,
                group_vi: r.try_get(3)?,
                group_en: r.try_get(4)?,
                photo_required: r.try_get(5)?,
            })
        })
        .collect()
}

pub(super) async fn add_categories(
    c: &mut deadpool_postgres::Object,
    categories: &[Category],
) -> Result<(), StorageError> {
    let tx = c.transaction().await?;
    // One at a time: two replicas seeding the catalogue at once stay in order.
    tx.execute("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE", &[]).await?;
    let first: i64 = tx.query_one("SELECT coalesce(max(position) + 1, 0) FROM categories", &[]).await?.try_get(0)?;
    for (i, k) in categories.iter().enumerate() {
        tx.execute(
            "INSERT INTO categories (code, name_vi, name_en, group_vi, group_en, photo_required, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING",
            &[&k.code, &k.name_vi, &k.name_en, &k.group_vi, &k.group_en, &k.photo_required, &(first + i as i64)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn service_area(c: &impl GenericClient) -> Result<Option<ServiceArea>, StorageError> {
    let row = c.query_opt("SELECT value FROM settings WHERE key = 'service_area'", &[]).await?;
    let value: Option<String> = row.map(|r| r.try_get(0)).transpose()?;
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

pub(super) async fn set_service_area(c: &impl GenericClient, area: &ServiceArea) -> Result<(), StorageError> {
    let value = serde_json::to_string(area).map_err(StorageError::backend)?;
    c.execute(
        "INSERT INTO settings (key, value) VALUES ('service_area', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
        &[&value],
    )
    .await?;
    Ok(())
}

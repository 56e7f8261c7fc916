//! tus uploads: start (idempotent), progress, completion, expiry.

use deadpool_postgres::{GenericClient, Object};

use super::reports::attach_photo;
use crate::storage::StorageError;
use crate::storage::{AttachedPhoto, NewUpload, Upload, UploadRefusal};

pub(super) async fn start(c: &mut Object, u: &NewUpload) -> Result<Result<(String, i64), UploadRefusal>, StorageError> {
    let tx = c.transaction().await?;
    // One creation at a time per device (its open-uploads cap is counted).
    tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", &[&u.device_id]).await?;
    // A replay of the same creation gets the same upload.
    let existing = tx
        .query_opt(
            "SELECT id, expires_at FROM uploads WHERE device_id = $1 AND idempotency_key = $2",
            &[&u.device_id, &u.key],
        )
        .await?;
    if let Some(row) = existing {
        let (id, exp): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
        if exp > u.now {
            return Ok(Ok((id, exp)));
        }
        tx.execute("DELETE FROM uploads WHERE id = $1", &[&id]).await?;
    }
    let report = tx.query_opt("SELECT id, device_id FROM reports WHERE client_id = $1", &[&u.client_id]).await?;
    // The reporter uploads the photos it declared; a follower those its
    // follow declared (and nothing else of the report).
    let Some(report) = report else { return Ok(Err(UploadRefusal::NotFound)) };
    let (report_id, owner): (i64, Option<String>) = (report.try_get(0)?, report.try_get(1)?);
    if !u.follower && owner.as_deref() != Some(u.device_id.as_str()) {
        return Ok(Err(UploadRefusal::NotFound));
    }
    let follower = u.follower.then_some(u.device_id.as_str());
    let decl = tx
        .query_opt(
            "SELECT sha256, bytes FROM photo_decls
             WHERE report_id = $1 AND photo_id = $2 AND follower IS NOT DISTINCT FROM $3::text",
            &[&report_id, &u.photo_id, &follower],
        )
        .await?;
    let Some(decl) = decl else { return Ok(Err(UploadRefusal::Undeclared)) };
    let (sha256, declared): (String, i64) = (decl.try_get(0)?, decl.try_get(1)?);
    if declared as u64 != u.length {
        return Ok(Err(UploadRefusal::LengthMismatch));
    }
    let open: i64 = tx
        .query_one(
            "SELECT count(*) FROM uploads WHERE device_id = $1 AND NOT completed AND expires_at > $2",
            &[&u.device_id, &u.now],
        )
        .await?
        .try_get(0)?;
    if open >= i64::from(u.max_open) {
        return Ok(Err(UploadRefusal::TooMany));
    }
    tx.execute(
        "INSERT INTO uploads (id, device_id, report_id, photo_id, idempotency_key, length, sha256, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[&u.id, &u.device_id, &report_id, &u.photo_id, &u.key, &(u.length as i64), &sha256, &u.expires_at, &u.now],
    )
    .await?;
    tx.commit().await?;
    Ok(Ok((u.id.clone(), u.expires_at)))
}

pub(super) async fn find(c: &impl GenericClient, id: &str, device: &str) -> Result<Option<Upload>, StorageError> {
    let stmt = c
        .prepare_cached(
            "SELECT report_id, photo_id, length, \"offset\", sha256, expires_at, completed FROM uploads
             WHERE id = $1 AND device_id = $2",
        )
        .await?;
    c.query_opt(&stmt, &[&id, &device])
        .await?
        .map(|r| {
            Ok(Upload {
                report_id: r.try_get(0)?,
                photo_id: r.try_get(1)?,
                length: r.try_get::<_, i64>(2)? as u64,
                offset: r.try_get::<_, i64>(3)? as u64,
                sha256: r.try_get(4)?,
                expires_at: r.try_get(5)?,
                completed: r.try_get(6)?,
            })
        })
        .transpose()
}

pub(super) async fn set_offset(c: &impl GenericClient, id: &str, offset: u64) -> Result<(), StorageError> {
    let stmt = c.prepare_cached("UPDATE uploads SET \"offset\" = $2 WHERE id = $1").await?;
    c.execute(&stmt, &[&id, &(offset as i64)]).await?;
    Ok(())
}

pub(super) async fn complete(c: &mut Object, id: &str, photo: &AttachedPhoto, now: i64) -> Result<(), StorageError> {
    let tx = c.transaction().await?;
    attach_photo(&tx, photo, now).await?;
    tx.execute("UPDATE uploads SET completed = true WHERE id = $1", &[&id]).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn delete(c: &impl GenericClient, id: &str) -> Result<(), StorageError> {
    c.execute("DELETE FROM uploads WHERE id = $1", &[&id]).await?;
    Ok(())
}

pub(super) async fn sweep(c: &impl GenericClient, now: i64) -> Result<Vec<String>, StorageError> {
    let rows = c.query("DELETE FROM uploads WHERE NOT completed AND expires_at <= $1 RETURNING id", &[&now]).await?;
    let mut ids = rows.iter().map(|r| r.try_get(0)).collect::<Result<Vec<String>, _>>()?;
    ids.sort();
    Ok(ids)
}

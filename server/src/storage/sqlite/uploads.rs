//! tus uploads: start (idempotent), progress, completion, expiry.

use rusqlite::{Connection, OptionalExtension, params};

use super::reports::attach_photo;
use crate::storage::StorageError;
use crate::storage::{AttachedPhoto, NewUpload, Upload, UploadRefusal};

pub(super) fn start(c: &mut Connection, u: &NewUpload) -> Result<Result<(String, i64), UploadRefusal>, StorageError> {
    let tx = c.savepoint()?;
    // A replay of the same creation gets the same upload.
    let existing: Option<(String, i64)> = tx
        .query_row(
            "SELECT id, expires_at FROM uploads WHERE device_id = ?1 AND idempotency_key = ?2",
            params![u.device_id, u.key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, exp)) = existing {
        if exp > u.now {
            return Ok(Ok((id, exp)));
        }
        tx.execute("DELETE FROM uploads WHERE id = ?1", [&id])?;
    }
    let report: Option<(i64, Option<String>)> = tx
        .query_row("SELECT id, device_id FROM reports WHERE client_id = ?1", [&u.client_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    // The reporter uploads the photos it declared; a follower those its
    // follow declared (and nothing else of the report).
    let Some((report_id, owner)) = report else { return Ok(Err(UploadRefusal::NotFound)) };
    if !u.follower && owner.as_deref() != Some(u.device_id.as_str()) {
        return Ok(Err(UploadRefusal::NotFound));
    }
    let follower = u.follower.then_some(u.device_id.as_str());
    let decl: Option<(String, i64)> = tx
        .query_row(
            "SELECT sha256, bytes FROM photo_decls WHERE report_id = ?1 AND photo_id = ?2 AND follower IS ?3",
            params![report_id, u.photo_id, follower],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((sha256, declared)) = decl else { return Ok(Err(UploadRefusal::Undeclared)) };
    if declared as u64 != u.length {
        return Ok(Err(UploadRefusal::LengthMismatch));
    }
    let open: i64 = tx.query_row(
        "SELECT count(*) FROM uploads WHERE device_id = ?1 AND completed = 0 AND expires_at > ?2",
        params![u.device_id, u.now],
        |r| r.get(0),
    )?;
    if open >= i64::from(u.max_open) {
        return Ok(Err(UploadRefusal::TooMany));
    }
    tx.execute(
        "INSERT INTO uploads (id, device_id, report_id, photo_id, idempotency_key, length, sha256, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![u.id, u.device_id, report_id, u.photo_id, u.key, u.length as i64, sha256, u.expires_at, u.now],
    )?;
    tx.commit()?;
    Ok(Ok((u.id.clone(), u.expires_at)))
}

pub(super) fn find(c: &Connection, id: &str, device: &str) -> Result<Option<Upload>, StorageError> {
    Ok(c.query_row(
        "SELECT report_id, photo_id, length, offset, sha256, expires_at, completed FROM uploads
         WHERE id = ?1 AND device_id = ?2",
        params![id, device],
        |r| {
            Ok(Upload {
                report_id: r.get(0)?,
                photo_id: r.get(1)?,
                length: r.get::<_, i64>(2)? as u64,
                offset: r.get::<_, i64>(3)? as u64,
                sha256: r.get(4)?,
                expires_at: r.get(5)?,
                completed: r.get(6)?,
            })
        },
    )
    .optional()?)
}

pub(super) fn set_offset(c: &Connection, id: &str, offset: u64) -> Result<(), StorageError> {
    c.execute("UPDATE uploads SET offset = ?2 WHERE id = ?1", params![id, offset as i64])?;
    Ok(())
}

pub(super) fn complete(c: &mut Connection, id: &str, photo: &AttachedPhoto, now: i64) -> Result<(), StorageError> {
    let tx = c.savepoint()?;
    attach_photo(&tx, photo, now)?;
    tx.execute("UPDATE uploads SET completed = 1 WHERE id = ?1", [id])?;
    tx.commit()?;
    Ok(())
}

pub(super) fn delete(c: &Connection, id: &str) -> Result<(), StorageError> {
    c.execute("DELETE FROM uploads WHERE id = ?1", [id])?;
    Ok(())
}

pub(super) fn sweep(c: &mut Connection, now: i64) -> Result<Vec<String>, StorageError> {
    let tx = c.savepoint()?;
    let ids = tx
        .prepare("SELECT id FROM uploads WHERE completed = 0 AND expires_at <= ?1")?
        .query_map([now], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    tx.execute("DELETE FROM uploads WHERE completed = 0 AND expires_at <= ?1", [now])?;
    tx.commit()?;
    Ok(ids)
}

//! Photo rows and the files they name.
//!
//! Files are written before their row and removed after it, so a crash can
//! only leave a file without a row, never a row without its file; such
//! orphans are swept when the store opens.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};

use super::drafts::{load_report, not_editable_or_missing};
use super::{Store, meta};
use crate::error::{Error, Result, StorageContext};
use crate::model::{Photo, PhotoId, ReportId};
use phananh_protocol::Limits;

impl Store {
    /// Record a photo (whose files already exist in the photo directory) on
    /// an editable report.
    pub fn add_photo(&self, report: ReportId, photo: &Photo) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction().context("attaching a photo")?;
        let current = load_report(&tx, report)?;
        if !current.state.kind().is_editable() {
            return Err(Error::NotEditable { id: report, state: current.state.kind() });
        }
        let limits: Limits = meta::get_json(&tx, meta::LIMITS)?.unwrap_or_default();
        if current.photos.len() >= limits.max_photos {
            return Err(Error::TooManyPhotos { max: limits.max_photos });
        }
        let now = self.now_ms();
        tx.prepare_cached(
            "INSERT INTO photos (id, report_id, position, file, thumb_file, sha256, bytes, width, height, created_at)
             VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM photos WHERE report_id = ?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .and_then(|mut s| {
            s.execute(params![
                photo.id.to_string(),
                report.to_string(),
                photo.file,
                photo.thumb_file,
                photo.sha256,
                i64::try_from(photo.bytes).unwrap_or(i64::MAX),
                photo.width,
                photo.height,
                now
            ])
        })
        .context("attaching a photo")?;
        tx.execute("UPDATE reports SET updated_at = ?2 WHERE id = ?1", params![report.to_string(), now])
            .context("attaching a photo")?;
        tx.commit().context("attaching a photo")
    }

    /// Remove a photo from an editable report, and its files.
    pub fn remove_photo(&self, photo: PhotoId) -> Result<()> {
        let files = {
            let mut conn = self.conn();
            let tx = conn.transaction().context("removing a photo")?;
            let row: Option<(String, String, Option<String>)> = tx
                .query_row("SELECT report_id, file, thumb_file FROM photos WHERE id = ?1", [photo.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
                .context("removing a photo")?;
            let (report, file, thumb) = row.ok_or_else(|| Error::PhotoNotFound(photo.to_string()))?;
            let report: ReportId = report.parse().map_err(|_| Error::Corrupt(format!("photo of report {report:?}")))?;
            let changed = tx
                .execute(
                    "UPDATE reports SET updated_at = ?2 WHERE id = ?1 AND state IN ('draft', 'needs_attention')",
                    params![report.to_string(), self.now_ms()],
                )
                .context("removing a photo")?;
            if changed == 0 {
                return Err(not_editable_or_missing(&tx, report)?);
            }
            tx.execute("DELETE FROM photos WHERE id = ?1", [photo.to_string()]).context("removing a photo")?;
            tx.commit().context("removing a photo")?;
            [Some(file), thumb].into_iter().flatten().collect()
        };
        self.remove_files(files);
        Ok(())
    }

    /// Delete files in the photo directory; a file already gone is fine.
    pub(super) fn remove_files(&self, files: Vec<String>) {
        for file in files {
            let path = self.photo_path(&file);
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                // Swept at next open; nothing the user can do now.
                tracing::warn!(error = %e, "could not remove a photo file");
            }
        }
    }

    /// Remove files in the photo directory that no row names (left by a
    /// crash between a file write and its row, or a row delete and its file).
    pub(super) fn sweep_orphan_files(&self) -> Result<()> {
        let known: HashSet<String> = {
            let conn = self.conn();
            // A report's photos and a follower's ("I see it too") share the directory.
            let mut stmt = conn
                .prepare("SELECT file, thumb_file FROM photos UNION ALL SELECT file, thumb_file FROM follow_photos")
                .context("listing photo files")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
                .context("listing photo files")?;
            let mut known = HashSet::new();
            for row in rows {
                let (file, thumb) = row.context("listing photo files")?;
                known.insert(file);
                known.extend(thumb);
            }
            known
        };
        let entries = std::fs::read_dir(&self.photo_dir).map_err(|source| Error::Io {
            context: "listing the photo directory",
            path: self.photo_dir.clone(),
            source,
        })?;
        let orphans: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| !known.contains(name))
            .collect();
        if !orphans.is_empty() {
            tracing::info!(count = orphans.len(), "removing orphan photo files");
            self.remove_files(orphans);
        }
        Ok(())
    }
}

/// Every file a report's photos name.
pub(super) fn files_of(conn: &Connection, report: ReportId) -> Result<Vec<String>> {
    conn.prepare_cached("SELECT file, thumb_file FROM photos WHERE report_id = ?1")
        .and_then(|mut s| {
            s.query_map([report.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .context("listing a report's photo files")
        .map(|rows| rows.into_iter().flat_map(|(f, t)| [Some(f), t]).flatten().collect())
}

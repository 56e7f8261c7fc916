//! Attaching a photo: compress it, write its files, record its row — all or
//! nothing.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use phananh_protocol::Limits;
use sha2::{Digest, Sha256};

use super::drafts::load_report;
use super::{Store, meta};
use crate::error::{Error, Result};
use crate::model::{Photo, PhotoId, ReportId};
use crate::photo::{self, Compressed, Options, PhotoError, Suggestion};

/// Where a photo comes from: a file the camera or gallery wrote, or bytes
/// the shell already holds.
#[derive(Debug, Clone, Copy)]
pub enum PhotoSource<'a> {
    /// A file path.
    Path(&'a Path),
    /// The file's bytes.
    Bytes(&'a [u8]),
}

/// A photo now on the report, and what its EXIF suggested (not applied:
/// the user decides).
#[derive(Debug, Clone, PartialEq)]
pub struct Attached {
    /// The stored photo.
    pub photo: Photo,
    /// Where and when the camera said it was taken.
    pub suggestion: Suggestion,
}

/// Ever smaller encodings tried, in order, until the report's photos fit
/// its byte budget: first lower quality, then fewer pixels.
const BUDGET_LADDER: &[(u8, u32)] = &[(70, u32::MAX), (60, u32::MAX), (60, 1280), (50, 1024), (45, 800)];

impl Store {
    /// Compress a photo and attach it to an editable report.
    ///
    /// The JPEG and its thumbnail are written (and synced) before the row,
    /// so a crash leaves at worst orphan files, swept at the next open; a
    /// failure leaves neither file nor row.
    pub fn attach_photo(&self, report: ReportId, source: PhotoSource<'_>, options: &Options) -> Result<Attached> {
        // Cheap checks first: no point compressing for a report that cannot take it.
        let (used, limits) = {
            let conn = self.conn();
            let current = load_report(&conn, report)?;
            let state = current.state.kind();
            if !state.is_editable() {
                return Err(Error::NotEditable { id: report, state });
            }
            let limits: Limits = meta::get_json(&conn, meta::LIMITS)?.unwrap_or_default();
            if current.photos.len() >= limits.max_photos {
                return Err(Error::TooManyPhotos { max: limits.max_photos });
            }
            (current.photos.iter().map(|p| p.bytes).sum::<u64>(), limits)
        };

        let owned;
        let bytes = match source {
            PhotoSource::Bytes(b) => b,
            PhotoSource::Path(p) => {
                owned = photo::read_file(p, options.max_input_bytes)?;
                &owned
            }
        };
        let options = options.clamped();
        let prepared = photo::prepare(bytes, &options)?;
        let remaining = limits.photo_budget.saturating_sub(used);
        let compressed = fit_budget(&prepared, &options, remaining, limits.photo_budget)?;

        let id = PhotoId::new();
        let file = format!("{id}.jpg");
        let thumb_file = format!("{id}.thumb.jpg");
        let written = [self.photo_path(&file), self.photo_path(&thumb_file)];
        let result = (|| {
            write_synced(&written[0], &compressed.jpeg)?;
            write_synced(&written[1], &compressed.thumbnail)?;
            sync_dir(self.photo_dir());
            let photo = Photo {
                id,
                file: file.clone(),
                thumb_file: Some(thumb_file.clone()),
                sha256: hex::encode(Sha256::digest(&compressed.jpeg)),
                bytes: compressed.jpeg.len() as u64,
                width: compressed.width,
                height: compressed.height,
            };
            self.add_photo(report, &photo)?;
            Ok(photo)
        })();
        match result {
            Ok(photo) => Ok(Attached { photo, suggestion: compressed.suggestion }),
            Err(e) => {
                for path in &written {
                    let _ = std::fs::remove_file(path);
                }
                Err(e)
            }
        }
    }
}

impl Store {
    /// Compress a photo for a report already sent (a reopen's new photo):
    /// its files are written, not yet its row, which the reopen adds with
    /// the rest in one transaction (files without a row are swept at the
    /// next open). Each within the photo budget of a report.
    pub fn prepare_photo(&self, source: PhotoSource<'_>, options: &Options) -> Result<Photo> {
        let limits: Limits = meta::get_json(&self.conn(), meta::LIMITS)?.unwrap_or_default();
        let owned;
        let bytes = match source {
            PhotoSource::Bytes(b) => b,
            PhotoSource::Path(p) => {
                owned = photo::read_file(p, options.max_input_bytes)?;
                &owned
            }
        };
        let options = options.clamped();
        let prepared = photo::prepare(bytes, &options)?;
        let budget = limits.photo_budget / limits.max_photos.max(1) as u64;
        let compressed = fit_budget(&prepared, &options, budget, budget)?;
        let id = PhotoId::new();
        let (file, thumb_file) = (format!("{id}.jpg"), format!("{id}.thumb.jpg"));
        write_synced(&self.photo_path(&file), &compressed.jpeg)?;
        write_synced(&self.photo_path(&thumb_file), &compressed.thumbnail)?;
        sync_dir(self.photo_dir());
        Ok(Photo {
            id,
            file,
            thumb_file: Some(thumb_file),
            sha256: hex::encode(Sha256::digest(&compressed.jpeg)),
            bytes: compressed.jpeg.len() as u64,
            width: compressed.width,
            height: compressed.height,
        })
    }
}

fn fit_budget(prepared: &photo::Prepared, options: &Options, remaining: u64, budget: u64) -> Result<Compressed> {
    let first = prepared.encode(options.quality, options.max_edge, options.thumb_edge)?;
    if first.jpeg.len() as u64 <= remaining {
        return Ok(first);
    }
    for &(quality, edge) in BUDGET_LADDER {
        let quality = quality.min(options.quality);
        let edge = edge.min(options.max_edge);
        let attempt = prepared.encode(quality, edge, options.thumb_edge)?;
        if attempt.jpeg.len() as u64 <= remaining {
            tracing::debug!(quality, edge, bytes = attempt.jpeg.len(), "photo re-encoded to fit the report's budget");
            return Ok(attempt);
        }
    }
    Err(PhotoError::OverBudget { budget }.into())
}

/// Write a file under a temporary name, sync it, then rename it into place,
/// so a crash never leaves a half-written photo under its real name.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp: PathBuf = path.with_extension("tmp");
    let io = |source| Error::Io { context: "writing a photo", path: path.to_owned(), source };
    let mut f = File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io { context: "writing a photo", path: path.to_owned(), source }
    })
}

/// Make the renames durable too (best effort: not every platform can open
/// a directory).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

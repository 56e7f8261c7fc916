//! The outbox: queued reports on their way to the server, step by step.
//!
//! Every step the sync makes is written here before the network call it
//! leads to, and a step's success only after the server's 2xx: a report is
//! `sending` before its `PUT`, `on_server` once the server has its text,
//! each photo keeps its tus upload URL and whether it arrived, and the
//! report becomes `sent` only when every photo has. A process killed at any
//! moment resumes from the last recorded step.

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::drafts::load_report;
use crate::error::{Error, Result, StorageContext};
use crate::model::{Photo, PhotoId, Report, ReportId, StateKind, Status, StatusEntry};

/// A report in the outbox with what has already reached the server.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// The report as the user submitted it.
    pub report: Report,
    /// The server has the report's text (its `PUT` was answered 2xx).
    pub on_server: bool,
    /// Failed attempts since it was queued.
    pub attempts: u32,
    /// Each photo with its upload progress, in order.
    pub photos: Vec<PhotoUpload>,
}

/// One photo's way to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoUpload {
    /// The photo.
    pub photo: Photo,
    /// The tus upload URL, once created.
    pub upload_url: Option<String>,
    /// The server has the whole photo.
    pub sent: bool,
}

/// What the server answered to a report's `PUT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The tracking code.
    pub tracking_code: String,
    /// The public page.
    pub public_url: String,
    /// Status history so far.
    pub history: Vec<StatusEntry>,
}

const OUTBOX: &str = "state IN ('queued', 'sending')";

impl Store {
    /// Reports waiting to be sent whose retry time has come, oldest first.
    pub fn outbox_due(&self, now_ms: i64) -> Result<Vec<ReportId>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT id FROM reports WHERE {OUTBOX} AND coalesce(next_attempt_at, 0) <= ?1
                 ORDER BY queued_at, id"
            ))
            .context("reading the outbox")?;
        let ids = stmt
            .query_map([now_ms], |r| super::row::report_id(r, 0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .context("reading the outbox")?;
        Ok(ids)
    }

    /// How many reports wait to be sent (due now or later).
    pub fn outbox_len(&self) -> Result<u32> {
        self.conn()
            .query_row(&format!("SELECT count(*) FROM reports WHERE {OUTBOX}"), [], |r| r.get(0))
            .context("reading the outbox")
    }

    /// When the next report in the outbox is due (milliseconds since the
    /// epoch; in the past if one is due now), or `None` if it is empty.
    pub fn outbox_next_due(&self) -> Result<Option<i64>> {
        self.conn()
            .query_row(&format!("SELECT min(coalesce(next_attempt_at, 0)) FROM reports WHERE {OUTBOX}"), [], |r| {
                r.get(0)
            })
            .context("reading the outbox")
    }

    /// A report in the outbox with its progress; `None` if it has left the
    /// outbox (sent, deleted, or back with the user).
    pub fn outbox_entry(&self, id: ReportId) -> Result<Option<OutboxEntry>> {
        let conn = self.conn();
        let row: Option<(bool, u32)> = conn
            .prepare_cached(&format!("SELECT on_server, attempts FROM reports WHERE id = ?1 AND {OUTBOX}"))
            .and_then(|mut s| s.query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .context("reading the outbox")?;
        let Some((on_server, attempts)) = row else { return Ok(None) };
        let report = load_report(&conn, id)?;
        let progress: Vec<(String, Option<String>, bool)> = conn
            .prepare_cached("SELECT id, upload_url, sent FROM photos WHERE report_id = ?1 ORDER BY position")
            .and_then(|mut s| s.query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .context("reading the outbox")?;
        let photos = report
            .photos
            .iter()
            .map(|p| {
                let (upload_url, sent) = progress
                    .iter()
                    .find(|(pid, _, _)| *pid == p.id.to_string())
                    .map(|(_, u, s)| (u.clone(), *s))
                    .unwrap_or((None, false));
                PhotoUpload { photo: p.clone(), upload_url, sent }
            })
            .collect();
        Ok(Some(OutboxEntry { report, on_server, attempts, photos }))
    }

    /// Mark a queued report as being sent, before its first request.
    /// Returns false if it is no longer in the outbox.
    pub fn mark_sending(&self, id: ReportId) -> Result<bool> {
        let changed = self
            .progress_conn()
            .prepare_cached(&format!("UPDATE reports SET state = 'sending' WHERE id = ?1 AND {OUTBOX}"))
            .and_then(|mut s| s.execute([id.to_string()]))
            .context("marking a report as sending")?;
        Ok(changed == 1)
    }

    /// Record the server's 2xx to a report's `PUT`: its tracking code,
    /// public page and history, in one transaction.
    pub fn record_accepted(&self, id: ReportId, accepted: &Accepted) -> Result<()> {
        let mut conn = self.progress_conn();
        let tx = conn.transaction().context("recording the server's answer")?;
        tx.prepare_cached(&format!(
            "UPDATE reports SET on_server = 1, tracking_code = ?2, public_url = ?3, attempts = 0,
                 next_attempt_at = NULL
             WHERE id = ?1 AND {OUTBOX}"
        ))
        .and_then(|mut s| s.execute(params![id.to_string(), accepted.tracking_code, accepted.public_url]))
        .context("recording the server's answer")?;
        for entry in &accepted.history {
            insert_history(&tx, id, entry)?;
        }
        refresh_status(&tx, id)?;
        tx.commit().context("recording the server's answer")
    }

    /// Remember a photo's tus upload URL (or forget it, when the upload
    /// expired and must start again).
    pub fn set_upload_url(&self, photo: PhotoId, url: Option<&str>) -> Result<()> {
        self.progress_conn()
            .prepare_cached("UPDATE photos SET upload_url = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![photo.to_string(), url]))
            .context("saving an upload's address")?;
        // Photo ids are unique across both: a follower's photo lives apart.
        self.progress_conn()
            .prepare_cached("UPDATE follow_photos SET upload_url = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![photo.to_string(), url]))
            .context("saving an upload's address")?;
        Ok(())
    }

    /// Record that the server has the whole photo.
    pub fn mark_photo_sent(&self, photo: PhotoId) -> Result<()> {
        self.progress_conn()
            .prepare_cached("UPDATE photos SET sent = 1 WHERE id = ?1")
            .and_then(|mut s| s.execute([photo.to_string()]))
            .context("recording a sent photo")?;
        self.progress_conn()
            .prepare_cached("UPDATE follow_photos SET sent = 1 WHERE id = ?1")
            .and_then(|mut s| s.execute([photo.to_string()]))
            .context("recording a sent photo")?;
        Ok(())
    }

    /// The report and all its photos are on the server: it leaves the
    /// outbox. Refused (false) while a photo, a rating or a reopen is still
    /// missing (one queued during the pass: the next pass sends it).
    pub fn mark_sent(&self, id: ReportId) -> Result<bool> {
        let changed = self
            .progress_conn()
            .prepare_cached(
                "UPDATE reports SET state = 'sent', attempts = 0, next_attempt_at = NULL, updated_at = ?2
                 WHERE id = ?1 AND state = 'sending' AND on_server = 1 AND tracking_code IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM photos WHERE report_id = ?1 AND sent = 0)
                   AND NOT EXISTS (SELECT 1 FROM report_actions
                                   WHERE report_id = ?1 AND sent_at IS NULL AND refused IS NULL)",
            )
            .and_then(|mut s| s.execute(params![id.to_string(), self.now_ms()]))
            .context("recording a sent report")?;
        Ok(changed == 1)
    }

    /// The server refused the report for a reason the user must act on:
    /// it leaves the outbox and waits with that reason.
    pub fn mark_needs_attention(&self, id: ReportId, reason: &str) -> Result<()> {
        self.progress_conn()
            .prepare_cached(&format!(
                "UPDATE reports SET state = 'needs_attention', attention_reason = ?2, attempts = 0,
                     next_attempt_at = NULL, updated_at = ?3
                 WHERE id = ?1 AND {OUTBOX}"
            ))
            .and_then(|mut s| s.execute(params![id.to_string(), reason, self.now_ms()]))
            .context("recording a refused report")?;
        Ok(())
    }

    /// A temporary failure: try again at `at_ms`. Returns the number of
    /// failed attempts so far.
    pub fn schedule_retry(&self, id: ReportId, at_ms: i64) -> Result<u32> {
        self.progress_conn()
            .prepare_cached(&format!(
                "UPDATE reports SET attempts = attempts + 1, next_attempt_at = ?2
                 WHERE id = ?1 AND {OUTBOX} RETURNING attempts"
            ))
            .and_then(|mut s| s.query_row(params![id.to_string(), at_ms], |r| r.get(0)).optional())
            .context("scheduling a retry")
            .map(Option::unwrap_or_default)
    }

    /// Forget every retry timer: everything in the outbox is due now (the
    /// link came back, or the user asked to send now). Returns how many.
    pub fn retry_all_now(&self) -> Result<usize> {
        self.progress_conn()
            .prepare_cached(&format!(
                "UPDATE reports SET next_attempt_at = NULL WHERE {OUTBOX} AND next_attempt_at IS NOT NULL"
            ))
            .and_then(|mut s| s.execute([]))
            .context("resetting retry timers")
    }

    /// Send a report that needs attention again as it is (after the user
    /// fixed something outside the report, or the server was wrong).
    /// Checks it like [`Store::submit`].
    pub fn retry(&self, id: ReportId) -> Result<Report> {
        let state = self.get(id)?.state.kind();
        if state != StateKind::NeedsAttention {
            return Err(Error::NotEditable { id, state });
        }
        self.submit(id)
    }
}

/// Store one history entry unless it is already there (a page pulled twice
/// changes nothing).
pub(super) fn insert_history(conn: &Connection, id: ReportId, entry: &StatusEntry) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "INSERT INTO status_history (report_id, seq, status, at, reply, unit_code, unit_name, due_at)
             VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM status_history WHERE report_id = ?1), ?2, ?3, ?4,
                 ?5, ?6, ?7)
             ON CONFLICT DO NOTHING",
        )
        .and_then(|mut s| {
            s.execute(params![
                id.to_string(),
                entry.status.code(),
                super::to_ms(entry.at),
                entry.reply,
                entry.unit.as_ref().map(|u| &u.0),
                entry.unit.as_ref().map(|u| &u.1),
                entry.due_at.map(super::to_ms),
            ])
        })
        .context("saving a status change")?;
    Ok(changed == 1)
}

/// Keep the report's current status (its latest history entry) for lists.
pub(super) fn refresh_status(conn: &Connection, id: ReportId) -> Result<Option<Status>> {
    let code: Option<String> = conn
        .prepare_cached(
            "UPDATE reports SET server_status =
                 (SELECT status FROM status_history WHERE report_id = ?1 ORDER BY at DESC, seq DESC LIMIT 1)
             WHERE id = ?1 RETURNING server_status",
        )
        .and_then(|mut s| s.query_row([id.to_string()], |r| r.get(0)).optional())
        .context("saving a status change")?
        .flatten();
    Ok(code.as_deref().and_then(Status::from_code))
}

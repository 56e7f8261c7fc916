//! The resident's word after the answer, kept offline until sent: a rating
//! or a reopen rides with its report (the report goes back into the outbox
//! and its next pass sends them, each under the id the server keys it by);
//! follows of other people's reports have a small outbox of their own; the
//! changes pulled for followed reports, and the notifications the core
//! decided on, wait here for the shells.

use phananh_protocol::feedback::{DEFAULT_REOPEN_DAYS, MAX_FEEDBACK_CHARS, within_days};
use phananh_protocol::wire::{FollowedReport, PhotoDecl, ReopenBody, Services, WireRating};
use phananh_protocol::{Score, text::clean_text};
use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use super::{Store, from_ms, to_ms};
use crate::error::{Error, FeedbackRefusal, Result, StorageContext};
use crate::model::{Photo, ReportId, StateKind, Status, StatusEntry};
use crate::notify::Pending;

/// What kind of word a queued action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// A rating of the answer.
    Rating,
    /// "Not fixed" (or a rejection contested).
    Reopen,
}

impl ActionKind {
    fn code(self) -> &'static str {
        match self {
            ActionKind::Rating => "rating",
            ActionKind::Reopen => "reopen",
        }
    }
}

/// A rating or reopen waiting to be sent with its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAction {
    /// The id the server keys it by (UUIDv7, made when it was queued).
    pub id: String,
    /// Rating or reopen.
    pub kind: ActionKind,
    /// The JSON body, as stored: every resend is the same request.
    pub body: String,
}

/// Where a rating or reopen is on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionState {
    /// Waiting to be sent.
    Queued,
    /// The server has it.
    Sent,
    /// The server refused it, saying why.
    Refused(String),
}

/// The rating given to a report, as the phone knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingState {
    /// The score.
    pub score: Score,
    /// The comment.
    pub comment: Option<String>,
    /// On its way, sent, or refused.
    pub state: ActionState,
}

/// A report this device follows.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    /// Tracking code.
    pub tracking_code: String,
    /// "I see it too".
    pub me_too: bool,
    /// On its way, accepted, or refused.
    pub state: ActionState,
    /// Category name (from the server).
    pub category: Option<String>,
    /// Current status (from the server).
    pub status: Option<Status>,
    /// Its public page.
    pub public_url: Option<String>,
    /// The unit handling it.
    pub unit_name: Option<String>,
    /// The deadline.
    pub due_at: Option<OffsetDateTime>,
    /// How many follow it.
    pub followers: Option<u32>,
    /// Status changes with official replies, oldest first.
    pub history: Vec<StatusEntry>,
}

/// A follow waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowDue {
    /// Tracking code.
    pub tracking_code: String,
    /// "I see it too".
    pub me_too: bool,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Its photos, with their upload progress.
    pub photos: Vec<super::PhotoUpload>,
}

/// A change pulled for a followed report.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowedUpdate {
    /// Its tracking code.
    pub tracking_code: String,
    /// The change.
    pub entry: StatusEntry,
}

/// Whether a tracking code looks like one (`DL-7K3M9Q`): letters and digits
/// in two parts; normalised to upper case.
pub fn normalize_code(code: &str) -> Result<String> {
    let code = code.trim().to_ascii_uppercase();
    let ok = code.len() <= 24
        && code.split_once('-').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && a.chars().chain(b.chars()).all(|c| c.is_ascii_alphanumeric())
        });
    if ok { Ok(code) } else { Err(Error::Feedback(FeedbackRefusal::BadCode)) }
}

fn text_ok(text: Option<&str>, required: bool) -> Result<Option<String>> {
    let text = text.map(clean_text).filter(|t| !t.is_empty());
    match &text {
        None if required => Err(Error::Feedback(FeedbackRefusal::BadText)),
        Some(t) if t.chars().count() > MAX_FEEDBACK_CHARS => Err(Error::Feedback(FeedbackRefusal::BadText)),
        _ => Ok(text),
    }
}

impl Store {
    /// The report, checked to be on the server and answered (resolved or
    /// rejected): (its status, when it was closed).
    fn answered(&self, id: ReportId) -> Result<(Status, OffsetDateTime)> {
        let report = self.get(id)?;
        let on_server = matches!(report.state.kind(), StateKind::Sent | StateKind::Queued | StateKind::Sending);
        if report.tracking_code.is_none() || !on_server {
            return Err(Error::Feedback(FeedbackRefusal::NotSent));
        }
        let last = report.history.iter().max_by_key(|h| h.at).cloned();
        match last {
            Some(h) if h.status.is_closed() => Ok((h.status, h.at)),
            _ => Err(Error::Feedback(FeedbackRefusal::NotClosed)),
        }
    }

    /// Queue a rating of the district's answer (once per report); the
    /// report's next pass sends it.
    pub fn queue_rating(&self, id: ReportId, score: Score, comment: Option<&str>, on_behalf: bool) -> Result<()> {
        self.answered(id)?;
        let comment = text_ok(comment, false)?;
        let report = self.get(id)?;
        let body = WireRating { score, comment, on_behalf: on_behalf && report.on_behalf_of.is_some() };
        let mut conn = self.conn();
        let tx = conn.transaction().context("queueing a rating")?;
        let rated: bool = tx
            .query_row(
                "SELECT count(*) FROM report_actions WHERE report_id = ?1 AND kind = 'rating' AND refused IS NULL",
                [id.to_string()],
                |r| r.get(0),
            )
            .context("queueing a rating")?;
        if rated {
            return Err(Error::Feedback(FeedbackRefusal::AlreadyRated));
        }
        insert_action(&tx, id, ActionKind::Rating, &body, self.now_ms())?;
        requeue(&tx, id, self.now_ms())?;
        tx.commit().context("queueing a rating")
    }

    /// Whether a reopen with this reason could be queued now.
    pub fn check_reopen(&self, id: ReportId, reason: &str) -> Result<()> {
        let (_, closed_at) = self.answered(id)?;
        text_ok(Some(reason), true)?;
        let services: Option<Services> = self.cached_services()?;
        let days = services.map_or(DEFAULT_REOPEN_DAYS, |s| s.reopen_days);
        if !within_days(to_ms(closed_at), self.now_ms(), days) {
            return Err(Error::Feedback(FeedbackRefusal::WindowPassed));
        }
        Ok(())
    }

    /// Queue "not fixed" (or, for a rejection, "please review") with a
    /// reason and photos already compressed into the photo directory
    /// (`photos`, from [`Store::prepare_photo`]); within the district's
    /// window after the answer.
    pub fn queue_reopen(&self, id: ReportId, reason: &str, photos: &[Photo]) -> Result<()> {
        self.check_reopen(id, reason)?;
        let reason = text_ok(Some(reason), true)?.unwrap_or_default();
        let body = ReopenBody {
            reason,
            photos: photos
                .iter()
                .map(|p| PhotoDecl { id: p.id.to_string(), sha256: p.sha256.clone(), bytes: p.bytes })
                .collect(),
        };
        let mut conn = self.conn();
        let tx = conn.transaction().context("queueing a reopen")?;
        let waiting: bool = tx
            .query_row(
                "SELECT count(*) FROM report_actions WHERE report_id = ?1 AND kind = 'reopen' AND sent_at IS NULL
                     AND refused IS NULL",
                [id.to_string()],
                |r| r.get(0),
            )
            .context("queueing a reopen")?;
        if waiting {
            return Err(Error::Feedback(FeedbackRefusal::AlreadyReopening));
        }
        let now = self.now_ms();
        for p in photos {
            tx.execute(
                "INSERT INTO photos (id, report_id, position, file, thumb_file, sha256, bytes, width, height, created_at)
                 VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM photos WHERE report_id = ?2), ?3, ?4, ?5,
                     ?6, ?7, ?8, ?9)",
                params![
                    p.id.to_string(),
                    id.to_string(),
                    p.file,
                    p.thumb_file,
                    p.sha256,
                    i64::try_from(p.bytes).unwrap_or(i64::MAX),
                    p.width,
                    p.height,
                    now
                ],
            )
            .context("queueing a reopen")?;
        }
        insert_action(&tx, id, ActionKind::Reopen, &body, now)?;
        requeue(&tx, id, now)?;
        tx.commit().context("queueing a reopen")
    }

    /// The report's ratings and reopens not yet sent, oldest first.
    pub fn pending_actions(&self, id: ReportId) -> Result<Vec<PendingAction>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, kind, body FROM report_actions
                 WHERE report_id = ?1 AND sent_at IS NULL AND refused IS NULL ORDER BY created_at, id",
            )
            .context("reading queued ratings")?;
        let rows = stmt
            .query_map([id.to_string()], |r| {
                let kind: String = r.get(1)?;
                Ok(PendingAction {
                    id: r.get(0)?,
                    kind: if kind == "rating" { ActionKind::Rating } else { ActionKind::Reopen },
                    body: r.get(2)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .context("reading queued ratings")?;
        Ok(rows)
    }

    /// The server has a rating or reopen: record it, with the history its
    /// answer brought.
    pub fn action_sent(&self, report: ReportId, action: &str, history: &[StatusEntry]) -> Result<()> {
        let mut conn = self.progress_conn();
        let tx = conn.transaction().context("recording a sent rating")?;
        tx.execute("UPDATE report_actions SET sent_at = ?2 WHERE id = ?1", params![action, self.now_ms()])
            .context("recording a sent rating")?;
        for entry in history {
            super::outbox::insert_history(&tx, report, entry)?;
        }
        super::outbox::refresh_status(&tx, report)?;
        tx.commit().context("recording a sent rating")
    }

    /// The server refused a rating or reopen: keep why. A refused reopen's
    /// photos are not the server's to take any more: they go, files too.
    pub fn action_refused(&self, action: &str, reason: &str) -> Result<()> {
        let body: Option<(String, String)> = self
            .conn()
            .query_row("SELECT kind, body FROM report_actions WHERE id = ?1", [action], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .context("recording a refused rating")?;
        let mut files = Vec::new();
        {
            let mut conn = self.conn();
            let tx = conn.transaction().context("recording a refused rating")?;
            tx.execute("UPDATE report_actions SET refused = ?2 WHERE id = ?1", params![action, reason])
                .context("recording a refused rating")?;
            if let Some((_, body)) = body.filter(|(kind, _)| kind == "reopen")
                && let Ok(reopen) = serde_json::from_str::<ReopenBody>(&body)
            {
                for p in &reopen.photos {
                    let names: Option<(String, Option<String>)> = tx
                        .query_row("DELETE FROM photos WHERE id = ?1 RETURNING file, thumb_file", [&p.id], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })
                        .optional()
                        .context("recording a refused reopen")?;
                    if let Some((file, thumb)) = names {
                        files.push(file);
                        files.extend(thumb);
                    }
                }
            }
            tx.commit().context("recording a refused rating")?;
        }
        for f in files {
            let _ = std::fs::remove_file(self.photo_path(&f));
        }
        Ok(())
    }

    /// The report's rating, if one was given on this device.
    pub fn rating(&self, id: ReportId) -> Result<Option<RatingState>> {
        let row: Option<(String, Option<i64>, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT body, sent_at, refused FROM report_actions WHERE report_id = ?1 AND kind = 'rating'
                 ORDER BY refused IS NULL DESC, created_at DESC LIMIT 1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .context("reading a rating")?;
        let Some((body, sent, refused)) = row else { return Ok(None) };
        let rating: WireRating = serde_json::from_str(&body).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(Some(RatingState { score: rating.score, comment: rating.comment, state: action_state(sent, refused) }))
    }

    /// The latest reopen of the report made on this device, if any.
    pub fn reopen_state(&self, id: ReportId) -> Result<Option<ActionState>> {
        let row: Option<(Option<i64>, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT sent_at, refused FROM report_actions WHERE report_id = ?1 AND kind = 'reopen'
                 ORDER BY created_at DESC LIMIT 1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .context("reading a reopen")?;
        Ok(row.map(|(sent, refused)| action_state(sent, refused)))
    }

    /// Follow a report by its tracking code (again with `me_too` or new
    /// photos: adds them), with photos already compressed into the photo
    /// directory ([`Store::prepare_photo`]). Queued; the next sync sends it.
    pub fn follow(&self, code: &str, me_too: bool, photos: &[Photo]) -> Result<String> {
        let code = normalize_code(code)?;
        let me_too = me_too || !photos.is_empty();
        let now = self.now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction().context("following a report")?;
        tx.execute(
            "INSERT INTO follows (tracking_code, me_too, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (tracking_code) DO UPDATE SET
                 me_too = max(me_too, excluded.me_too),
                 sent_at = CASE WHEN excluded.me_too > me_too OR refused IS NOT NULL OR ?4 THEN NULL
                                ELSE sent_at END,
                 refused = NULL, attempts = 0, next_attempt_at = NULL, updated_at = ?3",
            params![code, me_too, now, !photos.is_empty()],
        )
        .context("following a report")?;
        for p in photos {
            tx.execute(
                "INSERT INTO follow_photos (id, tracking_code, file, thumb_file, sha256, bytes, width, height, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    p.id.to_string(),
                    code,
                    p.file,
                    p.thumb_file,
                    p.sha256,
                    i64::try_from(p.bytes).unwrap_or(i64::MAX),
                    p.width,
                    p.height,
                    now
                ],
            )
            .context("following a report")?;
        }
        tx.commit().context("following a report")?;
        Ok(code)
    }

    /// A follow's photos with their upload progress, oldest first.
    fn follow_photos(&self, code: &str) -> Result<Vec<super::PhotoUpload>> {
        type Row = (String, String, Option<String>, String, i64, u32, u32, Option<String>, bool);
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, file, thumb_file, sha256, bytes, width, height, upload_url, sent FROM follow_photos
                 WHERE tracking_code = ?1 ORDER BY created_at, id",
            )
            .context("reading a follow's photos")?;
        let rows: Vec<Row> = stmt
            .query_map([code], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .context("reading a follow's photos")?;
        rows.into_iter()
            .map(|(id, file, thumb_file, sha256, bytes, width, height, upload_url, sent)| {
                let id = id.parse().map_err(|_| Error::Corrupt(format!("photo id {id}")))?;
                let photo = Photo { id, file, thumb_file, sha256, bytes: bytes.max(0) as u64, width, height };
                Ok(super::PhotoUpload { photo, upload_url, sent })
            })
            .collect()
    }

    /// Every photo of the follow reached the server: the follow is sent.
    pub fn follow_sent(&self, code: &str) -> Result<()> {
        self.progress_conn()
            .execute(
                "UPDATE follows SET sent_at = ?2, attempts = 0, next_attempt_at = NULL WHERE tracking_code = ?1
                     AND NOT EXISTS (SELECT 1 FROM follow_photos WHERE tracking_code = ?1 AND sent = 0)",
                params![code, self.now_ms()],
            )
            .context("recording a follow")?;
        Ok(())
    }

    /// Follows waiting to be sent whose time has come.
    pub fn follows_due(&self, now_ms: i64) -> Result<Vec<FollowDue>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT tracking_code, me_too, attempts FROM follows
                 WHERE sent_at IS NULL AND refused IS NULL AND coalesce(next_attempt_at, 0) <= ?1
                 ORDER BY created_at",
            )
            .context("reading follows")?;
        let rows = stmt
            .query_map([now_ms], |r| {
                Ok(FollowDue { tracking_code: r.get(0)?, me_too: r.get(1)?, attempts: r.get(2)?, photos: Vec::new() })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .context("reading follows")?;
        drop(stmt);
        drop(conn);
        rows.into_iter()
            .map(|mut f| {
                f.photos = self.follow_photos(&f.tracking_code)?;
                Ok(f)
            })
            .collect()
    }

    /// How many follows wait to be sent.
    pub fn follows_waiting(&self) -> Result<u32> {
        self.conn()
            .query_row("SELECT count(*) FROM follows WHERE sent_at IS NULL AND refused IS NULL", [], |r| r.get(0))
            .context("reading follows")
    }

    /// The server took a follow: keep what it told about the report (the
    /// follow is sent once its photos are: [`Store::follow_sent`]).
    pub fn follow_accepted(&self, r: &FollowedReport) -> Result<()> {
        let mut conn = self.progress_conn();
        let tx = conn.transaction().context("recording a follow")?;
        let due = r.due_at.as_deref().and_then(parse_time).map(to_ms);
        tx.execute(
            "UPDATE follows SET category = ?3, status = ?4,
                 public_url = ?5, unit_name = ?6, due_at = ?7, followers = ?8, updated_at = ?2
             WHERE tracking_code = ?1",
            params![
                r.tracking_code,
                self.now_ms(),
                r.category,
                r.status,
                r.public_url,
                r.unit.as_ref().map(|u| &u.name),
                due,
                r.followers
            ],
        )
        .context("recording a follow")?;
        for c in &r.history {
            if let Some(entry) = crate::sync::status_entry(c) {
                insert_followed(&tx, &r.tracking_code, &entry)?;
            }
        }
        tx.commit().context("recording a follow")
    }

    /// The server refused a follow (no such report, one's own, closed).
    pub fn follow_refused(&self, code: &str, reason: &str) -> Result<()> {
        self.progress_conn()
            .execute("UPDATE follows SET refused = ?2 WHERE tracking_code = ?1", params![code, reason])
            .context("recording a refused follow")?;
        Ok(())
    }

    /// A follow failed for now: try again at `at_ms`; the attempts so far.
    pub fn follow_retry(&self, code: &str, at_ms: i64) -> Result<u32> {
        self.progress_conn()
            .query_row(
                "UPDATE follows SET attempts = attempts + 1, next_attempt_at = ?2 WHERE tracking_code = ?1
                 RETURNING attempts",
                params![code, at_ms],
                |r| r.get(0),
            )
            .context("scheduling a follow")
    }

    /// Stop following (and forget what was pulled for it).
    pub fn unfollow(&self, code: &str) -> Result<()> {
        let code = normalize_code(code)?;
        self.conn().execute("DELETE FROM follows WHERE tracking_code = ?1", [code]).context("unfollowing")?;
        Ok(())
    }

    /// Every followed report, the most recently changed first.
    pub fn following(&self) -> Result<Vec<Followed>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT tracking_code, me_too, sent_at, refused, category, status, public_url, unit_name, due_at,
                     followers
                 FROM follows ORDER BY updated_at DESC, tracking_code",
            )
            .context("reading follows")?;
        let mut out = stmt
            .query_map([], |r| {
                let status: Option<String> = r.get(5)?;
                Ok(Followed {
                    tracking_code: r.get(0)?,
                    me_too: r.get(1)?,
                    state: action_state(r.get(2)?, r.get(3)?),
                    category: r.get(4)?,
                    status: status.as_deref().and_then(Status::from_code),
                    public_url: r.get(6)?,
                    unit_name: r.get(7)?,
                    due_at: r.get::<_, Option<i64>>(8)?.map(from_ms),
                    followers: r.get(9)?,
                    history: Vec::new(),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .context("reading follows")?;
        let mut history = conn
            .prepare_cached("SELECT status, at, reply FROM follow_history WHERE tracking_code = ?1 ORDER BY at, rowid")
            .context("reading follows")?;
        for f in &mut out {
            f.history = history
                .query_map([&f.tracking_code], |r| {
                    let status: String = r.get(0)?;
                    Ok((status, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .context("reading follows")?
                .into_iter()
                .filter_map(|(status, at, reply)| {
                    Some(StatusEntry {
                        status: Status::from_code(&status)?,
                        at: from_ms(at),
                        reply,
                        unit: None,
                        due_at: None,
                    })
                })
                .collect();
        }
        Ok(out)
    }

    /// The notifications waiting to be shown, taken (each is shown once).
    pub fn take_notifications(&self) -> Result<Vec<Pending>> {
        let mut conn = self.conn();
        let tx = conn.transaction().context("reading notifications")?;
        let rows = tx
            .prepare(
                "DELETE FROM notifications
                 RETURNING key, report_id, tracking_code, followed, status, reply, unit_name, at",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, i64>(7)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .context("reading notifications")?;
        tx.commit().context("reading notifications")?;
        let mut out: Vec<Pending> = rows
            .into_iter()
            .filter_map(|(key, report, code, followed, status, reply, unit_name, at)| {
                Some(Pending {
                    key,
                    report_id: report.and_then(|r| r.parse().ok()),
                    tracking_code: code,
                    followed,
                    status: Status::from_code(&status)?,
                    reply,
                    unit_name,
                    at,
                })
            })
            .collect();
        out.sort_by_key(|p| p.at);
        Ok(out)
    }
}

fn action_state(sent: Option<i64>, refused: Option<String>) -> ActionState {
    match (sent, refused) {
        (_, Some(why)) => ActionState::Refused(why),
        (Some(_), None) => ActionState::Sent,
        (None, None) => ActionState::Queued,
    }
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

fn insert_action<T: serde::Serialize>(
    tx: &rusqlite::Transaction<'_>,
    report: ReportId,
    kind: ActionKind,
    body: &T,
    now: i64,
) -> Result<()> {
    let body = serde_json::to_string(body).map_err(|e| Error::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO report_actions (id, report_id, kind, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![uuid::Uuid::now_v7().to_string(), report.to_string(), kind.code(), body, now],
    )
    .context("queueing a rating")?;
    Ok(())
}

/// Back into the outbox, the text already on the server: its next pass
/// sends what waits with it.
fn requeue(tx: &rusqlite::Transaction<'_>, id: ReportId, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE reports SET state = 'queued', queued_at = ?2, updated_at = ?2, attempts = 0, next_attempt_at = NULL
         WHERE id = ?1 AND state IN ('sent', 'queued', 'sending')",
        params![id.to_string(), now],
    )
    .context("queueing a rating")?;
    Ok(())
}

/// A change of a followed report, stored once (a page pulled twice changes nothing).
pub(super) fn insert_followed(conn: &rusqlite::Connection, code: &str, entry: &StatusEntry) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO follow_history (tracking_code, status, at, reply)
             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM follows WHERE tracking_code = ?1)
             ON CONFLICT DO NOTHING",
        )
        .and_then(|mut s| s.execute(params![code, entry.status.code(), to_ms(entry.at), entry.reply]))
        .context("saving a followed report's change")?;
    if n == 1 {
        conn.execute(
            "UPDATE follows SET status = ?2, updated_at = ?3,
                 unit_name = coalesce(?4, unit_name), due_at = coalesce(?5, due_at)
             WHERE tracking_code = ?1",
            params![
                code,
                entry.status.code(),
                to_ms(entry.at),
                entry.unit.as_ref().map(|u| &u.1),
                entry.due_at.map(to_ms)
            ],
        )
        .context("saving a followed report's change")?;
    }
    Ok(n == 1)
}

/// Keep notifications to show, inside the pull's transaction (one per
/// report: a newer one replaces an older one not yet shown).
pub(super) fn keep_notifications(tx: &rusqlite::Connection, pending: &[Pending]) -> Result<()> {
    for p in pending {
        tx.execute(
            "INSERT INTO notifications (key, report_id, tracking_code, followed, status, reply, unit_name, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (key) DO UPDATE SET status = excluded.status, reply = excluded.reply,
                 unit_name = excluded.unit_name, at = excluded.at
             WHERE excluded.at >= notifications.at",
            params![
                p.key,
                p.report_id.map(|id| id.to_string()),
                p.tracking_code,
                p.followed,
                p.status.code(),
                p.reply,
                p.unit_name,
                p.at
            ],
        )
        .context("keeping notifications")?;
    }
    Ok(())
}

//! Pushing the outbox: one report at a time through its steps, a few
//! reports side by side.

use std::sync::atomic::Ordering;
use std::time::Duration;

use phananh_protocol::wire::{PhotoDecl, ReportBody, ReportStatus, WireOnBehalf, WireReporter};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::http::Failure;
use super::tus::{TusClient, UploadFailure, read_start};
use super::{SyncEvent, Syncer};
use crate::error::Result;
use crate::model::{PhotoId, Report, ReportId, Status, StatusEntry};
use crate::store::{Accepted, ActionKind, OutboxEntry, PhotoUpload};

/// How one report's attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It left the outbox: the server has everything.
    Sent { photos: u32 },
    /// Failed for now; due again later.
    Retrying { photos: u32 },
    /// Refused; waits for the user.
    NeedsAttention,
    /// Not in the outbox any more (deleted, or another pass took it).
    Skipped,
}

/// A photo upload is restarted at most this often in one attempt (an
/// expired upload, a whole-file checksum the server did not match).
const UPLOAD_RESTARTS: u32 = 2;

/// A report's photos sent at the same time.
const PHOTOS_AT_ONCE: usize = 2;

impl Syncer {
    /// Push every due report, at most `max_in_flight` sending photos at a
    /// time, and one more getting ready: its text goes while the others'
    /// photos are on the air, so the radio does not idle two round trips
    /// each time a report finishes.
    pub(crate) async fn push_due(&self) -> Result<Vec<Outcome>> {
        let now = self.inner.store.now_ms();
        let due = self.db(move |s| s.outbox_due(now)).await?;
        let queue = std::sync::Arc::new(std::sync::Mutex::new(std::collections::VecDeque::from(due)));
        let in_flight = self.inner.config.max_in_flight.max(1);
        let photos = std::sync::Arc::new(tokio::sync::Semaphore::new(in_flight));
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..in_flight + 1 {
            let (me, queue, photos) = (self.clone(), queue.clone(), photos.clone());
            workers.spawn(async move {
                let mut outcomes = Vec::new();
                loop {
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                    let Some(id) = next else { break };
                    outcomes.push(me.push_one(id, &photos).await?);
                }
                Ok::<_, crate::Error>(outcomes)
            });
        }
        let mut all = Vec::new();
        while let Some(done) = workers.join_next().await {
            let outcomes = done.map_err(|e| crate::Error::Corrupt(format!("a sync task failed: {e}")))??;
            all.extend(outcomes);
        }
        Ok(all)
    }

    /// One attempt at one report; its photos go once `photos` lets them.
    async fn push_one(&self, id: ReportId, photos_turn: &tokio::sync::Semaphore) -> Result<Outcome> {
        let entry = self.db(move |s| Ok(if s.mark_sending(id)? { s.outbox_entry(id)? } else { None })).await?;
        let Some(entry) = entry else { return Ok(Outcome::Skipped) };
        self.emit(SyncEvent::ReportSending { id });
        let mut photos = 0;
        // What this report's sending costs the resident, resends included.
        let meter = std::sync::Arc::new(super::meter::Meter::default());
        let result = super::meter::for_report(meter.clone(), self.send_steps(&entry, &mut photos, photos_turn)).await;
        let (up, down) = meter.take();
        let month = self.inner.store.this_month();
        self.db(move |s| s.add_data_used(Some(id), &month, up, down)).await?;
        match result {
            Ok(()) => {
                let sent = self
                    .db(move |s| {
                        Ok(if s.mark_sent(id)? { Some(s.get(id)?.tracking_code.unwrap_or_default()) } else { None })
                    })
                    .await?;
                if let Some(tracking_code) = sent {
                    tracing::info!(report = %id, "report sent");
                    self.emit(SyncEvent::ReportSent { id, tracking_code });
                    Ok(Outcome::Sent { photos })
                } else {
                    // A photo row changed under us; the next pass looks again.
                    Ok(Outcome::Retrying { photos })
                }
            }
            Err(Failure::Local(e)) => Err(e),
            Err(Failure::Rejected { status, code, message }) => {
                tracing::info!(report = %id, status, code = %code, "report refused by the server");
                let reason = message.clone();
                self.db(move |s| s.mark_needs_attention(id, &reason)).await?;
                self.emit(SyncEvent::ReportNeedsAttention { id, reason: message });
                Ok(Outcome::NeedsAttention)
            }
            Err(Failure::Unauthorized) => {
                self.retry_later(id, entry.attempts, "unauthorized".into(), None, false, photos).await
            }
            Err(Failure::Transient { why, retry_after, link }) => {
                self.retry_later(id, entry.attempts, why, retry_after, link, photos).await
            }
        }
    }

    async fn retry_later(
        &self,
        id: ReportId,
        attempts: u32,
        why: String,
        retry_after: Option<Duration>,
        link: bool,
        photos: u32,
    ) -> Result<Outcome> {
        let backoff = &self.inner.config.backoff;
        let random = super::backoff::random_u64();
        let now = self.inner.store.now_ms();
        // A dead link is probed again soon (the attempt starts with a cheap
        // request, the upload's HEAD), at the engine's one probe time; a
        // refusing server gets the full backoff and its Retry-After.
        let at_ms = if link {
            self.inner.probe.lock().unwrap_or_else(|p| p.into_inner()).next(
                now,
                self.inner.api.meter.answers(),
                backoff,
                random,
            )
        } else {
            now + backoff.delay(attempts + 1, retry_after, random).as_millis() as i64
        };
        let delay = Duration::from_millis((at_ms - now).max(0) as u64);
        let attempts = self.db(move |s| s.schedule_retry(id, at_ms)).await?;
        tracing::info!(report = %id, attempts, delay_ms = delay.as_millis() as u64, why = %why, "will retry");
        let at = self.inner.store.now() + delay;
        self.emit(SyncEvent::ReportRetrying { id, attempts, at, why });
        Ok(Outcome::Retrying { photos })
    }

    /// The report's text, then (in its turn) each photo not yet on the
    /// server.
    async fn send_steps(
        &self,
        entry: &OutboxEntry,
        photos_sent: &mut u32,
        photos_turn: &tokio::sync::Semaphore,
    ) -> Result<(), Failure> {
        let id = entry.report.id;
        if !entry.on_server {
            let body = report_body(&entry.report);
            let lang = self.lang();
            let api = self.inner.api.clone();
            let status = self
                .authed(|token| {
                    let (api, body) = (api.clone(), body.clone());
                    async move { api.put_report(&token, id, &body, lang).await }
                })
                .await?;
            let accepted = accepted(&status);
            self.db(move |s| s.record_accepted(id, &accepted)).await?;
        }
        // Then what waits with it (a rating, a reopen declaring new photos),
        // before the photos: the server must know a photo before taking it.
        let actions = self.db(move |s| s.pending_actions(id)).await?;
        for action in actions {
            let (api, lang) = (self.inner.api.clone(), self.lang());
            let kind = match action.kind {
                ActionKind::Rating => "rating",
                ActionKind::Reopen => "reopen",
            };
            let sent = self
                .authed(|token| {
                    let (api, action) = (api.clone(), action.clone());
                    async move { api.put_action(&token, id, kind, &action.id, &action.body, lang).await }
                })
                .await;
            match sent {
                Ok(status) => {
                    let history: Vec<StatusEntry> = status.history.iter().filter_map(status_entry).collect();
                    let aid = action.id.clone();
                    self.db(move |s| s.action_sent(id, &aid, &history)).await?;
                    tracing::info!(report = %id, kind, "sent with its report");
                }
                // Refused (too late, already rated): the report itself is
                // fine; the refusal is kept for the user to read.
                Err(Failure::Rejected { message, .. }) => {
                    let aid = action.id.clone();
                    self.db(move |s| s.action_refused(&aid, &message)).await?;
                }
                Err(other) => return Err(other),
            }
        }
        // Photos refused with their reopen are gone; read what is left.
        let photos = self.db(move |s| Ok(s.outbox_entry(id)?.map(|e| e.photos).unwrap_or_default())).await?;
        let waiting: std::collections::VecDeque<PhotoUpload> = photos.into_iter().filter(|p| !p.sent).collect();
        if waiting.is_empty() {
            return Ok(());
        }
        // Never closed, so acquiring cannot fail.
        let _turn = photos_turn.acquire().await.ok();
        // A few photos at once, in this task (the report's data meter is
        // task-local): while one waits for its answer, or for its upload's
        // creation, another is on the air — on a 300 ms link one photo at
        // a time leaves the radio idle two round trips per photo.
        let queue = std::sync::Mutex::new(waiting);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let lane = || async {
            let mut sent = 0;
            while !stop.load(Ordering::SeqCst) {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                let Some(upload) = next else { break };
                let done = match self.send_photo(id, &upload).await {
                    Ok(()) => {
                        let pid = upload.photo.id;
                        self.db(move |s| s.mark_photo_sent(pid)).await.map_err(Failure::Local)
                    }
                    Err(e) => Err(e),
                };
                if let Err(e) = done {
                    // The others finish what they are sending; none starts.
                    stop.store(true, Ordering::SeqCst);
                    return (sent, Some(e));
                }
                sent += 1;
            }
            (sent, None)
        };
        let lanes = futures_util::future::join_all((0..PHOTOS_AT_ONCE).map(|_| lane())).await;
        let mut failure: Option<Failure> = None;
        for (sent, failed) in lanes {
            *photos_sent += sent;
            if let Some(f) = failed {
                // What the report's outcome should say: the device's own
                // failure first, then a refusal (retrying will not help),
                // then the rest.
                let rank = |f: &Failure| match f {
                    Failure::Local(_) => 0,
                    Failure::Rejected { .. } => 1,
                    Failure::Unauthorized => 2,
                    Failure::Transient { .. } => 3,
                };
                if failure.as_ref().is_none_or(|old| rank(&f) < rank(old)) {
                    failure = Some(f);
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }

    async fn send_photo(&self, report: ReportId, upload: &PhotoUpload) -> Result<(), Failure> {
        let endpoint = self.inner.api.url(&format!("api/v1/reports/{report}/photos"));
        self.send_photo_to(&endpoint, Some(report), upload).await
    }

    /// One photo by tus to a creation `endpoint` (a report's, or a follow's
    /// for a follower's photo), resuming a known upload; progress events
    /// name the report, if the photo is one's own report's.
    pub(crate) async fn send_photo_to(
        &self,
        endpoint: &reqwest::Url,
        report: Option<ReportId>,
        upload: &PhotoUpload,
    ) -> Result<(), Failure> {
        let photo = &upload.photo;
        let (pid, total) = (photo.id, photo.bytes);
        let path = self.inner.store.photo_path(&photo.file);
        let endpoint = endpoint.clone();
        let mut url = upload.upload_url.clone();
        let mut restarts = 0;
        loop {
            let result = self
                .authed(|token| {
                    let (me, url, endpoint, path, sha) =
                        (self.clone(), url.clone(), endpoint.clone(), path.clone(), photo.sha256.clone());
                    async move { me.upload_once(&token, report, pid, total, &sha, url, &endpoint, &path).await }
                })
                .await?;
            match result {
                Ok(()) => return Ok(()),
                // Expired or removed: start a new upload.
                Err(UploadFailure::Gone) => {}
                // The server threw the whole file away (its sha256 did not
                // match the declared one): send it again from the start,
                // with per-chunk checksums from now on.
                Err(UploadFailure::Other(Failure::Rejected { code, .. })) if code == "sha256_mismatch" => {
                    self.inner.damage_seen.store(true, Ordering::SeqCst);
                }
                Err(UploadFailure::Other(f)) => return Err(f),
            }
            if restarts >= UPLOAD_RESTARTS {
                return Err(Failure::transient("the upload had to restart too often"));
            }
            restarts += 1;
            url = None;
            self.db(move |s| s.set_upload_url(pid, None)).await?;
        }
    }

    /// Create the upload if it has no URL yet, then send what the server
    /// lacks. The outer error is for [`Syncer::authed`] (a refused token),
    /// the inner one for [`Syncer::send_photo`].
    #[allow(clippy::too_many_arguments)]
    async fn upload_once(
        &self,
        token: &str,
        report: Option<ReportId>,
        pid: PhotoId,
        total: u64,
        sha256: &str,
        url: Option<String>,
        endpoint: &reqwest::Url,
        path: &std::path::Path,
    ) -> Result<Result<(), UploadFailure>, Failure> {
        let tus = match self.tus(token, endpoint).await {
            Ok(t) => t,
            Err(Failure::Unauthorized) => return Err(Failure::Unauthorized),
            Err(f) => return Ok(Err(UploadFailure::Other(f))),
        };
        let (target, known_offset) = match url {
            Some(u) => match reqwest::Url::parse(&u) {
                Ok(t) => (t, None),
                Err(_) => return Ok(Err(UploadFailure::Gone)),
            },
            None => {
                let id = pid.to_string();
                let meta = [("photo_id", id.as_str()), ("sha256", sha256)];
                // The first chunk rides with the creation (our server offers
                // creation-with-upload): a round trip less per photo. Only
                // on this engine's first try for the photo (after a cut
                // creation the server may hold part of it already, and the
                // next creation, replayed by its key, says how much), and
                // not on a link that damages bytes (a chunk refused for its
                // checksum is resent by PATCH, as before).
                let first_try = self.inner.created.lock().unwrap_or_else(|p| p.into_inner()).insert(pid);
                let first = if first_try && !tus.checksums {
                    match read_start(path, tus.next_chunk_size().min(total as usize)).await {
                        Ok(chunk) => Some(chunk),
                        Err(unreadable) => return Ok(Err(unreadable)),
                    }
                } else {
                    None
                };
                // A creation that carried the whole photo may be refused
                // as a PATCH finishing it would (a damaged photo): the
                // upload's own failure, handled as one.
                let (created, offset) = match tus.create_with(endpoint, total, &meta, Some(&id), first).await {
                    Ok(created) => created,
                    Err(Failure::Unauthorized) => return Err(Failure::Unauthorized),
                    Err(f) => return Ok(Err(UploadFailure::Other(f))),
                };
                // Persist first: a crash from here on resumes this upload.
                let text = created.to_string();
                self.db(move |s| s.set_upload_url(pid, Some(&text))).await?;
                // A server that does not say holds nothing yet (a PATCH at a
                // wrong offset is answered 409, and the client asks).
                (created, Some(offset.unwrap_or(0)))
            }
        };
        let progress = |sent: u64, total: u64| {
            if let Some(report) = report {
                self.emit(SyncEvent::PhotoProgress { report, photo: pid, sent, total });
            }
        };
        match tus.upload_file(&target, path, total, known_offset, progress).await {
            Ok(()) => Ok(Ok(())),
            Err(UploadFailure::Other(Failure::Unauthorized)) => Err(Failure::Unauthorized),
            Err(e) => Ok(Err(e)),
        }
    }

    /// A tus client for this server. What the server offers is asked once
    /// per engine (`OPTIONS` on the creation endpoint), when first needed.
    ///
    /// Chunks go without `Upload-Checksum` at first: a chunk cut off by a
    /// dropped link then keeps what arrived (our server keeps it, tus 1.0
    /// says a server should), and the whole file's sha256, declared at
    /// creation and checked by the server at the end, catches any damage
    /// (TLS already does in production). Once a photo has arrived damaged,
    /// the link is one that corrupts: every later chunk carries a sha256
    /// where the server offers it (ours does; tusd 2.9 does not), so damage
    /// costs one chunk, not the photo.
    async fn tus(&self, token: &str, endpoint: &reqwest::Url) -> Result<TusClient, Failure> {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
            headers.insert(AUTHORIZATION, v);
        }
        headers.insert(reqwest::header::ACCEPT_LANGUAGE, HeaderValue::from_static(self.lang().code()));
        let mut client =
            TusClient::paced(self.inner.api.http.clone(), headers, self.lang(), self.inner.pace.clone(), false)
                .metered(self.inner.api.meter.clone(), self.inner.cut_chunks.clone());
        // Asked only once checksums are wanted: until then the round trip
        // would delay the first photo for nothing.
        if self.inner.damage_seen.load(Ordering::SeqCst) {
            let probe = || async { client.options(endpoint).await.map(|caps| caps.sha256_checksums()) };
            client.checksums = *self.inner.tus_checksums.get_or_try_init(probe).await?;
        }
        Ok(client)
    }
}

/// The `PUT` body for a report: built from the stored report alone, so every resend is
/// byte-for-byte the same request and the server's idempotency holds.
pub fn report_body(r: &Report) -> ReportBody {
    ReportBody {
        category: r.category.clone().unwrap_or_default(),
        description: r.description.clone(),
        lat: r.location.map(|l| l.lat),
        lon: r.location.map(|l| l.lon),
        accuracy_m: r.location.and_then(|l| l.accuracy_m),
        address: r.address.clone(),
        reporter: WireReporter {
            name: r.reporter.name.clone(),
            phone: r.reporter.phone.clone(),
            anonymous: r.reporter.anonymous,
        },
        on_behalf_of: r.on_behalf_of.as_ref().map(|b| WireOnBehalf {
            name: b.name.clone(),
            phone: b.phone.clone(),
            consent: b.consent,
        }),
        photos: r
            .photos
            .iter()
            .map(|p| PhotoDecl { id: p.id.to_string(), sha256: p.sha256.clone(), bytes: p.bytes })
            .collect(),
        created_at: r.created_at.format(&Rfc3339).ok(),
    }
}

pub(crate) fn accepted(s: &ReportStatus) -> Accepted {
    Accepted {
        tracking_code: s.tracking_code.clone(),
        public_url: s.public_url.clone(),
        history: s.history.iter().filter_map(status_entry).collect(),
    }
}

/// A wire status change as a history entry; unknown statuses (a newer
/// server) are skipped rather than failing the whole page.
pub(crate) fn status_entry(c: &phananh_protocol::wire::StatusChange) -> Option<StatusEntry> {
    let status = Status::from_code(&c.status)?;
    let at = OffsetDateTime::parse(&c.at, &Rfc3339).ok()?;
    Some(StatusEntry {
        status,
        at,
        reply: c.reply.clone(),
        unit: c.unit.as_ref().map(|u| (u.code.clone(), u.name.clone())),
        due_at: c.due_at.as_deref().and_then(|d| OffsetDateTime::parse(d, &Rfc3339).ok()),
    })
}

//! Driving the sync: one pass on demand, or a loop that sleeps until there
//! is something to do.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::http::Failure;
use super::push::Outcome;
use super::{SyncEvent, SyncListener, SyncSummary, Syncer};
use crate::error::Result;

/// How long the categories checked by one pass stay fresh for the next
/// (the loop's own timer pass, every `pull_interval`, checks them anyway).
const SERVICES_FRESH_MS: i64 = 10 * 60 * 1000;

impl Syncer {
    /// One full pass: refresh categories, push every due report, pull
    /// status changes. Temporary failures are recorded per report (and in
    /// the summary), not returned; an error means the device's own storage
    /// failed.
    pub async fn sync_once(&self) -> Result<SyncSummary> {
        let _one_pass = self.inner.pass.lock().await;
        // And one pass per home across processes: two would both push the
        // same outbox and race on the same uploads.
        let _across = super::lock::acquire(self.lock_path("sync")).await?;
        let mut summary = SyncSummary::default();
        if !self.is_online() {
            summary.offline = true;
        } else {
            let meter = &self.inner.api.meter;
            let (tries, answers) = (meter.tries(), meter.answers());
            // The categories are checked (a conditional GET) beside the
            // push, not before it: on a 300 ms link a round trip in series
            // is 300 ms of every pass. A pass soon after one that checked
            // them (a retry after a blackout) leaves them alone: they
            // change a few times a year, and the report in flight should
            // resume with its first request.
            let now = self.inner.store.now_ms();
            let checked = self.inner.services_checked_ms.load(Ordering::Relaxed);
            let check = checked == 0 || now - checked >= SERVICES_FRESH_MS || now < checked;
            let services = async {
                if !check {
                    return None;
                }
                let result = self.refresh_services().await;
                if result.is_ok() {
                    self.inner.services_checked_ms.store(now.max(1), Ordering::Relaxed);
                }
                Some(result)
            };
            // Reports are tried even when the category check fails: the
            // link may come back in between, and each failure is cheap and
            // recorded with its own backoff.
            let (services, pushed) = tokio::join!(services, self.push_due());
            // The pass asked and nothing answered: the link is down.
            let unreachable = meter.tries() > tries && meter.answers() == answers;
            match services {
                Some(Ok(_)) | Some(Err(Failure::Rejected { .. })) | Some(Err(Failure::Unauthorized)) => {}
                Some(Err(Failure::Local(e))) => return Err(e),
                Some(Err(Failure::Transient { why, .. })) => {
                    tracing::info!(why = %why, "server unreachable");
                    summary.offline = true;
                }
                None => summary.offline = unreachable,
            }
            for outcome in pushed? {
                match outcome {
                    Outcome::Sent { photos } => {
                        summary.sent += 1;
                        summary.photos_sent += photos;
                    }
                    Outcome::Retrying { photos } => {
                        summary.retrying += 1;
                        summary.photos_sent += photos;
                    }
                    Outcome::NeedsAttention => summary.needs_attention += 1,
                    Outcome::Skipped => {}
                }
            }
            // Follows and the status pull would only fail too (on a phone
            // with no signal, each after its connect timeout); the next
            // pass that reaches the server does them.
            if !unreachable {
                summary.follows_sent = self.push_follows().await?;
                match self.pull_changes().await {
                    Ok(n) => summary.changes = n,
                    Err(Failure::Local(e)) => return Err(e),
                    Err(f) => tracing::info!(error = %f.into_error(), "status pull failed"),
                }
            }
        }
        // Every request since the last pass (this one's, and the app's own
        // between passes: nearby checks, categories), in the month's total.
        let (up, down) = self.inner.api.meter.take();
        let month = self.inner.store.this_month();
        self.db(move |s| s.add_data_used(None, &month, up, down)).await?;
        summary.waiting = self.db(|s| Ok(s.outbox_len()? + s.follows_waiting()?)).await?;
        summary.next_attempt_at_ms = self.db(|s| s.outbox_next_due()).await?;
        self.emit(SyncEvent::PassFinished(summary.clone()));
        Ok(summary)
    }

    /// Start the long-running loop on the current tokio runtime: a pass now,
    /// then one whenever new work arrives ([`Syncer::wake`],
    /// [`Syncer::submit`]), the link comes back ([`Syncer::set_online`]),
    /// a retry falls due, or `pull_interval` passes. Events go to
    /// `listener`. Stop it with the handle (dropping it stops it too); a
    /// stop mid-request loses nothing, the next start resumes.
    pub fn run(&self, listener: Arc<dyn SyncListener>) -> SyncHandle {
        self.set_listener(listener);
        let (stop, mut stopped) = watch::channel(false);
        let me = self.clone();
        let task = tokio::spawn(async move {
            loop {
                let pass = async {
                    if me.is_online()
                        && let Err(e) = me.sync_once().await
                    {
                        tracing::warn!(error = %e, "sync pass failed on this device");
                    }
                };
                tokio::select! {
                    _ = pass => {}
                    _ = stopped.wait_for(|s| *s) => break,
                }
                let wait = me.idle_time().await;
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = me.inner.wake.notified() => {}
                    _ = stopped.wait_for(|s| *s) => break,
                }
            }
            tracing::debug!("sync loop stopped");
        });
        SyncHandle { stop, task: Some(task) }
    }

    /// How long the loop may sleep: until the next report is due, at most
    /// `pull_interval`; forever (until woken) when offline.
    async fn idle_time(&self) -> Duration {
        let pull = self.inner.config.pull_interval;
        if !self.is_online() {
            return Duration::from_secs(24 * 3600);
        }
        match self.db(|s| s.outbox_next_due()).await {
            Ok(Some(due)) => {
                let ms = (due - self.inner.store.now_ms()).max(0) as u64;
                // Never spin: at least a few milliseconds between passes.
                Duration::from_millis(ms).clamp(Duration::from_millis(20), pull)
            }
            Ok(None) => pull,
            Err(_) => self.inner.config.backoff.cap.min(pull),
        }
    }
}

/// The running loop. [`SyncHandle::cancel`] (or dropping the handle) stops it.
#[derive(Debug)]
pub struct SyncHandle {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SyncHandle {
    /// Ask the loop to stop; it stops at once, abandoning a request in
    /// flight (which resumes on the next start).
    pub fn cancel(&self) {
        let _ = self.stop.send(true);
    }

    /// Stop the loop and wait until it has.
    pub async fn stop(mut self) {
        self.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Whether the loop has ended.
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(|t| t.is_finished())
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

//! What replicas must agree on beyond the records: request rate limits,
//! sign-in back-off, and which request is writing an upload now.
//!
//! One process (the district's default) keeps them in memory ([`Local`]);
//! replicas sharing a PostgreSQL database keep them there
//! ([`crate::storage::PgStorage::coordination`]), so a phone's requests
//! count the same whichever replica answers, a password guesser gains
//! nothing by spreading attempts, and two PATCHes of one upload never write
//! at once even on two machines.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::storage::{Fut, StorageError};

/// Shared state for limits and claims (see the module's words).
pub trait Coordination: Send + Sync {
    /// Count one request for `key` at `now_ms`; `Ok(Err(seconds to wait))`
    /// past `per_minute`.
    fn hit(&self, key: String, per_minute: u32, now_ms: i64) -> Fut<'_, Result<(), u64>>;
    /// Seconds `account` must still wait before signing in, if any.
    fn sign_in_wait(&self, account: String, now_ms: i64) -> Fut<'_, Option<u64>>;
    /// Count a failed sign-in.
    fn sign_in_failed(&self, account: String, now_ms: i64) -> Fut<'_, ()>;
    /// A successful sign-in clears the account's record.
    fn sign_in_succeeded(&self, account: String) -> Fut<'_, ()>;
    /// Claim upload `id` for `holder` until `until` (ms); `false` while
    /// another holder's claim is live.
    fn claim(&self, id: String, holder: String, now_ms: i64, until: i64) -> Fut<'_, bool>;
    /// Extend `holder`'s claim (a long PATCH keeps it).
    fn renew(&self, id: String, holder: String, until: i64) -> Fut<'_, ()>;
    /// Give up `holder`'s claim.
    fn release(&self, id: String, holder: String) -> Fut<'_, ()>;
    /// Forget rate windows and back-offs that no longer matter.
    fn tidy(&self, now_ms: i64) -> Fut<'_, ()>;
}

/// One minute, the rate limits' window.
pub const WINDOW_MS: i64 = 60_000;

/// A key's sliding pair of one-minute windows: when the current one
/// started, the previous window's count and the current one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Start of the current window, ms.
    pub started: i64,
    /// Requests in the window before it.
    pub previous: u32,
    /// Requests in it so far.
    pub current: u32,
}

impl Windows {
    /// Count one request at `now`: the windows after it, and `Err(seconds
    /// to wait)` if it is past `per_minute` (then it is not counted). The
    /// previous window counts as much as it still overlaps the last minute.
    pub fn hit(self, now: i64, per_minute: u32) -> (Windows, Result<(), u64>) {
        let mut w = self;
        let elapsed = now - w.started;
        if !(0..2 * WINDOW_MS).contains(&elapsed) {
            w = Windows { started: now, previous: 0, current: 0 };
        } else if elapsed >= WINDOW_MS {
            w = Windows { started: w.started + WINDOW_MS, previous: w.current, current: 0 };
        }
        let into = (now - w.started) as f64 / WINDOW_MS as f64;
        let estimate = f64::from(w.previous) * (1.0 - into) + f64::from(w.current);
        if estimate >= f64::from(per_minute) {
            let wait = (WINDOW_MS as f64 / 1000.0 * (1.0 - into)).ceil().max(1.0) as u64;
            return (w, Err(wait));
        }
        w.current += 1;
        (w, Ok(()))
    }
}

/// Failed sign-ins allowed before the back-off starts.
pub const FREE_FAILURES: u32 = 5;

/// After `failures` in a row at `now`, until when the account waits: each
/// failure past [`FREE_FAILURES`] doubles it (1 min, 2, 4… up to an hour).
pub fn back_off_until(failures: u32, now: i64) -> Option<i64> {
    (failures >= FREE_FAILURES).then(|| now + (60_000i64 << (failures - FREE_FAILURES).min(6)))
}

/// Everything in this process's memory: right for one server.
#[derive(Default)]
pub struct Local {
    windows: Mutex<HashMap<String, Windows>>,
    sign_ins: Mutex<HashMap<String, (u32, i64)>>,
    claims: Mutex<HashMap<String, String>>,
}

/// Bounded maps: past this many keys, old ones go first.
const MAX_KEYS: usize = 100_000;

impl Coordination for Local {
    fn hit(&self, key: String, per_minute: u32, now_ms: i64) -> Fut<'_, Result<(), u64>> {
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > MAX_KEYS {
            map.retain(|_, w| now_ms - w.started < 2 * WINDOW_MS);
        }
        let w = map.entry(key).or_insert(Windows { started: now_ms, previous: 0, current: 0 });
        let (next, answer) = w.hit(now_ms, per_minute);
        *w = next;
        Box::pin(std::future::ready(Ok(answer)))
    }

    fn sign_in_wait(&self, account: String, now_ms: i64) -> Fut<'_, Option<u64>> {
        let map = self.sign_ins.lock().unwrap_or_else(|p| p.into_inner());
        let wait = match map.get(&account.to_lowercase()) {
            Some((_, until)) if *until > now_ms => Some(((until - now_ms) as u64).div_ceil(1000).max(1)),
            _ => None,
        };
        Box::pin(std::future::ready(Ok(wait)))
    }

    fn sign_in_failed(&self, account: String, now_ms: i64) -> Fut<'_, ()> {
        let mut map = self.sign_ins.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > MAX_KEYS {
            map.retain(|_, (_, until)| *until > now_ms);
        }
        let entry = map.entry(account.to_lowercase()).or_insert((0, now_ms));
        entry.0 += 1;
        if let Some(until) = back_off_until(entry.0, now_ms) {
            entry.1 = until;
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn sign_in_succeeded(&self, account: String) -> Fut<'_, ()> {
        self.sign_ins.lock().unwrap_or_else(|p| p.into_inner()).remove(&account.to_lowercase());
        Box::pin(std::future::ready(Ok(())))
    }

    fn claim(&self, id: String, holder: String, _now_ms: i64, _until: i64) -> Fut<'_, bool> {
        // In one process a claim lives as long as its holder: no lease.
        let mut held = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        let free = !held.contains_key(&id);
        if free {
            held.insert(id, holder);
        }
        Box::pin(std::future::ready(Ok(free)))
    }

    fn renew(&self, _id: String, _holder: String, _until: i64) -> Fut<'_, ()> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn release(&self, id: String, holder: String) -> Fut<'_, ()> {
        let mut held = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        if held.get(&id) == Some(&holder) {
            held.remove(&id);
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn tidy(&self, now_ms: i64) -> Fut<'_, ()> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, w| now_ms - w.started < 2 * WINDOW_MS);
        self.sign_ins.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, (_, until)| *until > now_ms);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// How long a claim on an upload lasts unless renewed: what a replica that
/// died mid-PATCH costs the phone (it gets `423 Locked` and retries).
pub const LEASE_MS: i64 = 30_000;

/// How often a live PATCH renews its claim.
const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Claims on uploads: one writer at a time, whichever replica it is on.
#[derive(Clone)]
pub struct Claims {
    shared: Arc<dyn Coordination>,
    clock: Arc<dyn phananh_protocol::Clock>,
    /// This process, in holder names.
    me: String,
}

impl Claims {
    /// Claims kept in `shared`, timed by `clock`.
    pub fn new(shared: Arc<dyn Coordination>, clock: Arc<dyn phananh_protocol::Clock>) -> Claims {
        let me = uuid::Uuid::now_v7().simple().to_string();
        Claims { shared, clock, me }
    }

    /// Claim upload `id`; `None` while another request (here or on another
    /// replica) holds it. The claim is renewed while the [`Writer`] lives
    /// and released when it is dropped.
    pub async fn claim(&self, id: &str) -> Result<Option<Writer>, StorageError> {
        let holder = format!("{}-{}", self.me, uuid::Uuid::now_v7().simple());
        let now = self.clock.now_ms();
        if !self.shared.claim(id.to_owned(), holder.clone(), now, now + LEASE_MS).await? {
            return Ok(None);
        }
        let (shared, clock, uid, h) = (self.shared.clone(), self.clock.clone(), id.to_owned(), holder.clone());
        let renew = tokio::spawn(async move {
            loop {
                tokio::time::sleep(RENEW_EVERY).await;
                if let Err(e) = shared.renew(uid.clone(), h.clone(), clock.now_ms() + LEASE_MS).await {
                    tracing::warn!(error = %e, "could not renew an upload claim");
                }
            }
        });
        Ok(Some(Writer { shared: self.shared.clone(), id: id.to_owned(), holder, renew }))
    }
}

/// A claim on one upload, released when dropped.
pub struct Writer {
    shared: Arc<dyn Coordination>,
    id: String,
    holder: String,
    renew: tokio::task::JoinHandle<()>,
}

impl Writer {
    /// Keep the claim with `checked`'s value, or, when `checked` is a
    /// refusal, give the claim up before the refusal is answered (see
    /// [`Writer::release`]).
    pub async fn unless_refused<T, E>(self, checked: Result<T, E>) -> Result<(Writer, T), E> {
        match checked {
            Ok(value) => Ok((self, value)),
            Err(refused) => {
                self.release().await;
                Err(refused)
            }
        }
    }

    /// Give the claim up now, before the answer goes out: the phone's next
    /// PATCH, sent the moment it reads this one's answer, must find the
    /// upload free (on any replica), not `423 Locked`.
    pub async fn release(mut self) {
        self.renew.abort();
        let (id, holder) = (std::mem::take(&mut self.id), std::mem::take(&mut self.holder));
        if let Err(e) = self.shared.release(id, holder).await {
            tracing::warn!(error = %e, "could not release an upload claim");
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.renew.abort();
        if self.id.is_empty() {
            // Released already.
            return;
        }
        let (shared, id, holder) =
            (self.shared.clone(), std::mem::take(&mut self.id), std::mem::take(&mut self.holder));
        // Released off the dropping code's path; were it lost, the lease ends it.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = shared.release(id, holder).await {
                    tracing::warn!(error = %e, "could not release an upload claim");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn windows_slide_and_refuse_past_the_limit() {
        let t0 = 1_700_000_000_000;
        let mut w = Windows { started: t0, previous: 0, current: 0 };
        for _ in 0..5 {
            let (next, answer) = w.hit(t0, 5);
            assert!(answer.is_ok());
            w = next;
        }
        let (_, refused) = w.hit(t0 + 1_000, 5);
        assert_eq!(refused, Err(59));
        // Half a minute into the next window, half of the last one still counts.
        let (w2, answer) = w.hit(t0 + 90_000, 5);
        assert!(answer.is_ok(), "2.5 of 5");
        assert_eq!((w2.previous, w2.current), (5, 1));
        let (w3, _) = w.hit(t0 + 200_000, 5);
        assert_eq!((w3.previous, w3.current), (0, 1), "long quiet: fresh windows");
    }

    #[tokio::test]
    async fn local_sign_in_backs_off_per_account_and_clears_on_success() {
        let local = Local::default();
        let t0 = 1_700_000_000_000i64;
        for _ in 0..FREE_FAILURES - 1 {
            local.sign_in_failed("Lan".into(), t0).await.unwrap();
            assert_eq!(local.sign_in_wait("lan".into(), t0).await.unwrap(), None);
        }
        local.sign_in_failed("lan".into(), t0).await.unwrap();
        assert_eq!(local.sign_in_wait("LAN".into(), t0).await.unwrap(), Some(60));
        assert_eq!(local.sign_in_wait("minh".into(), t0).await.unwrap(), None, "other accounts are not affected");
        let later = t0 + 61_000;
        local.sign_in_failed("lan".into(), later).await.unwrap();
        assert_eq!(local.sign_in_wait("lan".into(), later).await.unwrap(), Some(120), "each failure doubles it");
        for _ in 0..20 {
            local.sign_in_failed("lan".into(), later).await.unwrap();
        }
        assert_eq!(local.sign_in_wait("lan".into(), later).await.unwrap(), Some(3840), "capped");
        local.sign_in_succeeded("lan".into()).await.unwrap();
        assert_eq!(local.sign_in_wait("lan".into(), later).await.unwrap(), None);
    }

    #[tokio::test]
    async fn one_writer_at_a_time_and_released_on_drop() {
        let claims = Claims::new(Arc::new(Local::default()), Arc::new(phananh_protocol::SystemClock));
        let first = claims.claim("u1").await.unwrap();
        assert!(first.is_some());
        assert!(claims.claim("u1").await.unwrap().is_none(), "a second writer waits");
        assert!(claims.claim("u2").await.unwrap().is_some(), "another upload is free");
        drop(first);
        // The release runs on the runtime: let it.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(claims.claim("u1").await.unwrap().is_some(), "released on drop");
    }
}

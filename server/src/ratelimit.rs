//! Per-key request limits (per device, per IP): a sliding pair of one-minute
//! windows, in memory. Enough for one process; several processes behind a
//! load balancer would move this to shared storage.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts requests per key.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl RateLimiter {
    /// Count one request for `key`; `Err(seconds to wait)` past `per_minute`.
    pub fn check(&self, key: &str, per_minute: u32) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (start, _, _)| now.duration_since(*start) < 2 * WINDOW);
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0, 0));
        let elapsed = now.duration_since(entry.0);
        if elapsed >= 2 * WINDOW {
            *entry = (now, 0, 0);
        } else if elapsed >= WINDOW {
            *entry = (entry.0 + WINDOW, entry.2, 0);
        }
        let into = now.duration_since(entry.0).as_secs_f64() / WINDOW.as_secs_f64();
        // The previous window's count, weighted by how much of it still overlaps.
        let estimate = f64::from(entry.1) * (1.0 - into) + f64::from(entry.2);
        if estimate >= f64::from(per_minute) {
            let wait = (WINDOW.as_secs_f64() * (1.0 - into)).ceil().max(1.0) as u64;
            return Err(wait);
        }
        entry.2 += 1;
        Ok(())
    }
}

/// Back-off per staff account: after [`FREE_FAILURES`] failed sign-ins in
/// a row, each further attempt must wait twice as long as the last (1 min,
/// 2, 4… up to an hour), whatever IP it comes from. A success clears it.
/// Guessing a password from many addresses is then as slow as from one.
#[derive(Default)]
pub struct SignInGuard {
    accounts: Mutex<HashMap<String, (u32, i64)>>,
}

/// Failed sign-ins allowed before the back-off starts.
pub const FREE_FAILURES: u32 = 5;

impl SignInGuard {
    /// `Err(seconds to wait)` while `account` is backing off at `now_ms`.
    pub fn check(&self, account: &str, now_ms: i64) -> Result<(), u64> {
        let map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(&account.to_lowercase()) {
            Some((_, until)) if *until > now_ms => Err(((until - now_ms) as u64).div_ceil(1000).max(1)),
            _ => Ok(()),
        }
    }

    /// Count a failed sign-in at `now_ms`.
    pub fn failed(&self, account: &str, now_ms: i64) {
        let mut map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, until)| *until > now_ms);
        }
        let entry = map.entry(account.to_lowercase()).or_insert((0, now_ms));
        entry.0 += 1;
        if entry.0 >= FREE_FAILURES {
            let doublings = (entry.0 - FREE_FAILURES).min(6);
            entry.1 = now_ms + (60_000i64 << doublings);
        }
    }

    /// A successful sign-in clears the account's record.
    pub fn succeeded(&self, account: &str) {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner()).remove(&account.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_backs_off_per_account_and_clears_on_success() {
        let guard = SignInGuard::default();
        let t0 = 1_700_000_000_000i64;
        for _ in 0..FREE_FAILURES - 1 {
            guard.failed("Lan", t0);
            assert!(guard.check("lan", t0).is_ok());
        }
        guard.failed("lan", t0);
        assert_eq!(guard.check("LAN", t0), Err(60));
        assert!(guard.check("minh", t0).is_ok(), "other accounts are not affected");
        let later = t0 + 61_000;
        assert!(guard.check("lan", later).is_ok());
        guard.failed("lan", later);
        assert_eq!(guard.check("lan", later), Err(120), "each further failure doubles the wait");
        for _ in 0..20 {
            guard.failed("lan", later);
        }
        assert_eq!(guard.check("lan", later), Err(3840), "capped");
        guard.succeeded("lan");
        assert!(guard.check("lan", later).is_ok());
    }

    #[test]
    fn limits_per_key() {
        let limiter = RateLimiter::default();
        for _ in 0..5 {
            assert!(limiter.check("a", 5).is_ok());
        }
        let wait = limiter.check("a", 5).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limiter.check("b", 5).is_ok(), "other keys are not affected");
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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

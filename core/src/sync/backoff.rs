//! When to try again: full-jitter exponential backoff, and `Retry-After`
//! read defensively (a junk value must never make the phone hammer the
//! server or sleep for a year).

use std::time::{Duration, SystemTime};

/// Full-jitter exponential backoff: attempt `n` waits a uniformly random
/// time in `[0, min(cap, base · 2ⁿ)]`, which spreads a village's phones
/// apart when the server comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first attempt's ceiling.
    pub base: Duration,
    /// No wait is longer than this.
    pub cap: Duration,
    /// The longest `Retry-After` honoured; longer values are clamped.
    pub max_retry_after: Duration,
    /// After a link error (no answer at all), the first probe's wait: short,
    /// so sending resumes within about a second of the signal's return.
    pub probe_base: Duration,
    /// Probes slow down by a tenth each time, up to this (a link that stays
    /// down costs one small request this often, never a tight loop).
    pub probe_cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(600),
            max_retry_after: Duration::from_secs(3600),
            probe_base: Duration::from_millis(500),
            probe_cap: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The ceiling for failed attempt number `attempt` (1 for the first failure).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.saturating_sub(1).min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// How long to wait after failed attempt `attempt`, given a uniform
    /// random number, honouring the server's `Retry-After` if it sent one:
    /// never less than it asked (up to [`Backoff::max_retry_after`]).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>, random: u64) -> Duration {
        let ceiling = self.ceiling(attempt).as_millis().max(1) as u64;
        let jitter = Duration::from_millis(random % (ceiling + 1));
        match retry_after {
            Some(asked) => asked.min(self.max_retry_after).max(jitter),
            None => jitter,
        }
    }
}

impl Backoff {
    /// How long to wait after link failure number `attempt`: `probe_base`
    /// for the first `PROBES_FLAT` (twenty: a blackout of a cell change or a
    /// bend in the road, up to ten seconds, is found over within a
    /// quarter second of its end on average), then growing by a tenth per
    /// failure up to `probe_cap`: after a minute of outage the probes are
    /// 2 s apart, after six minutes at the cap (the shells' connectivity
    /// callback wakes the sync at once when the system sees the network
    /// return). A fifth of jitter keeps a hamlet's phones out of step.
    pub fn probe(&self, attempt: u32, random: u64) -> Duration {
        let grows = attempt.saturating_sub(PROBES_FLAT).min(200);
        let grown = self.probe_base.as_secs_f64() * 1.1f64.powi(grows as i32);
        let wait = Duration::from_secs_f64(grown.min(self.probe_cap.as_secs_f64()));
        let spread = (wait.as_millis() as u64 / 5).max(1);
        wait.saturating_sub(Duration::from_millis(spread / 2)) + Duration::from_millis(random % spread)
    }
}

/// When a dead link is probed next: one schedule per sync engine, not per
/// report. Every report cut by the same outage is due at the same moment,
/// so one pass takes them all when the signal returns (per-report jitter
/// would let one report go alone while the others wait a whole pass); and
/// the wait grows only while nothing answers: a link that answered
/// anything since the last probe is a new outage, probed from the start.
#[derive(Debug, Default)]
pub(crate) struct Probe {
    /// Probes in a row with no answer in between.
    streak: u32,
    /// The probe time set by this outage's latest round (ms).
    at_ms: i64,
    /// The engine's answer count when the streak last grew.
    answers: u64,
}

impl Probe {
    /// The time (ms, on the store's clock) a report that failed on the
    /// link at `now` is tried again; `answers` is the engine's count of
    /// answers received so far.
    pub(crate) fn next(&mut self, now: i64, answers: u64, backoff: &Backoff, random: u64) -> i64 {
        if answers != self.answers {
            // Something answered since: the link was back in between.
            self.answers = answers;
            self.streak = 0;
            self.at_ms = 0;
        }
        if self.at_ms > now {
            // Another report of this round already set the time.
            return self.at_ms;
        }
        self.streak = self.streak.saturating_add(1);
        self.at_ms = now + backoff.probe(self.streak, random).as_millis() as i64;
        self.at_ms
    }
}

/// Probes at `probe_base` before they start to slow down: ten seconds'
/// worth at the default half second.
pub const PROBES_FLAT: u32 = 20;

/// Read a `Retry-After` value: delay-seconds or an HTTP-date. Anything else
/// (negative, fractional, `inf`, empty) is `None`, and the caller falls back
/// to its own backoff. Huge values are returned as they are; the caller
/// clamps them.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More than u64 seconds is still "a very long time".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A uniform random number for jitter (not for secrets).
pub(crate) fn random_u64() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        // No OS randomness: the clock's nanoseconds are random enough to
        // spread retries.
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| u64::from(d.subsec_nanos())).unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.ceiling(1), Duration::from_secs(1));
        assert_eq!(b.ceiling(2), Duration::from_secs(2));
        assert_eq!(b.ceiling(5), Duration::from_secs(16));
        assert_eq!(b.ceiling(10), Duration::from_secs(512));
        assert_eq!(b.ceiling(11), Duration::from_secs(600));
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(600));
    }

    #[test]
    fn jitter_stays_under_the_ceiling_and_spreads() {
        let b = Backoff::default();
        let delays: Vec<Duration> = (0..1000).map(|_| b.delay(4, None, random_u64())).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(8)));
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 500, "full jitter spreads retries: {} distinct", distinct.len());
        assert_eq!(b.delay(4, None, 0), Duration::ZERO);
        assert_eq!(b.delay(4, None, 8000), Duration::from_secs(8));
    }

    #[test]
    fn retry_after_is_a_floor_and_clamped() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, Some(Duration::from_secs(2)), 0), Duration::from_secs(2));
        assert_eq!(b.delay(1, Some(Duration::from_secs(u64::MAX)), 0), Duration::from_secs(3600));
        // Retry-After: 0 still backs off as attempts grow: no tight loop.
        assert_eq!(b.delay(6, Some(Duration::ZERO), 31_000), Duration::from_secs(31));
    }

    #[test]
    fn a_dead_link_is_probed_soon_then_less_often_never_in_a_tight_loop() {
        let b = Backoff::default();
        let first = b.probe(1, 0);
        assert!(first >= Duration::from_millis(450) && first <= Duration::from_millis(550), "{first:?}");
        // The sum of the first minute's probes: dozens, not thousands.
        let mut t = Duration::ZERO;
        let mut n = 0;
        while t < Duration::from_secs(60) {
            n += 1;
            t += b.probe(n, random_u64());
        }
        // Twenty in the first ten seconds, then slowing: dozens in the
        // first minute, not thousands.
        assert!((40..=50).contains(&n), "{n} probes in the first minute");
        for attempt in [70, 100, u32::MAX] {
            let d = b.probe(attempt, random_u64());
            assert!(d >= Duration::from_secs(27) && d <= Duration::from_secs(33), "attempt {attempt}: {d:?}");
        }
        // A server's refusal keeps the full backoff.
        assert_eq!(b.delay(10, None, 512_000), Duration::from_secs(512));
    }

    #[test]
    fn one_probe_time_per_outage_growing_only_while_nothing_answers() {
        let b = Backoff::default();
        let mut p = Probe::default();
        // Two reports cut by the same blackout: the same time, however
        // their jitter would have fallen.
        let first = p.next(1_000, 7, &b, 0);
        assert_eq!(p.next(1_010, 7, &b, 99_999), first);
        assert!((1_450..=1_550).contains(&first), "{first}");
        // The link stays down: each round waits a little longer...
        let mut at = first;
        let mut waits = Vec::new();
        for _ in 0..40 {
            let next = p.next(at, 7, &b, 0);
            waits.push(next - at);
            at = next;
        }
        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
        assert!(waits[39] > 5 * waits[0], "{waits:?}");
        // ...and never a tight loop: the first minute of an outage costs
        // dozens of probes.
        let mut p = Probe::default();
        let (mut t, mut n) = (0, 0);
        while t < 60_000 {
            t = p.next(t, 0, &b, random_u64());
            n += 1;
        }
        assert!((40..=50).contains(&n), "{n} probes in a minute");
        // Anything answered since: a new outage starts short again.
        let again = p.next(t, 1, &b, 0);
        assert!((t + 450..=t + 550).contains(&again), "{}", again - t);
    }

    #[test]
    fn retry_after_both_forms_and_junk() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("99999999999999999999999", now), Some(Duration::from_secs(u64::MAX)));
        for junk in ["-1", "inf", "1.5", "", "soon", "NaN", "0x10", "+3"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
    }
}

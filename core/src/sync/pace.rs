//! Chunk sizes fitted to the link: each tus `PATCH` that a dropped
//! connection would lose whole (it carries a checksum) should take about
//! [`Pace::target`] on the link as measured, so a drop loses at most that
//! much sending, and a good link is not slowed by tiny chunks. A chunk the
//! server keeps in part when cut is as large as allowed.

use std::time::Duration;

/// The measured link and the chunk size it suggests. One per sync engine
/// (shared by its uploads: the second photo starts at the right size).
#[derive(Debug, Clone)]
pub struct Pace {
    /// Bytes per second, smoothed over recent chunks; `None` before any.
    rate: Option<f64>,
    /// The first chunk's size, before anything is measured.
    pub start: usize,
    /// Never smaller (request overhead would dominate).
    pub min: usize,
    /// Never larger (a reset would lose too much; memory per request).
    pub max: usize,
    /// How long one chunk should take.
    pub target: Duration,
}

impl Pace {
    /// A pace starting at `start` bytes, kept within `[min, max]`.
    pub fn new(start: usize, min: usize, max: usize, target: Duration) -> Pace {
        let min = min.max(1);
        let max = max.max(min);
        Pace { rate: None, start: start.clamp(min, max), min, max, target }
    }

    /// Always `size` bytes (tests that count requests; a fixed-size peer).
    pub fn fixed(size: usize) -> Pace {
        Pace::new(size, size, size, Duration::from_secs(1))
    }

    /// The next chunk's size, when a chunk cut off by a dropped link is
    /// lost whole (it carries a checksum): about [`Pace::target`] of sending.
    pub fn next_chunk(&self) -> usize {
        self.sized(self.target)
    }

    /// The next chunk's size when the server keeps what arrived of a cut
    /// chunk (no checksum): a drop then loses only the bytes in flight,
    /// whatever the chunk's size, while each chunk's answer is a round trip
    /// its upload waits for — so the largest, [`Pace::max`] (a whole phone
    /// photo: one request, one answer). Measured on the rural benchmark:
    /// chunks of 6 s of the measured rate left it 1.41× its ideal, 12 s
    /// 1.12×, whole photos 1.10× (the last photos of a batch, alone on the
    /// air, idle the radio a round trip for each extra chunk).
    pub fn next_kept_chunk(&self) -> usize {
        self.max
    }

    fn sized(&self, time: Duration) -> usize {
        match self.rate {
            None => self.start,
            Some(rate) => ((rate * time.as_secs_f64()) as usize).clamp(self.min, self.max),
        }
    }

    /// A chunk of `bytes` went through in `took` (request to answer).
    pub fn sent(&mut self, bytes: u64, took: Duration) {
        if bytes == 0 {
            return;
        }
        // A chunk answered faster than a millisecond says only "fast".
        let now = bytes as f64 / took.as_secs_f64().max(0.001);
        self.rate = Some(match self.rate {
            None => now,
            // Half the old, half the new: follows a link that changes within
            // a few chunks without jumping at one odd measurement.
            Some(old) => 0.5 * old + 0.5 * now,
        });
    }

    /// The link dropped during a chunk: assume it is worse than measured.
    pub fn failed(&mut self) {
        let floor = self.min as f64 / self.target.as_secs_f64().max(0.001);
        self.rate = Some(match self.rate {
            Some(r) => (r / 2.0).max(floor),
            None => self.start as f64 / 2.0 / self.target.as_secs_f64().max(0.001),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: usize = 1024;

    fn phone() -> Pace {
        Pace::new(64 * KIB, 32 * KIB, 1024 * KIB, Duration::from_millis(1500))
    }

    #[test]
    fn chunks_take_about_a_second_and_a_half_on_the_measured_link() {
        let mut p = phone();
        assert_eq!(p.next_chunk(), 64 * KIB);
        // 1 Mbit/s: 125 000 bytes a second.
        p.sent(125_000, Duration::from_secs(1));
        assert_eq!(p.next_chunk(), 187_500);
        // Steady: stays there.
        p.sent(187_500, Duration::from_millis(1500));
        assert_eq!(p.next_chunk(), 187_500);
    }

    #[test]
    fn bounded_on_both_sides() {
        let mut p = phone();
        p.sent(10_000_000, Duration::from_millis(10));
        assert_eq!(p.next_chunk(), 1024 * KIB, "a fast link is capped");
        let mut slow = phone();
        slow.sent(1_000, Duration::from_secs(1));
        assert_eq!(slow.next_chunk(), 32 * KIB, "a crawling link still sends a useful chunk");
        slow.sent(0, Duration::ZERO);
        assert_eq!(slow.next_chunk(), 32 * KIB);
    }

    #[test]
    fn a_drop_halves_the_next_chunk_and_recovery_follows_the_link() {
        let mut p = phone();
        p.sent(400_000, Duration::from_secs(1));
        assert_eq!(p.next_chunk(), 600_000);
        p.failed();
        assert_eq!(p.next_chunk(), 300_000);
        for _ in 0..5 {
            p.failed();
        }
        assert_eq!(p.next_chunk(), 32 * KIB, "never below the floor");
        // Never measured and dropped: half the start.
        let mut fresh = phone();
        fresh.failed();
        assert_eq!(fresh.next_chunk(), 32 * KIB);
    }

    #[test]
    fn chunks_the_server_keeps_in_part_are_the_largest() {
        let mut p = phone();
        assert_eq!(p.next_kept_chunk(), 1024 * KIB, "before any measure");
        p.sent(50_000, Duration::from_secs(1));
        assert_eq!(p.next_chunk(), 75_000);
        assert_eq!(p.next_kept_chunk(), 1024 * KIB, "a slow link: a cut loses only what is in flight");
        p.failed();
        assert_eq!(p.next_kept_chunk(), 1024 * KIB);
    }

    #[test]
    fn fixed_never_moves() {
        let mut p = Pace::fixed(256 * KIB);
        p.sent(10_000_000, Duration::from_millis(1));
        p.failed();
        assert_eq!(p.next_chunk(), 256 * KIB);
    }
}

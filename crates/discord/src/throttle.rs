//! Rate limits with bounded memory: a token bucket per key (per user), and a
//! cooldown per key (per channel).
//!
//! Pure: time is passed in, so tests run without sleeping and front ends can use
//! whatever clock they have.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// At most this many keys are remembered. Past it, keys whose bucket has
/// refilled are forgotten first (forgetting them changes nothing), then the
/// least recently seen. 10,000 active askers within one window is far beyond a
/// community server, and the map stays under a megabyte.
pub const MAX_TRACKED_KEYS: usize = 10_000;

/// How many questions a key may ask in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Questions allowed in a burst; 0 turns the limit off.
    pub questions: u32,
    /// The time in which a full burst is earned back.
    pub window: Duration,
}

impl Rate {
    /// Whether the limit lets everything through (no questions or no window).
    pub fn is_off(&self) -> bool {
        self.questions == 0 || self.window.is_zero()
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The outcome of asking the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the limit; one question was taken from the bucket.
    Allowed,
    /// Over the limit; one question is allowed again after this long.
    Limited {
        /// How long until the bucket holds a question again.
        retry_after: Duration,
    },
}

/// A token bucket per key: `rate.questions` at once, refilled evenly over `rate.window`.
#[derive(Debug)]
pub struct RateLimiter<K> {
    rate: Rate,
    capacity: usize,
    buckets: HashMap<K, Bucket>,
}

impl<K: Hash + Eq + Copy> RateLimiter<K> {
    /// A limiter remembering at most [`MAX_TRACKED_KEYS`] keys.
    pub fn new(rate: Rate) -> Self {
        Self::with_capacity(rate, MAX_TRACKED_KEYS)
    }

    /// A limiter remembering at most `capacity` keys (at least 1).
    pub fn with_capacity(rate: Rate, capacity: usize) -> Self {
        RateLimiter { rate, capacity: capacity.max(1), buckets: HashMap::new() }
    }

    /// Takes one question from `key`'s bucket at time `now`, if it has one.
    pub fn check(&mut self, key: K, now: Instant) -> Verdict {
        if self.rate.is_off() {
            return Verdict::Allowed;
        }
        let full = f64::from(self.rate.questions);
        let per_second = full / self.rate.window.as_secs_f64();
        if !self.buckets.contains_key(&key) && self.buckets.len() >= self.capacity {
            self.evict(now);
        }
        let bucket = self.buckets.entry(key).or_insert(Bucket { tokens: full, last: now });
        let earned = now.saturating_duration_since(bucket.last).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + earned).min(full);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Verdict::Allowed
        } else {
            let missing = 1.0 - bucket.tokens;
            Verdict::Limited { retry_after: Duration::from_secs_f64(missing / per_second) }
        }
    }

    /// Keys remembered now (never more than the capacity).
    pub fn tracked(&self) -> usize {
        self.buckets.len()
    }

    fn evict(&mut self, now: Instant) {
        let full = f64::from(self.rate.questions);
        let per_second = full / self.rate.window.as_secs_f64();
        // A bucket that has refilled is the same as a key never seen.
        self.buckets.retain(|_, b| {
            b.tokens + now.saturating_duration_since(b.last).as_secs_f64() * per_second < full
        });
        while self.buckets.len() >= self.capacity {
            let oldest = self.buckets.iter().min_by_key(|(_, b)| b.last).map(|(k, _)| *k);
            match oldest {
                Some(k) => self.buckets.remove(&k),
                None => break,
            };
        }
    }
}

/// After a key fires, it may not fire again for `period` (per-channel auto-answers).
#[derive(Debug)]
pub struct Cooldown<K> {
    period: Duration,
    capacity: usize,
    last: HashMap<K, Instant>,
}

impl<K: Hash + Eq + Copy> Cooldown<K> {
    /// A cooldown of `period`, remembering at most [`MAX_TRACKED_KEYS`] keys.
    pub fn new(period: Duration) -> Self {
        Cooldown { period, capacity: MAX_TRACKED_KEYS, last: HashMap::new() }
    }

    /// Whether `key` is free at `now` (nothing is recorded).
    pub fn is_ready(&self, key: K, now: Instant) -> bool {
        self.last.get(&key).is_none_or(|t| now.saturating_duration_since(*t) >= self.period)
    }

    /// Records that `key` fired at `now`.
    pub fn fire(&mut self, key: K, now: Instant) {
        if !self.last.contains_key(&key) && self.last.len() >= self.capacity {
            let period = self.period;
            self.last.retain(|_, t| now.saturating_duration_since(*t) < period);
        }
        if self.last.len() < self.capacity || self.last.contains_key(&key) {
            self.last.insert(key, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_burst_is_allowed_then_limited_then_earned_back() {
        let mut limiter = RateLimiter::new(Rate { questions: 3, window: MINUTE });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(1u64, t0), Verdict::Allowed);
        }
        let Verdict::Limited { retry_after } = limiter.check(1, t0) else { panic!("4th is limited") };
        assert_eq!(retry_after.as_secs(), 20, "one question every 20 s");
        assert_eq!(limiter.check(2, t0), Verdict::Allowed, "other users are not affected");
        assert_eq!(limiter.check(1, t0 + Duration::from_secs(21)), Verdict::Allowed);
        assert!(matches!(limiter.check(1, t0 + Duration::from_secs(22)), Verdict::Limited { .. }));
    }

    #[test]
    fn zero_questions_turns_the_limit_off() {
        let mut limiter = RateLimiter::new(Rate { questions: 0, window: MINUTE });
        let t0 = Instant::now();
        assert!((0..1000).all(|_| limiter.check(1u64, t0) == Verdict::Allowed));
        assert_eq!(limiter.tracked(), 0);
    }

    #[test]
    fn memory_stays_bounded_and_idle_users_go_first() {
        let mut limiter = RateLimiter::with_capacity(Rate { questions: 2, window: MINUTE }, 100);
        let t0 = Instant::now();
        // User 0 is over the limit and recent; 10,000 others ask once each, later.
        limiter.check(0u64, t0);
        limiter.check(0, t0);
        for user in 1..10_000u64 {
            limiter.check(user, t0 + Duration::from_millis(user));
            assert!(limiter.tracked() <= 100);
        }
        // Long after, everyone has refilled: a sweep empties the map but for the newcomer.
        let later = t0 + Duration::from_secs(3600);
        for user in 20_000..20_100u64 {
            limiter.check(user, later);
        }
        assert!(limiter.tracked() <= 100);
        assert_eq!(limiter.check(0, later), Verdict::Allowed);
    }

    #[test]
    fn cooldown_per_key() {
        let mut cooldown = Cooldown::new(MINUTE);
        let t0 = Instant::now();
        assert!(cooldown.is_ready(7u64, t0));
        cooldown.fire(7, t0);
        assert!(!cooldown.is_ready(7, t0 + Duration::from_secs(59)));
        assert!(cooldown.is_ready(8, t0), "another channel is free");
        assert!(cooldown.is_ready(7, t0 + MINUTE));
    }
}

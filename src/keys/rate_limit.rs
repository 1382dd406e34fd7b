//! Per-key request limits: N requests in a minute that starts with the key's first
//! request, then 429 until the minute is over. In memory, so per instance; holding the
//! limit across instances is later work. Only requests that passed the key, IP and
//! signature checks reach it, so refused credentials use nobody's quota.

use std::collections::HashMap;
use std::sync::Mutex;

const WINDOW_MS: i64 = 60_000;

/// What the `RateLimit-*` headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends (at least 1).
    pub reset_secs: i64,
    pub allowed: bool,
}

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    /// Counts one request of `key_id` at `now_ms` against `limit` per minute.
    pub fn take(&self, key_id: &str, limit: u32, now_ms: i64) -> Quota {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = windows.entry(key_id.to_owned()).or_insert((now_ms, 0));
        if now_ms - window.0 >= WINDOW_MS {
            *window = (now_ms, 0);
        }
        let allowed = window.1 < limit;
        if allowed {
            window.1 += 1;
        }
        let reset_ms = window.0 + WINDOW_MS - now_ms;
        Quota {
            limit,
            remaining: limit - window.1.min(limit),
            reset_secs: ((reset_ms + 999) / 1000).max(1),
            allowed,
        }
    }

    /// Forgets windows that have ended, so the map only holds keys used this minute.
    pub fn sweep(&self, now_ms: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.retain(|_, (start, _)| now_ms - *start < WINDOW_MS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_requests_then_refusals_until_the_minute_ends() {
        let r = RateLimiter::default();
        let t = 1_000_000;
        for i in 0..3 {
            let q = r.take("k", 3, t + i);
            assert!(q.allowed);
            assert_eq!(q.remaining, 2 - i as u32);
        }
        let q = r.take("k", 3, t + 10);
        assert!(!q.allowed);
        assert_eq!((q.remaining, q.reset_secs), (0, 60));
        assert!(
            r.take("other", 3, t + 10).allowed,
            "keys do not share quota"
        );
        assert!(!r.take("k", 3, t + 59_999).allowed);
        assert!(r.take("k", 3, t + 60_000).allowed);
    }
}

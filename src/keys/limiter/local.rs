//! Counts in this process's memory: each key's window starts with its first request.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use super::{DEFAULT_WINDOW_MS, Quota, QuotaFuture, RateLimiter};
use crate::clock;
use crate::maps::FastMap;

/// Counts in this process's memory.
pub struct LocalLimiter {
    windows: Mutex<FastMap<String, (i64, u32)>>,
    window_ms: i64,
}

impl Default for LocalLimiter {
    fn default() -> Self {
        Self::new(DEFAULT_WINDOW_MS)
    }
}

impl LocalLimiter {
    /// Windows of `window_ms` (at least 1).
    pub fn new(window_ms: i64) -> Self {
        Self {
            windows: Mutex::default(),
            window_ms: window_ms.max(1),
        }
    }

    /// Counts one request of `key_id` at `now_ms` against `limit` per window.
    pub fn take_at(&self, key_id: &str, limit: u32, now_ms: i64) -> Quota {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = match windows.get_mut(key_id) {
            Some(w) => w,
            None => windows.entry(key_id.to_owned()).or_insert((now_ms, 0)),
        };
        if now_ms - window.0 >= self.window_ms {
            *window = (now_ms, 0);
        }
        let allowed = window.1 < limit;
        if allowed {
            window.1 += 1;
        }
        let reset_ms = window.0 + self.window_ms - now_ms;
        Quota::new(limit, limit - window.1.min(limit), reset_ms, allowed)
    }

    pub(super) fn sweep_at(&self, now_ms: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.retain(|_, (start, _)| now_ms - *start < self.window_ms);
    }
}

impl RateLimiter for LocalLimiter {
    fn take_now(&self, key_id: &str, limit: u32, now_ms: i64) -> Option<Quota> {
        Some(self.take_at(key_id, limit, now_ms))
    }

    fn take<'a>(&'a self, key_id: &'a str, limit: u32) -> QuotaFuture<'a> {
        let quota = self.take_at(key_id, limit, clock::now_ms());
        Box::pin(std::future::ready(quota))
    }

    fn window_ms(&self) -> i64 {
        self.window_ms
    }

    fn backend(&self) -> &'static str {
        "local"
    }

    fn readiness(&self) -> Pin<Box<dyn Future<Output = &'static str> + Send + '_>> {
        Box::pin(std::future::ready("off"))
    }

    fn sweep(&self) {
        self.sweep_at(clock::now_ms());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_requests_then_refusals_until_the_window_ends() {
        let r = LocalLimiter::default();
        let t = 1_000_000;
        for i in 0..3 {
            let q = r.take_at("k", 3, t + i);
            assert!(q.allowed);
            assert_eq!(q.remaining, 2 - i as u32);
        }
        let q = r.take_at("k", 3, t + 10);
        assert!(!q.allowed);
        assert_eq!((q.remaining, q.reset_secs), (0, 60));
        assert!(
            r.take_at("other", 3, t + 10).allowed,
            "keys do not share quota"
        );
        assert!(!r.take_at("k", 3, t + 59_999).allowed);
        assert!(r.take_at("k", 3, t + 60_000).allowed);
    }

    #[test]
    fn the_window_length_is_a_setting() {
        let r = LocalLimiter::new(2_000);
        assert!(r.take_at("k", 1, 0).allowed);
        let q = r.take_at("k", 1, 10);
        assert_eq!((q.allowed, q.reset_secs), (false, 2));
        assert!(r.take_at("k", 1, 2_000).allowed);
    }
}

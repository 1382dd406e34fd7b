//! Per-key request limits: N requests in a window (a minute, `PAYDESK_RATE_LIMIT_WINDOW_MS`)
//! that starts with the key's first request, then 429 until the window is over (SPEC §5,
//! §8, §15). Only requests that passed the key, IP and signature checks reach it, so
//! refused credentials use nobody's quota.
//!
//! Two limiters behind one trait, so the gate does not care which it has:
//! - [`LocalLimiter`] (`local.rs`): in memory, per instance.
//! - [`RedisLimiter`] (`redis.rs`): the window's count lives in Redis
//!   (`PAYDESK_REDIS_URL`), so N instances admit a key's limit in total. An instance takes
//!   a few of the window's tokens at a time (a lease, `lease.rs`) and spends them in
//!   memory, so most requests make no round trip. If Redis does not answer within 25 ms,
//!   or fails, the instance counts locally instead (a warning once per outage, never a
//!   5xx) and tries Redis again a second later.

use std::future::Future;
use std::pin::Pin;

mod lease;
mod local;
mod redis;

pub use local::LocalLimiter;
pub use redis::RedisLimiter;

/// The window's length unless `PAYDESK_RATE_LIMIT_WINDOW_MS` says otherwise.
pub const DEFAULT_WINDOW_MS: i64 = 60_000;

/// What the `RateLimit-*` headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends (at least 1).
    pub reset_secs: i64,
    pub allowed: bool,
}

impl Quota {
    fn new(limit: u32, remaining: u32, reset_ms: i64, allowed: bool) -> Self {
        Quota {
            limit,
            remaining: remaining.min(limit),
            reset_secs: ((reset_ms + 999) / 1000).max(1),
            allowed,
        }
    }
}

pub type QuotaFuture<'a> = Pin<Box<dyn Future<Output = Quota> + Send + 'a>>;

/// The window in words, for messages: `minute`, `2 minutes`, `second`, `30 seconds`, `1500 ms`.
pub fn describe_window(window_ms: i64) -> String {
    let unit = |n: i64, one: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            format!("{n} {one}s")
        }
    };
    match window_ms {
        ms if ms > 0 && ms % 60_000 == 0 => unit(ms / 60_000, "minute"),
        ms if ms > 0 && ms % 1_000 == 0 => unit(ms / 1_000, "second"),
        ms => format!("{ms} ms"),
    }
}

/// Counts one request of a key against its per-window limit.
pub trait RateLimiter: Send + Sync {
    /// Counts the request at `now_ms` when that needs no waiting (no I/O): always in
    /// memory, and with Redis while the key's lease holds tokens, or it is known refused.
    /// None: ask [`take`](Self::take). The gate tries this first, so most requests make
    /// no future and no allocation for their limit (SPEC §15).
    fn take_now(&self, key_id: &str, limit: u32, now_ms: i64) -> Option<Quota>;
    fn take<'a>(&'a self, key_id: &'a str, limit: u32) -> QuotaFuture<'a>;
    /// The window's length in ms (`PAYDESK_RATE_LIMIT_WINDOW_MS`).
    fn window_ms(&self) -> i64;
    /// `local` or `redis`: where the counts live now (for metrics).
    fn backend(&self) -> &'static str;
    /// What `/readyz` says about Redis: `off`, `ok` or `unreachable`.
    fn readiness(&self) -> Pin<Box<dyn Future<Output = &'static str> + Send + '_>>;
    /// Forgets windows that have ended.
    fn sweep(&self);
}

#[cfg(test)]
mod tests {
    use super::describe_window;

    #[test]
    fn the_window_is_said_in_its_own_unit() {
        assert_eq!(describe_window(60_000), "minute");
        assert_eq!(describe_window(120_000), "2 minutes");
        assert_eq!(describe_window(1_000), "second");
        assert_eq!(describe_window(2_000), "2 seconds");
        assert_eq!(describe_window(90_000), "90 seconds");
        assert_eq!(describe_window(1_500), "1500 ms");
    }
}

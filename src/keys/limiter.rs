//! Per-key request limits: N requests in a minute that starts with the key's first
//! request, then 429 until the minute is over (SPEC §5, §8). Only requests that passed
//! the key, IP and signature checks reach it, so refused credentials use nobody's quota.
//!
//! Two limiters behind one trait, so the gate does not care which it has:
//! - [`LocalLimiter`]: in memory, per instance.
//! - [`RedisLimiter`]: the count lives in Redis (`PAYDESK_REDIS_URL`), so N instances
//!   admit a key's limit in total. One round trip per request: a Lua script that counts
//!   and sets the window's expiry only when the window starts (never an expiry that moves
//!   with each request). If Redis does not answer within 25 ms, or fails, the instance
//!   counts locally instead (a warning once per outage, never a 5xx) and tries Redis
//!   again a second later.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use crate::clock;

const WINDOW_MS: i64 = 60_000;
/// Longer than this, and Redis counts as unreachable for the request.
const REDIS_TIMEOUT: Duration = Duration::from_millis(25);
/// After a failure, how long requests count locally before Redis is tried again.
const RETRY_AFTER_MS: i64 = 1_000;

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
    fn from_count(limit: u32, count: u64, reset_ms: i64) -> Self {
        let used = u32::try_from(count).unwrap_or(u32::MAX);
        Quota {
            limit,
            remaining: limit.saturating_sub(used),
            reset_secs: ((reset_ms + 999) / 1000).max(1),
            allowed: count <= u64::from(limit),
        }
    }
}

pub type QuotaFuture<'a> = Pin<Box<dyn Future<Output = Quota> + Send + 'a>>;

/// Counts one request of a key against its per-minute limit.
pub trait RateLimiter: Send + Sync {
    fn take<'a>(&'a self, key_id: &'a str, limit: u32) -> QuotaFuture<'a>;
    /// `local` or `redis`: where the counts live now (for metrics).
    fn backend(&self) -> &'static str;
    /// What `/readyz` says about Redis: `off`, `ok` or `unreachable`.
    fn readiness(&self) -> Pin<Box<dyn Future<Output = &'static str> + Send + '_>>;
    /// Forgets windows that have ended.
    fn sweep(&self);
}

/// Counts in this process's memory.
#[derive(Default)]
pub struct LocalLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl LocalLimiter {
    /// Counts one request of `key_id` at `now_ms` against `limit` per minute.
    pub fn take_at(&self, key_id: &str, limit: u32, now_ms: i64) -> Quota {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = match windows.get_mut(key_id) {
            Some(w) => w,
            None => windows.entry(key_id.to_owned()).or_insert((now_ms, 0)),
        };
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

    fn sweep_at(&self, now_ms: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.retain(|_, (start, _)| now_ms - *start < WINDOW_MS);
    }
}

impl RateLimiter for LocalLimiter {
    fn take<'a>(&'a self, key_id: &'a str, limit: u32) -> QuotaFuture<'a> {
        let quota = self.take_at(key_id, limit, clock::now_ms());
        Box::pin(std::future::ready(quota))
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

/// Counts each key's window in one INCR; sets the expiry only when the window starts.
const SCRIPT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
";

/// Counts in Redis, shared by every instance; falls back to a [`LocalLimiter`].
pub struct RedisLimiter {
    client: redis::Client,
    script: redis::Script,
    conn: RwLock<Option<redis::aio::MultiplexedConnection>>,
    connecting: AtomicBool,
    /// Until when (Unix ms) Redis is not tried after a failure.
    resting_until: AtomicI64,
    in_outage: AtomicBool,
    fallback: LocalLimiter,
    /// Requests counted locally because Redis could not be reached.
    pub fallbacks: AtomicU64,
}

impl RedisLimiter {
    /// Checks the URL only; the connection is made on first use (Redis may start later).
    pub fn new(url: &str) -> Result<Self, String> {
        let client = redis::Client::open(url)
            .map_err(|e| format!("PAYDESK_REDIS_URL is not a Redis URL: {e}"))?;
        Ok(Self {
            client,
            script: redis::Script::new(SCRIPT),
            conn: RwLock::new(None),
            connecting: AtomicBool::new(false),
            resting_until: AtomicI64::new(0),
            in_outage: AtomicBool::new(false),
            fallback: LocalLimiter::default(),
            fallbacks: AtomicU64::new(0),
        })
    }

    fn connection(&self) -> Option<redis::aio::MultiplexedConnection> {
        self.conn.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A connection, made now if there is none (by one request at a time: the others
    /// get `Ok(None)` and count locally meanwhile, which is not an outage).
    async fn connect(&self) -> Result<Option<redis::aio::MultiplexedConnection>, String> {
        if let Some(c) = self.connection() {
            return Ok(Some(c));
        }
        if self.connecting.swap(true, Ordering::AcqRel) {
            return Ok(None);
        }
        let made = tokio::time::timeout(
            Duration::from_millis(250),
            self.client.get_multiplexed_async_connection(),
        )
        .await;
        self.connecting.store(false, Ordering::Release);
        match made {
            Ok(Ok(c)) => {
                *self.conn.write().unwrap_or_else(|p| p.into_inner()) = Some(c.clone());
                Ok(Some(c))
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("no answer within 250 ms".into()),
        }
    }

    /// The key's count and the window's remaining ms; None while another request is
    /// connecting.
    async fn count(&self, key_id: &str) -> Result<Option<(u64, i64)>, String> {
        let Some(mut conn) = self.connect().await? else {
            return Ok(None);
        };
        let mut invocation = self.script.key(format!("paydesk:ratelimit:{key_id}"));
        invocation.arg(WINDOW_MS);
        let call = invocation.invoke_async::<(u64, i64)>(&mut conn);
        match tokio::time::timeout(REDIS_TIMEOUT, call).await {
            Ok(Ok(counted)) => Ok(Some(counted)),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} ms", REDIS_TIMEOUT.as_millis())),
        }
    }

    fn failed(&self, why: &str) {
        *self.conn.write().unwrap_or_else(|p| p.into_inner()) = None;
        self.resting_until
            .store(clock::now_ms() + RETRY_AFTER_MS, Ordering::Release);
        if !self.in_outage.swap(true, Ordering::AcqRel) {
            tracing::warn!(reason = %why, "Redis is unreachable: rate limits are counted per instance until it is back");
        }
    }
}

impl RateLimiter for RedisLimiter {
    fn take<'a>(&'a self, key_id: &'a str, limit: u32) -> QuotaFuture<'a> {
        Box::pin(async move {
            let now = clock::now_ms();
            if now >= self.resting_until.load(Ordering::Acquire) {
                match self.count(key_id).await {
                    Ok(None) => {}
                    Ok(Some((count, ttl_ms))) => {
                        if self.in_outage.swap(false, Ordering::AcqRel) {
                            tracing::info!("Redis is reachable again: rate limits are shared");
                        }
                        return Quota::from_count(limit, count, ttl_ms);
                    }
                    Err(why) => self.failed(&why),
                }
            }
            self.fallbacks.fetch_add(1, Ordering::Relaxed);
            self.fallback.take_at(key_id, limit, now)
        })
    }

    fn backend(&self) -> &'static str {
        if self.in_outage.load(Ordering::Acquire) {
            "local"
        } else {
            "redis"
        }
    }

    fn readiness(&self) -> Pin<Box<dyn Future<Output = &'static str> + Send + '_>> {
        Box::pin(async move {
            let ping = async {
                let Some(mut conn) = self.connect().await? else {
                    return Ok("connecting".to_owned());
                };
                redis::cmd("PING")
                    .query_async::<String>(&mut conn)
                    .await
                    .map_err(|e| e.to_string())
            };
            match tokio::time::timeout(Duration::from_millis(500), ping).await {
                Ok(Ok(_)) => "ok",
                Ok(Err(why)) => {
                    self.failed(&why);
                    "unreachable"
                }
                Err(_) => {
                    self.failed("no answer to PING within 500 ms");
                    "unreachable"
                }
            }
        })
    }

    fn sweep(&self) {
        self.fallback.sweep_at(clock::now_ms());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_requests_then_refusals_until_the_minute_ends() {
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
    fn a_shared_count_becomes_the_same_quota() {
        let q = Quota::from_count(3, 3, 59_001);
        assert_eq!((q.allowed, q.remaining, q.reset_secs), (true, 0, 60));
        let q = Quota::from_count(3, 4, 1);
        assert_eq!((q.allowed, q.remaining, q.reset_secs), (false, 0, 1));
    }
}

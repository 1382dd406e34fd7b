//! Counts in Redis, shared by every instance, through leases (`lease.rs`): a request
//! that finds a token on this instance makes no round trip; one that finds none waits
//! for a grant. Falls back to a [`LocalLimiter`] while Redis cannot be reached.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use super::lease::{Grant, Lease, MOST_AT_ONCE, SCRIPT, Spend};
use super::{DEFAULT_WINDOW_MS, LocalLimiter, Quota, QuotaFuture, RateLimiter};
use crate::clock;
use crate::maps::FastMap;

/// Longer than this, and Redis counts as unreachable for the request.
const REDIS_TIMEOUT: Duration = Duration::from_millis(25);
/// After a failure, how long requests count locally before Redis is tried again.
const RETRY_AFTER_MS: i64 = 1_000;

/// One key's lease, and the lock that lets one grant at a time be asked for it.
#[derive(Default)]
struct KeyLease {
    state: Mutex<Lease>,
    asking: tokio::sync::Mutex<()>,
}

impl KeyLease {
    fn state(&self) -> std::sync::MutexGuard<'_, Lease> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Counts in Redis, shared by every instance; falls back to a [`LocalLimiter`].
pub struct RedisLimiter {
    shared: Arc<Shared>,
}

struct Shared {
    client: redis::Client,
    script: redis::Script,
    conn: RwLock<Option<redis::aio::MultiplexedConnection>>,
    connecting: AtomicBool,
    /// Until when (Unix ms) Redis is not tried after a failure.
    resting_until: AtomicI64,
    in_outage: AtomicBool,
    fallback: LocalLimiter,
    leases: RwLock<FastMap<String, Arc<KeyLease>>>,
    /// This instance in the windows it asks in (leases are shared among those).
    instance: String,
    window_ms: i64,
    /// Numbers the windows this instance starts.
    started: AtomicU64,
    /// Requests counted locally because Redis could not be reached.
    fallbacks: AtomicU64,
}

impl RedisLimiter {
    /// Checks the URL only; the connection is made on first use (Redis may start later).
    pub fn new(url: &str) -> Result<Self, String> {
        Self::with_window(url, DEFAULT_WINDOW_MS)
    }

    /// Windows of `window_ms` (`PAYDESK_RATE_LIMIT_WINDOW_MS`).
    pub fn with_window(url: &str, window_ms: i64) -> Result<Self, String> {
        let client = redis::Client::open(url)
            .map_err(|e| format!("PAYDESK_REDIS_URL is not a Redis URL: {e}"))?;
        let window_ms = window_ms.max(1);
        Ok(Self {
            shared: Arc::new(Shared {
                client,
                script: redis::Script::new(SCRIPT),
                conn: RwLock::new(None),
                connecting: AtomicBool::new(false),
                resting_until: AtomicI64::new(0),
                in_outage: AtomicBool::new(false),
                fallback: LocalLimiter::new(window_ms),
                leases: RwLock::default(),
                instance: crate::ids::random_base62(12),
                window_ms,
                started: AtomicU64::new(0),
                fallbacks: AtomicU64::new(0),
            }),
        })
    }

    /// Requests counted locally because Redis could not be reached.
    pub fn fallbacks(&self) -> u64 {
        self.shared.fallbacks.load(Ordering::Relaxed)
    }
}

impl Shared {
    fn connection(&self) -> Option<redis::aio::MultiplexedConnection> {
        self.conn.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A connection, made now if there is none (by one caller at a time: the others
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

    fn resting(&self, now_ms: i64) -> bool {
        now_ms < self.resting_until.load(Ordering::Acquire)
    }

    fn failed(&self, why: &str) {
        *self.conn.write().unwrap_or_else(|p| p.into_inner()) = None;
        self.resting_until
            .store(clock::now_ms() + RETRY_AFTER_MS, Ordering::Release);
        if !self.in_outage.swap(true, Ordering::AcqRel) {
            tracing::warn!(reason = %why, "Redis is unreachable: rate limits are counted per instance until it is back");
        }
    }

    fn reachable(&self) {
        if self.in_outage.swap(false, Ordering::AcqRel) {
            tracing::info!("Redis is reachable again: rate limits are shared");
        }
    }

    fn lease(&self, key_id: &str) -> Arc<KeyLease> {
        if let Some(l) = self
            .leases
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key_id)
        {
            return l.clone();
        }
        let mut leases = self.leases.write().unwrap_or_else(|p| p.into_inner());
        leases.entry(key_id.to_owned()).or_default().clone()
    }

    /// Asks Redis for some of the window's tokens; None while another caller connects.
    async fn ask(&self, key_id: &str, limit: u32) -> Result<Option<Grant>, String> {
        let Some(mut conn) = self.connect().await? else {
            return Ok(None);
        };
        let window = format!(
            "{}.{}",
            self.instance,
            self.started.fetch_add(1, Ordering::Relaxed)
        );
        let mut invocation = self.script.key(format!("paydesk:ratelease:{key_id}"));
        invocation
            .arg(limit)
            .arg(self.window_ms)
            .arg(&self.instance)
            .arg(MOST_AT_ONCE)
            .arg(window);
        let call = invocation.invoke_async::<(i64, i64, i64, String)>(&mut conn);
        match tokio::time::timeout(REDIS_TIMEOUT, call).await {
            Ok(Ok((tokens, left, ttl_ms, window))) => Ok(Some(Grant {
                tokens: u32::try_from(tokens).unwrap_or(0),
                left: u32::try_from(left).unwrap_or(0),
                ttl_ms: ttl_ms.clamp(0, self.window_ms),
                window,
            })),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} ms", REDIS_TIMEOUT.as_millis())),
        }
    }

    /// One grant for `lease`, added to it; false when Redis could not give one.
    async fn refill(&self, key_id: &str, limit: u32, lease: &KeyLease) -> bool {
        let asked_at = clock::now_ms();
        let answer = self.ask(key_id, limit).await;
        let mut state = lease.state();
        state.refilled();
        match answer {
            Ok(Some(grant)) => {
                state.granted(grant, limit, asked_at);
                drop(state);
                self.reachable();
                true
            }
            Ok(None) => false,
            Err(why) => {
                drop(state);
                self.failed(&why);
                false
            }
        }
    }

    /// `take` without waiting: the lease's tokens, a known refusal, or the local count
    /// while Redis rests; None when a grant must be asked for.
    fn take_now(self: &Arc<Self>, key_id: &str, limit: u32, now_ms: i64) -> Option<Quota> {
        if self.resting(now_ms) {
            self.fallbacks.fetch_add(1, Ordering::Relaxed);
            return Some(self.fallback.take_at(key_id, limit, now_ms));
        }
        let lease = self.lease(key_id);
        let spent = lease.state().spend(limit, now_ms);
        match spent {
            Spend::Admitted { quota, refill } => {
                if refill {
                    self.refill_behind(key_id, limit, lease);
                }
                Some(quota)
            }
            Spend::Refused(quota) => Some(quota),
            Spend::NeedGrant => None,
        }
    }

    async fn take(self: &Arc<Self>, key_id: &str, limit: u32) -> Quota {
        let now = clock::now_ms();
        if !self.resting(now) {
            let lease = self.lease(key_id);
            loop {
                let spent = lease.state().spend(limit, clock::now_ms());
                match spent {
                    Spend::Admitted { quota, refill } => {
                        if refill {
                            self.refill_behind(key_id, limit, lease.clone());
                        }
                        return quota;
                    }
                    Spend::Refused(quota) => return quota,
                    Spend::NeedGrant => {}
                }
                // No token here: wait for a grant (one asked at a time per key).
                let _asking = lease.asking.lock().await;
                let needed = lease.state().needs_grant(limit, clock::now_ms());
                if needed && !self.refill(key_id, limit, &lease).await {
                    break;
                }
            }
        }
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
        self.fallback.take_at(key_id, limit, now)
    }

    /// Asks for more tokens off the request path.
    fn refill_behind(self: &Arc<Self>, key_id: &str, limit: u32, lease: Arc<KeyLease>) {
        let shared = self.clone();
        let key_id = key_id.to_owned();
        tokio::spawn(async move {
            let _asking = lease.asking.lock().await;
            let wanted = lease.state().wants_refill(limit, clock::now_ms());
            if wanted {
                shared.refill(&key_id, limit, &lease).await;
            } else {
                lease.state().refilled();
            }
        });
    }
}

impl RateLimiter for RedisLimiter {
    fn take_now(&self, key_id: &str, limit: u32, now_ms: i64) -> Option<Quota> {
        self.shared.take_now(key_id, limit, now_ms)
    }

    fn take<'a>(&'a self, key_id: &'a str, limit: u32) -> QuotaFuture<'a> {
        Box::pin(self.shared.take(key_id, limit))
    }

    fn window_ms(&self) -> i64 {
        self.shared.window_ms
    }

    fn backend(&self) -> &'static str {
        if self.shared.in_outage.load(Ordering::Acquire) {
            "local"
        } else {
            "redis"
        }
    }

    fn readiness(&self) -> Pin<Box<dyn Future<Output = &'static str> + Send + '_>> {
        Box::pin(async move {
            let shared = &self.shared;
            let ping = async {
                let Some(mut conn) = shared.connect().await? else {
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
                    shared.failed(&why);
                    "unreachable"
                }
                Err(_) => {
                    shared.failed("no answer to PING within 500 ms");
                    "unreachable"
                }
            }
        })
    }

    fn sweep(&self) {
        let now = clock::now_ms();
        self.shared.fallback.sweep_at(now);
        let mut leases = self
            .shared
            .leases
            .write()
            .unwrap_or_else(|p| p.into_inner());
        leases.retain(|_, l| Arc::strong_count(l) > 1 || !l.state().ended(now));
    }
}

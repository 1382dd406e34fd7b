//! When a cached read may still be used (SPEC §8): the rules the key cache and the read
//! cache share, so that both forget a change at the same moment, heard the same way.
//!
//! - A read notes the generation at which it *started* ([`Freshness::current`]). An
//!   invalidation bumps the generation and records it for its target (`key:…`,
//!   `merchant:…`, `hash:…`, `object:…`), so an entry read before an invalidation of one
//!   of its targets is never used, even when its slow read finished afterwards.
//! - While the instance cannot hear other instances' changes (`keys/invalidation.rs`
//!   says so), every cache on it is off. When it hears again, entries read before are
//!   never used ([`Freshness::reset`]).
//! - Invalidations are remembered longer than any entry can live, then forgotten.
//!
//! Announced targets reach it from this process ([`super::Db::run`]'s change hook, after
//! the commit) and, on PostgreSQL, from the other instances through the listener.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long an invalidation is remembered: longer than any cached entry can live.
const REMEMBER_INVALIDATIONS: Duration = Duration::from_secs(600);

pub struct Freshness {
    generation: AtomicU64,
    /// Entries read before this generation are never used (set when the caches restart).
    floor: AtomicU64,
    enabled: AtomicBool,
    /// Target → the generation of its latest invalidation, and when that was.
    invalidated: Mutex<HashMap<String, (u64, Instant)>>,
}

impl Freshness {
    /// Starts `enabled` or not (off until the listener has proved itself, on PostgreSQL).
    pub fn new(enabled: bool) -> Self {
        Self {
            generation: AtomicU64::new(1),
            floor: AtomicU64::new(1),
            enabled: AtomicBool::new(enabled),
            invalidated: Mutex::new(HashMap::new()),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    /// The generation to note when a read starts.
    pub fn current(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether an entry read at `valid_at` is still good: none of its `targets` was
    /// invalidated since, and the caches did not restart. A good entry's `valid_at` moves
    /// up to now, so later checks skip the map.
    pub fn is_fresh(&self, valid_at: &AtomicU64, targets: &[String]) -> bool {
        let at = valid_at.load(Ordering::Acquire);
        if at == self.generation.load(Ordering::Acquire) {
            return true;
        }
        let invalidated = self.invalidated.lock().unwrap_or_else(|p| p.into_inner());
        let now = self.generation.load(Ordering::Acquire);
        if at < self.floor.load(Ordering::Acquire) {
            return false;
        }
        let latest = targets
            .iter()
            .filter_map(|t| invalidated.get(t))
            .map(|(generation, _)| *generation)
            .max()
            .unwrap_or(0);
        if latest > at {
            return false;
        }
        valid_at.fetch_max(now, Ordering::AcqRel);
        true
    }

    /// Records that `target` changed (call it after the change is committed).
    pub fn invalidate(&self, target: &str) {
        let mut invalidated = self.invalidated.lock().unwrap_or_else(|p| p.into_inner());
        let generation = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        invalidated.insert(target.to_owned(), (generation, Instant::now()));
        if invalidated.len() > 10_000 {
            invalidated.retain(|_, (_, at)| at.elapsed() < REMEMBER_INVALIDATIONS);
        }
    }

    /// Everything read before now is never used again.
    pub fn reset(&self) {
        let mut invalidated = self.invalidated.lock().unwrap_or_else(|p| p.into_inner());
        let generation = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        self.floor.store(generation, Ordering::Release);
        invalidated.clear();
    }

    /// On (after a [`Freshness::reset`]) or off.
    pub fn set_enabled(&self, on: bool) {
        if on {
            self.reset();
        }
        self.enabled.store(on, Ordering::Release);
    }

    /// Forgets invalidations older than any entry can be.
    pub fn sweep(&self) {
        let mut invalidated = self.invalidated.lock().unwrap_or_else(|p| p.into_inner());
        invalidated.retain(|_, (_, at)| at.elapsed() < REMEMBER_INVALIDATIONS);
    }
}

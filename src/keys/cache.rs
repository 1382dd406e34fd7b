//! The verified-key cache (SPEC §8): what the gate needs to know about a key, found by
//! SHA-256 of the presented key, so that a known key costs no database round trip.
//!
//! - Misses go to the [`KeyStore`] on the blocking pool; concurrent misses for one key
//!   wait for one query (moka's `try_get_with` runs one loader per key).
//! - Unknown but well-formed keys are cached as unknown, in the same bounded cache, so
//!   guessing does not reach the database each time. moka admits by frequency
//!   (TinyLFU), so a flood of one-off guesses cannot push out keys in real use.
//! - Whether an entry may still be used follows `db::freshness`, shared with the read
//!   cache (`db::read_cache`): every entry remembers the generation at which its
//!   database read *started*, and an invalidation of one of its targets (its key, its
//!   merchant, its key hash) since makes it unusable, even when its slow read finished
//!   afterwards.
//! - While the instance cannot hear other instances' changes (`keys/invalidation.rs`
//!   says so), the cache is off: every lookup reads the database. When it hears again,
//!   it starts empty.
//! - Entries also expire after a time to live, a safety net (and how changes made by the
//!   CLI reach a SQLite server, which has no one to tell it).
//! - Each worker thread keeps a small front map of the entries it used (by digest, with
//!   the cache it came from), so a hit touches no shared structure but the generation
//!   counter. Every front hit is checked exactly like a hit in the shared cache (the
//!   generation rules above, and the time to live from the entry's own read), so it
//!   can never outlive what the shared cache would have served.
//!
//! The cache holds no secret: records carry no secret, and keys are digests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::verify::{KeyRecord, KeyStore, Presented};
use crate::db::changes;
use crate::db::freshness::Freshness;
use crate::error::Error;
use crate::maps::FastMap;

/// How many keys (known and unknown) one instance remembers.
const CAPACITY: u64 = 200_000;

/// What happened to a lookup, for metrics.
#[derive(Debug, Default)]
pub struct CacheCounts {
    pub hit: AtomicU64,
    pub miss: AtomicU64,
    pub negative: AtomicU64,
}

struct Entry {
    record: Option<Arc<KeyRecord>>,
    /// When its read finished: it is not used past the cache's time to live from here.
    loaded: Instant,
    /// The generation this entry is known to be valid at (its read's start, or later).
    valid_at: AtomicU64,
    /// What invalidates it: `key:…`, `merchant:…`, `hash:…`.
    targets: Vec<String>,
}

/// Entries one worker thread keeps in front of the shared cache, at most.
const FRONT_CAPACITY: usize = 4096;

/// digest → (the cache's id, its entry).
type Front = FastMap<[u8; 32], (u64, Arc<Entry>)>;

thread_local! {
    /// Cleared when full: it only saves trips to the shared cache, which still holds
    /// everything.
    static FRONT: std::cell::RefCell<Front> = std::cell::RefCell::new(FastMap::default());
}

/// Tells caches apart in the threads' front maps (tests run many in one process).
static NEXT_CACHE_ID: AtomicU64 = AtomicU64::new(1);

pub struct KeyCache {
    id: u64,
    ttl: Duration,
    store: Arc<dyn KeyStore>,
    entries: moka::sync::Cache<[u8; 32], Arc<Entry>>,
    /// When an entry may be used; shared with the read cache.
    freshness: Arc<Freshness>,
    pub counts: CacheCounts,
}

impl KeyCache {
    /// A cache over `store` whose entries live at most `ttl`. It starts `enabled` or not
    /// (off until the listener has proved itself, on PostgreSQL).
    pub fn new(store: Arc<dyn KeyStore>, ttl: Duration, enabled: bool) -> Self {
        Self {
            id: NEXT_CACHE_ID.fetch_add(1, Ordering::Relaxed),
            ttl,
            store,
            entries: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build(),
            freshness: Arc::new(Freshness::new(enabled)),
            counts: CacheCounts::default(),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.freshness.is_enabled()
    }

    /// How long an entry may live.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Its freshness rules, for other caches that must forget what it forgets, when it
    /// does (the read cache).
    pub fn freshness(&self) -> Arc<Freshness> {
        self.freshness.clone()
    }

    /// The record for a presented key (None: no such key). A hit answers at once; a miss
    /// reads the store on the blocking pool.
    pub async fn find(self: &Arc<Self>, p: &Presented) -> Result<Option<Arc<KeyRecord>>, Error> {
        if let Some(found) = self.cached(&p.digest) {
            return Ok(found);
        }
        let this = self.clone();
        let (digest, lookup) = (p.digest, p.lookup());
        actix_web::web::block(move || this.load(digest, &lookup))
            .await
            .map_err(|e| Error::internal(format!("blocking task: {e}")))?
    }

    /// A usable cached answer, if there is one. No I/O.
    pub fn cached(&self, digest: &[u8; 32]) -> Option<Option<Arc<KeyRecord>>> {
        if !self.is_enabled() {
            return None;
        }
        let front = FRONT.with_borrow(|f| {
            f.get(digest)
                .filter(|(cache, _)| *cache == self.id)
                .map(|(_, e)| e.clone())
        });
        let entry = match front {
            Some(entry) if self.usable(&entry) => entry,
            stale => {
                if stale.is_some() {
                    FRONT.with_borrow_mut(|f| f.remove(digest));
                }
                let entry = self.entries.get(digest)?;
                if !self.usable(&entry) {
                    return None;
                }
                FRONT.with_borrow_mut(|f| {
                    if f.len() >= FRONT_CAPACITY {
                        f.clear();
                    }
                    f.insert(*digest, (self.id, entry.clone()));
                });
                entry
            }
        };
        let counter = match entry.record {
            Some(_) => &self.counts.hit,
            None => &self.counts.negative,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Some(entry.record.clone())
    }

    /// Reads the store (blocking), through the cache when it is on.
    pub fn load(
        &self,
        digest: [u8; 32],
        lookup: &super::verify::Lookup,
    ) -> Result<Option<Arc<KeyRecord>>, Error> {
        self.counts.miss.fetch_add(1, Ordering::Relaxed);
        if !self.is_enabled() {
            return Ok(self.store.find(lookup)?.map(Arc::new));
        }
        // A stale entry would be handed back by try_get_with: drop it first.
        if let Some(old) = self.entries.get(&digest)
            && !self.is_fresh(&old)
        {
            self.entries.invalidate(&digest);
        }
        let entry = self
            .entries
            .try_get_with(digest, || {
                let valid_at = self.freshness.current();
                let record = self.store.find(lookup)?;
                let mut targets = vec![changes::hash(&crate::crypto::hex(&digest))];
                if let Some(r) = &record {
                    targets.push(changes::key(&r.key_id));
                    targets.push(changes::merchant(&r.merchant_id));
                }
                Ok::<_, Error>(Arc::new(Entry {
                    record: record.map(Arc::new),
                    loaded: Instant::now(),
                    valid_at: AtomicU64::new(valid_at),
                    targets,
                }))
            })
            .map_err(|e| Error::internal(e.to_string()))?;
        if self.is_fresh(&entry) {
            return Ok(entry.record.clone());
        }
        // Loaded by another thread before an invalidation landed: read again, uncached.
        self.entries.invalidate(&digest);
        Ok(self.store.find(lookup)?.map(Arc::new))
    }

    /// Fresh (no invalidation of its targets since its read) and within its time to live.
    fn usable(&self, entry: &Entry) -> bool {
        entry.loaded.elapsed() < self.ttl && self.is_fresh(entry)
    }

    fn is_fresh(&self, entry: &Entry) -> bool {
        self.freshness.is_fresh(&entry.valid_at, &entry.targets)
    }

    /// Drops what `target` (`key:ID`, `merchant:ID`, `hash:HEX`, or any other cache's
    /// target, such as `object:ID`) may have made stale. Call it after the change is
    /// committed.
    pub fn invalidate(&self, target: &str) {
        self.freshness.invalidate(target);
    }

    /// Turns the cache on (starting empty) or off (every lookup reads the store); the
    /// read cache follows.
    pub fn set_enabled(&self, on: bool) {
        if on {
            self.entries.invalidate_all();
        }
        self.freshness.set_enabled(on);
    }

    /// Forgets invalidations older than any entry can be.
    pub fn sweep(&self) {
        self.freshness.sweep();
        self.entries.run_pending_tasks();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::keys::format::{KeyKind, Mode, generate};
    use crate::keys::verify::{Credential, Lookup, present};

    /// A store with one key whose status can be changed, counting its lookups.
    struct FakeStore {
        key: String,
        status: Mutex<String>,
        lookups: AtomicUsize,
        delay: Duration,
    }

    impl KeyStore for FakeStore {
        fn find(&self, lookup: &Lookup) -> Result<Option<KeyRecord>, Error> {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            let status = self.status.lock().unwrap().clone();
            std::thread::sleep(self.delay);
            let wanted = Lookup::SecretHash(crate::crypto::hash(&self.key));
            Ok((*lookup == wanted).then(|| KeyRecord {
                status,
                ..KeyRecord::sample("key_1")
            }))
        }
    }

    fn setup(delay: Duration) -> (Arc<FakeStore>, Arc<KeyCache>) {
        let store = Arc::new(FakeStore {
            key: generate(KeyKind::Secret, Mode::Test),
            status: Mutex::new("active".into()),
            lookups: AtomicUsize::new(0),
            delay,
        });
        let cache = Arc::new(KeyCache::new(store.clone(), Duration::from_secs(60), true));
        (store, cache)
    }

    fn presented(key: &str) -> Presented {
        present(Credential::Bearer(key.to_owned())).unwrap()
    }

    fn status(cache: &KeyCache, key: &str) -> Option<String> {
        let p = presented(key);
        let found = match cache.cached(&p.digest) {
            Some(hit) => hit,
            None => cache.load(p.digest, &p.lookup()).unwrap(),
        };
        found.map(|r| r.status.clone())
    }

    #[test]
    fn a_known_key_is_read_once_and_then_served_from_memory() {
        let (store, cache) = setup(Duration::ZERO);
        for _ in 0..5 {
            assert_eq!(status(&cache, &store.key).as_deref(), Some("active"));
        }
        assert_eq!(store.lookups.load(Ordering::SeqCst), 1);
        assert_eq!(cache.counts.hit.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn an_entry_is_not_served_past_its_time_to_live_from_either_map() {
        let (store, _) = setup(Duration::ZERO);
        let cache = KeyCache::new(store.clone(), Duration::from_millis(80), true);
        assert_eq!(status(&cache, &store.key).as_deref(), Some("active"));
        assert_eq!(status(&cache, &store.key).as_deref(), Some("active"));
        assert_eq!(store.lookups.load(Ordering::SeqCst), 1);
        *store.status.lock().unwrap() = "revoked".into();
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(status(&cache, &store.key).as_deref(), Some("revoked"));
        assert_eq!(store.lookups.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn two_caches_on_one_thread_never_answer_from_each_other() {
        let (store, cache) = setup(Duration::ZERO);
        assert_eq!(status(&cache, &store.key).as_deref(), Some("active"));
        // Another cache (another instance in the same process) over a store where the
        // same key is revoked: the thread's front map must not hand it the first's entry.
        let other_store = Arc::new(FakeStore {
            key: store.key.clone(),
            status: Mutex::new("revoked".into()),
            lookups: AtomicUsize::new(0),
            delay: Duration::ZERO,
        });
        let other = KeyCache::new(other_store.clone(), Duration::from_secs(60), true);
        assert_eq!(status(&other, &store.key).as_deref(), Some("revoked"));
        assert_eq!(status(&cache, &store.key).as_deref(), Some("active"));
        assert_eq!(other_store.lookups.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn made_up_keys_are_looked_up_once_each() {
        let (store, cache) = setup(Duration::ZERO);
        let guesses: Vec<String> = (0..500)
            .map(|_| generate(KeyKind::Secret, Mode::Test))
            .collect();
        for _ in 0..4 {
            for g in &guesses {
                assert_eq!(status(&cache, g), None);
            }
        }
        assert_eq!(store.lookups.load(Ordering::SeqCst), 500);
        assert_eq!(cache.counts.negative.load(Ordering::SeqCst), 1500);
    }

    #[test]
    fn concurrent_misses_for_one_key_make_one_query() {
        let (store, cache) = setup(Duration::from_millis(50));
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| assert_eq!(status(&cache, &store.key).as_deref(), Some("active")));
            }
        });
        assert_eq!(store.lookups.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn an_invalidated_key_is_read_again() {
        let (store, cache) = setup(Duration::ZERO);
        assert_eq!(status(&cache, &store.key).as_deref(), Some("active"));
        *store.status.lock().unwrap() = "revoked".into();
        cache.invalidate("key:key_1");
        assert_eq!(status(&cache, &store.key).as_deref(), Some("revoked"));
        // Another key's invalidation leaves this entry alone.
        cache.invalidate("key:key_2");
        cache.invalidate("merchant:mer_2");
        assert_eq!(status(&cache, &store.key).as_deref(), Some("revoked"));
        assert_eq!(store.lookups.load(Ordering::SeqCst), 2);
        cache.invalidate("merchant:mer_1");
        status(&cache, &store.key);
        assert_eq!(store.lookups.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_slow_read_that_started_before_an_invalidation_is_not_kept() {
        let (store, cache) = setup(Duration::from_millis(200));
        std::thread::scope(|s| {
            let slow = s.spawn(|| status(&cache, &store.key));
            // The slow read has started (and read "active") when the change lands.
            std::thread::sleep(Duration::from_millis(50));
            *store.status.lock().unwrap() = "suspended".into();
            cache.invalidate("key:key_1");
            // Whatever the slow read answered, it must not be what the cache keeps.
            slow.join().unwrap();
        });
        assert_eq!(status(&cache, &store.key).as_deref(), Some("suspended"));
    }

    #[test]
    fn a_disabled_cache_reads_the_store_every_time_and_restarts_empty() {
        let (store, cache) = setup(Duration::ZERO);
        status(&cache, &store.key);
        cache.set_enabled(false);
        status(&cache, &store.key);
        status(&cache, &store.key);
        assert_eq!(store.lookups.load(Ordering::SeqCst), 3);
        *store.status.lock().unwrap() = "revoked".into();
        cache.set_enabled(true);
        assert_eq!(status(&cache, &store.key).as_deref(), Some("revoked"));
        assert_eq!(store.lookups.load(Ordering::SeqCst), 4);
    }
}

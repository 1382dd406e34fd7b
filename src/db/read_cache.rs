//! The read cache (SPEC §15): objects the API reads by id (`GET /customers/{id}`), kept
//! in memory so that reading one again costs no database round trip.
//!
//! - An entry is found by the object's id and used only for the scope (merchant and
//!   mode) it was read in; any other scope reads the database, which answers 404.
//! - It forgets exactly when the key cache does, by the same rules (`db::freshness`):
//!   the model that changes an object announces `object:<id>` in its transaction
//!   ([`super::changes::object`]), heard by this process after the commit and before the
//!   answer, and by the other instances through the listener. A read that started before
//!   the change is never kept. While the listener is down, the cache is off.
//! - Entries live at most the key cache's time to live, a safety net (moka expires them).
//! - It holds what the API would answer anyway (views of objects), never a secret.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use super::changes;
use super::freshness::Freshness;

/// How many objects one instance remembers.
const CAPACITY: u64 = 50_000;

struct Entry {
    merchant_id: String,
    livemode: bool,
    valid_at: AtomicU64,
    /// `object:<id>`.
    targets: [String; 1],
    value: Arc<dyn Any + Send + Sync>,
}

/// The merchant and mode an object was read in: `(merchant id, livemode)`.
pub type InScope<'a> = (&'a str, bool);

pub struct ReadCache {
    freshness: Arc<Freshness>,
    entries: moka::sync::Cache<String, Arc<Entry>>,
}

impl ReadCache {
    /// A cache that forgets by `freshness` (the key cache's) and keeps entries `ttl`.
    pub fn new(freshness: Arc<Freshness>, ttl: Duration) -> Self {
        Self {
            freshness,
            entries: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// The object `id` as last read in `scope`, if that read may still be used.
    pub fn get<T: Clone + 'static>(&self, (merchant_id, livemode): InScope, id: &str) -> Option<T> {
        if !self.freshness.is_enabled() {
            return None;
        }
        let found = self.entries.get(id).filter(|e| {
            e.livemode == livemode
                && e.merchant_id == merchant_id
                && self.freshness.is_fresh(&e.valid_at, &e.targets)
        });
        found.and_then(|e| e.value.downcast_ref::<T>().cloned())
    }

    /// What to note before reading the database: hand it to [`ReadCache::put`].
    pub fn read_starts(&self) -> u64 {
        self.freshness.current()
    }

    /// Keeps what a read that started at `started` found for `id` in `scope`, unless a
    /// change to it has been heard since (then the next read goes to the database).
    pub fn put<T: Send + Sync + 'static>(
        &self,
        (merchant_id, livemode): InScope,
        id: &str,
        started: u64,
        value: T,
    ) {
        if !self.freshness.is_enabled() {
            return;
        }
        let entry = Entry {
            merchant_id: merchant_id.to_owned(),
            livemode,
            valid_at: AtomicU64::new(started),
            targets: [changes::object(id)],
            value: Arc::new(value),
        };
        if self.freshness.is_fresh(&entry.valid_at, &entry.targets) {
            self.entries.insert(id.to_owned(), Arc::new(entry));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> ReadCache {
        ReadCache::new(Arc::new(Freshness::new(true)), Duration::from_secs(60))
    }

    #[test]
    fn an_object_is_served_again_only_in_its_own_scope() {
        let c = cache();
        let s = ("mer_1", false);
        assert_eq!(c.get::<String>(s, "cus_1"), None);
        let started = c.read_starts();
        c.put(s, "cus_1", started, "Ada".to_owned());
        assert_eq!(c.get::<String>(s, "cus_1").as_deref(), Some("Ada"));
        // Another merchant, the other mode, another type: not from here.
        assert_eq!(c.get::<String>(("mer_2", false), "cus_1"), None);
        assert_eq!(c.get::<String>(("mer_1", true), "cus_1"), None);
        assert_eq!(c.get::<u32>(s, "cus_1"), None);
    }

    #[test]
    fn a_change_is_never_served_stale_even_from_a_read_that_started_before_it() {
        let freshness = Arc::new(Freshness::new(true));
        let c = ReadCache::new(freshness.clone(), Duration::from_secs(60));
        let s = ("mer_1", false);
        c.put(s, "cus_1", c.read_starts(), "old".to_owned());
        freshness.invalidate(&changes::object("cus_1"));
        assert_eq!(c.get::<String>(s, "cus_1"), None);
        // A slow read: started, then the change lands, then it finishes with the old row.
        let started = c.read_starts();
        freshness.invalidate(&changes::object("cus_1"));
        c.put(s, "cus_1", started, "old".to_owned());
        assert_eq!(c.get::<String>(s, "cus_1"), None);
        // Another object's change leaves this one alone.
        c.put(s, "cus_1", c.read_starts(), "new".to_owned());
        freshness.invalidate(&changes::object("cus_2"));
        freshness.invalidate(&changes::key("key_1"));
        assert_eq!(c.get::<String>(s, "cus_1").as_deref(), Some("new"));
    }

    #[test]
    fn while_changes_cannot_be_heard_nothing_is_served_and_then_it_starts_empty() {
        let freshness = Arc::new(Freshness::new(true));
        let c = ReadCache::new(freshness.clone(), Duration::from_secs(60));
        let s = ("mer_1", false);
        c.put(s, "cus_1", c.read_starts(), "old".to_owned());
        freshness.set_enabled(false);
        assert_eq!(c.get::<String>(s, "cus_1"), None);
        c.put(s, "cus_2", c.read_starts(), "x".to_owned());
        freshness.set_enabled(true);
        assert_eq!(c.get::<String>(s, "cus_1"), None);
        assert_eq!(c.get::<String>(s, "cus_2"), None);
    }

    #[test]
    fn an_entry_is_not_served_past_its_time_to_live() {
        let c = ReadCache::new(Arc::new(Freshness::new(true)), Duration::from_millis(50));
        let s = ("mer_1", false);
        c.put(s, "cus_1", c.read_starts(), 1u32);
        assert_eq!(c.get::<u32>(s, "cus_1"), Some(1));
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(c.get::<u32>(s, "cus_1"), None);
    }
}

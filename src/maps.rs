//! The hash map for in-memory state touched on every request (the key cache's front map,
//! the rate limiter's windows, key usage, the request log's counters, metrics series):
//! foldhash, seeded per process, instead of std's SipHash, which costs several times
//! more per lookup (SPEC §15). Its keys are ids and digests this server made or hashed,
//! so the weaker flooding resistance is not exposed to clients' choices.

pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

//! `last_used_at` / `last_used_ip` without a database write per request: requests note
//! their key here in memory, and a background task writes the latest use of each key in
//! one batch every few seconds. Also the usage report per key (`report`), read from the
//! hourly counters the request log keeps.

use std::net::IpAddr;
use std::sync::Mutex;

use crate::db::DbConn;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::management_key::ManagementKeyRow;
use crate::maps::FastMap;

/// A key's latest use (Unix seconds, client address) and how many uses since the last
/// flush.
type Uses = (i64, Option<IpAddr>, i64);

#[derive(Default)]
pub struct UsageRecorder {
    /// Key id → its uses since the last flush.
    pending: Mutex<FastMap<String, Uses>>,
}

impl UsageRecorder {
    /// Notes a use; only the latest per key is kept until the next flush.
    pub fn record(&self, key_id: &str, at: i64, ip: Option<IpAddr>) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        // Most requests repeat a key already noted: update it in place, without allocating.
        if let Some(last) = pending.get_mut(key_id) {
            *last = (at, ip, last.2 + 1);
            return;
        }
        pending.insert(key_id.to_owned(), (at, ip, 1));
    }

    /// True when nothing waits to be written (the flush task then skips the database).
    pub fn is_empty(&self) -> bool {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }

    /// Writes what was noted since the last flush; returns how many keys were updated.
    pub fn flush(&self, conn: &mut DbConn) -> diesel::QueryResult<usize> {
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if batch.is_empty() {
            return Ok(0);
        }
        let n = batch.len();
        let written = crate::db::transaction(conn, |conn| {
            for (key_id, (at, ip, uses)) in &batch {
                let ip = ip.map(|ip| ip.to_string()).unwrap_or_default();
                // Management keys also count their requests (SPEC §17: their use shows).
                if key_id.starts_with(super::management::ID_PREFIX) {
                    ManagementKeyRow::mark_used(conn, key_id, *at, &ip, *uses)?;
                } else {
                    ApiKeyRow::mark_used(conn, key_id, *at, &ip)?;
                }
            }
            Ok::<_, diesel::result::Error>(())
        });
        if let Err(e) = written {
            // Keep the uses for the next flush (a newer use keeps its time, the counts add).
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for (key_id, used) in batch {
                pending
                    .entry(key_id)
                    .and_modify(|newer| newer.2 += used.2)
                    .or_insert(used);
            }
            return Err(e);
        }
        Ok(n)
    }
}

/// How far back a usage report looks: 24 hourly buckets, or 30 daily ones (UTC days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Month,
}

impl Period {
    /// `24h` or `30d`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "24h" => Some(Period::Day),
            "30d" => Some(Period::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "24h",
            Period::Month => "30d",
        }
    }

    /// Bucket width in seconds and how many buckets.
    fn shape(self) -> (i64, i64) {
        match self {
            Period::Day => (3600, 24),
            Period::Month => (86_400, 30),
        }
    }
}

/// A key's requests in one bucket, by status class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bucket {
    /// Unix seconds: the start of the hour or day.
    pub start: i64,
    pub class_2xx: i64,
    pub class_4xx: i64,
    pub class_5xx: i64,
}

impl Bucket {
    pub fn total(&self) -> i64 {
        self.class_2xx + self.class_4xx + self.class_5xx
    }
}

/// The key's usage over `period` ending with the bucket holding `now`, oldest first,
/// every bucket present (zeros included). Read from the hourly counters, not the log.
pub fn report(
    conn: &mut DbConn,
    key_id: &str,
    period: Period,
    now: i64,
) -> diesel::QueryResult<Vec<Bucket>> {
    let (width, count) = period.shape();
    let first = now.div_euclid(width) * width - (count - 1) * width;
    let mut buckets: Vec<Bucket> = (0..count)
        .map(|i| Bucket {
            start: first + i * width,
            ..Bucket::default()
        })
        .collect();
    for row in crate::db::models::request_log::usage_since(conn, key_id, first)? {
        let Ok(i) = usize::try_from((row.hour - first).div_euclid(width)) else {
            continue;
        };
        if let Some(b) = buckets.get_mut(i) {
            b.class_2xx += row.class_2xx;
            b.class_4xx += row.class_4xx;
            b.class_5xx += row.class_5xx;
        }
    }
    Ok(buckets)
}

/// The scopes the key's requests needed in the last 30 days.
pub fn scopes_used(conn: &mut DbConn, key_id: &str, now: i64) -> diesel::QueryResult<Vec<String>> {
    crate::db::models::request_log::scopes_used_since(conn, key_id, now - 30 * 86_400)
}

/// A key younger than this is not offered "Restrict to what it used": it has not been
/// used long enough to tell what it needs.
pub const RESTRICT_MIN_AGE_SECS: i64 = 7 * 86_400;

/// What "Restrict to what it used" would set the key's permissions to: for each resource
/// it used, the highest level used, never above what it holds now. None when it is not
/// offered: a revoked key, one younger than 7 days, one that used no scope, or when the
/// result would change nothing.
pub fn restriction(
    key: &crate::keys::model::ApiKey,
    used: &[String],
    now: i64,
) -> Option<crate::keys::permissions::Access> {
    use crate::keys::permissions::{Access, parse_scope};
    if key.status == crate::keys::model::KeyStatus::Revoked
        || now - key.row.created_at < RESTRICT_MIN_AGE_SECS
    {
        return None;
    }
    let mut map = std::collections::BTreeMap::new();
    for (resource, level) in used.iter().filter_map(|s| parse_scope(s).ok()) {
        let level = level.min(key.access.level(resource));
        let entry = map.entry(resource).or_insert(level);
        *entry = (*entry).max(level);
    }
    map.retain(|_, l| *l != crate::keys::permissions::Level::None);
    if map.is_empty() {
        return None;
    }
    let restricted = Access::Scoped(map);
    (restricted != key.access).then_some(restricted)
}

//! The request log and the per-key usage counters, without a database write per request:
//! the gate hands each identified request to `RequestLog::record`, which only touches
//! memory; a background task writes what gathered in one batch about every second.
//!
//! Log lines wait in a bounded buffer: when it is full the oldest line is dropped and
//! counted (`paydesk_request_log_dropped_total`), so a slow database never slows a
//! request nor grows memory without end. The usage counters (by hour and status class,
//! by hour and scope used) are small sums and are never dropped: a failed write puts
//! them back for the next flush.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::http::Method;

use crate::db::DbConn;
use crate::db::models::request_log;
use crate::db::models::request_log_chunk::{Line, write_lines};
use crate::keys::format::Mode;
use crate::keys::verify::KeyRecord;
use crate::maps::FastMap;

use super::InlineId;

/// Lines held at most between two flushes.
pub const DEFAULT_CAPACITY: usize = 5_000;

/// The scope a route needed, as (resource, level): `("customers", "read")`.
pub type Scope = (&'static str, &'static str);

/// One request, as the gate saw it. It stays in this form until the flush turns it into
/// a [`Line`], off the request's path: noting a request allocates at most its path
/// (nothing for a route without parameters; the key is shared, the request id is held inline, the rest is plain values), and
/// dropping the oldest line under overload frees only that.
pub struct Entry {
    pub key: Arc<KeyRecord>,
    pub request_id: InlineId,
    pub at_ms: i64,
    pub method: Method,
    /// The path without its query string.
    pub path: LoggedPath,
    pub status: i32,
    pub error_code: Option<&'static str>,
    /// Microseconds.
    pub latency_us: i32,
    pub client_ip: Option<IpAddr>,
    pub api_version: &'static str,
    pub replayed: bool,
    /// The scope the route needed, when the request was admitted.
    pub scope: Option<Scope>,
}

/// The path a line shows.
pub enum LoggedPath {
    /// The request's path was its route's pattern itself (a route without parameters):
    /// nothing a client sent is in it, so it is neither copied nor scanned for secrets.
    Route(&'static str),
    /// The path as sent (cut to 512 bytes); the flush redacts what looks like a key.
    Sent(String),
}

impl Entry {
    /// The line as written, borrowed from the entry (only a path with a secret in it is
    /// copied), with the client's address as text from `ips`.
    fn as_line<'a>(&'a self, ips: &'a FastMap<IpAddr, String>) -> Line<'a> {
        Line {
            request_id: self.request_id.as_str(),
            merchant_id: &self.key.merchant_id,
            livemode: self.key.mode == Mode::Live,
            key_id: &self.key.key_id,
            at_ms: self.at_ms,
            method: self.method.as_str(),
            // Off the request's path: the flush pays for the scan. A route's own pattern
            // holds nothing a client sent, so no secret.
            path: match &self.path {
                LoggedPath::Route(pattern) => std::borrow::Cow::Borrowed(*pattern),
                LoggedPath::Sent(sent) => super::redact::path(sent),
            },
            status: self.status,
            error_code: self.error_code,
            latency_us: self.latency_us,
            client_ip: self
                .client_ip
                .and_then(|ip| ips.get(&ip))
                .map(String::as_str),
            api_version: self.api_version,
            replayed: self.replayed,
        }
    }
}

/// The clients' addresses as text, each written once a flush: a batch holds few clients,
/// and formatting an address cost more than binding the whole line.
fn addresses(lines: &VecDeque<Entry>) -> FastMap<IpAddr, String> {
    let mut ips = FastMap::default();
    for ip in lines.iter().filter_map(|e| e.client_ip) {
        ips.entry(ip).or_insert_with(|| ip.to_string());
    }
    ips
}

#[derive(Default)]
struct Pending {
    lines: VecDeque<Entry>,
    /// key id → hour start → requests by class: 2xx (and anything below 400), 4xx, 5xx.
    /// Keyed by key first so that counting a known key allocates nothing.
    classes: FastMap<String, FastMap<i64, [i64; 3]>>,
    /// key id → (scope, hour start) → requests.
    scopes: FastMap<String, FastMap<(Scope, i64), i64>>,
}

pub struct RequestLog {
    /// False with `PAYDESK_REQUEST_LOG=off`: no lines are kept (the counters still are).
    lines_on: bool,
    capacity: usize,
    pending: Mutex<Pending>,
    /// Lines dropped since the last flush, added to the metric by the flush (so that a
    /// request under overload pays one atomic add, not a metrics lookup).
    dropped: AtomicU64,
}

/// The start of the hour holding `at_ms`, in Unix seconds.
pub fn hour_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(3_600_000) * 3600
}

fn class_index(status: i32) -> usize {
    match status {
        500.. => 2,
        400..=499 => 1,
        _ => 0,
    }
}

impl RequestLog {
    pub fn new(lines_on: bool, capacity: usize) -> Self {
        Self {
            lines_on,
            capacity: capacity.max(1),
            pending: Mutex::new(Pending::default()),
            dropped: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether lines are kept (`PAYDESK_REQUEST_LOG`); when not, the gate only counts.
    pub fn keeps_lines(&self) -> bool {
        self.lines_on
    }

    /// Counts one request of `key_id` in its hour, by status class and scope.
    pub fn count(&self, key_id: &str, at_ms: i64, status: i32, scope: Option<Scope>) {
        let mut p = self.lock();
        Self::count_in(&mut p, key_id, at_ms, status, scope);
    }

    fn count_in(p: &mut Pending, key_id: &str, at_ms: i64, status: i32, scope: Option<Scope>) {
        let hour = hour_of(at_ms);
        // Most requests repeat a key already noted: no allocation then.
        let by_hour = match p.classes.get_mut(key_id) {
            Some(m) => m,
            None => p.classes.entry(key_id.to_owned()).or_default(),
        };
        by_hour.entry(hour).or_insert([0; 3])[class_index(status)] += 1;
        if let Some(scope) = scope {
            let by_scope = match p.scopes.get_mut(key_id) {
                Some(m) => m,
                None => p.scopes.entry(key_id.to_owned()).or_default(),
            };
            *by_scope.entry((scope, hour)).or_insert(0) += 1;
        }
    }

    /// Notes one request: counts it, and keeps its line (dropping the oldest when full).
    pub fn record(&self, entry: Entry) {
        let oldest = {
            let mut p = self.lock();
            Self::count_in(
                &mut p,
                &entry.key.key_id,
                entry.at_ms,
                entry.status,
                entry.scope,
            );
            if !self.lines_on {
                return;
            }
            let oldest = if p.lines.len() >= self.capacity {
                p.lines.pop_front()
            } else {
                None
            };
            p.lines.push_back(entry);
            oldest
        };
        // Freed outside the lock.
        if oldest.is_some() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Adds the lines dropped since the last call to `paydesk_request_log_dropped_total`.
    fn publish_dropped(&self) {
        let n = self.dropped.swap(0, Ordering::Relaxed);
        if n > 0 {
            super::metrics::request_log_dropped(n);
        }
    }

    /// True when nothing waits to be written.
    pub fn is_empty(&self) -> bool {
        let p = self.lock();
        p.lines.is_empty() && p.classes.is_empty() && p.scopes.is_empty()
    }

    /// Lines waiting (for tests and the shutdown message).
    pub fn waiting_lines(&self) -> usize {
        self.lock().lines.len()
    }

    /// Writes what gathered since the last flush: the counters first (each added to its
    /// row), then the lines. Returns how many lines were written. On failure the counters
    /// are put back for the next flush; lines are put back when the counters failed, and
    /// dropped (counted) when their own insert failed, so one bad batch cannot recur.
    pub fn flush(&self, conn: &mut DbConn) -> diesel::QueryResult<usize> {
        self.publish_dropped();
        let batch = std::mem::take(&mut *self.lock());
        // One transaction a flush, the lines in a savepoint of their own: a commit is
        // most of what a flush costs (SPEC §15).
        let (counted, lines_failed, n) = {
            let ips = addresses(&batch.lines);
            let lines: Vec<Line> = batch.lines.iter().map(|e| e.as_line(&ips)).collect();
            let mut lines_failed = None;
            let counted = crate::db::transaction(conn, |c| {
                for (key_id, by_hour) in &batch.classes {
                    for (hour, counts) in by_hour {
                        request_log::add_usage(c, key_id, *hour, *counts)?;
                    }
                }
                for (key_id, by_scope) in &batch.scopes {
                    for (((resource, level), hour), n) in by_scope {
                        let scope = format!("{resource}:{level}");
                        request_log::add_scope_use(c, key_id, &scope, *hour, *n)?;
                    }
                }
                if !lines.is_empty()
                    && let Err(e) = write_lines(c, &lines)
                {
                    lines_failed = Some(e);
                }
                Ok::<_, diesel::result::Error>(())
            });
            (counted, lines_failed, lines.len())
        };
        if let Err(e) = counted {
            self.put_back(batch);
            return Err(e);
        }
        match lines_failed {
            None => Ok(n),
            Some(e) => {
                super::metrics::request_log_dropped(n as u64);
                Err(e)
            }
        }
    }

    /// Returns an unwritten batch: counters add up; lines go before the newer ones, and
    /// the oldest are dropped (and counted) past the capacity.
    fn put_back(&self, batch: Pending) {
        let mut dropped = 0u64;
        {
            let mut p = self.lock();
            for (key_id, by_hour) in batch.classes {
                let mine = p.classes.entry(key_id).or_default();
                for (hour, counts) in by_hour {
                    let c = mine.entry(hour).or_insert([0; 3]);
                    for (total, n) in c.iter_mut().zip(counts) {
                        *total += n;
                    }
                }
            }
            for (key_id, by_scope) in batch.scopes {
                let mine = p.scopes.entry(key_id).or_default();
                for (k, n) in by_scope {
                    *mine.entry(k).or_insert(0) += n;
                }
            }
            let mut lines = batch.lines;
            lines.append(&mut p.lines);
            while lines.len() > self.capacity {
                lines.pop_front();
                dropped += 1;
            }
            p.lines = lines;
        }
        if dropped > 0 {
            super::metrics::request_log_dropped(dropped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: i64) -> Entry {
        let key = Arc::new(KeyRecord::sample("key_1"));
        Entry {
            key,
            request_id: InlineId::new(&format!("req_{n}")),
            at_ms: 1_800_000_000_000 + n,
            method: Method::GET,
            path: LoggedPath::Sent("/api/v1/whoami".into()),
            status: if n % 2 == 0 { 200 } else { 404 },
            error_code: None,
            latency_us: 1,
            client_ip: None,
            api_version: "2026-11-01",
            replayed: false,
            scope: Some(("customers", "read")),
        }
    }

    #[test]
    fn a_flush_whose_lines_fail_still_writes_the_counters_and_drops_only_the_lines() {
        use diesel::prelude::*;
        let mut conn = crate::db::connect_one("sqlite://:memory:").unwrap();
        crate::db::migrate_conn(&mut conn).unwrap();
        let log = RequestLog::new(true, 10);
        log.record(line(2));
        assert_eq!(log.flush(&mut conn).unwrap(), 1);
        // The same request id again: its chunk is refused, the counters are not.
        log.record(line(2));
        log.record(line(4));
        assert!(log.flush(&mut conn).is_err());
        assert!(
            log.is_empty(),
            "nothing put back: the lines are dropped, counted"
        );
        use crate::db::schema::{key_usage_hourly, request_log_chunks};
        let counted: Vec<i64> = key_usage_hourly::table
            .select(key_usage_hourly::class_2xx)
            .load(&mut conn)
            .unwrap();
        assert_eq!(counted, [3], "every request counted");
        let chunks: i64 = request_log_chunks::table
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(chunks, 1);
    }

    #[test]
    fn a_line_becomes_the_row_the_logs_pages_read() {
        let mut entry = line(7);
        entry.client_ip = Some("203.0.113.9".parse().unwrap());
        entry.error_code = Some("resource_missing");
        entry.path = LoggedPath::Sent("/api/v1/customers/sk_test_0123456789abcdefghijKLMN".into());
        let mut v6 = line(8);
        v6.client_ip = Some("2001:db8::7".parse().unwrap());
        let same = Entry {
            client_ip: entry.client_ip,
            ..line(9)
        };
        // The flush's table of addresses: each once as text, none for a line without.
        let ips = addresses(&VecDeque::from([line(6), v6, same]));
        assert_eq!(ips.len(), 2, "{ips:?}");
        assert_eq!(
            ips[&"2001:db8::7".parse::<IpAddr>().unwrap()],
            "2001:db8::7"
        );
        let row = entry.as_line(&ips);
        assert_eq!(row.request_id, "req_7");
        assert_eq!((row.merchant_id, row.key_id), ("mer_1", "key_1"));
        assert!(!row.livemode);
        assert_eq!((row.method, row.status), ("GET", 404));
        assert_eq!(row.path, "/api/v1/customers/sk_test_…REDACTED");
        assert_eq!(row.client_ip, Some("203.0.113.9"));
        assert_eq!(row.error_code, Some("resource_missing"));
        assert_eq!(row.api_version, "2026-11-01");
        // A route's own pattern is shown as it is.
        let routed = Entry {
            path: LoggedPath::Route("/api/v1/whoami"),
            ..line(3)
        };
        assert_eq!(routed.as_line(&ips).path, "/api/v1/whoami");
    }

    #[test]
    fn inline_ids_keep_28_characters_and_cut_longer_text_on_a_character() {
        let id = crate::ids::request_id();
        assert_eq!(InlineId::new(&id).as_str(), id);
        let long = format!("{}é", "x".repeat(31));
        assert_eq!(InlineId::new(&long).as_str(), "x".repeat(31));
    }

    #[test]
    fn a_full_buffer_drops_the_oldest_lines_and_counts_them() {
        let log = RequestLog::new(true, 3);
        let before = super::super::metrics::request_log_dropped_so_far();
        for n in 0..5 {
            log.record(line(n));
        }
        assert_eq!(log.dropped.load(Ordering::Relaxed), 2);
        log.publish_dropped();
        let p = log.lock();
        let kept: Vec<&str> = p.lines.iter().map(|l| l.request_id.as_str()).collect();
        assert_eq!(kept, ["req_2", "req_3", "req_4"]);
        // The counters are not the buffer: every request is counted.
        let counts: Vec<[i64; 3]> = p.classes["key_1"].values().copied().collect();
        assert_eq!(counts, [[3, 2, 0]]);
        assert_eq!(p.scopes["key_1"].values().sum::<i64>(), 5);
        drop(p);
        assert!(super::super::metrics::request_log_dropped_so_far() >= before + 2);
    }

    #[test]
    fn with_lines_off_only_the_counters_are_kept() {
        let log = RequestLog::new(false, 3);
        log.record(line(0));
        assert_eq!(log.waiting_lines(), 0);
        assert!(!log.is_empty());
    }

    #[test]
    fn hours_start_on_the_hour() {
        assert_eq!(hour_of(3_600_000 * 5 + 1234), 3600 * 5);
        assert_eq!(hour_of(0), 0);
    }
}

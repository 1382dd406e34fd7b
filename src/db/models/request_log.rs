//! The request log's rows and the per-key usage counters (hourly by status class, and
//! hourly by scope used): written in batches by `telemetry::request_log`, read by the
//! Logs pages, the key page and the usage API.

use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::DbConn;
use crate::db::schema::{key_scope_hourly, key_usage_hourly, request_logs};

/// One API request whose key was identified.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_logs)]
// NULL, not DEFAULT, for None: one INSERT text whatever a row holds (so it is cached).
#[diesel(treat_none_as_default_value = false)]
pub struct RequestLogRow {
    pub request_id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub key_id: String,
    pub at_ms: i64,
    pub method: String,
    /// The path without its query string.
    pub path: String,
    pub status: i32,
    pub error_code: Option<String>,
    /// Microseconds (an i32 holds 35 minutes).
    pub latency_us: i32,
    pub client_ip: Option<String>,
    pub api_version: String,
    pub replayed: bool,
}

/// What the Logs page filters by; all optional.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub key_id: Option<String>,
    /// 2, 4 or 5: the status class.
    pub status_class: Option<i32>,
    /// Paths starting with this text.
    pub path_prefix: Option<String>,
}

/// Rows per batched insert on PostgreSQL (13 bound parameters a row).
const CHUNK: usize = 500;

/// On SQLite, batches of 64 rows, then of 8, then single rows: each size has one text,
/// which diesel caches (a fixed-size array has a static query id).
const SQLITE_BIG: usize = 64;
const SQLITE_SMALL: usize = 8;

impl RequestLogRow {
    /// Inserts a batch. Callers run it in one transaction, so a failed batch leaves
    /// nothing behind to collide with.
    ///
    /// On SQLite, INSERTs of a fixed number of rows (64, 8, 1), on the concrete
    /// connection: each text never changes, so diesel prepares it once per connection and
    /// a batch costs a bind and a step (SPEC §15); the statement's own overhead (the
    /// cache lookup, the VDBE's start and reset) is paid once per 64 lines, not per line.
    /// A multi-row INSERT of any length has a text that changes with the batch size, so
    /// diesel cannot cache it and SQLite would parse and plan it again at every flush.
    /// On PostgreSQL a statement is a round trip: a few hundred rows per statement.
    pub fn insert_batch(conn: &mut DbConn, rows: &[RequestLogRow]) -> QueryResult<usize> {
        let mut n = 0;
        match conn {
            DbConn::Sqlite(c) => {
                let mut big = rows.chunks_exact(SQLITE_BIG);
                for chunk in &mut big {
                    n += insert_array::<SQLITE_BIG>(c, chunk)?;
                }
                let mut small = big.remainder().chunks_exact(SQLITE_SMALL);
                for chunk in &mut small {
                    n += insert_array::<SQLITE_SMALL>(c, chunk)?;
                }
                for row in small.remainder() {
                    n += diesel::insert_into(request_logs::table)
                        .values(row)
                        .execute(c)?;
                }
            }
            DbConn::Postgres(c) => {
                for chunk in rows.chunks(CHUNK) {
                    n += diesel::insert_into(request_logs::table)
                        .values(chunk)
                        .execute(c)?;
                }
            }
        }
        Ok(n)
    }

    /// Deletes the lines older than `cutoff_ms`; returns how many. One merchant and mode
    /// at a time, through the (merchant, mode, time) index: a separate index on time
    /// alone would be one more B-tree written for every line.
    pub fn purge_older_than(conn: &mut DbConn, cutoff_ms: i64) -> QueryResult<usize> {
        use crate::db::schema::merchants;
        let mut n = 0;
        for merchant in merchants::table
            .select(merchants::id)
            .load::<String>(conn)?
        {
            for livemode in [false, true] {
                n += diesel::delete(
                    request_logs::table
                        .filter(request_logs::merchant_id.eq(&merchant))
                        .filter(request_logs::livemode.eq(livemode))
                        .filter(request_logs::at_ms.lt(cutoff_ms)),
                )
                .execute(conn)?;
            }
        }
        Ok(n)
    }

    /// One page of a merchant's lines in one mode, newest first, older than the line
    /// `before` (a request id of the same merchant) when given.
    pub fn list(
        conn: &mut DbConn,
        merchant_id: &str,
        livemode: bool,
        filter: &LogFilter,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let cursor = match before {
            Some(id) => match Self::find(conn, merchant_id, id)? {
                Some(row) => Some((row.at_ms, row.request_id)),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let mut query = request_logs::table
            .filter(request_logs::merchant_id.eq(merchant_id.to_owned()))
            .filter(request_logs::livemode.eq(livemode))
            .order((request_logs::at_ms.desc(), request_logs::request_id.desc()))
            .limit(limit)
            .into_boxed();
        if let Some((at, id)) = cursor {
            query = query.filter(
                request_logs::at_ms.lt(at).or(request_logs::at_ms
                    .eq(at)
                    .and(request_logs::request_id.lt(id))),
            );
        }
        if let Some(key) = &filter.key_id {
            query = query.filter(request_logs::key_id.eq(key.clone()));
        }
        if let Some(class) = filter.status_class {
            query = query
                .filter(request_logs::status.ge(class * 100))
                .filter(request_logs::status.lt(class * 100 + 100));
        }
        if let Some(prefix) = &filter.path_prefix {
            let escaped: String = prefix
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            query = query.filter(request_logs::path.like(format!("{escaped}%")).escape('\\'));
        }
        query.select(Self::as_select()).load(conn)
    }

    /// The line with this request id, if it is the merchant's.
    pub fn find(
        conn: &mut DbConn,
        merchant_id: &str,
        request_id: &str,
    ) -> QueryResult<Option<Self>> {
        request_logs::table
            .filter(request_logs::request_id.eq(request_id))
            .filter(request_logs::merchant_id.eq(merchant_id))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// A key's latest `n` lines, newest first.
    pub fn latest_for_key(conn: &mut DbConn, key_id: &str, n: i64) -> QueryResult<Vec<Self>> {
        request_logs::table
            .filter(request_logs::key_id.eq(key_id))
            .order((request_logs::at_ms.desc(), request_logs::request_id.desc()))
            .limit(n)
            .select(Self::as_select())
            .load(conn)
    }
}

/// A key's requests in one hour, by status class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = key_usage_hourly)]
pub struct HourlyUsage {
    pub hour: i64,
    pub class_2xx: i64,
    pub class_4xx: i64,
    pub class_5xx: i64,
}

/// One INSERT of exactly `N` rows (`chunk` has `N`): a fixed-size array, so diesel
/// caches the statement.
fn insert_array<const N: usize>(
    c: &mut diesel::SqliteConnection,
    chunk: &[RequestLogRow],
) -> QueryResult<usize> {
    let Ok(rows) = <&[RequestLogRow; N]>::try_from(chunk) else {
        return Err(diesel::result::Error::QueryBuilderError(
            "a request log batch of the wrong size".into(),
        ));
    };
    diesel::insert_into(request_logs::table)
        .values(rows)
        .execute(c)
}

/// Adds `counts` (2xx, 4xx, 5xx) to the key's counters for `hour`.
pub fn add_usage(conn: &mut DbConn, key_id: &str, hour: i64, counts: [i64; 3]) -> QueryResult<()> {
    use key_usage_hourly::dsl as u;
    crate::on_backend!(conn, |c| diesel::insert_into(u::key_usage_hourly)
        .values((
            u::key_id.eq(key_id),
            u::hour.eq(hour),
            u::class_2xx.eq(counts[0]),
            u::class_4xx.eq(counts[1]),
            u::class_5xx.eq(counts[2]),
        ))
        .on_conflict((u::key_id, u::hour))
        .do_update()
        .set((
            u::class_2xx.eq(u::class_2xx + excluded(u::class_2xx)),
            u::class_4xx.eq(u::class_4xx + excluded(u::class_4xx)),
            u::class_5xx.eq(u::class_5xx + excluded(u::class_5xx)),
        ))
        .execute(c))?;
    Ok(())
}

/// Adds `n` requests that needed `scope` to the key's counter for `hour`.
pub fn add_scope_use(
    conn: &mut DbConn,
    key_id: &str,
    scope: &str,
    hour: i64,
    n: i64,
) -> QueryResult<()> {
    use key_scope_hourly::dsl as s;
    crate::on_backend!(conn, |c| diesel::insert_into(s::key_scope_hourly)
        .values((
            s::key_id.eq(key_id),
            s::scope.eq(scope),
            s::hour.eq(hour),
            s::requests.eq(n),
        ))
        .on_conflict((s::key_id, s::scope, s::hour))
        .do_update()
        .set(s::requests.eq(s::requests + excluded(s::requests)))
        .execute(c))?;
    Ok(())
}

/// A key's hourly counters from `since` (an hour start) on, oldest first.
pub fn usage_since(conn: &mut DbConn, key_id: &str, since: i64) -> QueryResult<Vec<HourlyUsage>> {
    key_usage_hourly::table
        .filter(key_usage_hourly::key_id.eq(key_id))
        .filter(key_usage_hourly::hour.ge(since))
        .order(key_usage_hourly::hour.asc())
        .select(HourlyUsage::as_select())
        .load(conn)
}

/// A merchant's requests in one mode from `since` (an hour start) on, by status class:
/// [2xx, 4xx, 5xx], summed over its keys (the overview's error rate).
pub fn merchant_usage_since(
    conn: &mut DbConn,
    merchant_id: &str,
    livemode: bool,
    since: i64,
) -> QueryResult<[i64; 3]> {
    use crate::db::schema::api_keys;
    let keys = api_keys::table
        .filter(api_keys::merchant_id.eq(merchant_id.to_owned()))
        .filter(api_keys::mode.eq(if livemode { "live" } else { "test" }))
        .select(api_keys::id);
    let rows: Vec<(i64, i64, i64)> = key_usage_hourly::table
        .filter(key_usage_hourly::key_id.eq_any(keys))
        .filter(key_usage_hourly::hour.ge(since))
        .select((
            key_usage_hourly::class_2xx,
            key_usage_hourly::class_4xx,
            key_usage_hourly::class_5xx,
        ))
        .load(conn)?;
    Ok(rows
        .iter()
        .fold([0; 3], |t, r| [t[0] + r.0, t[1] + r.1, t[2] + r.2]))
}

/// The scopes a key's admitted requests needed from `since` on, sorted.
pub fn scopes_used_since(conn: &mut DbConn, key_id: &str, since: i64) -> QueryResult<Vec<String>> {
    key_scope_hourly::table
        .filter(key_scope_hourly::key_id.eq(key_id))
        .filter(key_scope_hourly::hour.ge(since))
        .select(key_scope_hourly::scope)
        .distinct()
        .order(key_scope_hourly::scope.asc())
        .load(conn)
}

/// Deletes counters for hours before `cutoff` (both tables); returns how many rows.
pub fn purge_usage_before(conn: &mut DbConn, cutoff: i64) -> QueryResult<usize> {
    Ok(
        diesel::delete(key_usage_hourly::table.filter(key_usage_hourly::hour.lt(cutoff)))
            .execute(conn)?
            + diesel::delete(key_scope_hourly::table.filter(key_scope_hourly::hour.lt(cutoff)))
                .execute(conn)?,
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use diesel::connection::InstrumentationEvent;

    use super::*;

    fn row(n: i64, error_code: Option<&str>) -> RequestLogRow {
        RequestLogRow {
            request_id: format!("req_{n}"),
            merchant_id: "mer_1".into(),
            livemode: false,
            key_id: "key_1".into(),
            at_ms: n,
            method: "GET".into(),
            path: "/api/v1/whoami".into(),
            status: 200,
            error_code: error_code.map(str::to_owned),
            latency_us: 1,
            client_ip: None,
            api_version: "2026-11-01".into(),
            replayed: false,
        }
    }

    #[test]
    fn sqlite_prepares_each_log_insert_once_for_all_flushes() {
        let mut conn = crate::db::connect_one("sqlite://:memory:").unwrap();
        crate::db::migrate_conn(&mut conn).unwrap();
        let (prepared, run) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
        let (p, r) = (prepared.clone(), run.clone());
        let DbConn::Sqlite(c) = &mut conn else {
            unreachable!()
        };
        let watch = move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::CacheQuery { sql, .. } if sql.contains("request_logs") => {
                *p.lock().unwrap() += 1;
            }
            InstrumentationEvent::StartQuery { query, .. }
                if query.to_string().contains("request_logs") =>
            {
                *r.lock().unwrap() += 1;
            }
            _ => {}
        };
        c.set_instrumentation(watch);
        // Two flushes of 64 + 8 + 3 lines, with and without their optional fields.
        let lines = |from: i64| -> Vec<RequestLogRow> {
            (from..from + 75)
                .map(|n| row(n, (n % 3 == 0).then_some("not_found")))
                .collect()
        };
        assert_eq!(
            RequestLogRow::insert_batch(&mut conn, &lines(0)).unwrap(),
            75
        );
        assert_eq!(
            RequestLogRow::insert_batch(&mut conn, &lines(100)).unwrap(),
            75
        );
        assert_eq!(
            *run.lock().unwrap(),
            2 * 5,
            "one statement per 64, per 8, per line"
        );
        assert_eq!(
            *prepared.lock().unwrap(),
            3,
            "each size prepared once, then cached"
        );
        let DbConn::Sqlite(c) = &mut conn else {
            unreachable!()
        };
        let written: i64 = request_logs::table.count().get_result(c).unwrap();
        assert_eq!(written, 150);
    }
}

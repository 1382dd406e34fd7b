//! The request log's rows and the per-key usage counters (hourly by status class, and
//! hourly by scope used): written in batches by `telemetry::request_log`, read by the
//! Logs pages, the key page and the usage API.

use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::DbConn;
use crate::db::models::request_log_chunk as chunk;
pub use crate::db::models::request_log_chunk::RequestLogRow;
use crate::db::schema::{key_scope_hourly, key_usage_hourly};

/// What the Logs page filters by; all optional.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub key_id: Option<String>,
    /// 2, 4 or 5: the status class.
    pub status_class: Option<i32>,
    /// Paths starting with this text.
    pub path_prefix: Option<String>,
}

impl RequestLogRow {
    /// Deletes the lines older than `cutoff_ms`, a chunk at a time (so a line may stay up
    /// to a minute longer); returns how many chunks.
    pub fn purge_older_than(conn: &mut DbConn, cutoff_ms: i64) -> QueryResult<usize> {
        chunk::purge_older_than(conn, cutoff_ms)
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
        let among = chunk::Among::Merchant {
            merchant_id,
            livemode,
            key_id: filter.key_id.as_deref(),
        };
        let keep = |row: &Self| {
            filter
                .status_class
                .is_none_or(|class| row.status / 100 == class)
                && filter
                    .path_prefix
                    .as_deref()
                    .is_none_or(|prefix| row.path.starts_with(prefix))
        };
        let limit = usize::try_from(limit).unwrap_or(0);
        chunk::scan(conn, &among, cursor.as_ref(), &keep, limit)
    }

    /// The line with this request id, if it is the merchant's.
    pub fn find(
        conn: &mut DbConn,
        merchant_id: &str,
        request_id: &str,
    ) -> QueryResult<Option<Self>> {
        chunk::find(conn, Some(merchant_id), request_id)
    }

    /// The line with this request id, whoever's it is (for the CLI's and tests' checks).
    pub fn find_any(conn: &mut DbConn, request_id: &str) -> QueryResult<Option<Self>> {
        chunk::find(conn, None, request_id)
    }

    /// A key's latest `n` lines, newest first.
    pub fn latest_for_key(conn: &mut DbConn, key_id: &str, n: i64) -> QueryResult<Vec<Self>> {
        let n = usize::try_from(n).unwrap_or(0);
        chunk::scan(conn, &chunk::Among::Key(key_id), None, &|_| true, n)
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

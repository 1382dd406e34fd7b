//! Where the request log's lines are kept: in chunks (SPEC §15, migration
//! `2026-12-04-010000_request_log_chunks`). A chunk holds one key's lines of one flush, at
//! most [`MAX_LINES`] spanning at most [`MAX_SPAN_MS`], as a JSON array of
//! `[request_id, at_ms, method, path, status, error_code, latency_us, client_ip,
//! api_version, replayed]`; a flush writes one row per key it saw, not one per request.
//!
//! A row per line cost SQLite four B-tree inserts (the table, the request id's unique
//! index, two time indexes) and 13 bound values: 17k instructions a line, more than half
//! of a bare server's whole request. A chunk's line costs its JSON (a few hundred
//! instructions) and a share of one insert.
//!
//! Readers take chunks newest first (by their last line's time) and merge their lines:
//! chunks of one key may overlap in time (two instances, or lines noted out of order), so
//! a line is given only once no chunk still unread can hold a newer one. A line is found
//! by its request id through the time the id carries (`req_` + 12 hex digits of
//! milliseconds, `ids::request_id`), among the chunks of that minute or so.

use std::borrow::Cow;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::DbConn;
use crate::db::schema::request_log_chunks as chunks;
use crate::maps::FastMap;

/// One API request whose key was identified, as the Logs pages show it (kept in chunks).
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Lines in one chunk at most: a reader decodes a chunk whole.
pub const MAX_LINES: usize = 500;
/// The most time (between its first and last line) one chunk spans. Finding a line by
/// its id looks this far, plus [`NOTED_LATE_MS`], past the id's time.
pub const MAX_SPAN_MS: i64 = 60_000;
/// How long after its id was made a line may be noted: a line's time is taken when the
/// answer is ready, its id when the request arrived.
const NOTED_LATE_MS: i64 = 10 * 60_000;
/// How far before its id's time a line may be noted: only if the clock was set back
/// between the two readings (both come from `clock::now_ms`).
const CLOCK_STEP_MS: i64 = 60_000;
/// Chunks read at first, doubled each time more are needed (for a page of 50 lines,
/// a busy key's first chunk is usually enough).
const FIRST_READ: i64 = 4;

/// One line as written, borrowed from what the gate noted: a flush copies only a path
/// with a secret in it (redacted), and writes each client address as text once.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    pub request_id: &'a str,
    pub merchant_id: &'a str,
    pub livemode: bool,
    pub key_id: &'a str,
    pub at_ms: i64,
    pub method: &'a str,
    /// The path without its query string, secrets redacted.
    pub path: Cow<'a, str>,
    pub status: i32,
    pub error_code: Option<&'a str>,
    /// Microseconds.
    pub latency_us: i32,
    pub client_ip: Option<&'a str>,
    pub api_version: &'a str,
    pub replayed: bool,
}

/// A line in a chunk's JSON, as written.
#[derive(Serialize)]
struct Written<'a>(
    &'a str,
    i64,
    &'a str,
    &'a str,
    i32,
    Option<&'a str>,
    i32,
    Option<&'a str>,
    &'a str,
    bool,
);

/// A line in a chunk's JSON, as read.
#[derive(Deserialize)]
struct Read(
    String,
    i64,
    String,
    String,
    i32,
    Option<String>,
    i32,
    Option<String>,
    String,
    bool,
);

#[derive(Debug, Insertable, Queryable, Selectable)]
#[diesel(table_name = chunks)]
struct ChunkRow {
    first_request_id: String,
    merchant_id: String,
    livemode: bool,
    key_id: String,
    first_at_ms: i64,
    last_at_ms: i64,
    line_count: i32,
    lines: String,
}

/// A chunk being filled.
struct Filling {
    row: ChunkRow,
    json: Vec<u8>,
}

impl Filling {
    fn start(l: &Line<'_>) -> Self {
        let mut json = Vec::with_capacity(4096);
        json.push(b'[');
        Self {
            row: ChunkRow {
                first_request_id: l.request_id.to_owned(),
                merchant_id: l.merchant_id.to_owned(),
                livemode: l.livemode,
                key_id: l.key_id.to_owned(),
                first_at_ms: l.at_ms,
                last_at_ms: l.at_ms,
                line_count: 0,
                lines: String::new(),
            },
            json,
        }
    }

    /// Whether `l` may join this chunk.
    fn takes(&self, l: &Line<'_>) -> bool {
        let r = &self.row;
        (r.line_count as usize) < MAX_LINES
            && r.merchant_id == l.merchant_id
            && r.livemode == l.livemode
            && r.last_at_ms.max(l.at_ms) - r.first_at_ms.min(l.at_ms) <= MAX_SPAN_MS
    }

    fn push(&mut self, l: &Line<'_>) -> serde_json::Result<()> {
        if self.row.line_count > 0 {
            self.json.push(b',');
        }
        let written = Written(
            l.request_id,
            l.at_ms,
            l.method,
            &l.path,
            l.status,
            l.error_code,
            l.latency_us,
            l.client_ip,
            l.api_version,
            l.replayed,
        );
        serde_json::to_writer(&mut self.json, &written)?;
        let r = &mut self.row;
        r.line_count += 1;
        r.first_at_ms = r.first_at_ms.min(l.at_ms);
        r.last_at_ms = r.last_at_ms.max(l.at_ms);
        Ok(())
    }

    fn finish(mut self) -> ChunkRow {
        self.json.push(b']');
        // serde_json writes UTF-8 only.
        self.row.lines = String::from_utf8(self.json).unwrap_or_default();
        self.row
    }
}

/// The chunks `lines` make: one per key, a new one when a chunk is full or would span
/// too long.
fn chunks_of(lines: &[Line<'_>]) -> serde_json::Result<Vec<ChunkRow>> {
    let mut done = Vec::new();
    let mut open: FastMap<&str, Filling> = FastMap::default();
    for l in lines {
        match open.get_mut(l.key_id) {
            Some(f) if f.takes(l) => f.push(l)?,
            _ => {
                let mut f = Filling::start(l);
                f.push(l)?;
                if let Some(full) = open.insert(l.key_id, f) {
                    done.push(full.finish());
                }
            }
        }
    }
    done.extend(open.into_values().map(Filling::finish));
    Ok(done)
}

/// Writes a batch of lines in one transaction, all or none; returns how many.
pub fn write_lines(conn: &mut DbConn, lines: &[Line<'_>]) -> QueryResult<usize> {
    let rows =
        chunks_of(lines).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    crate::db::transaction(conn, |c| {
        for row in &rows {
            // One text whatever the chunk: cached on SQLite (on the concrete connection).
            crate::on_backend!(&mut *c, |c| diesel::insert_into(chunks::table)
                .values(row)
                .execute(c))?;
        }
        Ok(lines.len())
    })
}

impl ChunkRow {
    fn rows(&self) -> QueryResult<impl Iterator<Item = RequestLogRow> + '_> {
        let read: Vec<Read> = serde_json::from_str(&self.lines)
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
        Ok(read.into_iter().map(|r| RequestLogRow {
            request_id: r.0,
            merchant_id: self.merchant_id.clone(),
            livemode: self.livemode,
            key_id: self.key_id.clone(),
            at_ms: r.1,
            method: r.2,
            path: r.3,
            status: r.4,
            error_code: r.5,
            latency_us: r.6,
            client_ip: r.7,
            api_version: r.8,
            replayed: r.9,
        }))
    }
}

/// Whose chunks a read walks.
pub enum Among<'a> {
    /// A merchant's, in one mode, of one key if given.
    Merchant {
        merchant_id: &'a str,
        livemode: bool,
        key_id: Option<&'a str>,
    },
    /// One key's.
    Key(&'a str),
}

/// `(at_ms, request_id)`: a line's place, newest first.
pub type Place = (i64, String);

/// Up to `limit` lines of `among`, newest first (by time, then request id), older than
/// `below` when given, that `keep` accepts.
pub fn scan(
    conn: &mut DbConn,
    among: &Among<'_>,
    below: Option<&Place>,
    keep: &dyn Fn(&RequestLogRow) -> bool,
    limit: usize,
) -> QueryResult<Vec<RequestLogRow>> {
    let mut out = Vec::new();
    let mut waiting: Vec<RequestLogRow> = Vec::new();
    let mut after: Option<(i64, String)> = None;
    let mut read = FIRST_READ;
    loop {
        let page = chunks_page(conn, among, below.map(|b| b.0), after.as_ref(), read)?;
        let last = page.len() < read as usize;
        for chunk in &page {
            for row in chunk.rows()? {
                let older = below.is_none_or(|(at, id)| (row.at_ms, &row.request_id) < (*at, id));
                if older && keep(&row) {
                    waiting.push(row);
                }
            }
        }
        // Chunks not read yet hold only lines at or before the last one read's newest.
        let horizon = page.last().map(|c| c.last_at_ms).filter(|_| !last);
        after = page
            .last()
            .map(|c| (c.last_at_ms, c.first_request_id.clone()));
        waiting.sort_unstable_by(|a, b| (b.at_ms, &b.request_id).cmp(&(a.at_ms, &a.request_id)));
        let settled = match horizon {
            None => waiting.len(),
            Some(h) => waiting.iter().take_while(|r| r.at_ms > h).count(),
        };
        out.extend(waiting.drain(..settled));
        if out.len() >= limit || last {
            out.truncate(limit);
            return Ok(out);
        }
        read = (read * 2).min(256);
    }
}

/// Up to `n` chunks of `among`, newest first, after `after` (a chunk's place) when given,
/// whose first line is at or before `first_by` when given.
fn chunks_page(
    conn: &mut DbConn,
    among: &Among<'_>,
    first_by: Option<i64>,
    after: Option<&(i64, String)>,
    n: i64,
) -> QueryResult<Vec<ChunkRow>> {
    let mut query = chunks::table.into_boxed();
    match among {
        Among::Merchant {
            merchant_id,
            livemode,
            key_id,
        } => {
            query = query
                .filter(chunks::merchant_id.eq(merchant_id.to_string()))
                .filter(chunks::livemode.eq(*livemode));
            if let Some(key) = key_id {
                query = query.filter(chunks::key_id.eq(key.to_string()));
            }
        }
        Among::Key(key) => query = query.filter(chunks::key_id.eq(key.to_string())),
    }
    if let Some(at) = first_by {
        query = query.filter(chunks::first_at_ms.le(at));
    }
    if let Some((last_at, id)) = after {
        query = query.filter(
            chunks::last_at_ms.lt(*last_at).or(chunks::last_at_ms
                .eq(*last_at)
                .and(chunks::first_request_id.lt(id.clone()))),
        );
    }
    query
        .order((chunks::last_at_ms.desc(), chunks::first_request_id.desc()))
        .limit(n)
        .select(ChunkRow::as_select())
        .load(conn)
}

/// The time a request id was made (`req_` and 12 hex digits of Unix milliseconds).
fn time_of(request_id: &str) -> Option<i64> {
    let hex = request_id.strip_prefix("req_")?.get(..12)?;
    i64::from_str_radix(hex, 16).ok()
}

/// The line with `request_id`, of `merchant_id` when given (either mode).
pub fn find(
    conn: &mut DbConn,
    merchant_id: Option<&str>,
    request_id: &str,
) -> QueryResult<Option<RequestLogRow>> {
    let Some(made) = time_of(request_id) else {
        return Ok(None);
    };
    let escaped = crate::db::models::scope::like_escape(request_id);
    let mut query = chunks::table
        .filter(chunks::last_at_ms.ge(made - CLOCK_STEP_MS))
        .filter(chunks::last_at_ms.le(made + MAX_SPAN_MS + NOTED_LATE_MS))
        .filter(chunks::first_at_ms.le(made + NOTED_LATE_MS))
        .filter(chunks::lines.like(format!("%\"{escaped}\"%")).escape('\\'))
        .into_boxed();
    if let Some(merchant) = merchant_id {
        query = query
            .filter(chunks::merchant_id.eq(merchant.to_owned()))
            .filter(chunks::livemode.eq_any([false, true]));
    }
    for chunk in query.select(ChunkRow::as_select()).load(conn)? {
        if let Some(row) = chunk.rows()?.find(|r| r.request_id == request_id) {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// Deletes the chunks whose newest line is older than `cutoff_ms` (a chunk spans at
/// most a minute); returns how many. One merchant and mode at a time, through the
/// (merchant, mode, time) index.
pub fn purge_older_than(conn: &mut DbConn, cutoff_ms: i64) -> QueryResult<usize> {
    use crate::db::schema::merchants;
    let mut n = 0;
    for merchant in merchants::table
        .select(merchants::id)
        .load::<String>(conn)?
    {
        for livemode in [false, true] {
            n += diesel::delete(
                chunks::table
                    .filter(chunks::merchant_id.eq(&merchant))
                    .filter(chunks::livemode.eq(livemode))
                    .filter(chunks::last_at_ms.lt(cutoff_ms)),
            )
            .execute(conn)?;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests;

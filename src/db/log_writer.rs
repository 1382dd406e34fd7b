//! Writing the request log's lines (SPEC §15: a line costs a few thousand instructions to
//! write, not tens of thousands).
//!
//! On a SQLite file the lines go through a connection of their own, opened with rusqlite:
//! cached INSERTs of 64, 8 and 1 rows, each of a line's 13 values bound straight to
//! sqlite3, in one `BEGIN IMMEDIATE` transaction per flush.
//! Through diesel the same batch cost 26k instructions a line, more than half of them
//! binding the values and looking up the 64-row statement; SQLite itself spends about 9k.
//! On PostgreSQL (a statement is a round trip), and on an in-memory SQLite database that a
//! second connection could not see, the lines go through diesel as multi-row INSERTs
//! (`RequestLogRow::insert_batch`).

use std::borrow::Cow;
use std::sync::Mutex;
use std::time::Duration;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::DbConn;
use crate::db::models::request_log::RequestLogRow;

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

impl Line<'_> {
    /// The owned row, for diesel's INSERT.
    fn to_row(&self) -> RequestLogRow {
        RequestLogRow {
            request_id: self.request_id.to_owned(),
            merchant_id: self.merchant_id.to_owned(),
            livemode: self.livemode,
            key_id: self.key_id.to_owned(),
            at_ms: self.at_ms,
            method: self.method.to_owned(),
            path: self.path.clone().into_owned(),
            status: self.status,
            error_code: self.error_code.map(str::to_owned),
            latency_us: self.latency_us,
            client_ip: self.client_ip.map(str::to_owned),
            api_version: self.api_version.to_owned(),
            replayed: self.replayed,
        }
    }
}

/// Rows per INSERT: 64, then 8, then 1. Each size has one text, prepared once per
/// connection (rusqlite's statement cache), and a statement opens its four B-trees
/// (the table, its key and two indexes) once for all its rows: a single-row INSERT run
/// per line spent more starting and stopping than writing.
const SIZES: [usize; 3] = [64, 8, 1];

/// The INSERT of `rows` rows, 13 numbered parameters each.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO request_logs (request_id, merchant_id, livemode, key_id, at_ms, method, \
         path, status, error_code, latency_us, client_ip, api_version, replayed) VALUES ",
    );
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 1..=13 {
            if c > 1 {
                sql.push_str(", ");
            }
            sql.push('?');
            sql.push_str(&(r * 13 + c).to_string());
        }
        sql.push(')');
    }
    sql
}

fn insert_texts() -> &'static [String; 3] {
    static TEXTS: std::sync::OnceLock<[String; 3]> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| SIZES.map(insert_sql))
}

/// Binds `l` as the row whose first parameter is `base + 1`.
fn bind_line(
    stmt: &mut rusqlite::Statement<'_>,
    base: usize,
    l: &Line<'_>,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(base + 1, l.request_id)?;
    stmt.raw_bind_parameter(base + 2, l.merchant_id)?;
    stmt.raw_bind_parameter(base + 3, l.livemode)?;
    stmt.raw_bind_parameter(base + 4, l.key_id)?;
    stmt.raw_bind_parameter(base + 5, l.at_ms)?;
    stmt.raw_bind_parameter(base + 6, l.method)?;
    stmt.raw_bind_parameter(base + 7, &*l.path)?;
    stmt.raw_bind_parameter(base + 8, l.status)?;
    stmt.raw_bind_parameter(base + 9, l.error_code)?;
    stmt.raw_bind_parameter(base + 10, l.latency_us)?;
    stmt.raw_bind_parameter(base + 11, l.client_ip)?;
    stmt.raw_bind_parameter(base + 12, l.api_version)?;
    stmt.raw_bind_parameter(base + 13, l.replayed)
}

/// The request log's own connection to a SQLite file, opened on first use (after the
/// migrations made the table) and again after a failure.
pub struct LineWriter {
    path: String,
    conn: Mutex<Option<rusqlite::Connection>>,
}

impl LineWriter {
    /// A writer for the SQLite database at `path` (as given in `sqlite://PATH`); None for
    /// an in-memory database, which only the pool's own connection can see.
    pub fn for_sqlite(path: &str) -> Option<Self> {
        if crate::db::in_memory(path) {
            return None;
        }
        Some(Self {
            path: path.to_owned(),
            conn: Mutex::new(None),
        })
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open(&self.path)?;
        // As the pool's connections (`db::prepare`); WAL is the file's, set by them.
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(conn)
    }

    /// Writes the lines in one transaction; all or none.
    fn write(&self, lines: &[Line<'_>]) -> rusqlite::Result<usize> {
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let conn = match slot.take() {
            Some(conn) => slot.insert(conn),
            None => slot.insert(self.open()?),
        };
        let written = Self::write_on(conn, lines);
        if written.is_err() {
            // Opened anew next time: nothing of a failed connection is kept.
            *slot = None;
        }
        written
    }

    fn write_on(conn: &mut rusqlite::Connection, lines: &[Line<'_>]) -> rusqlite::Result<usize> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut rest = lines;
        for (size, sql) in SIZES.iter().zip(insert_texts()) {
            if rest.len() < *size {
                continue;
            }
            let mut insert = tx.prepare_cached(sql)?;
            while rest.len() >= *size {
                let (chunk, after) = rest.split_at(*size);
                for (i, l) in chunk.iter().enumerate() {
                    bind_line(&mut insert, i * 13, l)?;
                }
                insert.raw_execute()?;
                rest = after;
            }
        }
        tx.commit()?;
        Ok(lines.len())
    }
}

/// Writes a batch of lines, all or none: through `writer` when there is one (a SQLite
/// file), else through `conn` in one transaction. Returns how many.
pub fn write_lines(
    conn: &mut DbConn,
    writer: Option<&LineWriter>,
    lines: &[Line<'_>],
) -> diesel::QueryResult<usize> {
    match writer {
        Some(writer) => writer.write(lines).map_err(|e| {
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(e.to_string()))
        }),
        None => {
            let rows: Vec<RequestLogRow> = lines.iter().map(Line::to_row).collect();
            crate::db::transaction(conn, |c| RequestLogRow::insert_batch(c, &rows))
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;
    use crate::db::schema::request_logs;

    fn ids(range: std::ops::Range<i64>) -> Vec<(i64, String)> {
        range.map(|n| (n, format!("req_{n:06}"))).collect()
    }

    fn line(&(n, ref id): &(i64, String)) -> Line<'_> {
        Line {
            request_id: id,
            merchant_id: "mer_1",
            livemode: n % 2 == 1,
            key_id: "key_1",
            at_ms: n,
            method: "GET",
            path: Cow::Owned(format!("/api/v1/customers/cus_{n}é\"\\")),
            status: if n % 4 == 0 { 404 } else { 200 },
            error_code: (n % 4 == 0).then_some("resource_missing"),
            latency_us: 1234,
            client_ip: (n % 3 == 0).then_some("2001:db8::1"),
            api_version: "2026-11-01",
            replayed: n % 5 == 0,
        }
    }

    /// A migrated SQLite file in a temporary folder, and its writer.
    fn file_db() -> (tempfile::TempDir, DbConn, LineWriter) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db").to_string_lossy().into_owned();
        let mut conn = crate::db::connect_one(&format!("sqlite://{path}")).unwrap();
        crate::db::migrate_conn(&mut conn).unwrap();
        let writer = LineWriter::for_sqlite(&path).expect("a file gets a writer");
        (dir, conn, writer)
    }

    /// Writes 75 lines through `writer` (or diesel) and reads them back through diesel.
    fn round_trip(conn: &mut DbConn, writer: Option<&LineWriter>) {
        let ids = ids(0..75);
        let lines: Vec<Line> = ids.iter().map(line).collect();
        assert_eq!(write_lines(conn, writer, &lines).unwrap(), 75);
        let rows: Vec<RequestLogRow> = request_logs::table
            .order(request_logs::request_id.asc())
            .select(RequestLogRow::as_select())
            .load(conn)
            .unwrap();
        assert_eq!(rows.len(), 75);
        for (row, line) in rows.iter().zip(&lines) {
            let expected = line.to_row();
            assert_eq!(
                format!("{row:?}"),
                format!("{expected:?}"),
                "every field as written"
            );
        }
    }

    #[test]
    fn on_a_sqlite_file_lines_go_through_their_own_connection_and_read_back_whole() {
        let (_dir, mut conn, writer) = file_db();
        round_trip(&mut conn, Some(&writer));
        // A second flush reuses the connection and its statement.
        let more = ids(100..103);
        let lines: Vec<Line> = more.iter().map(line).collect();
        assert_eq!(write_lines(&mut conn, Some(&writer), &lines).unwrap(), 3);
        let n: i64 = request_logs::table.count().get_result(&mut conn).unwrap();
        assert_eq!(n, 78);
    }

    #[test]
    fn a_failed_batch_writes_nothing_and_the_next_one_works() {
        let (_dir, mut conn, writer) = file_db();
        let ids = ids(0..3);
        // The third line repeats the first's request id: the primary key refuses it.
        let mut lines: Vec<Line> = ids.iter().map(line).collect();
        lines[2].request_id = lines[0].request_id;
        assert!(write_lines(&mut conn, Some(&writer), &lines).is_err());
        let n: i64 = request_logs::table.count().get_result(&mut conn).unwrap();
        assert_eq!(n, 0, "all or none");
        lines.truncate(2);
        assert_eq!(write_lines(&mut conn, Some(&writer), &lines).unwrap(), 2);
    }

    #[test]
    fn in_memory_databases_write_through_diesel() {
        assert!(LineWriter::for_sqlite(":memory:").is_none());
        assert!(LineWriter::for_sqlite("file::memory:?cache=shared").is_none());
        let mut conn = crate::db::connect_one("sqlite://:memory:").unwrap();
        crate::db::migrate_conn(&mut conn).unwrap();
        round_trip(&mut conn, None);
    }
}

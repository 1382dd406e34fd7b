//! One file per stored entity: its row type and the queries that touch its table.

/// The body of an outbox's `claim_due` (webhook deliveries, mails): takes up to `limit`
/// pending rows due by `now_ms` for one attempt each, moving their due time `lease_ms`
/// ahead so no other instance takes them meanwhile. A plain read comes first, so an idle
/// poll takes no write lock; on PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED`,
/// so concurrent instances take disjoint rows; on SQLite the write lock does the same.
macro_rules! claim_due_rows {
    ($conn:expr, $table:ident, $row:ty, $now_ms:expr, $lease_ms:expr, $limit:expr) => {{
        let (now_ms, lease_ms, limit): (i64, i64, i64) = ($now_ms, $lease_ms, $limit);
        let any_due: Vec<String> = $table::table
            .filter($table::status.eq("pending"))
            .filter($table::next_attempt_at.le(now_ms))
            .select($table::id)
            .limit(1)
            .load($conn)?;
        if any_due.is_empty() {
            return Ok(vec![]);
        }
        crate::db::transaction($conn, |conn| {
            macro_rules! due {
                () => {
                    $table::table
                        .filter($table::status.eq("pending"))
                        .filter($table::next_attempt_at.le(now_ms))
                        .order($table::next_attempt_at.asc())
                        .limit(limit)
                        .select(<$row>::as_select())
                };
            }
            let due: Vec<$row> = match conn {
                DbConn::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
                DbConn::Sqlite(sqlite) => due!().load(sqlite)?,
            };
            for row in &due {
                diesel::update($table::table.find(&row.id))
                    .set($table::next_attempt_at.eq(now_ms + lease_ms))
                    .execute(conn)?;
            }
            Ok(due)
        })
    }};
}

pub mod api_key;
pub mod audit;
pub mod events;
pub mod forms;
pub mod idempotency;
pub mod invitation;
pub mod key_policy;
pub mod mail;
pub mod management_key;
pub mod merchant;
pub mod notices;
pub mod objects;
pub mod password_reset;
pub mod request_log;
pub mod request_log_chunk;
pub mod scope;
pub mod session;
pub mod spend;
pub mod user;
pub mod webhook_attempts;
pub mod webhooks;

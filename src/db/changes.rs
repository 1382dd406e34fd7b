//! Announcing changes that caches must forget (SPEC §8): a key, a merchant, a key hash.
//!
//! [`announce`] runs inside the changing transaction. On PostgreSQL it sends
//! `pg_notify('paydesk_invalidate', target)`, delivered to every instance's listener
//! exactly when the transaction commits (`keys/invalidation.rs`). In this process, the
//! target is noted on the running thread, and [`super::Db::run`] hands it to the cache
//! once the work has returned: after the commit, before anyone is answered.
//!
//! Targets: `key:<key id>`, `merchant:<merchant id>`, `hash:<hex SHA-256 of a key>`,
//! `object:<id>` (an object the read cache may hold, `db::read_cache`),
//! and wake-ups for the workers of every instance ([`wake`]): `wake:mail` (a mail was
//! queued), `wake:deliveries` (a webhook delivery was queued), and `wake:all`, which this
//! process notes for itself when its listener starts (anything may have been missed).

use std::cell::RefCell;

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use super::DbConn;
use crate::error::Error;

pub const CHANNEL: &str = "paydesk_invalidate";

thread_local! {
    /// Targets announced by the work running on this thread.
    static NOTED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Announces that `target` changed, inside the caller's transaction.
pub fn announce(conn: &mut DbConn, target: String) -> Result<(), Error> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(CHANNEL)
            .bind::<Text, _>(&target)
            .execute(pg)?;
    }
    NOTED.with(|n| n.borrow_mut().push(target));
    Ok(())
}

/// What wake-up targets start with: the listener hands them to the workers, not the
/// key cache.
pub const WAKE_PREFIX: &str = "wake:";
/// Wakes every worker of this instance.
pub const WAKE_ALL: &str = "wake:all";
/// Wakes the webhook delivery workers.
pub const WAKE_DELIVERIES: &str = "wake:deliveries";
/// Wakes the mail workers.
pub const WAKE_MAIL: &str = "wake:mail";

/// Wakes the workers named by `target` (`wake:…`) on every instance once the caller's
/// transaction commits: `NOTIFY` on PostgreSQL, heard by each instance's listener; on
/// SQLite (one process) only this instance's, handed over by [`super::Db::run`].
pub fn wake(conn: &mut DbConn, target: &'static str) -> Result<(), Error> {
    debug_assert!(target.starts_with(WAKE_PREFIX));
    announce(conn, target.to_owned())
}

/// What this thread's work announced since the last call.
pub(super) fn take() -> Vec<String> {
    NOTED.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

pub fn key(id: &str) -> String {
    format!("key:{id}")
}

pub fn merchant(id: &str) -> String {
    format!("merchant:{id}")
}

pub fn hash(hex: &str) -> String {
    format!("hash:{hex}")
}

/// An object the API reads by id (`cus_…`), for the read cache.
pub fn object(id: &str) -> String {
    format!("object:{id}")
}

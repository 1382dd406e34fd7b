//! Announcing changes that caches must forget (SPEC §8): a key, a merchant, a key hash.
//!
//! [`announce`] runs inside the changing transaction. On PostgreSQL it sends
//! `pg_notify('paydesk_invalidate', target)`, delivered to every instance's listener
//! exactly when the transaction commits (`keys/invalidation.rs`). In this process, the
//! target is noted on the running thread, and [`super::Db::run`] hands it to the cache
//! once the work has returned: after the commit, before anyone is answered.
//!
//! Targets: `key:<key id>`, `merchant:<merchant id>`, `hash:<hex SHA-256 of a key>`;
//! noted in this process only: `mail:queued` (see [`note`]).

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

/// Notes `target` for this process only (no `pg_notify`): a wake-up for one of this
/// instance's workers (`mail::WAKE`), handed over by [`super::Db::run`] like the others.
pub fn note(target: &str) {
    NOTED.with(|n| n.borrow_mut().push(target.to_owned()));
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

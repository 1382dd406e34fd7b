//! `last_used_at` / `last_used_ip` without a database write per request: requests note
//! their key here in memory, and a background task writes the latest use of each key in
//! one batch every few seconds.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::db::DbConn;
use crate::db::models::api_key::ApiKeyRow;

#[derive(Default)]
pub struct UsageRecorder {
    pending: Mutex<HashMap<String, (i64, Option<IpAddr>)>>,
}

impl UsageRecorder {
    /// Notes a use; only the latest per key is kept until the next flush.
    pub fn record(&self, key_id: &str, at: i64, ip: Option<IpAddr>) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        // Most requests repeat a key already noted: update it in place, without allocating.
        if let Some(last) = pending.get_mut(key_id) {
            *last = (at, ip);
            return;
        }
        pending.insert(key_id.to_owned(), (at, ip));
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
            for (key_id, (at, ip)) in &batch {
                let ip = ip.map(|ip| ip.to_string()).unwrap_or_default();
                ApiKeyRow::mark_used(conn, key_id, *at, &ip)?;
            }
            Ok::<_, diesel::result::Error>(())
        });
        if let Err(e) = written {
            // Keep the uses for the next flush, unless newer ones arrived meanwhile.
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for (key_id, used) in batch {
                pending.entry(key_id).or_insert(used);
            }
            return Err(e);
        }
        Ok(n)
    }
}

//! The background work each instance runs beside the server: the batched writes of key
//! use and of the request log, and the minute's housekeeping.

use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use crate::db::models::idempotency::IdempotencyRow;
use crate::db::models::mail::MailRow;
use crate::db::models::request_log::{self, RequestLogRow};
use crate::db::models::session::Session;
use crate::keys::cache::KeyCache;
use crate::keys::limiter::RateLimiter;
use crate::keys::usage::UsageRecorder;
use crate::telemetry::request_log::RequestLog;

/// Writes the noted key uses in one batch per interval.
pub(super) fn spawn_usage_flush(db: Db, usage: Arc<UsageRecorder>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if usage.is_empty() {
                continue;
            }
            let usage = usage.clone();
            if let Err(e) = db.run(move |c| Ok(usage.flush(c)?)).await {
                tracing::warn!(error = %e, "could not record key usage; will retry");
            }
        }
    });
}

/// Writes the request log's lines and usage counters in one batch per interval.
pub(super) fn spawn_request_log_flush(db: Db, log: Arc<RequestLog>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if log.is_empty() {
                continue;
            }
            let log = log.clone();
            if let Err(e) = db.run(move |c| Ok(log.flush(c)?)).await {
                tracing::warn!(error = %e, "could not write the request log; will retry");
            }
        }
    });
}

/// Every minute: forgets finished rate windows and old invalidations; deletes expired
/// sessions and idempotency keys (24 h), request log lines past the retention, usage
/// counters (31 days) and mails sent or given up (30 days); sends keys' expiry notices.
pub(super) fn spawn_housekeeping(
    db: Db,
    rate_limits: Arc<dyn RateLimiter>,
    keys: Arc<KeyCache>,
    every: Duration,
    log_retention_days: u32,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            rate_limits.sweep();
            keys.sweep();
            let purged = db
                .run(move |c| {
                    let now = crate::clock::now();
                    let log_cutoff_ms = (now - i64::from(log_retention_days) * 86_400) * 1000;
                    // One transaction, not one per purge (SPEC §15, idle cost).
                    let purged = crate::db::transaction(c, |c| {
                        Ok::<_, crate::error::Error>(
                            Session::purge_expired(c, now)?
                                + IdempotencyRow::purge_expired(c, now)?
                                + RequestLogRow::purge_older_than(c, log_cutoff_ms)?
                                + request_log::purge_usage_before(c, now - 31 * 86_400)?
                                + MailRow::purge_done_before(c, now - 30 * 86_400)?,
                        )
                    })?;
                    crate::keys::expiry::send_notices(c, now)?;
                    Ok(purged)
                })
                .await;
            if let Err(e) = purged {
                tracing::warn!(error = %e, "housekeeping failed; will retry");
            }
        }
    });
}

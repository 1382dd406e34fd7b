//! The outbox: one delivery row per enabled endpoint that wants an event, written in the
//! event's own transaction, so an event is never recorded without its deliveries (and a
//! crash or restart loses none).

use crate::clock;
use crate::db::DbConn;
use crate::db::models::objects::Scope;
use crate::db::models::webhooks::{DeliveryRow, EndpointRow, EventTarget};
use crate::error::Error;

fn wants(endpoint: &EventTarget, event_type: &str) -> bool {
    endpoint
        .enabled_events
        .split_whitespace()
        .any(|t| t == "*" || t == event_type)
}

/// Queues the event for every enabled endpoint of its merchant and mode that wants it.
/// Endpoints bound to a key get only that key's lifecycle events (SPEC §9).
pub fn enqueue(
    conn: &mut DbConn,
    scope: &Scope,
    event_id: &str,
    event_type: &str,
    about_key: Option<&str>,
) -> Result<usize, Error> {
    let now_ms = clock::now_ms();
    let mut queued = 0;
    for endpoint in EndpointRow::enabled_in(conn, &scope.merchant_id, scope.livemode)? {
        if !wants(&endpoint, event_type) {
            continue;
        }
        if let Some(bound) = &endpoint.api_key_id
            && about_key != Some(bound.as_str())
        {
            continue;
        }
        insert(conn, &endpoint.id, event_id, event_type, now_ms)?;
        queued += 1;
    }
    if queued > 0 {
        crate::db::changes::wake(conn, crate::db::changes::WAKE_DELIVERIES)?;
    }
    Ok(queued)
}

/// One delivery, due now (also for resends and test pings); wakes the delivery workers.
pub fn queue_one(
    conn: &mut DbConn,
    endpoint_id: &str,
    event_id: &str,
    event_type: &str,
    now_ms: i64,
) -> Result<String, Error> {
    let id = insert(conn, endpoint_id, event_id, event_type, now_ms)?;
    crate::db::changes::wake(conn, crate::db::changes::WAKE_DELIVERIES)?;
    Ok(id)
}

fn insert(
    conn: &mut DbConn,
    endpoint_id: &str,
    event_id: &str,
    event_type: &str,
    now_ms: i64,
) -> Result<String, Error> {
    let row = DeliveryRow {
        id: crate::ids::time_ordered_id("whd"),
        endpoint_id: endpoint_id.to_owned(),
        event_id: event_id.to_owned(),
        event_type: event_type.to_owned(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now_ms,
        last_status: None,
        last_error: None,
        last_latency_ms: None,
        response_body: None,
        created_at: now_ms / 1000,
        updated_at: now_ms / 1000,
    };
    row.insert(conn)?;
    Ok(row.id)
}

//! Events (SPEC §9): the record of every change, written with its webhook deliveries (the
//! outbox) in the change's own transaction. Keys, payments and webhooks call down into
//! this room; the key whose request caused an event travels in the [`Scope`], never in
//! thread-local state.

pub mod outbox;
pub mod view;

use serde::Serialize;

use crate::db::DbConn;
use crate::db::models::objects::{EventRow, Scope};
use crate::error::Error;

/// Writes an event holding the object as it is now, and its webhook deliveries. Call
/// inside the change's transaction. Endpoints bound to the scope's acting key get it too
/// (SPEC §9: a per-key webhook gets the events its key's requests cause).
pub fn emit(
    conn: &mut DbConn,
    scope: &Scope,
    event_type: &str,
    object: &impl Serialize,
) -> Result<(), Error> {
    emit_about_key(conn, scope, event_type, object, None)
}

/// `emit` for an event about one API key: endpoints bound to that key receive it, whoever
/// acted.
pub fn emit_about_key(
    conn: &mut DbConn,
    scope: &Scope,
    event_type: &str,
    object: &impl Serialize,
    key_id: Option<&str>,
) -> Result<(), Error> {
    let id = crate::ids::time_ordered_id("evt");
    let data = serde_json::to_value(object).unwrap_or_default();
    EventRow {
        id: id.clone(),
        merchant_id: scope.merchant_id.clone(),
        livemode: scope.livemode,
        event_type: event_type.to_owned(),
        object_id: data.get("id").and_then(|v| v.as_str()).map(str::to_owned),
        data: data.to_string(),
        created_at: crate::clock::now(),
    }
    .insert(conn)?;
    outbox::enqueue(
        conn,
        scope,
        &id,
        event_type,
        key_id.or(scope.acting_key.as_deref()),
    )?;
    Ok(())
}

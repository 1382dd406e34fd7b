//! The payments domain the API calls: customers, plans, payments through the built-in
//! simulator, refunds, balance, subscriptions, client sessions and the events every change
//! writes. No HTTP here; every function runs on the blocking pool inside one scope
//! (merchant + mode).

pub mod charges;
pub mod client_sessions;
pub mod currencies;
pub mod customers;
pub mod events;
pub mod plans;
pub mod simulator;
pub mod subscriptions;
pub mod views;

use serde::Serialize;

use crate::db::DbConn;
use crate::db::models::objects::{EventRow, Scope};
use crate::error::Error;

/// Writes an event holding the object as it is now, and its webhook deliveries (the
/// outbox). Call inside the change's transaction.
pub fn emit(
    conn: &mut DbConn,
    scope: &Scope,
    event_type: &str,
    object: &impl Serialize,
) -> Result<(), Error> {
    emit_about_key(conn, scope, event_type, object, None)
}

/// `emit` for an event about one API key: endpoints bound to that key receive it too.
pub fn emit_about_key(
    conn: &mut DbConn,
    scope: &Scope,
    event_type: &str,
    object: &impl Serialize,
    key_id: Option<&str>,
) -> Result<(), Error> {
    let id = crate::ids::time_ordered_id("evt");
    EventRow {
        id: id.clone(),
        merchant_id: scope.merchant_id.clone(),
        livemode: scope.livemode,
        event_type: event_type.to_owned(),
        data: serde_json::to_string(object).unwrap_or_else(|_| "{}".into()),
        created_at: crate::clock::now(),
    }
    .insert(conn)?;
    crate::webhooks::outbox::enqueue(conn, scope, &id, event_type, key_id)?;
    Ok(())
}

/// A reference to another object of this scope; a missing one names the field.
pub fn must_exist<T>(
    found: diesel::QueryResult<T>,
    field: &'static str,
    what: &str,
) -> Result<T, Error> {
    match found {
        Ok(row) => Ok(row),
        Err(diesel::result::Error::NotFound) => Err(Error::field(field, format!("no such {what}"))),
        Err(e) => Err(e.into()),
    }
}

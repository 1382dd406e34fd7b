//! The payments domain the API calls: customers, plans, payments through the built-in
//! simulator, refunds, balance, subscriptions, client sessions and the events every change
//! writes. No HTTP here; every function runs on the blocking pool inside one scope
//! (merchant + mode).

pub mod browse;
pub mod charges;
pub mod client_sessions;
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

thread_local! {
    /// The API key whose request is being served on this (blocking) thread.
    static ACTING_KEY: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `work` as a request of `key_id`: the events it emits reach endpoints bound to
/// that key (SPEC §9: a per-key webhook gets the events its key's requests cause).
pub fn as_key<T>(key_id: &str, work: impl FnOnce() -> T) -> T {
    ACTING_KEY.with(|k| *k.borrow_mut() = Some(key_id.to_owned()));
    let out = work();
    ACTING_KEY.with(|k| *k.borrow_mut() = None);
    out
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
    let acting = ACTING_KEY.with(|k| k.borrow().clone());
    crate::webhooks::outbox::enqueue(conn, scope, &id, event_type, key_id.or(acting.as_deref()))?;
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

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

use crate::error::Error;

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

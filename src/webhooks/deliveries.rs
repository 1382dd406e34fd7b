//! An endpoint's deliveries as people see them: listed (paged in the database), sent
//! again, or a test `ping`. The worker that sends them is `deliver.rs`.

use super::endpoints::get;
use crate::accounts::Principal;
use crate::clock;
use crate::db::DbConn;
use crate::db::models::webhooks::{DeliveryRow, EndpointRow};
use crate::error::Error;
use crate::events::outbox;

/// An endpoint's deliveries, newest first, older than `starting_after` (a delivery of
/// this endpoint), `limit` at most: paged in the database, so every one is reachable.
pub fn list(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, Error> {
    let endpoint = get(conn, actor, id)?;
    if let Some(cursor) = starting_after {
        let ours = match DeliveryRow::find(conn, cursor) {
            Ok(d) => d.endpoint_id == endpoint.id,
            Err(diesel::result::Error::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if !ours {
            return Err(Error::field(
                "starting_after",
                "no such object in this list",
            ));
        }
    }
    Ok(DeliveryRow::for_endpoint(
        conn,
        &endpoint.id,
        starting_after,
        limit,
    )?)
}

/// Sends a delivery's event again to the same endpoint, as a new delivery.
pub fn resend(
    conn: &mut DbConn,
    actor: &Principal,
    delivery_id: &str,
    endpoint_id: Option<&str>,
) -> Result<DeliveryRow, Error> {
    actor.require_hub()?;
    let d = DeliveryRow::find(conn, delivery_id).map_err(|_| Error::NotFound)?;
    // With `endpoint_id` (a page's URL), another endpoint's delivery is not found and
    // nothing is sent.
    if endpoint_id.is_some_and(|e| e != d.endpoint_id) {
        return Err(Error::NotFound);
    }
    // Another merchant's delivery is not found (its endpoint is not this merchant's).
    let endpoint =
        EndpointRow::find(conn, &actor.merchant.id, &d.endpoint_id).map_err(|_| Error::NotFound)?;
    let new = outbox::queue_one(
        conn,
        &endpoint.id,
        &d.event_id,
        &d.event_type,
        clock::now_ms(),
    )?;
    Ok(DeliveryRow::find(conn, &new)?)
}

/// Sends a `ping` event to the endpoint.
pub fn send_test(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<DeliveryRow, Error> {
    let endpoint = get(conn, actor, id)?;
    let event = crate::ids::time_ordered_id("evt");
    let new = outbox::queue_one(conn, &endpoint.id, &event, "ping", clock::now_ms())?;
    Ok(DeliveryRow::find(conn, &new)?)
}

//! An endpoint's deliveries as people see them, each with its attempts: listed (paged in
//! the database), one on its page, sent again, or a test `ping`. The worker that sends
//! them is `deliver.rs`.

use super::endpoints::get as get_endpoint;
use crate::accounts::Principal;
use crate::clock;
use crate::db::DbConn;
use crate::db::models::webhook_attempts::AttemptRow;
use crate::db::models::webhooks::{DeliveryRow, EndpointRow};
use crate::error::Error;
use crate::events::outbox;

/// A delivery with its attempts, oldest first.
pub struct Delivery {
    pub row: DeliveryRow,
    pub attempts: Vec<AttemptRow>,
}

/// The deliveries with their attempts (one query for all of them).
fn with_attempts(conn: &mut DbConn, rows: Vec<DeliveryRow>) -> Result<Vec<Delivery>, Error> {
    let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
    let mut attempts = AttemptRow::for_deliveries(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                attempts.drain(..).partition(|a| a.delivery_id == row.id);
            attempts = rest;
            Delivery {
                row,
                attempts: mine,
            }
        })
        .collect())
}

fn fresh(row: DeliveryRow) -> Delivery {
    Delivery {
        row,
        attempts: vec![],
    }
}

/// One delivery of the endpoint `endpoint_id` (another endpoint's, or another
/// merchant's, is not found), with the endpoint.
pub fn get(
    conn: &mut DbConn,
    actor: &Principal,
    endpoint_id: &str,
    delivery_id: &str,
) -> Result<(EndpointRow, Delivery), Error> {
    let endpoint = get_endpoint(conn, actor, endpoint_id)?;
    let row = match DeliveryRow::find(conn, delivery_id) {
        Ok(d) if d.endpoint_id == endpoint.id => d,
        Ok(_) | Err(diesel::result::Error::NotFound) => return Err(Error::NotFound),
        Err(e) => return Err(e.into()),
    };
    let delivery = with_attempts(conn, vec![row])?
        .pop()
        .ok_or(Error::NotFound)?;
    Ok((endpoint, delivery))
}

/// An endpoint's deliveries, newest first, older than `starting_after` (a delivery of
/// this endpoint), `limit` at most: paged in the database, so every one is reachable.
pub fn list(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<Vec<Delivery>, Error> {
    let endpoint = get_endpoint(conn, actor, id)?;
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
    let rows = DeliveryRow::for_endpoint(conn, &endpoint.id, starting_after, limit)?;
    with_attempts(conn, rows)
}

/// Sends a delivery's event again to the same endpoint, as a new delivery.
pub fn resend(
    conn: &mut DbConn,
    actor: &Principal,
    delivery_id: &str,
    endpoint_id: Option<&str>,
) -> Result<Delivery, Error> {
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
    Ok(fresh(DeliveryRow::find(conn, &new)?))
}

/// Sends a `ping` event to the endpoint.
pub fn send_test(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<Delivery, Error> {
    let endpoint = get_endpoint(conn, actor, id)?;
    let event = crate::ids::time_ordered_id("evt");
    let new = outbox::queue_one(conn, &endpoint.id, &event, "ping", clock::now_ms())?;
    Ok(fresh(DeliveryRow::find(conn, &new)?))
}

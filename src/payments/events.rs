//! Events: the record of every change, newest first, filterable by type.

use super::views;
use crate::db::DbConn;
use crate::db::models::objects::{EventRow, Scope};
use crate::error::Error;

/// Lifecycle events of keys and webhook endpoints go to webhooks and the Hub's pages,
/// never to `/api/v1/events` (SPEC §9).
pub fn is_internal(event_type: &str) -> bool {
    event_type.starts_with("api_key.") || event_type.starts_with("webhook_endpoint.")
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<views::Event, Error> {
    let row = EventRow::find(conn, scope, id)?;
    if is_internal(&row.event_type) {
        return Err(Error::NotFound);
    }
    Ok(views::event(&row))
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    event_type: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Event>, Error> {
    let rows = match event_type {
        Some(t) if is_internal(t) => vec![],
        Some(t) => EventRow::list_of_type(conn, scope, t, before, limit)?,
        None => EventRow::list_public(conn, scope, before, limit)?,
    };
    Ok(rows.iter().map(views::event).collect())
}

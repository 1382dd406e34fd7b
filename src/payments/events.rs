//! Events: the record of every change, newest first, filterable by type.

use super::views;
use crate::db::DbConn;
use crate::db::models::objects::{EventRow, Scope};
use crate::error::Error;

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<views::Event, Error> {
    Ok(views::event(&EventRow::find(conn, scope, id)?))
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    event_type: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Event>, Error> {
    let rows = match event_type {
        Some(t) => EventRow::list_of_type(conn, scope, t, before, limit)?,
        None => EventRow::list(conn, scope, before, limit)?,
    };
    Ok(rows.iter().map(views::event).collect())
}

//! Customers.

use std::collections::BTreeMap;

use super::views;
use crate::db::DbConn;
use crate::db::models::objects::{CustomerRow, Scope};
use crate::error::Error;
use crate::events::emit;

pub struct CustomerInput {
    pub email: Option<String>,
    pub name: Option<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

pub fn create(
    conn: &mut DbConn,
    scope: &Scope,
    input: CustomerInput,
) -> Result<views::Customer, Error> {
    let row = CustomerRow {
        id: crate::ids::time_ordered_id("cus"),
        merchant_id: scope.merchant_id.clone(),
        livemode: scope.livemode,
        email: input.email,
        name: input.name,
        metadata: serde_json::to_string(&input.metadata.unwrap_or_default())
            .unwrap_or_else(|_| "{}".into()),
        created_at: crate::clock::now(),
    };
    let view = views::customer(&row);
    crate::db::transaction(conn, |conn| {
        row.insert(conn)?;
        emit(conn, scope, "customer.created", &view)
    })?;
    Ok(view)
}

/// Changes the fields given; the others stay.
pub fn update(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    input: CustomerInput,
) -> Result<views::Customer, Error> {
    crate::db::transaction(conn, |conn| {
        let old = CustomerRow::find(conn, scope, id)?;
        let metadata = match input.metadata {
            Some(m) => serde_json::to_string(&m).unwrap_or_else(|_| "{}".into()),
            None => old.metadata.clone(),
        };
        CustomerRow::update(
            conn,
            id,
            input.email.or(old.email),
            input.name.or(old.name),
            metadata,
        )?;
        let view = views::customer(&CustomerRow::find(conn, scope, id)?);
        emit(conn, scope, "customer.updated", &view)?;
        Ok(view)
    })
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<views::Customer, Error> {
    Ok(views::customer(&CustomerRow::find(conn, scope, id)?))
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Customer>, Error> {
    Ok(CustomerRow::list(conn, scope, before, limit)?
        .iter()
        .map(views::customer)
        .collect())
}

//! Client sessions: a short-lived token a merchant's front end uses to take a payment.

use super::{must_exist, views};
use crate::db::DbConn;
use crate::db::models::objects::{ClientSessionRow, CustomerRow, Scope};
use crate::error::Error;
use crate::events::emit;

/// How long a client session stays open.
pub const LIFETIME_SECS: i64 = 60 * 60;

pub struct SessionInput {
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub customer: Option<String>,
}

pub fn create(
    conn: &mut DbConn,
    scope: &Scope,
    amount: i64,
    currency: String,
    customer: Option<String>,
) -> Result<views::ClientSession, Error> {
    crate::db::transaction(conn, |conn| {
        if let Some(c) = &customer {
            must_exist(CustomerRow::find(conn, scope, c), "customer", "customer")?;
        }
        let now = crate::clock::now();
        let id = crate::ids::time_ordered_id("cs");
        let row = ClientSessionRow {
            client_token: format!("{id}_secret_{}", crate::ids::random_base62(24)),
            id,
            merchant_id: scope.merchant_id.clone(),
            livemode: scope.livemode,
            amount,
            currency,
            customer_id: customer,
            status: "open".into(),
            expires_at: now + LIFETIME_SECS,
            created_at: now,
        };
        row.insert(conn)?;
        let view = views::client_session(&row);
        emit(conn, scope, "client_session.created", &view)?;
        Ok(view)
    })
}

/// Changes an open session's amount, currency or customer.
pub fn update(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    input: SessionInput,
) -> Result<views::ClientSession, Error> {
    crate::db::transaction(conn, |conn| {
        let mut row = ClientSessionRow::find(conn, scope, id)?;
        if row.status != "open" || row.expires_at <= crate::clock::now() {
            return Err(Error::InvalidState(
                "This client session is no longer open; create a new one.".into(),
            ));
        }
        if let Some(c) = &input.customer {
            must_exist(CustomerRow::find(conn, scope, c), "customer", "customer")?;
            row.customer_id = Some(c.clone());
        }
        if let Some(a) = input.amount {
            row.amount = a;
        }
        if let Some(c) = input.currency {
            row.currency = c;
        }
        row.save(conn)?;
        let view = views::client_session(&row);
        emit(conn, scope, "client_session.updated", &view)?;
        Ok(view)
    })
}

//! Plans: what subscriptions bill.

use super::views;
use crate::db::DbConn;
use crate::db::models::objects::{PlanRow, Scope};
use crate::error::Error;
use crate::events::emit;

pub struct PlanInput {
    pub name: String,
    pub amount: i64,
    pub currency: String,
    /// `month` or `year`, checked by the caller.
    pub interval: String,
}

pub fn create(conn: &mut DbConn, scope: &Scope, input: PlanInput) -> Result<views::Plan, Error> {
    let row = PlanRow {
        id: crate::ids::time_ordered_id("plan"),
        merchant_id: scope.merchant_id.clone(),
        livemode: scope.livemode,
        name: input.name,
        amount: input.amount,
        currency: input.currency,
        billing_interval: input.interval,
        created_at: crate::clock::now(),
    };
    let view = views::plan(&row);
    crate::db::transaction(conn, |conn| {
        row.insert(conn)?;
        emit(conn, scope, "plan.created", &view)
    })?;
    Ok(view)
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<views::Plan, Error> {
    Ok(views::plan(&PlanRow::find(conn, scope, id)?))
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Plan>, Error> {
    Ok(PlanRow::list(conn, scope, before, limit)?
        .iter()
        .map(views::plan)
        .collect())
}

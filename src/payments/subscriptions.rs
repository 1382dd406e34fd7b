//! Subscriptions: a customer on a plan, renewed each interval until canceled — now, or at
//! the end of the current period.

use chrono::{DateTime, Months, Utc};

use super::{must_exist, views};
use crate::accounts::Principal;
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::objects::{
    CustomerRow, PlanRow, Scope, SubscriptionChanges, SubscriptionRow,
};
use crate::error::Error;
use crate::events::emit;

/// The end of a period starting at `start` for `month` or `year`.
fn period_end(start: i64, interval: &str) -> i64 {
    let months = if interval == "year" { 12 } else { 1 };
    DateTime::<Utc>::from_timestamp(start, 0)
        .and_then(|t| t.checked_add_months(Months::new(months)))
        .map_or(start + i64::from(months) * 30 * 86_400, |t| t.timestamp())
}

pub fn create(
    conn: &mut DbConn,
    scope: &Scope,
    customer: &str,
    plan: &str,
) -> Result<views::Subscription, Error> {
    crate::db::transaction(conn, |conn| {
        must_exist(
            CustomerRow::find(conn, scope, customer),
            "customer",
            "customer",
        )?;
        let plan = must_exist(PlanRow::find(conn, scope, plan), "plan", "plan")?;
        let now = crate::clock::now();
        let row = SubscriptionRow {
            id: crate::ids::time_ordered_id("sub"),
            merchant_id: scope.merchant_id.clone(),
            livemode: scope.livemode,
            customer_id: customer.to_owned(),
            plan_id: plan.id,
            status: "active".into(),
            current_period_end: period_end(now, &plan.billing_interval),
            cancel_at_period_end: false,
            canceled_at: None,
            created_at: now,
        };
        row.insert(conn)?;
        let view = views::subscription(&row);
        emit(conn, scope, "subscription.created", &view)?;
        Ok(view)
    })
}

pub struct SubscriptionUpdate {
    pub plan: Option<String>,
    pub cancel_at_period_end: Option<bool>,
}

fn change(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    edit: impl FnOnce(&mut DbConn, &mut SubscriptionChanges) -> Result<&'static str, Error>,
) -> Result<views::Subscription, Error> {
    crate::db::transaction(conn, |conn| {
        let old = SubscriptionRow::find(conn, scope, id)?;
        if old.status == "canceled" {
            return Err(Error::InvalidState(
                "This subscription is canceled; it cannot change.".into(),
            ));
        }
        let mut changes = SubscriptionChanges {
            plan_id: old.plan_id,
            status: old.status,
            current_period_end: old.current_period_end,
            cancel_at_period_end: old.cancel_at_period_end,
            canceled_at: old.canceled_at,
        };
        let event = edit(conn, &mut changes)?;
        SubscriptionRow::update(conn, id, &changes)?;
        let view = views::subscription(&SubscriptionRow::find(conn, scope, id)?);
        emit(conn, scope, event, &view)?;
        Ok(view)
    })
}

/// Switches plan and/or sets `cancel_at_period_end`.
pub fn update(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    input: SubscriptionUpdate,
) -> Result<views::Subscription, Error> {
    change(conn, scope, id, |conn, c| {
        if let Some(plan) = &input.plan {
            c.plan_id = must_exist(PlanRow::find(conn, scope, plan), "plan", "plan")?.id;
        }
        if let Some(flag) = input.cancel_at_period_end {
            c.cancel_at_period_end = flag;
        }
        Ok("subscription.updated")
    })
}

pub fn cancel_now(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
) -> Result<views::Subscription, Error> {
    change(conn, scope, id, |_, c| {
        c.status = "canceled".into();
        c.canceled_at = Some(crate::clock::now());
        c.cancel_at_period_end = false;
        Ok("subscription.canceled")
    })
}

pub fn cancel_at_period_end(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
) -> Result<views::Subscription, Error> {
    change(conn, scope, id, |_, c| {
        c.cancel_at_period_end = true;
        Ok("subscription.updated")
    })
}

/// How a person cancels a subscription from the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    Now,
    AtPeriodEnd,
}

/// A cancellation made from the dashboard (Admins and Developers), through the API's
/// operations, audited under the person's name.
pub fn cancel_by(
    conn: &mut DbConn,
    who: &Principal,
    scope: &Scope,
    id: &str,
    how: Cancel,
    ip: &str,
) -> Result<views::Subscription, Error> {
    if !who.role().can_use_hub() {
        return Err(Error::forbidden(
            "Only Admins and Developers can cancel subscriptions.",
        ));
    }
    crate::db::transaction(conn, |conn| {
        let (sub, action, detail) = match how {
            Cancel::Now => (
                cancel_now(conn, scope, id)?,
                "subscription.canceled",
                "canceled now",
            ),
            Cancel::AtPeriodEnd => (
                cancel_at_period_end(conn, scope, id)?,
                "subscription.cancel_at_period_end",
                "cancels at the end of its period",
            ),
        };
        AuditEntry::record(
            conn,
            Some(&who.merchant.id),
            &who.user.email,
            action,
            id,
            ip,
            &format!("{detail} (customer {}, plan {})", sub.customer, sub.plan),
        )?;
        Ok(sub)
    })
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<views::Subscription, Error> {
    Ok(views::subscription(&SubscriptionRow::find(
        conn, scope, id,
    )?))
}

pub fn search(
    conn: &mut DbConn,
    scope: &Scope,
    customer: Option<&str>,
    status: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Subscription>, Error> {
    Ok(
        SubscriptionRow::search(conn, scope, customer, status, before, limit)?
            .iter()
            .map(views::subscription)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_the_calendar() {
        let jan31 = 1_769_817_600; // 2026-01-31T00:00:00Z
        assert_eq!(
            crate::clock::rfc3339(period_end(jan31, "month")),
            "2026-02-28T00:00:00Z"
        );
        assert_eq!(
            crate::clock::rfc3339(period_end(jan31, "year")),
            "2027-01-31T00:00:00Z"
        );
    }
}

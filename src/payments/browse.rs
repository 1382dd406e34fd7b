//! What the merchant dashboard reads (SPEC §10): filtered, keyset-paged lists of
//! payments, customers, subscriptions and events, an object with what belongs to it, the
//! overview's figures, and a refund made by a person. Every read is scoped to one
//! merchant and mode, so another's object is simply not found.

use std::collections::BTreeMap;

use super::views;
use crate::accounts::Principal;
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::objects::{
    CustomerRow, EventRow, PaymentRow, RefundRow, Scope, SubscriptionRow,
};
use crate::error::Error;

/// The smallest id of prefix `prefix` made at or after `unix` seconds (ids are
/// time-ordered: prefix, 12 hex digits of milliseconds, random).
pub fn id_at(prefix: &str, unix: i64) -> String {
    format!("{prefix}_{:012x}", unix.max(0) * 1000)
}

/// The payment list's filters; times are Unix seconds, `to` exclusive.
#[derive(Debug, Default, Clone)]
pub struct PaymentFilter {
    pub status: Option<String>,
    pub customer: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

pub fn payments(
    conn: &mut DbConn,
    scope: &Scope,
    f: &PaymentFilter,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Payment>, Error> {
    // An end date is an upper id bound, like the page cursor: the smaller one wins.
    let to = f.to.map(|t| id_at("pay", t));
    let before = match (before, to.as_deref()) {
        (Some(b), Some(t)) => Some(b.min(t)),
        (b, t) => b.or(t),
    };
    let from = f.from.map(|t| id_at("pay", t));
    Ok(PaymentRow::search(
        conn,
        scope,
        f.status.as_deref(),
        f.customer.as_deref(),
        from.as_deref(),
        before,
        limit,
    )?
    .iter()
    .map(views::payment)
    .collect())
}

/// A payment with its refunds and the events about it.
pub fn payment(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
) -> Result<(views::Payment, Vec<views::Refund>, Vec<views::Event>), Error> {
    let p = PaymentRow::find(conn, scope, id)?;
    let refunds = RefundRow::for_payment(conn, scope, &p.id)?;
    // A refund's events are about the refund; they belong on its payment's page too.
    let ids: Vec<String> = std::iter::once(p.id.clone())
        .chain(refunds.iter().map(|r| r.id.clone()))
        .collect();
    let events = EventRow::about(conn, scope, &ids, 100)?;
    Ok((
        views::payment(&p),
        refunds.iter().map(views::refund).collect(),
        events.iter().map(views::event).collect(),
    ))
}

pub fn customers(
    conn: &mut DbConn,
    scope: &Scope,
    email: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Customer>, Error> {
    Ok(CustomerRow::search(conn, scope, email, before, limit)?
        .iter()
        .map(views::customer)
        .collect())
}

/// A customer with their latest payments and their subscriptions.
pub fn customer(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
) -> Result<
    (
        views::Customer,
        Vec<views::Payment>,
        Vec<views::Subscription>,
    ),
    Error,
> {
    let c = CustomerRow::find(conn, scope, id)?;
    let payments = PaymentRow::search(conn, scope, None, Some(&c.id), None, None, 20)?;
    let subscriptions = SubscriptionRow::search(conn, scope, Some(&c.id), None, None, 50)?;
    Ok((
        views::customer(&c),
        payments.iter().map(views::payment).collect(),
        subscriptions.iter().map(views::subscription).collect(),
    ))
}

pub fn subscriptions(
    conn: &mut DbConn,
    scope: &Scope,
    status: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Subscription>, Error> {
    super::subscriptions::search(conn, scope, None, status, before, limit)
}

/// Events, newest first; keys' and webhook endpoints' lifecycle events only for the
/// Hub's people (SPEC §10).
pub fn events(
    conn: &mut DbConn,
    who: &Principal,
    scope: &Scope,
    event_type: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Event>, Error> {
    let hub = who.role().can_use_hub();
    let rows = match event_type {
        Some(t) if super::events::is_internal(t) && !hub => vec![],
        Some(t) => EventRow::list_of_type(conn, scope, t, before, limit)?,
        None if hub => EventRow::list_all(conn, scope, before, limit)?,
        None => EventRow::list_public(conn, scope, before, limit)?,
    };
    Ok(rows.iter().map(views::event).collect())
}

pub fn event(
    conn: &mut DbConn,
    who: &Principal,
    scope: &Scope,
    id: &str,
) -> Result<views::Event, Error> {
    let row = EventRow::find(conn, scope, id)?;
    if super::events::is_internal(&row.event_type) && !who.role().can_use_hub() {
        return Err(Error::NotFound);
    }
    Ok(views::event(&row))
}

/// A refund made from the dashboard (Admins and Developers), audited under their name.
pub fn refund(
    conn: &mut DbConn,
    who: &Principal,
    scope: &Scope,
    payment_id: &str,
    amount: Option<i64>,
    ip: &str,
) -> Result<views::Refund, Error> {
    if !who.role().can_use_hub() {
        return Err(Error::forbidden(
            "Only Admins and Developers can refund payments.",
        ));
    }
    crate::db::transaction(conn, |conn| {
        let refund = super::charges::refund_payment(conn, scope, payment_id, amount)?;
        AuditEntry::record(
            conn,
            Some(&who.merchant.id),
            &who.user.email,
            "payment.refunded",
            payment_id,
            ip,
            &format!(
                "{} refunded ({})",
                crate::currencies::display(refund.amount, &refund.currency),
                refund.id
            ),
        )?;
        Ok(refund)
    })
}

/// One day of the overview's chart: successful volume per currency, and counts.
#[derive(Debug, Clone, Default)]
pub struct Day {
    /// Unix seconds of the day's start (UTC).
    pub start: i64,
    pub volume: BTreeMap<String, i64>,
    pub succeeded: i64,
    pub failed: i64,
}

/// The last 30 days (UTC), oldest first; the last one is today.
pub fn last_30_days(conn: &mut DbConn, scope: &Scope, now: i64) -> Result<Vec<Day>, Error> {
    const DAY: i64 = 86_400;
    let today = now - now.rem_euclid(DAY);
    let first = today - 29 * DAY;
    let mut days: Vec<Day> = (0..30)
        .map(|i| Day {
            start: first + i * DAY,
            ..Day::default()
        })
        .collect();
    for day in &mut days {
        let (from, to) = (id_at("pay", day.start), id_at("pay", day.start + DAY));
        for (currency, status, n, total) in PaymentRow::totals_between(conn, scope, &from, &to)? {
            if status == "succeeded" {
                day.succeeded += n;
                *day.volume.entry(currency).or_default() += total.unwrap_or(0);
            } else {
                day.failed += n;
            }
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_an_id_bound() {
        let id = crate::ids::time_ordered_id("pay");
        let now = crate::clock::now();
        assert!(id_at("pay", now - 1) < id && id < id_at("pay", now + 2));
    }
}

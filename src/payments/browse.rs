//! What the merchant dashboard reads (SPEC §10): filtered, keyset-paged lists of
//! payments, customers, subscriptions, plans and events, with the names of the customers
//! and plans they point to (loaded per page, one query each), an object with what
//! belongs to it, the overview's figures, and a refund made by a person. Every read is
//! scoped to one merchant and mode, so another's object is simply not found.

use std::collections::{BTreeMap, HashMap};

use super::views;
use crate::accounts::Principal;
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::objects::{CustomerRow, EventRow, PaymentRow, PlanRow, RefundRow, Scope};
use crate::error::Error;

/// The smallest id of prefix `prefix` made at or after `unix` seconds (ids are
/// time-ordered: prefix, 12 hex digits of milliseconds, random).
pub fn id_at(prefix: &str, unix: i64) -> String {
    format!("{prefix}_{:012x}", unix.max(0) * 1000)
}

/// A page of rows with the customers and plans they name, by id.
#[derive(Debug, Default)]
pub struct Named<T> {
    pub rows: Vec<T>,
    pub customers: HashMap<String, views::Customer>,
    pub plans: HashMap<String, views::Plan>,
}

impl<T> Named<T> {
    /// Loads the customers and plans `rows` point to: one query each, whatever the page's
    /// size (no query per row).
    fn load(
        conn: &mut DbConn,
        scope: &Scope,
        rows: Vec<T>,
        customer: impl Fn(&T) -> Option<&str>,
        plan: impl Fn(&T) -> Option<&str>,
    ) -> Result<Self, Error> {
        let ids = |of: &dyn Fn(&T) -> Option<&str>| {
            let mut ids: Vec<String> = rows.iter().filter_map(of).map(str::to_owned).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let customers = CustomerRow::find_many(conn, scope, &ids(&customer))?
            .iter()
            .map(|c| (c.id.clone(), views::customer(c)))
            .collect();
        let plans = PlanRow::find_many(conn, scope, &ids(&plan))?
            .iter()
            .map(|p| (p.id.clone(), views::plan(p)))
            .collect();
        Ok(Self {
            rows,
            customers,
            plans,
        })
    }
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
) -> Result<Named<views::Payment>, Error> {
    // An end date is an upper id bound, like the page cursor: the smaller one wins.
    let to = f.to.map(|t| id_at("pay", t));
    let before = match (before, to.as_deref()) {
        (Some(b), Some(t)) => Some(b.min(t)),
        (b, t) => b.or(t),
    };
    let from = f.from.map(|t| id_at("pay", t));
    let rows = PaymentRow::search(
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
    .collect();
    Named::load(conn, scope, rows, |p| p.customer.as_deref(), |_| None)
}

/// A payment with its customer, its refunds and the events about it.
pub struct PaymentDetail {
    pub payment: views::Payment,
    pub customer: Option<views::Customer>,
    pub refunds: Vec<views::Refund>,
    pub events: Vec<views::Event>,
}

pub fn payment(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<PaymentDetail, Error> {
    let p = PaymentRow::find(conn, scope, id)?;
    let refunds = RefundRow::for_payment(conn, scope, &p.id)?;
    // A refund's events are about the refund; they belong on its payment's page too.
    let ids: Vec<String> = std::iter::once(p.id.clone())
        .chain(refunds.iter().map(|r| r.id.clone()))
        .collect();
    let events = EventRow::about(conn, scope, &ids, 100)?;
    let customer = match &p.customer_id {
        Some(c) => CustomerRow::find_many(conn, scope, std::slice::from_ref(c))?
            .first()
            .map(views::customer),
        None => None,
    };
    Ok(PaymentDetail {
        payment: views::payment(&p),
        customer,
        refunds: refunds.iter().map(views::refund).collect(),
        events: events.iter().map(views::event).collect(),
    })
}

/// Customers whose name or email contains `text` (any case), newest first.
pub fn customers(
    conn: &mut DbConn,
    scope: &Scope,
    text: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Customer>, Error> {
    Ok(CustomerRow::search(conn, scope, text, before, limit)?
        .iter()
        .map(views::customer)
        .collect())
}

/// A customer with their latest payments and their subscriptions (with their plans).
pub fn customer(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
) -> Result<
    (
        views::Customer,
        Vec<views::Payment>,
        Named<views::Subscription>,
    ),
    Error,
> {
    let c = CustomerRow::find(conn, scope, id)?;
    let payments = PaymentRow::search(conn, scope, None, Some(&c.id), None, None, 20)?;
    let subscriptions = super::subscriptions::search(conn, scope, Some(&c.id), None, None, 50)?;
    Ok((
        views::customer(&c),
        payments.iter().map(views::payment).collect(),
        Named::load(conn, scope, subscriptions, |_| None, |s| Some(&s.plan))?,
    ))
}

pub fn subscriptions(
    conn: &mut DbConn,
    scope: &Scope,
    status: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Named<views::Subscription>, Error> {
    let rows = super::subscriptions::search(conn, scope, None, status, before, limit)?;
    Named::load(conn, scope, rows, |s| Some(&s.customer), |s| Some(&s.plan))
}

/// A subscription with its customer and plan.
pub fn subscription(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
) -> Result<Named<views::Subscription>, Error> {
    let row = super::subscriptions::get(conn, scope, id)?;
    Named::load(
        conn,
        scope,
        vec![row],
        |s| Some(&s.customer),
        |s| Some(&s.plan),
    )
}

pub fn plans(
    conn: &mut DbConn,
    scope: &Scope,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Plan>, Error> {
    super::plans::list(conn, scope, before, limit)
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
    // A type or a prefix of whole segments: `payment` (or `payment.`, `payment.*`) finds
    // `payment.*`, `payment.succeeded` finds itself.
    let prefix = event_type.map(|t| t.trim_end_matches('*').trim_end_matches('.'));
    let rows = match prefix.filter(|p| !p.is_empty()) {
        Some(p) => EventRow::list_by_prefix(conn, scope, p, !hub, before, limit)?,
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

/// A refund a person is about to make: the payment, and what it would give back.
pub struct RefundPlan {
    pub payment: views::Payment,
    /// In minor units.
    pub amount: i64,
    /// The amount was left empty: everything that remains.
    pub everything: bool,
}

/// An amount typed in the payment's major unit (`10.50`); empty is everything left. A
/// wrong one is a sentence for the Amount field, naming the currency.
fn typed_amount(typed: &str, currency: &str) -> Result<Option<i64>, Error> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let code = currency.to_uppercase();
    let example = if crate::currencies::exponent(currency) == 0 {
        "1000"
    } else {
        "10.50"
    };
    crate::currencies::parse_major(typed, currency)
        .map(Some)
        .ok_or_else(|| {
            let comma = typed.replace(',', ".");
            let message = if typed.contains(',')
                && crate::currencies::parse_major(&comma, currency).is_some()
            {
                format!("Write the amount with a point, not a comma: {comma} {code}.")
            } else {
                format!(
                    "Enter an amount in {code} such as {example}, or leave it empty to refund everything left."
                )
            };
            Error::field("amount", message)
        })
}

fn may_refund(who: &Principal) -> Result<(), Error> {
    if who.role().can_use_hub() {
        Ok(())
    } else {
        Err(Error::forbidden(
            "Only Admins and Developers can refund payments.",
        ))
    }
}

/// What a refund of `typed` would do, checked as the refund itself checks it (nothing
/// is written): the confirmation page shows it before anything moves.
pub fn plan_refund(
    conn: &mut DbConn,
    who: &Principal,
    scope: &Scope,
    payment_id: &str,
    typed: &str,
) -> Result<RefundPlan, Error> {
    may_refund(who)?;
    let row = PaymentRow::find(conn, scope, payment_id)?;
    let asked = typed_amount(typed, &row.currency)?;
    let amount = super::charges::refundable(&row, asked)?;
    Ok(RefundPlan {
        payment: views::payment(&row),
        amount,
        everything: asked.is_none(),
    })
}

/// A refund made from the dashboard (Admins and Developers) of `typed` in the payment's
/// major unit (empty: all that remains), through the API's refund, audited under their
/// name.
pub fn refund(
    conn: &mut DbConn,
    who: &Principal,
    scope: &Scope,
    payment_id: &str,
    typed: &str,
    ip: &str,
) -> Result<views::Refund, Error> {
    may_refund(who)?;
    crate::db::transaction(conn, |conn| {
        let currency = PaymentRow::find(conn, scope, payment_id)?.currency;
        let amount = typed_amount(typed, &currency)?;
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
    fn typed_amounts_are_major_units_and_a_comma_is_named() {
        assert_eq!(typed_amount(" ", "usd").unwrap(), None);
        assert_eq!(typed_amount("12.5", "usd").unwrap(), Some(1250));
        assert_eq!(typed_amount("1200", "jpy").unwrap(), Some(1200));
        let message = |typed: &str, code: &str| match typed_amount(typed, code) {
            Err(Error::Invalid(f)) => f["amount"].clone(),
            other => panic!("{typed}: {:?}", other.map_err(|e| e.to_string())),
        };
        assert_eq!(
            message("10,50", "usd"),
            "Write the amount with a point, not a comma: 10.50 USD."
        );
        assert!(message("ten", "usd").starts_with("Enter an amount in USD such as 10.50"));
        assert!(message("1.5", "jpy").starts_with("Enter an amount in JPY such as 1000"));
    }

    #[test]
    fn a_time_is_an_id_bound() {
        let id = crate::ids::time_ordered_id("pay");
        let now = crate::clock::now();
        assert!(id_at("pay", now - 1) < id && id < id_at("pay", now + 2));
    }
}

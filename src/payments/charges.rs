//! Payments through the simulator, refunds (never more than what remains), and the
//! balance they add up to.

use std::collections::BTreeMap;

use super::{must_exist, simulator, views};
use crate::db::DbConn;
use crate::db::models::objects::{CustomerRow, PaymentRow, RefundRow, Scope};
use crate::db::models::spend::SpendResource;
use crate::error::Error;
use crate::events::emit;
use crate::keys::spend;

pub struct PaymentInput {
    pub amount: i64,
    pub currency: String,
    pub customer: Option<String>,
    pub payment_method: String,
    pub metadata: BTreeMap<String, String>,
}

/// Charges the card through the simulator; a declined card is a `failed` payment (200),
/// not an error, like a real processor's answer.
pub fn create_payment(
    conn: &mut DbConn,
    scope: &Scope,
    input: PaymentInput,
) -> Result<views::Payment, Error> {
    let outcome = simulator::charge(&input.payment_method).ok_or_else(|| {
        Error::field(
            "payment_method",
            format!(
                "use a test card: {} (succeeds), {} (declined) or {} (insufficient funds)",
                simulator::SUCCEEDS,
                simulator::DECLINED,
                simulator::INSUFFICIENT_FUNDS
            ),
        )
    })?;
    crate::db::transaction(conn, |conn| {
        if let Some(customer) = &input.customer {
            must_exist(
                CustomerRow::find(conn, scope, customer),
                "customer",
                "customer",
            )?;
        }
        // A spend limit counts what the key moved: failed payments move nothing.
        if outcome.is_ok() {
            spend::count(
                conn,
                scope,
                SpendResource::Payments,
                &input.currency,
                input.amount,
            )?;
        }
        let row = PaymentRow {
            id: crate::ids::time_ordered_id("pay"),
            merchant_id: scope.merchant_id.clone(),
            livemode: scope.livemode,
            amount: input.amount,
            currency: input.currency,
            customer_id: input.customer,
            payment_method: simulator::mask(&input.payment_method),
            status: if outcome.is_ok() {
                "succeeded"
            } else {
                "failed"
            }
            .into(),
            failure_code: outcome.err().map(str::to_owned),
            amount_refunded: 0,
            metadata: serde_json::to_string(&input.metadata).unwrap_or_else(|_| "{}".into()),
            created_at: crate::clock::now(),
        };
        row.insert(conn)?;
        let view = views::payment(&row);
        let event = if outcome.is_ok() {
            "payment.succeeded"
        } else {
            "payment.failed"
        };
        emit(conn, scope, event, &view)?;
        Ok(view)
    })
}

pub fn get_payment(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<views::Payment, Error> {
    Ok(views::payment(&PaymentRow::find(conn, scope, id)?))
}

pub fn list_payments(
    conn: &mut DbConn,
    scope: &Scope,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Payment>, Error> {
    Ok(PaymentRow::list(conn, scope, before, limit)?
        .iter()
        .map(views::payment)
        .collect())
}

/// What a refund of `amount` (None: all that remains) takes from a succeeded payment,
/// or why it cannot: every figure in major units with the currency (SPEC §14).
pub fn refundable(payment: &PaymentRow, amount: Option<i64>) -> Result<i64, Error> {
    if payment.status != "succeeded" {
        // The request is well formed; the payment is what stands in the way (§13).
        return Err(Error::InvalidState(format!(
            "Only a succeeded payment can be refunded; this one is {}.",
            payment.status
        )));
    }
    let remaining = payment.amount - payment.amount_refunded;
    if remaining <= 0 {
        return Err(Error::field(
            "amount",
            "This payment is already fully refunded.",
        ));
    }
    let amount = amount.unwrap_or(remaining);
    if amount > remaining {
        return Err(Error::field(
            "amount",
            format!(
                "At most {} remains refundable.",
                crate::currencies::display(remaining, &payment.currency)
            ),
        ));
    }
    Ok(amount)
}

/// Refunds `amount` (default: all that remains) of a succeeded payment.
pub fn refund_payment(
    conn: &mut DbConn,
    scope: &Scope,
    payment_id: &str,
    amount: Option<i64>,
) -> Result<views::Refund, Error> {
    crate::db::transaction(conn, |conn| {
        let payment = PaymentRow::find(conn, scope, payment_id)?;
        let amount = refundable(&payment, amount)?;
        // The conditional update is the real guard: it holds against concurrent refunds.
        if !PaymentRow::add_refund(conn, &payment.id, amount)? {
            // Another refund came first; what it left is what the message names.
            let now = PaymentRow::find(conn, scope, payment_id)?;
            return Err(refundable(&now, Some(amount)).err().unwrap_or_else(|| {
                Error::field("amount", "That is more than what remains refundable.")
            }));
        }
        spend::count(
            conn,
            scope,
            SpendResource::Refunds,
            &payment.currency,
            amount,
        )?;
        let row = RefundRow {
            id: crate::ids::time_ordered_id("re"),
            merchant_id: scope.merchant_id.clone(),
            livemode: scope.livemode,
            payment_id: payment.id.clone(),
            amount,
            currency: payment.currency.clone(),
            status: "succeeded".into(),
            created_at: crate::clock::now(),
        };
        row.insert(conn)?;
        let view = views::refund(&row);
        emit(conn, scope, "refund.created", &view)?;
        Ok(view)
    })
}

pub fn get_refund(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<views::Refund, Error> {
    Ok(views::refund(&RefundRow::find(conn, scope, id)?))
}

pub fn list_refunds(
    conn: &mut DbConn,
    scope: &Scope,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<views::Refund>, Error> {
    Ok(RefundRow::list(conn, scope, before, limit)?
        .iter()
        .map(views::refund)
        .collect())
}

/// Succeeded payments minus refunds, per currency.
pub fn balance(conn: &mut DbConn, scope: &Scope) -> Result<views::Balance, Error> {
    let mut by_currency: BTreeMap<String, i64> = BTreeMap::new();
    for (currency, amount, refunded) in PaymentRow::succeeded_totals(conn, scope)? {
        *by_currency.entry(currency).or_default() += amount - refunded;
    }
    Ok(views::Balance {
        object: "balance",
        livemode: scope.livemode,
        available: by_currency
            .into_iter()
            .map(|(currency, amount)| views::Money { amount, currency })
            .collect(),
    })
}

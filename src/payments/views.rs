//! The JSON objects of SPEC §4, built from rows in the current API version's shape.

use serde_json::{Value, json};

use crate::clock::rfc3339;
use crate::db::models::objects::{
    ClientSessionRow, CustomerRow, EventRow, PaymentRow, PlanRow, RefundRow, SubscriptionRow,
};

fn metadata(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!({}))
}

pub fn customer(r: &CustomerRow) -> Value {
    json!({
        "id": r.id, "object": "customer", "livemode": r.livemode, "created_at": rfc3339(r.created_at),
        "email": r.email, "name": r.name, "metadata": metadata(&r.metadata),
    })
}

pub fn plan(r: &PlanRow) -> Value {
    json!({
        "id": r.id, "object": "plan", "livemode": r.livemode, "created_at": rfc3339(r.created_at),
        "name": r.name, "amount": r.amount, "currency": r.currency, "interval": r.billing_interval,
    })
}

pub fn payment(r: &PaymentRow) -> Value {
    json!({
        "id": r.id, "object": "payment", "livemode": r.livemode, "created_at": rfc3339(r.created_at),
        "amount": r.amount, "currency": r.currency, "customer": r.customer_id,
        "payment_method": r.payment_method, "status": r.status, "failure_code": r.failure_code,
        "amount_refunded": r.amount_refunded, "metadata": metadata(&r.metadata),
    })
}

pub fn refund(r: &RefundRow) -> Value {
    json!({
        "id": r.id, "object": "refund", "livemode": r.livemode, "created_at": rfc3339(r.created_at),
        "payment": r.payment_id, "amount": r.amount, "currency": r.currency, "status": r.status,
    })
}

pub fn subscription(r: &SubscriptionRow) -> Value {
    json!({
        "id": r.id, "object": "subscription", "livemode": r.livemode, "created_at": rfc3339(r.created_at),
        "customer": r.customer_id, "plan": r.plan_id, "status": r.status,
        "current_period_end": rfc3339(r.current_period_end),
        "cancel_at_period_end": r.cancel_at_period_end,
        "canceled_at": r.canceled_at.map(rfc3339),
    })
}

pub fn client_session(r: &ClientSessionRow) -> Value {
    json!({
        "id": r.id, "object": "client_session", "livemode": r.livemode, "created_at": rfc3339(r.created_at),
        "amount": r.amount, "currency": r.currency, "customer": r.customer_id,
        "client_token": r.client_token, "status": r.status, "expires_at": rfc3339(r.expires_at),
    })
}

pub fn event(r: &EventRow) -> Value {
    json!({
        "id": r.id, "object": "event", "livemode": r.livemode, "created_at": rfc3339(r.created_at),
        "type": r.event_type,
        "data": {"object": serde_json::from_str::<Value>(&r.data).unwrap_or(Value::Null)},
    })
}

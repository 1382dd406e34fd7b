//! The JSON objects of SPEC §4, built from rows in the current API version's shape. Each is
//! a typed struct, so the compiler checks the shape and the OpenAPI document describes it
//! from the same definition.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::db::models::objects::{
    ClientSessionRow, CustomerRow, PaymentRow, PlanRow, RefundRow, SubscriptionRow,
};
use crate::schema;

pub use crate::events::view::{Event, EventData, event};

fn metadata(text: &str) -> BTreeMap<String, String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// A customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Customer {
    #[schema(pattern = "^cus_")]
    pub id: String,
    #[schema(pattern = "^customer$")]
    pub object: &'static str,
    pub livemode: bool,
    #[schema(schema_with = schema::timestamp)]
    pub created_at: String,
    pub email: Option<String>,
    pub name: Option<String>,
    #[schema(schema_with = schema::metadata)]
    pub metadata: BTreeMap<String, String>,
}

pub fn customer(r: &CustomerRow) -> Customer {
    Customer {
        id: r.id.clone(),
        object: "customer",
        livemode: r.livemode,
        created_at: rfc3339(r.created_at),
        email: r.email.clone(),
        name: r.name.clone(),
        metadata: metadata(&r.metadata),
    }
}

/// How often a plan bills.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Month,
    Year,
}

/// A price billed every month or year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plan {
    #[schema(pattern = "^plan_")]
    pub id: String,
    #[schema(pattern = "^plan$")]
    pub object: &'static str,
    pub livemode: bool,
    #[schema(schema_with = schema::timestamp)]
    pub created_at: String,
    pub name: String,
    /// In minor units (cents).
    pub amount: i64,
    #[schema(schema_with = schema::currency)]
    pub currency: String,
    pub interval: Interval,
}

pub fn plan(r: &PlanRow) -> Plan {
    Plan {
        id: r.id.clone(),
        object: "plan",
        livemode: r.livemode,
        created_at: rfc3339(r.created_at),
        name: r.name.clone(),
        amount: r.amount,
        currency: r.currency.clone(),
        interval: if r.billing_interval == "year" {
            Interval::Year
        } else {
            Interval::Month
        },
    }
}

/// A charge of a test card through the simulator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Payment {
    #[schema(pattern = "^pay_")]
    pub id: String,
    #[schema(pattern = "^payment$")]
    pub object: &'static str,
    pub livemode: bool,
    #[schema(schema_with = schema::timestamp)]
    pub created_at: String,
    /// In minor units (cents).
    pub amount: i64,
    #[schema(schema_with = schema::currency)]
    pub currency: String,
    pub customer: Option<String>,
    /// The card number, masked: `************4242`.
    #[schema(pattern = "^\\*+[0-9]{4}$")]
    pub payment_method: String,
    pub payment_method_details: PaymentMethodDetails,
    /// `succeeded` or `failed`; under API version 2025-06-01 a succeeded payment reads `paid`.
    #[schema(pattern = "^(succeeded|failed|paid)$")]
    pub status: String,
    /// Why a failed payment failed: `card_declined` or `insufficient_funds`.
    pub failure_code: Option<String>,
    pub amount_refunded: i64,
    /// True once the whole amount has been refunded.
    pub refunded: bool,
    #[schema(schema_with = schema::metadata)]
    pub metadata: BTreeMap<String, String>,
}

/// What kind of payment method paid, without its number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentMethodDetails {
    /// Always `card`.
    #[serde(rename = "type")]
    #[schema(pattern = "^card$")]
    pub kind: &'static str,
    pub card: CardDetails,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardDetails {
    /// Such as `visa`.
    pub brand: &'static str,
    #[schema(pattern = "^[0-9]{4}$")]
    pub last4: String,
}

pub fn payment(r: &PaymentRow) -> Payment {
    Payment {
        id: r.id.clone(),
        object: "payment",
        livemode: r.livemode,
        created_at: rfc3339(r.created_at),
        amount: r.amount,
        currency: r.currency.clone(),
        customer: r.customer_id.clone(),
        payment_method: crate::payments::simulator::mask(&r.payment_method),
        payment_method_details: PaymentMethodDetails {
            kind: "card",
            card: CardDetails {
                // Stored masked; every stored card was one of the simulator's (Visa).
                brand: "visa",
                last4: r
                    .payment_method
                    .chars()
                    .rev()
                    .take(4)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect(),
            },
        },
        status: r.status.clone(),
        failure_code: r.failure_code.clone(),
        amount_refunded: r.amount_refunded,
        refunded: r.amount > 0 && r.amount_refunded >= r.amount,
        metadata: metadata(&r.metadata),
    }
}

/// Money given back from a succeeded payment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Refund {
    #[schema(pattern = "^re_")]
    pub id: String,
    #[schema(pattern = "^refund$")]
    pub object: &'static str,
    pub livemode: bool,
    #[schema(schema_with = schema::timestamp)]
    pub created_at: String,
    pub payment: String,
    pub amount: i64,
    #[schema(schema_with = schema::currency)]
    pub currency: String,
    pub status: String,
}

pub fn refund(r: &RefundRow) -> Refund {
    Refund {
        id: r.id.clone(),
        object: "refund",
        livemode: r.livemode,
        created_at: rfc3339(r.created_at),
        payment: r.payment_id.clone(),
        amount: r.amount,
        currency: r.currency.clone(),
        status: r.status.clone(),
    }
}

/// A customer's subscription to a plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subscription {
    #[schema(pattern = "^sub_")]
    pub id: String,
    #[schema(pattern = "^subscription$")]
    pub object: &'static str,
    pub livemode: bool,
    #[schema(schema_with = schema::timestamp)]
    pub created_at: String,
    pub customer: String,
    pub plan: String,
    /// `active` or `canceled`.
    #[schema(pattern = "^(active|canceled)$")]
    pub status: String,
    #[schema(schema_with = schema::timestamp)]
    pub current_period_end: String,
    pub cancel_at_period_end: bool,
    #[schema(schema_with = schema::timestamp_or_null)]
    pub canceled_at: Option<String>,
}

pub fn subscription(r: &SubscriptionRow) -> Subscription {
    Subscription {
        id: r.id.clone(),
        object: "subscription",
        livemode: r.livemode,
        created_at: rfc3339(r.created_at),
        customer: r.customer_id.clone(),
        plan: r.plan_id.clone(),
        status: r.status.clone(),
        current_period_end: rfc3339(r.current_period_end),
        cancel_at_period_end: r.cancel_at_period_end,
        canceled_at: r.canceled_at.map(rfc3339),
    }
}

/// A session a browser client uses to pay an amount.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientSession {
    #[schema(pattern = "^cs_")]
    pub id: String,
    #[schema(pattern = "^client_session$")]
    pub object: &'static str,
    pub livemode: bool,
    #[schema(schema_with = schema::timestamp)]
    pub created_at: String,
    pub amount: i64,
    #[schema(schema_with = schema::currency)]
    pub currency: String,
    pub customer: Option<String>,
    pub client_token: String,
    pub status: String,
    #[schema(schema_with = schema::timestamp)]
    pub expires_at: String,
}

pub fn client_session(r: &ClientSessionRow) -> ClientSession {
    ClientSession {
        id: r.id.clone(),
        object: "client_session",
        livemode: r.livemode,
        created_at: rfc3339(r.created_at),
        amount: r.amount,
        currency: r.currency.clone(),
        customer: r.customer_id.clone(),
        client_token: r.client_token.clone(),
        status: r.status.clone(),
        expires_at: rfc3339(r.expires_at),
    }
}

/// An amount in one currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Money {
    pub amount: i64,
    #[schema(schema_with = schema::currency)]
    pub currency: String,
}

/// Succeeded payments minus refunds, per currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Balance {
    #[schema(pattern = "^balance$")]
    pub object: &'static str,
    pub livemode: bool,
    pub available: Vec<Money>,
}

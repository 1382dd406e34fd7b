//! /payments, /payments/refund/{id}, /refunds and /balance

use std::collections::BTreeMap;

use actix_web::{HttpRequest, web};
use utoipa::ToSchema;

use super::body::{Body, FromBody, JsonObject};
use super::context::{self, ApiResult, Created, Query};
use super::gate::KeyAuth;
use super::list::List;
use crate::payments::charges::{self, PaymentInput};
use crate::payments::simulator;
use crate::payments::views::{Balance, Payment, Refund};
use crate::schema;

super::describe::described!(Balance, Payment, Refund, PaymentParams, RefundParams);

/// A payment to make with a test card.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentParams {
    #[schema(schema_with = schema::amount)]
    pub amount: i64,
    #[schema(schema_with = schema::currency)]
    pub currency: String,
    #[schema(schema_with = schema::customer_id)]
    pub customer: Option<String>,
    /// A test card: `4242424242424242` succeeds, `4000000000000002` is declined and
    /// `4000000000009995` fails for insufficient funds.
    #[schema(schema_with = test_card)]
    pub payment_method: String,
    #[schema(schema_with = schema::metadata)]
    pub metadata: Option<BTreeMap<String, String>>,
}

fn test_card() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some([
            simulator::SUCCEEDS,
            simulator::DECLINED,
            simulator::INSUFFICIENT_FUNDS,
        ]))
        .build()
}

impl FromBody for PaymentParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        let amount = b.int("amount", true, 1, 1_000_000_000_000);
        let currency = b.currency("currency", true);
        let customer = b.id("customer", false, "cus_");
        let payment_method = b.string("payment_method", true, 64);
        let metadata = b.metadata("metadata");
        Some(Self {
            amount: amount?,
            currency: currency?,
            customer,
            payment_method: payment_method?,
            metadata,
        })
    }
}

pub async fn create_payment(
    req: HttpRequest,
    auth: KeyAuth,
    JsonObject(p): JsonObject<PaymentParams>,
) -> ApiResult<Created<Payment>> {
    let input = PaymentInput {
        amount: p.amount,
        currency: p.currency,
        customer: p.customer,
        payment_method: p.payment_method,
        metadata: p.metadata.unwrap_or_default(),
    };
    context::created(
        context::run(&req, &auth, move |c, s| {
            charges::create_payment(c, s, input)
        })
        .await?,
    )
}

pub async fn get_payment(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
) -> ApiResult<Payment> {
    context::ok(context::run(&req, &auth, move |c, s| charges::get_payment(c, s, &id)).await?)
}

pub async fn list_payments(
    req: HttpRequest,
    auth: KeyAuth,
    query: Query,
) -> ApiResult<List<Payment>> {
    context::list_page(
        &req,
        &auth,
        &query,
        charges::list_payments,
        charges::get_payment,
    )
    .await
}

/// How much to refund.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundParams {
    /// Default: all that remains refundable. Never more than that.
    #[schema(schema_with = schema::amount)]
    pub amount: Option<i64>,
}

impl FromBody for RefundParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        Some(Self {
            amount: b.int("amount", false, 1, 1_000_000_000_000),
        })
    }
}

pub async fn refund_payment(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    JsonObject(p): JsonObject<RefundParams>,
) -> ApiResult<Created<Refund>> {
    context::created(
        context::run(&req, &auth, move |c, s| {
            charges::refund_payment(c, s, &id, p.amount)
        })
        .await?,
    )
}

pub async fn get_refund(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
) -> ApiResult<Refund> {
    context::ok(context::run(&req, &auth, move |c, s| charges::get_refund(c, s, &id)).await?)
}

pub async fn list_refunds(
    req: HttpRequest,
    auth: KeyAuth,
    query: Query,
) -> ApiResult<List<Refund>> {
    context::list_page(
        &req,
        &auth,
        &query,
        charges::list_refunds,
        charges::get_refund,
    )
    .await
}

pub async fn get_balance(req: HttpRequest, auth: KeyAuth) -> ApiResult<Balance> {
    context::ok(context::run(&req, &auth, charges::balance).await?)
}

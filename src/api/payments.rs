//! /payments, /payments/refund/{id}, /refunds and /balance

use actix_web::{HttpRequest, web};

use super::body::{Body, unreachable_fields};
use super::context::{self, ApiResult, Query};
use super::gate::KeyAuth;
use crate::payments::charges::{self, PaymentInput};

pub async fn create_payment(req: HttpRequest, auth: KeyAuth, body: web::Bytes) -> ApiResult {
    let mut b = Body::parse(&body)?;
    let amount = b.int("amount", true, 1, 1_000_000_000_000);
    let currency = b.currency("currency", true);
    let customer = b.id("customer", false, "cus_");
    let payment_method = b.string("payment_method", true, 64);
    let metadata = b.metadata("metadata").unwrap_or_default();
    b.finish()?;
    let (Some(amount), Some(currency), Some(payment_method)) = (amount, currency, payment_method)
    else {
        return unreachable_fields();
    };
    let input = PaymentInput {
        amount,
        currency,
        customer,
        payment_method,
        metadata,
    };
    context::created(
        context::run(&req, &auth, move |c, s| {
            charges::create_payment(c, s, input)
        })
        .await?,
    )
}

pub async fn get_payment(req: HttpRequest, auth: KeyAuth, id: web::Path<String>) -> ApiResult {
    context::ok(context::run(&req, &auth, move |c, s| charges::get_payment(c, s, &id)).await?)
}

pub async fn list_payments(req: HttpRequest, auth: KeyAuth, query: Query) -> ApiResult {
    context::list_page(
        &req,
        &auth,
        &query,
        charges::list_payments,
        charges::get_payment,
    )
    .await
}

pub async fn refund_payment(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    body: web::Bytes,
) -> ApiResult {
    let mut b = Body::parse(&body)?;
    let amount = b.int("amount", false, 1, 1_000_000_000_000);
    b.finish()?;
    context::created(
        context::run(&req, &auth, move |c, s| {
            charges::refund_payment(c, s, &id, amount)
        })
        .await?,
    )
}

pub async fn get_refund(req: HttpRequest, auth: KeyAuth, id: web::Path<String>) -> ApiResult {
    context::ok(context::run(&req, &auth, move |c, s| charges::get_refund(c, s, &id)).await?)
}

pub async fn list_refunds(req: HttpRequest, auth: KeyAuth, query: Query) -> ApiResult {
    context::list_page(
        &req,
        &auth,
        &query,
        charges::list_refunds,
        charges::get_refund,
    )
    .await
}

pub async fn get_balance(req: HttpRequest, auth: KeyAuth) -> ApiResult {
    context::ok(context::run(&req, &auth, charges::balance).await?)
}

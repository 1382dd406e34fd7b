//! /client-session

use actix_web::{HttpRequest, web};

use super::body::{Body, unreachable_fields};
use super::context::{self, ApiResult};
use super::gate::KeyAuth;
use crate::payments::client_sessions::{self, SessionInput};

pub async fn create_client_session(req: HttpRequest, auth: KeyAuth, body: web::Bytes) -> ApiResult {
    let mut b = Body::parse(&body)?;
    let amount = b.int("amount", true, 1, 1_000_000_000_000);
    let currency = b.currency("currency", true);
    let customer = b.id("customer", false, "cus_");
    b.finish()?;
    let (Some(amount), Some(currency)) = (amount, currency) else {
        return unreachable_fields();
    };
    context::created(
        context::run(&req, &auth, move |c, s| {
            client_sessions::create(c, s, amount, currency, customer)
        })
        .await?,
    )
}

pub async fn update_client_session(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    body: web::Bytes,
) -> ApiResult {
    let mut b = Body::parse(&body)?;
    let input = SessionInput {
        amount: b.int("amount", false, 1, 1_000_000_000_000),
        currency: b.currency("currency", false),
        customer: b.id("customer", false, "cus_"),
    };
    b.finish()?;
    context::ok(
        context::run(&req, &auth, move |c, s| {
            client_sessions::update(c, s, &id, input)
        })
        .await?,
    )
}

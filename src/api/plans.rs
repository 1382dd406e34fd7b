//! /plans (readable with publishable keys)

use actix_web::{HttpRequest, web};

use super::body::{Body, unreachable_fields};
use super::context::{self, ApiResult, Query};
use super::gate::KeyAuth;
use crate::payments::plans::{self, PlanInput};

pub async fn create_plan(req: HttpRequest, auth: KeyAuth, body: web::Bytes) -> ApiResult {
    let mut b = Body::parse(&body)?;
    let name = b.string("name", true, 200);
    let amount = b.int("amount", true, 1, 1_000_000_000_000);
    let currency = b.currency("currency", true);
    let interval = b.string("interval", true, 10);
    if interval
        .as_deref()
        .is_some_and(|i| i != "month" && i != "year")
    {
        b.error("interval", "must be month or year");
    }
    b.finish()?;
    let (Some(name), Some(amount), Some(currency), Some(interval)) =
        (name, amount, currency, interval)
    else {
        return unreachable_fields();
    };
    let input = PlanInput {
        name,
        amount,
        currency,
        interval,
    };
    context::created(context::run(&req, &auth, move |c, s| plans::create(c, s, input)).await?)
}

pub async fn get_plan(req: HttpRequest, auth: KeyAuth, id: web::Path<String>) -> ApiResult {
    context::ok(context::run(&req, &auth, move |c, s| plans::get(c, s, &id)).await?)
}

pub async fn list_plans(req: HttpRequest, auth: KeyAuth, query: Query) -> ApiResult {
    context::list_page(&req, &auth, &query, plans::list, plans::get).await
}

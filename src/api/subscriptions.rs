//! /subscriptions: create, update (id in the path or the body), search, cancel now, cancel
//! at period end.

use actix_web::{HttpRequest, web};

use super::body::{Body, NoFields, unreachable_fields};
use super::context::{self, ApiResult, Query};
use super::gate::KeyAuth;
use super::list::Page;
use crate::payments::subscriptions::{self, SubscriptionUpdate};

pub async fn create_subscription(req: HttpRequest, auth: KeyAuth, body: web::Bytes) -> ApiResult {
    let mut b = Body::parse(&body)?;
    let customer = b.id("customer", true, "cus_");
    let plan = b.id("plan", true, "plan_");
    b.finish()?;
    let (Some(customer), Some(plan)) = (customer, plan) else {
        return unreachable_fields();
    };
    context::created(
        context::run(&req, &auth, move |c, s| {
            subscriptions::create(c, s, &customer, &plan)
        })
        .await?,
    )
}

fn update_fields(b: &mut Body) -> SubscriptionUpdate {
    SubscriptionUpdate {
        plan: b.id("plan", false, "plan_"),
        cancel_at_period_end: b.bool("cancel_at_period_end"),
    }
}

pub async fn update_subscription(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    body: web::Bytes,
) -> ApiResult {
    let mut b = Body::parse(&body)?;
    let input = update_fields(&mut b);
    b.finish()?;
    context::ok(
        context::run(&req, &auth, move |c, s| {
            subscriptions::update(c, s, &id, input)
        })
        .await?,
    )
}

/// `PATCH /subscriptions` with `"id"` in the body.
pub async fn update_subscription_by_body(
    req: HttpRequest,
    auth: KeyAuth,
    body: web::Bytes,
) -> ApiResult {
    let mut b = Body::parse(&body)?;
    let id = b.id("id", true, "sub_");
    let input = update_fields(&mut b);
    b.finish()?;
    let Some(id) = id else {
        return unreachable_fields();
    };
    context::ok(
        context::run(&req, &auth, move |c, s| {
            subscriptions::update(c, s, &id, input)
        })
        .await?,
    )
}

pub async fn cancel_subscription(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult {
    context::ok(
        context::run(&req, &auth, move |c, s| {
            subscriptions::cancel_now(c, s, &id)
        })
        .await?,
    )
}

pub async fn schedule_cancel_subscription(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult {
    context::ok(
        context::run(&req, &auth, move |c, s| {
            subscriptions::cancel_at_period_end(c, s, &id)
        })
        .await?,
    )
}

pub async fn get_subscription(req: HttpRequest, auth: KeyAuth, id: web::Path<String>) -> ApiResult {
    context::ok(context::run(&req, &auth, move |c, s| subscriptions::get(c, s, &id)).await?)
}

/// `?customer=cus_…&status=active|canceled`, paginated like every list.
pub async fn search_subscriptions(req: HttpRequest, auth: KeyAuth, query: Query) -> ApiResult {
    let page = Page::from_query(&query)?;
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (customer, status) = (get("customer"), get("status"));
    if status
        .as_deref()
        .is_some_and(|s| s != "active" && s != "canceled")
    {
        return Err(crate::error::Error::field("status", "must be active or canceled").into());
    }
    let rows = context::run(&req, &auth, move |c, s| {
        context::check_cursor(c, s, &page, subscriptions::get)?;
        let rows = subscriptions::search(
            c,
            s,
            customer.as_deref(),
            status.as_deref(),
            page.starting_after.as_deref(),
            page.fetch(),
        )?;
        Ok((rows, page))
    })
    .await?;
    context::ok(super::list::list(rows.0, &rows.1))
}

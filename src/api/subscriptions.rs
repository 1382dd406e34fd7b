//! /subscriptions: create, update (id in the path or the body), search, cancel now, cancel
//! at period end.

use actix_web::{HttpRequest, web};
use utoipa::ToSchema;

use super::body::{Body, FromBody, JsonObject, NoFields};
use super::context::{self, ApiResult, Created, Query};
use super::gate::KeyAuth;
use super::list::{List, Page};
use crate::payments::subscriptions::{self, SubscriptionUpdate};
use crate::payments::views::Subscription;
use crate::schema;

super::describe::described!(
    Subscription,
    SubscriptionParams,
    SubscriptionChange,
    SubscriptionChangeById
);

/// A customer to subscribe to a plan.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionParams {
    #[schema(schema_with = schema::customer_id)]
    pub customer: String,
    #[schema(schema_with = schema::plan_id)]
    pub plan: String,
}

impl FromBody for SubscriptionParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        let customer = b.id("customer", true, "cus_");
        let plan = b.id("plan", true, "plan_");
        Some(Self {
            customer: customer?,
            plan: plan?,
        })
    }
}

pub async fn create_subscription(
    req: HttpRequest,
    auth: KeyAuth,
    JsonObject(p): JsonObject<SubscriptionParams>,
) -> ApiResult<Created<Subscription>> {
    context::created(
        context::run(&req, &auth, move |c, s| {
            subscriptions::create(c, s, &p.customer, &p.plan)
        })
        .await?,
    )
}

/// What to change: the plan, and whether it ends at the period's end.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionChange {
    #[schema(schema_with = schema::plan_id)]
    pub plan: Option<String>,
    pub cancel_at_period_end: Option<bool>,
}

impl FromBody for SubscriptionChange {
    fn from_body(b: &mut Body) -> Option<Self> {
        Some(Self {
            plan: b.id("plan", false, "plan_"),
            cancel_at_period_end: b.bool("cancel_at_period_end"),
        })
    }
}

impl From<SubscriptionChange> for SubscriptionUpdate {
    fn from(c: SubscriptionChange) -> Self {
        SubscriptionUpdate {
            plan: c.plan,
            cancel_at_period_end: c.cancel_at_period_end,
        }
    }
}

/// The same change with the subscription's id in the body.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionChangeById {
    #[schema(schema_with = schema::subscription_id)]
    pub id: String,
    #[schema(schema_with = schema::plan_id)]
    pub plan: Option<String>,
    pub cancel_at_period_end: Option<bool>,
}

impl FromBody for SubscriptionChangeById {
    fn from_body(b: &mut Body) -> Option<Self> {
        let id = b.id("id", true, "sub_");
        let change = SubscriptionChange::from_body(b)?;
        Some(Self {
            id: id?,
            plan: change.plan,
            cancel_at_period_end: change.cancel_at_period_end,
        })
    }
}

pub async fn update_subscription(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    JsonObject(change): JsonObject<SubscriptionChange>,
) -> ApiResult<Subscription> {
    let input = change.into();
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
    JsonObject(p): JsonObject<SubscriptionChangeById>,
) -> ApiResult<Subscription> {
    let input = SubscriptionUpdate {
        plan: p.plan,
        cancel_at_period_end: p.cancel_at_period_end,
    };
    context::ok(
        context::run(&req, &auth, move |c, s| {
            subscriptions::update(c, s, &p.id, input)
        })
        .await?,
    )
}

pub async fn cancel_subscription(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<Subscription> {
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
) -> ApiResult<Subscription> {
    context::ok(
        context::run(&req, &auth, move |c, s| {
            subscriptions::cancel_at_period_end(c, s, &id)
        })
        .await?,
    )
}

pub async fn get_subscription(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
) -> ApiResult<Subscription> {
    context::ok(context::run(&req, &auth, move |c, s| subscriptions::get(c, s, &id)).await?)
}

/// `?customer=cus_…&status=active|canceled`, paginated like every list.
pub async fn search_subscriptions(
    req: HttpRequest,
    auth: KeyAuth,
    query: Query,
) -> ApiResult<List<Subscription>> {
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

//! /plans (readable with publishable keys)

use actix_web::{HttpRequest, web};
use utoipa::ToSchema;

use super::body::{Body, FromBody, JsonObject};
use super::context::{self, ApiResult, Created, Query};
use super::gate::KeyAuth;
use super::list::List;
use crate::payments::plans::{self, PlanInput};
use crate::payments::views::{Interval, Plan};
use crate::schema;

super::describe::described!(Plan, PlanParams);

/// A new plan.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanParams {
    #[schema(schema_with = schema::name)]
    pub name: String,
    #[schema(schema_with = schema::amount)]
    pub amount: i64,
    #[schema(schema_with = schema::currency)]
    pub currency: String,
    pub interval: Interval,
}

impl FromBody for PlanParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        let name = b.string("name", true, 200);
        let amount = b.int("amount", true, 1, 1_000_000_000_000);
        let currency = b.currency("currency", true);
        let interval = match b.raw("interval") {
            None => b.fail_none("interval", "required"),
            Some(v) if v == "month" => Some(Interval::Month),
            Some(v) if v == "year" => Some(Interval::Year),
            Some(_) => b.fail_none("interval", "must be month or year"),
        };
        Some(Self {
            name: name?,
            amount: amount?,
            currency: currency?,
            interval: interval?,
        })
    }
}

pub async fn create_plan(
    req: HttpRequest,
    auth: KeyAuth,
    JsonObject(p): JsonObject<PlanParams>,
) -> ApiResult<Created<Plan>> {
    let input = PlanInput {
        name: p.name,
        amount: p.amount,
        currency: p.currency,
        interval: match p.interval {
            Interval::Month => "month".into(),
            Interval::Year => "year".into(),
        },
    };
    context::created(context::run(&req, &auth, move |c, s| plans::create(c, s, input)).await?)
}

pub async fn get_plan(req: HttpRequest, auth: KeyAuth, id: web::Path<String>) -> ApiResult<Plan> {
    context::ok(context::run(&req, &auth, move |c, s| plans::get(c, s, &id)).await?)
}

pub async fn list_plans(req: HttpRequest, auth: KeyAuth, query: Query) -> ApiResult<List<Plan>> {
    context::list_page(&req, &auth, &query, plans::list, plans::get).await
}

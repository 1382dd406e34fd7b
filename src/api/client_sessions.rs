//! /client-session

use actix_web::{HttpRequest, web};
use utoipa::ToSchema;

use super::body::{Body, FromBody, JsonObject};
use super::context::{self, ApiResult, Created};
use super::gate::KeyAuth;
use crate::payments::client_sessions::{self, SessionInput};
use crate::payments::views::ClientSession;
use crate::schema;

super::describe::described!(ClientSession, ClientSessionParams, ClientSessionChange);

/// A new client session.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSessionParams {
    #[schema(schema_with = schema::amount)]
    pub amount: i64,
    #[schema(schema_with = schema::currency)]
    pub currency: String,
    #[schema(schema_with = schema::customer_id)]
    pub customer: Option<String>,
}

impl FromBody for ClientSessionParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        let amount = b.int("amount", true, 1, 1_000_000_000_000);
        let currency = b.currency("currency", true);
        let customer = b.id("customer", false, "cus_");
        Some(Self {
            amount: amount?,
            currency: currency?,
            customer,
        })
    }
}

/// What to change in an open client session.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSessionChange {
    #[schema(schema_with = schema::amount)]
    pub amount: Option<i64>,
    #[schema(schema_with = schema::currency)]
    pub currency: Option<String>,
    #[schema(schema_with = schema::customer_id)]
    pub customer: Option<String>,
}

impl FromBody for ClientSessionChange {
    fn from_body(b: &mut Body) -> Option<Self> {
        Some(Self {
            amount: b.int("amount", false, 1, 1_000_000_000_000),
            currency: b.currency("currency", false),
            customer: b.id("customer", false, "cus_"),
        })
    }
}

pub async fn create_client_session(
    req: HttpRequest,
    auth: KeyAuth,
    JsonObject(p): JsonObject<ClientSessionParams>,
) -> ApiResult<Created<ClientSession>> {
    context::created(
        context::run(&req, &auth, move |c, s| {
            client_sessions::create(c, s, p.amount, p.currency, p.customer)
        })
        .await?,
    )
}

pub async fn update_client_session(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    JsonObject(p): JsonObject<ClientSessionChange>,
) -> ApiResult<ClientSession> {
    let input = SessionInput {
        amount: p.amount,
        currency: p.currency,
        customer: p.customer,
    };
    context::ok(
        context::run(&req, &auth, move |c, s| {
            client_sessions::update(c, s, &id, input)
        })
        .await?,
    )
}

//! /customers

use actix_web::{HttpRequest, web};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::body::{Body, FromBody, JsonObject};
use super::context::{self, ApiResult, Created, Query};
use super::gate::KeyAuth;
use super::list::List;
use crate::payments::customers::{self, CustomerInput};
use crate::payments::views::Customer;
use crate::schema;

super::describe::described!(Customer, CustomerParams);

/// The fields of a customer, to create one or change some.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerParams {
    #[schema(schema_with = email)]
    pub email: Option<String>,
    #[schema(schema_with = schema::optional_name)]
    pub name: Option<String>,
    #[schema(schema_with = schema::metadata)]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// The pattern says exactly what the API takes (`validate::email_shape`); no `format:
/// email`, whose checkers are stricter in ways the API is not.
fn email() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(crate::accounts::validate::EMAIL_PATTERN))
        .max_length(Some(254))
        .build()
}

impl FromBody for CustomerParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        let email = b.string("email", false, 254);
        if let Some(e) = &email
            && !crate::accounts::validate::email_shape(e)
        {
            b.error("email", "must be an email address");
        }
        Some(Self {
            email,
            name: b.string("name", false, 200),
            metadata: b.metadata("metadata"),
        })
    }
}

impl From<CustomerParams> for CustomerInput {
    fn from(p: CustomerParams) -> Self {
        CustomerInput {
            email: p.email,
            name: p.name,
            metadata: p.metadata,
        }
    }
}

pub async fn create_customer(
    req: HttpRequest,
    auth: KeyAuth,
    JsonObject(p): JsonObject<CustomerParams>,
) -> ApiResult<Created<Customer>> {
    let input = p.into();
    context::created(context::run(&req, &auth, move |c, s| customers::create(c, s, input)).await?)
}

pub async fn update_customer(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    JsonObject(p): JsonObject<CustomerParams>,
) -> ApiResult<Customer> {
    let input = p.into();
    context::ok(context::run(&req, &auth, move |c, s| customers::update(c, s, &id, input)).await?)
}

pub async fn get_customer(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
) -> ApiResult<Customer> {
    context::ok(context::read_by_id(&req, &auth, id.into_inner(), customers::get).await?)
}

pub async fn list_customers(
    req: HttpRequest,
    auth: KeyAuth,
    query: Query,
) -> ApiResult<List<Customer>> {
    context::list_page(&req, &auth, &query, customers::list, customers::get).await
}

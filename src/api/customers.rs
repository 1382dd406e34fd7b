//! /customers

use actix_web::{HttpRequest, web};

use super::body::Body;
use super::context::{self, ApiResult, Query};
use super::gate::KeyAuth;
use crate::payments::customers::{self, CustomerInput};

fn input(body: &[u8], required_email: bool) -> Result<CustomerInput, super::envelope::ApiError> {
    let mut b = Body::parse(body)?;
    let email = b.string("email", required_email, 254);
    if let Some(e) = &email
        && crate::accounts::validate::email(e).is_err()
    {
        b.error("email", "must be an email address");
    }
    let input = CustomerInput {
        email,
        name: b.string("name", false, 200),
        metadata: b.metadata("metadata"),
    };
    b.finish()?;
    Ok(input)
}

pub async fn create_customer(req: HttpRequest, auth: KeyAuth, body: web::Bytes) -> ApiResult {
    let input = input(&body, false)?;
    context::created(context::run(&req, &auth, move |c, s| customers::create(c, s, input)).await?)
}

pub async fn update_customer(
    req: HttpRequest,
    auth: KeyAuth,
    id: web::Path<String>,
    body: web::Bytes,
) -> ApiResult {
    let input = input(&body, false)?;
    context::ok(context::run(&req, &auth, move |c, s| customers::update(c, s, &id, input)).await?)
}

pub async fn get_customer(req: HttpRequest, auth: KeyAuth, id: web::Path<String>) -> ApiResult {
    context::ok(context::run(&req, &auth, move |c, s| customers::get(c, s, &id)).await?)
}

pub async fn list_customers(req: HttpRequest, auth: KeyAuth, query: Query) -> ApiResult {
    context::list_page(&req, &auth, &query, customers::list, customers::get).await
}

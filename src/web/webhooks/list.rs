//! The Webhooks page: the merchant's endpoints.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::view::{DoneQuery, EndpointLine};
use crate::db::models::webhooks::EndpointRow;
use crate::web::form::Response;
use crate::web::page::{self, Layout, SignedIn};

#[derive(Template)]
#[template(path = "webhooks/list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub endpoints: Vec<EndpointLine>,
    pub notice: Option<&'static str>,
}

pub async fn list_endpoints(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<DoneQuery>,
) -> Response {
    who.require_hub()?;
    let actor = who.clone();
    let rows = page::state(&req)
        .db
        .run(move |c| {
            actor.require_hub()?;
            Ok(EndpointRow::list(c, &actor.merchant.id)?)
        })
        .await?;
    Ok(page::ok(&ListPage {
        layout: Layout::signed_in(&who, &session, "webhooks"),
        endpoints: rows.iter().map(|r| EndpointLine::of(r, &who)).collect(),
        notice: (q.done.as_deref() == Some("deleted"))
            .then_some("Endpoint deleted. Its pending deliveries were dropped."),
    }))
}

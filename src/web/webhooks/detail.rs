//! An endpoint's page with its delivery log.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::view::{DeliveryLine, DoneQuery, EndpointLine};
use crate::accounts::Principal;
use crate::error::Error;
use crate::web::form::Response;
use crate::web::page::{self, Layout, SignedIn};
use crate::webhooks::endpoints::{self};

/// How many deliveries an endpoint's page lists.
const LOG_LINES: i64 = 50;

#[derive(Template)]
#[template(path = "webhooks/detail.html")]
pub struct DetailPage {
    pub layout: Layout,
    pub endpoint: EndpointLine,
    pub deliveries: Vec<DeliveryLine>,
    pub notice: Option<&'static str>,
    pub grace_choices: Vec<(i64, &'static str)>,
    pub roll_error: Option<String>,
}

pub(super) async fn detail_page(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    id: String,
    notice: Option<&'static str>,
    roll_error: Option<String>,
) -> Result<DetailPage, Error> {
    let actor = who.clone();
    let (row, deliveries) = page::state(req)
        .db
        .run(move |c| {
            let row = endpoints::get(c, &actor, &id)?;
            let deliveries = crate::webhooks::deliveries::list(c, &actor, &id, None, LOG_LINES)?;
            Ok((row, deliveries))
        })
        .await?;
    Ok(DetailPage {
        layout: Layout::signed_in(who, session, "webhooks"),
        endpoint: EndpointLine::of(&row, who),
        deliveries: deliveries
            .iter()
            .map(|d| DeliveryLine::of(&d.row))
            .collect(),
        notice,
        grace_choices: crate::web::keys::grace_choices(),
        roll_error,
    })
}

pub async fn show_endpoint(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Response {
    who.require_hub()?;
    let notice = match q.done.as_deref() {
        Some("test") => Some("Test event queued: a ping is on its way. Reload to see how it went."),
        Some("resent") => Some("Delivery queued again. Reload to see how it went."),
        Some("disabled") => Some("Endpoint disabled. No events are sent to it."),
        Some("enabled") => Some("Endpoint enabled. New events are sent to it."),
        Some("updated") => Some("Changes saved. They apply to the next delivery."),
        Some("exists") => Some(
            "This form was sent before and made this endpoint; its secret was shown then. Roll the secret if you did not copy it.",
        ),
        _ => None,
    };
    Ok(page::ok(
        &detail_page(&req, &session, &who, id.into_inner(), notice, None).await?,
    ))
}

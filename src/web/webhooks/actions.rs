//! What an endpoint's page can do: Send test event, Resend, Disable/Enable, Delete
//! (with its confirmation) and Roll secret.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::create::SecretPage;
use super::detail::detail_page;
use super::view::EndpointLine;
use crate::accounts::Principal;
use crate::error::Error;
use crate::state::AppState;
use crate::web::form::{Empty, Form, Response};
use crate::web::page::{self, Layout, SignedIn};
use crate::webhooks::endpoints::{self, EndpointPatch};

pub async fn test_endpoint(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    let id = id.into_inner();
    let eid = id.clone();
    page::state(&req)
        .db
        .run(move |c| crate::webhooks::deliveries::send_test(c, &who, &eid))
        .await?;
    Ok(page::see_other(&format!("/webhooks/{id}?done=test")))
}

pub async fn resend_delivery(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    path: web::Path<(String, String)>,
    _: Form<Empty>,
) -> Response {
    let (id, delivery) = path.into_inner();
    let eid = id.clone();
    page::state(&req)
        .db
        // The delivery must be this endpoint's (and so this merchant's).
        .run(move |c| crate::webhooks::deliveries::resend(c, &who, &delivery, Some(&eid)).map(drop))
        .await?;
    Ok(page::see_other(&format!("/webhooks/{id}?done=resent")))
}

async fn set_status(
    req: HttpRequest,
    who: Principal,
    id: String,
    status: &'static str,
) -> Response {
    let (eid, ip) = (id.clone(), AppState::client_ip(&req));
    let patch = EndpointPatch {
        url: None,
        description: None,
        enabled_events: None,
        status: Some(status.to_owned()),
    };
    page::state(&req)
        .db
        .run(move |c| endpoints::update(c, &who, &eid, patch, &ip))
        .await?;
    Ok(page::see_other(&format!("/webhooks/{id}?done={status}")))
}

pub async fn disable_endpoint(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    set_status(req, who, id.into_inner(), "disabled").await
}

pub async fn enable_endpoint(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    set_status(req, who, id.into_inner(), "enabled").await
}

#[derive(Template)]
#[template(path = "webhooks/delete.html")]
pub struct DeletePage {
    pub layout: Layout,
    pub endpoint: EndpointLine,
}

pub async fn confirm_delete(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    let actor = who.clone();
    let id = id.into_inner();
    let row = page::state(&req)
        .db
        .run(move |c| endpoints::get(c, &actor, &id))
        .await?;
    Ok(page::ok(&DeletePage {
        layout: Layout::signed_in(&who, &session, "webhooks"),
        endpoint: EndpointLine::of(&row, &who),
    }))
}

pub async fn delete_endpoint(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    let (id, ip) = (id.into_inner(), AppState::client_ip(&req));
    page::state(&req)
        .db
        .run(move |c| endpoints::delete(c, &who, &id, &ip))
        .await?;
    Ok(page::see_other("/webhooks?done=deleted"))
}

pub async fn roll_secret(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    form: Form<crate::web::keys::RollForm>,
) -> Response {
    let id = id.into_inner();
    let Ok(grace) = form.grace_period_seconds.parse::<i64>() else {
        let page = detail_page(
            &req,
            &session,
            &who,
            id,
            None,
            Some("Choose when the old secret stops signing.".into()),
        )
        .await?;
        return Ok(page::render(StatusCode::BAD_REQUEST, &page));
    };
    let (actor, eid, ip) = (who.clone(), id.clone(), AppState::client_ip(&req));
    let sealer = page::state(&req).webhooks.sealer.clone();
    let rolled = page::state(&req)
        .db
        .run(move |c| {
            let (_, secret) = endpoints::roll_secret(c, &actor, &sealer, &eid, grace, &ip)?;
            Ok((endpoints::get(c, &actor, &eid)?, secret))
        })
        .await;
    match rolled {
        Ok((row, secret)) => Ok(page::render(
            StatusCode::OK,
            &SecretPage {
                layout: Layout::signed_in(&who, &session, "webhooks"),
                endpoint: EndpointLine::of(&row, &who),
                secret,
                action: "rolled",
            },
        )),
        Err(Error::Invalid(errors)) => {
            let message = errors.into_values().next();
            let page = detail_page(&req, &session, &who, id, None, message).await?;
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}

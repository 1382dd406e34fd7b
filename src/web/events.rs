//! The dashboard's events (SPEC §10): the list by type or type prefix (SPEC §14), and
//! an event's page with the object's JSON. Keys' and webhook endpoints' lifecycle events
//! are for Admins and Developers only.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::Response;
use super::listing::{Listing, PAGE_ROWS};
use super::page::{self, Layout, SignedIn};
use super::payments::{EventLine, scope_of};
use super::shown::Time;
use crate::payments::browse;

#[derive(Template)]
#[template(path = "dashboard/events.html")]
pub struct EventsPage {
    pub layout: Layout,
    pub list: Listing<EventLine>,
    pub event_type: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventQuery {
    #[serde(rename = "type")]
    event_type: String,
}

pub async fn list_events(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    q: web::Query<EventQuery>,
) -> Response {
    let event_type: String = q
        .event_type
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    let (actor, scope, before, chosen) = (
        who.clone(),
        scope_of(&who, &req),
        page::cursor(&req),
        Some(event_type.clone()).filter(|t| !t.is_empty()),
    );
    let rows = page::state(&req)
        .db
        .run(move |c| {
            browse::events(
                c,
                &actor,
                &scope,
                chosen.as_deref(),
                before.as_deref(),
                PAGE_ROWS + 1,
            )
        })
        .await?;
    let lines = rows.iter().map(EventLine::of).collect();
    Ok(page::ok(&EventsPage {
        layout: Layout::signed_in(&who, &session, "events").in_mode(&req),
        list: Listing::of(&req, lines, |e: &EventLine| &e.id),
        event_type,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/event.html")]
pub struct EventPage {
    pub layout: Layout,
    pub id: String,
    pub event_type: String,
    pub created: Time,
    /// A link to the object's own page, when the dashboard has one.
    pub object_link: Option<(String, String)>,
    pub json: String,
}

pub async fn show_event(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    let (actor, scope, id) = (who.clone(), scope_of(&who, &req), id.into_inner());
    let event = page::state(&req)
        .db
        .run(move |c| browse::event(c, &actor, &scope, &id))
        .await?;
    let layout = Layout::signed_in(&who, &session, "events").in_mode(&req);
    let object = &event.data.object;
    let object_id = object.get("id").and_then(|v| v.as_str()).unwrap_or("");
    let object_link = match object.get("object").and_then(|v| v.as_str()) {
        Some("payment") => Some(format!("/payments/{object_id}")),
        Some("refund") => object
            .get("payment")
            .and_then(|v| v.as_str())
            .map(|p| format!("/payments/{p}")),
        Some("customer") => Some(format!("/customers/{object_id}")),
        Some("subscription") => Some(format!("/subscriptions/{object_id}")),
        Some("api_key") if who.role().can_use_hub() => Some(format!("/keys/{object_id}")),
        Some("webhook_endpoint") if who.role().can_use_hub() => {
            Some(format!("/webhooks/{object_id}"))
        }
        _ => None,
    }
    .map(|href| (format!("{href}{}", layout.mode_query), object_id.to_owned()));
    Ok(page::ok(&EventPage {
        json: serde_json::to_string_pretty(object).unwrap_or_default(),
        id: event.id.clone(),
        event_type: event.event_type.clone(),
        created: Time::parse(&event.created_at),
        object_link,
        layout,
    }))
}

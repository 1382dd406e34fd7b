//! A delivery's page: each attempt with its status, latency, error, the response's
//! headers and first 4 KiB of body, and the payload sent.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::view::{DeliveryLine, EndpointLine};
use crate::db::models::webhook_attempts::AttemptRow;
use crate::web::form::Response;
use crate::web::page::{self, Layout, SignedIn};
use crate::web::shown::{Time, latency};

pub struct AttemptLine {
    pub number: usize,
    pub time: Time,
    pub status_code: Option<i32>,
    pub delivered: bool,
    pub latency: String,
    pub error: Option<String>,
    /// None when nothing answered.
    pub headers: Option<Vec<(String, String)>>,
    pub body: Option<String>,
}

impl AttemptLine {
    fn of(number: usize, a: &AttemptRow) -> Self {
        Self {
            number,
            time: Time::at_ms(a.attempted_at),
            status_code: a.status_code,
            delivered: a.status_code.is_some_and(|c| (200..300).contains(&c)),
            latency: if a.request_body.is_some() {
                latency(a.latency_us)
            } else {
                String::new()
            },
            error: a.error.clone(),
            headers: a.response_headers.as_ref().map(|_| a.headers()),
            body: a.response_body.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "webhooks/delivery.html")]
pub struct DeliveryPage {
    pub layout: Layout,
    pub endpoint: EndpointLine,
    pub delivery: DeliveryLine,
    pub attempts: Vec<AttemptLine>,
    /// The payload of the latest attempt that was sent, pretty-printed.
    pub payload: Option<String>,
}

/// Indented JSON, or the text as it was when it is not JSON.
fn pretty(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_owned())
}

pub async fn show_delivery(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    path: web::Path<(String, String)>,
) -> Response {
    who.require_hub()?;
    let (endpoint_id, delivery_id) = path.into_inner();
    let actor = who.clone();
    let (endpoint, delivery) = page::state(&req)
        .db
        .run(move |c| crate::webhooks::deliveries::get(c, &actor, &endpoint_id, &delivery_id))
        .await?;
    let payload = delivery
        .attempts
        .iter()
        .rev()
        .find_map(|a| a.request_body.as_deref())
        .map(pretty);
    Ok(page::ok(&DeliveryPage {
        layout: Layout::signed_in(&who, &session, "webhooks"),
        endpoint: EndpointLine::of(&endpoint, &who),
        delivery: DeliveryLine::of(&delivery.row),
        attempts: delivery
            .attempts
            .iter()
            .enumerate()
            .map(|(i, a)| AttemptLine::of(i + 1, a))
            .collect(),
        payload,
    }))
}

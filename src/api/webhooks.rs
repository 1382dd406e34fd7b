//! The webhook-endpoint API of SPEC §9, for user tokens (never API keys): a thin edge over
//! `webhooks::endpoints`.

use actix_web::{HttpRequest, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::body::{Body, FromBody, JsonObject, NoFields};
use super::context::{self, ApiResult, Created, Query};
use super::extract::ApiUser;
use super::list::{self, List, Page};
use crate::accounts::Principal;
use crate::clock;
use crate::db::models::webhook_attempts::AttemptRow;
use crate::error::Error;
use crate::state::AppState;
use crate::webhooks::deliveries::Delivery;
use crate::webhooks::endpoints::{self, EndpointPatch, NewEndpoint, WebhookEndpoint};

super::describe::described!(
    WebhookEndpoint,
    NewWebhookEndpoint,
    CreateEndpointParams,
    UpdateEndpointParams,
    RollSecretParams,
    WebhookDelivery,
    DeliveryAttempt
);

fn url_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(crate::webhooks::ssrf::URL_PATTERN))
        .max_length(Some(2048))
        .description(Some("https:// (http:// in test mode); a public address unless the server allows private ones."))
        .build()
}

fn key_id() -> utoipa::openapi::schema::Object {
    crate::schema::id_of("key_")
}

/// The roll-secret grace periods the server takes (SPEC §9), as an enum.
fn grace_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some(endpoints::ROLL_GRACE_SECONDS.iter().copied()))
        .description(Some(
            "Seconds the old secret keeps signing: 0 (default), 3600, 86400 or 604800.",
        ))
        .build()
}

fn events_schema() -> utoipa::openapi::schema::Array {
    let names = crate::webhooks::EVENT_TYPES.iter().copied().chain(["*"]);
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .enum_values(Some(names)),
        )
        .min_items(Some(1))
        .max_items(Some(100))
        .description(Some("Event types of the catalogue, or [\"*\"] for all (the default); an unknown name is 400 naming it."))
        .build()
}

/// A new endpoint.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpointParams {
    #[schema(schema_with = url_schema)]
    pub url: String,
    #[schema(schema_with = crate::schema::optional_name)]
    pub description: Option<String>,
    #[schema(schema_with = events_schema)]
    pub enabled_events: Option<Vec<String>>,
    /// `test` (default) or `live`.
    #[schema(pattern = "^(test|live)$")]
    pub mode: Option<String>,
    /// Bind it to one key (`key_…`): it then receives only that key's lifecycle events.
    #[schema(schema_with = key_id)]
    pub api_key: Option<String>,
}

fn read_events(b: &mut Body) -> Option<Vec<String>> {
    let events = b.strings("enabled_events", 100)?;
    if events.is_empty()
        || events.iter().any(|e| {
            e.trim().is_empty() || e.chars().count() > 100 || e.chars().any(char::is_control)
        })
    {
        b.error(
            "enabled_events",
            "a list of event types such as payment.succeeded, or [\"*\"]",
        );
    }
    Some(events)
}

impl FromBody for CreateEndpointParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        let url = b.string("url", true, 2048);
        let description = b.string("description", false, 200);
        let enabled_events = read_events(b);
        let mode = match b.string("mode", false, 4) {
            Some(m) if m != "test" && m != "live" => b.fail_none("mode", "use test or live"),
            other => Some(other),
        };
        let api_key = b.id("api_key", false, "key_");
        Some(Self {
            url: url?,
            description,
            enabled_events,
            mode: mode?,
            api_key,
        })
    }
}

/// A new endpoint with its signing secret: the one answer that holds it.
#[derive(Serialize, ToSchema)]
pub struct NewWebhookEndpoint {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`: verify `Paydesk-Signature` with it. Shown here (and by roll-secret) only.
    #[schema(pattern = "^whsec_")]
    pub secret: String,
}

/// The role, then the URL's form and where it resolves (SPEC §9's SSRF rules, §13).
async fn checked_url(
    req: &HttpRequest,
    who: &Principal,
    url: &str,
    live: bool,
) -> Result<String, Error> {
    let allow = AppState::of(req).webhooks.allow_private;
    crate::webhooks::bound::checked_url(who, url, live, allow, "url").await
}

pub async fn create_endpoint(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    JsonObject(p): JsonObject<CreateEndpointParams>,
) -> ApiResult<Created<NewWebhookEndpoint>> {
    let live = p.mode.as_deref() == Some("live");
    let url = checked_url(&req, &who, &p.url, live).await?;
    let input = NewEndpoint {
        url,
        description: p.description.unwrap_or_default(),
        enabled_events: p.enabled_events.unwrap_or_else(|| vec!["*".into()]),
        livemode: live,
        api_key: p.api_key,
    };
    let state = AppState::of(&req);
    let (sealer, ip) = (state.webhooks.sealer.clone(), AppState::client_ip(&req));
    let (endpoint, secret) = state
        .db
        .run(move |c| endpoints::create(c, &who, &sealer, input, &ip))
        .await?;
    context::created(NewWebhookEndpoint { endpoint, secret })
}

pub async fn list_endpoints(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    query: Query,
) -> ApiResult<List<WebhookEndpoint>> {
    let page = Page::from_query(&query)?;
    let (after, fetch) = (page.starting_after.clone(), page.fetch());
    let rows = AppState::of(&req)
        .db
        .run(move |c| endpoints::list_page(c, &who, after.as_deref(), fetch))
        .await?;
    context::ok(list::list(rows, &page))
}

pub async fn get_endpoint(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
) -> ApiResult<WebhookEndpoint> {
    let row = AppState::of(&req)
        .db
        .run(move |c| endpoints::get(c, &who, &id))
        .await?;
    context::ok(endpoints::view(&row))
}

/// What to change in an endpoint.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointParams {
    #[schema(schema_with = url_schema)]
    pub url: Option<String>,
    #[schema(schema_with = crate::schema::optional_name)]
    pub description: Option<String>,
    #[schema(schema_with = events_schema)]
    pub enabled_events: Option<Vec<String>>,
    #[schema(pattern = "^(enabled|disabled)$")]
    pub status: Option<String>,
}

impl FromBody for UpdateEndpointParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        let url = b.string("url", false, 2048);
        let description = b.string("description", false, 200);
        let enabled_events = read_events(b);
        let status = match b.string("status", false, 8) {
            Some(s) if s != "enabled" && s != "disabled" => {
                b.fail_none("status", "use enabled or disabled")
            }
            other => Some(other),
        };
        Some(Self {
            url,
            description,
            enabled_events,
            status: status?,
        })
    }
}

pub async fn update_endpoint(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    JsonObject(p): JsonObject<UpdateEndpointParams>,
) -> ApiResult<WebhookEndpoint> {
    let state = AppState::of(&req);
    let url = match &p.url {
        Some(u) => {
            let (actor, eid) = (who.clone(), id.clone());
            let live = state
                .db
                .run(move |c| endpoints::get(c, &actor, &eid))
                .await?
                .livemode;
            Some(checked_url(&req, &who, u, live).await?)
        }
        None => None,
    };
    let patch = EndpointPatch {
        url,
        description: p.description,
        enabled_events: p.enabled_events,
        status: p.status,
    };
    let ip = AppState::client_ip(&req);
    context::ok(
        state
            .db
            .run(move |c| endpoints::update(c, &who, &id, patch, &ip))
            .await?,
    )
}

pub async fn delete_endpoint(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<WebhookEndpoint> {
    let ip = AppState::client_ip(&req);
    context::ok(
        AppState::of(&req)
            .db
            .run(move |c| endpoints::delete(c, &who, &id, &ip))
            .await?,
    )
}

/// The grace period of a roll.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollSecretParams {
    #[schema(schema_with = grace_schema)]
    pub grace_period_seconds: Option<i64>,
}

impl FromBody for RollSecretParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        Some(Self {
            grace_period_seconds: b.int("grace_period_seconds", false, 0, 604_800),
        })
    }
}

pub async fn roll_secret(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    JsonObject(p): JsonObject<RollSecretParams>,
) -> ApiResult<Created<NewWebhookEndpoint>> {
    let state = AppState::of(&req);
    let (sealer, ip, grace) = (
        state.webhooks.sealer.clone(),
        AppState::client_ip(&req),
        p.grace_period_seconds.unwrap_or(0),
    );
    let (endpoint, secret) = state
        .db
        .run(move |c| endpoints::roll_secret(c, &who, &sealer, &id, grace, &ip))
        .await?;
    context::created(NewWebhookEndpoint { endpoint, secret })
}

/// One attempt of a delivery.
#[derive(Serialize, ToSchema)]
pub struct DeliveryAttempt {
    #[schema(schema_with = crate::schema::timestamp)]
    pub attempted_at: String,
    /// The receiver's HTTP status; null when nothing answered (or it was not sent).
    pub status_code: Option<i32>,
    /// From sending to the end of the first 4 KiB of the answer, in milliseconds.
    pub latency_ms: f64,
    /// Why it failed (`answered 500`, `no answer within 10 s`, …); null when delivered.
    pub error: Option<String>,
}

/// One delivery of an event to an endpoint, with its latest attempt and every attempt.
#[derive(Serialize, ToSchema)]
pub struct WebhookDelivery {
    #[schema(pattern = "^whd_")]
    pub id: String,
    #[schema(pattern = "^webhook_delivery$")]
    pub object: &'static str,
    pub endpoint: String,
    pub event: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    #[schema(pattern = "^(pending|delivered|failed)$")]
    pub status: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub latency_ms: Option<i32>,
    #[schema(schema_with = crate::schema::timestamp_or_null)]
    pub next_attempt_at: Option<String>,
    #[schema(schema_with = crate::schema::timestamp)]
    pub created_at: String,
    /// Every attempt so far, oldest first.
    pub attempt_history: Vec<DeliveryAttempt>,
}

fn attempt_view(a: &AttemptRow) -> DeliveryAttempt {
    DeliveryAttempt {
        attempted_at: clock::rfc3339(a.attempted_at / 1000),
        status_code: a.status_code,
        // Microseconds stored: milliseconds with at most 3 decimals.
        latency_ms: a.latency_us as f64 / 1000.0,
        error: a.error.clone(),
    }
}

fn delivery_view(delivery: &Delivery) -> WebhookDelivery {
    let d = &delivery.row;
    WebhookDelivery {
        id: d.id.clone(),
        object: "webhook_delivery",
        endpoint: d.endpoint_id.clone(),
        event: d.event_id.clone(),
        event_type: d.event_type.clone(),
        status: d.status.clone(),
        attempts: d.attempts,
        last_status: d.last_status,
        last_error: d.last_error.clone(),
        latency_ms: d.last_latency_ms,
        next_attempt_at: (d.status == "pending").then(|| clock::rfc3339(d.next_attempt_at / 1000)),
        created_at: clock::rfc3339(d.created_at),
        attempt_history: delivery.attempts.iter().map(attempt_view).collect(),
    }
}

pub async fn list_deliveries(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    query: Query,
) -> ApiResult<List<WebhookDelivery>> {
    let page = Page::from_query(&query)?;
    let (after, fetch) = (page.starting_after.clone(), page.fetch());
    let rows = AppState::of(&req)
        .db
        .run(move |c| crate::webhooks::deliveries::list(c, &who, &id, after.as_deref(), fetch))
        .await?;
    context::ok(list::list(rows.iter().map(delivery_view).collect(), &page))
}

/// Sends an event again to the same endpoint, as a new delivery.
pub async fn resend_delivery(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<Created<WebhookDelivery>> {
    let row = AppState::of(&req)
        .db
        .run(move |c| crate::webhooks::deliveries::resend(c, &who, &id, None))
        .await?;
    context::created(delivery_view(&row))
}

/// Sends a `ping` event to the endpoint.
pub async fn test_endpoint(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    id: web::Path<String>,
    _: NoFields,
) -> ApiResult<Created<WebhookDelivery>> {
    let row = AppState::of(&req)
        .db
        .run(move |c| crate::webhooks::deliveries::send_test(c, &who, &id))
        .await?;
    context::created(delivery_view(&row))
}

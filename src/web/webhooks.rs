//! The Webhooks pages (SPEC §9): the endpoint list; the create form, whose answer shows
//! the signing secret once; an endpoint's page with its delivery log and the Resend, Send
//! test event, Roll secret, Disable/Enable and Delete actions. A thin edge over
//! `webhooks::endpoints`, like the API's.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Empty, Form, FormState, Response};
use super::page::{self, Layout, SignedIn};
use crate::accounts::Principal;
use crate::clock;
use crate::db::models::forms::Submitted;
use crate::db::models::user::Role;
use crate::db::models::webhooks::{DeliveryRow, EndpointRow};
use crate::error::{Error, FieldErrors};
use crate::state::AppState;
use crate::webhooks::endpoints::{self, EndpointPatch, NewEndpoint};
use crate::webhooks::ssrf;

/// How many deliveries an endpoint's page lists.
const LOG_LINES: i64 = 50;

pub struct EndpointLine {
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub mode: &'static str,
    pub status: String,
    pub api_key: Option<String>,
    pub api_version: String,
    pub created: String,
    pub created_by: String,
    pub disabled_reason: Option<String>,
    /// Whether this person may edit, enable or roll it (live endpoints are Admins').
    pub can_manage: bool,
}

impl EndpointLine {
    fn of(r: &EndpointRow, who: &Principal) -> Self {
        Self {
            id: r.id.clone(),
            url: r.url.clone(),
            description: r.description.clone(),
            events: if r.enabled_events.split_whitespace().any(|e| e == "*") {
                "All events".into()
            } else {
                r.enabled_events
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            mode: if r.livemode { "live" } else { "test" },
            status: r.status.clone(),
            api_key: r.api_key_id.clone(),
            api_version: r.api_version.clone().unwrap_or_default(),
            created: clock::display(r.created_at),
            created_by: r.created_by.clone(),
            disabled_reason: r.disabled_reason.clone(),
            can_manage: !r.livemode || who.role() == Role::Admin,
        }
    }
}

pub struct DeliveryLine {
    pub id: String,
    pub event: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub result: String,
    pub latency: String,
    pub next: String,
    pub time: String,
}

impl DeliveryLine {
    fn of(d: &DeliveryRow) -> Self {
        Self {
            id: d.id.clone(),
            event: d.event_id.clone(),
            event_type: d.event_type.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            result: match (d.last_status, &d.last_error) {
                (Some(code), _) if (200..300).contains(&code) => format!("{code}"),
                (Some(code), _) => format!("{code} (not 2xx)"),
                (None, Some(e)) => e.clone(),
                (None, None) => "Not attempted yet".into(),
            },
            latency: d
                .last_latency_ms
                .filter(|_| d.attempts > 0)
                .map(|ms| format!("{ms} ms"))
                .unwrap_or_default(),
            next: if d.status == "pending" {
                clock::display(d.next_attempt_at / 1000)
            } else {
                String::new()
            },
            time: clock::display(d.created_at),
        }
    }
}

// ---------- the list ----------

#[derive(Template)]
#[template(path = "webhooks/list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub endpoints: Vec<EndpointLine>,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
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

// ---------- create ----------

/// A key the new endpoint may be bound to.
pub struct KeyChoice {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "webhooks/new.html")]
pub struct NewPage {
    pub layout: Layout,
    pub form: FormState,
    pub keys: Vec<KeyChoice>,
    pub live_note: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndpointForm {
    url: String,
    description: String,
    enabled_events: String,
    mode: String,
    api_key: String,
    form_token: String,
}

impl EndpointForm {
    fn kept(&self) -> FormState {
        FormState::default()
            .with("url", &self.url)
            .with("description", &self.description)
            .with("enabled_events", &self.enabled_events)
            .with("mode", &self.mode)
            .with("api_key", &self.api_key)
            .with("form_token", &self.form_token)
    }

    /// The event box, split on commas and whitespace; empty means all events.
    fn events(&self) -> Vec<String> {
        let events: Vec<String> = self
            .enabled_events
            .split([',', ' ', '\n', '\r', '\t'])
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect();
        if events.is_empty() {
            vec!["*".into()]
        } else {
            events
        }
    }
}

/// Checks what only the form can get wrong; the rest is the domain's to check.
fn form_errors(f: &EndpointForm) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if f.description.chars().count() > 200 || f.description.chars().any(char::is_control) {
        errors.insert(
            "description",
            "At most 200 characters, on one line.".to_owned(),
        );
    }
    let events = f.events();
    if events.len() > 100
        || events
            .iter()
            .any(|e| e.chars().count() > 100 || e.chars().any(char::is_control))
    {
        errors.insert(
            "enabled_events",
            "Event types such as payment.succeeded, separated by commas, or * for all.".to_owned(),
        );
    }
    if f.mode != "test" && f.mode != "live" {
        errors.insert("mode", "Choose test or live.".to_owned());
    }
    errors
}

/// "must name a host" → "Must name a host."
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

fn live_note(who: &Principal) -> Option<&'static str> {
    if who.role() != Role::Admin {
        Some("Only an Admin can create live endpoints.")
    } else if !who.merchant.verified {
        Some("Live endpoints are available once your account is verified.")
    } else {
        None
    }
}

async fn new_page(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    form: FormState,
) -> Result<NewPage, Error> {
    let actor = who.clone();
    let keys = page::state(req)
        .db
        .run(move |c| {
            let filter = crate::keys::service::KeyFilter {
                mode: None,
                status: Some(crate::keys::model::KeyStatus::Active),
            };
            crate::keys::service::list_keys(c, &actor, &filter)
        })
        .await?
        .into_iter()
        .filter(|k| !k.row.canary)
        .map(|k| KeyChoice {
            label: format!(
                "{} ({}, …{})",
                k.row.name,
                k.mode.as_str(),
                k.row.secret_hint
            ),
            id: k.row.id,
        })
        .collect();
    Ok(NewPage {
        layout: Layout::signed_in(who, session, "webhooks"),
        form,
        keys,
        live_note: live_note(who),
    })
}

pub async fn new_endpoint(req: HttpRequest, session: Session, SignedIn(who): SignedIn) -> Response {
    who.require_hub()?;
    let form = FormState::default()
        .with("mode", "test")
        .with("form_token", &crate::ids::random_base62(24));
    Ok(page::ok(&new_page(&req, &session, &who, form).await?))
}

#[derive(Template)]
#[template(path = "webhooks/secret.html")]
pub struct SecretPage {
    pub layout: Layout,
    pub endpoint: EndpointLine,
    pub secret: String,
    /// `created` or `rolled`.
    pub action: &'static str,
}

pub async fn create_endpoint(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Form<EndpointForm>,
) -> Response {
    who.require_hub()?;
    let form = form.into_inner();
    let mut errors = form_errors(&form);
    let live = form.mode == "live";
    // Whoever may not make it is told so before the URL is looked up (§13).
    let allowed = endpoints::require_manage(&who, live);
    let url = match allowed {
        Err(_) => None,
        Ok(()) => match ssrf::checked(
            form.url.trim(),
            live,
            page::state(&req).webhooks.allow_private,
        )
        .await
        {
            Ok(url) => Some(url),
            Err(e) => {
                errors.insert("url", sentence(&e));
                None
            }
        },
    };
    let outcome = match (allowed, url) {
        (Err(e), _) => Err(e),
        (Ok(()), Some(url)) if errors.is_empty() => {
            let input = NewEndpoint {
                url,
                description: form.description.trim().to_owned(),
                enabled_events: form.events(),
                livemode: live,
                api_key: Some(form.api_key.clone()).filter(|k| !k.is_empty()),
            };
            let (actor, ip) = (who.clone(), AppState::client_ip(&req));
            let sealer = page::state(&req).webhooks.sealer.clone();
            let token = form.form_token.clone();
            page::state(&req)
                .db
                .run(move |c| {
                    crate::db::models::forms::submit_once(c, &token, &actor.user.id, |c| {
                        let made = endpoints::create(c, &actor, &sealer, input, &ip)?;
                        let id = made.0.id.clone();
                        Ok::<_, Error>((made, id))
                    })
                })
                .await
        }
        _ => Err(Error::Invalid(errors)),
    };
    match outcome {
        Ok(Submitted::Created((endpoint, secret))) => {
            let row = EndpointLine {
                id: endpoint.id.clone(),
                url: endpoint.url.clone(),
                description: endpoint.description.clone(),
                events: endpoint.enabled_events.join(", "),
                mode: endpoint.mode,
                status: endpoint.status.clone(),
                api_key: endpoint.api_key.clone(),
                api_version: endpoint.api_version.clone().unwrap_or_default(),
                created: clock::display(clock::now()),
                created_by: who.user.email.clone(),
                disabled_reason: None,
                can_manage: true,
            };
            Ok(page::render(
                StatusCode::CREATED,
                &SecretPage {
                    layout: Layout::signed_in(&who, &session, "webhooks"),
                    endpoint: row,
                    secret,
                    action: "created",
                },
            ))
        }
        // Sent twice (a reload of the answer): one endpoint; its secret was shown then.
        Ok(Submitted::Already(id)) => Ok(page::see_other(&format!("/webhooks/{id}?done=exists"))),
        Err(e) => {
            let (status, errors) = match e {
                Error::Invalid(errors) => (StatusCode::BAD_REQUEST, errors),
                Error::LiveModeUnavailable(msg) | Error::Forbidden(msg) => {
                    (StatusCode::FORBIDDEN, FieldErrors::from([("mode", msg)]))
                }
                other => return Err(other.into()),
            };
            let page = new_page(&req, &session, &who, form.kept().errors(errors)).await?;
            Ok(page::render(status, &page))
        }
    }
}

// ---------- one endpoint ----------

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

async fn detail_page(
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
            let deliveries = endpoints::deliveries(c, &actor, &id, None, LOG_LINES)?;
            Ok((row, deliveries))
        })
        .await?;
    Ok(DetailPage {
        layout: Layout::signed_in(who, session, "webhooks"),
        endpoint: EndpointLine::of(&row, who),
        deliveries: deliveries.iter().map(DeliveryLine::of).collect(),
        notice,
        grace_choices: super::keys::grace_choices(),
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
        Some("exists") => Some(
            "This form was sent before and made this endpoint; its secret was shown then. Roll the secret if you did not copy it.",
        ),
        _ => None,
    };
    Ok(page::ok(
        &detail_page(&req, &session, &who, id.into_inner(), notice, None).await?,
    ))
}

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
        .run(move |c| endpoints::send_test(c, &who, &eid))
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
        .run(move |c| endpoints::resend(c, &who, &delivery, Some(&eid)).map(drop))
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
    form: Form<super::keys::RollForm>,
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

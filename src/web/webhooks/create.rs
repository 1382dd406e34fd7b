//! The create form of an endpoint, whose answer shows the signing secret once.

use actix_session::Session;
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use askama::Template;

use super::form::{EndpointForm, EventPicker};
use super::view::EndpointLine;
use crate::accounts::Principal;
use crate::clock;
use crate::db::models::forms::Submitted;
use crate::error::{Error, FieldErrors, sentence};
use crate::state::AppState;
use crate::web::form::{Form, FormState, Response};
use crate::web::page::{self, Layout, SignedIn};
use crate::webhooks::endpoints::{self, NewEndpoint};
use crate::webhooks::ssrf;

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
    pub picker: EventPicker,
    pub keys: Vec<KeyChoice>,
    pub live_note: Option<String>,
}

/// Why live endpoints are not offered to this person, if they are not: the policy's
/// answer, then the account's state.
fn live_note(who: &Principal) -> Option<String> {
    if let Err(e) = crate::keys::policy::may_manage_endpoint(who, true) {
        Some(e.to_string())
    } else if !who.merchant.verified {
        Some("Live endpoints are available once your account is verified.".into())
    } else {
        None
    }
}

async fn new_page(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    form: FormState,
    picker: EventPicker,
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
        picker,
        keys,
        live_note: live_note(who),
    })
}

pub async fn new_endpoint(req: HttpRequest, session: Session, SignedIn(who): SignedIn) -> Response {
    who.require_hub()?;
    let form = FormState::default()
        .with("mode", "test")
        .with("form_token", &crate::ids::random_base62(24));
    let picker = EventPicker::of(&[]);
    Ok(page::ok(
        &new_page(&req, &session, &who, form, picker).await?,
    ))
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
    form: Form<Vec<(String, String)>>,
) -> Response {
    who.require_hub()?;
    let form = EndpointForm(form.into_inner());
    let mut errors = form.errors();
    let mode = form.get("mode");
    if mode != "test" && mode != "live" {
        errors.insert("mode", "Choose test or live.".to_owned());
    }
    let live = mode == "live";
    // Whoever may not make it is told so before the URL is looked up (§13).
    let allowed = endpoints::require_manage(&who, live);
    let url = match allowed {
        Err(_) => None,
        Ok(()) => match ssrf::checked(
            form.get("url").trim(),
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
                description: form.get("description").trim().to_owned(),
                enabled_events: form.events(),
                livemode: live,
                api_key: Some(form.get("api_key").to_owned()).filter(|k| !k.is_empty()),
            };
            let (actor, ip) = (who.clone(), AppState::client_ip(&req));
            let sealer = page::state(&req).webhooks.sealer.clone();
            let token = form.get("form_token").to_owned();
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
                created: crate::web::shown::Time::at(clock::now()),
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
            let kept = form.kept().errors(errors);
            let page = new_page(&req, &session, &who, kept, form.picker()).await?;
            Ok(page::render(status, &page))
        }
    }
}

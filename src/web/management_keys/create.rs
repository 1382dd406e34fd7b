//! The form that makes a management key, and its answer: the key, shown once.

use actix_session::Session;
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use askama::Template;

use super::KeyLine;
use crate::accounts::Principal;
use crate::db::models::forms::{Submitted, submit_once};
use crate::error::Error;
use crate::keys::management::Scope;
use crate::keys::management::service::{self, ManagementDraft};
use crate::state::AppState;
use crate::web::form::{Form, FormState, Response};
use crate::web::page::{self, Layout, SignedIn};

/// A scope's checkbox.
pub struct ScopeChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "hub/management/new.html")]
pub struct NewPage {
    pub layout: Layout,
    pub form: FormState,
    pub scopes: Vec<ScopeChoice>,
    pub live: bool,
    pub max_days: i64,
}

fn new_page(
    who: &Principal,
    session: &Session,
    form: FormState,
    chosen: &[String],
    live: bool,
) -> NewPage {
    NewPage {
        layout: Layout::signed_in(who, session, "management-keys"),
        form,
        scopes: Scope::ALL
            .into_iter()
            .map(|s| ScopeChoice {
                value: s.as_str(),
                label: s.label(),
                checked: chosen.iter().any(|c| c == s.as_str()),
            })
            .collect(),
        live,
        max_days: crate::keys::management::MAX_DAYS,
    }
}

pub async fn new_key(session: Session, SignedIn(who): SignedIn) -> Response {
    // Only an Admin is shown the form: the policy's answer, before anything is typed.
    crate::keys::policy::may_manage_machine_keys(&who, false)?;
    let form = FormState::default()
        .with("expires_in_days", "30")
        .with("form_token", &crate::ids::random_base62(24));
    Ok(page::ok(&new_page(&who, &session, form, &[], false)))
}

#[derive(Template)]
#[template(path = "hub/management/secret.html")]
pub struct SecretPage {
    pub layout: Layout,
    pub key: KeyLine,
    pub secret: String,
    pub origin: String,
}

pub async fn create_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Form<Vec<(String, String)>>,
) -> Response {
    let pairs = form.into_inner();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let scopes: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "scopes")
        .map(|(_, v)| v.clone())
        .collect();
    let days = get("expires_in_days").trim();
    let draft = ManagementDraft {
        name: get("name").to_owned(),
        scopes: scopes.clone(),
        live: get("live") == "on",
        allowed_ips: get("allowed_ips")
            .split([',', '\n', '\r', ' ', '\t'])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        // Not a whole number: as if absent, and the field says what it takes.
        expires_in_days: if days.is_empty() {
            None
        } else {
            Some(days.parse::<i64>().unwrap_or(i64::MAX))
        },
    };
    let live = draft.live;
    let (actor, ip) = (who.clone(), AppState::client_ip(&req));
    let token = get("form_token").to_owned();
    let made = page::state(&req)
        .db
        .run(move |c| {
            submit_once(c, &token, &actor.user.id, |c| {
                let made = service::create(c, &actor, draft, &ip)?;
                let id = made.key.row.id.clone();
                Ok::<_, Error>((made, id))
            })
        })
        .await;
    match made {
        Ok(Submitted::Created(made)) => Ok(page::render(
            StatusCode::CREATED,
            &SecretPage {
                layout: Layout::signed_in(&who, &session, "management-keys"),
                key: KeyLine::of(&made.key),
                secret: made.secret,
                origin: AppState::origin(&req),
            },
        )),
        // Sent twice (a reload of the answer): one key; its secret was shown then.
        Ok(Submitted::Already(id)) => Ok(page::see_other(&format!(
            "/management-keys/{id}?done=exists"
        ))),
        Err(Error::Invalid(errors)) => {
            let mut kept = FormState::default();
            for name in ["name", "allowed_ips", "expires_in_days", "form_token"] {
                kept = kept.with(name, get(name));
            }
            let page = new_page(&who, &session, kept.errors(errors), &scopes, live);
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(other) => Err(other.into()),
    }
}

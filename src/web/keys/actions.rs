//! Suspend, reactivate, revoke and roll, with the confirmation pages of roll and revoke.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::create::hold_secret;
use super::view::{KeyRow, refusal, unavailable};
use crate::accounts::Principal;
use crate::db::DbConn;
use crate::error::Error;
use crate::keys::lifecycle::{self, ROLL_GRACE_SECONDS};
use crate::keys::model::ApiKey;
use crate::keys::service::{self};
use crate::state::AppState;
use crate::web::form::{Empty, Form, Response};
use crate::web::page::{self, Layout, SignedIn};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RollForm {
    pub(in crate::web) grace_period_seconds: String,
    /// `on` when the publishable key is to be replaced too.
    roll_publishable: String,
}

type StatusChange = fn(&mut DbConn, &Principal, &str, &str) -> Result<ApiKey, Error>;

/// Suspend, reactivate, revoke: check the form, make the change, go to `done(id)`.
async fn change_status(
    req: HttpRequest,
    who: Principal,
    id: String,
    change: StatusChange,
    done: fn(&str) -> String,
) -> Response {
    let (key_id, ip) = (id.clone(), AppState::client_ip(&req));
    page::state(&req)
        .db
        .run(move |c| change(c, &who, &key_id, &ip))
        .await?;
    Ok(page::see_other(&done(&id)))
}

pub async fn suspend_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change_status(req, who, id.into_inner(), lifecycle::suspend_key, |id| {
        format!("/keys/{id}?done=suspended")
    })
    .await
}

pub async fn reactivate_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change_status(req, who, id.into_inner(), lifecycle::reactivate_key, |id| {
        format!("/keys/{id}?done=reactivated")
    })
    .await
}

pub async fn revoke_key(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    change_status(req, who, id.into_inner(), lifecycle::revoke_key, |_| {
        "/keys?done=revoked".into()
    })
    .await
}

#[derive(Template)]
#[template(path = "hub/confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub key: KeyRow,
    /// `revoke` or `roll`.
    pub action: &'static str,
    pub grace_choices: Vec<(i64, &'static str)>,
    pub error: Option<String>,
}

/// The roll forms' choices (keys and webhook secrets): seconds and their words.
pub(in crate::web) fn grace_choices() -> Vec<(i64, &'static str)> {
    ROLL_GRACE_SECONDS
        .iter()
        .copied()
        .zip(["Immediately", "In 1 hour", "In 24 hours", "In 7 days"])
        .collect()
}

async fn confirm_page(
    req: &HttpRequest,
    session: &Session,
    who: &Principal,
    id: String,
    action: &'static str,
    error: Option<String>,
) -> Result<ConfirmPage, Error> {
    let actor = who.clone();
    let key = page::state(req)
        .db
        .run(move |c| service::get_key(c, &actor, &id))
        .await?;
    Ok(ConfirmPage {
        layout: Layout::signed_in(who, session, "keys"),
        key: KeyRow::of(&key),
        action,
        grace_choices: grace_choices(),
        error,
    })
}

/// The GET of roll and revoke: the confirmation, or why the key cannot take it.
async fn confirm(
    req: HttpRequest,
    session: Session,
    who: Principal,
    id: String,
    action: &'static str,
) -> Response {
    who.require_hub()?;
    let actor = who.clone();
    let key = page::state(&req)
        .db
        .run(move |c| service::get_key(c, &actor, &id))
        .await?;
    if let Some(reason) = refusal(&who, &key, action) {
        return Ok(unavailable(&who, &session, &key, action, reason));
    }
    Ok(page::ok(&ConfirmPage {
        layout: Layout::signed_in(&who, &session, "keys"),
        key: KeyRow::of(&key),
        action,
        grace_choices: grace_choices(),
        error: None,
    }))
}

pub async fn confirm_revoke(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    confirm(req, session, who, id.into_inner(), "revoke").await
}

pub async fn confirm_roll(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    confirm(req, session, who, id.into_inner(), "roll").await
}

pub async fn roll_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    form: Form<RollForm>,
) -> Response {
    let id = id.into_inner();
    let Ok(grace) = form.grace_period_seconds.parse::<i64>() else {
        let page = confirm_page(
            &req,
            &session,
            &who,
            id,
            "roll",
            Some("Choose when the old key stops working.".into()),
        )
        .await?;
        return Ok(page::render(StatusCode::BAD_REQUEST, &page));
    };
    let (actor, key_id, ip) = (who.clone(), id.clone(), AppState::client_ip(&req));
    let roll_publishable = form.roll_publishable == "on";
    match page::state(&req)
        .db
        .run(move |c| {
            lifecycle::roll_key(
                c,
                &actor,
                &key_id,
                grace,
                roll_publishable,
                service::Reveal::OnShowOncePage,
                &ip,
            )
        })
        .await
    {
        Ok(created) => {
            hold_secret(&session, &who, &created, None);
            Ok(page::see_other(&format!(
                "/keys/{}/reveal",
                created.key.row.id
            )))
        }
        Err(Error::Invalid(errors)) => {
            let message = errors.into_values().next();
            let page = confirm_page(&req, &session, &who, id, "roll", message).await?;
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        // Its successor would break the key policy: said on the page, the key unchanged.
        Err(Error::PolicyViolation { rule, message }) => {
            // A successor keeps the key's expiry, which no edit changes.
            let way = if rule == crate::keys::key_policy::RULE_LIFETIME {
                "Create a new key with an expiry instead."
            } else {
                "Edit the key first, or create a new key."
            };
            let message = format!("{message} {way}");
            let page = confirm_page(&req, &session, &who, id, "roll", Some(message)).await?;
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}

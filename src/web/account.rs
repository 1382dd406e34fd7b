//! `/account` (SPEC §12, §14): change password, the person's sessions (each with Sign
//! out), sign out everywhere, which mail notifications they get; and sudo mode's prompt (the password, and the two-factor code
//! when it is on), which carries the interrupted action out once confirmed.

use actix_session::Session;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Empty, Form, FormState, Response};
use super::page::{self, FormPairs, Layout, PageError, SignedIn};
use crate::accounts;
use crate::clock;
use crate::error::Error;
use crate::mail::notify;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/index.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub email: String,
    pub sessions: Vec<SessionRow>,
    pub form: FormState,
    pub notice: Option<String>,
    /// The mail notifications this person may get, each on or off.
    pub switches: Vec<Switch>,
}

pub struct Switch {
    pub name: &'static str,
    pub label: &'static str,
    pub on: bool,
}

pub struct SessionRow {
    pub handle: String,
    pub kind: &'static str,
    pub ip: String,
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

async fn account_page(
    req: &HttpRequest,
    session: &Session,
    who: &accounts::Principal,
    form: FormState,
    notice: Option<String>,
) -> Result<AccountPage, PageError> {
    let actor = who.clone();
    let (sessions, off) = page::state(req)
        .db
        .run(move |c| {
            let off = notify::switched_off(c, &actor.user.id)?;
            Ok((accounts::sessions_of(c, &actor)?, off))
        })
        .await?;
    let switches = notify::Kind::for_role(who.user.role())
        .into_iter()
        .map(|k| Switch {
            name: k.as_str(),
            label: k.label(),
            on: !off.contains(&k),
        })
        .collect();
    Ok(AccountPage {
        layout: Layout::signed_in(who, session, "account"),
        email: who.user.email.clone(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                handle: accounts::session_handle(&s.jti),
                kind: if s.kind == "api" {
                    "API token"
                } else {
                    "Browser"
                },
                ip: if s.ip.is_empty() {
                    "unknown".into()
                } else {
                    s.ip.clone()
                },
                started: clock::display(s.created_at),
                last_seen: clock::display(s.last_seen_at),
                current: s.jti == who.jti,
            })
            .collect(),
        form,
        notice,
        switches,
    })
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn show_account(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    query: web::Query<Done>,
) -> Response {
    let notice = match query.done.as_deref() {
        Some("password") => {
            Some("Password changed. Your other sessions have been signed out.".to_owned())
        }
        Some("session") => Some("That session is signed out.".to_owned()),
        Some("notifications") => Some("Mail notifications saved.".to_owned()),
        _ => None,
    };
    let page = account_page(&req, &session, &who, FormState::default(), notice).await?;
    Ok(page::ok(&page))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Form<PasswordForm>,
) -> Response {
    let form = form.into_inner();
    let ip = AppState::client_ip(&req);
    let state = page::state(&req);
    match accounts::change_password(
        &state.db,
        &who,
        form.current_password,
        form.new_password,
        &ip,
    )
    .await
    {
        Ok(_) => Ok(page::see_other("/account?done=password")),
        Err(e @ (Error::Invalid(_) | Error::Locked(_) | Error::Throttled(_))) => {
            let status = page::status_of(&e);
            let errors = match e {
                Error::Invalid(errors) => errors,
                other => [("current_password", other.to_string())]
                    .into_iter()
                    .collect(),
            };
            let page = account_page(
                &req,
                &session,
                &who,
                FormState::default().errors(errors),
                None,
            )
            .await?;
            Ok(page::render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/notifications`: the kinds checked stay on, the others are switched off.
pub async fn save_notifications(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    form: Form<Vec<(String, String)>>,
) -> Response {
    let on: Vec<notify::Kind> = form
        .iter()
        .filter_map(|(name, _)| notify::Kind::parse(name))
        .collect();
    page::state(&req)
        .db
        .run(move |c| notify::save_switches(c, &who.user, &on))
        .await?;
    Ok(page::see_other("/account?done=notifications"))
}

pub async fn end_session(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    handle: web::Path<String>,
    _: Form<Empty>,
) -> Response {
    let ip = AppState::client_ip(&req);
    let current = accounts::session_handle(&who.jti) == *handle;
    page::state(&req)
        .db
        .run(move |c| accounts::end_session(c, &who, &handle, &ip))
        .await?;
    Ok(page::see_other(if current {
        "/login"
    } else {
        "/account?done=session"
    }))
}

#[derive(Template)]
#[template(path = "account/sign_out.html")]
pub struct SignOutPage {
    pub layout: Layout,
    /// The person's sessions, browsers and API tokens, this one included.
    pub sessions: usize,
}

/// Asks first, saying how many sessions it will end (SPEC §14).
pub async fn confirm_sign_out_everywhere(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
) -> Response {
    let actor = who.clone();
    let sessions = page::state(&req)
        .db
        .run(move |c| accounts::sessions_of(c, &actor))
        .await?
        .len();
    Ok(page::ok(&SignOutPage {
        layout: Layout::signed_in(&who, &session, "account"),
        sessions,
    }))
}

pub async fn sign_out_everywhere(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    _: Form<Empty>,
) -> Response {
    let ip = AppState::client_ip(&req);
    let ended = page::state(&req)
        .db
        .run(move |c| accounts::sign_out_everywhere(c, &who, &ip))
        .await?;
    session.purge();
    Ok(page::see_other(&format!("/login?signed_out={ended}")))
}

// ---------- sudo mode ----------

#[derive(Template)]
#[template(path = "account/sudo.html")]
pub struct SudoPage {
    pub layout: Layout,
    /// Where the interrupted form was going.
    pub action: String,
    /// Its fields, posted again once the password is confirmed.
    pub fields: Vec<(String, String)>,
    /// The person has two-factor on: the prompt asks for the code too (field `code`).
    pub needs_code: bool,
    pub error: Option<String>,
}

/// The interrupted form's fields, without the prompt's own (`code` is the prompt's when
/// it asks for one).
fn carried(pairs: &[(String, String)], needs_code: bool) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(k, _)| {
            let own = matches!(k.as_str(), "csrf" | "sudo_password" | "sudo_return_to");
            !own && (!needs_code || k != "code")
        })
        .cloned()
        .collect()
}

/// Wraps every request: a page whose change needs sudo mode answers with the password
/// prompt instead of an error, holding the form's fields to carry the change out after.
pub async fn prompt_for_password<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, BoxBody>>, actix_web::Error> {
    // The keyed API never asks: pass its answers through untouched (no boxing).
    if req.path().starts_with("/api/") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let res = next.call(req).await?;
    let needs_sudo = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
        .is_some_and(|e| matches!(e, PageError::Page(Error::ReauthenticationRequired)));
    if !needs_sudo {
        return Ok(res.map_into_left_body());
    }
    let (req, _) = res.into_parts();
    let pairs = req
        .extensions()
        .get::<FormPairs>()
        .cloned()
        .unwrap_or_default();
    let who = SignedIn::from_request(&req, &mut actix_web::dev::Payload::None)
        .await
        .ok();
    let needs_code = who
        .as_ref()
        .is_some_and(|SignedIn(w)| accounts::two_factor::enabled(&w.user));
    let page = SudoPage {
        layout: page::layout_for(&req).await,
        action: super::return_path::or_home(req.path()).to_owned(),
        fields: carried(&pairs.0, needs_code),
        needs_code,
        error: None,
    };
    Ok(ServiceResponse::new(req, page::render(StatusCode::FORBIDDEN, &page)).map_into_right_body())
}

/// The prompt's answer: the password is checked (throttled like sign-in); then the
/// browser is sent back to post the interrupted form again (307 keeps the method and
/// the body), now within the sudo window.
pub async fn confirm_password(
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
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let sent = get("sudo_return_to");
    // A return path of ours; anything else leads to the overview once confirmed.
    let return_to = super::return_path::checked(&sent).map(str::to_owned);
    let needs_code = accounts::two_factor::enabled(&who.user);
    let code = needs_code.then(|| get("code"));
    let ip = AppState::client_ip(&req);
    let state = page::state(&req);
    let keys = state.sign_in_keys();
    match accounts::reauthenticate(&state.db, keys, &who, get("sudo_password"), code, &ip).await {
        Ok(()) => Ok(match return_to {
            Some(path) => HttpResponse::TemporaryRedirect()
                .insert_header((actix_web::http::header::LOCATION, path))
                .finish(),
            None => page::see_other("/"),
        }),
        Err(e @ (Error::Invalid(_) | Error::Locked(_) | Error::Throttled(_))) => {
            let status = page::status_of(&e);
            let message = match &e {
                Error::Invalid(f) => f.values().next().cloned().unwrap_or_default(),
                other => other.to_string(),
            };
            let page = SudoPage {
                layout: Layout::signed_in(&who, &session, ""),
                action: return_to.unwrap_or_else(|| "/".into()),
                fields: carried(&pairs, needs_code),
                needs_code,
                error: Some(message),
            };
            Ok(page::render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

//! Forgot password (SPEC §14): `/forgot-password` asks for an email and always answers
//! the same; the mailed link `/password-reset/{token}` sets a new password, ends every
//! session of the person, and sends them to sign in (two-factor is still asked).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Form, FormState, Response};
use super::invitations::{LinkKind, refused};
use super::page::{self, Layout};
use crate::accounts;
use crate::error::Error;
use crate::state::AppState;

/// The one answer to every well-formed request.
pub const SENT: &str = "If an account exists for that address, we sent a link to it. The link works once, for 30 minutes; check your spam folder if it does not arrive.";

#[derive(Template)]
#[template(path = "auth/forgot.html")]
pub struct ForgotPage {
    pub layout: Layout,
    pub form: FormState,
    pub sent: Option<&'static str>,
}

pub async fn show_forgot(req: HttpRequest, session: Session) -> Response {
    let sent = page::query_pairs(&req)
        .iter()
        .any(|(k, v)| k == "sent" && v == "1")
        .then_some(SENT);
    Ok(page::ok(&ForgotPage {
        layout: Layout::anonymous(&session),
        form: FormState::default(),
        sent,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

pub async fn submit_forgot(req: HttpRequest, session: Session, form: Form<ForgotForm>) -> Response {
    let email = form.into_inner().email;
    let kept = FormState::default().with("email", &email);
    let ip = AppState::client_ip(&req);
    let result = page::state(&req)
        .db
        .run(move |c| accounts::request_reset(c, &email, &ip))
        .await;
    let (status, form, retry) = match result {
        // Known address or not: the same redirect to the same page.
        Ok(()) => return Ok(page::see_other("/forgot-password?sent=1")),
        Err(Error::Invalid(errors)) => (StatusCode::BAD_REQUEST, kept.errors(errors), None),
        Err(Error::Throttled(secs)) => {
            let message = format!(
                "Too many reset requests from your network. Try again in {} minutes.",
                (secs + 59) / 60
            );
            let errors = [("_form", message)].into_iter().collect();
            (
                StatusCode::TOO_MANY_REQUESTS,
                kept.errors(errors),
                Some(secs),
            )
        }
        Err(e) => return Err(e.into()),
    };
    let mut res = page::render(
        status,
        &ForgotPage {
            layout: Layout::anonymous(&session),
            form,
            sent: None,
        },
    );
    if let Some(secs) = retry {
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
pub struct ResetPage {
    pub layout: Layout,
    pub form: FormState,
    pub email: String,
    pub action: String,
}

pub async fn show_reset(req: HttpRequest, session: Session, path: web::Path<String>) -> Response {
    let token = path.into_inner();
    let t = token.clone();
    let found = page::state(&req)
        .db
        .run(move |c| accounts::open_reset(c, &t))
        .await?;
    match found {
        Ok((_, user)) => Ok(page::ok(&ResetPage {
            layout: Layout::anonymous(&session),
            form: FormState::default(),
            email: user.email,
            action: format!("/password-reset/{token}"),
        })),
        Err(refusal) => Ok(refused(&session, LinkKind::Reset, refusal)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

pub async fn submit_reset(
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
    form: Form<ResetForm>,
) -> Response {
    let state = page::state(&req);
    let token = path.into_inner();
    let password = form.into_inner().password;
    let hash = accounts::hash_new_password(&password).await?;
    let (t, ip) = (token.clone(), AppState::client_ip(&req));
    let result = state
        .db
        .run(move |c| accounts::reset_with_link(c, &t, &password, hash, &ip))
        .await;
    match result {
        Ok(Ok(ended)) => {
            // Whoever was signed in in this browser is signed out too.
            session.purge();
            Ok(page::see_other(&format!("/login?reset={ended}")))
        }
        Ok(Err(refusal)) => Ok(refused(&session, LinkKind::Reset, refusal)),
        Err(Error::Invalid(errors)) => {
            let t = token.clone();
            let found = state.db.run(move |c| accounts::open_reset(c, &t)).await?;
            let Ok((_, user)) = found else {
                return Err(Error::NotFound.into());
            };
            let page = ResetPage {
                layout: Layout::anonymous(&session),
                form: FormState::default().errors(errors),
                email: user.email,
                action: format!("/password-reset/{token}"),
            };
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}

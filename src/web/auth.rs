//! Sign-in and sign-out pages.

use actix_session::Session;
use actix_web::HttpRequest;
use askama::Template;
use serde::Deserialize;

use super::form::{Empty, Form, FormState, Response};
use super::page::{self, Layout, PageError, SignedIn};
use crate::accounts::{self, tokens::Purpose};
use crate::error::Error;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub form: FormState,
    /// The person's session ended (idle, too old, signed out elsewhere): say so.
    pub ended: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// The session slot of a sign-in whose password was right and whose code is awaited.
const PENDING_2FA: &str = "pending_2fa";
/// How long the code may take after the password.
const CODE_WITHIN_SECS: i64 = 5 * 60;

#[derive(serde::Serialize, Deserialize)]
struct PendingCode {
    user_id: String,
    at: i64,
}

#[derive(Template)]
#[template(path = "auth/two_factor.html")]
pub struct CodePage {
    pub layout: Layout,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

/// The second step of sign-in: the 6-digit code (or a recovery code).
pub async fn submit_code(req: HttpRequest, session: Session, form: Form<CodeForm>) -> Response {
    let pending = session
        .get::<PendingCode>(PENDING_2FA)
        .ok()
        .flatten()
        .filter(|p| crate::clock::now() - p.at < CODE_WITHIN_SECS);
    let Some(pending) = pending else {
        session.remove(PENDING_2FA);
        return Ok(page::see_other("/login"));
    };
    let state = page::state(&req);
    let ip = AppState::client_ip(&req);
    let code = form.into_inner().code;
    match accounts::finish_two_factor(&state.db, state.sign_in_keys(), &pending.user_id, code, &ip)
        .await
    {
        Ok(issued) => {
            page::begin_session(&session, &issued.token);
            Ok(page::see_other("/"))
        }
        Err(e @ (Error::BadCredentials | Error::Locked(_) | Error::Throttled(_))) => {
            let message = match e {
                Error::BadCredentials => {
                    "That code is not right, or was used already. Try the newest code.".to_owned()
                }
                other => other.to_string(),
            };
            Ok(page::render(
                actix_web::http::StatusCode::UNAUTHORIZED,
                &CodePage {
                    layout: Layout::anonymous(&session),
                    error: Some(message),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn show_login(req: HttpRequest, session: Session) -> Response {
    let state = page::state(&req);
    if state.db.run(accounts::needs_setup).await? {
        return Ok(page::see_other("/setup"));
    }
    let ended = session
        .remove_as::<bool>(page::SESSION_ENDED)
        .and_then(Result::ok)
        .unwrap_or(false);
    let page = LoginPage {
        layout: Layout::anonymous(&session),
        form: FormState::default(),
        ended,
    };
    Ok(page::ok(&page))
}

pub async fn submit_login(req: HttpRequest, session: Session, form: Form<LoginForm>) -> Response {
    let state = page::state(&req);
    let ip = AppState::client_ip(&req);
    let LoginForm {
        email, password, ..
    } = form.into_inner();
    let typed = email.clone();
    let result = accounts::sign_in(
        &state.db,
        state.sign_in_keys(),
        Purpose::Web,
        &email,
        password,
        None,
        &ip,
    )
    .await;
    match result {
        Ok(accounts::SignIn::Done(issued)) => {
            page::begin_session(&session, &issued.token);
            Ok(page::see_other("/"))
        }
        // The password was right; the code is asked for on its own page.
        Ok(accounts::SignIn::NeedsCode { user_id }) => {
            session.renew();
            let _ = session.insert(
                PENDING_2FA,
                PendingCode {
                    user_id,
                    at: crate::clock::now(),
                },
            );
            Ok(page::ok(&CodePage {
                layout: Layout::anonymous(&session),
                error: None,
            }))
        }
        Err(e @ (Error::BadCredentials | Error::Locked(_) | Error::Throttled(_))) => {
            let status = page::status_of(&e);
            let retry = match e {
                Error::Throttled(secs) => Some(secs),
                _ => None,
            };
            let form = FormState::default()
                .with("email", &typed)
                .errors([("_form", e.to_string())].into_iter().collect());
            let mut page = page::render(
                status,
                &LoginPage {
                    layout: Layout::anonymous(&session),
                    form,
                    ended: false,
                },
            );
            if let Some(secs) = retry {
                page.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from(secs),
                );
            }
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(
    req: HttpRequest,
    session: Session,
    who: Result<SignedIn, PageError>,
    _: Form<Empty>,
) -> Response {
    if let Ok(SignedIn(who)) = who {
        let state = page::state(&req);
        let ip = AppState::client_ip(&req);
        state
            .db
            .run(move |c| accounts::sign_out(c, &who, &ip))
            .await?;
    }
    session.purge();
    Ok(page::see_other("/login"))
}

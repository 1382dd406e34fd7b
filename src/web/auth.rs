//! Sign-in and sign-out pages. A successful sign-in returns to the page that asked for
//! it (a return path, `return_path`) and leaves the browser's device cookie (SPEC §13).

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
    /// After Sign out everywhere: how many sessions ended.
    pub signed_out: Option<usize>,
    /// After a reset through a mailed link: how many sessions ended.
    pub reset: Option<usize>,
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
    /// Where to go once signed in.
    #[serde(default)]
    return_to: String,
}

/// Where sign-in came from: the client's address and the device cookie, if any.
fn client_of(req: &HttpRequest) -> (String, Option<String>) {
    let device = req
        .cookie(accounts::device::COOKIE)
        .map(|c| c.value().to_owned());
    (AppState::client_ip(req), device)
}

/// The answer to a finished sign-in: the session, then back to `return_to`, with the
/// device cookie renewed for this person (90 days, HttpOnly, SameSite=Lax).
fn signed_in(
    req: &HttpRequest,
    session: &Session,
    issued: &accounts::Issued,
    device: Option<&str>,
    return_to: &str,
) -> actix_web::HttpResponse {
    use actix_web::cookie::{Cookie, SameSite, time::Duration};
    let state = page::state(req);
    page::begin_session(session, &issued.token);
    let value = accounts::device::after_sign_in(
        &state.accounts,
        device,
        &issued.user.id,
        crate::clock::now(),
    );
    let cookie = Cookie::build(accounts::device::COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(state.cookie_secure)
        .same_site(SameSite::Lax)
        .max_age(Duration::seconds(accounts::device::MAX_AGE_SECS))
        .finish();
    let mut res = page::see_other(super::return_path::or_home(return_to));
    let _ = res.add_cookie(&cookie);
    res
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
    let (ip, device) = client_of(&req);
    let client = accounts::Client {
        ip: &ip,
        device: device.as_deref(),
    };
    let code = form.into_inner().code;
    match accounts::finish_two_factor(
        &state.db,
        state.sign_in_keys(),
        &pending.user_id,
        code,
        client,
    )
    .await
    {
        Ok(issued) => Ok(signed_in(
            &req,
            &session,
            &issued,
            device.as_deref(),
            &pending.return_to,
        )),
        Err(e @ (Error::OtpInvalid | Error::Locked(_) | Error::Throttled(_))) => {
            let message = match e {
                Error::OtpInvalid => {
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
    let query = page::query_pairs(&req);
    let count = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let (signed_out, reset) = (count("signed_out"), count("reset"));
    let page = LoginPage {
        layout: Layout::anonymous(&session),
        form: FormState::default(),
        ended,
        signed_out,
        reset,
    };
    Ok(page::ok(&page))
}

pub async fn submit_login(req: HttpRequest, session: Session, form: Form<LoginForm>) -> Response {
    let state = page::state(&req);
    let (ip, device) = client_of(&req);
    let client = accounts::Client {
        ip: &ip,
        device: device.as_deref(),
    };
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
        client,
    )
    .await;
    match result {
        Ok(accounts::SignIn::Done(issued)) => {
            let return_to = super::return_path::take_remembered(&session);
            Ok(signed_in(
                &req,
                &session,
                &issued,
                device.as_deref(),
                &return_to,
            ))
        }
        // The password was right; the code is asked for on its own page.
        Ok(accounts::SignIn::NeedsCode { user_id }) => {
            let return_to = super::return_path::take_remembered(&session);
            session.renew();
            let _ = session.insert(
                PENDING_2FA,
                PendingCode {
                    user_id,
                    at: crate::clock::now(),
                    return_to,
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
                    signed_out: None,
                    reset: None,
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

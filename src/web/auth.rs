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
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

pub async fn show_login(req: HttpRequest, session: Session) -> Response {
    let state = page::state(&req);
    if state.db.run(accounts::needs_setup).await? {
        return Ok(page::see_other("/setup"));
    }
    let page = LoginPage {
        layout: Layout::anonymous(&session),
        form: FormState::default(),
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
        &state.tokens,
        Purpose::Web,
        &email,
        password,
        &ip,
    )
    .await;
    match result {
        Ok(issued) => {
            page::begin_session(&session, &issued.token);
            Ok(page::see_other("/"))
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

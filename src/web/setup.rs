//! First run: create the merchant and its first Admin. Gone (404) once anyone exists.

use actix_session::Session;
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use super::form::{Form, FormState, Response};
use super::page::{self, Layout};
use crate::accounts::{self, SetupInput};
use crate::error::Error;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "auth/setup.html")]
pub struct SetupPage {
    pub layout: Layout,
    pub form: FormState,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetupForm {
    merchant_name: String,
    email: String,
    password: String,
}

pub async fn show_setup(req: HttpRequest, session: Session) -> Response {
    if !page::state(&req).db.run(accounts::needs_setup).await? {
        return Err(Error::NotFound.into());
    }
    let page = SetupPage {
        layout: Layout::anonymous(&session),
        form: FormState::default(),
    };
    Ok(page::ok(&page))
}

pub async fn submit_setup(
    req: HttpRequest,
    session: Session,
    body: actix_web::web::Payload,
) -> Response {
    let state = page::state(&req);
    // Once set up, /setup is gone: 404 before the form is even read.
    if !state.db.run(accounts::needs_setup).await? {
        return Err(Error::NotFound.into());
    }
    let form =
        <Form<SetupForm> as actix_web::FromRequest>::from_request(&req, &mut body.into_inner())
            .await?;
    let ip = AppState::client_ip(&req);
    let tokens = state.tokens.clone();
    let SetupForm {
        merchant_name,
        email,
        password,
        ..
    } = form.into_inner();
    let kept = FormState::default()
        .with("merchant_name", &merchant_name)
        .with("email", &email);
    let input = SetupInput {
        merchant_name,
        email,
        password,
    };
    let hash = accounts::hash_new_password(&input.password).await?;
    match state
        .db
        .run(move |c| accounts::setup(c, &tokens, input, hash, &ip))
        .await
    {
        Ok(issued) => {
            page::begin_session(&session, &issued.token);
            Ok(page::see_other("/"))
        }
        Err(Error::Invalid(errors)) => {
            let page = SetupPage {
                layout: Layout::anonymous(&session),
                form: kept.errors(errors),
            };
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}

//! An endpoint's edit page (URL, events, description): the same domain operation as the
//! API's PATCH (`webhooks::endpoints::update`), audited as it is.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::form::{EndpointForm, EventPicker};
use super::view::EndpointLine;
use crate::accounts::Principal;
use crate::db::models::webhooks::EndpointRow;
use crate::error::{Error, FieldErrors, sentence};
use crate::state::AppState;
use crate::web::form::{Form, FormState, Response};
use crate::web::page::{self, Layout, SignedIn};
use crate::webhooks::endpoints::{self, EndpointPatch};
use crate::webhooks::ssrf;

#[derive(Template)]
#[template(path = "webhooks/edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub endpoint: EndpointLine,
    pub form: FormState,
    pub picker: EventPicker,
}

/// The endpoint, if this person may edit it (live endpoints are Admins').
async fn editable(req: &HttpRequest, who: &Principal, id: String) -> Result<EndpointRow, Error> {
    who.require_hub()?;
    let actor = who.clone();
    let row = page::state(req)
        .db
        .run(move |c| endpoints::get(c, &actor, &id))
        .await?;
    endpoints::require_manage(who, row.livemode)?;
    Ok(row)
}

pub async fn edit_endpoint(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    let row = editable(&req, &who, id.into_inner()).await?;
    let events: Vec<String> = row
        .enabled_events
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let form = FormState::default()
        .with("url", &row.url)
        .with("description", &row.description);
    Ok(page::ok(&EditPage {
        layout: Layout::signed_in(&who, &session, "webhooks"),
        endpoint: EndpointLine::of(&row, &who),
        form,
        picker: EventPicker::of(&events),
    }))
}

pub async fn update_endpoint(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Response {
    let id = id.into_inner();
    let row = editable(&req, &who, id.clone()).await?;
    let form = EndpointForm(form.into_inner());
    let mut errors = form.errors();
    // A new URL is checked for form and address (the role was asked first); the same
    // URL is not looked up again.
    let typed = form.get("url").trim();
    let url = if typed == row.url {
        None
    } else {
        let allow = page::state(&req).webhooks.allow_private;
        match ssrf::checked(typed, row.livemode, allow).await {
            Ok(url) => Some(url),
            Err(e) => {
                errors.insert("url", sentence(&e));
                None
            }
        }
    };
    let outcome = if errors.is_empty() {
        let patch = EndpointPatch {
            url,
            description: Some(form.get("description").trim().to_owned()),
            enabled_events: Some(form.events()),
            status: None,
        };
        let (actor, eid, ip) = (who.clone(), id.clone(), AppState::client_ip(&req));
        page::state(&req)
            .db
            .run(move |c| endpoints::update(c, &actor, &eid, patch, &ip))
            .await
            .map(drop)
    } else {
        Err(Error::Invalid(errors))
    };
    match outcome {
        Ok(()) => Ok(page::see_other(&format!("/webhooks/{id}?done=updated"))),
        Err(Error::Invalid(errors)) => {
            let errors: FieldErrors = errors
                .into_iter()
                .map(|(field, message)| (field, sentence(&message)))
                .collect();
            let page = EditPage {
                layout: Layout::signed_in(&who, &session, "webhooks"),
                endpoint: EndpointLine::of(&row, &who),
                form: form.kept().errors(errors),
                picker: form.picker(),
            };
            Ok(page::render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(e.into()),
    }
}

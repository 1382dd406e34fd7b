//! Creating a key (with its bound webhook endpoint, when the form names a URL) and the
//! show-once page of its secret.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::form::{KeyForm, MatrixGroup, SpendRow, matrix, spend_rows};
use super::view::KeyRow;
use crate::accounts::Principal;
use crate::db::DbConn;
use crate::db::models::forms::Submitted;
use crate::error::{Error, FieldErrors};
use crate::keys::Mode;
use crate::keys::config::{self};
use crate::keys::model::CreatedKey;
use crate::keys::permissions::Level;
use crate::keys::policy::{self, KeyAction};
use crate::keys::service::{self};
use crate::state::AppState;
use crate::web::form::{Form, FormState, Response};
use crate::web::page::{self, FormPairs, Layout, PageError, SignedIn};
use crate::webhooks::bound;
use crate::{clock, versions};

/// Session slot for a secret between the create/roll POST and the show-once page.
const REVEAL_KEY: &str = "reveal";
/// How long a secret may wait in the (encrypted) session cookie for its page.
const REVEAL_WITHIN_MS: i64 = 10 * 60 * 1000;

/// A secret waiting for its show-once page: for this key, this person, a short while.
#[derive(serde::Serialize, serde::Deserialize)]
struct PendingReveal {
    key_id: String,
    secret: String,
    /// The signing secret of the webhook endpoint the form's URL made, if any.
    #[serde(default)]
    webhook_secret: Option<String>,
    user_id: String,
    at_ms: i64,
}

pub(super) fn hold_secret(
    session: &Session,
    who: &Principal,
    created: &CreatedKey,
    webhook_secret: Option<String>,
) {
    let pending = PendingReveal {
        key_id: created.key.row.id.clone(),
        secret: created.secret.clone(),
        webhook_secret,
        user_id: who.user.id.clone(),
        at_ms: clock::now_ms(),
    };
    let _ = session.insert(REVEAL_KEY, pending);
}

#[derive(Template)]
#[template(path = "hub/new.html")]
pub struct NewKeyPage {
    pub layout: Layout,
    pub form: FormState,
    pub matrix: Vec<MatrixGroup>,
    pub full_access: bool,
    pub live_note: Option<String>,
    pub versions: &'static [&'static str],
    pub spend_rows: Vec<SpendRow>,
}

/// Why live keys are not offered to this person, if they are not: the key policy's
/// answer, then the account's state.
fn live_note(who: &Principal) -> Option<String> {
    if let Err(e) = policy::permitted(who, KeyAction::Create, Mode::Live, None) {
        Some(e.to_string())
    } else if !who.merchant.verified {
        Some("Live keys are available once your account is verified.".into())
    } else {
        None
    }
}

fn new_key_page(
    who: &Principal,
    session: &Session,
    form: FormState,
    matrix: Vec<MatrixGroup>,
    full_access: bool,
) -> NewKeyPage {
    NewKeyPage {
        layout: Layout::signed_in(who, session, "keys"),
        spend_rows: spend_rows(&form),
        form,
        matrix,
        full_access,
        live_note: live_note(who),
        versions: versions::SUPPORTED,
    }
}

pub async fn new_key(session: Session, SignedIn(who): SignedIn) -> Response {
    who.require_hub()?;
    let form = FormState::default()
        .with("mode", "test")
        .with("rate_limit", &config::DEFAULT_RATE_LIMIT.to_string())
        // Single-use: the same form sent twice makes one key.
        .with("form_token", &crate::ids::random_base62(24));
    Ok(page::ok(&new_key_page(
        &who,
        &session,
        form,
        matrix(|_| Level::None),
        false,
    )))
}

pub async fn create_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Result<Form<Vec<(String, String)>>, PageError>,
) -> Response {
    who.require_hub()?;
    let form = match form {
        Ok(form) => KeyForm(form.into_inner()),
        // Signed out and in again since the form was loaded: show it again as typed.
        Err(PageError::FormExpired(FormPairs(pairs))) => {
            let form = KeyForm(pairs);
            let errors = FieldErrors::from([("_form", page::FORM_EXPIRED.to_owned())]);
            let page = new_key_page(
                &who,
                &session,
                form.kept().errors(errors),
                matrix(|r| form.level(r)),
                form.full_access(),
            );
            return Ok(page::render(StatusCode::FORBIDDEN, &page));
        }
        Err(e) => return Err(e),
    };
    // A webhook URL is checked (form, and where it resolves) before anything is made.
    let webhook_url = match form.get("webhook_url").trim() {
        "" => None,
        url => {
            // Whoever may not make the endpoint is told so before the URL is looked up.
            let live = form.get("mode") == "live";
            let allow = page::state(&req).webhooks.allow_private;
            let checked = bound::checked_url(&who, url, live, allow, "webhook_url")
                .await
                .map_err(|e| match e {
                    Error::Invalid(mut f) => (
                        StatusCode::BAD_REQUEST,
                        "webhook_url",
                        crate::error::sentence(&format!(
                            "This URL {}",
                            f.remove("webhook_url").unwrap_or_default()
                        )),
                    ),
                    other => (page::status_of(&other), "mode", other.to_string()),
                });
            match checked {
                Ok(url) => Some(url),
                Err((status, field, message)) => {
                    // Every wrong field at once: the key's settings are checked too.
                    let mut errors = service::draft_errors(&form.draft());
                    errors.insert(field, message);
                    let page = new_key_page(
                        &who,
                        &session,
                        form.kept().errors(errors),
                        matrix(|r| form.level(r)),
                        form.full_access(),
                    );
                    return Ok(page::render(status, &page));
                }
            }
        }
    };
    let (actor, draft, ip) = (who.clone(), form.draft(), AppState::client_ip(&req));
    let token = form.get("form_token").to_owned();
    let sealer = page::state(&req).webhooks.sealer.clone();
    match page::state(&req)
        .db
        .run(move |c| {
            let make = |c: &mut DbConn| {
                let (created, webhook_secret) = bound::create_key(
                    c,
                    &actor,
                    &sealer,
                    draft,
                    webhook_url,
                    service::Reveal::OnShowOncePage,
                    &ip,
                )?;
                let id = created.key.row.id.clone();
                Ok::<_, Error>((Box::new((created, webhook_secret)), id))
            };
            if token.is_empty() {
                return crate::db::transaction(c, |c| {
                    make(c).map(|(made, _)| Submitted::Created(made))
                });
            }
            crate::db::models::forms::submit_once(c, &token, &actor.user.id, make)
        })
        .await
    {
        Ok(Submitted::Created(made)) => {
            let (created, webhook_secret) = *made;
            hold_secret(&session, &who, &created, webhook_secret);
            Ok(page::see_other(&format!(
                "/keys/{}/reveal",
                created.key.row.id
            )))
        }
        // Sent twice: one key, shown (its secret too, if this browser still holds it).
        Ok(Submitted::Already(id)) => Ok(page::see_other(&format!("/keys/{id}/reveal"))),
        Err(e) => {
            let (status, errors) = match e {
                Error::Invalid(errors) => (StatusCode::BAD_REQUEST, errors),
                // Live mode refusals belong beside the mode field.
                Error::LiveModeUnavailable(msg) | Error::Forbidden(msg) => {
                    (StatusCode::FORBIDDEN, FieldErrors::from([("mode", msg)]))
                }
                Error::PolicyViolation { rule, message } => (
                    StatusCode::BAD_REQUEST,
                    FieldErrors::from([(crate::keys::key_policy::field_of(rule), message)]),
                ),
                other => return Err(other.into()),
            };
            let page = new_key_page(
                &who,
                &session,
                form.kept().errors(errors),
                matrix(|r| form.level(r)),
                form.full_access(),
            );
            Ok(page::render(status, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "hub/reveal.html")]
pub struct RevealPage {
    pub layout: Layout,
    pub key: KeyRow,
    pub secret: Option<String>,
    /// The signing secret of the key's webhook endpoint, when the form made one.
    pub webhook_secret: Option<String>,
    /// Where the API is (`PAYDESK_PUBLIC_URL` or this request's origin) + `/api/v1`.
    pub base_url: String,
}

/// Shows the secret held in the session once: the session slot is emptied and the key
/// marked revealed in the database, so a reload, a back button, a second instance or a
/// replayed cookie shows only the hint.
pub async fn reveal_key(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    id: web::Path<String>,
) -> Response {
    who.require_hub()?;
    let id = id.into_inner();
    let held = session
        .remove_as::<PendingReveal>(REVEAL_KEY)
        .and_then(Result::ok)
        .filter(|p| p.key_id == id && p.user_id == who.user.id)
        .filter(|p| clock::now_ms() - p.at_ms < REVEAL_WITHIN_MS)
        .map(|p| (p.secret, p.webhook_secret));
    let actor = who.clone();
    let key_id = id.clone();
    let has_secret = held.is_some();
    let (key, first) = page::state(&req)
        .db
        .run(move |c| {
            let key = service::get_key(c, &actor, &key_id)?;
            let first = has_secret && service::claim_reveal(c, &actor, &key_id)?;
            Ok((key, first))
        })
        .await?;
    let (secret, webhook_secret) = match held.filter(|_| first) {
        Some((secret, webhook)) => (Some(secret), webhook),
        None => (None, None),
    };
    let page = RevealPage {
        layout: Layout::signed_in(&who, &session, "keys"),
        key: KeyRow::of(&key),
        secret,
        webhook_secret,
        base_url: format!("{}/api/v1", crate::state::AppState::origin(&req)),
    };
    Ok(page::ok(&page))
}

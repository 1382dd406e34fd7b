//! `/account` (SPEC §12): change password, the person's sessions (each with Sign out),
//! sign out everywhere; and sudo mode's password prompt, which carries the interrupted
//! action out once the password is confirmed.

use actix_session::Session;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Empty, Form, FormState, Response};
use super::page::{self, FormPairs, Layout, PageError, SignedIn};
use crate::accounts;
use crate::clock;
use crate::error::Error;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/index.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub email: String,
    pub sessions: Vec<SessionRow>,
    pub form: FormState,
    pub notice: Option<String>,
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
    let sessions = page::state(req)
        .db
        .run(move |c| accounts::sessions_of(c, &actor))
        .await?;
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

pub async fn sign_out_everywhere(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    _: Form<Empty>,
) -> Response {
    let ip = AppState::client_ip(&req);
    page::state(&req)
        .db
        .run(move |c| accounts::sign_out_everywhere(c, &who, &ip))
        .await?;
    session.purge();
    Ok(page::see_other("/login"))
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
    pub error: Option<String>,
}

fn carried(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "sudo_password" | "sudo_return_to"))
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
    let page = SudoPage {
        layout: page::layout_for(&req).await,
        action: req.path().to_owned(),
        fields: carried(&pairs.0),
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
    let return_to = get("sudo_return_to");
    // Only our own pages: a path, not another site.
    if !return_to.starts_with('/') || return_to.starts_with("//") || return_to.contains('\\') {
        return Err(Error::field("_form", "Go back and try the change again.").into());
    }
    let ip = AppState::client_ip(&req);
    match accounts::reauthenticate(&page::state(&req).db, &who, get("sudo_password"), &ip).await {
        Ok(()) => Ok(HttpResponse::TemporaryRedirect()
            .insert_header((actix_web::http::header::LOCATION, return_to))
            .finish()),
        Err(e @ (Error::Invalid(_) | Error::Locked(_) | Error::Throttled(_))) => {
            let status = page::status_of(&e);
            let message = match &e {
                Error::Invalid(f) => f.values().next().cloned().unwrap_or_default(),
                other => other.to_string(),
            };
            let page = SudoPage {
                layout: Layout::signed_in(&who, &session, ""),
                action: return_to,
                fields: carried(&pairs),
                error: Some(message),
            };
            Ok(page::render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- two-factor ----------

/// The secret being enrolled, held in the (encrypted, signed) session cookie until a
/// code from it confirms the authenticator app has it.
const PENDING_SECRET: &str = "pending_totp";

#[derive(Template)]
#[template(path = "account/two_factor.html")]
pub struct TwoFactorPage {
    pub layout: Layout,
    pub enabled: bool,
    /// Required by the team, and not set up yet: nothing else is open until it is.
    pub required: bool,
    pub secret: String,
    pub uri: String,
    /// A server-drawn SVG (ours, no user input): rendered as is.
    pub qr_svg: String,
    pub recovery_codes: Vec<String>,
    pub error: Option<String>,
}

fn enroll_page(
    session: &Session,
    who: &accounts::Principal,
    error: Option<String>,
) -> TwoFactorPage {
    let secret = session
        .get::<String>(PENDING_SECRET)
        .ok()
        .flatten()
        .and_then(|s| accounts::two_factor::from_base32(&s))
        .unwrap_or_else(|| {
            let s = accounts::two_factor::new_secret();
            let _ = session.insert(PENDING_SECRET, accounts::two_factor::base32(&s));
            s
        });
    let uri = accounts::two_factor::otpauth_uri(&secret, &who.user.email);
    TwoFactorPage {
        layout: Layout::signed_in(who, session, "account"),
        enabled: false,
        required: who.merchant.require_2fa,
        secret: accounts::two_factor::base32(&secret),
        qr_svg: accounts::two_factor::qr_svg(&uri),
        uri,
        recovery_codes: vec![],
        error,
    }
}

pub async fn show_two_factor(session: Session, SignedIn(who): SignedIn) -> Response {
    if accounts::two_factor::enabled(&who.user) {
        return Ok(page::ok(&TwoFactorPage {
            layout: Layout::signed_in(&who, &session, "account"),
            enabled: true,
            required: who.merchant.require_2fa,
            secret: String::new(),
            uri: String::new(),
            qr_svg: String::new(),
            recovery_codes: vec![],
            error: None,
        }));
    }
    Ok(page::ok(&enroll_page(&session, &who, None)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

/// Confirms enrollment with a code from the app; shows the recovery codes once.
pub async fn enable_two_factor(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    form: Form<CodeForm>,
) -> Response {
    let pending = session
        .get::<String>(PENDING_SECRET)
        .ok()
        .flatten()
        .and_then(|s| accounts::two_factor::from_base32(&s));
    let Some(secret) = pending else {
        return Ok(page::see_other("/account/2fa"));
    };
    let Some(step) = accounts::two_factor::matching_step(&secret, form.code.trim(), clock::now())
    else {
        let page = enroll_page(
            &session,
            &who,
            Some(
                "That code does not match: check the time on your phone and enter the newest code."
                    .into(),
            ),
        );
        return Ok(page::render(StatusCode::BAD_REQUEST, &page));
    };
    let state = page::state(&req);
    let (sealer, user_id, ip, email, merchant) = (
        state.totp.clone(),
        who.user.id.clone(),
        AppState::client_ip(&req),
        who.user.email.clone(),
        who.merchant.id.clone(),
    );
    let codes = state
        .db
        .run(move |c| {
            let codes = accounts::two_factor::enable(c, &sealer, &user_id, &secret, step)?;
            crate::db::models::audit::AuditEntry::record(
                c,
                Some(&merchant),
                &email,
                "account.two_factor_enabled",
                &user_id,
                &ip,
                "",
            )?;
            Ok(codes)
        })
        .await?;
    session.remove(PENDING_SECRET);
    Ok(page::ok(&TwoFactorPage {
        layout: Layout::signed_in(&who, &session, "account"),
        enabled: true,
        required: false,
        secret: String::new(),
        uri: String::new(),
        qr_svg: String::new(),
        recovery_codes: codes,
        error: None,
    }))
}

/// Turns two-factor off (sudo mode: the password again); refused while the team requires it.
pub async fn disable_two_factor(
    req: HttpRequest,
    SignedIn(who): SignedIn,
    _: Form<Empty>,
) -> Response {
    if who.merchant.require_2fa {
        return Err(Error::forbidden(
            "Your team requires two-factor sign-in; an Admin can lift that on Team.",
        )
        .into());
    }
    who.require_sudo()?;
    let ip = AppState::client_ip(&req);
    page::state(&req)
        .db
        .run(move |c| {
            accounts::two_factor::disable(c, &who.user.id)?;
            crate::db::models::audit::AuditEntry::record(
                c,
                Some(&who.merchant.id),
                &who.user.email,
                "account.two_factor_disabled",
                &who.user.id,
                &ip,
                "",
            )?;
            Ok(())
        })
        .await?;
    Ok(page::see_other("/account/2fa"))
}

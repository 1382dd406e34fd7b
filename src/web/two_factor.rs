//! `/account/2fa` (SPEC §12, §13): enrol an authenticator app (a pending secret kept in
//! the session until a code confirms it), see and regenerate recovery codes, turn it
//! off. Enrolling, regenerating and turning off need sudo mode.

use actix_session::Session;
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use super::form::{Empty, Form, Response};
use super::page::{self, Layout, SignedIn};
use crate::accounts;
use crate::clock;
use crate::db::models::audit::AuditEntry;
use crate::error::Error;
use crate::state::AppState;

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
    /// With two-factor on: how many recovery codes are unused…
    pub codes_left: usize,
    /// …and whether some were made under the old scheme (they no longer work).
    pub old_codes: bool,
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
        codes_left: 0,
        old_codes: false,
        error,
    }
}

/// The page of someone who has two-factor on; `codes` are fresh recovery codes to show.
fn enabled_page(
    session: &Session,
    who: &accounts::Principal,
    codes: Vec<String>,
    (codes_left, old_codes): (usize, bool),
) -> TwoFactorPage {
    TwoFactorPage {
        layout: Layout::signed_in(who, session, "account"),
        enabled: true,
        required: who.merchant.require_2fa,
        secret: String::new(),
        uri: String::new(),
        qr_svg: String::new(),
        recovery_codes: codes,
        codes_left,
        old_codes,
        error: None,
    }
}

pub async fn show_two_factor(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
) -> Response {
    if accounts::two_factor::enabled(&who.user) {
        let user_id = who.user.id.clone();
        let left = page::state(&req)
            .db
            .run(move |c| accounts::two_factor::codes_left(c, &user_id))
            .await?;
        return Ok(page::ok(&enabled_page(&session, &who, vec![], left)));
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
    // A new authenticator is a new way in: the password again first (SPEC §13).
    who.require_sudo()?;
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
    let (sealer, secrets, ip, actor) = (
        state.totp.clone(),
        state.accounts.clone(),
        AppState::client_ip(&req),
        who.clone(),
    );
    let codes = state
        .db
        .run(move |c| {
            let keys = accounts::two_factor::Keys {
                sealer: &sealer,
                recovery: &secrets.recovery,
            };
            let (user_id, jti) = (&actor.user.id, &actor.jti);
            let codes = accounts::two_factor::enable(c, keys, user_id, jti, &secret, step)?;
            AuditEntry::record(
                c,
                Some(&actor.merchant.id),
                &actor.user.email,
                "account.two_factor_enabled",
                user_id,
                &ip,
                "",
            )?;
            Ok(codes)
        })
        .await?;
    session.remove(PENDING_SECRET);
    let left = (codes.len(), false);
    let mut page = enabled_page(&session, &who, codes, left);
    page.required = false;
    Ok(page::ok(&page))
}

/// Ten new recovery codes, shown once; the old ones stop working (sudo mode).
pub async fn regenerate_codes(
    req: HttpRequest,
    session: Session,
    SignedIn(who): SignedIn,
    _: Form<Empty>,
) -> Response {
    if !accounts::two_factor::enabled(&who.user) {
        return Ok(page::see_other("/account/2fa"));
    }
    who.require_sudo()?;
    let state = page::state(&req);
    let (key, ip, actor) = (
        state.accounts.recovery,
        AppState::client_ip(&req),
        who.clone(),
    );
    let codes = state
        .db
        .run(move |c| {
            let codes = accounts::two_factor::regenerate_codes(c, &key, &actor.user.id)?;
            AuditEntry::record(
                c,
                Some(&actor.merchant.id),
                &actor.user.email,
                "account.recovery_codes_regenerated",
                &actor.user.id,
                &ip,
                "",
            )?;
            Ok(codes)
        })
        .await?;
    let left = (codes.len(), false);
    Ok(page::ok(&enabled_page(&session, &who, codes, left)))
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
            AuditEntry::record(
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

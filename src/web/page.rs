//! What every page shares: the signed-in person (`SignedIn`), the layout data, CSRF, and
//! the error type that renders `errors/error.html`.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use subtle::ConstantTimeEq;

use crate::accounts::{self, Principal, tokens::Purpose};
use crate::error::Error;
use crate::state::AppState;

const TOKEN_KEY: &str = "token";
const CSRF_KEY: &str = "csrf";
/// Set when a request came with a session that is no longer valid (idle, too old,
/// signed out elsewhere): the next sign-in page explains.
pub const SESSION_ENDED: &str = "session_ended";

/// A person with a valid, live session. Extracting it redirects everyone else to /login.
pub struct SignedIn(pub Principal);

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let session = req.get_session();
            let token = session.get::<String>(TOKEN_KEY).ok().flatten();
            let Some(token) = token else {
                super::return_path::remember(&session, &req);
                return Err(PageError::SignInRequired);
            };
            let state = AppState::of(&req);
            let tokens = state.tokens.clone();
            let found = state
                .db
                .run(move |c| accounts::authenticate(c, &tokens, Purpose::Web, &token))
                .await?;
            match found {
                Some(principal)
                    if principal.merchant.require_2fa
                        && principal.user.totp_secret.is_none()
                        && !req.path().starts_with("/account/2fa")
                        && req.path() != "/logout" =>
                {
                    Err(PageError::TwoFactorSetupRequired)
                }
                Some(principal) => Ok(SignedIn(principal)),
                None => {
                    session.remove(TOKEN_KEY);
                    // The sign-in page then says the session ended, rather than nothing.
                    let _ = session.insert(SESSION_ENDED, true);
                    super::return_path::remember(&session, &req);
                    Err(PageError::SignInRequired)
                }
            }
        })
    }
}

/// Stores a new dashboard session, with a fresh cookie and CSRF token (no fixation).
/// Nothing of the previous visitor's session survives (a pending secret, say).
pub fn begin_session(session: &Session, token: &str) {
    session.clear();
    session.renew();
    let _ = session.insert(TOKEN_KEY, token);
}

/// The CSRF token for this browser session, made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF_KEY) {
        return token;
    }
    let token = crate::ids::random_base62(32);
    let _ = session.insert(CSRF_KEY, &token);
    token
}

/// Every state-changing form calls this first.
pub(super) fn check_csrf(session: &Session, sent: &str) -> Result<(), PageError> {
    let expected = session
        .get::<String>(CSRF_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    if !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(sent.as_bytes())) {
        Ok(())
    } else {
        Err(PageError::Page(Error::forbidden(
            "This form has expired or did not come from Paydesk. Go back, reload the page and try again.",
        )))
    }
}

/// Navigation and per-person bits of `base.html`.
pub struct Layout {
    pub user: Option<NavUser>,
    pub csrf: String,
    /// Which nav entry is current.
    pub section: &'static str,
    /// The dashboard's mode (SPEC §10): `test` or `live`, from `?mode=`.
    pub mode: &'static str,
    /// `?mode=live` in live mode, else empty: appended to links that keep the mode.
    pub mode_query: &'static str,
    /// The same page in the other mode (the header's switch), on pages the mode scopes.
    pub mode_switch: Option<String>,
}

pub struct NavUser {
    pub email: String,
    pub role: &'static str,
    pub merchant: String,
    pub is_admin: bool,
    pub can_use_hub: bool,
}

impl Layout {
    pub fn signed_in(who: &Principal, session: &Session, section: &'static str) -> Self {
        let role = who.role();
        Self {
            user: Some(NavUser {
                email: who.user.email.clone(),
                role: role.label(),
                merchant: who.merchant.name.clone(),
                is_admin: role == crate::db::models::user::Role::Admin,
                can_use_hub: role.can_use_hub(),
            }),
            csrf: csrf_token(session),
            section,
            mode: "test",
            mode_query: "",
            mode_switch: None,
        }
    }

    pub fn anonymous(session: &Session) -> Self {
        Self {
            user: None,
            csrf: csrf_token(session),
            section: "",
            mode: "test",
            mode_query: "",
            mode_switch: None,
        }
    }

    /// For a page the test/live switch scopes: the mode from `?mode=` (test unless it
    /// says live) and the switch's link, which keeps the rest of the query (but not the
    /// page cursor: the other mode has other rows).
    pub fn in_mode(mut self, req: &HttpRequest) -> Self {
        let live = mode_is_live(req);
        self.mode = if live { "live" } else { "test" };
        self.mode_query = if live { "?mode=live" } else { "" };
        let other = if live { None } else { Some("live") };
        self.mode_switch = Some(with_query(req, &[("mode", other), ("before", None)]));
        self
    }
}

/// Whether the page was asked for in live mode (`?mode=live`).
pub fn mode_is_live(req: &HttpRequest) -> bool {
    query_pairs(req)
        .iter()
        .any(|(k, v)| k == "mode" && v == "live")
}

/// The request's query as pairs.
pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

/// This page's path with its query changed: each `(name, Some(v))` set, each
/// `(name, None)` removed; empty values dropped.
pub fn with_query(req: &HttpRequest, changes: &[(&str, Option<&str>)]) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(req)
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && !changes.iter().any(|(name, _)| name == k))
        .collect();
    for (name, value) in changes {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            pairs.push(((*name).to_owned(), v.to_owned()));
        }
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    if query.is_empty() {
        req.path().to_owned()
    } else {
        format!("{}?{query}", req.path())
    }
}

/// The `before` cursor of a dashboard list (an id), if any.
pub fn cursor(req: &HttpRequest) -> Option<String> {
    query_pairs(req)
        .into_iter()
        .find(|(k, v)| k == "before" && !v.is_empty())
        .map(|(_, v)| v)
}

/// Renders a page with a status; pages are never cached (they hold personal data).
pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type(ContentType::html())
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(e) => PageError::Page(Error::internal(format!("template: {e}"))).error_response(),
    }
}

pub fn ok(page: &impl Template) -> HttpResponse {
    render(StatusCode::OK, page)
}

/// 303 See Other, the answer to a successful form post.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    title: &'a str,
    message: &'a str,
    /// The page the person came from (ours only), for a Back link.
    back: Option<String>,
}

/// The message of a form whose CSRF token no longer matches the session (signed out and
/// in again in another tab, say).
pub const FORM_EXPIRED: &str = "This form expired; check and send it again.";

/// The fields of the form this request posted (CSRF checked), kept so that a page asking
/// for the password again (sudo mode) can post them once more.
#[derive(Clone, Debug, Default)]
pub struct FormPairs(pub Vec<(String, String)>);

/// An error on a page: a redirect to sign-in, or the error page with its status.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("sign-in required")]
    SignInRequired,
    /// The team requires two-factor sign-in and this person has not set it up: only
    /// `/account/2fa` (and sign-out) is open to them.
    #[error("two-factor setup required")]
    TwoFactorSetupRequired,
    /// The CSRF token did not match: what was typed (never passwords), so a form can
    /// show itself again; elsewhere a page with a way back.
    #[error("form expired")]
    FormExpired(FormPairs),
    /// A form body over 64 KiB.
    #[error("form too large")]
    TooLarge,
    #[error(transparent)]
    Page(#[from] Error),
}

impl PageError {
    /// Status, title and message of the error page.
    fn parts(&self) -> (StatusCode, &'static str, String) {
        let e = match self {
            PageError::FormExpired(_) => {
                return (
                    StatusCode::FORBIDDEN,
                    "This form expired",
                    format!(
                        "{FORM_EXPIRED} Nothing was changed. Go back, reload the page, check what you typed and send the form again."
                    ),
                );
            }
            PageError::TooLarge => {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "This form is too large",
                    "A form can send at most 64 KiB, and this one sent more, so Paydesk did not read it and nothing was changed. Go back and shorten the longest field.".into(),
                );
            }
            PageError::SignInRequired | PageError::TwoFactorSetupRequired => {
                return (StatusCode::SEE_OTHER, "", String::new());
            }
            PageError::Page(e) => e,
        };
        let status = status_of(e);
        let (title, message) = match e {
            Error::NotFound => (
                "Page not found",
                "There is nothing here, or it is not yours to see.".to_string(),
            ),
            Error::Forbidden(msg) => ("Not allowed", msg.clone()),
            Error::Invalid(fields) => (
                "Check your input",
                fields.values().cloned().collect::<Vec<_>>().join(" "),
            ),
            Error::InvalidState(msg) => ("Not possible now", msg.clone()),
            Error::Internal(msg) => {
                tracing::error!(error = %msg, "page failed");
                ("Something went wrong", "Paydesk could not finish this request. Nothing you typed was wrong; please try again.".to_string())
            }
            other => ("Request refused", other.to_string()),
        };
        (status, title, message)
    }

    fn page(&self, layout: Layout, back: Option<String>) -> HttpResponse {
        let (status, title, message) = self.parts();
        let page = ErrorPage {
            layout,
            status: status.as_u16(),
            title,
            message: &message,
            back,
        };
        let body = page.render().unwrap_or_else(|_| title.to_string());
        HttpResponse::build(status)
            .content_type(ContentType::html())
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    /// Without the request: no navigation. `error_pages` renders it again with the
    /// person's navigation and a Back link.
    fn error_response(&self) -> HttpResponse {
        match self {
            PageError::SignInRequired => see_other("/login"),
            PageError::TwoFactorSetupRequired => see_other("/account/2fa"),
            _ => self.page(
                Layout {
                    user: None,
                    csrf: String::new(),
                    section: "",
                    mode: "test",
                    mode_query: "",
                    mode_switch: None,
                },
                None,
            ),
        }
    }
}

/// Wraps every page: an error page gets the layout of whoever is looking (the signed-in
/// navigation when the session is live, else the anonymous one) and a Back link to the
/// page they came from, so an error never strands anyone.
pub async fn error_pages<B: actix_web::body::MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B, actix_web::body::BoxBody>>,
    actix_web::Error,
> {
    if req.path().starts_with("/api/") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let res = next.call(req).await?;
    let shown = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
        .is_some_and(|e| {
            !matches!(
                e,
                PageError::SignInRequired
                    | PageError::TwoFactorSetupRequired
                    | PageError::Page(Error::ReauthenticationRequired)
            )
        });
    if !shown {
        return Ok(res.map_into_left_body());
    }
    let (req, res) = res.into_parts();
    let Some(error) = res.error().and_then(|e| e.as_error::<PageError>()) else {
        return Ok(actix_web::dev::ServiceResponse::new(req, res).map_into_left_body());
    };
    let layout = layout_for(&req).await;
    let back = came_from(&req);
    let page = error.page(layout, back);
    Ok(actix_web::dev::ServiceResponse::new(req, page).map_into_right_body())
}

/// The layout for a page made outside a handler (an error, the sudo prompt): the
/// signed-in navigation while the session is live, else the anonymous one.
pub async fn layout_for(req: &HttpRequest) -> Layout {
    let session = req.get_session();
    let Some(token) = session.get::<String>(TOKEN_KEY).ok().flatten() else {
        return Layout::anonymous(&session);
    };
    let state = AppState::of(req);
    let tokens = state.tokens.clone();
    let found = state
        .db
        .run(move |c| accounts::authenticate(c, &tokens, Purpose::Web, &token))
        .await
        .ok()
        .flatten();
    match found {
        Some(who) => Layout::signed_in(&who, &session, ""),
        None => Layout::anonymous(&session),
    }
}

/// The path of the page that linked or posted here, when it is one of ours.
fn came_from(req: &HttpRequest) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let path = referer.strip_prefix(&AppState::origin(req))?;
    // A GET that failed would only fail again; a form's page is where the person was.
    let itself = req.method() == actix_web::http::Method::GET && *req.uri() == *path;
    // A return path of ours only (`//host` and `/\host` would leave the site).
    super::return_path::checked(path)
        .filter(|_| !itself)
        .map(str::to_owned)
}

/// The status of a page refused with `e`: its code's, from the catalogue.
pub fn status_of(e: &Error) -> StatusCode {
    StatusCode::from_u16(e.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The not-found page for any path no route matches.
pub async fn not_found() -> Result<HttpResponse, PageError> {
    Err(PageError::Page(Error::NotFound))
}

/// The shared state, from a handler's request.
pub fn state(req: &HttpRequest) -> &web::Data<AppState> {
    AppState::of(req)
}

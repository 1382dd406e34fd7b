//! Form plumbing: values typed and errors beside each field, kept across re-renders.

use std::collections::BTreeMap;

use actix_session::SessionExt;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, error::InternalError, web};
use serde::de::DeserializeOwned;

use super::page::FormPairs;
use crate::error::{Error, FieldErrors};

/// What a form shows: the values the person typed (never passwords) and one message per
/// field that was wrong.
#[derive(Default)]
pub struct FormState {
    values: BTreeMap<&'static str, String>,
    errors: FieldErrors,
}

impl FormState {
    pub fn with(mut self, name: &'static str, value: &str) -> Self {
        self.values.insert(name, value.to_owned());
        self
    }

    pub fn errors(mut self, errors: FieldErrors) -> Self {
        self.errors = errors;
        self
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// Errors that belong to no field (shown above the form).
    pub fn general(&self) -> Option<&str> {
        self.error("_form")
    }

    /// The error summary at the top of a failed form: each field's error as
    /// (element id, what the field is called, message), in the order of the fields.
    pub fn summary(&self) -> Vec<(&'static str, &'static str, &str)> {
        let mut items: Vec<_> = self
            .errors
            .iter()
            .filter(|(name, _)| **name != "_form")
            .map(|(name, message)| (*name, field_label(name), message.as_str()))
            .collect();
        items.sort_by_key(|(name, _, _)| FIELD_ORDER.iter().position(|f| f == name));
        items
    }

    /// True when the form failed: the summary is shown and takes the focus.
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The order fields appear in on the forms, so the summary reads top to bottom.
const FIELD_ORDER: &[&str] = &[
    "merchant_name",
    "email",
    "current_password",
    "new_password",
    "password",
    "role",
    "url",
    "description",
    "enabled_events",
    "mode",
    "api_key",
    "name",
    "permissions",
    "scopes",
    "allowed_ips",
    "rate_limit",
    "api_version",
    "expires_in_days",
    "webhook_url",
    "require_signature",
    "spend_limits",
    "amount",
    "live_max_lifetime_days",
];

/// What a field is called on its form, for the error summary.
fn field_label(name: &str) -> &'static str {
    match name {
        "merchant_name" => "Business name",
        "email" => "Email",
        "password" => "Password",
        "current_password" => "Current password",
        "new_password" => "New password",
        "role" => "Role",
        "name" => "Label",
        "mode" => "Mode",
        "permissions" => "Permissions",
        "scopes" => "Scopes",
        "allowed_ips" => "Allowed IP addresses",
        "rate_limit" => "Rate limit",
        "api_version" => "API version",
        "expires_in_days" => "Expires after",
        "webhook_url" => "Webhook URL",
        "url" => "Endpoint URL",
        "description" => "Description",
        "enabled_events" => "Events",
        "api_key" => "Key",
        "amount" => "Amount",
        "spend_limits" => "Spend limits",
        "require_signature" => "Signed requests",
        "live_max_lifetime_days" => "Maximum lifetime",
        _ => "Field",
    }
}

/// The largest form body read (SPEC: 64 KiB); a larger one gets a page saying so.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// A form body that does not decode is the sender's fault: a 400 page, not a panic.
pub fn config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(MAX_FORM_BYTES)
        .error_handler(|err, _req| {
            let page = super::page::PageError::Page(Error::field(
                "_form",
                format!("The form could not be read ({err}). Reload the page and try again."),
            ));
            InternalError::from_response(err, actix_web::ResponseError::error_response(&page))
                .into()
        })
}

pub type Response = Result<HttpResponse, super::page::PageError>;

/// What a form showing itself again may keep: everything but the token and passwords.
fn carried(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .filter(|(k, _)| k != "csrf" && !k.contains("password"))
        .collect()
}

/// A form with nothing but its CSRF token (sign out, suspend, deactivate, …).
#[derive(serde::Deserialize)]
pub struct Empty {}

/// Every POSTed form, read through one extractor (SPEC §12): the request must not be
/// cross-site (`Sec-Fetch-Site: cross-site` is refused), an `Origin`, when sent, must be
/// ours (`PAYDESK_PUBLIC_URL` or the origin the request arrived at), and the `csrf` field
/// must match the session's token (constant time). Then the body is decoded into `T`;
/// a body that does not decode is a 400 page.
pub struct Form<T>(pub T);

impl<T> std::ops::Deref for Form<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Refuses a form sent from another site: the browser says so (`Sec-Fetch-Site`), or its
/// `Origin` is not ours.
fn same_origin(req: &HttpRequest) -> Result<(), super::page::PageError> {
    let refuse = || {
        super::page::PageError::Page(Error::forbidden(
            "This form was sent from another site, so Paydesk ignored it. Go back to Paydesk, reload the page and try again.",
        ))
    };
    let site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok());
    if site == Some("cross-site") {
        return Err(refuse());
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let ours = crate::state::AppState::origin(req);
        if origin.to_str().ok() != Some(ours.as_str()) {
            return Err(refuse());
        }
    }
    Ok(())
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = super::page::PageError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let bytes = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            same_origin(&req)?;
            let declared = req
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            if declared.is_some_and(|n| n > MAX_FORM_BYTES) {
                return Err(super::page::PageError::TooLarge);
            }
            let unreadable = |why: String| {
                super::page::PageError::Page(Error::field(
                    "_form",
                    format!("The form could not be read ({why}). Reload the page and try again."),
                ))
            };
            let body =
                bytes
                    .await
                    .map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                        Some(actix_web::error::PayloadError::Overflow) => {
                            super::page::PageError::TooLarge
                        }
                        _ => unreadable(e.to_string()),
                    })?;
            if body.len() > MAX_FORM_BYTES {
                return Err(super::page::PageError::TooLarge);
            }
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&body).map_err(|e| unreadable(e.to_string()))?;
            let sent = pairs
                .iter()
                .find(|(k, _)| k == "csrf")
                .map_or("", |(_, v)| v.as_str());
            // An expired token keeps what was typed: a form can show it again.
            if super::page::check_csrf(&req.get_session(), sent).is_err() {
                return Err(super::page::PageError::FormExpired(FormPairs(carried(
                    pairs,
                ))));
            }
            {
                use actix_web::HttpMessage;
                req.extensions_mut().insert(FormPairs(pairs));
            }
            serde_urlencoded::from_bytes(&body)
                .map(Form)
                .map_err(|e| unreadable(e.to_string()))
        })
    }
}

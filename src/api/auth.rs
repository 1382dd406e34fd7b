//! User tokens for scripts (SPEC §2): sign in for a bearer token, sign out to revoke it.
//! The token authorises the key-management API only.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, HttpResponse, http::header};
use serde::Deserialize;
use serde_json::json;

use super::body::{JsonContentType, JsonObject, NoFields};
use super::envelope::{self, ApiError};
use crate::accounts::{self, Principal, tokens::Purpose};
use crate::error::Error;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

pub async fn login(
    req: HttpRequest,
    _: JsonContentType,
    JsonObject(body): JsonObject<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let LoginBody { email, password } = body;
    let mut missing = crate::error::FieldErrors::new();
    if email.as_deref().is_none_or(str::is_empty) {
        missing.insert("email", "required".into());
    }
    if password.as_deref().is_none_or(str::is_empty) {
        missing.insert("password", "required".into());
    }
    if !missing.is_empty() {
        return Err(Error::Invalid(missing).into());
    }
    let state = AppState::of(&req);
    let ip = AppState::client_ip(&req);
    let (email, password) = (email.unwrap_or_default(), password.unwrap_or_default());
    let issued = accounts::sign_in(
        &state.db,
        &state.tokens,
        Purpose::Api,
        &email,
        password,
        &ip,
    )
    .await?;
    Ok(envelope::ok(json!({
        "token": issued.token,
        "token_type": "Bearer",
        "expires_at": crate::clock::rfc3339(issued.expires_at),
    })))
}

pub async fn logout(
    req: HttpRequest,
    ApiUser(who): ApiUser,
    _: NoFields,
) -> Result<HttpResponse, ApiError> {
    let state = AppState::of(&req);
    let ip = AppState::client_ip(&req);
    state
        .db
        .run(move |c| accounts::sign_out(c, &who, &ip))
        .await?;
    Ok(envelope::ok(json!({"revoked": true})))
}

/// A person authenticated by a user token (not an API key) on the API.
pub struct ApiUser(pub Principal);

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        let state = AppState::of(req).clone();
        Box::pin(async move {
            let Some(token) = bearer.filter(|t| !t.is_empty()) else {
                return Err(ApiError::invalid_token());
            };
            if token.starts_with("sk_") || token.starts_with("pk_") {
                return Err(ApiError::invalid_token().details(json!({
                    "hint": "API keys cannot manage API keys; use a user token"
                })));
            }
            let tokens = state.tokens.clone();
            let found = state
                .db
                .run(move |c| accounts::authenticate(c, &tokens, Purpose::Api, &token))
                .await?;
            found.map(ApiUser).ok_or_else(ApiError::invalid_token)
        })
    }
}

//! Who is calling the key-management API: `ApiUser`, a person authenticated by a user
//! token, or on the routes that accept one, a management key (an API key is
//! `gate::KeyAuth`).

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, http::header};
use serde_json::json;

use super::envelope::ApiError;
use super::management_keys::acting;
use crate::accounts::{self, Principal, tokens::Purpose};
use crate::state::AppState;

/// A person authenticated by a user token (not an API key) on the API; or a management
/// key acting as a Developer, where the route table accepts one (SPEC §17).
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
        let accepts = req
            .extensions()
            .get::<acting::AcceptsManagementKey>()
            .copied();
        let req = req.clone();
        Box::pin(async move {
            let Some(token) = bearer.filter(|t| !t.is_empty()) else {
                return Err(ApiError::invalid_token());
            };
            if token.starts_with(crate::keys::management::PREFIX) {
                return acting::acting(&req, &state, &token, accepts)
                    .await
                    .map(ApiUser);
            }
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

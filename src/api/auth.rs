//! User tokens for scripts (SPEC §2): sign in for a bearer token, sign out to revoke it.
//! The token authorises the key-management API only.

use actix_web::HttpRequest;
use serde::Serialize;
use utoipa::ToSchema;

use super::body::{Body, FromBody, JsonContentType, JsonObject, NoFields};
use super::context::{self, ApiResult};
use super::extract::ApiUser;
use crate::accounts::{self, tokens::Purpose};
use crate::state::AppState;

super::describe::described!(Login, LoggedOut, LoginParams);

/// An email and password (SPEC §2).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginParams {
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
    /// With two-factor on: the 6-digit code from the authenticator app, or a recovery
    /// code. Checked only after a correct password (missing: 401 `otp_required`; wrong
    /// or used already: 401 `otp_invalid`).
    #[schema(max_length = 64)]
    pub otp: Option<String>,
}

impl FromBody for LoginParams {
    fn from_body(b: &mut Body) -> Option<Self> {
        let email = b.secret_text("email", 254);
        let password = b.secret_text("password", 256);
        // Any text: it is only compared (a wrong one counts as a failed sign-in).
        let otp = match b.raw("otp") {
            None => None,
            Some(serde_json::Value::String(s)) if s.chars().count() <= 64 => Some(s),
            Some(_) => b.fail_none("otp", "a code of at most 64 characters"),
        };
        Some(Self {
            email: email?,
            password: password?,
            otp,
        })
    }
}

/// A user token for the key-management API.
#[derive(Serialize, ToSchema)]
pub struct Login {
    /// Send it as `Authorization: Bearer <token>`.
    pub token: String,
    #[schema(pattern = "^Bearer$")]
    pub token_type: &'static str,
    #[schema(schema_with = crate::schema::timestamp)]
    pub expires_at: String,
}

pub async fn login(
    req: HttpRequest,
    _: JsonContentType,
    JsonObject(body): JsonObject<LoginParams>,
) -> ApiResult<Login> {
    let state = AppState::of(&req);
    let ip = AppState::client_ip(&req);
    let signed_in = accounts::sign_in(
        &state.db,
        state.sign_in_keys(),
        Purpose::Api,
        &body.email,
        body.password,
        body.otp,
        // No device cookie on the API: the email-wide lock holds here.
        accounts::Client {
            ip: &ip,
            device: None,
        },
    )
    .await?;
    let accounts::SignIn::Done(issued) = signed_in else {
        return Err(crate::error::Error::OtpRequired.into());
    };
    context::ok(Login {
        token: issued.token,
        token_type: "Bearer",
        expires_at: crate::clock::rfc3339(issued.expires_at),
    })
}

/// The token is revoked.
#[derive(Serialize, ToSchema)]
pub struct LoggedOut {
    pub revoked: bool,
}

pub async fn logout(req: HttpRequest, ApiUser(who): ApiUser, _: NoFields) -> ApiResult<LoggedOut> {
    let state = AppState::of(&req);
    let ip = AppState::client_ip(&req);
    state
        .db
        .run(move |c| accounts::sign_out(c, &who, &ip))
        .await?;
    context::ok(LoggedOut { revoked: true })
}

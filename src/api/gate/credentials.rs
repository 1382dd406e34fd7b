//! The gate's first two checks: what the request presented (the credentials) and how
//! a refused key is answered, canaries included (SPEC §4, §12, §13).

use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};

use crate::api::envelope::ApiError;
use crate::keys::verify::{Credential, KeyRecord, Refusal};
use crate::state::AppState;
use crate::{clock, net};

pub(super) fn missing() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "missing_authorization",
        "Send your secret key as Authorization: Bearer sk_…, or X-API-Key: pk_… with X-API-Secret: sk_….",
    )
}

/// Reads the credentials; anything absent or malformed is `missing_authorization`.
pub fn credentials(headers: &HeaderMap) -> Result<Credential, ApiError> {
    // Header names made at compile time: looking one up by text parses the text first.
    const API_KEY: header::HeaderName = header::HeaderName::from_static("x-api-key");
    const API_SECRET: header::HeaderName = header::HeaderName::from_static("x-api-secret");
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let authorization = headers.get(header::AUTHORIZATION);
    // What nearly every request sends, `Bearer ` and a key's letters, digits and `_`, is
    // read in one pass; anything else (spaces, other characters, another scheme) the
    // long way below, with the same answers.
    if let Some(token) = authorization
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
        .filter(|t| !t.is_empty() && key_text(t))
        .and_then(|t| std::str::from_utf8(t).ok())
        .filter(|t| !t.starts_with(crate::keys::management::PREFIX))
    {
        return Ok(Credential::Bearer(token.to_owned()));
    }
    if let Some(auth) = authorization.and_then(|v| v.to_str().ok()).map(str::trim) {
        let token = auth
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty() && !t.contains(' '));
        // A management key is no API key (SPEC §17): say where it works.
        if token.is_some_and(|t| t.starts_with(crate::keys::management::PREFIX)) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "Management keys (mk_…) work only on /api/v1/api-keys and /api/v1/webhook-endpoints; send a secret key (sk_…) here.",
            ));
        }
        return token
            .map(|t| Credential::Bearer(t.to_owned()))
            .ok_or_else(missing);
    }
    match (text(API_KEY), text(API_SECRET)) {
        (Some(p), Some(s)) if !p.is_empty() && !s.is_empty() => Ok(Credential::Pair {
            publishable: p.to_owned(),
            secret: s.to_owned(),
        }),
        _ => Err(missing()),
    }
}

/// Only ASCII letters, digits and `_` (what keys are written with), tested without a
/// branch a byte (see `format::all_alphanumeric`).
fn key_text(t: &[u8]) -> bool {
    t.iter().fold(true, |ok, &b| {
        ok & (crate::keys::format::is_alphanumeric(b) | (b == b'_'))
    })
}

pub(super) fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::InvalidKey(msg) => ApiError::new(StatusCode::UNAUTHORIZED, "invalid_api_key", msg),
        Refusal::Expired => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "api_key_expired",
            "This API key has expired. Create or roll a key in the Developer Hub.",
        ),
        Refusal::Suspended => ApiError::new(
            StatusCode::FORBIDDEN,
            "api_key_suspended",
            "This API key is suspended. An Admin or Developer can reactivate it in the Developer Hub.",
        ),
        Refusal::LiveModeUnavailable => ApiError::new(
            StatusCode::FORBIDDEN,
            "live_mode_unavailable",
            "Live mode is not enabled for this account yet; use a test key.",
        ),
    }
}

/// A canary key was presented, however (Bearer, either half of a pair, in any state): it
/// is answered exactly like an unknown key, its use counted, and the first use per client
/// IP in the hour reported off the request's path (SPEC §12, §13).
pub(super) fn canary_used(req: &ServiceRequest, state: &AppState, key: &KeyRecord) {
    let ip = net::client_ip(req.request(), &state.trusted_proxies);
    state.usage.record(&key.key_id, clock::now(), ip);
    if !state.canaries.first_in_hour(&key.key_id, ip) {
        return;
    }
    let user_agent = req.headers().get(header::USER_AGENT).map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .chars()
            .take(200)
            .collect::<String>()
    });
    let (db, key_id, path) = (state.db.clone(), key.key_id.clone(), req.path().to_owned());
    let ip = ip.map(|ip| ip.to_string());
    actix_web::rt::spawn(async move {
        let report = db.run(move |c| {
            crate::keys::exposure::canary_used(
                c,
                &key_id,
                ip.as_deref(),
                user_agent.as_deref(),
                &path,
            )
        });
        if let Err(e) = report.await {
            tracing::warn!(error = %e, "could not record a canary key's use");
        }
    });
}

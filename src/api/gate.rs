//! The gate in front of every key-authenticated route, in SPEC §4's order:
//! credentials → key (checksum, lookup, status, expiry) → IP allowlist → [signature] →
//! [rate limit] → permission → [version] → [idempotency]. Bracketed checks belong to the
//! request-controls work and slot in where marked. It is attached to each route by
//! `routes::mount`, with that route's policy from the route table.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header::HeaderMap};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde_json::json;

use super::envelope::ApiError;
use crate::keys::permissions::{Level, Resource};
use crate::keys::verify::{self, Credential, Refusal, VerifiedKey};
use crate::keys::{KeyKind, Mode};
use crate::startup::AppState;
use crate::{clock, net};

/// What a key-authenticated route requires.
#[derive(Debug, Clone, Copy)]
pub struct KeyPolicy {
    /// The scope needed; None = any valid key (`/whoami`).
    pub needs: Option<(Resource, Level)>,
    /// Whether publishable keys may call it (`GET /plans`, `/plans/{id}`, `/whoami`).
    pub publishable: bool,
}

/// The verified key of this request, put there by the gate.
#[derive(Debug, Clone)]
pub struct KeyAuth(pub Arc<VerifiedKey>);

impl KeyAuth {
    pub fn merchant_id(&self) -> &str {
        &self.0.merchant_id
    }

    pub fn livemode(&self) -> bool {
        self.0.mode == Mode::Live
    }
}

impl FromRequest for KeyAuth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Absent only if a handler were mounted without the gate, which `mount` prevents;
        // fail closed all the same.
        ready(req.extensions().get::<KeyAuth>().cloned().ok_or_else(|| {
            ApiError::from(crate::error::Error::internal(
                "key route reached without the gate",
            ))
        }))
    }
}

fn missing() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "missing_authorization",
        "Send your secret key as Authorization: Bearer sk_…, or X-API-Key: pk_… with X-API-Secret: sk_….",
    )
}

/// Reads the credentials; anything absent or malformed is `missing_authorization`.
pub fn credentials(headers: &HeaderMap) -> Result<Credential, ApiError> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(auth) = text("authorization") {
        let token = auth
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty() && !t.contains(' '));
        return token
            .map(|t| Credential::Bearer(t.to_owned()))
            .ok_or_else(missing);
    }
    match (text("x-api-key"), text("x-api-secret")) {
        (Some(p), Some(s)) if !p.is_empty() && !s.is_empty() => Ok(Credential::Pair {
            publishable: p.to_owned(),
            secret: s.to_owned(),
        }),
        _ => Err(missing()),
    }
}

fn refusal(r: Refusal) -> ApiError {
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

/// Runs the checks for one route, then the handler. A refusal is answered here as a
/// response carrying the `ApiError`, which the envelope middleware renders.
pub async fn check(
    req: ServiceRequest,
    next: Next<BoxBody>,
    policy: KeyPolicy,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match admit(&req, policy).await {
        Ok(key) => {
            req.extensions_mut().insert(KeyAuth(Arc::new(key)));
            next.call(req).await
        }
        Err(refused) => Ok(req.error_response(refused)),
    }
}

/// The checks themselves; Ok is the key the handler may act as.
async fn admit(req: &ServiceRequest, policy: KeyPolicy) -> Result<VerifiedKey, ApiError> {
    // 1. credentials
    let credential = credentials(req.headers())?;
    // 2. the key
    let state = AppState::of(req.request()).clone();
    let key = state
        .db
        .run(move |c| verify::verify(c, &credential))
        .await
        .map_err(ApiError::from)?
        .map_err(refusal)?;
    // 3. client IP
    let ip = net::client_ip(req.request(), &state.trusted_proxies);
    if !ip.is_some_and(|ip| key.allows_ip(ip)) {
        let shown = ip
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into());
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "ip_not_allowed",
            format!("Requests from {shown} are not allowed for this key; add the address to its allowed IPs."),
        )
        .details(json!({ "your_ip": shown })));
    }
    // 4. signature and 5. rate limit: see the request-controls work.
    // 6. permission
    match key.kind {
        KeyKind::Publishable if !policy.publishable => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Publishable keys can only call GET /api/v1/plans, GET /api/v1/plans/{id} and GET /api/v1/whoami; use the secret key from your server.",
            ));
        }
        KeyKind::Secret => {
            if let Some((resource, level)) = policy.needs
                && !key.access.allows(resource, level)
            {
                let scope = format!("{}:{}", resource.name(), level.as_str());
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "insufficient_scope",
                    format!("This key lacks the {scope} permission; an Admin or Developer can add it in the Developer Hub."),
                )
                .details(json!({ "required_scope": scope })));
            }
        }
        KeyKind::Publishable => {}
    }
    // 7. version and 8. idempotency: see the request-controls work.
    let ip_text = ip.map(|ip| ip.to_string()).unwrap_or_default();
    state.usage.record(&key.key_id, clock::now(), &ip_text);
    Ok(key)
}

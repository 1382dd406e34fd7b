//! The checks, in SPEC §4's order, for a request whose route the gate guards.

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::header;
use actix_web::http::{Method, StatusCode};
use actix_web::web::Bytes;
use serde_json::json;

use crate::api::body::read_error;
use crate::api::envelope::{self, ApiError};
use crate::api::idempotency::{self, Claim};
use crate::db::models::idempotency::IdempotencyRow;
use crate::keys::limiter::Quota;
use crate::keys::signature;
use crate::keys::verify::{self, Refusal, VerifiedKey};
use crate::keys::{KeyKind, Mode};
use crate::state::AppState;
use crate::{clock, net, versions};

use super::credentials::{canary_used, credentials, refusal};
use super::log::Seen;
use super::{Admitted, KeyAuth, KeyPolicy};

/// Header names made at compile time: looking one up by text parses the text first.
const SIGNATURE: header::HeaderName = header::HeaderName::from_static("paydesk-signature");

/// The checks, in SPEC §4's order.
pub(super) async fn admit(
    req: &mut ServiceRequest,
    state: &AppState,
    policy: KeyPolicy,
    quota: &mut Option<Quota>,
    seen: &mut Seen,
) -> Result<Admitted, ApiError> {
    // 1. credentials
    let credential = credentials(req.headers())?;
    // 2. the key: checksum, then the cache (the database only on a miss), then status
    let presented = verify::present(credential).map_err(refusal)?;
    let record = state.keys.find(&presented).await.map_err(ApiError::from)?;
    // A canary is told apart from an unknown key by nothing: not its pair, state or mode.
    if let Some(found) = record.as_deref()
        && found.canary
    {
        canary_used(req, state, found);
        return Err(refusal(verify::UNKNOWN));
    }
    // One reading of the clock for the checks (each costs a system call's worth).
    let now_ms = clock::now_ms();
    let now = now_ms.div_euclid(1000);
    let key = match verify::check(record.clone(), presented, now) {
        Ok(key) => key,
        Err(r) => {
            // A key refused for its state was still identified: its owner sees the refusal.
            if let (
                Some(found),
                Refusal::Suspended | Refusal::Expired | Refusal::LiveModeUnavailable,
            ) = (&record, &r)
            {
                seen.key = Some(found.clone());
            }
            return Err(refusal(r));
        }
    };
    // Identified: the log lines name the key from here on, refusals included.
    seen.key = Some(key.record.clone());
    // 3. client IP
    let ip = net::client_ip(req.request(), &state.trusted_proxies);
    seen.ip = Some(ip);
    let ip_ok = match ip {
        Some(ip) => key.allows_ip(ip),
        None => key.allowed_ips.is_empty(),
    };
    if !ip_ok {
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
    // The raw body, for the signature and the idempotency fingerprint.
    let body = read_body(req).await?;
    // 4. signature
    check_signature(req, &key, &body, now_ms)?;
    // 5. rate limit: only requests that got this far count.
    let limit = u32::try_from(key.rate_limit).unwrap_or(1);
    let q = match state.rate_limits.take_now(&key.key_id, limit, now_ms) {
        Some(q) => q,
        None => state.rate_limits.take(&key.key_id, limit).await,
    };
    *quota = Some(q);
    if !q.allowed {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "This key allows {} requests per {}; retry after {} seconds.",
                q.limit,
                crate::keys::limiter::describe_window(state.rate_limits.window_ms()),
                q.reset_secs
            ),
        ));
    }
    // 6. permission
    check_permission(&key, policy)?;
    seen.scope = policy
        .needs
        .map(|(resource, level)| (resource.name(), level.as_str()));
    // 7. version
    let version = resolve_version(req, &key)?;
    seen.version = Some(version);
    // 8. idempotency
    let claim = match idempotency_key(req)? {
        None => None,
        Some(idem) => {
            let wanted = IdempotencyRow {
                id: crate::ids::new_id("idem"),
                merchant_id: key.merchant_id.clone(),
                livemode: key.mode == Mode::Live,
                api_key_id: key.key_id.clone(),
                idempotency_key: idem,
                request_hash: idempotency::fingerprint(
                    req.method().as_str(),
                    &path_and_query(req),
                    &body,
                ),
                response_status: None,
                response_body: None,
                response_version: None,
                created_at: clock::now(),
                expires_at: clock::now() + idempotency::KEEP_SECS,
            };
            match state
                .db
                .run(move |c| idempotency::claim(c, wanted))
                .await
                .map_err(ApiError::from)?
            {
                Claim::Run(row) => Some(Box::new(row)),
                Claim::Replay {
                    status,
                    body,
                    version: shaped,
                } => {
                    let shaped =
                        shaped.and_then(|v| versions::SUPPORTED.iter().copied().find(|s| *s == v));
                    let version = shaped.unwrap_or(version);
                    seen.version = Some(version);
                    return Ok(Admitted::Replay { status, body });
                }
                Claim::InUse => {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "idempotency_key_in_use",
                        "A request with this Idempotency-Key is still running; retry once it has finished.",
                    ));
                }
                Claim::Reused => {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "idempotency_key_reused",
                        "This Idempotency-Key was used for a different request (method, path or body); use a new key.",
                    ));
                }
            }
        }
    };
    state.usage.record(&key.key_id, now, ip);
    Ok(Admitted::Run {
        key: KeyAuth {
            record: key.record,
            kind: key.kind,
        },
        version,
        claim,
    })
}

pub(super) fn path_and_query(req: &ServiceRequest) -> String {
    req.uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default()
}

/// Reads the whole body (64 KiB at most) and puts it back for the handler. A request
/// that announces no body (no Content-Length, no Transfer-Encoding) has none.
pub(super) async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, ApiError> {
    if !req.headers().contains_key(header::CONTENT_LENGTH)
        && !req.headers().contains_key(header::TRANSFER_ENCODING)
    {
        return Ok(Bytes::new());
    }
    let bytes = req.extract::<Bytes>().await.map_err(read_error)?;
    if bytes.len() > envelope::BODY_LIMIT {
        return Err(envelope::payload_too_large());
    }
    req.set_payload(Payload::from(bytes.clone()));
    Ok(bytes)
}

/// A signature is checked when sent, and required when the key says so. Publishable keys
/// are for browsers, which hold no secret to sign with, so they are not asked.
pub(super) fn check_signature(
    req: &ServiceRequest,
    key: &VerifiedKey,
    body: &[u8],
    now_ms: i64,
) -> Result<(), ApiError> {
    let Some(secret) = key.secret.as_deref() else {
        return Ok(());
    };
    let invalid = |why: &str| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "signature_invalid",
            crate::error::sentence(&format!("Paydesk-Signature is not valid: {why}")),
        )
    };
    let Some(header) = req.headers().get(SIGNATURE) else {
        if key.require_signature {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "signature_required",
                "This key requires signed requests: send Paydesk-Signature: t=<unix ms>,v1=<HMAC-SHA256 hex>.",
            ));
        }
        return Ok(());
    };
    let header = header.to_str().map_err(|_| invalid("it is not ASCII"))?;
    let sig = signature::parse(header).map_err(|m| invalid(m.0))?;
    signature::verify(&sig, secret, body, now_ms).map_err(|why| match why {
        signature::Invalid::TooOld => invalid("t is more than 300000 ms in the past (check your clock, and that t is in milliseconds)"),
        signature::Invalid::TooNew => invalid("t is more than 300000 ms in the future (check your clock)"),
        signature::Invalid::Mismatch => invalid("no v1 matches HMAC-SHA256(secret key, \"<t>.\" + body)"),
    })
}

/// Publishable keys reach only their endpoints; every key needs the route's scope (a
/// publishable key acts with its pair's permissions, never more).
pub(super) fn check_permission(key: &VerifiedKey, policy: KeyPolicy) -> Result<(), ApiError> {
    if key.kind == KeyKind::Publishable && !policy.publishable {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Publishable keys can only call GET /api/v1/plans, GET /api/v1/plans/{id} and GET /api/v1/whoami; use the secret key from your server.",
        ));
    }
    match policy.needs {
        Some((resource, level)) if !key.access.allows(resource, level) => {
            let scope = format!("{}:{}", resource.name(), level.as_str());
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!("This key lacks the {scope} permission; an Admin or Developer can add it in the Developer Hub."),
            )
            .details(json!({ "required_scope": scope })))
        }
        _ => Ok(()),
    }
}

/// `Paydesk-Version`, else the key's pin, else the current version.
pub(super) fn resolve_version(
    req: &ServiceRequest,
    key: &VerifiedKey,
) -> Result<&'static str, ApiError> {
    let asked = match req.headers().get(envelope::VERSION) {
        Some(v) => Some(String::from_utf8_lossy(v.as_bytes())),
        None => key.api_version.as_deref().map(std::borrow::Cow::Borrowed),
    };
    let Some(asked) = asked else {
        return Ok(versions::CURRENT);
    };
    versions::parse(&asked).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_version",
            format!(
                "{asked:?} is not a Paydesk API version; use one of {}.",
                versions::SUPPORTED.join(", ")
            ),
        )
        .details(json!({ "supported": versions::SUPPORTED }))
    })
}

/// The `Idempotency-Key` of a POST or PATCH; other methods ignore it.
pub(super) fn idempotency_key(req: &ServiceRequest) -> Result<Option<String>, ApiError> {
    if req.method() != Method::POST && req.method() != Method::PATCH {
        return Ok(None);
    }
    let Some(value) = req.headers().get(idempotency::HEADER_NAME) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 printable ASCII characters; a UUID is a good choice.",
        )
    };
    idempotency::parse_key(value.as_bytes())
        .map(Some)
        .ok_or_else(bad)
}

//! The gate in front of every key-authenticated route, in SPEC §4's order:
//! credentials → key (checksum, lookup, status, expiry) → IP allowlist → signature →
//! rate limit → permission → version → idempotency. It is attached to each route by
//! `routes::mount`, with that route's policy from the route table.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use serde_json::json;

use super::body::read_error;
use super::envelope::{self, ApiError};
use super::idempotency::{self, Claim};
use crate::db::models::idempotency::IdempotencyRow;
use crate::error::Error;
use crate::keys::limiter::Quota;
use crate::keys::permissions::{Level, Resource};
use crate::keys::signature;
use crate::keys::verify::{self, Credential, KeyRecord, Refusal, VerifiedKey};
use crate::keys::{KeyKind, Mode};
use crate::state::AppState;
use crate::telemetry::request_log::{Entry, InlineId};
use crate::telemetry::{ErrorCode, RequestId};
use crate::{clock, net, versions};

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

/// What the checks decided for a request that may go on.
enum Admitted {
    /// Run the handler as this key; `claim` is the idempotency row to finish afterwards.
    Run {
        key: Arc<VerifiedKey>,
        version: &'static str,
        claim: Option<IdempotencyRow>,
    },
    /// An idempotent replay: this stored answer, without running anything.
    Replay { status: u16, body: String },
}

/// Runs the checks for one route, then the handler, then what follows it: the version
/// transform, storing the idempotent answer, and the rate-limit headers. Refusals are
/// answered as responses carrying the `ApiError`, which the envelope renders.
pub async fn check(
    mut req: ServiceRequest,
    next: Next<BoxBody>,
    policy: KeyPolicy,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let state = AppState::of(req.request()).clone();
    let mut quota = None;
    let mut seen = Seen::default();
    let mut res = match admit(&mut req, &state, policy, &mut quota, &mut seen).await {
        Err(refused) => {
            crate::telemetry::metrics::gate_refusal(refused.code);
            seen.error_code = Some(refused.code);
            req.error_response(refused)
        }
        Ok(Admitted::Replay { status, body }) => {
            seen.replayed = true;
            seen.error_code = stored_error_code(status, &body);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let response = HttpResponse::build(status)
                .content_type("application/json")
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body);
            req.into_response(response)
        }
        Ok(Admitted::Run {
            key,
            version,
            claim,
        }) => {
            req.extensions_mut().insert(KeyAuth(key));
            let res = envelope::finalize(next.call(req).await?);
            after_handler(res, &state, version, claim).await?
        }
    };
    if let Some(q) = quota {
        let h = res.headers_mut();
        h.insert(
            HeaderName::from_static("ratelimit-limit"),
            HeaderValue::from(q.limit),
        );
        h.insert(
            HeaderName::from_static("ratelimit-remaining"),
            HeaderValue::from(q.remaining),
        );
        h.insert(
            HeaderName::from_static("ratelimit-reset"),
            HeaderValue::from(q.reset_secs),
        );
        if !q.allowed {
            h.insert(header::RETRY_AFTER, HeaderValue::from(q.reset_secs));
        }
    }
    if let Some(key) = seen.key.take() {
        log_request(&state, &res, key, seen, started);
    }
    Ok(res)
}

/// What the request log needs to know of a request beyond its response.
#[derive(Default)]
struct Seen {
    /// The key, once identified (suspended and expired keys included).
    key: Option<Arc<KeyRecord>>,
    /// The scope the route needed, once the request was admitted.
    scope: Option<(&'static str, &'static str)>,
    /// The client's address, once the gate looked it up.
    ip: Option<Option<std::net::IpAddr>>,
    error_code: Option<&'static str>,
    replayed: bool,
}

/// Hands the request to the request log: memory only, never a database write here.
fn log_request(
    state: &AppState,
    res: &ServiceResponse<BoxBody>,
    key: Arc<KeyRecord>,
    seen: Seen,
    started: std::time::Instant,
) {
    let req = res.request();
    let status = i32::from(res.status().as_u16());
    if !state.request_log.keeps_lines() {
        state
            .request_log
            .count(&key.key_id, clock::now_ms(), status, seen.scope);
        return;
    }
    let (request_id, error_code) = {
        let ext = req.extensions();
        (
            ext.get::<RequestId>()
                .map(|r| InlineId::new(&r.0))
                .unwrap_or(InlineId::new("")),
            seen.error_code
                .or_else(|| ext.get::<ErrorCode>().map(|c| c.0)),
        )
    };
    state.request_log.record(Entry {
        request_id,
        at_ms: clock::now_ms(),
        method: req.method().clone(),
        path: shortened(req.path(), 512),
        status,
        error_code,
        latency_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
        client_ip: seen
            .ip
            .unwrap_or_else(|| net::client_ip(req, &state.trusted_proxies)),
        api_version: envelope::answered_version(req),
        replayed: seen.replayed,
        scope: seen.scope,
        key,
    });
}

/// `text` cut to at most `max` bytes, on a character boundary.
fn shortened(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The error code of a stored (replayed) answer, read only when it is a refusal.
fn stored_error_code(status: u16, body: &str) -> Option<&'static str> {
    if status < 400 {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = value.pointer("/error/code")?.as_str()?;
    // Codes are the contract's constants; an unknown one is shown as such.
    Some(
        crate::error::CODES
            .iter()
            .map(|(c, _)| *c)
            .find(|c| *c == code)
            .unwrap_or("unknown"),
    )
}

/// A canary key was presented, however (Bearer, either half of a pair, in any state): it
/// is answered exactly like an unknown key, its use counted, and the first use per client
/// IP in the hour reported off the request's path (SPEC §12, §13).
fn canary_used(req: &ServiceRequest, state: &AppState, key: &KeyRecord) {
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

/// Shapes the answer for the request's version and settles the idempotency claim with
/// the exact bytes sent. Its own failures are answered as 500s in the envelope.
async fn after_handler(
    res: ServiceResponse<BoxBody>,
    state: &AppState,
    version: &'static str,
    claim: Option<IdempotencyRow>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if version == versions::CURRENT && claim.is_none() {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let Ok(mut bytes) = actix_web::body::to_bytes(body).await else {
        let failed = ApiError::from(Error::internal("reading the handler's response"));
        return Ok(envelope::finalize(ServiceResponse::new(
            req,
            HttpResponse::from_error(failed),
        )));
    };
    let status = head.status();
    if version != versions::CURRENT
        && let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&bytes)
    {
        versions::downgrade(&mut json, version);
        bytes = serde_json::to_vec(&json).unwrap_or_default().into();
    }
    if let Some(claim) = claim {
        // Validation refusals (400) and our own failures (5xx) free the key for a retry.
        let keep = status != StatusCode::BAD_REQUEST && !status.is_server_error();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let mut settled = Err(Error::internal("not tried"));
        // The work is done; try hard to record it, so a retry replays instead of re-running.
        for _ in 0..3 {
            let (id, body) = (claim.id.clone(), body.clone());
            settled = state
                .db
                .run(move |c| {
                    if keep {
                        IdempotencyRow::complete(
                            c,
                            &id,
                            i32::from(status.as_u16()),
                            &body,
                            version,
                        )?;
                    } else {
                        IdempotencyRow::release(c, &id)?;
                    }
                    Ok(())
                })
                .await;
            if settled.is_ok() {
                break;
            }
        }
        if let Err(e) = settled {
            // The answer below is still the true one; the key stays "in use" until it
            // expires, so a retry is refused (409) rather than run twice.
            tracing::error!(error = %e, "could not record an idempotent response");
        }
    }
    Ok(ServiceResponse::new(
        req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

/// The checks, in SPEC §4's order.
async fn admit(
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
    let key = match verify::check(record.clone(), presented, clock::now()) {
        Ok(key) => key,
        Err(r) => {
            // A key refused for its state was still identified: its owner sees the refusal.
            if let (
                Some(found),
                Refusal::Suspended | Refusal::Expired | Refusal::LiveModeUnavailable,
            ) = (&record, &r)
            {
                req.extensions_mut()
                    .insert(crate::telemetry::KeyId(found.key_id.clone()));
                seen.key = Some(found.clone());
            }
            return Err(refusal(r));
        }
    };
    seen.key = Some(key.record.clone());
    // Identified: the log line names the key from here on, refusals included.
    req.extensions_mut()
        .insert(crate::telemetry::KeyId(key.key_id.clone()));
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
    check_signature(req, &key, &body)?;
    // 5. rate limit: only requests that got this far count.
    let q = state
        .rate_limits
        .take(&key.key_id, u32::try_from(key.rate_limit).unwrap_or(1))
        .await;
    *quota = Some(q);
    if !q.allowed {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "This key allows {} requests per minute; retry after {} seconds.",
                q.limit, q.reset_secs
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
    req.extensions_mut()
        .insert(envelope::ResolvedVersion(version));
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
                Claim::Run(row) => Some(row),
                Claim::Replay {
                    status,
                    body,
                    version: shaped,
                } => {
                    let shaped =
                        shaped.and_then(|v| versions::SUPPORTED.iter().copied().find(|s| *s == v));
                    let version = shaped.unwrap_or(version);
                    req.extensions_mut()
                        .insert(envelope::ResolvedVersion(version));
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
    state.usage.record(&key.key_id, clock::now(), ip);
    Ok(Admitted::Run {
        key: Arc::new(key),
        version,
        claim,
    })
}

fn path_and_query(req: &ServiceRequest) -> String {
    req.uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default()
}

/// Reads the whole body (64 KiB at most) and puts it back for the handler. A request
/// that announces no body (no Content-Length, no Transfer-Encoding) has none.
async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, ApiError> {
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
fn check_signature(req: &ServiceRequest, key: &VerifiedKey, body: &[u8]) -> Result<(), ApiError> {
    let Some(secret) = key.secret.as_deref() else {
        return Ok(());
    };
    let invalid = |why: &str| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "signature_invalid",
            format!("Paydesk-Signature is not valid: {why}."),
        )
    };
    let Some(header) = req.headers().get("paydesk-signature") else {
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
    signature::verify(&sig, secret, body, clock::now_ms()).map_err(|why| match why {
        signature::Invalid::TooOld => invalid("t is more than 300000 ms in the past (check your clock, and that t is in milliseconds)"),
        signature::Invalid::TooNew => invalid("t is more than 300000 ms in the future (check your clock)"),
        signature::Invalid::Mismatch => invalid("no v1 matches HMAC-SHA256(secret key, \"<t>.\" + body)"),
    })
}

/// Publishable keys reach only their endpoints; every key needs the route's scope (a
/// publishable key acts with its pair's permissions, never more).
fn check_permission(key: &VerifiedKey, policy: KeyPolicy) -> Result<(), ApiError> {
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
fn resolve_version(req: &ServiceRequest, key: &VerifiedKey) -> Result<&'static str, ApiError> {
    let asked = match req.headers().get(envelope::VERSION_HEADER) {
        Some(v) => Some(String::from_utf8_lossy(v.as_bytes()).into_owned()),
        None => key.api_version.clone(),
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
fn idempotency_key(req: &ServiceRequest) -> Result<Option<String>, ApiError> {
    if req.method() != Method::POST && req.method() != Method::PATCH {
        return Ok(None);
    }
    let Some(value) = req.headers().get(idempotency::HEADER) else {
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

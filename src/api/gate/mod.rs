//! The gate in front of every key-authenticated route, in SPEC §4's order:
//! credentials → key (checksum, lookup, status, expiry) → IP allowlist → signature →
//! rate limit → permission → version → idempotency. It is attached to each route by
//! `routes::mount`, with that route's policy from the route table.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceFactory, ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, Handler, HttpMessage, HttpRequest, HttpResponse, Responder};

use crate::api::envelope::{self, ApiError};
use crate::db::models::idempotency::IdempotencyRow;
use crate::error::Error;
use crate::keys::permissions::{Level, Resource};
use crate::keys::verify::KeyRecord;
use crate::keys::{KeyKind, Mode};
use crate::state::AppState;
use crate::telemetry::{ApiCall, InlineId};
use crate::versions;

mod checks;
mod credentials;
mod log;

use checks::admit;
pub use credentials::credentials;
use log::{Seen, log_request, stored_error_code};

// Checked once, at compile time (`from_static` at run time validates the text each call).
const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// A number as a header value. Those below 1 024 (most limits, what remains of them, the
/// seconds to a reset) are made once and shared: `HeaderValue::from` formats the number
/// into a new buffer on every call.
fn number(n: i64) -> HeaderValue {
    static SMALL: std::sync::LazyLock<Vec<HeaderValue>> =
        std::sync::LazyLock::new(|| (0..1024_i64).map(HeaderValue::from).collect());
    match usize::try_from(n).ok().and_then(|i| SMALL.get(i)) {
        Some(shared) => shared.clone(),
        // Written on the stack and copied once (`HeaderValue::from` grows a buffer).
        None => HeaderValue::from_str(itoa::Buffer::new().format(n))
            .unwrap_or_else(|_| HeaderValue::from(n)),
    }
}

/// A key's limit as a header value. It is the same on each of the key's answers, so a
/// worker keeps the last one it made (a limit over 1 023 is otherwise written anew each
/// time).
fn limit_value(limit: u32) -> HeaderValue {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(u32, HeaderValue)>> =
            const { std::cell::RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((n, value)) if *n == limit => value.clone(),
        _ => {
            let value = number(i64::from(limit));
            *last = Some((limit, value.clone()));
            value
        }
    })
}

/// What a key-authenticated route requires.
#[derive(Debug, Clone, Copy)]
pub struct KeyPolicy {
    /// The scope needed; None = any valid key (`/whoami`).
    pub needs: Option<(Resource, Level)>,
    /// Whether publishable keys may call it (`GET /plans`, `/plans/{id}`, `/whoami`).
    pub publishable: bool,
}

/// The verified key of this request, put there by the gate: its record (shared with the
/// key cache, so handing it on copies nothing) and how it was presented. The secret is
/// not kept: only the gate's signature check needs it.
#[derive(Debug, Clone)]
pub struct KeyAuth {
    pub record: Arc<KeyRecord>,
    pub kind: KeyKind,
}

impl KeyAuth {
    pub fn merchant_id(&self) -> &str {
        &self.record.merchant_id
    }

    pub fn livemode(&self) -> bool {
        self.record.mode == Mode::Live
    }
}

impl std::ops::Deref for KeyAuth {
    type Target = KeyRecord;

    fn deref(&self) -> &KeyRecord {
        &self.record
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

/// What the checks decided for a request that may go on.
enum Admitted {
    /// Run the handler as this key; `claim` is the idempotency row to finish afterwards
    /// (boxed: most requests have none, and the row is large).
    Run {
        key: KeyAuth,
        version: &'static str,
        claim: Option<Box<IdempotencyRow>>,
    },
    /// An idempotent replay: this stored answer, without running anything.
    Replay { status: u16, body: String },
}

/// A key route's service: the gate's checks, then the handler, in one future. (As a
/// middleware around the route, `from_fn`, it was three boxed futures, each with a poll of
/// its own, on every request; SPEC §15.) `route` is the route's pattern, for the log line.
pub fn guarded<F, Args>(
    handler: F,
    policy: KeyPolicy,
    route: &'static str,
) -> impl ServiceFactory<
    ServiceRequest,
    Config = (),
    Response = ServiceResponse,
    Error = actix_web::Error,
    InitError = (),
>
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    fn_service(move |req: ServiceRequest| {
        let handler = handler.clone();
        // What `Route::to` does with a handler: extract its arguments, call, respond.
        let run = move |req: ServiceRequest| async move {
            let (req, mut payload) = req.into_parts();
            let res = match Args::from_request(&req, &mut payload).await {
                Err(err) => HttpResponse::from_error(err),
                Ok(args) => handler
                    .call(args)
                    .await
                    .respond_to(&req)
                    .map_into_boxed_body(),
            };
            ServiceResponse::new(req, res)
        };
        check(req, policy, route, run)
    })
}

/// Runs the checks for one route, then the handler (`run`), then what follows it: the
/// version transform, storing the idempotent answer, and the rate-limit headers.
/// Refusals are answered as responses carrying the `ApiError`, which the envelope renders.
async fn check<R, Fut>(
    mut req: ServiceRequest,
    policy: KeyPolicy,
    route: &'static str,
    run: R,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error>
where
    R: FnOnce(ServiceRequest) -> Fut,
    Fut: Future<Output = ServiceResponse<BoxBody>>,
{
    let state = AppState::of(req.request()).clone();
    let mut quota = None;
    let mut seen = Seen::default();
    let admitted = admit(&mut req, &state, policy, &mut quota, &mut seen).await;
    // For the edge's log line and the envelope, in one go.
    ApiCall::note(&req, |call| {
        call.route = Some(route);
        call.key_id = seen.key.as_ref().map(|k| InlineId::new(&k.key_id));
        call.version = seen.version;
    });
    let mut res = match admitted {
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
                .insert_header((header::CONTENT_TYPE, envelope::JSON))
                .insert_header((header::CACHE_CONTROL, envelope::NO_STORE))
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body);
            req.into_response(response)
        }
        Ok(Admitted::Run {
            key,
            version,
            claim,
        }) => {
            req.extensions_mut().insert(key);
            let res = envelope::finalize(run(req).await);
            after_handler(res, &state, version, claim).await?
        }
    };
    if let Some(q) = quota {
        // Set here only, so appended (an insert also takes out and drops what was there);
        // a refusal's Retry-After may be there already.
        let h = res.headers_mut();
        h.append(RATELIMIT_LIMIT, limit_value(q.limit));
        h.append(RATELIMIT_REMAINING, number(i64::from(q.remaining)));
        h.append(RATELIMIT_RESET, number(q.reset_secs));
        if !q.allowed {
            h.insert(header::RETRY_AFTER, number(q.reset_secs));
        }
    }
    if let Some(key) = seen.key.take() {
        log_request(&state, &res, key, seen);
    }
    Ok(res)
}

/// Shapes the answer for the request's version and settles the idempotency claim with
/// the exact bytes sent. Its own failures are answered as 500s in the envelope.
async fn after_handler(
    res: ServiceResponse<BoxBody>,
    state: &AppState,
    version: &'static str,
    claim: Option<Box<IdempotencyRow>>,
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

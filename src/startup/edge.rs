//! What every response passes through, in one middleware (SPEC §15: each layer of
//! middleware is a boxed future and a poll of its own, on every request): the body's
//! deadline, the security headers, and the request's log line and metrics sample.
//! It wraps the whole app, pages and API alike.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// What the edge adds to every request.
#[derive(Clone)]
pub struct Edge {
    /// How long a request body may take to arrive (`deadline`).
    pub body_timeout: Duration,
    headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl Edge {
    pub fn new(body_timeout: Duration, secure: bool) -> Self {
        Self {
            body_timeout,
            headers: security_headers(secure).into(),
        }
    }
}

/// Headers every response carries (SPEC §7, §13). The CSP allows no inline script. When
/// cookies are Secure the site is served over HTTPS, so browsers are told to keep to it
/// (HSTS, SPEC §12).
fn security_headers(secure: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' \
                 data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
                 frame-ancestors 'none'",
            ),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    if secure {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    headers
}

/// The body's deadline on the way in; on the way out the security headers and the log
/// line and metrics sample.
pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    edge: Edge,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let req = crate::deadline::limit_body(req, edge.body_timeout);
    let mut res = next.call(req).await?;
    // No handler sets these: the edge's are the only ones, so they are not looked up first.
    let headers = res.headers_mut();
    for (name, value) in edge.headers.iter() {
        headers.insert(name.clone(), value.clone());
    }
    crate::telemetry::http::observe(&res, started);
    Ok(res)
}

//! What every response passes through, in one middleware (SPEC §15: each layer of
//! middleware is a boxed future and a poll of its own, on every request): the body's
//! deadline, an API request's id and envelope, the security headers, and the request's
//! log line and metrics sample. It wraps the whole app, pages and API alike.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::HttpMessage;
use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

use crate::telemetry::ApiCall;

/// What the edge adds to every request.
#[derive(Clone)]
pub struct Edge {
    /// How long a request body may take to arrive (`deadline`).
    pub body_timeout: Duration,
    headers: Arc<[(HeaderName, HeaderValue)]>,
    api_headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl Edge {
    pub fn new(body_timeout: Duration, secure: bool) -> Self {
        Self {
            body_timeout,
            headers: security_headers(secure, false).into(),
            api_headers: security_headers(secure, true).into(),
        }
    }
}

/// The security headers an answer carries (SPEC §7, §12, §13). Every answer: a CSP,
/// `X-Frame-Options`, `nosniff` and CORP (other sites cannot embed it), and HSTS when
/// cookies are Secure (the site is then served over HTTPS, and browsers are told to keep
/// to it). A page's CSP allows no inline script, and pages (every answer outside the API)
/// add the document-only headers: Referrer-Policy, Permissions-Policy, COOP. A JSON
/// answer under /api/v1 (`api`) loads nothing and does nothing a page does, so it has
/// OWASP's REST set: `default-src 'none'` and no document-only headers, each of which is
/// about 300 instructions to set, send and clear on every request (SPEC §15).
fn security_headers(secure: bool, api: bool) -> Vec<(HeaderName, HeaderValue)> {
    let csp = if api {
        "default-src 'none'; frame-ancestors 'none'"
    } else {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    };
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    if !api {
        headers.extend([
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ),
            (
                HeaderName::from_static("permissions-policy"),
                HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
            ),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                HeaderValue::from_static("same-origin"),
            ),
        ]);
    }
    if secure {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    headers
}

/// The body's deadline on the way in, and an API request's `ApiCall` (its id); on the
/// way out the API's envelope, the security headers and the log line and metrics sample.
pub async fn edge(
    req: ServiceRequest,
    next: Next<BoxBody>,
    edge: Edge,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let req = crate::deadline::limit_body(req, edge.body_timeout);
    // The path as the router matches it (percent-decoded where that changes nothing).
    let api = crate::api::serves(req.match_info().as_str());
    if api {
        req.extensions_mut().insert(ApiCall::new(started));
    }
    let mut res = next.call(req).await?;
    if api {
        res = crate::api::envelope::finish(res);
    }
    // No handler sets these: the edge's are the only ones, so they are appended (an
    // insert also takes out and drops what was there).
    let set = if api {
        &edge.api_headers
    } else {
        &edge.headers
    };
    let headers = res.headers_mut();
    for (name, value) in set.iter() {
        headers.append(name.clone(), value.clone());
    }
    crate::telemetry::http::observe(&res, started);
    Ok(res)
}

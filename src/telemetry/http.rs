//! One log line and one metrics sample per HTTP request: `request_id` (API requests),
//! method, route pattern, status, latency and key id. Never a query string, a body, a
//! header or a secret: the route is the pattern (`/api/v1/customers/{id}`), not the path.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::dev::ServiceResponse;

use super::{ApiCall, metrics};

/// Logs and samples one answered request, `started` when it arrived.
pub fn observe<B>(res: &ServiceResponse<B>, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    let request = res.request();
    let method = request.method().as_str();
    let status = res.status().as_u16();
    let extensions = request.extensions();
    let call = extensions.get::<ApiCall>();
    // The gate names its route; others are looked up (a walk of the routes and a String).
    let looked_up;
    let route = match call.and_then(|c| c.route) {
        Some(route) => route,
        None => {
            looked_up = request.match_pattern();
            looked_up.as_deref().unwrap_or("unmatched")
        }
    };
    // The fields are worked out only when the line is written (RUST_LOG).
    tracing::info!(
        target: "paydesk::request",
        request_id = call.map_or("-", |c| c.request_id.as_str()),
        method,
        route,
        status,
        // At most 3 decimals (0.345, not 0.34541900000000003).
        latency_ms = (seconds * 1_000_000.0).round() / 1000.0,
        key_id = call.and_then(|c| c.key_id.as_ref()).map_or("-", |k| k.as_str()),
        "request"
    );
    metrics::request(route, request.method(), status, seconds);
}

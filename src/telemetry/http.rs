//! One log line and one metrics sample per HTTP request: `request_id` (API requests),
//! method, route pattern, status, latency and key id. Never a query string, a body, a
//! header or a secret: the route is the pattern (`/api/v1/customers/{id}`), not the path.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::dev::ServiceResponse;

use super::{KeyId, RequestId, metrics};

/// Logs and samples one answered request, `started` when it arrived.
pub fn observe<B>(res: &ServiceResponse<B>, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    let request = res.request();
    let route = request.match_pattern();
    let route = route.as_deref().unwrap_or("unmatched");
    let method = request.method().as_str();
    let status = res.status().as_u16();
    {
        let extensions = request.extensions();
        let request_id = extensions.get::<RequestId>().map(RequestId::as_str);
        let key_id = extensions.get::<KeyId>().map(|k| k.0.as_str());
        tracing::info!(
            target: "paydesk::request",
            request_id = request_id.unwrap_or("-"),
            method,
            route,
            status,
            // At most 3 decimals (0.345, not 0.34541900000000003).
            latency_ms = (seconds * 1_000_000.0).round() / 1000.0,
            key_id = key_id.unwrap_or("-"),
            "request"
        );
    }
    metrics::request(route, request.method(), status, seconds);
}

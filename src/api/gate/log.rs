//! What the gate hands to the request log for each request: memory only, never a
//! database write on the request's path.

use std::sync::Arc;

use actix_web::HttpMessage;
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;

use crate::api::envelope::{self};
use crate::keys::verify::KeyRecord;
use crate::state::AppState;
use crate::telemetry::request_log::{Entry, LoggedPath};
use crate::telemetry::{ApiCall, InlineId};
use crate::{clock, net};

/// What the request log needs to know of a request beyond its response.
#[derive(Default)]
pub(super) struct Seen {
    /// The key, once identified (suspended and expired keys included).
    pub(super) key: Option<Arc<KeyRecord>>,
    /// The scope the route needed, once the request was admitted.
    pub(super) scope: Option<(&'static str, &'static str)>,
    /// The client's address, once the gate looked it up.
    pub(super) ip: Option<Option<std::net::IpAddr>>,
    pub(super) error_code: Option<&'static str>,
    /// The version the answer is given in, once resolved.
    pub(super) version: Option<&'static str>,
    pub(super) replayed: bool,
}

/// Hands the request to the request log: memory only, never a database write here.
pub(super) fn log_request(
    state: &AppState,
    res: &ServiceResponse<BoxBody>,
    key: Arc<KeyRecord>,
    seen: Seen,
) {
    let req = res.request();
    let status = i32::from(res.status().as_u16());
    if !state.request_log.keeps_lines() {
        state
            .request_log
            .count(&key.key_id, clock::now_ms(), status, seen.scope);
        return;
    }
    let (request_id, error_code, latency_us, path) = {
        let ext = req.extensions();
        let call = ext.get::<ApiCall>();
        let path = match call.and_then(|c| c.route) {
            Some(route) if route == req.path() => LoggedPath::Route(route),
            _ => LoggedPath::Sent(shortened(req.path(), 512)),
        };
        let latency = call.map_or(std::time::Duration::ZERO, |c| c.started.elapsed());
        (
            call.map_or(InlineId::new(""), |c| c.request_id),
            seen.error_code.or_else(|| call.and_then(|c| c.error_code)),
            i32::try_from(latency.as_micros()).unwrap_or(i32::MAX),
            path,
        )
    };
    state.request_log.record(Entry {
        request_id,
        at_ms: clock::now_ms(),
        method: req.method().clone(),
        path,
        status,
        error_code,
        latency_us,
        client_ip: seen
            .ip
            .unwrap_or_else(|| net::client_ip(req, &state.trusted_proxies)),
        // The gate's, noted on the call from `seen`; else the one asked for.
        api_version: seen
            .version
            .unwrap_or_else(|| envelope::answered_version(req)),
        replayed: seen.replayed,
        scope: seen.scope,
        key,
    });
}

/// `text` cut to at most `max` bytes, on a character boundary.
pub(super) fn shortened(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The error code of a stored (replayed) answer, read only when it is a refusal.
pub(super) fn stored_error_code(status: u16, body: &str) -> Option<&'static str> {
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

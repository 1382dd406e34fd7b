//! What the service tells about itself: Prometheus metrics (`metrics.rs`), one log
//! line per request (`http.rs`) and the batched request log with its usage counters
//! (`request_log.rs`). No handler lives here; the edge, the gate and the envelope note
//! an API request's id, key, route and version on its `ApiCall` for the lines to pick up.

pub mod http;
pub mod metrics;
pub mod redact;
pub mod request_log;

pub use request_log::InlineId;

/// What an API request notes about itself on its way, for its answer, its log line and
/// the request log. One extension, put on the request by the edge and changed in place by
/// the gate and the envelope: each extension is an allocation of its own (SPEC §15).
pub struct ApiCall {
    /// When it arrived at the edge.
    pub started: std::time::Instant,
    /// Its `Request-Id` (`ids::request_id`).
    pub request_id: InlineId,
    /// The key it was made with, once the gate (or a management key's check) knew it.
    pub key_id: Option<InlineId>,
    /// Its route's pattern (`/api/v1/customers/{id}`), when the gate knows it.
    pub route: Option<&'static str>,
    /// The API version it is answered in, once the gate resolved it.
    pub version: Option<&'static str>,
    /// The error code its answer carried, once the envelope wrote it.
    pub error_code: Option<&'static str>,
}

impl ApiCall {
    pub fn new(started: std::time::Instant) -> Self {
        Self {
            started,
            request_id: InlineId::from_ascii(&crate::ids::request_id_bytes()),
            key_id: None,
            route: None,
            version: None,
            error_code: None,
        }
    }

    /// The `Request-Id` header's value.
    pub fn request_id_header(&self) -> actix_web::http::header::HeaderValue {
        actix_web::http::header::HeaderValue::from_bytes(self.request_id.as_bytes())
            .unwrap_or_else(|_| actix_web::http::header::HeaderValue::from_static("req_"))
    }

    /// Notes something on the request's call; nothing when it has none (not an API
    /// request).
    pub fn note(req: &impl actix_web::HttpMessage, f: impl FnOnce(&mut ApiCall)) {
        if let Some(call) = req.extensions_mut().get_mut::<ApiCall>() {
            f(call);
        }
    }
}

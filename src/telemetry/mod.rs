//! What the service tells about itself: Prometheus metrics (`metrics.rs`), one log
//! line per request (`http.rs`) and the batched request log with its usage counters
//! (`request_log.rs`). No handler lives here; the gate and the envelope leave
//! the request id and key id on the request for the log line to pick up.

pub mod http;
pub mod metrics;
pub mod redact;
pub mod request_log;

/// The `Request-Id` of an API request, left on it by the envelope. Kept as the header
/// value it is sent as, so answering with it copies nothing.
#[derive(Clone)]
pub struct RequestId(actix_web::http::header::HeaderValue);

impl RequestId {
    /// `id` is made by `ids::request_id` (ASCII letters, digits and `_`).
    pub fn new(id: String) -> Self {
        let bytes = actix_web::web::Bytes::from(id);
        Self(
            actix_web::http::header::HeaderValue::from_maybe_shared(bytes)
                .unwrap_or_else(|_| actix_web::http::header::HeaderValue::from_static("req_")),
        )
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.0.as_bytes()).unwrap_or_default()
    }

    /// The `Request-Id` header's value (shared, not copied).
    pub fn header(&self) -> actix_web::http::header::HeaderValue {
        self.0.clone()
    }
}

/// The id of the key a request was made with, left on it by the gate once identified.
#[derive(Clone)]
pub struct KeyId(pub String);

/// The error code an API answer carried, left on the request by the envelope.
#[derive(Clone, Copy)]
pub struct ErrorCode(pub &'static str);

//! What the service tells about itself: Prometheus metrics (`metrics.rs`), one log
//! line per request (`http.rs`) and the batched request log with its usage counters
//! (`request_log.rs`). No handler lives here; the gate and the envelope leave
//! the request id and key id on the request for the log line to pick up.

pub mod http;
pub mod metrics;
pub mod redact;
pub mod request_log;

/// The `Request-Id` of an API request, left on it by the envelope.
#[derive(Clone)]
pub struct RequestId(pub String);

/// The id of the key a request was made with, left on it by the gate once identified.
#[derive(Clone)]
pub struct KeyId(pub String);

/// The error code an API answer carried, left on the request by the envelope.
#[derive(Clone, Copy)]
pub struct ErrorCode(pub &'static str);

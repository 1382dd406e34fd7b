//! What the service tells about itself: Prometheus metrics (`metrics.rs`) and one log
//! line per request (`http.rs`). No handler lives here; the gate and the envelope leave
//! the request id and key id on the request for the log line to pick up.

pub mod http;
pub mod metrics;

/// The `Request-Id` of an API request, left on it by the envelope.
#[derive(Clone)]
pub struct RequestId(pub String);

/// The id of the key a request was made with, left on it by the gate once identified.
#[derive(Clone)]
pub struct KeyId(pub String);

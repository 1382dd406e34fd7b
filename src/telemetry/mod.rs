//! What the service tells about itself: Prometheus metrics (`metrics.rs`), one log
//! line per request (`http.rs`) and the batched request log with its usage counters
//! (`request_log.rs`). No handler lives here; the edge, the gate and the envelope note
//! an API request's id, key, route and version on its `ApiCall` for the lines to pick up.

pub mod http;
pub mod metrics;
pub mod redact;
pub mod request_log;

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

/// An id (a request's `req_…`, a key's `key_…`: 28 characters) held without an
/// allocation; longer text is cut at 32 bytes, on a character boundary.
#[derive(Clone, Copy)]
pub struct InlineId {
    bytes: [u8; 32],
    len: u8,
}

impl InlineId {
    pub fn new(text: &str) -> Self {
        let mut end = text.len().min(32);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0u8; 32];
        bytes[..end].copy_from_slice(&text.as_bytes()[..end]);
        Self {
            bytes,
            len: end as u8,
        }
    }

    /// ASCII bytes (such as `ids::request_id_bytes`), copied without a check: `as_str`
    /// checks, so bytes that are not UTF-8 could only read as "". At most 32 are kept.
    pub fn from_ascii(bytes: &[u8]) -> Self {
        let len = bytes.len().min(32);
        let mut kept = [0u8; 32];
        kept[..len].copy_from_slice(&bytes[..len]);
        Self {
            bytes: kept,
            len: len as u8,
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

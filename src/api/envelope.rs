//! The envelope of SPEC §4: `{"ok":true,"data":…}` or
//! `{"ok":false,"error":{code,message,details},"request_id":…}`, plus `Request-Id`.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{StatusCode, header};
use actix_web::{
    HttpMessage, HttpRequest, HttpResponse, ResponseError, error::JsonPayloadError, web,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Error, ErrorCode};
use crate::telemetry::{ApiCall, InlineId};
use crate::versions;

pub const REQUEST_ID: &str = "Request-Id";
pub const BODY_LIMIT: usize = 64 * 1024;

/// `{"ok":true,"data":…}` with 200.
pub fn ok<T: Serialize>(data: T) -> HttpResponse {
    with_status(StatusCode::OK, data)
}

pub fn with_status<T: Serialize>(status: StatusCode, data: T) -> HttpResponse {
    /// Serialized as it stands: `json!` would first copy `data` into a new `Value`.
    #[derive(Serialize)]
    struct Success<T> {
        ok: bool,
        data: T,
    }
    // Sized for most objects, so the body is written without growing; the headers are
    // made once (`HttpResponseBuilder::json` and a `&str` value each parse and copy).
    let mut body = Vec::with_capacity(512);
    match serde_json::to_writer(&mut body, &Success { ok: true, data }) {
        Ok(()) => HttpResponse::build(status)
            .append_header((header::CACHE_CONTROL, NO_STORE))
            .append_header((header::CONTENT_TYPE, JSON))
            .body(body),
        Err(e) => HttpResponse::from_error(ApiError::from(Error::internal(format!(
            "writing the answer: {e}"
        )))),
    }
}

/// `Cache-Control: no-store`: no API answer is kept by a cache.
pub const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
/// `Content-Type: application/json`.
pub const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A refusal with one of the contract's codes. The body is written by the envelope
/// middleware, which knows the request id.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<i64>,
}

impl ApiError {
    /// A refusal with a code and status the caller chose. Prefer `of`, which takes the
    /// status from the catalogue.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// A refusal with a code of the catalogue, answered with that code's status.
    pub fn of(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(status(code), code.as_str(), message)
    }

    /// A refusal with the catalogue's own message for the code.
    fn standard(code: ErrorCode) -> Self {
        Self::of(code, code.message().unwrap_or_default())
    }

    pub fn retry_after(mut self, secs: i64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn not_found() -> Self {
        Self::standard(ErrorCode::NotFound)
    }

    pub fn invalid_token() -> Self {
        Self::standard(ErrorCode::InvalidToken)
    }

    /// `error.details` is always there (`{}` when there is nothing to add), so clients
    /// need not test for it.
    fn body(&self, request_id: &str) -> Value {
        let details = self.details.clone().unwrap_or_else(|| json!({}));
        json!({
            "ok": false,
            "error": {"code": self.code, "message": self.message, "details": details},
            "request_id": request_id,
        })
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        // Replaced by `request_id` below; this body only shows if the middleware is missing.
        HttpResponse::build(self.status).json(self.body(""))
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let code = e.code();
        match e {
            Error::Invalid(fields) => Self::of(
                code,
                "Some fields are missing or invalid; see details.fields.",
            )
            .details(json!({ "fields": fields })),
            Error::Forbidden(msg)
            | Error::Conflict(msg)
            | Error::LiveModeUnavailable(msg)
            | Error::InvalidState(msg) => Self::of(code, msg),
            Error::SpendLimitExceeded(r) => Self::of(code, r.to_string()).details(json!({
                "limit": r.limit,
                "used": r.used,
                "currency": r.currency,
                "resets_at": crate::clock::rfc3339(r.resets_at),
                "resource": r.resource,
                "period": r.period,
            })),
            Error::PolicyViolation { rule, message } => {
                Self::of(code, message).details(json!({ "rule": rule }))
            }
            Error::NotFound | Error::ReauthenticationRequired => Self::standard(code),
            Error::Throttled(secs) => Self::of(code, e.to_string()).retry_after(secs),
            Error::BadCredentials
            | Error::Locked(_)
            | Error::OtpRequired
            | Error::OtpInvalid
            | Error::TwoFactorRequired => Self::of(code, e.to_string()),
            Error::Internal(msg) => {
                tracing::error!(error = %msg, "api request failed");
                Self::standard(code)
            }
        }
    }
}

/// A code's status from the catalogue.
fn status(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Makes sure every answer under /api/v1 is an envelope carrying the request's id (our
/// own refusals, and actix's: unknown method, unreadable body), with the
/// `Paydesk-Version` it was answered in. Called by the edge, which gave the request its
/// `ApiCall` (one middleware fewer: each is a boxed future and a poll, SPEC §15).
/// Refusals arrive as responses with the error attached (the gate answers that way too).
pub fn finish(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let mut res = finalize(res);
    let (id, version) = match res.request().extensions().get::<ApiCall>() {
        Some(call) => (
            Some(call.request_id_header()),
            call.version.unwrap_or_else(|| asked_version(res.request())),
        ),
        None => (None, asked_version(res.request())),
    };
    // Set here only, so appended (an insert also takes out and drops what was there).
    let headers = res.headers_mut();
    if let Some(id) = id {
        headers.append(REQUEST_ID_HEADER, id);
    }
    headers.append(VERSION, HeaderValue::from_static(version));
    if versions::is_deprecated(version) {
        headers.append(VERSION_DEPRECATED, HeaderValue::from_static("yes"));
    }
    res
}

pub const VERSION_HEADER: &str = "paydesk-version";
// Checked at compile time (`from_static` at run time validates the text each call).
pub const VERSION: HeaderName = HeaderName::from_static(VERSION_HEADER);
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("request-id");
const VERSION_DEPRECATED: HeaderName = HeaderName::from_static("paydesk-version-deprecated");

/// The version an answer is given in: the one the gate resolved, else the one asked for
/// (when it is one), else the current one.
pub fn answered_version(req: &HttpRequest) -> &'static str {
    req.extensions()
        .get::<ApiCall>()
        .and_then(|call| call.version)
        .unwrap_or_else(|| asked_version(req))
}

/// The version asked for in `Paydesk-Version`, when it is one; else the current one.
fn asked_version(req: &HttpRequest) -> &'static str {
    req.headers()
        .get(VERSION)
        .and_then(|v| v.to_str().ok())
        .and_then(|asked| versions::SUPPORTED.iter().copied().find(|v| *v == asked))
        .unwrap_or(versions::CURRENT)
}

/// Renders a refusal carried by the response (ours or actix's) as the final envelope,
/// with the request id. A response that is already final passes unchanged, so calling
/// this twice is harmless: the gate does it before storing an idempotent response.
pub fn finalize(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let api_error = match res.response().error() {
        Some(err) => Some(
            err.as_error::<ApiError>()
                .cloned()
                .unwrap_or_else(|| from_status(res.status())),
        ),
        None if res.status() == StatusCode::METHOD_NOT_ALLOWED
            && !res.headers().contains_key(header::CONTENT_TYPE) =>
        {
            Some(from_status(StatusCode::METHOD_NOT_ALLOWED))
        }
        None => None,
    };
    let Some(e) = api_error else { return res };
    // For the request log, which reads the code after the body is written.
    let mut id = InlineId::new("");
    ApiCall::note(res.request(), |call| {
        call.error_code = Some(e.code);
        id = call.request_id;
    });
    let (req, old) = res.into_parts();
    let mut builder = HttpResponse::build(e.status);
    builder.insert_header((header::CACHE_CONTROL, NO_STORE));
    // Headers set before the refusal (rate limits, the methods a route allows) stay.
    for (name, value) in old.headers() {
        if name.as_str().starts_with("ratelimit-")
            || name == header::RETRY_AFTER
            || name == header::ALLOW
        {
            builder.insert_header((name.clone(), value.clone()));
        }
    }
    if let Some(secs) = e.retry_after {
        builder.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    if e.status == StatusCode::REQUEST_TIMEOUT {
        // A client too slow to send its body does not get to keep the connection.
        builder.force_close();
    }
    ServiceResponse::new(req, builder.json(e.body(id.as_str())))
}

fn from_status(status: StatusCode) -> ApiError {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::standard(ErrorCode::MethodNotAllowed),
        StatusCode::NOT_FOUND => ApiError::not_found(),
        StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
        s if s.is_client_error() => {
            ApiError::new(s, "invalid_request", "The request was not understood.")
        }
        _ => ApiError::from(Error::internal(format!("unexpected status {status}"))),
    }
}

pub fn payload_too_large() -> ApiError {
    ApiError::standard(ErrorCode::PayloadTooLarge)
}

/// JSON bodies: 64 KiB at most; anything unreadable is `invalid_json`, JSON of the wrong
/// shape `invalid_request`.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(BODY_LIMIT)
        // Read as JSON whatever Content-Type says (curl -d sends a form type), as the
        // payments routes do; what decides is whether the body parses.
        .content_type_required(false)
        .content_type(|_| true)
        .error_handler(|err, _req| {
            let api = match &err {
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => payload_too_large(),
                JsonPayloadError::Deserialize(e) => body_error(e),
                other => ApiError::of(
                    ErrorCode::InvalidJson,
                    format!("The body could not be read: {other}"),
                ),
            };
            api.into()
        })
}

/// A body that is not JSON is `invalid_json`; JSON of the wrong shape (unknown or
/// mistyped fields) is `invalid_request`.
pub fn body_error(e: &serde_json::Error) -> ApiError {
    if e.is_data() {
        ApiError::of(
            ErrorCode::InvalidRequest,
            format!("The body does not match this endpoint: {e}"),
        )
    } else {
        ApiError::of(
            ErrorCode::InvalidJson,
            format!("The body is not valid JSON: {e}"),
        )
    }
}

/// Any path under /api/v1 that no route matches.
pub async fn unknown_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

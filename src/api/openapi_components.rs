//! The parts of the OpenAPI document every operation shares, defined once under
//! `components` and named by `$ref`: the headers of SPEC §4–§5, the paging and request
//! control parameters, the error envelope and one error response per status.

use actix_web::http::Method;
use serde_json::{Map, Value, json};

use super::openapi_ids;
use super::routes::{Endpoint, Guard};
use crate::error::ErrorCode;
use crate::versions;

fn reference(kind: &str, name: &str) -> Value {
    json!({ "$ref": format!("#/components/{kind}/{name}") })
}

/// `components.headers`: every response header the API sends, by its own name.
pub fn headers() -> Value {
    let header =
        |description: &str, schema: Value| json!({"description": description, "schema": schema});
    let count = || json!({"type": "integer", "minimum": 0});
    json!({
        "Request-Id": header("This request's id (`req_…`), for support and the request logs.",
            json!({"type": "string", "pattern": "^req_"})),
        "Paydesk-Version": header("The API version this answer is in.",
            json!({"type": "string", "enum": versions::SUPPORTED})),
        "Paydesk-Version-Deprecated": header("`yes` when that version is deprecated.",
            json!({"type": "string", "enum": ["yes"]})),
        "RateLimit-Limit": header("Requests this key may make per minute (answers to requests with an API key).", count()),
        "RateLimit-Remaining": header("Requests left in this minute (answers to requests with an API key).", count()),
        "RateLimit-Reset": header("Seconds until the minute ends (answers to requests with an API key).", count()),
        "Retry-After": header("Seconds to wait before trying again.", count()),
        "Idempotent-Replayed": header(
            "`true` when this is the stored answer to an earlier POST or PATCH with the same `Idempotency-Key` (with an API key).",
            json!({"type": "string", "enum": ["true"]})),
    })
}

/// The headers of a successful answer. The rate limit's are sent on answers to requests
/// with an API key, `Idempotent-Replayed` on a replayed POST or PATCH (their descriptions
/// say so): one set serves every operation.
pub fn success_headers() -> Value {
    header_refs(&[
        "Request-Id",
        "Paydesk-Version",
        "Paydesk-Version-Deprecated",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "Idempotent-Replayed",
    ])
}

fn header_refs(names: &[&str]) -> Value {
    let map: Map<String, Value> = names
        .iter()
        .map(|n| ((*n).to_owned(), reference("headers", n)))
        .collect();
    Value::Object(map)
}

fn writes(e: &Endpoint) -> bool {
    e.method == Method::POST || e.method == Method::PATCH
}

/// `components.parameters`: paging, and the request headers of SPEC §5.
pub fn parameters() -> Value {
    let mut params = json!({
        "limit": {
            "name": "limit", "in": "query", "required": false,
            "description": "How many objects to return, 1 to 100 (default 10).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
        },
        "starting_after": {
            "name": "starting_after", "in": "query", "required": false,
            "description": "The id of the last object of the previous page; the list continues after it.",
            "schema": {"type": "string"},
        },
        "Paydesk-Version": {
            "name": "Paydesk-Version", "in": "header", "required": false,
            "description": "The API version to answer in; default: the key's pin, else the current version.",
            "schema": {"type": "string", "enum": versions::SUPPORTED},
        },
        "Paydesk-Signature": {
            "name": "Paydesk-Signature", "in": "header", "required": false,
            "description": "`t=<unix_ms>,v1=<hex HMAC-SHA256 of \"<t>.\" + body, keyed with the secret key>`; required for keys with `require_signature`.",
            "schema": {"type": "string", "pattern": "^t=[0-9]+(,v1=[0-9a-f]{64})+$"},
        },
        "Idempotency-Key": {
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "Retries with the same key, method, path and body get the first answer again (kept 24 hours).",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$"},
        },
    });
    if let Some(map) = params.as_object_mut() {
        openapi_ids::path_id_parameters(map);
    }
    params
}

/// An operation's parameters: its `{id}`, paging, its filters, and the key headers.
pub fn operation_parameters(e: &Endpoint) -> Vec<Value> {
    let mut params = Vec::new();
    if e.path.contains("{id}") {
        params.push(openapi_ids::path_id(openapi_ids::section(e.path)));
    }
    if (e.doc.shape.query)() {
        params.push(reference("parameters", "limit"));
        params.push(reference("parameters", "starting_after"));
    }
    // Lists page and filter; a single object may take a parameter too (a usage period).
    for f in e.doc.filters {
        let schema = if f.values.is_empty() {
            json!({"type": "string"})
        } else {
            json!({"type": "string", "enum": f.values})
        };
        params.push(json!({
            "name": f.name, "in": "query", "required": false,
            "description": f.description, "schema": schema,
        }));
    }
    if let Guard::Key(_) = e.guard {
        params.push(reference("parameters", "Paydesk-Version"));
        params.push(reference("parameters", "Paydesk-Signature"));
        if writes(e) {
            params.push(reference("parameters", "Idempotency-Key"));
        }
    }
    params
}

/// The name of the shared error response for a status: `NotFound` for 404.
pub fn response_name(status: u16) -> String {
    match status {
        400 => "BadRequest".into(),
        401 => "Unauthorized".into(),
        403 => "Forbidden".into(),
        404 => "NotFound".into(),
        405 => "MethodNotAllowed".into(),
        408 => "RequestTimeout".into(),
        409 => "Conflict".into(),
        413 => "PayloadTooLarge".into(),
        415 => "UnsupportedMediaType".into(),
        422 => "UnprocessableContent".into(),
        429 => "TooManyRequests".into(),
        500 => "InternalServerError".into(),
        503 => "ServiceUnavailable".into(),
        other => format!("Error{other}"),
    }
}

fn code_list(codes: &[ErrorCode], status: u16) -> Vec<&'static str> {
    codes
        .iter()
        .filter(|c| c.status() == status)
        .map(|c| c.as_str())
        .collect()
}

fn listed(codes: &[&str]) -> String {
    codes
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statuses `codes` answer with, in order.
pub fn statuses(codes: &[ErrorCode]) -> Vec<u16> {
    let mut statuses: Vec<u16> = codes.iter().map(|c| c.status()).collect();
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

/// The shared error responses, one per status (`components.responses`): each one's
/// `error.code` takes the codes any operation answers with at that status.
pub struct Responses {
    /// Every operation's codes, once each, in the catalogue's order.
    codes: Vec<ErrorCode>,
}

impl Responses {
    pub fn new(codes: &[ErrorCode]) -> Self {
        let codes = ErrorCode::ALL
            .iter()
            .copied()
            .filter(|c| codes.contains(c))
            .collect();
        Self { codes }
    }

    /// An operation's error answer with `status`: the shared response, with a description
    /// naming the codes this operation can answer with where they are fewer.
    pub fn reference(&self, codes: &[ErrorCode], status: u16) -> Value {
        let mut r = reference("responses", &response_name(status));
        let own = code_list(codes, status);
        if own != code_list(&self.codes, status) {
            r["description"] = listed(&own).into();
        }
        r
    }

    /// `components.responses`: these, with the successful answers of `successes`.
    pub fn components(&self, successes: Map<String, Value>) -> Value {
        let mut out = successes;
        for status in statuses(&self.codes) {
            let codes = code_list(&self.codes, status);
            let mut headers = vec![
                "Request-Id",
                "Paydesk-Version",
                "Paydesk-Version-Deprecated",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            ];
            if status == 429 {
                headers.push("Retry-After");
            }
            out.insert(
                response_name(status),
                json!({
                    "description": listed(&codes),
                    "headers": header_refs(&headers),
                    "content": {"application/json": {"schema": {
                        "allOf": [
                            {"$ref": "#/components/schemas/ErrorEnvelope"},
                            {"properties": {"error": {"properties": {"code": {"enum": codes}}}}},
                        ]
                    }}},
                }),
            );
        }
        Value::Object(out)
    }
}

/// `components.schemas.ErrorEnvelope`: every refusal's body.
pub fn error_envelope() -> Value {
    json!({
        "type": "object",
        "required": ["ok", "error", "request_id"],
        "properties": {
            "ok": {"type": "boolean", "enum": [false]},
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {
                        "type": "object",
                        "description": "`fields` (field → message) for `invalid_request`; `your_ip`, `required_scope`, `supported` where the code says; `{}` otherwise.",
                    },
                },
            },
            "request_id": {"type": "string", "pattern": "^req_"},
        },
    })
}

pub fn security_schemes() -> Value {
    json!({
        "ApiKey": {"type": "http", "scheme": "bearer", "bearerFormat": "sk_test_… or sk_live_…",
            "description": "A secret API key from the Developer Hub, as `Authorization: Bearer sk_…`."},
        "PublishableKey": {"type": "http", "scheme": "bearer", "bearerFormat": "pk_test_… or pk_live_…",
            "description": "A publishable key: only `GET /whoami` and reading plans."},
        "KeyPairPublishable": {"type": "apiKey", "in": "header", "name": "X-API-Key",
            "description": "The publishable key (`pk_…`) of a pair, sent with its secret key as `X-API-Secret`; the two must belong together."},
        "KeyPairSecret": {"type": "apiKey", "in": "header", "name": "X-API-Secret",
            "description": "The secret key (`sk_…`) of the pair whose publishable key is `X-API-Key`."},
        "UserToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "A user token from `POST /auth/login` (Admin or Developer), for the key-management API."},
        "ManagementKey": {"type": "http", "scheme": "bearer", "bearerFormat": "mk_…",
            "description": "A management key (`mk_…`, SPEC §17) made by an Admin: accepted on the API-key and webhook-endpoint routes only, each naming the scope it needs; it acts as a Developer would, and its `live` grant also lets it create and roll live keys."},
    })
}

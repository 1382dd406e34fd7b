//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, built from the route table (the
//! schemas from each handler's types, see `describe`), so it lists exactly the routes that
//! are mounted. `/docs/api` renders the same document as a page.

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use super::describe::Components;
use super::openapi_ids;
use super::routes::{self, Endpoint, Guard};
use crate::error::ErrorCode::{self, *};
use crate::state::AppState;
use crate::versions;

/// The codes an operation can answer with: those its guard, method, body, query and path
/// imply, and its own.
pub fn error_codes(e: &Endpoint) -> Vec<ErrorCode> {
    let mut codes: Vec<ErrorCode> = Vec::new();
    let writes = e.method == Method::POST || e.method == Method::PATCH;
    match e.guard {
        Guard::Key(policy) => {
            codes.extend([
                MissingAuthorization,
                InvalidApiKey,
                ApiKeyExpired,
                SignatureInvalid,
                SignatureRequired,
                ApiKeySuspended,
                IpNotAllowed,
                RateLimited,
                InvalidVersion,
            ]);
            if policy.needs.is_some() {
                codes.push(InsufficientScope);
            }
            if !policy.publishable {
                codes.push(Forbidden);
            }
            if writes {
                codes.extend([
                    InvalidIdempotencyKey,
                    IdempotencyKeyInUse,
                    IdempotencyKeyReused,
                ]);
            }
        }
        Guard::UserToken => codes.extend([InvalidToken, Forbidden]),
        Guard::Public => {}
    }
    let mut components = Components::new();
    if (e.doc.shape.body)(&mut components).is_some() {
        codes.extend([InvalidJson, InvalidRequest, PayloadTooLarge, RequestTimeout]);
    }
    if (e.doc.shape.query)() {
        codes.push(InvalidRequest);
    }
    if e.path.contains('{') {
        codes.push(NotFound);
    }
    codes.extend(e.doc.errors);
    codes.extend([InternalError, DatabaseUnavailable]);
    let mut seen = Vec::new();
    codes.retain(|c| {
        let new = !seen.contains(c);
        seen.push(*c);
        new
    });
    codes
}

/// A stable operation id: `post_api_keys_id_roll` for `POST /api-keys/{id}/roll`.
pub fn operation_id(e: &Endpoint) -> String {
    let path: String = e
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = path
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    format!("{}_{path}", e.method.as_str().to_lowercase())
}

fn header(description: &str, schema: Value) -> Value {
    json!({"description": description, "schema": schema})
}

fn response_headers(e: &Endpoint, status: u16) -> Value {
    let mut h = Map::new();
    h.insert(
        "Request-Id".into(),
        header(
            "This request's id (`req_…`), for support.",
            json!({"type": "string", "pattern": "^req_"}),
        ),
    );
    h.insert(
        "Paydesk-Version".into(),
        header(
            "The API version this answer is in.",
            json!({"type": "string", "enum": versions::SUPPORTED}),
        ),
    );
    h.insert(
        "Paydesk-Version-Deprecated".into(),
        header(
            "`yes` when that version is deprecated.",
            json!({"type": "string", "enum": ["yes"]}),
        ),
    );
    if matches!(e.guard, Guard::Key(_)) && status != 401 {
        for (name, what) in [
            ("RateLimit-Limit", "Requests this key may make per minute."),
            ("RateLimit-Remaining", "Requests left in this minute."),
            ("RateLimit-Reset", "Seconds until the minute ends."),
        ] {
            h.insert(
                name.into(),
                header(what, json!({"type": "integer", "minimum": 0})),
            );
        }
        if (200..300).contains(&status) && (e.method == Method::POST || e.method == Method::PATCH) {
            h.insert(
                "Idempotent-Replayed".into(),
                header(
                    "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                    json!({"type": "string", "enum": ["true"]}),
                ),
            );
        }
    }
    if status == 429 {
        h.insert(
            "Retry-After".into(),
            header(
                "Seconds to wait before trying again.",
                json!({"type": "integer", "minimum": 0}),
            ),
        );
    }
    Value::Object(h)
}

fn parameters(e: &Endpoint) -> Vec<Value> {
    let mut params = Vec::new();
    if e.path.contains("{id}") {
        params.push(json!({
            "name": "id", "in": "path", "required": true,
            "description": "The object's id.",
            "schema": openapi_ids::path_id(tag(e.path)),
        }));
    }
    if (e.doc.shape.query)() {
        params.push(json!({
            "name": "limit", "in": "query", "required": false,
            "description": "How many objects to return, 1 to 100 (default 10).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
        }));
        params.push(json!({
            "name": "starting_after", "in": "query", "required": false,
            "description": "The id of the last object of the previous page; the list continues after it.",
            "schema": {"type": "string"},
        }));
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
        params.push(json!({
            "name": "Paydesk-Version", "in": "header", "required": false,
            "description": "The API version to answer in; default: the key's pin, else the current version.",
            "schema": {"type": "string", "enum": versions::SUPPORTED},
        }));
        params.push(json!({
            "name": "Paydesk-Signature", "in": "header", "required": false,
            "description": "`t=<unix_ms>,v1=<hex HMAC-SHA256 of \"<t>.\" + body, keyed with the secret key>`; required for keys with `require_signature`.",
            "schema": {"type": "string", "pattern": "^t=[0-9]+(,v1=[0-9a-f]{64})+$"},
        }));
        if e.method == Method::POST || e.method == Method::PATCH {
            params.push(json!({
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "Retries with the same key, method, path and body get the first answer again (kept 24 hours).",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$"},
            }));
        }
    }
    params
}

fn error_response(codes: &[ErrorCode], status: u16) -> Value {
    let listed: Vec<&str> = codes
        .iter()
        .filter(|c| c.status() == status)
        .map(|c| c.as_str())
        .collect();
    json!({
        "description": listed.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
        "content": {"application/json": {"schema": {
            "allOf": [
                {"$ref": "#/components/schemas/ErrorEnvelope"},
                {"properties": {"error": {"properties": {"code": {"enum": listed}}}}},
            ]
        }}},
    })
}

fn operation(e: &Endpoint, components: &mut Components) -> Value {
    let data = (e.doc.shape.response)(components);
    let status = e.doc.shape.status;
    let mut responses = Map::new();
    responses.insert(
        status.to_string(),
        json!({
            "description": if status == 201 { "Created." } else { "OK." },
            "headers": response_headers(e, status),
            "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["ok", "data"],
                "properties": {"ok": {"type": "boolean", "enum": [true]}, "data": data},
            }}},
        }),
    );
    let codes = error_codes(e);
    let mut statuses: Vec<u16> = codes.iter().map(|c| c.status()).collect();
    statuses.sort_unstable();
    statuses.dedup();
    for s in statuses {
        let mut r = error_response(&codes, s);
        r["headers"] = response_headers(e, s);
        responses.insert(s.to_string(), r);
    }
    let mut op = json!({
        "operationId": operation_id(e),
        "summary": e.doc.summary,
        "tags": [tag(e.path)],
        "parameters": parameters(e),
        "responses": responses,
        "x-paydesk-permission": permission(e),
    });
    if let Some((schema, required)) = (e.doc.shape.body)(components) {
        op["requestBody"] = json!({
            "required": required,
            "content": {"application/json": {"schema": schema}},
        });
    }
    op["security"] = match e.guard {
        // `X-API-Key: pk_…` with `X-API-Secret: sk_…` is one requirement of two schemes.
        Guard::Key(p) if p.publishable => {
            json!([{"ApiKey": []}, {"KeyPairPublishable": [], "KeyPairSecret": []}, {"PublishableKey": []}])
        }
        Guard::Key(_) => json!([{"ApiKey": []}, {"KeyPairPublishable": [], "KeyPairSecret": []}]),
        Guard::UserToken => json!([{"UserToken": []}]),
        Guard::Public => json!([]),
    };
    op
}

/// What the route needs, in words: `payments:write`, `user token`, …
pub fn permission(e: &Endpoint) -> String {
    match e.guard {
        Guard::Key(p) => match p.needs {
            Some((resource, level)) => format!("{}:{}", resource.name(), level.as_str()),
            None => "any valid key".into(),
        },
        Guard::UserToken => "user token (Admin or Developer)".into(),
        Guard::Public => "none".into(),
    }
}

/// The reference's section: the first path segment (`api-keys`, `payments`, …).
pub fn tag(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// Which section's `{id}` routes take the id of the object a schema describes (or of the
/// objects of a list), and where that id is in the answer.
fn object_section(schema: &Value) -> Option<(&'static str, &'static str)> {
    let (reference, at) = match schema["$ref"].as_str() {
        Some(r) => (r, "$response.body#/data/id"),
        None => (
            schema["properties"]["data"]["items"]["$ref"].as_str()?,
            "$response.body#/data/data/0/id",
        ),
    };
    let section = match reference.rsplit('/').next()? {
        "Customer" => "customers",
        "Plan" => "plans",
        "Payment" => "payments",
        "Refund" => "refunds",
        "Subscription" => "subscriptions",
        "ClientSession" => "client-session",
        "Event" => "events",
        "KeyObject" | "NewKey" | "RolledKey" => "api-keys",
        "WebhookEndpoint" | "NewWebhookEndpoint" => "webhook-endpoints",
        "WebhookDelivery" => "webhook-deliveries",
        _ => return None,
    };
    Some((section, at))
}

/// OpenAPI links from each answer holding objects to the operations that take their id,
/// so a client (or a fuzzer's stateful phase) can follow real ids.
fn links(e: &Endpoint, table: &[Endpoint]) -> Option<Value> {
    let (section, at) = object_section(&(e.doc.shape.response)(&mut Components::new()))?;
    let mut links = Map::new();
    for target in table
        .iter()
        .filter(|t| t.path.contains("{id}") && tag(t.path) == section)
    {
        links.insert(
            operation_id(target),
            json!({"operationId": operation_id(target), "parameters": {"id": at}}),
        );
    }
    openapi_ids::body_links(section, at, &mut links);
    (!links.is_empty()).then_some(Value::Object(links))
}

/// The whole document, for a server at `origin`.
pub fn document(origin: &str) -> Value {
    let mut components = Components::new();
    let mut paths = Map::new();
    let table = routes::table();
    for e in &table {
        let mut op = operation(e, &mut components);
        if let Some(links) = links(e, &table) {
            op["responses"][e.doc.shape.status.to_string()]["links"] = links;
        }
        let item = paths.entry(e.path.to_owned()).or_insert_with(|| json!({}));
        item[e.method.as_str().to_lowercase()] = op;
    }
    paths.insert(
        "/openapi.json".into(),
        json!({"get": {
            "operationId": "get_openapi_json",
            "summary": "This document",
            "tags": ["openapi"],
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}},
        }}),
    );
    paths.insert(
        "/secret-scanning/report".into(),
        json!({"post": {
            "operationId": "post_secret_scanning_report",
            "summary": "Report leaked keys (GitHub's secret-scanning partner format); our secret keys among them are revoked at once",
            "tags": ["secret-scanning"],
            "security": [],
            "x-paydesk-permission": "none (rate limited per client IP)",
            "parameters": [],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "array", "maxItems": crate::api::secret_scanning::MAX_ITEMS,
                "items": {"type": "object", "required": ["token"], "properties": {
                    "token": {"type": "string", "minLength": 1, "maxLength": 2048},
                    "type": {"type": ["string", "null"], "maxLength": 2048},
                    "url": {"type": ["string", "null"], "maxLength": 2048},
                    "source": {"type": ["string", "null"], "maxLength": 2048},
                }},
            }}}},
            "responses": {
                "200": {"description": "One answer per token, in order.", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"type": "object", "required": ["token_hash", "token_type", "label"], "properties": {
                        "token_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "token_type": {"type": "string"},
                        "label": {"type": "string", "enum": ["true_positive", "false_positive"]},
                    }},
                }}}},
                "400": error_response(&[InvalidJson, InvalidRequest], 400),
                "413": error_response(&[PayloadTooLarge], 413),
                "429": error_response(&[RateLimited], 429),
                "500": error_response(&[InternalError], 500),
                "503": error_response(&[DatabaseUnavailable], 503),
            },
        }}),
    );
    openapi_ids::live_needs_https(&mut components);
    components.insert(
        "ErrorEnvelope".into(),
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
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Paydesk API",
            "version": versions::CURRENT,
            "description": "Payments, customers, plans, subscriptions and events with a secret key (`sk_test_…`, `sk_live_…`), and API key management with a user token from `POST /auth/login`. Every answer is an envelope: `{\"ok\":true,\"data\":…}` or `{\"ok\":false,\"error\":{\"code\",\"message\",\"details\"},\"request_id\"}`. Bodies are JSON objects; unknown fields are refused. Lists are newest first, with `limit` and `starting_after`.",
        },
        "servers": [{"url": format!("{origin}/api/v1")}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
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
            },
        },
    })
}

pub async fn serve(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
        .json(document(&AppState::origin(&req)))
}

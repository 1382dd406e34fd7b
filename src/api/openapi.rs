//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, built from the route table (the
//! schemas from each handler's types, see `describe`), so it lists exactly the routes that
//! are mounted. `/docs/api` renders the same document as a page.

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use super::describe::Components;
use super::openapi_components as parts;
use super::openapi_ids;
use super::routes::{self, Endpoint, Guard};
use super::tags::Tag;
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
    if e.management_scope().is_some() {
        // A management key is refused like an API key at the gate (SPEC §17).
        codes.extend([
            InvalidApiKey,
            ApiKeyExpired,
            ApiKeySuspended,
            IpNotAllowed,
            InsufficientScope,
        ]);
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

fn operation(e: &Endpoint, doc: &mut Shared, components: &mut Components) -> Value {
    let data = (e.doc.shape.response)(components);
    let mut responses = Map::new();
    responses.insert(e.doc.shape.status.to_string(), success(data, doc));
    let codes = error_codes(e);
    for s in parts::statuses(&codes) {
        responses.insert(s.to_string(), doc.errors.reference(&codes, s));
    }
    let mut op = json!({
        "operationId": e.id,
        "summary": e.doc.summary,
        "tags": [e.tag.name()],
        "parameters": parts::operation_parameters(e),
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
        Guard::UserToken => match e.management_scope() {
            Some(scope) => json!([{"UserToken": []}, {"ManagementKey": [scope.as_str()]}]),
            None => json!([{"UserToken": []}]),
        },
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
        Guard::UserToken => match e.management_scope() {
            Some(scope) => format!(
                "user token (Admin or Developer), or a management key with {}",
                scope.as_str()
            ),
            None => "user token (Admin or Developer)".into(),
        },
        Guard::Public => "none".into(),
    }
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

/// What the operations share, defined once under `components` as they are described.
struct Shared<'a> {
    table: &'a [Endpoint],
    errors: parts::Responses,
    /// Successful answers holding a named object or a list of them, by that name.
    successes: Map<String, Value>,
}

/// A successful answer: the envelope around `data`, its headers and links. One holding a
/// named object (or a list of them) is defined once in `components.responses` under the
/// object's name (`Customer`, `CustomerList`), and named by `$ref`.
fn success(data: Value, doc: &mut Shared) -> Value {
    let name = |r: &str| r.rsplit('/').next().unwrap_or("").to_owned();
    let (name, description) = match (
        data["$ref"].as_str(),
        data["properties"]["data"]["items"]["$ref"].as_str(),
    ) {
        (Some(r), _) => (Some(name(r)), format!("A `{}`.", name(r))),
        (None, Some(r)) => (
            Some(format!("{}List", name(r))),
            format!("A page of `{}` objects, newest first.", name(r)),
        ),
        _ => (None, "OK.".to_owned()),
    };
    let mut response = json!({
        "description": description,
        "headers": parts::success_headers(),
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["ok", "data"],
            "properties": {"ok": {"type": "boolean", "enum": [true]}, "data": data},
        }}},
    });
    if let Some(links) = links(&data, doc.table) {
        response["links"] = links;
    }
    match name {
        Some(name) => {
            doc.successes.insert(name.clone(), response);
            json!({"$ref": format!("#/components/responses/{name}")})
        }
        None => response,
    }
}

/// OpenAPI links from an answer holding one object (`data`) to the operations that take
/// its id, so a client (or a fuzzer's stateful phase) can follow real ids. A list's
/// answer has none: the objects it holds were made by answers that have them, and
/// repeating them on every list kept the document over its 150 KB (SPEC §10).
fn links(data: &Value, table: &[Endpoint]) -> Option<Value> {
    data["$ref"].as_str()?;
    let (section, at) = object_section(data)?;
    let mut links = Map::new();
    for target in table
        .iter()
        .filter(|t| t.path.contains("{id}") && openapi_ids::section(t.path) == section)
    {
        links.insert(
            target.id.to_owned(),
            json!({"operationId": target.id, "parameters": {"id": at}}),
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
    let mut codes: Vec<ErrorCode> = SECRET_SCANNING_ERRORS.to_vec();
    codes.extend(table.iter().flat_map(error_codes));
    let mut doc = Shared {
        table: &table,
        errors: parts::Responses::new(&codes),
        successes: Map::new(),
    };
    for e in &table {
        let op = operation(e, &mut doc, &mut components);
        let item = paths.entry(e.path.to_owned()).or_insert_with(|| json!({}));
        item[e.method.as_str().to_lowercase()] = op;
    }
    paths.insert("/openapi.json".into(), json!({"get": this_document()}));
    paths.insert(
        "/secret-scanning/report".into(),
        json!({"post": secret_scanning_report(&doc.errors)}),
    );
    openapi_ids::live_needs_https(&mut components);
    components.insert("ErrorEnvelope".into(), parts::error_envelope());
    components.insert(
        "Currency".into(),
        serde_json::to_value(crate::schema::currency_schema()).unwrap_or_default(),
    );
    components.insert(
        "Permissions".into(),
        serde_json::to_value(crate::keys::permissions::permissions_schema()).unwrap_or_default(),
    );
    components.insert(
        "IpAddressOrBlock".into(),
        serde_json::to_value(crate::keys::config::ip_item_schema()).unwrap_or_default(),
    );
    let tags: Vec<Value> = Tag::ALL
        .iter()
        .map(|t| json!({"name": t.name(), "description": t.description()}))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Paydesk API",
            "version": versions::CURRENT,
            "description": "Payments, customers, plans, subscriptions and events with a secret key (`sk_test_…`, `sk_live_…`), and API key management with a user token from `POST /auth/login`. Every answer is an envelope: `{\"ok\":true,\"data\":…}` or `{\"ok\":false,\"error\":{\"code\",\"message\",\"details\"},\"request_id\"}`. Bodies are JSON objects; unknown fields are refused. Lists are newest first, with `limit` and `starting_after`.",
        },
        "servers": [{"url": format!("{origin}/api/v1")}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": doc.errors.components(doc.successes),
            "parameters": parts::parameters(),
            "headers": parts::headers(),
            "securitySchemes": parts::security_schemes(),
        },
    })
}

/// `GET /openapi.json`, which is not in the route table (it describes the table).
fn this_document() -> Value {
    json!({
        "operationId": "retrieveOpenApiDocument",
        "summary": "This document",
        "tags": [Tag::OpenApi.name()],
        "security": [],
        "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}},
    })
}

const SECRET_SCANNING_ERRORS: [ErrorCode; 6] = [
    InvalidJson,
    InvalidRequest,
    PayloadTooLarge,
    RateLimited,
    InternalError,
    DatabaseUnavailable,
];

/// `POST /secret-scanning/report`: GitHub's array format in and out (SPEC §12).
fn secret_scanning_report(shared: &parts::Responses) -> Value {
    let mut responses = json!({
        "200": {"description": "One answer per token, in order.", "content": {"application/json": {"schema": {
            "type": "array", "items": {"type": "object", "required": ["token_hash", "token_type", "label"], "properties": {
                "token_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "token_type": {"type": "string"},
                "label": {"type": "string", "enum": ["true_positive", "false_positive"]},
            }},
        }}}},
    });
    for s in parts::statuses(&SECRET_SCANNING_ERRORS) {
        responses[s.to_string()] = shared.reference(&SECRET_SCANNING_ERRORS, s);
    }
    json!({
        "operationId": "reportLeakedKeys",
        "summary": "Report leaked keys (GitHub's secret-scanning partner format); our secret keys among them are revoked at once",
        "tags": [Tag::SecretScanning.name()],
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
        "responses": responses,
    })
}

pub async fn serve(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
        .json(document(&AppState::origin(&req)))
}

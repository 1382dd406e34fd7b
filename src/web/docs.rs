//! `/docs/api`: the API reference, rendered on the server from the same OpenAPI document
//! `/api/v1/openapi.json` serves, with a curl example per operation. Public, like the
//! document; signed-in people see the usual header.

use actix_session::Session;
use actix_web::HttpRequest;
use askama::Template;
use serde_json::Value;

use super::form::Response;
use super::page::{self, Layout, SignedIn};
use crate::api::openapi;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "docs/api.html")]
pub struct ApiReferencePage {
    pub layout: Layout,
    pub base_url: String,
    pub sections: Vec<Section>,
    pub codes: Vec<(&'static str, u16)>,
}

pub struct Section {
    pub name: String,
    pub operations: Vec<Operation>,
}

pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub permission: String,
    pub params: Vec<Field>,
    pub body: Vec<Field>,
    pub status: String,
    pub response: Vec<Field>,
    pub errors: Vec<(String, String)>,
    pub curl: String,
}

pub struct Field {
    pub name: String,
    pub kind: String,
    pub required: bool,
    /// HTML (see `prose`).
    pub description: String,
}

pub async fn show_reference(req: HttpRequest, session: Session, who: Option<SignedIn>) -> Response {
    let origin = AppState::origin(&req);
    let doc = openapi::document(&origin);
    let layout = match &who {
        Some(SignedIn(p)) => Layout::signed_in(p, &session, "docs"),
        None => Layout::anonymous(&session),
    };
    Ok(page::ok(&reference(layout, &doc)))
}

pub fn reference(layout: Layout, doc: &Value) -> ApiReferencePage {
    let base_url = doc["servers"][0]["url"].as_str().unwrap_or("").to_owned();
    let schemas = &doc["components"]["schemas"];
    let mut sections: Vec<Section> = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tag = op["tags"][0].as_str().unwrap_or("other").to_owned();
            let operation = operation(&base_url, path, method, op, schemas);
            match sections.iter_mut().find(|s| s.name == tag) {
                Some(s) => s.operations.push(operation),
                None => sections.push(Section {
                    name: tag,
                    operations: vec![operation],
                }),
            }
        }
    }
    // The reference reads like the route table: sign-in and keys first.
    let order = |name: &str| {
        [
            "auth",
            "api-keys",
            "webhook-endpoints",
            "webhook-deliveries",
            "whoami",
            "customers",
            "payments",
            "refunds",
            "balance",
            "plans",
            "subscriptions",
            "client-session",
            "events",
        ]
        .iter()
        .position(|n| *n == name)
        .unwrap_or(99)
    };
    sections.sort_by_key(|s| order(&s.name));
    ApiReferencePage {
        layout,
        base_url,
        sections,
        codes: crate::error::CODES.to_vec(),
    }
}

fn operation(base: &str, path: &str, method: &str, op: &Value, schemas: &Value) -> Operation {
    let params = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Field {
            name: format!(
                "{} ({})",
                p["name"].as_str().unwrap_or(""),
                p["in"].as_str().unwrap_or("")
            ),
            kind: kind(&p["schema"]),
            required: p["required"].as_bool().unwrap_or(false),
            description: prose(&p["description"]),
        })
        .collect();
    let body_schema = resolve(
        &op["requestBody"]["content"]["application/json"]["schema"],
        schemas,
    );
    let body = fields(body_schema, schemas);
    let (status, success) = op["responses"]
        .as_object()
        .and_then(|r| r.iter().find(|(s, _)| s.starts_with('2')))
        .map(|(s, r)| (s.clone(), r.clone()))
        .unwrap_or_default();
    let data = resolve(
        &success["content"]["application/json"]["schema"]["properties"]["data"],
        schemas,
    );
    let response = fields(data, schemas);
    let errors = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(s, _)| !s.starts_with('2'))
        .map(|(s, r)| (s.clone(), prose(&r["description"])))
        .collect();
    Operation {
        id: op["operationId"].as_str().unwrap_or("").to_owned(),
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: text(&op["summary"]),
        permission: text(&op["x-paydesk-permission"]),
        params,
        body,
        status,
        response,
        errors,
        curl: curl(base, path, method, op, body_schema, schemas),
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_owned()
}

/// The document's prose as HTML: escaped, with `code` spans shown as code. The templates
/// mark only these fields `safe`.
fn prose(v: &Value) -> String {
    let escaped = askama::filters::escape(text(v), askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default();
    let mut out = String::new();
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A `$ref` followed to its schema (one level; `allOf` parts merged for display).
fn resolve<'a>(schema: &'a Value, schemas: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &schemas[r.rsplit('/').next().unwrap_or("")],
        None => schema,
    }
}

fn fields(schema: &Value, schemas: &Value) -> Vec<Field> {
    let mut out = Vec::new();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        out.extend(fields(resolve(part, schemas), schemas));
    }
    let required = schema["required"].as_array().cloned().unwrap_or_default();
    for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
        out.push(Field {
            name: name.clone(),
            kind: kind(prop),
            required: required.iter().any(|r| r == name),
            description: prose(&prop["description"]),
        });
    }
    out
}

/// A schema in a few words: `string`, `integer 1–100`, `one of test, live`, `Customer`.
fn kind(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or("").to_owned();
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema[key].as_array() {
            return options.iter().map(kind).collect::<Vec<_>>().join(" or ");
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        let shown: Vec<String> = values
            .iter()
            .take(6)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let more = if values.len() > 6 { ", …" } else { "" };
        return format!("one of {}{more}", shown.join(", "));
    }
    let mut words = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "object".into(),
    };
    if words.starts_with("array") {
        words = format!("list of {}", kind(&schema["items"]));
    }
    if let (Some(min), Some(max)) = (schema["minimum"].as_i64(), schema["maximum"].as_i64()) {
        words.push_str(&format!(" {min}–{max}"));
    }
    if let Some(max) = schema["maxLength"].as_u64() {
        words.push_str(&format!(", ≤ {max} characters"));
    }
    if let Some(format) = schema["format"].as_str() {
        words.push_str(&format!(" ({format})"));
    }
    words
}

/// A value to show for a field in an example.
fn example(name: &str, schema: &Value, schemas: &Value) -> Value {
    let schema = resolve(schema, schemas);
    if let Some(first) = schema["enum"].as_array().and_then(|v| v.first()) {
        return match name {
            "currency" => "usd".into(),
            _ => first.clone(),
        };
    }
    if let Some(option) = schema["oneOf"].as_array().and_then(|o| o.first()) {
        return example(name, option, schemas);
    }
    let prefix = schema["pattern"]
        .as_str()
        .and_then(|p| p.strip_prefix('^'))
        .and_then(|p| p.split('[').next())
        .filter(|p| p.ends_with('_'));
    match (name, schema["type"].as_str()) {
        (_, _) if prefix.is_some() => format!("{}123", prefix.unwrap_or("")).into(),
        ("email", _) => "jenny@example.com".into(),
        ("password", _) => "your password".into(),
        ("name", _) => "Jenny Rosen".into(),
        ("amount", _) => 2000.into(),
        (_, Some("integer")) => schema["minimum"].as_i64().unwrap_or(1).into(),
        (_, Some("boolean")) => true.into(),
        _ => "…".into(),
    }
}

fn curl(base: &str, path: &str, method: &str, op: &Value, body: &Value, schemas: &Value) -> String {
    let path = path.replace("{id}", "ID");
    let mut lines = vec![match method {
        "get" => format!("curl {base}{path}"),
        "post" => format!("curl {base}{path}"),
        m => format!("curl -X {} {base}{path}", m.to_uppercase()),
    }];
    let security = op["security"].to_string();
    if security.contains("ApiKey") {
        lines.push("  -H \"Authorization: Bearer $PAYDESK_SECRET_KEY\"".into());
    } else if security.contains("UserToken") {
        lines.push("  -H \"Authorization: Bearer $PAYDESK_USER_TOKEN\"".into());
    }
    let required: Vec<String> = body["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    if let Some(props) = body["properties"].as_object() {
        let mut sample = serde_json::Map::new();
        for (name, schema) in props {
            if required.contains(name) {
                sample.insert(name.clone(), example(name, schema, schemas));
            }
        }
        if sample.is_empty()
            && let Some((name, schema)) = props.iter().next()
        {
            sample.insert(name.clone(), example(name, schema, schemas));
        }
        if path.ends_with("/auth/login") {
            lines.push("  -H \"Content-Type: application/json\"".into());
        }
        lines.push(format!("  -d '{}'", Value::Object(sample)));
    } else if method == "post" {
        lines.push("  -d '{}'".into());
    }
    lines.join(" \\\n")
}

//! `/docs/api`: the API reference, rendered on the server from the same OpenAPI document
//! `/api/v1/openapi.json` serves, with a curl example per operation. Public, like the
//! document; signed-in people see the usual header.

use actix_session::Session;
use actix_web::HttpRequest;
use askama::Template;
use serde_json::Value;

use super::client_examples::{self, Example};
use super::docs_schema::{escape, kind, parts, resolve};
use super::form::Response;
use super::page::{self, Layout, SignedIn};
use crate::api::{openapi, routes};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "docs/api.html")]
pub struct ApiReferencePage {
    pub layout: Layout,
    pub base_url: String,
    pub sections: Vec<Section>,
    pub codes: Vec<(&'static str, u16)>,
    /// How each client library is made (SPEC §16), above the operations.
    pub libraries: Vec<Example>,
}

/// One tag of the document: a heading, its description and its operations.
pub struct Section {
    pub name: String,
    /// The heading's id, linked from the table of contents.
    pub anchor: String,
    /// HTML (see `prose`).
    pub description: String,
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
    /// The call in each client library; empty when none has it (then `not_in_libraries`
    /// says why).
    pub examples: Vec<Example>,
    pub not_in_libraries: &'static str,
}

pub struct Field {
    pub name: String,
    /// HTML: the type in a few words, enum values as code.
    pub kind: String,
    /// HTML, under the type: a named object schema's own fields (see `parts`), or empty.
    pub parts: String,
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
    // The document's tags, in its order, each a section.
    let mut sections: Vec<Section> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| Section {
            name: text(&t["name"]),
            anchor: format!("tag-{}", slug(&text(&t["name"]))),
            description: prose(&t["description"]),
            operations: Vec::new(),
        })
        .collect();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tag = op["tags"][0].as_str().unwrap_or("Other").to_owned();
            let operation = operation(&base_url, path, method, op, doc);
            match sections.iter_mut().find(|s| s.name == tag) {
                Some(s) => s.operations.push(operation),
                None => sections.push(Section {
                    anchor: format!("tag-{}", slug(&tag)),
                    name: tag,
                    description: String::new(),
                    operations: vec![operation],
                }),
            }
        }
    }
    sections.retain(|s| !s.operations.is_empty());
    // Within a tag, the route table's order (list, create, retrieve, update, …), not
    // the document's (by path).
    let table: Vec<&str> = routes::table().iter().map(|e| e.id).collect();
    for s in &mut sections {
        s.operations.sort_by_key(|op| {
            table
                .iter()
                .position(|id| *id == op.id)
                .unwrap_or(usize::MAX)
        });
    }
    ApiReferencePage {
        layout,
        sections,
        codes: crate::error::CODES.to_vec(),
        libraries: client_examples::setup(base_url.trim_end_matches("/api/v1")),
        base_url,
    }
}

/// `API keys` → `api-keys`.
fn slug(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// `value`, or the component its `$ref` names (`#/components/responses/NotFound`).
fn deref<'a>(value: &'a Value, doc: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => r
            .trim_start_matches("#/")
            .split('/')
            .fold(doc, |v, part| &v[part]),
        None => value,
    }
}

fn operation(base: &str, path: &str, method: &str, op: &Value, doc: &Value) -> Operation {
    let schemas = &doc["components"]["schemas"];
    let params = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| deref(p, doc))
        .map(|p| Field {
            name: format!(
                "{} ({})",
                p["name"].as_str().unwrap_or(""),
                p["in"].as_str().unwrap_or("")
            ),
            kind: kind(&p["schema"]),
            parts: parts(&p["schema"], schemas),
            required: p["required"].as_bool().unwrap_or(false),
            description: prose(&p["description"]),
        })
        .collect();
    let body_schema = resolve(
        &op["requestBody"]["content"]["application/json"]["schema"],
        schemas,
    );
    let body = fields(body_schema, schemas);
    let responses = op["responses"].as_object();
    let (status, success) = responses
        .and_then(|r| r.iter().find(|(s, _)| s.starts_with('2')))
        .map(|(s, r)| (s.clone(), deref(r, doc)))
        .unwrap_or((String::new(), &Value::Null));
    let data = resolve(
        &success["content"]["application/json"]["schema"]["properties"]["data"],
        schemas,
    );
    let response = fields(data, schemas);
    let id = op["operationId"].as_str().unwrap_or("").to_owned();
    let sample = sample_body(body_schema, schemas);
    let examples = client_examples::examples(
        &id,
        method,
        &path_arguments(path, op, doc),
        sample.as_ref().unwrap_or(&serde_json::Map::new()),
        op["security"].to_string().contains("UserToken"),
    );
    let not_in_libraries = client_examples::NOT_IN_LIBRARIES
        .iter()
        .find(|(i, _)| *i == id)
        .map_or("", |(_, why)| *why);
    // What the operation says of a status (its own codes), else the shared response.
    let errors = responses
        .into_iter()
        .flatten()
        .filter(|(s, _)| !s.starts_with('2'))
        .map(|(s, r)| {
            let said = match r["description"].as_str() {
                Some(_) => &r["description"],
                None => &deref(r, doc)["description"],
            };
            (s.clone(), prose(said))
        })
        .collect();
    Operation {
        id,
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: text(&op["summary"]),
        permission: text(&op["x-paydesk-permission"]),
        params,
        body,
        status,
        response,
        errors,
        curl: curl(base, path, method, op, sample),
        examples,
        not_in_libraries,
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_owned()
}

/// The document's prose as HTML: escaped, with `code` spans shown as code. The templates
/// mark only these fields and `kind`'s `safe`.
fn prose(v: &Value) -> String {
    let escaped = escape(&text(v));
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
            parts: parts(prop, schemas),
            required: required.iter().any(|r| r == name),
            // A named schema (`Currency`) says what it is itself.
            description: match &prop["description"] {
                Value::Null => prose(&resolve(prop, schemas)["description"]),
                said => prose(said),
            },
        });
    }
    out
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
    // `["boolean", "null"]` reads as its first type.
    let kind = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        t => t.as_str(),
    };
    match (name, kind) {
        (_, _) if prefix.is_some() => format!("{}123", prefix.unwrap_or("")).into(),
        (_, Some("array")) => Value::Array(vec![example(name, &schema["items"], schemas)]),
        ("email", _) => "jenny@example.com".into(),
        ("url", _) => "https://example.com/paydesk/webhooks".into(),
        ("allowed_ips", _) => "203.0.113.0/24".into(),
        ("password", _) => "your password".into(),
        ("name", _) => "Jenny Rosen".into(),
        ("amount", _) => 2000.into(),
        (_, Some("integer")) => schema["minimum"].as_i64().unwrap_or(1).into(),
        (_, Some("boolean")) => true.into(),
        _ => "…".into(),
    }
}

/// The sample body of an operation's examples: its required fields (or its first, when
/// none is required); `None` when it takes no body.
fn sample_body(body: &Value, schemas: &Value) -> Option<serde_json::Map<String, Value>> {
    let props = body["properties"].as_object()?;
    let required: Vec<&str> = body["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut sample = serde_json::Map::new();
    for (name, schema) in props {
        if required.contains(&name.as_str()) {
            sample.insert(name.clone(), example(name, schema, schemas));
        }
    }
    if sample.is_empty()
        && let Some((name, schema)) = props.iter().next()
    {
        sample.insert(name.clone(), example(name, schema, schemas));
    }
    Some(sample)
}

/// Sample values of the path's parameters, in the path's order (`cus_123`).
fn path_arguments(path: &str, op: &Value, doc: &Value) -> Vec<Value> {
    let schemas = &doc["components"]["schemas"];
    let params: Vec<&Value> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| deref(p, doc))
        .filter(|p| p["in"] == "path")
        .collect();
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| match params.iter().find(|p| p["name"] == name) {
            Some(p) => example(name, &p["schema"], schemas),
            None => Value::from("…"),
        })
        .collect()
}

fn curl(
    base: &str,
    path: &str,
    method: &str,
    op: &Value,
    sample: Option<serde_json::Map<String, Value>>,
) -> String {
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
    if let Some(sample) = sample {
        if path.ends_with("/auth/login") {
            lines.push("  -H \"Content-Type: application/json\"".into());
        }
        lines.push(format!("  -d '{}'", Value::Object(sample)));
    } else if method == "post" {
        lines.push("  -d '{}'".into());
    }
    lines.join(" \\\n")
}

//! The API reference's words for a schema (SPEC §11, §14): a type in a few words, and a
//! named object's own fields in a line under it.

use serde_json::Value;

/// A `$ref` followed to its schema (one level; `allOf` parts merged for display).
pub(super) fn resolve<'a>(schema: &'a Value, schemas: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &schemas[r.rsplit('/').next().unwrap_or("")],
        None => schema,
    }
}

/// What a named object schema (`SpendLimit`, the object form of `Permissions`) holds,
/// as one short line of HTML under the field's type: its fields, those of one type
/// together (`customers, payments: one of none, read, write`). Empty for anything else:
/// a plain type, or a named string (`Currency`).
pub(super) fn parts(schema: &Value, schemas: &Value) -> String {
    if schema["$ref"].is_string() {
        let named = resolve(schema, schemas);
        let object = std::iter::once(named)
            .chain(
                ["oneOf", "anyOf"]
                    .iter()
                    .flat_map(|k| named[*k].as_array().into_iter().flatten()),
            )
            .find(|s| s["properties"].is_object());
        return object.map_or_else(String::new, |o| object_line(o, schemas));
    }
    if schema["items"].is_object() {
        return parts(&schema["items"], schemas);
    }
    ["oneOf", "anyOf"]
        .iter()
        .flat_map(|k| schema[*k].as_array().into_iter().flatten())
        .map(|option| parts(option, schemas))
        .find(|line| !line.is_empty())
        .unwrap_or_default()
}

fn object_line(object: &Value, schemas: &Value) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (name, prop) in object["properties"].as_object().into_iter().flatten() {
        let name = format!("<code>{}</code>", escape(name));
        // A named list of values (`SpendPeriod`) is clearer as its values.
        let named = resolve(prop, schemas);
        let k = kind(if named["enum"].is_array() {
            named
        } else {
            prop
        });
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, names)) => names.push(name),
            None => groups.push((k, vec![name])),
        }
    }
    let line: Vec<String> = groups
        .into_iter()
        .map(|(k, names)| format!("{}: {k}", names.join(", ")))
        .collect();
    format!("<p class=\"hint parts\">Fields: {}.</p>", line.join("; "))
}

/// A schema in a few words, as HTML: `string`, `integer 1–100`, `one of test, live`,
/// `Customer`.
pub(super) fn kind(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        return escape(r.rsplit('/').next().unwrap_or(""));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema[key].as_array() {
            return options.iter().map(kind).collect::<Vec<_>>().join(" or ");
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        // Each value whole, in code (`2026-05-27` never breaks at its hyphens).
        let shown: Vec<String> = values
            .iter()
            .take(6)
            .map(|v| match v {
                Value::String(s) => format!("<code>{}</code>", escape(s)),
                other => format!("<code>{}</code>", escape(&other.to_string())),
            })
            .collect();
        let more = if values.len() > 6 { ", …" } else { "" };
        return format!("one of {}{more}", shown.join(", "));
    }
    let mut words = match &schema["type"] {
        Value::String(t) => escape(t),
        Value::Array(ts) => escape(
            &ts.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" or "),
        ),
        _ => "object".into(),
    };
    if words.starts_with("array") {
        words = format!("list of {}", kind(&schema["items"]));
    }
    if let (Some(min), Some(max)) = (schema["minimum"].as_i64(), schema["maximum"].as_i64()) {
        words.push_str(&format!(" <span class=\"range\">{min}–{max}</span>"));
    }
    if let Some(max) = schema["maxLength"].as_u64() {
        words.push_str(&format!(", ≤ {max} characters"));
    }
    if let Some(format) = schema["format"].as_str() {
        words.push_str(&format!(" ({})", escape(format)));
    }
    words
}

pub(super) fn escape(s: &str) -> String {
    askama::filters::escape(s, askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default()
}

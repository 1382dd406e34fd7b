//! How the route table learns each operation's schemas from its handler's signature: the
//! response from the handler's return type (`ApiResult<T>`), the request body from its
//! body extractor (`JsonObject<T>` or `NoFields`). A handler whose types are not described
//! does not compile into the table, so the document cannot drift from the code.

use std::collections::BTreeMap;

use actix_web::{FromRequest, Handler, HttpRequest, web};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::body::{FromBody, JsonContentType, JsonObject, NoFields};
use super::context::{ApiResult, Created};
use super::extract::ApiUser;
use super::gate::KeyAuth;
use super::list::List;

/// The named schemas of the document, filled as operations are described.
pub type Components = BTreeMap<String, Value>;

/// A type the document can describe: registers its named schemas and returns the schema
/// to use where it appears (usually a `$ref`).
pub trait Describe {
    fn describe(components: &mut Components) -> Value;
    /// The status of a successful answer carrying it.
    const STATUS: u16 = 200;
}

impl<T: Describe> Describe for Created<T> {
    fn describe(components: &mut Components) -> Value {
        T::describe(components)
    }
    const STATUS: u16 = 201;
}

/// Registers a `ToSchema` type (and the types it names) under its name; returns a `$ref`.
pub fn named<T: ToSchema>(components: &mut Components) -> Value {
    let mut nested = Vec::new();
    T::schemas(&mut nested);
    for (name, schema) in nested {
        components.insert(name, serde_json::to_value(schema).unwrap_or_default());
    }
    let name = T::name().into_owned();
    components.insert(
        name.clone(),
        serde_json::to_value(T::schema()).unwrap_or_default(),
    );
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// `Describe` for `ToSchema` types: each handler file names the types it reads and
/// answers with. (A blanket impl would collide with `List<T>`'s.)
macro_rules! described {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::api::describe::Describe for $t {
            fn describe(
                components: &mut $crate::api::describe::Components,
            ) -> serde_json::Value {
                $crate::api::describe::named::<$t>(components)
            }
        })*
    };
}
pub(crate) use described;

impl<T: Describe> Describe for List<T> {
    fn describe(components: &mut Components) -> Value {
        json!({
            "type": "object",
            "required": ["object", "data", "has_more"],
            "properties": {
                "object": {"type": "string", "enum": ["list"]},
                "data": {"type": "array", "items": T::describe(components)},
                "has_more": {"type": "boolean"},
            },
        })
    }
}

/// What a body type reads, described: itself, or the params type it is read from.
pub trait BodySchema: FromBody {
    type Schema: Describe;
}

impl<T: FromBody + Describe> BodySchema for T {
    type Schema = T;
}

/// One argument of a handler: what it adds to the operation's description.
pub trait Part {
    /// The request body's schema and whether a body is required.
    fn body(_: &mut Components) -> Option<(Value, bool)> {
        None
    }
    /// Whether the handler reads the query (lists and searches).
    const QUERY: bool = false;
}

impl Part for HttpRequest {}
impl Part for KeyAuth {}
impl Part for ApiUser {}
impl Part for JsonContentType {}
impl Part for web::Path<String> {}
impl Part for super::context::Query {
    const QUERY: bool = true;
}

impl<T: BodySchema> Part for JsonObject<T> {
    fn body(components: &mut Components) -> Option<(Value, bool)> {
        let schema = <T::Schema as Describe>::describe(components);
        if let Some(name) = schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            && let Some(params) = components.get_mut(name)
        {
            optional_takes_null(params);
            // A body with required fields is itself required.
            let required = params["required"].as_array().is_some_and(|r| !r.is_empty());
            return Some((schema, required));
        }
        Some((schema, false))
    }
}

/// `Body` reads `null` as an absent field, so an optional field of a request takes `null`
/// as well as its own values (`"api_version": null` clears a pin, for one).
fn optional_takes_null(params: &mut Value) {
    let required: Vec<String> = params["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let Some(props) = params["properties"].as_object_mut() else {
        return;
    };
    for (name, schema) in props.iter_mut() {
        if required.contains(name) {
            continue;
        }
        let takes_null = match &schema["type"] {
            Value::String(t) => t == "null",
            Value::Array(types) => types.iter().any(|t| t == "null"),
            _ => false,
        };
        if takes_null {
            continue;
        }
        *schema = match schema["type"].take() {
            Value::String(t) => {
                schema["type"] = json!([t, "null"]);
                if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
                    values.push(Value::Null);
                }
                schema.clone()
            }
            _ => {
                if let Some(map) = schema.as_object_mut() {
                    map.remove("type");
                }
                json!({"anyOf": [schema.clone(), {"type": "null"}]})
            }
        };
    }
}

impl Part for NoFields {
    fn body(_: &mut Components) -> Option<(Value, bool)> {
        Some((
            json!({"type": "object", "additionalProperties": false, "maxProperties": 0}),
            false,
        ))
    }
}

/// A handler's whole argument list.
pub trait Parts {
    fn body(components: &mut Components) -> Option<(Value, bool)>;
    fn query() -> bool;
}

macro_rules! parts {
    ($($p:ident),*) => {
        impl<$($p: Part + FromRequest),*> Parts for ($($p,)*) {
            fn body(_components: &mut Components) -> Option<(Value, bool)> {
                None $(.or_else(|| $p::body(_components)))*
            }
            fn query() -> bool {
                false $(|| $p::QUERY)*
            }
        }
    };
}
parts!();
parts!(A);
parts!(A, B);
parts!(A, B, C);
parts!(A, B, C, D);
parts!(A, B, C, D, E);

/// The description a route table entry takes from its handler.
#[derive(Clone, Copy)]
pub struct Shape {
    pub status: u16,
    pub response: fn(&mut Components) -> Value,
    pub body: fn(&mut Components) -> Option<(Value, bool)>,
    pub query: fn() -> bool,
}

/// Reads the shape off a handler's type: it must return `ApiResult<T>` with `T` described
/// and take only described arguments, or this does not compile.
pub fn shape_of<H, Args, T>(_: &H) -> Shape
where
    H: Handler<Args, Output = ApiResult<T>>,
    Args: FromRequest + Parts,
    T: Describe,
{
    Shape {
        status: T::STATUS,
        response: T::describe,
        body: Args::body,
        query: Args::query,
    }
}

//! Field schemas shared by the API's request and response types, for the OpenAPI document
//! (`#[schema(schema_with = …)]`). No HTTP and no database here: the payments and keys
//! domains describe their objects with these, the API assembles the document.

use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::Type(Type::String))
}

/// An RFC 3339 timestamp.
pub fn timestamp() -> Object {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .build()
}

/// An RFC 3339 timestamp or null.
pub fn timestamp_or_null() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .build()
}

/// A lower-case ISO 4217 code from the list Paydesk ships: a `$ref` to the one
/// `Currency` schema (`currency_schema`), which the document holds once.
pub fn currency() -> utoipa::openapi::Ref {
    utoipa::openapi::Ref::from_schema_name("Currency")
}

/// The `Currency` schema `currency` refers to.
pub fn currency_schema() -> Object {
    string()
        .enum_values(Some(crate::currencies::CODES.iter().copied()))
        .description(Some("A lower-case ISO 4217 currency code, such as `usd`."))
        .build()
}

/// Up to 20 string pairs; keys 1 to 40 characters, values up to 500.
pub fn metadata() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .max_properties(Some(20))
        .property_names(Some(string().min_length(Some(1)).max_length(Some(40))))
        .additional_properties(Some(string().max_length(Some(500))))
        .description(Some(
            "Up to 20 string pairs: keys of 1 to 40 characters, values of up to 500.",
        ))
        .build()
}

/// Any JSON object (an event's `data.object`).
pub fn any_object() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .build()
}

/// An id with the given prefix, as a request field takes it (at most 64 characters).
pub fn id_of(prefix: &str) -> Object {
    string()
        .pattern(Some(format!(r"^{prefix}[^\x00-\x1f\x7f-\x9f]*$")))
        .max_length(Some(64))
        .build()
}

pub fn customer_id() -> Object {
    id_of("cus_")
}

pub fn plan_id() -> Object {
    id_of("plan_")
}

pub fn subscription_id() -> Object {
    id_of("sub_")
}

/// A whole number of minor units (cents), 1 to 10^12.
pub fn amount() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Integer))
        .minimum(Some(1))
        .maximum(Some(1_000_000_000_000_i64))
        .build()
}

/// A short required text (200 characters), a name.
pub fn name() -> Object {
    text(200, true)
}

/// An optional text of up to 200 characters.
pub fn optional_name() -> Object {
    text(200, false)
}

pub fn as_schema(o: Object) -> RefOr<Schema> {
    RefOr::T(Schema::Object(o))
}

/// Text without control characters (what `Body::string` takes), of at most `max`
/// characters; `required` text must hold more than white space.
pub fn text(max: usize, required: bool) -> Object {
    let pattern = if required {
        r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    } else {
        r"^[^\x00-\x1f\x7f-\x9f]*$"
    };
    string()
        .max_length(Some(max))
        .min_length(Some(usize::from(required)))
        .pattern(Some(pattern))
        .build()
}

//! Reading JSON bodies field by field, so every missing or wrong field is named in
//! `details.fields`, and unknown fields are refused.

use std::collections::BTreeMap;

use actix_web::FromRequest;
use actix_web::http::StatusCode;
use serde_json::{Map, Value, json};

use super::envelope::{ApiError, body_error, payload_too_large};
use super::strict::Strict;

/// A JSON number as a whole number: `5`, or `5.0` (JSON Schema counts it as an integer
/// too).
pub fn whole_number(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        let f = n.as_f64()?;
        (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
    })
}

pub struct Body {
    map: Map<String, Value>,
    errors: BTreeMap<String, String>,
    known: Vec<&'static str>,
}

impl Body {
    /// An empty body is an empty object; anything but a JSON object is refused.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        let map = if bytes.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Strict>(bytes).map(|s| s.0) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_json",
                        "The body must be a JSON object.",
                    ));
                }
                // `Strict` takes any JSON, so its one data error is a name sent twice.
                Err(e) if e.is_data() => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_json",
                        format!("The body is not valid JSON: {e}"),
                    ));
                }
                Err(e) => return Err(body_error(&e)),
            }
        };
        Ok(Self {
            map,
            errors: BTreeMap::new(),
            known: Vec::new(),
        })
    }

    fn take(&mut self, name: &'static str) -> Option<Value> {
        self.known.push(name);
        self.map.get(name).filter(|v| !v.is_null()).cloned()
    }

    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        self.errors
            .entry(name.to_owned())
            .or_insert_with(|| message.into());
    }

    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// The field as sent (null is absent), for values with a shape of their own.
    pub fn raw(&mut self, name: &'static str) -> Option<Value> {
        self.take(name)
    }

    /// Whether the field was sent as `null` (a PATCH that clears it).
    pub fn is_null(&self, name: &str) -> bool {
        self.map.get(name).is_some_and(Value::is_null)
    }

    /// A list of at most `max_items` strings.
    pub fn strings(&mut self, name: &'static str, max_items: usize) -> Option<Vec<String>> {
        match self.take(name)? {
            Value::Array(items) if items.len() > max_items => {
                self.fail(name, &format!("at most {max_items} entries"))
            }
            Value::Array(items) => {
                let strings: Option<Vec<String>> = items
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect();
                strings.or_else(|| self.fail(name, "must be a list of strings"))
            }
            _ => self.fail(name, "must be a list of strings"),
        }
    }

    /// A required string of 1..=max characters taken as sent (a password may hold any
    /// character): only its presence and length are checked here.
    pub fn secret_text(&mut self, name: &'static str, max: usize) -> Option<String> {
        match self.take(name) {
            None => self.fail(name, "required"),
            Some(Value::String(s)) if s.is_empty() => self.fail(name, "required"),
            Some(Value::String(s)) if s.chars().count() > max => {
                self.fail(name, &format!("at most {max} characters"))
            }
            Some(Value::String(s)) => Some(s),
            Some(_) => self.fail(name, "must be a string"),
        }
    }

    /// A string of 1..=max characters.
    pub fn string(&mut self, name: &'static str, required: bool, max: usize) -> Option<String> {
        match self.take(name) {
            None if required => self.fail(name, "required"),
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() && required => {
                self.fail(name, "must not be empty")
            }
            Some(Value::String(s)) if s.chars().count() > max => {
                self.fail(name, &format!("at most {max} characters"))
            }
            Some(Value::String(s)) if s.chars().any(char::is_control) => self.fail(
                name,
                "must not contain control characters such as line breaks",
            ),
            Some(Value::String(s)) => Some(s),
            Some(_) => self.fail(name, "must be a string"),
        }
    }

    pub fn int(&mut self, name: &'static str, required: bool, min: i64, max: i64) -> Option<i64> {
        match self.take(name) {
            None if required => self.fail(name, "required"),
            None => None,
            Some(Value::Number(n)) => match whole_number(&n) {
                Some(i) if (min..=max).contains(&i) => Some(i),
                _ => self.fail(name, &format!("must be a whole number from {min} to {max}")),
            },
            Some(_) => self.fail(name, &format!("must be a whole number from {min} to {max}")),
        }
    }

    pub fn bool(&mut self, name: &'static str) -> Option<bool> {
        match self.take(name) {
            None => None,
            Some(Value::Bool(b)) => Some(b),
            Some(_) => self.fail(name, "must be true or false"),
        }
    }

    /// A lower-case ISO 4217 code of a currency Paydesk accepts.
    pub fn currency(&mut self, name: &'static str, required: bool) -> Option<String> {
        let c = self.string(name, required, 3)?;
        if crate::currencies::is_supported(&c) {
            Some(c)
        } else {
            self.fail(
                name,
                "must be a lower-case ISO 4217 currency code such as \"usd\"",
            )
        }
    }

    /// An id with the given prefix (`cus_`, …).
    pub fn id(&mut self, name: &'static str, required: bool, prefix: &str) -> Option<String> {
        let id = self.string(name, required, 64)?;
        if id.starts_with(prefix) {
            Some(id)
        } else {
            self.fail(name, &format!("must be an id starting with {prefix}"))
        }
    }

    /// Up to 20 string pairs; keys up to 40 characters, values up to 500.
    pub fn metadata(&mut self, name: &'static str) -> Option<BTreeMap<String, String>> {
        let value = self.take(name)?;
        let Value::Object(map) = value else {
            return self.fail(name, "must be an object of string values");
        };
        if map.len() > 20 {
            return self.fail(name, "at most 20 keys");
        }
        let mut out = BTreeMap::new();
        for (k, v) in map {
            match v {
                Value::String(s)
                    if !k.is_empty() && k.chars().count() <= 40 && s.chars().count() <= 500 =>
                {
                    out.insert(k, s);
                }
                Value::String(_) => {
                    return self.fail(name, "keys take 1 to 40 characters and values up to 500");
                }
                _ => return self.fail(name, &format!("the value of {k:?} must be a string")),
            }
        }
        Some(out)
    }

    fn fail<T>(&mut self, name: &str, message: &str) -> Option<T> {
        self.error(name, message);
        None
    }

    /// Records an error for the field and gives `None`, for readers of shapes of their own.
    pub fn fail_none<T>(&mut self, name: &str, message: &str) -> Option<T> {
        self.fail(name, message)
    }

    /// Unknown fields and any collected errors become one 400 `invalid_request`.
    pub fn finish(mut self) -> Result<(), ApiError> {
        let unknown: Vec<String> = self
            .map
            .keys()
            .filter(|k| !self.known.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in unknown {
            self.errors.insert(k, "unknown field".into());
        }
        if self.errors.is_empty() {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Some fields are missing or invalid; see details.fields.",
        )
        .details(json!({ "fields": self.errors })))
    }
}

/// Why a body could not be read: too large (over 64 KiB), too slow (408, and the
/// connection is closed), or cut off on the way.
pub(super) fn read_error(e: actix_web::Error) -> ApiError {
    if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
        payload_too_large()
    } else if crate::deadline::is_timeout(&e) {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "The request body did not arrive within 10 seconds of its head.",
        )
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("The body could not be read: {e}"),
        )
    }
}

type BodyFuture<T> = futures_util::future::LocalBoxFuture<'static, Result<T, ApiError>>;

/// Reads the body (64 KiB at most) as a JSON object, the start of both extractors below:
/// blank is `{}`; malformed JSON, an array, a string or a number is 400 `invalid_json`.
fn read_object(
    req: &actix_web::HttpRequest,
    payload: &mut actix_web::dev::Payload,
) -> BodyFuture<Body> {
    let bytes = actix_web::web::Bytes::from_request(req, payload);
    Box::pin(async move { Body::parse(&bytes.await.map_err(read_error)?) })
}

/// A request body type: read from the body's fields with `Body`, so each missing or wrong
/// field is named in the product's words. It derives `ToSchema` beside this, and the route
/// table names it, so the OpenAPI document describes what this reads.
pub trait FromBody: Sized {
    /// Reads the fields; `None` when one was missing or wrong (`Body` has the errors).
    fn from_body(b: &mut Body) -> Option<Self>;
}

/// A typed JSON body: the one body extractor. The body must be a JSON object (any
/// `Content-Type`; blank is `{}`); a field the type does not take is 400
/// `invalid_request` naming it in `details.fields`.
pub struct JsonObject<T>(pub T);

impl<T: FromBody + 'static> FromRequest for JsonObject<T> {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let body = read_object(req, payload);
        Box::pin(async move {
            let mut b = body.await?;
            let value = T::from_body(&mut b);
            b.finish()?;
            value.map(JsonObject).ok_or_else(missing_fields)
        })
    }
}

/// `Body::finish` has already refused a body with a missing or wrong field, so this is
/// never reached; it answers 400 anyway, so it can never be a panic.
fn missing_fields() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Required fields are missing.",
    )
}

/// The body of an action endpoint (suspend, reactivate, revoke, logout, cancel, …):
/// empty or `{}`. Any field is 400 `invalid_request`; malformed JSON `invalid_json`.
pub struct NoFields;

impl FromRequest for NoFields {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let body = read_object(req, payload);
        Box::pin(async move {
            body.await?.finish()?;
            Ok(NoFields)
        })
    }
}

/// Refuses any body media type but `application/json` (parameters such as `charset`
/// allowed) with 415 `unsupported_media_type`. For sign-in only: form encodings and
/// `text/plain` are what a cross-site form can send, so they must not sign anyone in.
pub struct JsonContentType;

impl FromRequest for JsonContentType {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let essence = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        std::future::ready(match essence.as_deref() {
            Some("application/json") => Ok(JsonContentType),
            _ => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the sign-in as JSON with Content-Type: application/json.",
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever bytes arrive, the body reader answers with values or a 400, never a
        /// panic; and anything but a JSON object is refused.
        #[test]
        fn any_body_is_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(mut b) = Body::parse(&bytes) {
                let _ = b.string("name", false, 10);
                let _ = b.int("amount", false, 1, 100);
                let _ = b.currency("currency", false);
                let _ = b.metadata("metadata");
                let _ = b.strings("allowed_ips", 3);
                let _ = b.finish();
            }
        }

        #[test]
        fn any_json_value_is_read_or_refused(value in any_json()) {
            let bytes = serde_json::to_vec(&value).unwrap();
            match Body::parse(&bytes) {
                Ok(mut b) => {
                    prop_assert!(value.is_object());
                    let _ = b.id("customer", false, "cus_");
                    let _ = b.bool("flag");
                    let _ = b.finish();
                }
                Err(e) => prop_assert_eq!(e.code, "invalid_json"),
            }
        }
    }

    #[test]
    fn a_member_named_twice_is_invalid_json_at_any_depth() {
        for body in [
            r#"{"email":"a","email":"b"}"#,
            r#"{"email":"a","name":"n","email":"a"}"#,
            r#"{"metadata":{"k":"1","k":"2"}}"#,
            r#"{"items":[{"a":1},{"b":1,"b":2}]}"#,
        ] {
            let e = Body::parse(body.as_bytes()).err().expect(body);
            assert_eq!(e.code, "invalid_json", "{body}");
        }
        let mut b = Body::parse(br#"{"a":{"x":1},"b":{"x":[1,2.5,"s",null,true]}}"#).unwrap();
        assert!(b.raw("a").is_some() && b.raw("b").is_some());
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,20}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("name".to_owned()),
                        Just("amount".to_owned()),
                        Just("customer".to_owned()),
                        Just("metadata".to_owned()),
                        ".{0,8}"
                    ],
                    inner,
                    0..5,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}

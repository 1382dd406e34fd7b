//! What the OpenAPI document says about ids: the form of each section's `{id}`, and the
//! links that carry a new object's id into the body of an operation that names it.

use serde_json::{Value, json};

/// The prefix of the ids a section's `{id}` routes take (see the `ids::*_id` callers);
/// `/payments/refund/{id}` takes a payment's.
fn prefix(section: &str) -> Option<&'static str> {
    Some(match section {
        "api-keys" => "key_",
        "webhook-endpoints" => "we_",
        "webhook-deliveries" => "whd_",
        "customers" => "cus_",
        "plans" => "plan_",
        "payments" => "pay_",
        "refunds" => "re_",
        "subscriptions" => "sub_",
        "client-session" => "cs_",
        "events" => "evt_",
        _ => return None,
    })
}

/// The `{id}` parameter's schema: the section's prefix, then base62 as `ids` makes them.
/// An id of another form names nothing and is 404, as an unknown one is.
pub fn path_id(section: &str) -> Value {
    match prefix(section) {
        Some(p) => json!({
            "type": "string", "maxLength": 64,
            "pattern": format!("^{p}[0-9A-Za-z]{{1,60}}$"),
        }),
        None => json!({"type": "string", "minLength": 1, "maxLength": 255}),
    }
}

/// Body fields that take the id of a section's object: (section, operation, field).
const BODY_REFERENCES: &[(&str, &str, &str)] = &[
    ("customers", "post_payments", "customer"),
    ("customers", "post_client_session", "customer"),
    ("customers", "post_subscriptions", "customer"),
    ("plans", "post_subscriptions", "plan"),
    ("plans", "patch_subscriptions_id", "plan"),
    ("subscriptions", "patch_subscriptions", "id"),
    ("api-keys", "post_webhook_endpoints", "api_key"),
];

/// Links from an answer holding a `section` object (its id `at`) to the operations whose
/// body names one. `requestBody` holds the one field, with the rest of the body the
/// client's own (schemathesis merges it into the body it generates).
pub fn body_links(section: &str, at: &str, links: &mut serde_json::Map<String, Value>) {
    for (_, operation, field) in BODY_REFERENCES.iter().filter(|(s, ..)| *s == section) {
        links.insert(
            format!("{operation}_{field}"),
            json!({
                "operationId": operation,
                "requestBody": {*field: at},
                "description": format!("`{field}` in the body takes this object's id."),
            }),
        );
    }
}

/// `http://` is for test mode only (SPEC §9): a live key's or endpoint's URL is
/// `https://`. Said on the two create bodies that take `mode` with a URL.
pub fn live_needs_https(components: &mut std::collections::BTreeMap<String, Value>) {
    for (schema, field) in [
        ("CreateKeyParams", "webhook_url"),
        ("CreateEndpointParams", "url"),
    ] {
        if let Some(s) = components.get_mut(schema) {
            s["if"] = json!({"required": ["mode"], "properties": {"mode": {"const": "live"}}});
            s["then"] = json!({"properties": {field: {"type": ["string", "null"], "pattern": "^https://"}}});
        }
    }
}

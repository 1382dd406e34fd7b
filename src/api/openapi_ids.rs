//! What the OpenAPI document says about ids: the form of each section's `{id}`, and the
//! links that carry a new object's id into the body of an operation that names it.

use serde_json::{Value, json};

/// Each section's `{id}`: the prefix of the ids its routes take (see the `ids::*_id`
/// callers), the name of its parameter in `components.parameters`, and what it names.
/// `/payments/refund/{id}` takes a payment's.
const SECTIONS: &[(&str, &str, &str, &str)] = &[
    ("api-keys", "key_", "ApiKeyId", "The API key's id"),
    (
        "webhook-endpoints",
        "we_",
        "WebhookEndpointId",
        "The webhook endpoint's id",
    ),
    (
        "webhook-deliveries",
        "whd_",
        "WebhookDeliveryId",
        "The delivery's id",
    ),
    ("customers", "cus_", "CustomerId", "The customer's id"),
    ("plans", "plan_", "PlanId", "The plan's id"),
    ("payments", "pay_", "PaymentId", "The payment's id"),
    ("refunds", "re_", "RefundId", "The refund's id"),
    (
        "subscriptions",
        "sub_",
        "SubscriptionId",
        "The subscription's id",
    ),
    (
        "client-session",
        "cs_",
        "ClientSessionId",
        "The client session's id",
    ),
    ("events", "evt_", "EventId", "The event's id"),
    (
        "management-keys",
        "mgk_",
        "ManagementKeyId",
        "The management key's id",
    ),
];

/// The `{id}` parameter of a section's routes, as a `$ref` to `components.parameters`.
pub fn path_id(section: &str) -> Value {
    match SECTIONS.iter().find(|s| s.0 == section) {
        Some((_, _, name, _)) => json!({"$ref": format!("#/components/parameters/{name}")}),
        None => json!({
            "name": "id", "in": "path", "required": true, "description": "The object's id.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }),
    }
}

/// Each section's `{id}` parameter for `components.parameters`: the section's prefix,
/// then base62 as `ids` makes them. An id of another form names nothing and is 404, as
/// an unknown one is.
pub fn path_id_parameters(params: &mut serde_json::Map<String, Value>) {
    for (_, prefix, name, what) in SECTIONS {
        params.insert(
            (*name).to_owned(),
            json!({
                "name": "id", "in": "path", "required": true,
                "description": format!("{what} (`{prefix}…`)."),
                "schema": {
                    "type": "string", "maxLength": 64,
                    "pattern": format!("^{prefix}[0-9A-Za-z]{{1,60}}$"),
                },
            }),
        );
    }
}

/// A path's section: its first segment (`api-keys`, `payments`, …), whose ids its `{id}`
/// takes.
pub fn section(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// Body fields that take the id of a section's object: (section, operation, field).
const BODY_REFERENCES: &[(&str, &str, &str)] = &[
    ("customers", "createPayment", "customer"),
    ("customers", "createClientSession", "customer"),
    ("customers", "createSubscription", "customer"),
    ("plans", "createSubscription", "plan"),
    ("plans", "updateSubscription", "plan"),
    ("subscriptions", "updateSubscriptionByBody", "id"),
    ("api-keys", "createWebhookEndpoint", "api_key"),
];

/// Links from an answer holding a `section` object (its id `at`) to the operations whose
/// body names one. `requestBody` holds the one field, with the rest of the body the
/// client's own (schemathesis merges it into the body it generates).
pub fn body_links(section: &str, at: &str, links: &mut serde_json::Map<String, Value>) {
    for (_, operation, field) in BODY_REFERENCES.iter().filter(|(s, ..)| *s == section) {
        links.insert(
            format!("{operation}.{field}"),
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

//! The OpenAPI document as a client generator reads it (SPEC §14 "Reference"): readable
//! operationIds, one tag per resource, shared components named by `$ref`, and a size a
//! browser and a generator take in at once.

use paydesk::api::routes;
use serde_json::Value;

use crate::support::*;

/// The served document's bytes, and the document.
async fn served(app: &TestApp) -> (usize, Value) {
    let res = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    (bytes.len(), serde_json::from_slice(&bytes).unwrap())
}

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op));
        }
    }
    out
}

#[tokio::test]
async fn operation_ids_are_verb_and_resource_in_camel_case_unique_and_from_the_table() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, doc) = served(&app).await;
    let id_of = |method: &str, path: &str| {
        doc["paths"][path][method.to_lowercase()]["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"))
            .to_owned()
    };
    for (method, path, id) in [
        ("POST", "/customers", "createCustomer"),
        ("GET", "/customers", "listCustomers"),
        ("GET", "/customers/{id}", "retrieveCustomer"),
        ("PATCH", "/customers/{id}", "updateCustomer"),
        ("GET", "/payments", "listPayments"),
        ("POST", "/payments/refund/{id}", "refundPayment"),
        ("POST", "/api-keys/{id}/roll", "rollApiKey"),
        ("DELETE", "/api-keys/{id}", "revokeApiKey"),
        ("POST", "/webhook-endpoints", "createWebhookEndpoint"),
        ("DELETE", "/webhook-endpoints/{id}", "deleteWebhookEndpoint"),
        (
            "POST",
            "/webhook-deliveries/{id}/resend",
            "resendWebhookDelivery",
        ),
        ("GET", "/subscriptions/search", "searchSubscriptions"),
        (
            "POST",
            "/subscriptions/schedule-cancel/{id}",
            "cancelSubscriptionAtPeriodEnd",
        ),
        ("POST", "/auth/login", "login"),
    ] {
        assert_eq!(id_of(method, path), id, "{method} {path}");
    }

    // Each the table's own, camelCase, once.
    for e in routes::table() {
        assert_eq!(id_of(e.method.as_str(), e.path), e.id);
    }
    let mut seen = std::collections::HashSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap();
        assert!(
            id.starts_with(|c: char| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{method} {path}: {id} is not camelCase"
        );
        assert!(seen.insert(id.to_owned()), "{id} twice");
    }

    // Links name operations that exist.
    let mut named = 0;
    for (name, response) in doc["components"]["responses"].as_object().unwrap() {
        for (link, target) in response["links"].as_object().into_iter().flatten() {
            let id = target["operationId"].as_str().unwrap();
            assert!(seen.contains(id), "{name}: link {link} names {id}");
            named += 1;
        }
    }
    assert!(named > 20, "{named} links");
}

#[tokio::test]
async fn every_operation_has_one_tag_of_the_documents_tags_each_described() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, doc) = served(&app).await;
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let name = t["name"].as_str().unwrap();
            assert!(
                t["description"].as_str().is_some_and(|d| d.len() > 10),
                "{name} has no description"
            );
            name
        })
        .collect();
    for expected in [
        "API keys",
        "Webhook endpoints",
        "Webhook deliveries",
        "Customers",
        "Plans",
        "Payments",
        "Refunds",
        "Subscriptions",
        "Client sessions",
        "Events",
        "Auth",
    ] {
        assert!(tags.contains(&expected), "no tag {expected}: {tags:?}");
    }
    let ops = operations(&doc);
    for (method, path, op) in &ops {
        let own = op["tags"].as_array().unwrap();
        assert_eq!(own.len(), 1, "{method} {path}: {own:?}");
        assert!(
            tags.iter().any(|t| own[0] == *t),
            "{method} {path}: {} is not a listed tag",
            own[0]
        );
    }
    for tag in &tags {
        assert!(
            ops.iter().any(|(_, _, op)| op["tags"][0] == *tag),
            "tag {tag} has no operation"
        );
    }
    assert_eq!(
        doc["paths"]["/payments/refund/{id}"]["post"]["tags"][0],
        "Payments"
    );
    assert_eq!(doc["paths"]["/refunds"]["get"]["tags"][0], "Refunds");
    assert_eq!(
        doc["paths"]["/webhook-endpoints/{id}/deliveries"]["get"]["tags"][0],
        "Webhook deliveries"
    );
}

/// Every `$ref` in `value`, with where it is.
fn refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push((at.clone(), r)),
                    _ => refs(v, format!("{at}/{k}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn errors_headers_and_parameters_are_shared_components_and_the_document_is_small() {
    let app = spawn_app(Backend::Sqlite).await;
    let (size, doc) = served(&app).await;
    assert!(size < 150_000, "the document is {size} bytes");

    let components = &doc["components"];
    for header in [
        "Request-Id",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "Retry-After",
        "Paydesk-Version",
        "Idempotent-Replayed",
    ] {
        assert!(
            components["headers"][header]["schema"].is_object(),
            "{header}"
        );
    }
    for (name, in_) in [
        ("limit", "query"),
        ("starting_after", "query"),
        ("Idempotency-Key", "header"),
        ("Paydesk-Version", "header"),
        ("Paydesk-Signature", "header"),
    ] {
        assert_eq!(components["parameters"][name]["in"], in_, "{name}");
    }
    assert_eq!(
        components["responses"]["TooManyRequests"]["headers"]["Retry-After"]["$ref"],
        "#/components/headers/Retry-After"
    );
    assert_eq!(
        components["schemas"]["ErrorEnvelope"]["required"],
        serde_json::json!(["ok", "error", "request_id"])
    );

    // In the operations, every error answer is a shared response, and every header and
    // paging parameter a reference.
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if !status.starts_with('2') {
                let r = response["$ref"].as_str().unwrap_or_default();
                assert!(
                    r.starts_with("#/components/responses/"),
                    "{method} {path} {status}: {response}"
                );
            }
        }
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "header"
                || ["limit", "starting_after"].contains(&p["name"].as_str().unwrap_or(""))
            {
                panic!("{method} {path}: {p} is inline");
            }
        }
    }
    let list = &doc["paths"]["/customers"]["get"];
    assert!(
        list["parameters"]
            .to_string()
            .contains("#/components/parameters/limit")
    );
    let create = &doc["paths"]["/customers"]["post"];
    assert!(
        create["parameters"]
            .to_string()
            .contains("#/components/parameters/Idempotency-Key")
    );
    assert_eq!(
        create["responses"]["404"],
        Value::Null,
        "a create names no object in its path"
    );

    // Every reference resolves.
    let mut all = Vec::new();
    refs(&doc, String::new(), &mut all);
    assert!(all.len() > 300, "{} references", all.len());
    for (at, r) in all {
        let target = r
            .strip_prefix("#/")
            .unwrap_or_else(|| panic!("{at}: {r} is not local"))
            .split('/')
            .fold(&doc, |v, part| &v[part]);
        assert!(target.is_object(), "{at}: {r} names nothing");
    }
}

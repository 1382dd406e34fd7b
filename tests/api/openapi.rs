//! The OpenAPI document (SPEC §11): served at /api/v1/openapi.json, valid OpenAPI 3.1,
//! and covering exactly the routes of the table that mounts them.

use paydesk::api::routes;
use serde_json::Value;

use crate::support::*;

async fn document(app: &TestApp) -> Value {
    let res = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1_and_covers_every_route() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");

    // Valid against the OpenAPI 3.1 schema (spec.openapis.org/oas/3.1/schema/2022-10-07).
    let oas: Value =
        serde_json::from_str(include_str!("../fixtures/openapi-3.1-schema.json")).unwrap();
    let validator = jsonschema::validator_for(&oas).expect("the OAS schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1: {errors:#?}");
    let mut broken = doc.clone();
    broken["paths"]["/customers"]["get"]["responses"] = "none".into();
    assert!(
        !validator.is_valid(&broken),
        "the validator must be able to fail"
    );

    // Every schema in it is a JSON Schema (2020-12, the 3.1 dialect) that compiles.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        assert!(schema.is_object(), "{name}");
        let mut with_refs = serde_json::json!({"components": doc["components"].clone()});
        with_refs["$ref"] = format!("#/components/schemas/{name}").into();
        jsonschema::draft202012::new(&with_refs)
            .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"));
    }

    // Exactly the table's operations, plus the document itself.
    let table = routes::table();
    let paths = doc["paths"].as_object().unwrap();
    let documented: usize = paths
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        table.len() + 2, // + this document and the secret-scanning report
        "operations documented vs mounted"
    );
    let security = doc["components"]["securitySchemes"].as_object().unwrap();
    for scheme in ["ApiKey", "UserToken"] {
        assert_eq!(security[scheme]["scheme"], "bearer", "{scheme}");
    }
    for e in &table {
        let method = e.method.as_str().to_lowercase();
        let op = &paths[e.path][&method];
        assert!(op.is_object(), "{} {} is not documented", e.method, e.path);
        let responses = op["responses"].as_object().unwrap();
        let success = e.doc.shape.status.to_string();
        let answer = deref(&doc, &responses[&success]);
        assert!(
            answer["content"]["application/json"]["schema"]["properties"]["data"].is_object(),
            "{} {}: no schema for its {success}",
            e.method,
            e.path
        );
        // Each error code it can answer with is listed under its status: in the shared
        // response's codes, and in what the operation says of that status.
        for code in paydesk::api::openapi::error_codes(e) {
            let status = code.status().to_string();
            let shared = deref(&doc, &responses[&status]);
            let listed = &shared["content"]["application/json"]["schema"]["allOf"][1]["properties"]
                ["error"]["properties"]["code"]["enum"];
            assert!(
                listed
                    .as_array()
                    .is_some_and(|l| l.iter().any(|c| c == code.as_str())),
                "{} {}: {} not under {status}",
                e.method,
                e.path,
                code.as_str()
            );
            let said = codes_of(&doc, e.path, &method, &status);
            assert!(
                said.contains(&format!("`{}`", code.as_str())),
                "{} {}: {status} says {said}",
                e.method,
                e.path
            );
        }
        assert!(
            deref(&doc, &answer["headers"]["Request-Id"])["schema"].is_object(),
            "{} {}: Request-Id header",
            e.method,
            e.path
        );
        let params: Vec<&Value> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| deref(&doc, p))
            .collect();
        let has = |name: &str| params.iter().any(|p| p["name"] == name);
        match e.guard {
            routes::Guard::Key(_) => {
                assert!(op["security"].to_string().contains("ApiKey"));
                assert!(deref(&doc, &answer["headers"]["RateLimit-Remaining"]).is_object());
                assert!(has("Paydesk-Version") && has("Paydesk-Signature"));
            }
            routes::Guard::UserToken => {
                assert!(op["security"].to_string().contains("UserToken"))
            }
            routes::Guard::Public => {}
        }
        if (e.doc.shape.query)() {
            assert!(has("limit") && has("starting_after"), "{}", e.id);
        }
    }
    // Bodies: a create names its fields and refuses others.
    let create =
        &paths["/payments"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    let name = create["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
    let schema = &doc["components"]["schemas"][name];
    assert_eq!(schema["additionalProperties"], false);
    assert!(schema["required"].to_string().contains("payment_method"));
}

#[tokio::test]
async fn the_servers_url_is_the_public_url_when_set() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.public_url = Some("https://pay.example.com".into())
    })
    .await;
    let doc = document(&app).await;
    assert_eq!(doc["servers"][0]["url"], "https://pay.example.com/api/v1");
    // Without it, the request's own origin; a forged X-Forwarded-Host from an untrusted
    // client is ignored.
    let app = spawn_app(Backend::Sqlite).await;
    let doc: Value = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .header("X-Forwarded-Host", "evil.example")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["servers"][0]["url"], format!("{}/api/v1", app.address));
}

/// `value`, or what its `$ref` names in the document.
fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => r
            .trim_start_matches("#/")
            .split('/')
            .fold(doc, |v, part| &v[part]),
        None => value,
    }
}

/// What an operation says of one of its error statuses: the codes it answers with there
/// (its own description, else the shared response's).
fn codes_of(doc: &Value, path: &str, method: &str, status: &str) -> String {
    let response = &doc["paths"][path][method]["responses"][status];
    match response["description"].as_str() {
        Some(d) => d.to_owned(),
        None => deref(doc, response)["description"].to_string(),
    }
}

/// The schema of an operation's body, `$ref`s followed.
/// An operation's body schema with every `$ref` to a shared schema written out, so it
/// stands on its own for a validator.
fn body_schema(doc: &Value, path: &str, method: &str) -> Value {
    inline(
        doc,
        &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"],
    )
}

fn inline(doc: &Value, schema: &Value) -> Value {
    match schema {
        Value::Object(map) => match map.get("$ref").and_then(Value::as_str) {
            Some(r) => inline(
                doc,
                &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
            ),
            None => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), inline(doc, v)))
                    .collect(),
            ),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| inline(doc, v)).collect()),
        other => other.clone(),
    }
}

fn matches(schema: &Value, value: &str) -> bool {
    jsonschema::validator_for(schema)
        .unwrap()
        .is_valid(&Value::from(value))
}

/// SPEC §13: the document states what the server checks.
#[tokio::test]
async fn the_document_states_what_the_server_checks() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc = document(&app).await;
    let roll = body_schema(&doc, "/webhook-endpoints/{id}/roll-secret", "post");
    // `null` is absent, which is 0.
    assert_eq!(
        roll["properties"]["grace_period_seconds"]["enum"],
        serde_json::json!([0, 3600, 86400, 604800, null]),
        "{roll}"
    );

    let endpoint = &body_schema(&doc, "/webhook-endpoints", "post")["properties"];
    let key = &body_schema(&doc, "/api-keys", "post")["properties"];
    for url in [&endpoint["url"], &key["webhook_url"]] {
        assert!(
            matches(url, "https://hooks.example.com/paydesk?x=1"),
            "{url}"
        );
        for bad in [
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "HTTPS://example.com",
            " https://example.com",
            "https://",
            "https://\u{f}host/",
            "https://host/a\u{85}",
        ] {
            assert!(!matches(url, bad), "{bad} matches {url}");
        }
    }
    // `http://` is for test mode only: the body schemas say so of live mode.
    let key_fields = serde_json::json!({"name": "k", "permissions": "*"});
    for (path, field, mut body) in [
        ("/webhook-endpoints", "url", serde_json::json!({})),
        ("/api-keys", "webhook_url", key_fields),
    ] {
        let schema = body_schema(&doc, path, "post");
        let validator = jsonschema::validator_for(&schema).unwrap();
        body[field] = "http://example.com/".into();
        body["mode"] = "test".into();
        assert!(validator.is_valid(&body), "{body} against {schema}");
        body["mode"] = "live".into();
        assert!(!validator.is_valid(&body), "{body} against {schema}");
    }
    assert!(
        matches(&endpoint["api_key"], "key_abc123"),
        "{}",
        endpoint["api_key"]
    );
    assert!(
        !matches(&endpoint["api_key"], "sk_test_abc"),
        "{}",
        endpoint["api_key"]
    );
    let events = &endpoint["enabled_events"]["items"];
    assert!(
        matches(events, "payment.succeeded") && matches(events, "*"),
        "{events}"
    );
    assert!(!matches(events, "payment.succeded"), "{events}");

    let ips = &key["allowed_ips"]["items"];
    for ok in [
        "203.0.113.7",
        "10.0.0.0/24",
        "2001:db8::/64",
        "::1",
        "0.0.0.0",
    ] {
        assert!(matches(ips, ok), "{ok} refused by {ips}");
    }
    assert!(matches(ips, "fe80::1/64"), "{ips}");
    for bad in [
        "banana",
        "10.0.0.0/33",
        "300.1.1.1",
        " 10.0.0.1",
        "42a97E9::/7",
        "1::2::3",
        "6Fa:EFCae/6",
    ] {
        assert!(!matches(ips, bad), "{bad} taken by {ips}");
    }

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["KeyPairPublishable"]["name"], "X-API-Key");
    assert_eq!(schemes["KeyPairSecret"]["name"], "X-API-Secret");
    assert_eq!(schemes["KeyPairSecret"]["in"], "header");
    let security = &doc["paths"]["/customers"]["post"]["security"];
    assert!(
        security
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.get("KeyPairPublishable").is_some() && r.get("KeyPairSecret").is_some()),
        "one requirement holds both halves of the pair: {security}"
    );

    // An `{id}` has its section's form, and a new object's id is linked into the bodies
    // that name one (the fuzz run follows both).
    let id = &deref(
        &doc,
        &doc["paths"]["/customers/{id}"]["get"]["parameters"][0],
    )["schema"];
    assert!(
        matches(id, "cus_01a2357adc31D6kOZio8elU2") && !matches(id, "0"),
        "{id}"
    );
    let created = deref(
        &doc,
        &doc["paths"]["/customers"]["post"]["responses"]["201"],
    );
    let links = &created["links"];
    assert_eq!(
        links["createSubscription.customer"]["requestBody"]["customer"], "$response.body#/data/id",
        "{links}"
    );

    let login_401 = codes_of(&doc, "/auth/login", "post", "401");
    let login_403 = codes_of(&doc, "/auth/login", "post", "403");
    assert!(login_401.contains("`otp_required`"), "{login_401}");
    assert!(login_403.contains("`two_factor_required`"), "{login_403}");
    assert!(!login_401.contains("invalid_api_key"), "{login_401}");
    let refund_409 = codes_of(&doc, "/payments/refund/{id}", "post", "409");
    assert!(refund_409.contains("`invalid_state`"), "{refund_409}");
}

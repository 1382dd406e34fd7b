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
        assert!(
            responses[&success]["content"]["application/json"]["schema"]["properties"]["data"]
                .is_object(),
            "{} {}: no schema for its {success}",
            e.method,
            e.path
        );
        // Each error code it can answer with is listed under its status.
        for code in paydesk::api::openapi::error_codes(e) {
            let status = code.status();
            let listed = &responses[&status.to_string()]["content"]["application/json"]["schema"]["allOf"]
                [1]["properties"]["error"]["properties"]["code"]["enum"];
            assert!(
                listed
                    .as_array()
                    .is_some_and(|l| l.iter().any(|c| c == code.as_str())),
                "{} {}: {} not under {status}",
                e.method,
                e.path,
                code.as_str()
            );
        }
        assert!(
            responses[&success]["headers"]["Request-Id"].is_object(),
            "{} {}: Request-Id header",
            e.method,
            e.path
        );
        match e.guard {
            routes::Guard::Key(_) => {
                assert!(op["security"].to_string().contains("ApiKey"));
                assert!(responses[&success]["headers"]["RateLimit-Remaining"].is_object());
                let params = op["parameters"].to_string();
                assert!(params.contains("Paydesk-Version") && params.contains("Paydesk-Signature"));
            }
            routes::Guard::UserToken => {
                assert!(op["security"].to_string().contains("UserToken"))
            }
            routes::Guard::Public => {}
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

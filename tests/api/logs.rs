//! The request log and usage per key (SPEC §10): lines are written in batches, within
//! about a second; refusals after the key is identified are logged with their code.

use paydesk::db::models::request_log::RequestLogRow;
use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::payments::{admin_token, make_key};
use crate::support::TestApp;

/// Calls the API with `key`; returns the status and the Request-Id.
pub async fn request(app: &TestApp, key: &str, method: Method, path: &str) -> (u16, String) {
    let res = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let id = res.headers()["request-id"].to_str().unwrap().to_owned();
    (res.status().as_u16(), id)
}

/// The stored line for a request id, waiting up to 3 s for the batch to be written.
pub async fn logged(app: &TestApp, request_id: &str) -> (String, i32, Option<String>, String) {
    for _ in 0..60 {
        let mut conn = app.db().conn().unwrap();
        let row = RequestLogRow::find_any(&mut conn, request_id).unwrap();
        if let Some(row) = row {
            return (row.path, row.status, row.error_code, row.key_id);
        }
        drop(conn);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{request_id} was not logged within 3 s");
}

on_both_backends! {
    async fn requests_and_refusals_after_identification_are_logged_by_request_id(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "reader", "permissions": {"customers": "read"}})).await;
        let (status, ok_id) = request(&app, &key.secret, Method::GET, "/customers?limit=2").await;
        assert_eq!(status, 200);
        let (status, refused_id) = request(&app, &key.secret, Method::POST, "/customers").await;
        assert_eq!(status, 403);
        let (path, status, code, key_id) = logged(&app, &ok_id).await;
        assert_eq!((path.as_str(), status, code, key_id.as_str()), ("/api/v1/customers", 200, None, key.id.as_str()), "no query string");
        let (_, status, code, _) = logged(&app, &refused_id).await;
        assert_eq!((status, code.as_deref()), (403, Some("insufficient_scope")));

        // A suspended key is identified, so its refusals are logged too; an unknown key is not.
        let res = app.client.post(app.url(&format!("/api/v1/api-keys/{}/suspend", key.id))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let mut suspended = None;
        for _ in 0..60 {
            let (status, id) = request(&app, &key.secret, Method::GET, "/customers").await;
            if status == 403 {
                suspended = Some(id);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let (_, _, code, _) = logged(&app, &suspended.expect("the suspension applies")).await;
        assert_eq!(code.as_deref(), Some("api_key_suspended"));
        let (status, unknown_id) = request(&app, "sk_test_nothing", Method::GET, "/customers").await;
        assert_eq!(status, 401);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let mut conn = app.db().conn().unwrap();
        let line = RequestLogRow::find_any(&mut conn, &unknown_id).unwrap();
        assert_eq!(line, None, "an unidentified request is not anyone's to see");
    }

    async fn a_rate_limited_request_is_logged_with_its_code(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "slow", "permissions": "*", "rate_limit": 2})).await;
        let mut limited = None;
        for _ in 0..4 {
            let (status, id) = request(&app, &key.secret, Method::GET, "/whoami").await;
            if status == 429 {
                limited = Some(id);
            }
        }
        let (_, status, code, _) = logged(&app, &limited.expect("the third request is refused")).await;
        assert_eq!((status, code.as_deref()), (429, Some("rate_limited")));
    }
}

/// The key's usage over `period`, as the API answers it.
async fn usage(app: &TestApp, token: &str, key_id: &str, period: &str) -> (u16, serde_json::Value) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/api-keys/{key_id}/usage?period={period}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

on_both_backends! {
    async fn the_usage_api_counts_a_keys_requests_by_class(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "counted", "permissions": {"customers": "read"}})).await;
        let other = make_key(&app, &token, json!({"name": "other", "permissions": "*"})).await;
        for _ in 0..3 {
            assert_eq!(request(&app, &key.secret, Method::GET, "/customers").await.0, 200);
        }
        for _ in 0..2 {
            assert_eq!(request(&app, &key.secret, Method::GET, "/payments").await.0, 403);
        }
        request(&app, &other.secret, Method::GET, "/customers").await;
        let mut last = serde_json::Value::Null;
        for _ in 0..60 {
            let (status, body) = usage(&app, &token, &key.id, "24h").await;
            assert_eq!(status, 200, "{body}");
            last = body;
            if last["data"]["totals"] == json!({"2xx": 3, "4xx": 2, "5xx": 0}) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let data = &last["data"];
        assert_eq!(data["totals"], json!({"2xx": 3, "4xx": 2, "5xx": 0}), "{last}");
        assert_eq!(data["period"], "24h");
        let buckets = data["buckets"].as_array().unwrap();
        assert_eq!(buckets.len(), 24, "zeros included");
        let sum = |class: &str| buckets.iter().map(|b| b[class].as_i64().unwrap()).sum::<i64>();
        assert_eq!((sum("2xx"), sum("4xx")), (3, 2), "the buckets add up to the totals");
        let (status, body) = usage(&app, &token, &key.id, "30d").await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["buckets"].as_array().unwrap().len(), 30);
        assert_eq!(body["data"]["totals"]["4xx"], 2);

        let (status, body) = usage(&app, &token, &key.id, "7d").await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_request");
        assert!(body["error"]["details"]["fields"]["period"].is_string(), "{body}");
        let (status, _) = usage(&app, &token, "key_nothing", "24h").await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn with_the_request_log_off_usage_is_still_counted() {
    let app = crate::support::spawn_app_with(crate::support::Backend::Sqlite, |s| {
        s.request_log = false;
    })
    .await;
    let token = admin_token(&app).await;
    let key = make_key(&app, &token, json!({"name": "quiet", "permissions": "*"})).await;
    let (_, id) = request(&app, &key.secret, Method::GET, "/whoami").await;
    let mut counted = false;
    for _ in 0..60 {
        let (_, body) = usage(&app, &token, &key.id, "24h").await;
        if body["data"]["totals"]["2xx"] == 1 {
            counted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(counted, "the counters are kept without the log");
    let mut conn = app.db().conn().unwrap();
    let line = RequestLogRow::find_any(&mut conn, &id).unwrap();
    assert_eq!(line, None, "no line is kept");
}

on_both_backends! {
    async fn a_key_in_a_path_is_logged_redacted(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "k", "permissions": "*"})).await;
        // A valid-looking key (right shape and checksum) pasted where an id goes.
        let body = format!("sk_test_{}", "a1B2c3D4".repeat(4));
        let pasted = format!("{body}{}", paydesk::keys::format::checksum(&body));
        assert!(paydesk::keys::format::parse(&pasted).is_some());
        let (status, id) = request(&app, &key.secret, Method::GET, &format!("/customers/{pasted}")).await;
        assert_eq!(status, 404);
        let (path, _, _, _) = logged(&app, &id).await;
        assert_eq!(path, "/api/v1/customers/sk_test_…REDACTED");
        // The Logs page (app's client is the signed-in Admin), the line and the list.
        for page in [format!("/logs/{id}"), "/logs?mode=test".to_owned()] {
            let html = app.get_html(&page).await;
            assert!(html.contains(&id), "{page}: the line is shown");
            assert!(!html.contains(&pasted[8..]), "{page}: {html}");
        }
    }
}

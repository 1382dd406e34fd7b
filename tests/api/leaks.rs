//! Leaked and canary keys (SPEC §12): secret-scanning reports revoke our secret keys at
//! once; canary keys answer like unknown keys and are reported.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::payments::{admin_token, get, make_key};
use crate::support::*;

/// The recorded events of one type (for webhooks and the Hub), polled until at least
/// `want` are there (3 s at most). They are never shown by `/api/v1/events`: checked
/// here each time with `key`.
async fn events_of(app: &TestApp, key: &str, kind: &str, want: usize) -> Vec<Value> {
    use diesel::prelude::*;
    use paydesk::db::schema::events;
    let started = Instant::now();
    let found = loop {
        let rows: Vec<String> = {
            let mut conn = app.db().conn().unwrap();
            events::table
                .filter(events::event_type.eq(kind))
                .order(events::id.desc())
                .select(events::data)
                .load(&mut *conn)
                .unwrap()
        };
        if rows.len() >= want || started.elapsed() > Duration::from_secs(3) {
            break rows
                .iter()
                .map(|d| json!({"data": {"object": serde_json::from_str::<Value>(d).unwrap()}}))
                .collect::<Vec<_>>();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // No API key learns about other keys (SPEC §9).
    let (_, listed) = get(app, key, &format!("/events?type={kind}")).await;
    assert_eq!(listed["data"]["data"], json!([]), "{kind} shown by the API");
    let (_, all) = get(app, key, "/events?limit=100").await;
    assert!(!all.to_string().contains(kind), "{kind} shown by the API");
    found
}

/// The answer without its request id: what a caller could compare.
fn without_id(mut v: Value) -> Value {
    v["request_id"] = Value::Null;
    v
}

async fn report(app: &TestApp, body: Value) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/secret-scanning/report"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

on_both_backends! {
    async fn a_canary_answers_like_an_unknown_key_and_is_reported_once_per_hour(app) {
        let token = admin_token(&app).await;
        let watcher = make_key(&app, &token, json!({"name": "watcher", "permissions": {"events": "read"}})).await;
        let canary = make_key(&app, &token, json!({"name": "trap", "canary": true})).await;
        let unknown = paydesk::keys::format::generate(paydesk::keys::KeyKind::Secret, paydesk::keys::Mode::Test);
        let (s1, a) = get(&app, &canary.secret, "/whoami").await;
        let (s2, b) = get(&app, &unknown, "/whoami").await;
        assert_eq!((s1, s2), (401, 401));
        assert_eq!(without_id(a), without_id(b), "a canary must look like an unknown key");
        for _ in 0..2 {
            assert_eq!(get(&app, &canary.secret, "/customers").await.0, 401);
        }
        let events = events_of(&app, &watcher.secret, "api_key.canary_triggered", 1).await;
        assert_eq!(events.len(), 1, "one event per canary and IP per hour: {events:?}");
        let use_ = &events[0]["data"]["object"];
        assert_eq!(use_["api_key"], canary.id.as_str());
        assert_eq!(use_["ip"], "127.0.0.1");
        assert_eq!(use_["path"], "/api/v1/whoami");
        // The key shows it is a canary and when it was last used (each use counted).
        let started = Instant::now();
        let key = loop {
            let res = app.client.get(app.url(&format!("/api/v1/api-keys/{}", canary.id))).bearer_auth(&token).send().await.unwrap();
            let key: Value = res.json().await.unwrap();
            if key["data"]["last_used_at"].is_string() || started.elapsed() > Duration::from_secs(3) {
                break key;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(key["data"]["canary"], true);
        assert_eq!(key["data"]["permissions"], json!({}));
        assert_eq!(key["data"]["last_used_ip"], "127.0.0.1");
        assert_eq!(key["data"]["status"], "active");
    }

    async fn a_reported_secret_key_is_revoked_at_once_and_a_canary_is_not(app) {
        let token = admin_token(&app).await;
        let watcher = make_key(&app, &token, json!({"name": "watcher", "permissions": {"events": "read"}})).await;
        let leaked = make_key(&app, &token, json!({"name": "leaked", "permissions": "*"})).await;
        let canary = make_key(&app, &token, json!({"name": "trap", "canary": true})).await;
        assert_eq!(get(&app, &leaked.secret, "/whoami").await.0, 200);
        let url = "https://github.com/acme/shop/blob/main/.env";
        let (s, answer) = report(&app, json!([
            {"token": leaked.secret, "type": "paydesk_secret_key", "url": url, "source": "content"},
            {"token": "sk_test_not_ours", "type": "paydesk_secret_key", "url": url, "source": "content"},
            {"token": leaked.publishable, "type": "paydesk_publishable_key", "url": url, "source": "content"},
            {"token": canary.secret, "type": "paydesk_secret_key", "url": url, "source": "content"},
        ])).await;
        assert_eq!(s, 200, "{answer}");
        let labels: Vec<&str> = answer.as_array().unwrap().iter().map(|a| a["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["true_positive", "false_positive", "false_positive", "true_positive"]);
        assert_eq!(answer[0]["token_hash"], paydesk::crypto::hash(&leaked.secret));
        assert_eq!(answer[0]["token_type"], "paydesk_secret_key");
        assert!(!answer.to_string().contains(&leaked.secret), "the answer reveals nothing else");
        // Revoked at once, with the reason and where it was found; audited; an event.
        let (s, body) = get(&app, &leaked.secret, "/whoami").await;
        assert_eq!((s, body["error"]["code"].as_str()), (401, Some("invalid_api_key")));
        let res = app.client.get(app.url(&format!("/api/v1/api-keys/{}", leaked.id))).bearer_auth(&token).send().await.unwrap();
        let key: Value = res.json().await.unwrap();
        assert_eq!(key["data"]["status"], "revoked");
        assert_eq!(key["data"]["revoked_reason"], "exposed");
        assert_eq!(key["data"]["exposed_url"], url);
        let exposed = events_of(&app, &watcher.secret, "api_key.exposed", 1).await;
        assert_eq!(exposed.len(), 1);
        assert_eq!(exposed[0]["data"]["object"]["url"], url);
        let page = app.get_html(&format!("/keys/{}", leaked.id)).await;
        assert!(page.contains("exposed-banner") && page.contains(url));
        // The canary stays active: the report is one more trigger, with the URL.
        let res = app.client.get(app.url(&format!("/api/v1/api-keys/{}", canary.id))).bearer_auth(&token).send().await.unwrap();
        let key: Value = res.json().await.unwrap();
        assert_eq!(key["data"]["status"], "active");
        let triggers = events_of(&app, &watcher.secret, "api_key.canary_triggered", 1).await;
        assert_eq!(triggers[0]["data"]["object"]["url"], url);
        // A user's revoke says so.
        let other = make_key(&app, &token, json!({"name": "other", "permissions": "*"})).await;
        let res = app.client.delete(app.url(&format!("/api/v1/api-keys/{}", other.id))).bearer_auth(&token).send().await.unwrap();
        let key: Value = res.json().await.unwrap();
        assert_eq!(key["data"]["revoked_reason"], "user");
    }

    async fn a_reported_management_key_is_revoked_at_once_like_a_secret_key(app) {
        let token = admin_token(&app).await;
        let res = app.client.post(app.url("/api/v1/management-keys")).bearer_auth(&token)
            .json(&json!({"name": "Deploy pipeline", "scopes": ["api_keys:read"], "live": false, "allowed_ips": [], "expires_in_days": 30}))
            .send().await.unwrap();
        let made: Value = res.json().await.unwrap();
        let (id, mk) = (made["data"]["id"].as_str().unwrap().to_owned(), made["data"]["secret"].as_str().unwrap().to_owned());
        assert_eq!(get(&app, &mk, "/api-keys").await.0, 200, "it works before the report");
        // Well formed but never made, and one character mistyped: not ours.
        let unknown = paydesk::keys::management::generate();
        let mut typo = mk.clone().into_bytes();
        typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(typo).unwrap();
        let url = "https://github.com/acme/deploy/blob/main/ci.yml";
        let (s, answer) = report(&app, json!([
            {"token": mk, "type": "paydesk_management_key", "url": url, "source": "content"},
            {"token": unknown, "type": "paydesk_management_key", "url": url, "source": "content"},
            {"token": typo, "type": "paydesk_management_key", "url": url, "source": "content"},
        ])).await;
        assert_eq!(s, 200, "{answer}");
        let labels: Vec<&str> = answer.as_array().unwrap().iter().map(|a| a["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["true_positive", "false_positive", "false_positive"]);
        assert_eq!(answer[0]["token_hash"], paydesk::crypto::hash(&mk));
        assert!(!answer.to_string().contains(&mk), "the answer reveals nothing else");
        // Refused at once, shown revoked, the report in its history; a second report of it
        // is still ours.
        assert_eq!(get(&app, &mk, "/api-keys").await.0, 401);
        let res = app.client.get(app.url(&format!("/api/v1/management-keys/{id}"))).bearer_auth(&token).send().await.unwrap();
        let key: Value = res.json().await.unwrap();
        assert_eq!(key["data"]["status"], "revoked", "{key}");
        let page = app.get_html(&format!("/management-keys/{id}")).await;
        assert!(page.contains("management_key.exposed") && page.contains("secret-scanning"), "{page}");
        assert!(!page.contains(&mk));
        let (_, again) = report(&app, json!([{"token": mk, "url": url}])).await;
        assert_eq!(again[0]["label"], "true_positive");
    }

    async fn a_report_must_be_an_array_of_tokens(app) {
        for (body, code) in [
            (json!({"token": "x"}), "invalid_json"),
            (json!([{"url": "https://x"}]), "invalid_request"),
            (json!([{"token": 5}]), "invalid_request"),
        ] {
            let (s, v) = report(&app, body).await;
            assert_eq!((s, v["error"]["code"].as_str()), (400, Some(code)), "{v}");
        }
        let many: Vec<Value> = (0..1001).map(|i| json!({"token": format!("t{i}")})).collect();
        let (s, _) = report(&app, Value::Array(many)).await;
        assert_eq!(s, 400);
    }
}

/// One answer as a caller sees it: status, body (request id left out) and the headers
/// that are not per-request.
async fn seen(req: reqwest::RequestBuilder) -> (u16, Value, Vec<(String, String)>) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let mut headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(n, _)| !matches!(n.as_str(), "date" | "request-id" | "x-request-id"))
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    headers.sort();
    let body = without_id(res.json().await.unwrap_or(Value::Null));
    (status, body, headers)
}

/// The number of audit rows saying a canary was triggered.
fn canary_audit_rows(app: &TestApp, key_id: &str) -> i64 {
    use diesel::prelude::*;
    use paydesk::db::schema::audit_log;
    let mut conn = app.db().conn().unwrap();
    audit_log::table
        .filter(audit_log::action.eq("api_key.canary_triggered"))
        .filter(audit_log::target.eq(key_id))
        .count()
        .get_result(&mut *conn)
        .unwrap()
}

on_both_backends! {
    async fn a_canary_is_told_apart_from_an_unknown_key_by_no_path_or_state(app) {
        use diesel::prelude::*;
        use paydesk::db::schema::api_keys;
        let token = admin_token(&app).await;
        let other = make_key(&app, &token, json!({"name": "other", "permissions": "*"})).await;
        let unknown = paydesk::keys::format::generate(paydesk::keys::KeyKind::Secret, paydesk::keys::Mode::Test);
        let random_pk = paydesk::keys::format::generate(paydesk::keys::KeyKind::Publishable, paydesk::keys::Mode::Test);
        let url = app.url("/api/v1/customers");
        let bearer = |k: &str| app.client.get(&url).bearer_auth(k);
        let pair = |pk: &str, sk: &str| app.client.get(&url).header("X-API-Key", pk).header("X-API-Secret", sk);
        let expected_bearer = seen(bearer(&unknown)).await;
        let expected_pair = seen(pair(&random_pk, &unknown)).await;
        assert_eq!(expected_bearer.0, 401);
        assert_eq!(expected_bearer.1["error"]["code"], "invalid_api_key");

        // One canary per state: active, suspended, expired.
        let active = make_key(&app, &token, json!({"name": "trap", "canary": true})).await;
        let suspended = make_key(&app, &token, json!({"name": "trap 2", "canary": true})).await;
        let res = app.client.post(app.url(&format!("/api/v1/api-keys/{}/suspend", suspended.id))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let expired = make_key(&app, &token, json!({"name": "trap 3", "canary": true, "expires_in_days": 1})).await;
        {
            // Never used, so no cache holds it yet.
            let mut conn = app.db().conn().unwrap();
            diesel::update(api_keys::table.filter(api_keys::id.eq(&expired.id)))
                .set(api_keys::expires_at.eq(Some(paydesk::clock::now() - 60)))
                .execute(&mut *conn)
                .unwrap();
        }
        for canary in [&active, &suspended, &expired] {
            assert_eq!(seen(bearer(&canary.secret)).await, expected_bearer, "Bearer {}", canary.id);
            for pk in [&canary.publishable, &other.publishable, &random_pk] {
                assert_eq!(seen(pair(pk, &canary.secret)).await, expected_pair, "pair {pk} + {}", canary.id);
            }
            // Each presentation was a trigger: one audit row and one event for the hour.
            let started = Instant::now();
            while canary_audit_rows(&app, &canary.id) == 0 && started.elapsed() < Duration::from_secs(3) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert_eq!(canary_audit_rows(&app, &canary.id), 1, "{} triggered once", canary.id);
        }
    }

    async fn a_flood_of_canary_uses_writes_at_most_one_audit_row(app) {
        let token = admin_token(&app).await;
        let canary = make_key(&app, &token, json!({"name": "trap", "canary": true})).await;
        let url = app.url("/api/v1/whoami");
        for _ in 0..30 {
            let mut batch = tokio::task::JoinSet::new();
            for _ in 0..50 {
                batch.spawn(app.client.get(&url).bearer_auth(&canary.secret).send());
            }
            while let Some(res) = batch.join_next().await {
                assert_eq!(res.unwrap().unwrap().status(), 401);
            }
        }
        // Give a straggling report time to land before counting.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(canary_audit_rows(&app, &canary.id) <= 1, "1,500 uses wrote {} audit rows", canary_audit_rows(&app, &canary.id));
        assert_eq!(canary_audit_rows(&app, &canary.id), 1, "the first use is reported");
    }
}

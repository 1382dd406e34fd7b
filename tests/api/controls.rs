//! Request controls through HTTP: signatures, versions, idempotency, rate limits.

use paydesk::keys::signature::sign;
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::payments::{Key, admin_token, get, make_key};
use crate::support::*;

fn now_ms() -> i64 {
    paydesk::clock::now_ms()
}

async fn signed(app: &TestApp, key: &Key, body: &str, header: Option<String>) -> (u16, Value) {
    let mut req = app
        .client
        .post(app.url("/api/v1/customers"))
        .bearer_auth(&key.secret)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(h) = header {
        req = req.header("Paydesk-Signature", h);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

async fn idem(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    idem: &str,
    body: Value,
) -> reqwest::Response {
    app.client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(key)
        .header("Idempotency-Key", idem)
        .json(&body)
        .send()
        .await
        .unwrap()
}

on_both_backends! {
    async fn signatures_are_checked_when_sent_and_required_when_asked(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "s", "permissions": "*"})).await;
        let body = r#"{"name":"Signed"}"#;
        let t = now_ms();
        assert_eq!(signed(&app, &key, body, Some(sign(&key.secret, t, body.as_bytes()))).await.0, 201);
        assert_eq!(signed(&app, &key, body, None).await.0, 201, "optional unless required");
        // One body byte changed.
        let (s, v) = signed(&app, &key, r#"{"name":"Signef"}"#, Some(sign(&key.secret, t, body.as_bytes()))).await;
        assert_eq!((s, code(&v)), (401, "signature_invalid"));
        // The tolerance edge, and one millisecond past it, both ways. The server's clock
        // moves on between signing and checking, so "at the edge" is signed a little inside.
        for (offset, ok) in [(-299_000, true), (299_000, true), (-300_001 - 2_000, false), (300_001 + 2_000, false)] {
            let ts = now_ms() + offset;
            let (s, v) = signed(&app, &key, body, Some(sign(&key.secret, ts, body.as_bytes()))).await;
            assert_eq!(s == 201, ok, "offset {offset}: {v}");
        }
        // Malformed headers.
        let good = sign(&key.secret, t, body.as_bytes());
        let v1 = good.split_once(',').unwrap().1.to_owned();
        let seconds = sign(&key.secret, t / 1000, body.as_bytes());
        for bad in [v1.clone(), format!("t={t}"), seconds, format!("t={t},v1={}", &v1[3..66]), format!("t={t},t={t},{v1}"), "garbage".into()] {
            let (s, v) = signed(&app, &key, body, Some(bad.clone())).await;
            assert_eq!((s, code(&v)), (401, "signature_invalid"), "{bad}");
        }
        // A valid and an invalid v1 together: accepted.
        let both = format!("t={t},v1={},{v1}", "0".repeat(64));
        assert_eq!(signed(&app, &key, body, Some(both)).await.0, 201);

        let strict = make_key(&app, &token, json!({"name": "strict", "permissions": "*", "require_signature": true})).await;
        let (s, v) = signed(&app, &strict, body, None).await;
        assert_eq!((s, code(&v)), (401, "signature_required"));
        assert_eq!(signed(&app, &strict, body, Some(sign(&strict.secret, now_ms(), body.as_bytes()))).await.0, 201);
        // GETs sign the empty body.
        let res = app.client.get(app.url("/api/v1/customers")).bearer_auth(&strict.secret).header("Paydesk-Signature", sign(&strict.secret, now_ms(), b"")).send().await.unwrap();
        assert_eq!(res.status(), 200);
    }

    async fn versions_resolve_header_then_pin_then_current(app) {
        let token = admin_token(&app).await;
        let plain = make_key(&app, &token, json!({"name": "p", "permissions": "*"})).await;
        let pinned = make_key(&app, &token, json!({"name": "pin", "permissions": "*", "api_version": "2025-06-01"})).await;
        let pay = json!({"amount": 100, "currency": "usd", "payment_method": "4242424242424242"});
        let send = |key: String, version: Option<&'static str>| {
            let mut req = app.client.post(app.url("/api/v1/payments")).bearer_auth(key).json(&pay);
            if let Some(v) = version {
                req = req.header("Paydesk-Version", v);
            }
            req.send()
        };
        let res = send(plain.secret.clone(), None).await.unwrap();
        assert_eq!(res.headers()["paydesk-version"], "2026-05-27");
        assert!(res.headers().get("paydesk-version-deprecated").is_none());
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["data"]["status"], "succeeded");
        let id = v["data"]["id"].as_str().unwrap().to_owned();

        let res = send(pinned.secret.clone(), None).await.unwrap();
        assert_eq!(res.headers()["paydesk-version"], "2025-06-01");
        assert_eq!(res.headers()["paydesk-version-deprecated"], "yes");
        assert_eq!(res.json::<Value>().await.unwrap()["data"]["status"], "paid");

        let res = send(pinned.secret.clone(), Some("2026-05-27")).await.unwrap();
        assert_eq!(res.headers()["paydesk-version"], "2026-05-27", "the header beats the pin");
        assert_eq!(res.json::<Value>().await.unwrap()["data"]["status"], "succeeded");

        let res = send(plain.secret.clone(), Some("2025-06-01")).await.unwrap();
        assert_eq!(res.json::<Value>().await.unwrap()["data"]["status"], "paid");
        // Lists and events are transformed too; failed payments are not.
        let res = app.client.get(app.url("/api/v1/events?type=payment.succeeded")).bearer_auth(&plain.secret).header("Paydesk-Version", "2025-06-01").send().await.unwrap();
        let v: Value = res.json().await.unwrap();
        assert!(v["data"]["data"].as_array().unwrap().iter().all(|e| e["data"]["object"]["status"] == "paid"));
        let (_, v) = get(&app, &plain.secret, &format!("/payments/{id}")).await;
        assert_eq!(v["data"]["status"], "succeeded", "stored data is unchanged");

        // Unknown: 400 with the list; echoed on errors too.
        let res = send(plain.secret.clone(), Some("2024-01-01")).await.unwrap();
        assert_eq!(res.status(), 400);
        assert!(res.headers().contains_key("paydesk-version"));
        let v: Value = res.json().await.unwrap();
        assert_eq!(code(&v), "invalid_version");
        assert_eq!(v["error"]["details"]["supported"], json!(["2026-05-27", "2025-06-01"]));
        let res = app.client.get(app.url("/api/v1/whoami")).header("Paydesk-Version", "2025-06-01").send().await.unwrap();
        assert_eq!((res.status().as_u16(), res.headers()["paydesk-version"].to_str().unwrap()), (401, "2025-06-01"));
    }

    async fn an_idempotent_retry_replays_the_first_answer(app) {
        let token = admin_token(&app).await;
        let k = make_key(&app, &token, json!({"name": "i", "permissions": "*"})).await.secret;
        let pay = json!({"amount": 900, "currency": "usd", "payment_method": "4242424242424242"});
        let first = idem(&app, &k, Method::POST, "/payments", "order-1", pay.clone()).await;
        assert_eq!(first.status(), 201);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first_body = first.bytes().await.unwrap();
        let again = idem(&app, &k, Method::POST, "/payments", "order-1", pay.clone()).await;
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.bytes().await.unwrap(), first_body, "byte for byte");
        let (_, list) = get(&app, &k, "/payments").await;
        assert_eq!(list["data"]["data"].as_array().unwrap().len(), 1, "ran once");
        // A replay asked for in another version still says the version its body has.
        let res = app.client.post(app.url("/api/v1/payments")).bearer_auth(&k).header("Idempotency-Key", "order-1").header("Paydesk-Version", "2025-06-01").json(&pay).send().await.unwrap();
        assert_eq!(res.headers()["idempotent-replayed"], "true");
        assert_eq!(res.headers()["paydesk-version"], "2026-05-27");
        assert_eq!(res.bytes().await.unwrap(), first_body);

        // Same key, different body or path: 422.
        let res = idem(&app, &k, Method::POST, "/payments", "order-1", json!({"amount": 901, "currency": "usd", "payment_method": "4242424242424242"})).await;
        assert_eq!(res.status(), 422);
        assert_eq!(code(&res.json::<Value>().await.unwrap()), "idempotency_key_reused");
        let res = idem(&app, &k, Method::POST, "/customers", "order-1", json!({})).await;
        assert_eq!(res.status(), 422);

        // Validation failures are not stored: fixing the body with the same key runs it.
        let res = idem(&app, &k, Method::POST, "/customers", "cust-1", json!({"email": 1})).await;
        assert_eq!(res.status(), 400);
        let res = idem(&app, &k, Method::POST, "/customers", "cust-1", json!({"email": "a@b.co"})).await;
        assert_eq!(res.status(), 201);

        // Bad keys.
        for bad in ["x".repeat(256), String::new()] {
            let res = idem(&app, &k, Method::POST, "/customers", &bad, json!({})).await;
            assert_eq!(res.status(), 400, "{} chars", bad.len());
            assert_eq!(code(&res.json::<Value>().await.unwrap()), "invalid_idempotency_key");
        }
        assert_eq!(idem(&app, &k, Method::POST, "/customers", &"y".repeat(255), json!({})).await.status(), 201);

        // Another merchant's identical key string runs on its own.
        app.create_user("b@globex.test", "admin", "Globex");
        let b_token = app.api_token("b@globex.test").await;
        let b = make_key(&app, &b_token, json!({"name": "b", "permissions": "*"})).await.secret;
        let res = idem(&app, &b, Method::POST, "/payments", "order-1", pay.clone()).await;
        assert_eq!(res.status(), 201);
        assert!(res.headers().get("idempotent-replayed").is_none());
        let (_, list) = get(&app, &b, "/payments").await;
        assert_eq!(list["data"]["data"].as_array().unwrap().len(), 1);
    }

    async fn fifty_concurrent_duplicates_make_one_payment(app) {
        let token = admin_token(&app).await;
        let k = make_key(&app, &token, json!({"name": "c", "permissions": "*", "rate_limit": 1000})).await.secret;
        let pay = json!({"amount": 4200, "currency": "usd", "payment_method": "4242424242424242"});
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (client, url, k, pay) = (app.client.clone(), app.url("/api/v1/payments"), k.clone(), pay.clone());
            tasks.push(tokio::spawn(async move {
                let res = client.post(url).bearer_auth(k).header("Idempotency-Key", "same").json(&pay).send().await.unwrap();
                let replayed = res.headers().contains_key("idempotent-replayed");
                (res.status().as_u16(), replayed)
            }));
        }
        let mut fresh = 0;
        for t in tasks {
            match t.await.unwrap() {
                (201, false) => fresh += 1,
                (201, true) | (409, false) => {}
                other => panic!("unexpected answer {other:?}"),
            }
        }
        assert_eq!(fresh, 1, "exactly one execution");
        let (_, list) = get(&app, &k, "/payments").await;
        assert_eq!(list["data"]["data"].as_array().unwrap().len(), 1);
    }

    async fn rate_limits_count_down_and_refuse_past_the_limit(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "r", "permissions": "*", "rate_limit": 5})).await;
        let other = make_key(&app, &token, json!({"name": "o", "permissions": "*", "rate_limit": 5})).await;
        // Refused credentials count against nobody.
        // The key with its last character changed (to one it does not already have).
        let last = if key.secret.ends_with('x') { 'y' } else { 'x' };
        let mistyped = format!("{}{last}", &key.secret[..45]);
        for _ in 0..3 {
            let res = app.client.get(app.url("/api/v1/whoami")).bearer_auth(&mistyped).send().await.unwrap();
            assert_eq!(res.status(), 401);
            assert!(res.headers().get("ratelimit-limit").is_none());
        }
        for i in 0..5u32 {
            let res = app.client.get(app.url("/api/v1/whoami")).bearer_auth(&key.secret).send().await.unwrap();
            assert_eq!(res.status(), 200, "request {i}");
            assert_eq!(res.headers()["ratelimit-limit"], "5");
            assert_eq!(res.headers()["ratelimit-remaining"], (4 - i).to_string().as_str());
            let reset: i64 = res.headers()["ratelimit-reset"].to_str().unwrap().parse().unwrap();
            assert!((1..=60).contains(&reset));
        }
        let res = app.client.get(app.url("/api/v1/whoami")).bearer_auth(&key.secret).send().await.unwrap();
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["ratelimit-remaining"], "0");
        let retry: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        let body = res.json::<Value>().await.unwrap();
        assert_eq!(code(&body), "rate_limited");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("This key allows 5 requests per minute;"), "{message}");
        // Another key is untouched.
        let (s, _) = get(&app, &other.secret, "/whoami").await;
        assert_eq!(s, 200);
        // Scope refusals still carry the headers.
        let narrow = make_key(&app, &token, json!({"name": "n", "permissions": {}})).await;
        let res = app.client.get(app.url("/api/v1/customers")).bearer_auth(&narrow.secret).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(res.headers()["ratelimit-remaining"], "99");
    }
}

on_both_backends! {
    async fn allowed_ips_of_0_0_0_0_mean_any_address(app) {
        let token = admin_token(&app).await;
        let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token)
            .json(&json!({"name": "k", "permissions": "*", "allowed_ips": ["0.0.0.0"]}))
            .send().await.unwrap();
        assert_eq!(res.status(), 201);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["data"]["allowed_ips"], json!([]), "{v}");
        let (id, secret) = (v["data"]["id"].as_str().unwrap(), v["data"]["secret_key"].as_str().unwrap());
        // The key answers from this machine, like any key without a list.
        let (s, body) = get(&app, secret, "/whoami").await;
        assert_eq!(s, 200, "{body}");
        // And the Hub (the app's client is the signed-in Admin) says so.
        let html = app.get_html(&format!("/keys/{id}")).await;
        assert!(html.contains("Any address"), "{html}");
    }
}

#[tokio::test]
async fn the_refusal_names_the_configured_window() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.rate_limit_window_ms = 30_000).await;
    let token = admin_token(&app).await;
    let key = make_key(
        &app,
        &token,
        json!({"name": "w", "permissions": "*", "rate_limit": 1}),
    )
    .await;
    let (s, _) = get(&app, &key.secret, "/whoami").await;
    assert_eq!(s, 200);
    let (s, body) = get(&app, &key.secret, "/whoami").await;
    assert_eq!((s, code(&body)), (429, "rate_limited"));
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("This key allows 1 requests per 30 seconds;"),
        "{message}"
    );
}

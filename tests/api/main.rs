//! The JSON API as scripts call it: the envelope, Request-Id, and user tokens.

#[path = "../support/mod.rs"]
mod support;

use diesel::prelude::*;
use serde_json::{Value, json};
use support::*;

mod controls;
mod keys;
mod leaks;
mod lists;
mod logs;
mod mail;
mod management_keys;
mod observe;
mod openapi;
mod openapi_shape;
mod payments;
mod slow;
mod spend;
mod webhooks;

async fn login(app: &TestApp, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Checks the error envelope and that its request_id is the Request-Id header.
async fn error_code(res: reqwest::Response) -> (u16, String, Value) {
    let status = res.status().as_u16();
    let header = res
        .headers()
        .get("request-id")
        .expect("Request-Id header")
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["ok"], false, "{body}");
    assert_eq!(body["request_id"], header, "{body}");
    assert!(header.starts_with("req_"));
    (
        status,
        body["error"]["code"].as_str().unwrap().to_owned(),
        body,
    )
}

on_both_backends! {
    async fn a_user_token_is_issued_and_revoked_by_logout(app) {
        app.setup_admin().await;
        let res = login(&app, json!({"email": "admin@acme.test", "password": PASSWORD})).await;
        assert_eq!(res.status(), 200);
        assert!(res.headers().get("request-id").unwrap().to_str().unwrap().starts_with("req_"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["ok"], true);
        assert_eq!(body["data"]["token_type"], "Bearer");
        let token = body["data"]["token"].as_str().unwrap().to_owned();
        assert_eq!(token.split('.').count(), 3, "a JWT");
        let expires = body["data"]["expires_at"].as_str().unwrap();
        assert!(expires.ends_with('Z') && expires.contains('T'), "{expires}");

        // Sign-in takes JSON only: a form encoding or text/plain is what a cross-site
        // form can send (SPEC, contract details).
        let credentials = json!({"email": "admin@acme.test", "password": PASSWORD}).to_string();
        for media in ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"] {
            let res = app.client.post(app.url("/api/v1/auth/login")).header("content-type", media)
                .body(credentials.clone()).send().await.unwrap();
            let (status, code, _) = error_code(res).await;
            assert_eq!((status, code.as_str()), (415, "unsupported_media_type"), "{media}");
        }
        let res = app.client.post(app.url("/api/v1/auth/login")).header("content-type", "Application/JSON; charset=utf-8")
            .body(credentials).send().await.unwrap();
        assert_eq!(res.status(), 200, "parameters and case do not matter");

        let logout = |t: String| app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(t).send();
        let res = logout(token.clone()).await.unwrap();
        assert_eq!(res.status(), 200);
        let (status, code, _) = error_code(logout(token).await.unwrap()).await;
        assert_eq!((status, code.as_str()), (401, "invalid_token"));
    }

    async fn bad_logins_get_clear_codes(app) {
        app.setup_admin().await;
        let (s, code, _) = error_code(login(&app, json!({"email": "admin@acme.test", "password": "wrong password!"})).await).await;
        assert_eq!((s, code.as_str()), (401, "invalid_credentials"));
        let (s, code, _) = error_code(login(&app, json!({"email": "who@acme.test", "password": "wrong password!"})).await).await;
        assert_eq!((s, code.as_str()), (401, "invalid_credentials"));
        let (s, code, body) = error_code(login(&app, json!({"email": "admin@acme.test"})).await).await;
        assert_eq!((s, code.as_str()), (400, "invalid_request"));
        assert_eq!(body["error"]["details"]["fields"]["password"], "required");
        let (s, code, _) = error_code(login(&app, json!({"email": "a", "password": "b", "admin": true})).await).await;
        assert_eq!((s, code.as_str()), (400, "invalid_request"));
        let raw = app.client.post(app.url("/api/v1/auth/login")).header("content-type", "application/json").body("{not json").send().await.unwrap();
        let (s, code, _) = error_code(raw).await;
        assert_eq!((s, code.as_str()), (400, "invalid_json"));
        let big = format!("{{\"email\":\"{}\",\"password\":\"x\"}}", "a".repeat(70 * 1024));
        let raw = app.client.post(app.url("/api/v1/auth/login")).header("content-type", "application/json").body(big).send().await.unwrap();
        let (s, code, _) = error_code(raw).await;
        assert_eq!((s, code.as_str()), (413, "payload_too_large"));
    }

    async fn unknown_routes_and_methods_answer_in_the_envelope(app) {
        let (s, code, body) = error_code(app.get("/api/v1/nothing-here").await).await;
        assert_eq!((s, code.as_str()), (404, "not_found"));
        assert_eq!(body["error"]["details"], json!({}), "details is always there");
        let res = app.get("/api/v1/auth/login").await;
        assert_eq!(res.headers().get("allow").map(|v| v.to_str().unwrap()), Some("POST"));
        let (s, code, _) = error_code(res).await;
        assert_eq!((s, code.as_str()), (405, "method_not_allowed"));
        let res = app.client.put(app.url("/api/v1/api-keys")).send().await.unwrap();
        assert_eq!(res.headers().get("allow").map(|v| v.to_str().unwrap()), Some("GET, HEAD, POST"));
        assert_eq!(res.status(), 405);
        // HEAD answers wherever GET does: the same status and headers, no body.
        let res = app.client.head(app.url("/api/v1/whoami")).send().await.unwrap();
        assert_eq!(res.status(), 401);
        assert!(res.headers().get("request-id").is_some());
        assert!(res.bytes().await.unwrap().is_empty());
    }

    async fn api_answers_carry_the_security_headers_of_a_json_resource(app) {
        // A refusal, an unknown path and a path the router takes only after decoding it:
        // each is the API's, with its envelope and its headers.
        for path in ["/api/v1/whoami", "/api/v1/nothing-here", "/%61pi/v1/whoami"] {
            let res = app.get(path).await;
            let h = res.headers();
            assert_eq!(h["content-security-policy"], "default-src 'none'; frame-ancestors 'none'", "{path}");
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["cross-origin-resource-policy"], "same-origin", "{path}");
            assert_eq!(h["cache-control"], "no-store", "{path}");
            assert!(h["request-id"].to_str().unwrap().starts_with("req_"), "{path}");
            assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP: {path}");
            // What only a page does (send a referrer, use a camera, open windows) is not
            // governed on a JSON answer.
            for page_only in ["referrer-policy", "permissions-policy", "cross-origin-opener-policy"] {
                assert!(h.get(page_only).is_none(), "{path}: {page_only}");
            }
            let (status, _, _) = error_code(res).await;
            assert!(status == 401 || status == 404, "{path}: {status}");
        }
    }

    async fn bodies_must_be_json_objects_and_actions_take_no_fields(app) {
        app.setup_admin().await;
        // An array is not a sign-in, even with the right values in it.
        let (s, code, _) = error_code(login(&app, json!(["admin@acme.test", PASSWORD])).await).await;
        assert_eq!((s, code.as_str()), (400, "invalid_json"));
        let (s, code, _) = error_code(login(&app, json!("admin@acme.test")).await).await;
        assert_eq!((s, code.as_str()), (400, "invalid_json"));
        let (s, code, body) = error_code(login(&app, json!({"email": "a", "password": "b", "admin": true})).await).await;
        assert_eq!((s, code.as_str()), (400, "invalid_request"));
        assert_eq!(body["error"]["details"]["fields"]["admin"], "unknown field");

        let token = app.api_token("admin@acme.test").await;
        let post = |path: &str, body: &str| {
            app.client.post(app.url(path)).bearer_auth(&token).header("content-type", "application/json").body(body.to_owned()).send()
        };
        let (s, code, _) = error_code(post("/api/v1/api-keys", "[1,2]").await.unwrap()).await;
        assert_eq!((s, code.as_str()), (400, "invalid_json"));
        let res = post("/api/v1/api-keys", r#"{"name":"k","mode":"test","permissions":"*"}"#).await.unwrap();
        assert_eq!(res.status(), 201);
        let key: Value = res.json().await.unwrap();
        let id = key["data"]["id"].as_str().unwrap().to_owned();
        // Action endpoints: empty or {} only.
        let (s, code, body) = error_code(post(&format!("/api/v1/api-keys/{id}/suspend"), r#"{"at_period_end":true}"#).await.unwrap()).await;
        assert_eq!((s, code.as_str()), (400, "invalid_request"));
        assert_eq!(body["error"]["details"]["fields"]["at_period_end"], "unknown field");
        let (s, code, _) = error_code(post(&format!("/api/v1/api-keys/{id}/suspend"), "{oops").await.unwrap()).await;
        assert_eq!((s, code.as_str()), (400, "invalid_json"));
        let res = post(&format!("/api/v1/api-keys/{id}/suspend"), "{}").await.unwrap();
        assert_eq!(res.status(), 200, "{{}} is an empty action body");
        let res = app.client.post(app.url(&format!("/api/v1/api-keys/{id}/reactivate"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200, "so is no body at all");
        let (s, code, _) = error_code(post("/api/v1/auth/logout", "[]").await.unwrap()).await;
        assert_eq!((s, code.as_str()), (400, "invalid_json"));
    }

    async fn an_api_key_or_garbage_is_not_a_user_token(app) {
        let res = app.client.post(app.url("/api/v1/auth/logout")).bearer_auth("sk_test_abc").send().await.unwrap();
        let (s, code, _) = error_code(res).await;
        assert_eq!((s, code.as_str()), (401, "invalid_token"));
        let res = app.client.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
        let (s, code, _) = error_code(res).await;
        assert_eq!((s, code.as_str()), (401, "invalid_token"));
    }

    async fn parallel_guesses_get_no_more_than_five_tries(app) {
        app.setup_admin().await;
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
            tasks.push(tokio::spawn(async move {
                let res = client.post(url).json(&json!({"email": "admin@acme.test", "password": "wrong password!"})).send().await.unwrap();
                res.status().as_u16()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 401, "every refusal answers alike");
        }
        // Each checked guess is audited; the refused ones were never checked.
        let mut conn = app.db().conn().unwrap();
        let checked: i64 = paydesk::db::schema::audit_log::table
            .filter(paydesk::db::schema::audit_log::action.eq("sign_in.failed"))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        assert!(checked <= 5, "{checked} guesses were checked; five is the most a pair allows");
        let (s, code, msg) = error_code(login(&app, json!({"email": "admin@acme.test", "password": PASSWORD})).await).await;
        assert_eq!((s, code.as_str()), (401, "invalid_credentials"));
        assert!(msg["error"]["message"].as_str().unwrap().contains("Wait 15 minutes"), "{msg}");
    }

    async fn api_sign_in_failures_count_towards_the_lockout(app) {
        app.setup_admin().await;
        for _ in 0..4 {
            login(&app, json!({"email": "admin@acme.test", "password": "wrong password!"})).await;
        }
        let (s, code, locked) = error_code(login(&app, json!({"email": "admin@acme.test", "password": "wrong password!"})).await).await;
        assert_eq!((s, code.as_str()), (401, "invalid_credentials"));
        let (s, code, _) = error_code(login(&app, json!({"email": "admin@acme.test", "password": PASSWORD})).await).await;
        assert_eq!((s, code.as_str()), (401, "invalid_credentials"));
        // An unknown email: the same answers, in the same words (no enumeration).
        let mut unknown = Vec::new();
        for _ in 0..5 {
            unknown.push(error_code(login(&app, json!({"email": "ghost@acme.test", "password": "wrong password!"})).await).await);
        }
        assert_eq!(unknown[0].0, 401);
        assert_eq!(unknown[4].0, 401);
        assert_eq!(unknown[4].1, "invalid_credentials");
        let words = |v: &Value| v["error"]["message"].as_str().unwrap().split(" (after").next().unwrap().to_owned();
        assert_eq!(words(&unknown[4].2), words(&locked));
        assert!(words(&locked).contains("Wait 15 minutes"));
    }

    async fn many_failures_from_one_address_are_throttled(app) {
        app.setup_admin().await;
        // 20 failures for 20 different emails from one client address…
        for n in 0..20 {
            let (s, _, _) = error_code(login(&app, json!({"email": format!("u{n}@acme.test"), "password": "wrong password!"})).await).await;
            assert_eq!(s, 401);
        }
        // …then even a right password from there waits.
        let res = login(&app, json!({"email": "admin@acme.test", "password": PASSWORD})).await;
        let retry: i64 = res.headers().get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
        let (s, code, _) = error_code(res).await;
        assert_eq!((s, code.as_str()), (429, "rate_limited"));
    }
}

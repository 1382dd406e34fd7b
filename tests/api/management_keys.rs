//! Management keys (SPEC §17) over HTTP: an Admin makes one with a user token; it then
//! manages API keys and webhook endpoints within its scopes, as a Developer would, and
//! nowhere else.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::*;

async fn call(
    app: &TestApp,
    bearer: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(bearer);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// A management key made by the Admin's `token`: (id, secret).
async fn make(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let (s, made) = call(
        app,
        token,
        reqwest::Method::POST,
        "/api/v1/management-keys",
        Some(body),
    )
    .await;
    assert_eq!(s, 201, "{made}");
    (
        made["data"]["id"].as_str().unwrap().to_owned(),
        made["data"]["secret"].as_str().unwrap().to_owned(),
    )
}

on_both_backends! {
    async fn a_management_key_makes_a_test_key_and_is_refused_a_live_one_without_the_grant(app) {
        use reqwest::Method;
        app.setup_admin().await;
        app.verify_merchant("Acme");
        let admin = app.api_token("admin@acme.test").await;
        let (id, mk) = make(&app, &admin, json!({
            "name": "Deploy pipeline", "scopes": ["api_keys:write"], "live": false,
            "allowed_ips": [], "expires_in_days": 30,
        })).await;
        assert!(mk.starts_with("mk_") && mk.len() == 41, "{mk}");
        assert!(id.starts_with("mgk_"));

        // Shown once: the key object never carries the secret again.
        let (s, one) = call(&app, &admin, Method::GET, &format!("/api/v1/management-keys/{id}"), None).await;
        assert_eq!(s, 200, "{one}");
        assert!(one["data"].get("secret").is_none());
        assert!(!one.to_string().contains(&mk));
        assert_eq!(one["data"]["scopes"], json!(["api_keys:write"]));
        assert_eq!(one["data"]["status"], "active");
        // Stored as SHA-256 only.
        let stored: Vec<String> = {
            use diesel::prelude::*;
            use paydesk::db::models::management_key::management_keys;
            let mut conn = app.db().conn().unwrap();
            management_keys::table.select(management_keys::secret_hash).load(&mut *conn).unwrap()
        };
        assert_eq!(stored, vec![paydesk::crypto::hash(&mk)]);

        // A test key: made, and audited with the management key as actor.
        let (s, key) = call(&app, &mk, Method::POST, "/api/v1/api-keys",
            Some(json!({"name": "ci", "mode": "test", "permissions": {"customers": "read"}}))).await;
        assert_eq!(s, 201, "{key}");
        assert!(key["data"]["secret_key"].as_str().unwrap().starts_with("sk_test_"));
        assert!(key["data"]["created_by"].as_str().unwrap().starts_with(&id), "{key}");
        let sk = key["data"]["secret_key"].as_str().unwrap().to_owned();
        assert_eq!(call(&app, &sk, Method::GET, "/api/v1/customers", None).await.0, 200);
        let key_id = key["data"]["id"].as_str().unwrap().to_owned();
        // The rest of its write scope, on a test key: edit, suspend, reactivate, roll.
        let path = format!("/api/v1/api-keys/{key_id}");
        assert_eq!(call(&app, &mk, Method::PATCH, &path, Some(json!({"name": "ci 2"}))).await.0, 200);
        assert_eq!(call(&app, &mk, Method::POST, &format!("{path}/suspend"), None).await.0, 200);
        assert_eq!(call(&app, &mk, Method::POST, &format!("{path}/reactivate"), None).await.0, 200);
        assert_eq!(call(&app, &mk, Method::GET, "/api/v1/api-keys", None).await.0, 200);

        // A live key: as a Developer, refused without the live grant.
        let (s, live) = call(&app, &mk, Method::POST, "/api/v1/api-keys",
            Some(json!({"name": "prod", "mode": "live", "permissions": "*"}))).await;
        assert_eq!((s, code(&live)), (403, "forbidden"), "{live}");
        assert!(live["error"]["message"].as_str().unwrap().contains("live grant"), "{live}");

        // With the grant it makes and rolls live keys, and nobody is asked for a password.
        let (_, live_mk) = make(&app, &admin, json!({
            "name": "Release", "scopes": ["api_keys:write"], "live": true, "expires_in_days": 7,
        })).await;
        let (s, prod) = call(&app, &live_mk, Method::POST, "/api/v1/api-keys",
            Some(json!({"name": "prod", "mode": "live", "permissions": "*"}))).await;
        assert_eq!(s, 201, "{prod}");
        let prod_id = prod["data"]["id"].as_str().unwrap();
        let (s, rolled) = call(&app, &live_mk, Method::POST, &format!("/api/v1/api-keys/{prod_id}/roll"), Some(json!({}))).await;
        assert_eq!(s, 201, "{rolled}");
        // Editing a live key stays an Admin's, grant or not.
        let (s, edit) = call(&app, &live_mk, Method::PATCH, &format!("/api/v1/api-keys/{}", rolled["data"]["id"].as_str().unwrap()),
            Some(json!({"name": "prod 2"}))).await;
        assert_eq!((s, code(&edit)), (403, "forbidden"), "{edit}");

        // Every action is in the audit log under the management key.
        let actors: Vec<String> = {
            use diesel::prelude::*;
            use paydesk::db::schema::merchants;
            let mut conn = app.db().conn().unwrap();
            let merchant: String = merchants::table.select(merchants::id).first(&mut *conn).unwrap();
            paydesk::db::models::audit::AuditEntry::list_for_target(&mut conn, &merchant, &key_id, 20)
                .unwrap()
                .into_iter()
                .map(|e| e.actor)
                .collect()
        };
        assert!(actors.len() >= 4, "{actors:?}");
        assert!(actors.iter().all(|a| a.starts_with(&id)), "{actors:?}");
    }

    async fn a_management_key_works_only_on_key_and_webhook_routes_within_its_scopes(app) {
        use reqwest::Method;
        app.setup_admin().await;
        let admin = app.api_token("admin@acme.test").await;
        let (_, reader) = make(&app, &admin, json!({
            "name": "Reader", "scopes": ["api_keys:read"], "expires_in_days": 1,
        })).await;

        // Outside its scopes: 403 naming the scope.
        let (s, body) = call(&app, &reader, Method::POST, "/api/v1/api-keys",
            Some(json!({"name": "x", "permissions": "*"}))).await;
        assert_eq!((s, code(&body)), (403, "insufficient_scope"), "{body}");
        assert_eq!(body["error"]["details"]["required_scope"], "api_keys:write");
        let (s, body) = call(&app, &reader, Method::GET, "/api/v1/webhook-endpoints", None).await;
        assert_eq!((s, code(&body)), (403, "insufficient_scope"), "{body}");
        assert_eq!(body["error"]["details"]["required_scope"], "webhook_endpoints:read");
        assert_eq!(call(&app, &reader, Method::GET, "/api/v1/api-keys", None).await.0, 200);

        // Webhook endpoints with their own scope (deliveries included).
        let (_, hooks) = make(&app, &admin, json!({
            "name": "Hooks", "scopes": ["webhook_endpoints:write"], "expires_in_days": 90,
        })).await;
        let (s, we) = call(&app, &hooks, Method::POST, "/api/v1/webhook-endpoints",
            Some(json!({"url": "http://127.0.0.1:9/hook"}))).await;
        assert_eq!(s, 201, "{we}");
        let we_id = we["data"]["id"].as_str().unwrap();
        let (s, d) = call(&app, &hooks, Method::GET, &format!("/api/v1/webhook-endpoints/{we_id}/deliveries"), None).await;
        assert_eq!(s, 200, "{d}");
        assert_eq!(call(&app, &hooks, Method::GET, "/api/v1/api-keys", None).await.0, 403);

        // Payments routes: not an API key.
        for (method, path) in [(Method::GET, "/api/v1/payments"), (Method::GET, "/api/v1/whoami"), (Method::GET, "/api/v1/customers")] {
            let (s, body) = call(&app, &reader, method, path, None).await;
            assert_eq!((s, code(&body)), (401, "invalid_api_key"), "{path}: {body}");
        }
        // Never management keys, sign-out or anything else for user tokens only.
        let (s, body) = call(&app, &reader, Method::POST, "/api/v1/management-keys",
            Some(json!({"name": "more", "scopes": ["api_keys:write"], "expires_in_days": 5}))).await;
        assert_eq!((s, code(&body)), (401, "invalid_token"), "{body}");
        assert_eq!(call(&app, &reader, Method::GET, "/api/v1/management-keys", None).await.0, 401);
        assert_eq!(call(&app, &reader, Method::POST, "/api/v1/auth/logout", None).await.0, 401);
        // Nor the dashboard: a Bearer header is no session.
        let res = app.browser().client.get(app.url("/team")).bearer_auth(&reader).send().await.unwrap();
        assert_eq!(res.status(), 303);

        // A secret key is not accepted where a management key is.
        let (_, key) = call(&app, &admin, Method::POST, "/api/v1/api-keys",
            Some(json!({"name": "sk", "permissions": "*"}))).await;
        let sk = key["data"]["secret_key"].as_str().unwrap();
        let (s, body) = call(&app, sk, Method::GET, "/api/v1/api-keys", None).await;
        assert_eq!((s, code(&body)), (401, "invalid_token"), "{body}");
        // A made-up or mistyped management key is refused like a bad key.
        let last = if reader.ends_with('x') { 'y' } else { 'x' };
        let typo = format!("{}{last}", &reader[..reader.len() - 1]);
        let (s, body) = call(&app, &typo, Method::GET, "/api/v1/api-keys", None).await;
        assert_eq!((s, code(&body)), (401, "invalid_api_key"), "{body}");
    }

    async fn a_management_key_needs_an_expiry_of_at_most_90_days_and_valid_scopes(app) {
        use reqwest::Method;
        app.setup_admin().await;
        let admin = app.api_token("admin@acme.test").await;
        for (body, field) in [
            (json!({"name": "x", "scopes": ["api_keys:read"]}), "expires_in_days"),
            (json!({"name": "x", "scopes": ["api_keys:read"], "expires_in_days": 91}), "expires_in_days"),
            (json!({"name": "x", "scopes": ["api_keys:read"], "expires_in_days": 0}), "expires_in_days"),
            (json!({"name": "x", "scopes": ["api_keys:read"], "expires_in_days": "30"}), "expires_in_days"),
            (json!({"name": "x", "scopes": ["payments:write"], "expires_in_days": 30}), "scopes"),
            (json!({"name": "x", "scopes": [], "expires_in_days": 30}), "scopes"),
            (json!({"name": "x", "scopes": ["api_keys:read", "api_keys:read", "api_keys:read", "api_keys:read", "api_keys:read"], "expires_in_days": 30}), "scopes"),
            (json!({"name": "", "scopes": ["api_keys:read"], "expires_in_days": 30}), "name"),
            (json!({"name": "x", "scopes": ["api_keys:read"], "expires_in_days": 30, "allowed_ips": ["10.0.0.5/24"]}), "allowed_ips"),
            (json!({"name": "x", "scopes": ["api_keys:read"], "expires_in_days": 30, "sudo": true}), "sudo"),
        ] {
            let (s, answer) = call(&app, &admin, Method::POST, "/api/v1/management-keys", Some(body.clone())).await;
            assert_eq!((s, code(&answer)), (400, "invalid_request"), "{body}: {answer}");
            assert!(answer["error"]["details"]["fields"][field].is_string(), "{body}: {answer}");
        }
        // Everything wrong at once.
        let (_, answer) = call(&app, &admin, Method::POST, "/api/v1/management-keys", Some(json!({"scopes": ["nope"]}))).await;
        let fields = &answer["error"]["details"]["fields"];
        assert!(fields["name"].is_string() && fields["scopes"].is_string() && fields["expires_in_days"].is_string(), "{answer}");

        // A whole number written as a float is that number.
        let (s, answer) = call(&app, &admin, Method::POST, "/api/v1/management-keys",
            Some(json!({"name": "x", "scopes": ["api_keys:read"], "expires_in_days": 30.0}))).await;
        assert_eq!(s, 201, "{answer}");

        // The live grant is live power: it needs a sign-in from the last 15 minutes.
        app.age_sudo();
        let live = json!({"name": "x", "scopes": ["api_keys:write"], "live": true, "expires_in_days": 30});
        let (s, answer) = call(&app, &admin, Method::POST, "/api/v1/management-keys", Some(live)).await;
        assert_eq!((s, code(&answer)), (403, "reauthentication_required"), "{answer}");
        let (s, answer) = call(&app, &admin, Method::POST, "/api/v1/management-keys",
            Some(json!({"name": "x", "scopes": ["api_keys:write"], "expires_in_days": 30}))).await;
        assert_eq!(s, 201, "without the grant no sudo is asked: {answer}");

        // Only an Admin makes them.
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.api_token("dev@acme.test").await;
        let (s, answer) = call(&app, &dev, Method::POST, "/api/v1/management-keys",
            Some(json!({"name": "x", "scopes": ["api_keys:read"], "expires_in_days": 30}))).await;
        assert_eq!((s, code(&answer)), (403, "forbidden"), "{answer}");
        assert_eq!(call(&app, &dev, Method::GET, "/api/v1/management-keys", None).await.0, 403);
    }

    async fn a_suspended_revoked_or_elsewhere_used_management_key_is_refused_at_once(app) {
        use reqwest::Method;
        app.setup_admin().await;
        let admin = app.api_token("admin@acme.test").await;
        let (id, mk) = make(&app, &admin, json!({
            "name": "Ops", "scopes": ["api_keys:read"], "expires_in_days": 10,
        })).await;
        let (_, fenced) = make(&app, &admin, json!({
            "name": "Fenced", "scopes": ["api_keys:read"], "expires_in_days": 10, "allowed_ips": ["203.0.113.7"],
        })).await;
        let (s, body) = call(&app, &fenced, Method::GET, "/api/v1/api-keys", None).await;
        assert_eq!((s, code(&body)), (403, "ip_not_allowed"), "{body}");
        assert_eq!(body["error"]["details"]["your_ip"], "127.0.0.1");

        assert_eq!(call(&app, &mk, Method::GET, "/api/v1/api-keys", None).await.0, 200);
        let key = format!("/api/v1/management-keys/{id}");
        let (s, body) = call(&app, &admin, Method::POST, &format!("{key}/suspend"), Some(json!({}))).await;
        assert_eq!((s, body["data"]["status"].as_str()), (200, Some("suspended")), "{body}");
        let (s, body) = call(&app, &mk, Method::GET, "/api/v1/api-keys", None).await;
        assert_eq!((s, code(&body)), (403, "api_key_suspended"), "{body}");
        assert_eq!(call(&app, &admin, Method::POST, &format!("{key}/reactivate"), None).await.0, 200);
        assert_eq!(call(&app, &mk, Method::GET, "/api/v1/api-keys", None).await.0, 200);
        let (s, body) = call(&app, &admin, Method::DELETE, &key, None).await;
        assert_eq!((s, body["data"]["status"].as_str()), (200, Some("revoked")), "{body}");
        let (s, body) = call(&app, &mk, Method::GET, "/api/v1/api-keys", None).await;
        assert_eq!((s, code(&body)), (401, "invalid_api_key"), "{body}");
        let (s, body) = call(&app, &admin, Method::POST, &format!("{key}/reactivate"), None).await;
        assert_eq!((s, code(&body)), (409, "invalid_state"), "{body}");

        // Listed, newest first, with its use.
        let (s, list) = call(&app, &admin, Method::GET, "/api/v1/management-keys?limit=1", None).await;
        assert_eq!(s, 200, "{list}");
        assert_eq!(list["data"]["has_more"], true);
        assert_eq!(list["data"]["data"].as_array().unwrap().len(), 1);
        // Uses are written in batches (every 100 ms in tests): poll, never sleep blindly.
        let mut seen = Value::Null;
        for _ in 0..100 {
            seen = call(&app, &admin, Method::GET, &key, None).await.1;
            if seen["data"]["request_count"].as_i64() >= Some(2) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // The two admitted requests; refusals are not uses.
        assert_eq!(seen["data"]["request_count"], 2, "{seen}");
        assert_eq!(seen["data"]["last_used_ip"], "127.0.0.1", "{seen}");
    }

    async fn the_hub_makes_shows_once_lists_and_revokes_a_management_key(app) {
        app.setup_admin().await;
        let page = app.get_html("/management-keys/new").await;
        assert!(page.contains("Expires after (days)"), "{page}");
        let token = page.split("name=\"form_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        // A missing expiry is named beside its field, and what was typed is kept.
        let res = app.post_form("/management-keys/new", "/management-keys", &[
            ("name", "Deploy"), ("scopes", "api_keys:write"), ("expires_in_days", ""), ("form_token", &token),
        ]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"expires_in_days-error\""), "{html}");
        assert!(html.contains("value=\"Deploy\""));
        let res = app.post_form("/management-keys/new", "/management-keys", &[
            ("name", "Deploy"), ("scopes", "api_keys:write"), ("scopes", "webhook_endpoints:read"),
            ("expires_in_days", "120"), ("form_token", &token),
        ]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("at most 90 days"));
        let res = app.post_form("/management-keys/new", "/management-keys", &[
            ("name", "Deploy"), ("scopes", "api_keys:write"), ("scopes", "webhook_endpoints:read"),
            ("expires_in_days", "30"), ("form_token", &token),
        ]).await;
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        let secret = html.split("data-testid=\"management-key\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
        assert!(secret.starts_with("mk_"), "{html}");
        // The same form again makes nothing and shows nothing.
        let res = app.post_form("/management-keys/new", "/management-keys", &[
            ("name", "Deploy"), ("scopes", "api_keys:write"), ("expires_in_days", "30"), ("form_token", &token),
        ]).await;
        assert_eq!(res.status(), 303);
        let detail = res.headers()["location"].to_str().unwrap().to_owned();
        let page = app.get_html(&detail).await;
        assert!(!page.contains(&secret));
        assert!(page.contains("webhook_endpoints:read"));
        // The key works, and its use shows on its page.
        let res = app.browser().client.get(app.url("/api/v1/api-keys")).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let list = app.get_html("/management-keys").await;
        assert!(list.contains("Deploy") && !list.contains(&secret));
        let path = detail.split('?').next().unwrap().to_owned();
        let res = app.post_form(&format!("{path}/revoke"), &format!("{path}/revoke"), &[]).await;
        assert_eq!(res.status(), 303);
        assert!(app.get_html(&path).await.contains("revoked"));
        let res = app.browser().client.get(app.url("/api/v1/api-keys")).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(res.status(), 401);
        // A Developer is not offered them.
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        assert_eq!(dev.get("/management-keys").await.status(), 403);
        assert!(!dev.get_html("/keys").await.contains("/management-keys"));
    }
}

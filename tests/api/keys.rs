//! The key-management API (SPEC §6) with user tokens.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::*;

struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl Api<'_> {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .app
            .client
            .request(method, self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        assert!(res.headers().contains_key("request-id"));
        (res.status().as_u16(), res.json().await.unwrap())
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }
    async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::DELETE, path, None).await
    }
}

async fn api<'a>(app: &'a TestApp, email: &str) -> Api<'a> {
    Api {
        app,
        token: app.api_token(email).await,
    }
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

on_both_backends! {
    async fn the_key_list_pages_newest_first_with_limit_and_starting_after(app) {
        app.setup_admin().await;
        let a = api(&app, "admin@acme.test").await;
        let mut made = Vec::new();
        for name in ["one", "two", "three"] {
            let (s, key) = a.post("/api/v1/api-keys", json!({"name": name, "permissions": "*"})).await;
            assert_eq!(s, 201);
            made.push(key["data"]["id"].as_str().unwrap().to_owned());
        }
        let ids = |body: &Value| -> Vec<String> {
            body["data"]["data"].as_array().unwrap().iter().map(|k| k["id"].as_str().unwrap().to_owned()).collect()
        };
        let (s, all) = a.get("/api/v1/api-keys").await;
        assert_eq!(s, 200);
        let order = ids(&all);
        assert_eq!(order.len(), 3);
        let mut expected = made.clone();
        expected.sort();
        let mut got = order.clone();
        got.sort();
        assert_eq!(got, expected, "every key, once");
        let (_, first) = a.get("/api/v1/api-keys?limit=2").await;
        assert_eq!((ids(&first), first["data"]["has_more"].as_bool()), (order[..2].to_vec(), Some(true)));
        let (_, rest) = a.get(&format!("/api/v1/api-keys?limit=2&starting_after={}", order[1])).await;
        assert_eq!((ids(&rest), rest["data"]["has_more"].as_bool()), (order[2..].to_vec(), Some(false)));
        for bad in ["limit=0", "limit=101", "limit=ten"] {
            let (s, body) = a.get(&format!("/api/v1/api-keys?{bad}")).await;
            assert_eq!((s, code(&body)), (400, "invalid_request"), "{bad}");
            assert!(body["error"]["details"]["fields"]["limit"].is_string(), "{body}");
        }
        let (s, body) = a.get("/api/v1/api-keys?starting_after=key_nope").await;
        assert_eq!((s, code(&body)), (400, "invalid_request"));
        assert!(body["error"]["details"]["fields"]["starting_after"].is_string());
    }

    async fn allowed_ips_are_never_dropped_or_rewritten(app) {
        app.setup_admin().await;
        let a = api(&app, "admin@acme.test").await;
        let (s, body) = a.post("/api/v1/api-keys", json!({"name": "k", "permissions": "*", "allowed_ips": ["10.0.0.5/24"]})).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"));
        let why = body["error"]["details"]["fields"]["allowed_ips"].as_str().unwrap();
        assert!(why.contains("10.0.0.5/24") && why.contains("10.0.0.0/24"), "{why}");
        let (s, body) = a.post("/api/v1/api-keys", json!({"name": "k", "permissions": "*", "allowed_ips": ["203.0.113.7", " "]})).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"), "a blank entry would have made the key unrestricted");
        assert!(body["error"]["details"]["fields"]["allowed_ips"].as_str().unwrap().contains("An entry is empty"));
        let (s, body) = a.post("/api/v1/api-keys", json!({"name": "k", "permissions": "*", "allowed_ips": ["203.0.113.7", "10.0.0.0/24"]})).await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["data"]["allowed_ips"], json!(["203.0.113.7", "10.0.0.0/24"]));
    }

    async fn keys_are_created_listed_and_shown_without_their_secret(app) {
        app.setup_admin().await;
        let a = api(&app, "admin@acme.test").await;
        let (s, body) = a.post("/api/v1/api-keys", json!({
            "name": "Checkout", "mode": "test", "permissions": {"payments": "write", "customers": "read"},
            "allowed_ips": ["203.0.113.0/24", "2001:db8::/64"], "rate_limit": 500, "expires_in_days": 30,
            "api_version": "2025-06-01", "require_signature": true
        })).await;
        assert_eq!(s, 201, "{body}");
        let key = &body["data"];
        let secret = key["secret_key"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("sk_test_") && key["publishable_key"].as_str().unwrap().starts_with("pk_test_"));
        assert!(key["id"].as_str().unwrap().starts_with("key_"));
        assert_eq!(key["permissions"], json!({"customers": "read", "payments": "write"}));
        assert_eq!(key["allowed_ips"], json!(["203.0.113.0/24", "2001:db8::/64"]));
        assert_eq!(key["rate_limit"], 500);
        assert_eq!(key["status"], "active");
        assert_eq!(key["created_by"], "admin@acme.test");
        assert_eq!(key["secret_hint"], format!("sk_test_…{}", &secret[secret.len() - 4..]));
        assert!(key["expires_at"].as_str().is_some());
        let id = key["id"].as_str().unwrap();

        let (_, list) = a.get("/api/v1/api-keys").await;
        assert_eq!(list["data"]["object"], "list");
        assert_eq!(list["data"]["data"].as_array().unwrap().len(), 1);
        let (_, one) = a.get(&format!("/api/v1/api-keys/{id}")).await;
        for body in [&list, &one] {
            let text = body.to_string();
            assert!(!text.contains(&secret) && !text.contains("secret_key"), "{text}");
        }
        // The Hub's show-once page does not show an API-created secret either.
        let reveal = app.get_html(&format!("/keys/{id}/reveal")).await;
        assert!(!reveal.contains(&secret));

        let (_, live) = a.get("/api/v1/api-keys?mode=live").await;
        assert_eq!(live["data"]["data"].as_array().unwrap().len(), 0);
        let (s, bad) = a.get("/api/v1/api-keys?status=sleeping").await;
        assert_eq!((s, code(&bad)), (400, "invalid_request"));
    }

    async fn bad_key_requests_name_the_field(app) {
        app.setup_admin().await;
        let a = api(&app, "admin@acme.test").await;
        let (s, body) = a.post("/api/v1/api-keys", json!({
            "name": "", "mode": "test", "permissions": {"balance": "write"}, "allowed_ips": ["10.0.0.300"], "rate_limit": 0
        })).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"), "{body}");
        let fields = &body["error"]["details"]["fields"];
        for f in ["name", "permissions", "allowed_ips", "rate_limit"] {
            assert!(fields[f].is_string(), "{f} not named: {body}");
        }
        assert!(fields["permissions"].as_str().unwrap().contains("balance has no write level"));
        let (s, body) = a.post("/api/v1/api-keys", json!({"name": "x", "permissions": "*", "colour": "red"})).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"));
        assert_eq!(body["error"]["details"]["fields"]["colour"], "unknown field", "{body}");
        let (s, body) = a.post("/api/v1/api-keys", json!({"name": "x", "permissions": "*", "api_version": "2020-01-01"})).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"));
        assert!(body["error"]["details"]["fields"]["api_version"].as_str().unwrap().contains("2026-05-27"));
        let (s, _) = a.get("/api/v1/api-keys").await;
        assert_eq!(s, 200);
    }

    async fn roles_and_modes_decide_who_manages_which_key(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        app.add_member("view@acme.test", "viewer").await;
        let admin = api(&app, "admin@acme.test").await;
        let dev = api(&app, "dev@acme.test").await;
        let viewer = api(&app, "view@acme.test").await;

        let (s, body) = viewer.get("/api/v1/api-keys").await;
        assert_eq!((s, code(&body)), (403, "forbidden"));
        let (s, body) = admin.post("/api/v1/api-keys", json!({"name": "Live", "mode": "live", "permissions": "*"})).await;
        assert_eq!((s, code(&body)), (403, "live_mode_unavailable"));
        app.verify_merchant("Acme");
        let (s, body) = dev.post("/api/v1/api-keys", json!({"name": "Live", "mode": "live", "permissions": "*"})).await;
        assert_eq!((s, code(&body)), (403, "forbidden"));
        let (s, live) = admin.post("/api/v1/api-keys", json!({"name": "Live", "mode": "live", "permissions": "*"})).await;
        assert_eq!(s, 201);
        assert!(live["data"]["secret_key"].as_str().unwrap().starts_with("sk_live_"));
        let live_id = live["data"]["id"].as_str().unwrap();
        // A Developer cannot make a live pair by rolling, but can stop a leaked live key.
        let (s, body) = dev.post(&format!("/api/v1/api-keys/{live_id}/roll"), json!({})).await;
        assert_eq!((s, code(&body)), (403, "forbidden"));
        let (s, body) = dev.post(&format!("/api/v1/api-keys/{live_id}/suspend"), json!({})).await;
        assert_eq!((s, body["data"]["status"].as_str()), (200, Some("suspended")));
        // …and cannot bring it back or widen it (the escalation an attacker would want).
        let (s, body) = dev.post(&format!("/api/v1/api-keys/{live_id}/reactivate"), json!({})).await;
        assert_eq!((s, code(&body)), (403, "forbidden"));
        let (s, body) = dev.patch(&format!("/api/v1/api-keys/{live_id}"), json!({"permissions": "*", "allowed_ips": []})).await;
        assert_eq!((s, code(&body)), (403, "forbidden"));
        let (_, still) = admin.get(&format!("/api/v1/api-keys/{live_id}")).await;
        assert_eq!(still["data"]["status"], "suspended");
        let (s, body) = dev.delete(&format!("/api/v1/api-keys/{live_id}")).await;
        assert_eq!((s, body["data"]["status"].as_str()), (200, Some("revoked")));
        let (s, _) = dev.post("/api/v1/api-keys", json!({"name": "Dev test", "mode": "test", "permissions": {"events": "read"}})).await;
        assert_eq!(s, 201);

        // An API key is not a user token.
        let secret = live["data"]["secret_key"].as_str().unwrap();
        let res = app.client.get(app.url("/api/v1/api-keys")).bearer_auth(secret).send().await.unwrap();
        assert_eq!(res.status(), 401);
        let body: Value = res.json().await.unwrap();
        assert_eq!(code(&body), "invalid_token");

        // Another merchant's key is not found.
        app.create_user("other@globex.test", "admin", "Globex");
        let other = api(&app, "other@globex.test").await;
        for (s, body) in [other.get(&format!("/api/v1/api-keys/{live_id}")).await, other.delete(&format!("/api/v1/api-keys/{live_id}")).await] {
            assert_eq!((s, code(&body)), (404, "not_found"));
        }
        let (_, list) = other.get("/api/v1/api-keys").await;
        assert_eq!(list["data"]["data"].as_array().unwrap().len(), 0);
    }

    async fn status_changes_edits_and_rolls_over_the_api(app) {
        app.setup_admin().await;
        let a = api(&app, "admin@acme.test").await;
        let (_, created) = a.post("/api/v1/api-keys", json!({"name": "K", "permissions": {"customers": "read"}, "rate_limit": 42})).await;
        let id = created["data"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/api-keys/{id}");

        let (s, body) = a.patch(&path, json!({"permissions": {"customers": "write", "refunds": "read"}, "name": "K2", "api_version": "2025-06-01"})).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["data"]["permissions"], json!({"customers": "write", "refunds": "read"}));
        assert_eq!(body["data"]["name"], "K2");
        assert_eq!(body["data"]["rate_limit"], 42, "untouched settings stay");
        let (_, body) = a.patch(&path, json!({"api_version": null})).await;
        assert_eq!(body["data"]["api_version"], Value::Null);
        let (s, body) = a.patch(&path, json!({"mode": "live"})).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"));

        let (_, body) = a.post(&format!("{path}/suspend"), json!({})).await;
        assert_eq!(body["data"]["status"], "suspended");
        let (_, body) = a.post(&format!("{path}/reactivate"), json!({})).await;
        assert_eq!(body["data"]["status"], "active");

        let (s, rolled) = a.post(&format!("{path}/roll"), json!({"grace_period_seconds": 86400})).await;
        assert_eq!(s, 201, "{rolled}");
        let new = &rolled["data"];
        assert!(new["secret_key"].as_str().unwrap().starts_with("sk_test_"));
        assert_ne!(new["id"], json!(id));
        assert_eq!(new["permissions"], json!({"customers": "write", "refunds": "read"}));
        assert_eq!(new["rate_limit"], 42);
        assert_eq!(new["name"], "K2");
        assert_eq!(new["rolled_from"]["rolled_to"], new["id"]);
        assert_eq!(new["rolled_from"]["status"], "active");
        let (s, body) = a.post(&format!("{path}/roll"), json!({"grace_period_seconds": 60})).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"));
        // A key is rolled once; its successor is rolled next (so no key outlives its grace).
        let (s, body) = a.post(&format!("{path}/roll"), json!({"grace_period_seconds": 3600})).await;
        assert_eq!((s, code(&body)), (409, "invalid_state"));

        let (s, body) = a.delete(&path).await;
        assert_eq!((s, body["data"]["status"].as_str()), (200, Some("revoked")));
        let (s, body) = a.post(&format!("{path}/reactivate"), json!({})).await;
        assert_eq!((s, code(&body)), (409, "invalid_state"));
        let (s, body) = a.patch(&path, json!({"name": "zombie"})).await;
        assert_eq!((s, code(&body)), (409, "invalid_state"));
        let (s, _) = a.delete(&path).await;
        assert_eq!(s, 200, "revoking twice is harmless");
        let (s, body) = a.get("/api/v1/api-keys/key_doesnotexist").await;
        assert_eq!((s, code(&body)), (404, "not_found"));

        // Every action reached the audit log.
        let audit = app.get_html("/audit").await;
        for action in ["api_key.created", "api_key.updated", "api_key.suspended", "api_key.reactivated", "api_key.rolled", "api_key.revoked"] {
            assert!(audit.contains(action), "{action}");
        }
    }
}

on_both_backends! {
    async fn of_ten_concurrent_rolls_of_one_key_exactly_one_succeeds(app) {
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token)
            .json(&json!({"name": "K", "permissions": "*"})).send().await.unwrap();
        let created: Value = res.json().await.unwrap();
        let id = created["data"]["id"].as_str().unwrap().to_owned();
        let url = app.url(&format!("/api/v1/api-keys/{id}/roll"));
        let mut rolls = tokio::task::JoinSet::new();
        for _ in 0..10 {
            rolls.spawn(app.client.post(&url).bearer_auth(&token).json(&json!({"grace_period_seconds": 3600})).send());
        }
        let mut answers = Vec::new();
        while let Some(res) = rolls.join_next().await {
            let res = res.unwrap().unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            answers.push((status, body["error"]["code"].as_str().unwrap_or("").to_owned()));
        }
        answers.sort();
        let mut expected = vec![(201, String::new())];
        expected.extend(std::iter::repeat_n((409, "invalid_state".to_owned()), 9));
        assert_eq!(answers, expected);
        // One successor exists, and the old key points at it.
        let res = app.client.get(app.url("/api/v1/api-keys?limit=100")).bearer_auth(&token).send().await.unwrap();
        let list: Value = res.json().await.unwrap();
        assert_eq!(list["data"]["data"].as_array().unwrap().len(), 2, "{list}");
    }

    async fn a_stale_token_cannot_open_a_live_key_to_more_addresses(app) {
        app.setup_admin().await;
        app.verify_merchant("Acme");
        let token = app.api_token("admin@acme.test").await;
        let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token)
            .json(&json!({"name": "Live", "mode": "live", "permissions": "*", "allowed_ips": ["203.0.113.7", "10.0.0.0/24"]})).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        let path = app.url(&format!("/api/v1/api-keys/{}", created["data"]["id"].as_str().unwrap()));
        app.age_sudo();
        let patch = |ips: Value| app.client.patch(&path).bearer_auth(&token).json(&json!({"allowed_ips": ips})).send();
        for wider in [
            json!(["203.0.113.7", "10.0.0.0/24", "0.0.0.0/0"]),
            json!(["203.0.113.7", "10.0.0.0/24", "198.51.100.1"]),
            json!(["203.0.113.7", "10.0.0.0/16"]),
            json!([]),
        ] {
            let res = patch(wider.clone()).await.unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            assert_eq!((status, code(&body)), (403, "reauthentication_required"), "{wider}");
        }
        // Narrowing needs no sudo.
        let res = patch(json!(["10.0.0.0/25"])).await.unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["data"]["allowed_ips"], json!(["10.0.0.0/25"]));
    }
}

/// `GET /whoami` with a publishable key alone (as the bearer), or a pair (X-API-Key +
/// X-API-Secret).
async fn whoami(app: &TestApp, publishable: &str, secret: Option<&str>) -> (u16, Value) {
    let req = app.client.get(app.url("/api/v1/whoami"));
    let req = match secret {
        Some(s) => req
            .header("X-API-Key", publishable)
            .header("X-API-Secret", s),
        None => req.bearer_auth(publishable),
    };
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

on_both_backends! {
    async fn rolling_keeps_the_publishable_key_unless_asked_to_replace_it(app) {
        let token = crate::payments::admin_token(&app).await;
        let a = Api { app: &app, token: token.clone() };
        let old = crate::payments::make_key(&app, &token, json!({"name": "front", "permissions": "*"})).await;
        let (s, rolled) = a.post(&format!("/api/v1/api-keys/{}/roll", old.id), json!({"grace_period_seconds": 3600})).await;
        assert_eq!(s, 201, "{rolled}");
        let new = &rolled["data"];
        let new_secret = new["secret_key"].as_str().unwrap();
        assert_eq!(new["publishable_key"], json!(old.publishable), "kept: {new}");
        // The publishable key alone now acts for the new key; it pairs with the new
        // secret, and with the old one during the grace period.
        let (s, who) = whoami(&app, &old.publishable, None).await;
        assert_eq!((s, &who["data"]["key_id"]), (200, &new["id"]), "{who}");
        let (s, who) = whoami(&app, &old.publishable, Some(new_secret)).await;
        assert_eq!((s, &who["data"]["key_id"]), (200, &new["id"]), "{who}");
        let (s, who) = whoami(&app, &old.publishable, Some(&old.secret)).await;
        assert_eq!((s, who["data"]["key_id"].as_str()), (200, Some(old.id.as_str())), "{who}");

        // Asked to, the roll replaces it: the old publishable key ends with the old secret.
        let other = crate::payments::make_key(&app, &token, json!({"name": "leaked", "permissions": "*"})).await;
        let (s, rolled) = a.post(&format!("/api/v1/api-keys/{}/roll", other.id), json!({"grace_period_seconds": 0, "roll_publishable": true})).await;
        assert_eq!(s, 201, "{rolled}");
        let new = &rolled["data"];
        let new_pk = new["publishable_key"].as_str().unwrap();
        assert!(new_pk.starts_with("pk_test_") && new_pk != other.publishable, "{new}");
        let (s, who) = whoami(&app, new_pk, Some(new["secret_key"].as_str().unwrap())).await;
        assert_eq!((s, &who["data"]["key_id"]), (200, &new["id"]), "{who}");
        let (s, who) = whoami(&app, new_pk, None).await;
        assert_eq!((s, &who["data"]["key_id"]), (200, &new["id"]), "{who}");
        let (s, body) = whoami(&app, &other.publishable, None).await;
        assert_eq!((s, code(&body)), (401, "api_key_expired"), "{body}");
        // The flag is a boolean.
        let (s, body) = a.post(&format!("/api/v1/api-keys/{}/roll", new["id"].as_str().unwrap()), json!({"roll_publishable": "yes"})).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"), "{body}");
    }
}

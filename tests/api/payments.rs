//! The key-authenticated payments API: the gate's refusals, the scope matrix generated
//! from the route table, isolation, and every resource end to end.

use paydesk::api::routes::{Guard, table};
use paydesk::keys::permissions::RESOURCES;
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::*;

/// A key pair made through the key-management API.
#[derive(Clone)]
pub struct Key {
    pub id: String,
    pub secret: String,
    pub publishable: String,
}

/// Signs up "Acme" and returns a user token for it.
pub async fn admin_token(app: &TestApp) -> String {
    app.setup_admin().await;
    app.api_token("admin@acme.test").await
}

pub async fn make_key(app: &TestApp, token: &str, body: Value) -> Key {
    let res = app
        .client
        .post(app.url("/api/v1/api-keys"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    let d = &v["data"];
    Key {
        id: d["id"]
            .as_str()
            .unwrap_or_else(|| panic!("key not created: {v}"))
            .to_owned(),
        secret: d["secret_key"].as_str().unwrap().to_owned(),
        publishable: d["publishable_key"].as_str().unwrap().to_owned(),
    }
}

pub async fn call(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    assert!(
        res.headers().contains_key("request-id"),
        "no Request-Id on {path}"
    );
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn get(app: &TestApp, key: &str, path: &str) -> (u16, Value) {
    call(app, key, Method::GET, path, None).await
}

pub async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    call(app, key, Method::POST, path, Some(body)).await
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// The ids in a list response.
fn ids(v: &Value) -> Vec<String> {
    v["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    async fn every_route_answers_each_permission_level_as_the_table_says(app) {
        let token = admin_token(&app).await;
        let none = make_key(&app, &token, json!({"name": "none", "permissions": {}})).await;
        let full = make_key(&app, &token, json!({"name": "full", "permissions": "*"})).await;
        let mut keys = Vec::new();
        for info in RESOURCES {
            for &level in &info.levels[1..] {
                let key = make_key(&app, &token, json!({"name": format!("{}:{}", info.name, level.as_str()), "permissions": {info.name: level.as_str()}})).await;
                keys.push((info.resource, level, key));
            }
        }
        let mut checked = 0;
        for endpoint in table() {
            let Guard::Key(policy) = endpoint.guard else { continue };
            let path = endpoint.path.replace("{id}", "xyz_doesnotexist");
            let method = Method::from_bytes(endpoint.method.as_str().as_bytes()).unwrap();
            let body = (method != Method::GET).then(|| json!({}));
            let allowed = |s: u16| s != 401 && s != 403;

            // The publishable key: only its three endpoints.
            let (s, v) = call(&app, &full.publishable, method.clone(), &path, body.clone()).await;
            if policy.publishable {
                assert!(allowed(s), "pk on {} {path}: {s} {v}", endpoint.method);
            } else {
                assert_eq!((s, code(&v)), (403, "forbidden"), "pk on {} {path}", endpoint.method);
            }
            // Full access passes every route.
            let (s, v) = call(&app, &full.secret, method.clone(), &path, body.clone()).await;
            assert!(allowed(s), "* on {} {path}: {s} {v}", endpoint.method);
            // No permissions, and each level of each resource.
            let mut cases = vec![(None, &none)];
            cases.extend(keys.iter().map(|(r, l, k)| (Some((*r, *l)), k)));
            for (grant, key) in cases {
                let expected = match policy.needs {
                    None => true,
                    Some((resource, needed)) => grant.is_some_and(|(r, l)| r == resource && l >= needed),
                };
                let (s, v) = call(&app, &key.secret, method.clone(), &path, body.clone()).await;
                if expected {
                    assert!(allowed(s), "{grant:?} on {} {path}: {s} {v}", endpoint.method);
                } else {
                    let (resource, needed) = policy.needs.unwrap();
                    assert_eq!((s, code(&v)), (403, "insufficient_scope"), "{grant:?} on {} {path}: {v}", endpoint.method);
                    assert_eq!(v["error"]["details"]["required_scope"], format!("{}:{}", resource.name(), needed.as_str()));
                }
                checked += 1;
            }
        }
        assert!(checked > 300, "only {checked} cases");
        // A publishable key acts with its pair's permissions, never more.
        let (s, v) = get(&app, &none.publishable, "/plans").await;
        assert_eq!((s, code(&v)), (403, "insufficient_scope"));
        let (_, v) = get(&app, &none.publishable, "/whoami").await;
        assert_eq!(v["data"]["scopes"], json!([]));
        let (_, v) = get(&app, &full.publishable, "/whoami").await;
        assert_eq!(v["data"]["scopes"], json!(["plans:read"]));
    }

    async fn each_refusal_has_its_code(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "k", "permissions": {"customers": "read"}})).await;
        let whoami = |h: Vec<(&'static str, String)>| {
            let mut req = app.client.get(app.url("/api/v1/customers"));
            for (k, v) in h {
                req = req.header(k, v);
            }
            req.send()
        };
        let status_code = |res: reqwest::Response| async move {
            let s = res.status().as_u16();
            let v: Value = res.json().await.unwrap();
            (s, code(&v).to_owned())
        };
        for headers in [vec![], vec![("authorization", "Basic abc".to_string())], vec![("authorization", "Bearer ".to_string())], vec![("x-api-key", key.publishable.clone())]] {
            let (s, c) = status_code(whoami(headers).await.unwrap()).await;
            assert_eq!((s, c.as_str()), (401, "missing_authorization"));
        }
        let mut typo = key.secret.clone();
        typo.replace_range(20..21, if &typo[20..21] == "a" { "b" } else { "a" });
        let made_up = paydesk::keys::format::generate(paydesk::keys::KeyKind::Secret, paydesk::keys::Mode::Test);
        for bad in [typo, made_up, "sk_test_short".into()] {
            let (s, c) = status_code(whoami(vec![("authorization", format!("Bearer {bad}"))]).await.unwrap()).await;
            assert_eq!((s, c.as_str()), (401, "invalid_api_key"), "{bad}");
        }
        // The pair headers: matching pair works, a mismatched pair is refused.
        let other = make_key(&app, &token, json!({"name": "other", "permissions": "*"})).await;
        let (s, _) = status_code(whoami(vec![("x-api-key", key.publishable.clone()), ("x-api-secret", key.secret.clone())]).await.unwrap()).await;
        assert_eq!(s, 200);
        let (s, c) = status_code(whoami(vec![("x-api-key", other.publishable.clone()), ("x-api-secret", key.secret.clone())]).await.unwrap()).await;
        assert_eq!((s, c.as_str()), (401, "invalid_api_key"));
    }

    async fn key_changes_apply_on_the_very_next_request(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "k", "permissions": {"customers": "read"}})).await;
        let manage = |method: Method, path: String, body: Value| app.client.request(method, app.url(&path)).bearer_auth(&token).json(&body).send();
        let keypath = format!("/api/v1/api-keys/{}", key.id);
        assert_eq!(get(&app, &key.secret, "/customers").await.0, 200);

        manage(Method::PATCH, keypath.clone(), json!({"permissions": {"payments": "read"}})).await.unwrap();
        let (s, v) = get(&app, &key.secret, "/customers").await;
        assert_eq!((s, code(&v)), (403, "insufficient_scope"));
        assert_eq!(get(&app, &key.secret, "/payments").await.0, 200);

        manage(Method::POST, format!("{keypath}/suspend"), json!({})).await.unwrap();
        let (s, v) = get(&app, &key.secret, "/payments").await;
        assert_eq!((s, code(&v)), (403, "api_key_suspended"));
        manage(Method::POST, format!("{keypath}/reactivate"), json!({})).await.unwrap();
        assert_eq!(get(&app, &key.secret, "/payments").await.0, 200);

        manage(Method::DELETE, keypath.clone(), json!({})).await.unwrap();
        let (s, v) = get(&app, &key.secret, "/payments").await;
        assert_eq!((s, code(&v)), (401, "invalid_api_key"));

        // Rolled with no grace: the old key is expired at once; the new one works.
        let old = make_key(&app, &token, json!({"name": "r", "permissions": "*"})).await;
        let res = manage(Method::POST, format!("/api/v1/api-keys/{}/roll", old.id), json!({"grace_period_seconds": 0})).await.unwrap();
        let rolled: Value = res.json().await.unwrap();
        let (s, v) = get(&app, &old.secret, "/whoami").await;
        assert_eq!((s, code(&v)), (401, "api_key_expired"));
        let new_secret = rolled["data"]["secret_key"].as_str().unwrap();
        let (s, v) = get(&app, new_secret, "/whoami").await;
        assert_eq!(s, 200);
        assert_eq!(v["data"]["scopes"], json!(["*"]));
    }

    async fn the_ip_allowlist_uses_the_peer_address(app) {
        let token = admin_token(&app).await;
        let elsewhere = make_key(&app, &token, json!({"name": "a", "permissions": "*", "allowed_ips": ["10.0.0.0/24"]})).await;
        let (s, v) = get(&app, &elsewhere.secret, "/whoami").await;
        assert_eq!((s, code(&v)), (403, "ip_not_allowed"));
        assert_eq!(v["error"]["details"]["your_ip"], "127.0.0.1");
        // An X-Forwarded-For from an untrusted peer is not believed.
        let res = app.client.get(app.url("/api/v1/whoami")).bearer_auth(&elsewhere.secret).header("x-forwarded-for", "10.0.0.5").send().await.unwrap();
        assert_eq!(res.status(), 403);
        let here = make_key(&app, &token, json!({"name": "b", "permissions": "*", "allowed_ips": ["127.0.0.0/24"]})).await;
        assert_eq!(get(&app, &here.secret, "/whoami").await.0, 200);
        let mapped = make_key(&app, &token, json!({"name": "c", "permissions": "*", "allowed_ips": ["::ffff:127.0.0.1"]})).await;
        assert_eq!(get(&app, &mapped.secret, "/whoami").await.0, 200);
    }

    async fn usage_is_recorded_and_shown_in_the_hub(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "k", "permissions": "*"})).await;
        let (s, who) = get(&app, &key.secret, "/whoami").await;
        assert_eq!(s, 200);
        assert_eq!(who["data"]["key_id"], key.id);
        assert_eq!(who["data"]["mode"], "test");
        assert_eq!(who["data"]["merchant"]["name"], "Acme");
        assert_eq!(get(&app, &key.publishable, "/whoami").await.1["data"]["key_type"], "publishable");
        // Written in a batch shortly after; poll rather than sleep a fixed time.
        let mut used = Value::Null;
        for _ in 0..100 {
            let res = app.client.get(app.url(&format!("/api/v1/api-keys/{}", key.id))).bearer_auth(&token).send().await.unwrap();
            used = res.json::<Value>().await.unwrap()["data"].clone();
            if !used["last_used_at"].is_null() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(used["last_used_ip"], "127.0.0.1", "{used}");
        assert!(app.get_html(&format!("/keys/{}", key.id)).await.contains("from 127.0.0.1"), "the Hub shows the last use");
    }

    async fn payments_run_through_the_simulator_and_refunds_never_exceed_them(app) {
        let token = admin_token(&app).await;
        let k = make_key(&app, &token, json!({"name": "k", "permissions": "*"})).await.secret;
        let pay = |card: &str, amount: i64| json!({"amount": amount, "currency": "usd", "payment_method": card});
        let (s, ok) = post(&app, &k, "/payments", pay("4242424242424242", 2000)).await;
        assert_eq!(s, 201, "{ok}");
        assert_eq!(ok["data"]["status"], "succeeded");
        assert!(ok["data"]["id"].as_str().unwrap().starts_with("pay_"));
        assert_eq!(ok["data"]["livemode"], false);
        // The card number is never returned, stored or kept in events (SPEC §12).
        assert_eq!(ok["data"]["payment_method"], "************4242");
        assert_eq!(ok["data"]["payment_method_details"], json!({"type": "card", "card": {"brand": "visa", "last4": "4242"}}));
        let (_, events) = get(&app, &k, "/events?type=payment.succeeded").await;
        assert!(!events.to_string().contains("4242424242424242"), "{events}");
        let (_, again) = get(&app, &k, &format!("/payments/{}", ok["data"]["id"].as_str().unwrap())).await;
        assert_eq!(again["data"]["payment_method"], "************4242");
        {
            use diesel::prelude::*;
            let mut conn = app.db().conn().unwrap();
            let stored: Vec<String> = paydesk::db::schema::payments::table
                .select(paydesk::db::schema::payments::payment_method)
                .load(&mut *conn)
                .unwrap();
            assert_eq!(stored, ["************4242"]);
        }
        let (_, declined) = post(&app, &k, "/payments", pay("4000000000000002", 500)).await;
        assert_eq!((declined["data"]["status"].as_str(), declined["data"]["failure_code"].as_str()), (Some("failed"), Some("card_declined")));
        let (_, poor) = post(&app, &k, "/payments", pay("4000000000009995", 500)).await;
        assert_eq!(poor["data"]["failure_code"], "insufficient_funds");
        let (s, v) = post(&app, &k, "/payments", pay("4111111111111111", 500)).await;
        assert_eq!((s, code(&v)), (400, "invalid_request"));
        assert!(v["error"]["details"]["fields"]["payment_method"].as_str().unwrap().contains("4242424242424242"));
        let (s, v) = post(&app, &k, "/payments", json!({"amount": 0, "currency": "USD", "payment_method": "4242424242424242"})).await;
        assert_eq!(s, 400);
        assert!(v["error"]["details"]["fields"]["amount"].is_string() && v["error"]["details"]["fields"]["currency"].is_string());
        // Three lower-case letters are not enough: the code must be a real currency.
        let (s, v) = post(&app, &k, "/payments", json!({"amount": 100, "currency": "abc", "payment_method": "4242424242424242"})).await;
        assert_eq!((s, code(&v)), (400, "invalid_request"));
        assert!(v["error"]["details"]["fields"]["currency"].as_str().unwrap().contains("ISO 4217"), "{v}");

        let id = ok["data"]["id"].as_str().unwrap();
        let (s, r1) = post(&app, &k, &format!("/payments/refund/{id}"), json!({"amount": 500})).await;
        assert_eq!(s, 201, "{r1}");
        assert_eq!((r1["data"]["amount"].as_i64(), r1["data"]["payment"].as_str()), (Some(500), Some(id)));
        let (s, v) = post(&app, &k, &format!("/payments/refund/{id}"), json!({"amount": 1501})).await;
        assert_eq!((s, code(&v)), (400, "invalid_request"));
        // The message speaks major units with the currency, as the dashboard does (SPEC §14).
        assert_eq!(v["error"]["details"]["fields"]["amount"], "At most 15.00 USD remains refundable.");
        let (_, r2) = post(&app, &k, &format!("/payments/refund/{id}"), json!({})).await;
        assert_eq!(r2["data"]["amount"], 1500, "the default is what remains");
        let (s, _) = post(&app, &k, &format!("/payments/refund/{id}"), json!({})).await;
        assert_eq!(s, 400, "nothing left");
        let (s, v) = post(&app, &k, &format!("/payments/refund/{}", declined["data"]["id"].as_str().unwrap()), json!({})).await;
        assert_eq!((s, code(&v)), (409, "invalid_state"), "a failed payment has nothing to refund: {v}");
        let (_, p) = get(&app, &k, &format!("/payments/{id}")).await;
        assert_eq!(p["data"]["amount_refunded"], 2000);

        post(&app, &k, "/payments", pay("4242424242424242", 700)).await;
        post(&app, &k, "/payments", json!({"amount": 300, "currency": "eur", "payment_method": "4242424242424242"})).await;
        let (_, b) = get(&app, &k, "/balance").await;
        assert_eq!(b["data"]["available"], json!([{"amount": 300, "currency": "eur"}, {"amount": 700, "currency": "usd"}]));

        let (_, refunds) = get(&app, &k, "/refunds").await;
        assert_eq!(ids(&refunds).len(), 2);
        let (_, one) = get(&app, &k, &format!("/refunds/{}", r1["data"]["id"].as_str().unwrap())).await;
        assert_eq!(one["data"]["amount"], 500);
        for (t, n) in [("payment.succeeded", 3), ("payment.failed", 2), ("refund.created", 2)] {
            let (_, ev) = get(&app, &k, &format!("/events?type={t}")).await;
            assert_eq!(ids(&ev).len(), n, "{t}");
            assert_eq!(ev["data"]["data"][0]["type"], t);
        }
        let (_, ev) = get(&app, &k, "/events?type=refund.created&limit=1").await;
        assert_eq!(ev["data"]["data"][0]["data"]["object"]["amount"], 1500, "the event holds the object as it was");
    }

    async fn subscriptions_go_through_their_lifecycle(app) {
        let token = admin_token(&app).await;
        let k = make_key(&app, &token, json!({"name": "k", "permissions": "*"})).await.secret;
        let (_, cus) = post(&app, &k, "/customers", json!({"email": "jo@example.com", "name": "Jo", "metadata": {"tier": "gold"}})).await;
        let cus = cus["data"]["id"].as_str().unwrap().to_owned();
        let (s, plan) = post(&app, &k, "/plans", json!({"name": "Pro", "amount": 1500, "currency": "usd", "interval": "month"})).await;
        assert_eq!(s, 201, "{plan}");
        let plan = plan["data"]["id"].as_str().unwrap().to_owned();
        let (_, yearly) = post(&app, &k, "/plans", json!({"name": "Pro yearly", "amount": 15000, "currency": "usd", "interval": "year"})).await;
        let yearly = yearly["data"]["id"].as_str().unwrap().to_owned();
        let (s, v) = post(&app, &k, "/plans", json!({"name": "x", "amount": 1, "currency": "usd", "interval": "week"})).await;
        assert_eq!((s, v["error"]["details"]["fields"]["interval"].as_str()), (400, Some("must be month or year")));

        let (s, sub) = post(&app, &k, "/subscriptions", json!({"customer": cus, "plan": plan})).await;
        assert_eq!(s, 201, "{sub}");
        assert_eq!(sub["data"]["status"], "active");
        assert_eq!(sub["data"]["cancel_at_period_end"], false);
        let id = sub["data"]["id"].as_str().unwrap().to_owned();
        let (s, v) = post(&app, &k, "/subscriptions", json!({"customer": "cus_nope", "plan": plan})).await;
        assert_eq!((s, v["error"]["details"]["fields"]["customer"].as_str()), (400, Some("no such customer")));

        let (_, v) = call(&app, &k, Method::PATCH, &format!("/subscriptions/{id}"), Some(json!({"plan": yearly}))).await;
        assert_eq!(v["data"]["plan"], yearly);
        let (_, v) = call(&app, &k, Method::PATCH, "/subscriptions", Some(json!({"id": id, "cancel_at_period_end": true}))).await;
        assert_eq!(v["data"]["cancel_at_period_end"], true);
        let (_, v) = call(&app, &k, Method::PATCH, "/subscriptions", Some(json!({"id": id, "cancel_at_period_end": false}))).await;
        assert_eq!(v["data"]["cancel_at_period_end"], false);
        let (_, v) = post(&app, &k, &format!("/subscriptions/schedule-cancel/{id}"), json!({})).await;
        assert_eq!((v["data"]["cancel_at_period_end"].as_bool(), v["data"]["status"].as_str()), (Some(true), Some("active")));

        let (_, found) = get(&app, &k, &format!("/subscriptions/search?customer={cus}&status=active")).await;
        assert_eq!(ids(&found), vec![id.clone()]);
        let (_, none) = get(&app, &k, "/subscriptions/search?status=canceled").await;
        assert!(ids(&none).is_empty());

        let (_, v) = post(&app, &k, &format!("/subscriptions/cancel/{id}"), json!({})).await;
        assert_eq!(v["data"]["status"], "canceled");
        assert!(v["data"]["canceled_at"].is_string());
        let (s, v) = call(&app, &k, Method::PATCH, &format!("/subscriptions/{id}"), Some(json!({"plan": plan}))).await;
        assert_eq!((s, code(&v)), (409, "invalid_state"));
        let (_, found) = get(&app, &k, "/subscriptions/search?status=canceled").await;
        assert_eq!(ids(&found), vec![id.clone()]);
        for (t, n) in [("subscription.created", 1), ("subscription.updated", 4), ("subscription.canceled", 1), ("customer.created", 1), ("plan.created", 2)] {
            let (_, ev) = get(&app, &k, &format!("/events?type={t}")).await;
            assert_eq!(ids(&ev).len(), n, "{t}");
        }

        // Client sessions.
        let (s, cs) = post(&app, &k, "/client-session", json!({"amount": 1000, "currency": "usd", "customer": cus})).await;
        assert_eq!(s, 201, "{cs}");
        assert!(cs["data"]["client_token"].as_str().unwrap().contains("_secret_"));
        let cs_id = cs["data"]["id"].as_str().unwrap();
        let (_, v) = call(&app, &k, Method::PATCH, &format!("/client-session/{cs_id}"), Some(json!({"amount": 1200}))).await;
        assert_eq!((v["data"]["amount"].as_i64(), v["data"]["status"].as_str()), (Some(1200), Some("open")));
        let (_, ev) = get(&app, &k, "/events?type=client_session.created").await;
        assert_eq!(ids(&ev).len(), 1);

        // Customers: update keeps what is not sent; a read after it (the read cache held
        // the customer) sees the change at once.
        let (_, before) = get(&app, &k, &format!("/customers/{cus}")).await;
        let (_, again) = get(&app, &k, &format!("/customers/{cus}")).await;
        assert_eq!(before, again);
        let (_, c) = call(&app, &k, Method::PATCH, &format!("/customers/{cus}"), Some(json!({"name": "Joanna"}))).await;
        assert_eq!((c["data"]["name"].as_str(), c["data"]["email"].as_str()), (Some("Joanna"), Some("jo@example.com")));
        assert_eq!(c["data"]["metadata"], json!({"tier": "gold"}));
        let (_, after) = get(&app, &k, &format!("/customers/{cus}")).await;
        assert_eq!(after["data"], c["data"]);
    }

    async fn lists_paginate_newest_first(app) {
        let token = admin_token(&app).await;
        let k = make_key(&app, &token, json!({"name": "k", "permissions": "*"})).await.secret;
        let mut made = Vec::new();
        for i in 0..5 {
            let (_, c) = post(&app, &k, "/customers", json!({"name": format!("c{i}")})).await;
            made.push(c["data"]["id"].as_str().unwrap().to_owned());
        }
        made.reverse();
        let (_, all) = get(&app, &k, "/customers").await;
        assert_eq!(ids(&all), made, "newest first, default limit 10");
        assert_eq!(all["data"]["has_more"], false);
        let (_, p1) = get(&app, &k, "/customers?limit=2").await;
        assert_eq!((ids(&p1), p1["data"]["has_more"].as_bool()), (made[..2].to_vec(), Some(true)));
        let (_, p2) = get(&app, &k, &format!("/customers?limit=2&starting_after={}", made[1])).await;
        assert_eq!(ids(&p2), made[2..4].to_vec());
        let (_, p3) = get(&app, &k, &format!("/customers?limit=2&starting_after={}", made[3])).await;
        assert_eq!((ids(&p3), p3["data"]["has_more"].as_bool()), (made[4..].to_vec(), Some(false)));
        for bad in ["limit=0", "limit=101", "limit=ten"] {
            let (s, v) = get(&app, &k, &format!("/customers?{bad}")).await;
            assert_eq!((s, v["error"]["details"]["fields"]["limit"].is_string()), (400, true), "{bad}");
        }
        let (s, v) = get(&app, &k, "/customers?starting_after=cus_unknown").await;
        assert_eq!((s, v["error"]["details"]["fields"]["starting_after"].is_string()), (400, true));
        let (_, p) = get(&app, &k, "/customers?limit=100").await;
        assert_eq!(ids(&p).len(), 5);
    }

    async fn bodies_are_checked_and_errors_are_enveloped(app) {
        let token = admin_token(&app).await;
        let k = make_key(&app, &token, json!({"name": "k", "permissions": "*"})).await.secret;
        let raw = |body: String| app.client.post(app.url("/api/v1/customers")).bearer_auth(&k).header("content-type", "application/json").body(body).send();
        let res = raw("{\"name\":".into()).await.unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(code(&res.json::<Value>().await.unwrap()), "invalid_json");
        let res = raw("[1,2]".into()).await.unwrap();
        assert_eq!(code(&res.json::<Value>().await.unwrap()), "invalid_json");
        // A member named twice, at the top or nested (SPEC §13), makes nothing.
        for body in [r#"{"email":"a@x.test","email":"b@x.test"}"#, r#"{"metadata":{"k":"1","k":"2"}}"#] {
            let res = raw(body.into()).await.unwrap();
            assert_eq!(res.status(), 400, "{body}");
            assert_eq!(code(&res.json::<Value>().await.unwrap()), "invalid_json", "{body}");
        }
        let (_, list) = get(&app, &k, "/customers").await;
        assert_eq!(list["data"]["data"], json!([]), "{list}");
        let (s, v) = post(&app, &k, "/customers", json!({"name": "x", "nickname": "y", "email": 5})).await;
        assert_eq!((s, code(&v)), (400, "invalid_request"));
        assert_eq!(v["error"]["details"]["fields"]["nickname"], "unknown field");
        assert_eq!(v["error"]["details"]["fields"]["email"], "must be a string");
        let res = raw(format!("{{\"name\":\"{}\"}}", "x".repeat(65 * 1024))).await.unwrap();
        assert_eq!(res.status(), 413);
        assert_eq!(code(&res.json::<Value>().await.unwrap()), "payload_too_large");
        let (s, v) = call(&app, &k, Method::DELETE, "/customers", None).await;
        assert_eq!((s, code(&v)), (405, "method_not_allowed"));
        let (s, v) = get(&app, &k, "/nothing").await;
        assert_eq!((s, code(&v)), (404, "not_found"));
        let (s, v) = get(&app, &k, "/customers/cus_nope").await;
        assert_eq!((s, code(&v)), (404, "not_found"));
        assert!(v["request_id"].as_str().unwrap().starts_with("req_"));
    }

    async fn merchants_and_modes_never_see_each_others_objects(app) {
        let token = admin_token(&app).await;
        let a = make_key(&app, &token, json!({"name": "a", "permissions": "*"})).await.secret;
        app.create_user("b@globex.test", "admin", "Globex");
        let b_token = app.api_token("b@globex.test").await;
        let b = make_key(&app, &b_token, json!({"name": "b", "permissions": "*"})).await.secret;

        let (_, cus) = post(&app, &b, "/customers", json!({"name": "B's customer"})).await;
        let cus = cus["data"]["id"].as_str().unwrap().to_owned();
        let (_, pay) = post(&app, &b, "/payments", json!({"amount": 100, "currency": "usd", "payment_method": "4242424242424242", "customer": cus})).await;
        let pay = pay["data"]["id"].as_str().unwrap().to_owned();
        let (_, plan) = post(&app, &b, "/plans", json!({"name": "P", "amount": 100, "currency": "usd", "interval": "month"})).await;
        let plan = plan["data"]["id"].as_str().unwrap().to_owned();
        let (_, sub) = post(&app, &b, "/subscriptions", json!({"customer": cus, "plan": plan})).await;
        let sub = sub["data"]["id"].as_str().unwrap().to_owned();

        for path in [format!("/customers/{cus}"), format!("/payments/{pay}"), format!("/plans/{plan}"), format!("/subscriptions/{sub}")] {
            let (s, v) = get(&app, &a, &path).await;
            assert_eq!((s, code(&v)), (404, "not_found"), "{path}");
        }
        for path in ["/customers", "/payments", "/plans", "/events", "/refunds", "/subscriptions/search"] {
            let (_, v) = get(&app, &a, path).await;
            assert!(ids(&v).is_empty(), "{path} leaks: {v}");
        }
        let (s, _) = post(&app, &a, &format!("/payments/refund/{pay}"), json!({})).await;
        assert_eq!(s, 404);
        let (s, _) = post(&app, &a, &format!("/subscriptions/cancel/{sub}"), json!({})).await;
        assert_eq!(s, 404);
        let (s, v) = post(&app, &a, "/subscriptions", json!({"customer": cus, "plan": plan})).await;
        assert_eq!((s, v["error"]["details"]["fields"]["customer"].as_str()), (400, Some("no such customer")));
        let (_, bal) = get(&app, &a, "/balance").await;
        assert_eq!(bal["data"]["available"], json!([]));
        let (_, v) = get(&app, &b, &format!("/subscriptions/{sub}")).await;
        assert_eq!(v["data"]["status"], "active", "B's subscription untouched");

        // A test key never sees live objects.
        app.verify_merchant("Acme");
        let live = make_key(&app, &token, json!({"name": "live", "mode": "live", "permissions": "*"})).await.secret;
        let (_, lc) = post(&app, &live, "/customers", json!({"name": "live one"})).await;
        assert_eq!(lc["data"]["livemode"], true);
        let (s, _) = get(&app, &a, &format!("/customers/{}", lc["data"]["id"].as_str().unwrap())).await;
        assert_eq!(s, 404);
        let (_, v) = get(&app, &a, "/customers").await;
        assert!(ids(&v).is_empty());
        let (_, v) = get(&app, &live, "/customers").await;
        assert_eq!(ids(&v).len(), 1);
    }
}

/// Behind a trusted proxy the client is the X-Forwarded-For address: IPv4 /24 and
/// IPv6 /64 blocks match it, and anything else is refused with the address named.
#[tokio::test]
async fn the_allowlist_matches_forwarded_ipv4_and_ipv6_blocks_from_a_trusted_proxy() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]
    })
    .await;
    let token = admin_token(&app).await;
    let key = make_key(&app, &token, json!({"name": "k", "permissions": "*", "allowed_ips": ["198.51.100.0/24", "2001:db8:1:2::/64"]})).await;
    let from = |ip: &'static str| {
        app.client
            .get(app.url("/api/v1/whoami"))
            .bearer_auth(&key.secret)
            .header("x-forwarded-for", ip)
            .send()
    };
    for ip in [
        "198.51.100.7",
        "198.51.100.255",
        "2001:db8:1:2::5",
        "2001:db8:1:2:ffff:ffff:ffff:ffff",
        "::ffff:198.51.100.9",
    ] {
        assert_eq!(from(ip).await.unwrap().status(), 200, "{ip}");
    }
    for ip in ["198.51.101.7", "2001:db8:1:3::5", "10.0.0.1"] {
        let res = from(ip).await.unwrap();
        assert_eq!(res.status(), 403, "{ip}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(
            (code(&v), v["error"]["details"]["your_ip"].as_str()),
            ("ip_not_allowed", Some(ip))
        );
    }
    // Without the header the peer (127.0.0.1) is the client, and it is not allowed.
    let (s, _) = get(&app, &key.secret, "/whoami").await;
    assert_eq!(s, 403);
}

on_both_backends! {
    async fn concurrent_writes_never_answer_5xx_and_refunds_stay_exact(app) {
        let token = admin_token(&app).await;
        let k = make_key(&app, &token, json!({"name": "w", "permissions": "*", "rate_limit": 100000})).await.secret;
        let (s, pay) = post(&app, &k, "/payments", json!({"amount": 1000, "currency": "usd", "payment_method": "4242424242424242"})).await;
        assert_eq!(s, 201);
        let pay = pay["data"]["id"].as_str().unwrap().to_owned();
        // 64 clients at once, each writing: customers, payments, and about 128 refunds of 13
        // against one payment of 1000: exactly 76 fit (988), the rest must be refused.
        let mut tasks = Vec::new();
        for n in 0..64 {
            let (client, base, key, pay) = (app.client.clone(), app.address.clone(), k.clone(), pay.clone());
            tasks.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                for i in 0..6 {
                    let (path, body) = match (n + i) % 3 {
                        0 => ("/api/v1/customers".to_owned(), json!({"name": format!("c{n}-{i}")})),
                        1 => ("/api/v1/payments".to_owned(), json!({"amount": 100, "currency": "usd", "payment_method": "4242424242424242"})),
                        _ => (format!("/api/v1/payments/refund/{pay}"), json!({"amount": 13})),
                    };
                    let res = client.post(format!("{base}{path}")).bearer_auth(&key).json(&body).send().await.unwrap();
                    statuses.push(res.status().as_u16());
                }
                statuses
            }));
        }
        let mut server_errors = 0;
        for t in tasks {
            server_errors += t.await.unwrap().iter().filter(|s| **s >= 500).count();
        }
        assert_eq!(server_errors, 0, "no 5xx under concurrent writes");
        let (_, p) = get(&app, &k, &format!("/payments/{pay}")).await;
        let refunded = p["data"]["amount_refunded"].as_i64().unwrap();
        let (_, refunds) = get(&app, &k, "/refunds?limit=100").await;
        let listed: i64 = refunds["data"]["data"].as_array().unwrap().iter().map(|r| r["amount"].as_i64().unwrap()).sum();
        assert_eq!(refunded, 988, "as many refunds as fit, never more than the payment");
        assert_eq!(refunded, listed, "the payment's total is the sum of its refunds");
    }
}

//! Webhooks (SPEC §9) delivered to a real HTTP receiver started by the test.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::payments::{admin_token, make_key, post};
use crate::support::*;

async fn create_endpoint(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/webhook-endpoints"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

on_both_backends! {
    async fn an_event_is_delivered_once_signed_and_filtered_by_type(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "k", "permissions": "*"})).await.secret;
        let all = Receiver::start(vec![200]).await;
        let payments_only = Receiver::start(vec![200]).await;
        let (s, ep) = create_endpoint(&app, &token, json!({"url": all.url, "description": "all"})).await;
        assert_eq!(s, 201, "{ep}");
        let secret = ep["data"]["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(ep["data"]["enabled_events"], json!(["*"]));
        let (s, _) = create_endpoint(&app, &token, json!({"url": payments_only.url, "enabled_events": ["payment.succeeded"]})).await;
        assert_eq!(s, 201);
        // The secret is never shown again.
        let res = app.client.get(app.url(&format!("/api/v1/webhook-endpoints/{}", ep["data"]["id"].as_str().unwrap()))).bearer_auth(&token).send().await.unwrap();
        assert!(!res.text().await.unwrap().contains(&secret));

        let (s, customer) = post(&app, &key, "/customers", json!({"email": "jenny@example.com"})).await;
        assert_eq!(s, 201);
        let got = all.wait_for(1).await;
        assert_eq!(got.len(), 1);
        let r = &got[0];
        let event: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(event["type"], "customer.created");
        assert_eq!(event["data"]["object"]["id"], customer["data"]["id"]);
        assert_eq!(r.header("Paydesk-Event-Id"), event["id"].as_str().unwrap());
        assert!(r.header("Paydesk-Delivery-Id").starts_with("whd_"));
        assert_eq!(r.header("User-Agent"), "Paydesk-Webhooks/1");
        assert!(r.signed_by(&secret), "signature does not verify: {r:?}");
        // Exactly once, and the payments-only endpoint got nothing.
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(all.got.lock().unwrap().len(), 1);
        assert_eq!(payments_only.got.lock().unwrap().len(), 0);
        post(&app, &key, "/payments", json!({"amount": 500, "currency": "usd", "payment_method": "4242424242424242"})).await;
        let got = payments_only.wait_for(1).await;
        assert_eq!(got.len(), 1);
        assert!(got[0].body.contains("payment.succeeded") && got[0].body.contains("************4242"));
    }

    async fn a_failing_receiver_gets_retries_with_growing_gaps_then_the_delivery_succeeds(app) {
        let token = admin_token(&app).await;
        let receiver = Receiver::start(vec![500, 500, 200]).await;
        let (_, ep) = create_endpoint(&app, &token, json!({"url": receiver.url})).await;
        let id = ep["data"]["id"].as_str().unwrap().to_owned();
        let res = app.client.post(app.url(&format!("/api/v1/webhook-endpoints/{id}/test"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let got = receiver.wait_for(3).await;
        assert_eq!(got.len(), 3, "three attempts");
        assert!(got[0].body.contains("\"ping\""));
        let (g1, g2) = (got[1].at - got[0].at, got[2].at - got[1].at);
        assert!(g2 > g1, "gaps grow: {g1:?} then {g2:?}");
        // The log says so.
        let started = Instant::now();
        loop {
            let res = app.client.get(app.url(&format!("/api/v1/webhook-endpoints/{id}/deliveries"))).bearer_auth(&token).send().await.unwrap();
            let list: Value = res.json().await.unwrap();
            let d = &list["data"]["data"][0];
            if d["status"] == "delivered" {
                assert_eq!(d["attempts"], 3);
                assert_eq!(d["last_status"], 200);
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(3), "{list}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn a_rolled_secret_signs_with_both_during_the_grace_period(app) {
        let token = admin_token(&app).await;
        let receiver = Receiver::start(vec![200]).await;
        let (_, ep) = create_endpoint(&app, &token, json!({"url": receiver.url})).await;
        let id = ep["data"]["id"].as_str().unwrap().to_owned();
        let old = ep["data"]["secret"].as_str().unwrap().to_owned();
        let res = app.client.post(app.url(&format!("/api/v1/webhook-endpoints/{id}/roll-secret"))).bearer_auth(&token).json(&json!({"grace_period_seconds": 3600})).send().await.unwrap();
        let rolled: Value = res.json().await.unwrap();
        let new = rolled["data"]["secret"].as_str().unwrap().to_owned();
        assert_ne!(new, old);
        app.client.post(app.url(&format!("/api/v1/webhook-endpoints/{id}/test"))).bearer_auth(&token).send().await.unwrap();
        let got = receiver.wait_for(1).await;
        assert!(got[0].signed_by(&new) && got[0].signed_by(&old), "{:?}", got[0]);
        // Deleting an endpoint removes it.
        let res = app.client.delete(app.url(&format!("/api/v1/webhook-endpoints/{id}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let res = app.client.get(app.url(&format!("/api/v1/webhook-endpoints/{id}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 404);
    }
}

#[tokio::test]
async fn private_loopback_and_link_local_targets_are_refused_without_the_override() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.webhook_allow_private = false).await;
    let token = admin_token(&app).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/",
        "http://[::ffff:192.168.1.1]/",
        "http://[fe80::1]/",
    ] {
        let (s, body) = create_endpoint(&app, &token, json!({"url": url})).await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (400, Some("invalid_request")),
            "{url}: {body}"
        );
        let why = body["error"]["details"]["fields"]["url"]
            .as_str()
            .unwrap_or("");
        assert!(
            why.contains("PAYDESK_WEBHOOK_ALLOW_PRIVATE=true"),
            "a refused local receiver names the development setting: {body}"
        );
    }
}

on_both_backends! {
    async fn a_per_key_webhook_url_gets_only_its_keys_events_and_stops_when_the_key_is_revoked(app) {
        let token = admin_token(&app).await;
        let receiver = Receiver::start(vec![200]).await;
        let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token)
            .json(&json!({"name": "shop", "permissions": "*", "webhook_url": receiver.url})).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        assert!(created["data"]["webhook_secret"].as_str().unwrap().starts_with("whsec_"));
        let (a_id, a) = (created["data"]["id"].as_str().unwrap().to_owned(), created["data"]["secret_key"].as_str().unwrap().to_owned());
        let b = make_key(&app, &token, json!({"name": "other", "permissions": "*"})).await.secret;
        // (Its own api_key.created came before the endpoint existed.)
        post(&app, &b, "/customers", json!({"name": "Not mine"})).await;
        post(&app, &a, "/customers", json!({"name": "Mine"})).await;
        let got = receiver.wait_for(1).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let got_now = receiver.got.lock().unwrap().clone();
        assert_eq!(got_now.len(), 1, "{got:?}");
        assert!(got_now[0].body.contains("\"Mine\""));
        assert!(!got_now.iter().any(|r| r.body.contains("Not mine")));
        for r in &got_now {
            assert!(!r.body.contains(&a) && !r.body.contains("sk_test_"), "no secret in an event");
        }
        // Lifecycle events reach it; revoking the key disables the endpoint.
        app.client.post(app.url(&format!("/api/v1/api-keys/{a_id}/suspend"))).bearer_auth(&token).send().await.unwrap();
        let got = receiver.wait_for(2).await;
        assert!(got[1].body.contains("api_key.suspended"), "{got:?}");
        app.client.delete(app.url(&format!("/api/v1/api-keys/{a_id}"))).bearer_auth(&token).send().await.unwrap();
        let res = app.client.get(app.url("/api/v1/webhook-endpoints")).bearer_auth(&token).send().await.unwrap();
        let list: Value = res.json().await.unwrap();
        assert_eq!(list["data"]["data"][0]["status"], "disabled", "{list}");
        assert_eq!(list["data"]["data"][0]["api_key"], a_id.as_str());
    }
}

/// Moves a key's expiry to `seconds` from now (time passing, without waiting for it).
fn expire_key_in(app: &TestApp, key_id: &str, seconds: i64) {
    use diesel::prelude::*;
    use paydesk::db::schema::api_keys;
    let mut conn = app.db().conn().unwrap();
    diesel::update(api_keys::table.find(key_id))
        .set(api_keys::expires_at.eq(paydesk::clock::now() + seconds))
        .execute(&mut *conn)
        .unwrap();
}

on_both_backends! {
    async fn a_key_is_announced_expiring_7_days_and_1_day_before_and_expired_once_each(app) {
        let token = admin_token(&app).await;
        let receiver = Receiver::start(vec![200]).await;
        create_endpoint(&app, &token, json!({"url": receiver.url, "enabled_events": ["api_key.expiring", "api_key.expired"]})).await;
        let key = make_key(&app, &token, json!({"name": "short-lived", "permissions": "*", "expires_in_days": 5})).await;
        let far = make_key(&app, &token, json!({"name": "long-lived", "permissions": "*", "expires_in_days": 30})).await;
        assert_eq!(receiver.wait_for_body("api_key.expiring", 1).await, 1);
        // One day before: a second warning; then expired.
        expire_key_in(&app, &key.id, 3_600);
        assert_eq!(receiver.wait_for_body("api_key.expiring", 2).await, 2);
        expire_key_in(&app, &key.id, -1);
        assert_eq!(receiver.wait_for_body("api_key.expired", 1).await, 1);
        // Housekeeping runs every 200 ms here: several more rounds send nothing again.
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(receiver.count("api_key.expiring"), 2);
        assert_eq!(receiver.count("api_key.expired"), 1);
        assert_eq!(receiver.count(&far.id), 0, "a key 30 days from expiry gets no notice");
        let got = receiver.got.lock().unwrap().clone();
        for r in &got {
            let event: Value = serde_json::from_str(&r.body).unwrap();
            assert_eq!(event["data"]["object"]["id"], key.id.as_str(), "{event}");
            assert!(!r.body.contains(&key.secret), "no secret in an event");
        }
        // The key's activity says so, and /api/v1/events never does.
        let res = app.client.get(app.url("/api/v1/events")).bearer_auth(&key.secret).send().await.unwrap();
        assert!(!res.text().await.unwrap().contains("api_key.expir"));
    }

    async fn an_endpoint_failing_everything_for_3_days_is_disabled_with_an_audit_entry_and_an_event(app) {
        let token = admin_token(&app).await;
        let broken = Receiver::start(vec![500]).await;
        let watcher = Receiver::start(vec![200]).await;
        let (_, ep) = create_endpoint(&app, &token, json!({"url": broken.url})).await;
        let id = ep["data"]["id"].as_str().unwrap().to_owned();
        create_endpoint(&app, &token, json!({"url": watcher.url, "enabled_events": ["webhook_endpoint.disabled"]})).await;
        let ping = |app: &TestApp| app.client.post(app.url(&format!("/api/v1/webhook-endpoints/{id}/test"))).bearer_auth(&token).send();
        assert_eq!(ping(&app).await.unwrap().status(), 201);
        broken.wait_for(1).await;
        // Failing for a day and a half: still enabled.
        let age = |seconds: i64| {
            use diesel::prelude::*;
            use paydesk::db::schema::webhook_endpoints as we;
            let mut conn = app.db().conn().unwrap();
            diesel::update(we::table.find(&id))
                .set(we::failing_since.eq(paydesk::clock::now() - seconds))
                .execute(&mut *conn)
                .unwrap();
        };
        age(36 * 3_600);
        ping(&app).await.unwrap();
        broken.wait_for(3).await;
        let get = || async {
            let res = app.client.get(app.url(&format!("/api/v1/webhook-endpoints/{id}"))).bearer_auth(&token).send().await.unwrap();
            res.json::<Value>().await.unwrap()
        };
        assert_eq!(get().await["data"]["status"], "enabled");
        // Three days: the next failure disables it.
        age(3 * 86_400 + 60);
        ping(&app).await.unwrap();
        assert_eq!(watcher.wait_for_body("webhook_endpoint.disabled", 1).await, 1);
        let now = get().await;
        assert_eq!(now["data"]["status"], "disabled", "{now}");
        assert!(now["data"]["disabled_reason"].as_str().unwrap().contains("every delivery failed"), "{now}");
        let event: Value = serde_json::from_str(&watcher.got.lock().unwrap()[0].body).unwrap();
        assert_eq!(event["data"]["object"]["id"], id.as_str());
        let audit = app.get_html("/audit").await;
        assert!(audit.contains("webhook_endpoint.disabled"), "audited");
        // Enabling it again starts afresh.
        let res = app.client.patch(app.url(&format!("/api/v1/webhook-endpoints/{id}"))).bearer_auth(&token).json(&json!({"status": "enabled"})).send().await.unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!((body["data"]["status"].as_str(), &body["data"]["disabled_reason"]), (Some("enabled"), &Value::Null), "{body}");
    }

    async fn payloads_follow_the_bound_keys_pinned_version(app) {
        let token = admin_token(&app).await;
        let receiver = Receiver::start(vec![200]).await;
        let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token)
            .json(&json!({"name": "old client", "permissions": "*", "api_version": "2025-06-01", "webhook_url": receiver.url})).send().await.unwrap();
        let created: Value = res.json().await.unwrap();
        let key = created["data"]["secret_key"].as_str().unwrap().to_owned();
        let res = app.client.get(app.url("/api/v1/webhook-endpoints")).bearer_auth(&token).send().await.unwrap();
        let list: Value = res.json().await.unwrap();
        assert_eq!(list["data"]["data"][0]["api_version"], "2025-06-01", "{list}");
        // The pinned version's shape, as a response to that key has it: a successful
        // payment reads `paid` in 2025-06-01.
        let (s, answer) = post(&app, &key, "/payments", json!({"amount": 700, "currency": "usd", "payment_method": "4242424242424242"})).await;
        assert_eq!((s, answer["data"]["status"].as_str()), (201, Some("paid")), "{answer}");
        assert_eq!(receiver.wait_for_body("payment.succeeded", 1).await, 1);
        let got = receiver.got.lock().unwrap().clone();
        let event: Value = serde_json::from_str(&got.iter().find(|r| r.body.contains("payment.succeeded")).unwrap().body).unwrap();
        assert_eq!(event["data"]["object"]["status"], "paid", "{event}");
        // An unbound endpoint follows the version current when it was made.
        let (_, ep) = create_endpoint(&app, &token, json!({"url": receiver.url})).await;
        assert_eq!(ep["data"]["api_version"], paydesk::versions::CURRENT);
    }
}

/// SPEC §13: IPv6 forms that carry an IPv4 address (IPv4-compatible, IPv4-translated,
/// 6to4, NAT64) are judged by that address, and Teredo and site-local are refused.
async fn embedded_private_ipv4_and_site_local_targets_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.webhook_allow_private = false).await;
    let token = admin_token(&app).await;
    for url in [
        "http://[::127.0.0.1]/hook",
        "http://[::ffff:0:127.0.0.1]/hook",
        "http://[2002:7f00:1::1]/hook",
        "http://[64:ff9b::10.0.0.1]/hook",
        "http://[2001::1]/hook",
        "http://[fec0::1]/hook",
    ] {
        let (s, body) = create_endpoint(&app, &token, json!({"url": url})).await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (400, Some("invalid_request")),
            "{url}: {body}"
        );
        let why = body["error"]["details"]["fields"]["url"]
            .as_str()
            .unwrap_or_default();
        assert!(why.contains("not a public address"), "{url}: {body}");
    }
}

#[tokio::test]
async fn embedded_private_ipv4_and_site_local_targets_are_refused_sqlite() {
    embedded_private_ipv4_and_site_local_targets_are_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn embedded_private_ipv4_and_site_local_targets_are_refused_postgres() {
    if postgres_configured() {
        embedded_private_ipv4_and_site_local_targets_are_refused(Backend::Postgres).await;
    }
}

/// A name that cannot resolve: a lookup would answer 400 about the URL, so a 403 proves
/// the role was asked first.
const UNRESOLVABLE: &str = "https://does-not-resolve.invalid/hook";

fn assert_forbidden(s: u16, body: &Value, what: &str) {
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{what}: {body}"
    );
}

on_both_backends! {
    async fn the_role_is_checked_before_a_webhook_url_is_looked_up(app) {
        let token = admin_token(&app).await;
        app.create_user("viewer@acme.test", "viewer", "Acme");
        app.create_user("dev@acme.test", "developer", "Acme");
        app.verify_merchant("Acme");
        let viewer = app.api_token("viewer@acme.test").await;
        let dev = app.api_token("dev@acme.test").await;

        let (s, body) = create_endpoint(&app, &viewer, json!({"url": UNRESOLVABLE})).await;
        assert_forbidden(s, &body, "viewer creates an endpoint");
        let (s, body) = create_endpoint(&app, &dev, json!({"url": UNRESOLVABLE, "mode": "live"})).await;
        assert_forbidden(s, &body, "developer creates a live endpoint");

        // Changing the URL of an endpoint one may not edit.
        let receiver = Receiver::start(vec![200]).await;
        let (s, ep) = create_endpoint(&app, &token, json!({"url": receiver.url})).await;
        assert_eq!(s, 201, "{ep}");
        let id = ep["data"]["id"].as_str().unwrap();
        let res = app.client.patch(app.url(&format!("/api/v1/webhook-endpoints/{id}")))
            .bearer_auth(&viewer).json(&json!({"url": UNRESOLVABLE})).send().await.unwrap();
        let s = res.status().as_u16();
        assert_forbidden(s, &res.json().await.unwrap(), "viewer changes the URL");

        // A key whose webhook_url would make an endpoint the caller may not make.
        for (who, body) in [
            (&viewer, json!({"name": "k", "mode": "test", "permissions": "*", "webhook_url": UNRESOLVABLE})),
            (&dev, json!({"name": "k", "mode": "live", "permissions": "*", "webhook_url": UNRESOLVABLE})),
        ] {
            let res = app.client.post(app.url("/api/v1/api-keys"))
                .bearer_auth(who).json(&body).send().await.unwrap();
            let s = res.status().as_u16();
            assert_forbidden(s, &res.json().await.unwrap(), &format!("key create {body}"));
        }

        // The page for a new endpoint: a Developer's live endpoint is refused unlooked-up.
        let browser = app.browser();
        browser.sign_in("dev@acme.test", PASSWORD).await;
        let res = browser.post_form("/webhooks/new", "/webhooks", &[
            ("url", UNRESOLVABLE), ("description", ""), ("enabled_events", "*"),
            ("mode", "live"), ("api_key", ""), ("form_token", ""),
        ]).await;
        assert_eq!(res.status(), 403, "{}", res.text().await.unwrap());
        // And the new key page, whose refusal is shown beside the mode.
        let res = browser.post_form("/keys/new", "/keys", &[
            ("name", "k"), ("mode", "live"), ("webhook_url", UNRESOLVABLE),
        ]).await;
        let s = res.status();
        let html = res.text().await.unwrap();
        assert_eq!(s, 403, "{html}");
        assert!(!html.contains("does not resolve"), "{html}");
    }
}

on_both_backends! {
    async fn enabled_events_are_names_from_the_catalogue(app) {
        let token = admin_token(&app).await;
        let receiver = Receiver::start(vec![200]).await;
        let (s, body) = create_endpoint(&app, &token, json!({"url": receiver.url, "enabled_events": ["payment.succeeded", "payment.succeded"]})).await;
        assert_eq!((s, body["error"]["code"].as_str()), (400, Some("invalid_request")), "{body}");
        let why = body["error"]["details"]["fields"]["enabled_events"].as_str().unwrap_or_default();
        assert!(why.contains("unknown event type payment.succeded:"), "only the unknown one is named: {body}");
        let (s, ep) = create_endpoint(&app, &token, json!({"url": receiver.url, "enabled_events": ["refund.created", "api_key.revoked"]})).await;
        assert_eq!(s, 201, "{ep}");
        let (s, ep) = create_endpoint(&app, &token, json!({"url": receiver.url, "enabled_events": ["*"]})).await;
        assert_eq!(s, 201, "{ep}");
        let id = ep["data"]["id"].as_str().unwrap();
        let res = app.client.patch(app.url(&format!("/api/v1/webhook-endpoints/{id}")))
            .bearer_auth(&token).json(&json!({"enabled_events": ["everything"]})).send().await.unwrap();
        assert_eq!(res.status(), 400);
        let body: Value = res.json().await.unwrap();
        assert!(body["error"]["details"]["fields"]["enabled_events"].as_str().unwrap_or_default().contains("everything"), "{body}");
        // The page names it beside the field too.
        let res = app.post_form("/webhooks/new", "/webhooks", &[
            ("url", &receiver.url), ("description", ""), ("enabled_events", "payment.succeeded, charge.succeeded"),
            ("mode", "test"), ("api_key", ""), ("form_token", ""),
        ]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("nknown event type charge.succeeded"), "{html}");
    }
}

on_both_backends! {
    async fn a_delivery_that_failed_twice_keeps_each_attempt_in_its_history(app) {
        let token = admin_token(&app).await;
        let receiver = Receiver::start_answering(vec![(500, "database down"), (500, "still down"), (200, "thanks")]).await;
        let (_, ep) = create_endpoint(&app, &token, json!({"url": receiver.url})).await;
        let id = ep["data"]["id"].as_str().unwrap().to_owned();
        let res = app.client.post(app.url(&format!("/api/v1/webhook-endpoints/{id}/test"))).bearer_auth(&token).send().await.unwrap();
        let made: Value = res.json().await.unwrap();
        assert_eq!(made["data"]["attempt_history"], json!([]), "not attempted yet: {made}");
        assert_eq!(receiver.wait_for(3).await.len(), 3);
        let started = Instant::now();
        let d = loop {
            let res = app.client.get(app.url(&format!("/api/v1/webhook-endpoints/{id}/deliveries"))).bearer_auth(&token).send().await.unwrap();
            let list: Value = res.json().await.unwrap();
            let d = list["data"]["data"][0].clone();
            if d["status"] == "delivered" {
                break d;
            }
            assert!(started.elapsed() < Duration::from_secs(3), "{list}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let history = d["attempt_history"].as_array().expect("attempt_history");
        assert_eq!(history.len(), 3, "{d}");
        let codes: Vec<_> = history.iter().map(|a| a["status_code"].clone()).collect();
        assert_eq!(codes, [json!(500), json!(500), json!(200)], "oldest first");
        assert_eq!(history[0]["error"], "answered 500");
        assert_eq!(history[2]["error"], Value::Null);
        for a in history {
            assert!(a["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{a}");
            assert!(a["attempted_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{a}");
        }
    }
}

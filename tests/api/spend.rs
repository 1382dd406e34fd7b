//! Spend limits on secret keys and the key policy for live keys (SPEC §17), over HTTP.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::payments::{admin_token, call, make_key, post};

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

fn card(amount: i64, currency: &str, card: &str) -> Value {
    json!({"amount": amount, "currency": currency, "payment_method": card})
}

const OK: &str = "4242424242424242";
const DECLINED: &str = "4000000000000002";

/// The start of the next UTC day, as the API writes times.
fn next_utc(period: i64) -> String {
    let now = paydesk::clock::now();
    paydesk::clock::rfc3339(now - now.rem_euclid(period) + period)
}

on_both_backends! {
    async fn spend_limits_are_checked_on_create_and_edit_naming_every_bad_entry(app) {
        let token = admin_token(&app).await;
        let (s, body) = call(&app, &token, Method::POST, "/api-keys", Some(json!({
            "name": "k", "permissions": {"payments": "lots"},
            "spend_limits": [
                {"resource": "payments", "currency": "usd", "amount": 500000, "period": "day"},
                {"resource": "coffee", "currency": "usd", "amount": -5, "period": "week"},
                {"resource": "refunds", "currency": "xyz", "amount": "10", "period": "hour", "extra": 1},
                "nope",
            ],
        }))).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"), "{body}");
        let fields = &body["error"]["details"]["fields"];
        assert!(fields["permissions"].is_string(), "{body}");
        let limits = fields["spend_limits"].as_str().unwrap();
        for part in ["Limit 2: choose what it counts", "Limit 2: enter the amount", "Limit 2: choose a period",
                     "Limit 3: use a lower-case ISO 4217", "Limit 3: enter the amount", "Limit 3 has unknown fields: extra.",
                     "Limit 4 must be an object."] {
            assert!(limits.contains(part), "{part:?} in {limits}");
        }
        assert!(!limits.contains("Limit 1"), "{limits}");
        let (s, body) = call(&app, &token, Method::POST, "/api-keys", Some(json!({
            "name": "k", "permissions": "*", "spend_limits": {"resource": "payments"},
        }))).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"), "{body}");
        // A good list is kept, in one order, and shown on the key.
        let key = make_key(&app, &token, json!({"name": "k", "permissions": "*", "spend_limits": [
            {"resource": "refunds", "currency": "usd", "amount": 1000, "period": "hour"},
            {"resource": "payments", "currency": "usd", "amount": 500000, "period": "day"},
        ]})).await;
        let (_, got) = call(&app, &token, Method::GET, &format!("/api-keys/{}", key.id), None).await;
        assert_eq!(got["data"]["spend_limits"], json!([
            {"resource": "payments", "currency": "usd", "amount": 500000, "period": "day"},
            {"resource": "refunds", "currency": "usd", "amount": 1000, "period": "hour"},
        ]));
        let path = format!("/api-keys/{}", key.id);
        let (s, body) = call(&app, &token, Method::PATCH, &path, Some(json!({"spend_limits": [
            {"resource": "payments", "currency": "usd", "amount": 1, "period": "day"},
            {"resource": "payments", "currency": "usd", "amount": 2, "period": "day"},
        ]}))).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"), "{body}");
        assert!(body["error"]["details"]["fields"]["spend_limits"].as_str().unwrap().contains("Limit 2 repeats limit 1"));
        // 2500.0 is the whole number 2500, as everywhere else in a body (JSON Schema agrees).
        let (s, body) = call(&app, &token, Method::PATCH, &path, Some(json!({"spend_limits": [
            {"resource": "payments", "currency": "usd", "amount": 2500.0, "period": "day"},
        ]}))).await;
        assert_eq!((s, body["data"]["spend_limits"][0]["amount"].clone()), (200, json!(2500)), "{body}");
        let (s, body) = call(&app, &token, Method::PATCH, &path, Some(json!({"spend_limits": [
            {"resource": "payments", "currency": "usd", "amount": 2.5, "period": "day"},
        ]}))).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"), "{body}");
        let (s, body) = call(&app, &token, Method::PATCH, &path, Some(json!({"spend_limits": null}))).await;
        assert_eq!((s, body["data"]["spend_limits"].clone()), (200, json!([])), "{body}");
    }

    async fn a_payment_that_would_pass_the_limit_is_refused_with_the_details(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "k", "permissions": "*", "spend_limits": [
            {"resource": "payments", "currency": "usd", "amount": 2500, "period": "day"},
        ]})).await;
        // A declined card moves nothing, so it counts nothing.
        let (s, failed) = post(&app, &key.secret, "/payments", card(2000, "usd", DECLINED)).await;
        assert_eq!((s, failed["data"]["status"].as_str()), (201, Some("failed")), "{failed}");
        for _ in 0..2 {
            let (s, body) = post(&app, &key.secret, "/payments", card(1000, "usd", OK)).await;
            assert_eq!(s, 201, "{body}");
        }
        let (s, body) = post(&app, &key.secret, "/payments", card(1000, "usd", OK)).await;
        assert_eq!((s, code(&body)), (403, "spend_limit_exceeded"), "{body}");
        let details = &body["error"]["details"];
        assert_eq!(details["limit"], 2500);
        assert_eq!(details["used"], 2000);
        assert_eq!(details["currency"], "usd");
        assert_eq!(details["resets_at"], next_utc(86_400));
        assert!(body["error"]["message"].as_str().unwrap().contains("25.00"), "{body}");
        // What still fits is taken; another currency has no limit; nothing refused was kept.
        let (s, _) = post(&app, &key.secret, "/payments", card(500, "usd", OK)).await;
        assert_eq!(s, 201);
        let (s, _) = post(&app, &key.secret, "/payments", card(99_999, "eur", OK)).await;
        assert_eq!(s, 201);
        let (_, list) = call(&app, &key.secret, Method::GET, "/payments?limit=100", None).await;
        assert_eq!(list["data"]["data"].as_array().unwrap().len(), 5, "{list}");
        // The limit is the key's: another key of the merchant is not held back by it.
        let other = make_key(&app, &token, json!({"name": "other", "permissions": "*"})).await;
        let (s, _) = post(&app, &other.secret, "/payments", card(5000, "usd", OK)).await;
        assert_eq!(s, 201);
    }

    async fn refunds_count_against_their_own_limit(app) {
        let token = admin_token(&app).await;
        let key = make_key(&app, &token, json!({"name": "k", "permissions": "*", "spend_limits": [
            {"resource": "payments", "currency": "usd", "amount": 6000, "period": "day"},
            {"resource": "refunds", "currency": "usd", "amount": 1500, "period": "hour"},
        ]})).await;
        let (s, paid) = post(&app, &key.secret, "/payments", card(5000, "usd", OK)).await;
        assert_eq!(s, 201, "{paid}");
        let refund = format!("/payments/refund/{}", paid["data"]["id"].as_str().unwrap());
        let (s, body) = post(&app, &key.secret, &refund, json!({"amount": 1000})).await;
        assert_eq!(s, 201, "{body}");
        let (s, body) = post(&app, &key.secret, &refund, json!({"amount": 1000})).await;
        assert_eq!((s, code(&body)), (403, "spend_limit_exceeded"), "{body}");
        assert_eq!(body["error"]["details"]["limit"], 1500);
        assert_eq!(body["error"]["details"]["used"], 1000);
        assert_eq!(body["error"]["details"]["resets_at"], next_utc(3_600));
        // The refused refund left the payment as it was; payments have their own room.
        let (_, payment) = call(&app, &key.secret, Method::GET, &format!("/payments/{}", paid["data"]["id"].as_str().unwrap()), None).await;
        assert_eq!(payment["data"]["amount_refunded"], 1000, "{payment}");
        let (s, _) = post(&app, &key.secret, "/payments", card(1000, "usd", OK)).await;
        assert_eq!(s, 201);
        let (s, body) = post(&app, &key.secret, "/payments", card(1, "usd", OK)).await;
        assert_eq!((s, code(&body)), (403, "spend_limit_exceeded"), "{body}");
    }

    async fn raising_or_removing_a_live_key_limit_needs_sudo(app) {
        let token = admin_token(&app).await;
        app.verify_merchant("Acme");
        let limit = |amount: i64| json!({"spend_limits": [{"resource": "payments", "currency": "usd", "amount": amount, "period": "day"}]});
        let key = make_key(&app, &token, json!({"name": "live", "mode": "live", "permissions": "*",
            "spend_limits": limit(10_000)["spend_limits"]})).await;
        let path = format!("/api-keys/{}", key.id);
        app.age_sudo();
        for wider in [limit(10_001), json!({"spend_limits": []}),
                      json!({"spend_limits": [{"resource": "payments", "currency": "usd", "amount": 10_000, "period": "hour"}]})] {
            let (s, body) = call(&app, &token, Method::PATCH, &path, Some(wider.clone())).await;
            assert_eq!((s, code(&body)), (403, "reauthentication_required"), "{wider}: {body}");
        }
        // Lowering one, or adding one, takes power away: no sudo.
        let (s, body) = call(&app, &token, Method::PATCH, &path, Some(limit(9_000))).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["data"]["spend_limits"][0]["amount"], 9_000);
        // A fresh sign-in may raise it.
        let fresh = app.api_token("admin@acme.test").await;
        let (s, body) = call(&app, &fresh, Method::PATCH, &path, Some(limit(20_000))).await;
        assert_eq!(s, 200, "{body}");
    }

    async fn a_policy_requiring_allowlists_refuses_a_live_key_without_one_and_marks_an_older_key(app) {
        let token = admin_token(&app).await;
        app.verify_merchant("Acme");
        let (s, policy) = call(&app, &token, Method::GET, "/key-policy", None).await;
        assert_eq!(s, 200, "{policy}");
        assert_eq!(policy["data"]["live_max_lifetime_days"], Value::Null);
        assert_eq!(policy["data"]["live_require_allowed_ips"], false);
        let older = make_key(&app, &token, json!({"name": "older", "mode": "live", "permissions": "*"})).await;
        let test_key = make_key(&app, &token, json!({"name": "test", "permissions": "*"})).await;
        let (s, policy) = call(&app, &token, Method::PATCH, "/key-policy", Some(json!({"live_require_allowed_ips": true}))).await;
        assert_eq!((s, policy["data"]["live_require_allowed_ips"].as_bool()), (200, Some(true)), "{policy}");
        let (s, body) = call(&app, &token, Method::POST, "/api-keys", Some(json!({"name": "new", "mode": "live", "permissions": "*"}))).await;
        assert_eq!((s, code(&body)), (400, "policy_violation"), "{body}");
        assert_eq!(body["error"]["details"]["rule"], "live_require_allowed_ips");
        let good = make_key(&app, &token, json!({"name": "new", "mode": "live", "permissions": "*", "allowed_ips": ["203.0.113.7"]})).await;
        let show = |id: String| { let t = token.clone(); let app = &app; async move {
            call(app, &t, Method::GET, &format!("/api-keys/{id}"), None).await.1["data"]["outside_policy"].clone()
        }};
        assert_eq!(show(older.id.clone()).await, true);
        assert_eq!(show(good.id.clone()).await, false);
        assert_eq!(show(test_key.id.clone()).await, false, "the policy is for live keys");
        let (_, list) = call(&app, &token, Method::GET, "/api-keys?mode=live", None).await;
        let marked: Vec<(String, bool)> = list["data"]["data"].as_array().unwrap().iter()
            .map(|k| (k["name"].as_str().unwrap().to_owned(), k["outside_policy"].as_bool().unwrap())).collect();
        assert!(marked.contains(&("older".into(), true)) && marked.contains(&("new".into(), false)), "{marked:?}");
        // An edit of a live key that leaves it without an allowlist breaks the rule too.
        let (s, body) = call(&app, &token, Method::PATCH, &format!("/api-keys/{}", good.id), Some(json!({"allowed_ips": []}))).await;
        assert_eq!((s, body["error"]["details"]["rule"].as_str()), (400, Some("live_require_allowed_ips")), "{body}");
        // Lifetime and signature rules name themselves.
        let (s, _) = call(&app, &token, Method::PATCH, "/key-policy", Some(json!({"live_max_lifetime_days": 30, "live_require_signature": true}))).await;
        assert_eq!(s, 200);
        let live = |extra: Value| { let mut b = json!({"name": "n", "mode": "live", "permissions": "*", "allowed_ips": ["203.0.113.7"]});
            for (k, v) in extra.as_object().unwrap() { b[k] = v.clone(); } b };
        for (body, rule) in [
            (live(json!({"require_signature": true})), "live_max_lifetime_days"),
            (live(json!({"require_signature": true, "expires_in_days": 31})), "live_max_lifetime_days"),
            (live(json!({"expires_in_days": 30})), "live_require_signature"),
        ] {
            let (s, answer) = call(&app, &token, Method::POST, "/api-keys", Some(body)).await;
            assert_eq!((s, answer["error"]["details"]["rule"].as_str()), (400, Some(rule)), "{answer}");
        }
        let (s, _) = call(&app, &token, Method::POST, "/api-keys", Some(live(json!({"require_signature": true, "expires_in_days": 30})))).await;
        assert_eq!(s, 201);
    }

    async fn the_policy_holds_for_a_rolled_key_and_for_a_key_a_management_key_makes(app) {
        let token = admin_token(&app).await;
        app.verify_merchant("Acme");
        let older = make_key(&app, &token, json!({"name": "older", "mode": "live", "permissions": "*"})).await;
        let (s, mk) = call(&app, &token, Method::POST, "/management-keys", Some(json!({
            "name": "Release", "scopes": ["api_keys:write"], "live": true, "allowed_ips": [], "expires_in_days": 7,
        }))).await;
        assert_eq!(s, 201, "{mk}");
        let mk = mk["data"]["secret"].as_str().unwrap().to_owned();
        let (s, _) = call(&app, &token, Method::PATCH, "/key-policy", Some(json!({"live_require_allowed_ips": true}))).await;
        assert_eq!(s, 200);
        let roll = format!("/api-keys/{}/roll", older.id);
        // A roll's successor is a new live key without an allowlist: refused, by a person or
        // a management key, and the old key keeps working unrolled.
        for bearer in [&token, &mk] {
            let (s, body) = call(&app, bearer, Method::POST, &roll, Some(json!({}))).await;
            assert_eq!((s, code(&body), body["error"]["details"]["rule"].as_str()),
                (400, "policy_violation", Some("live_require_allowed_ips")), "{body}");
        }
        assert_eq!(call(&app, &older.secret, Method::GET, "/customers", None).await.0, 200);
        let (_, key) = call(&app, &token, Method::GET, &format!("/api-keys/{}", older.id), None).await;
        assert_eq!((key["data"]["status"].as_str(), key["data"]["outside_policy"].as_bool()), (Some("active"), Some(true)), "{key}");
        // A management key making a live key meets the same rule.
        let (s, body) = call(&app, &mk, Method::POST, "/api-keys", Some(json!({"name": "ci", "mode": "live", "permissions": "*"}))).await;
        assert_eq!((s, body["error"]["details"]["rule"].as_str()), (400, Some("live_require_allowed_ips")), "{body}");
        let (s, body) = call(&app, &mk, Method::POST, "/api-keys", Some(json!({"name": "ci", "mode": "live", "permissions": "*", "allowed_ips": ["203.0.113.7"]}))).await;
        assert_eq!(s, 201, "{body}");
        // Given an allowlist, the key rolls; under a maximum lifetime, a successor that
        // never expires does not.
        let (s, body) = call(&app, &token, Method::PATCH, &format!("/api-keys/{}", older.id), Some(json!({"allowed_ips": ["203.0.113.7"]}))).await;
        assert_eq!(s, 200, "{body}");
        let (s, rolled) = call(&app, &mk, Method::POST, &roll, Some(json!({}))).await;
        assert_eq!(s, 201, "{rolled}");
        let (s, _) = call(&app, &token, Method::PATCH, "/key-policy", Some(json!({"live_max_lifetime_days": 30}))).await;
        assert_eq!(s, 200);
        let (s, body) = call(&app, &token, Method::POST, &format!("/api-keys/{}/roll", rolled["data"]["id"].as_str().unwrap()), Some(json!({}))).await;
        assert_eq!((s, body["error"]["details"]["rule"].as_str()), (400, Some("live_max_lifetime_days")), "{body}");
    }

    async fn loosening_the_policy_needs_sudo_and_only_an_admin_changes_it(app) {
        let token = admin_token(&app).await;
        let (s, _) = call(&app, &token, Method::PATCH, "/key-policy", Some(json!({
            "live_max_lifetime_days": 90, "live_require_allowed_ips": true, "live_require_signature": true,
        }))).await;
        assert_eq!(s, 200);
        app.age_sudo();
        // Tightening needs no sudo; every loosening does.
        let (s, body) = call(&app, &token, Method::PATCH, "/key-policy", Some(json!({"live_max_lifetime_days": 30}))).await;
        assert_eq!((s, body["data"]["live_max_lifetime_days"].as_i64()), (200, Some(30)), "{body}");
        for looser in [json!({"live_max_lifetime_days": 31}), json!({"live_max_lifetime_days": null}),
                       json!({"live_require_allowed_ips": false}), json!({"live_require_signature": false})] {
            let (s, body) = call(&app, &token, Method::PATCH, "/key-policy", Some(looser.clone())).await;
            assert_eq!((s, code(&body)), (403, "reauthentication_required"), "{looser}: {body}");
        }
        let (s, body) = call(&app, &token, Method::PATCH, "/key-policy", Some(json!({"live_max_lifetime_days": 0, "extra": 1}))).await;
        assert_eq!((s, code(&body)), (400, "invalid_request"), "{body}");
        let fields = &body["error"]["details"]["fields"];
        assert!(fields["live_max_lifetime_days"].is_string() && fields["extra"].is_string(), "{body}");
        let fresh = app.api_token("admin@acme.test").await;
        let (s, body) = call(&app, &fresh, Method::PATCH, "/key-policy", Some(json!({"live_max_lifetime_days": null, "live_require_signature": false}))).await;
        assert_eq!((s, body["data"]["live_max_lifetime_days"].clone()), (200, Value::Null), "{body}");
        assert_eq!(body["data"]["updated_by"], "admin@acme.test");
        // A Developer cannot change it, nor can an API key or anything but a user token.
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.api_token("dev@acme.test").await;
        let (s, body) = call(&app, &dev, Method::PATCH, "/key-policy", Some(json!({"live_require_signature": true}))).await;
        assert_eq!((s, code(&body)), (403, "forbidden"), "{body}");
        let key = make_key(&app, &fresh, json!({"name": "k", "permissions": "*"})).await;
        for bearer in [key.secret.as_str(), "mk_test_0000000000000000000000000000000000000"] {
            let (s, _) = call(&app, bearer, Method::PATCH, "/key-policy", Some(json!({"live_require_signature": true}))).await;
            assert_eq!(s, 401, "{bearer}");
        }
        // Each change is in the audit log.
        let mut conn = app.db().conn().unwrap();
        use diesel::prelude::*;
        use paydesk::db::schema::audit_log;
        let n: i64 = audit_log::table.filter(audit_log::action.eq("key_policy.updated")).count().get_result(&mut *conn).unwrap();
        assert_eq!(n, 3);
    }
}

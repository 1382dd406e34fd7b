//! The Hub's spend-limit fields and usage, and the key policy page (SPEC §17).

use crate::hub::create_key_form;
use crate::on_both_backends;
use crate::support::*;

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

on_both_backends! {
    async fn the_key_form_takes_spend_limits_and_the_key_page_shows_what_is_used(app) {
        app.setup_admin().await;
        let new = app.get_html("/keys/new").await;
        assert!(new.contains("name=\"spend_amount_1\"") && new.contains("name=\"spend_period_2\""), "two empty rows");
        // Every bad row named at once, beside the other fields' errors, what was typed kept.
        let res = create_key_form(&app, &[("name", ""), ("mode", "test"), ("access", "full"),
            ("spend_resource_1", "payments"), ("spend_currency_1", "usd"), ("spend_amount_1", "ten"), ("spend_period_1", "day"),
            ("spend_resource_2", "refunds"), ("spend_currency_2", "qqq"), ("spend_amount_2", "5"), ("spend_period_2", "hour")]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("Limit 1: enter the amount as a number such as 100.00.") && html.contains("Limit 2: use a lower-case ISO 4217"), "{html}");
        assert!(html.contains("Give the key a label"));
        assert!(html.contains("value=\"ten\""), "kept as typed");
        // Money as a merchant types it: cents are one decimal too many; yen have none.
        let res = create_key_form(&app, &[("name", "Limited"), ("mode", "test"), ("access", "full"),
            ("spend_resource_1", "payments"), ("spend_currency_1", "usd"), ("spend_amount_1", "100.005"), ("spend_period_1", "day"),
            ("spend_resource_2", "refunds"), ("spend_currency_2", "jpy"), ("spend_amount_2", "50.5"), ("spend_period_2", "hour")]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("Limit 1: enter the amount as a number such as 100.00.") && html.contains("Limit 2: enter the amount as a number such as 100."), "{html}");
        let res = create_key_form(&app, &[("name", "Limited"), ("mode", "test"), ("access", "full"),
            ("spend_resource_1", "payments"), ("spend_currency_1", "usd"), ("spend_amount_1", "100.00"), ("spend_period_1", "day"),
            ("spend_resource_2", "refunds"), ("spend_currency_2", "jpy"), ("spend_amount_2", "5000"), ("spend_period_2", "hour"),
            ("spend_resource_3", "payments"), ("spend_currency_3", ""), ("spend_amount_3", ""), ("spend_period_3", "day")]).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let reveal = location(&res);
        let html = app.get_html(&reveal).await;
        let secret = html.split("sk_test_").nth(1).map(|rest| format!("sk_test_{}", &rest[..38])).expect("secret shown");
        let id = reveal.trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();
        let res = app.client.post(app.url("/api/v1/payments")).bearer_auth(&secret)
            .json(&serde_json::json!({"amount": 2500, "currency": "usd", "payment_method": "4242424242424242"})).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let page = app.get_html(&format!("/keys/{id}")).await;
        let spend = page.split("data-testid=\"key-spend\"").nth(1).unwrap();
        let spend = &spend[..spend.find("</dd>").unwrap()];
        assert!(spend.contains("25.00") && spend.contains("100.00") && spend.contains("of payments per day") && spend.contains("resets"), "{spend}");
        // The API keeps minor units: 100.00 USD is 10000 cents, 5000 JPY is 5000.
        let token = app.api_token("admin@acme.test").await;
        let key: serde_json::Value = app.client.get(app.url(&format!("/api/v1/api-keys/{id}"))).bearer_auth(&token)
            .send().await.unwrap().json().await.unwrap();
        let limits = key["data"]["spend_limits"].to_string();
        assert!(limits.contains("\"amount\":10000") && limits.contains("\"amount\":5000"), "{limits}");
        // The edit form shows the limits as they were typed.
        let edit = app.get_html(&format!("/keys/{id}/edit")).await;
        assert!(edit.contains("value=\"100.00\"") && edit.contains("value=\"5000\""), "{edit}");
        assert!(!edit.contains("value=\"10000\""), "{edit}");
    }

    async fn an_admin_sets_the_key_policy_on_its_page_and_older_keys_are_marked(app) {
        app.setup_admin().await;
        app.verify_merchant("Acme");
        let home = app.get_html("/").await;
        assert!(home.contains("href=\"/settings/keys\""), "linked from the navigation for Admins");
        let res = create_key_form(&app, &[("name", "Old live"), ("mode", "live"), ("access", "full")]).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let id = location(&res).trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();
        let page = app.get_html("/settings/keys").await;
        assert!(page.contains("Maximum lifetime"), "{page}");
        let res = app.post_form("/settings/keys", "/settings/keys", &[("live_max_lifetime_days", "0")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("Enter a number of days from 1 to 3650"));
        let res = app.post_form("/settings/keys", "/settings/keys", &[("live_max_lifetime_days", "90"), ("live_require_allowed_ips", "on")]).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, "/settings/keys?done=saved".into()));
        let page = app.get_html("/settings/keys").await;
        assert!(page.contains("data-testid=\"outside-policy-count\"") && page.contains("1 live key is outside"), "{page}");
        let list = app.get_html("/keys?mode=live").await;
        assert!(list.contains("data-testid=\"outside-policy\""), "{list}");
        let detail = app.get_html(&format!("/keys/{id}")).await;
        assert!(detail.contains("data-testid=\"outside-policy-banner\""));
        // Rolling it would make a new live key breaking the rule: refused on the roll page,
        // the key left as it was.
        let res = app.post_form(&format!("/keys/{id}/roll"), &format!("/keys/{id}/roll"), &[("grace_period_seconds", "0")]).await;
        let status = res.status().as_u16();
        let html = res.text().await.unwrap();
        assert!(status == 400 && html.contains("live keys expire within 90 days") && html.contains("Create a new key with an expiry instead"), "{status}: {html}");
        assert!(app.get_html(&format!("/keys/{id}")).await.contains("data-testid=\"outside-policy-banner\""));
        // The form refuses a live key that breaks a rule, naming it.
        let res = create_key_form(&app, &[("name", "New live"), ("mode", "live"), ("access", "full"), ("expires_in_days", "30")]).await;
        let status = res.status().as_u16();
        let html = res.text().await.unwrap();
        assert!(status == 400 && html.contains("allowed_ips-error") && html.contains("IP allowlist"), "{status}: {html}");
        assert!(html.contains("value=\"New live\""), "the form is shown again as typed");
        // A Developer cannot open the page.
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        assert_eq!(dev.get("/settings/keys").await.status(), 403);
        assert!(!dev.get_html("/").await.contains("href=\"/settings/keys\""));
    }
}

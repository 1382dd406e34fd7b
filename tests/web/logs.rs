//! The Logs pages: the merchant's API requests, filtered and paged; one request by its
//! Request-Id; Admins and Developers only.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::*;

/// Creates a key through the API; returns (id, secret).
pub async fn api_key(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let res = app
        .client
        .post(app.url("/api/v1/api-keys"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    (
        v["data"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_owned(),
        v["data"]["secret_key"].as_str().unwrap().to_owned(),
    )
}

/// One API call with `secret`; returns (status, Request-Id).
pub async fn call(
    app: &TestApp,
    secret: &str,
    method: reqwest::Method,
    path: &str,
) -> (u16, String) {
    let res = app
        .client
        .request(method, app.url(path))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.headers()["request-id"].to_str().unwrap().to_owned(),
    )
}

/// The page at `path` once it shows `needle`, polling up to 3 s.
pub async fn page_showing(app: &TestApp, path: &str, needle: &str) -> String {
    for _ in 0..60 {
        let html = app.get_html(path).await;
        if html.contains(needle) {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{path} did not show {needle} within 3 s");
}

on_both_backends! {
    async fn logs_list_requests_newest_first_and_filter_them(app) {
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        let (a, a_secret) = api_key(&app, &token, json!({"name": "Reader", "permissions": {"customers": "read"}})).await;
        let (_, b_secret) = api_key(&app, &token, json!({"name": "Other", "permissions": "*"})).await;
        let (_, ok) = call(&app, &a_secret, reqwest::Method::GET, "/api/v1/customers?email=x%40y.test").await;
        let (status, refused) = call(&app, &a_secret, reqwest::Method::GET, "/api/v1/payments").await;
        assert_eq!(status, 403);
        let (_, other) = call(&app, &b_secret, reqwest::Method::GET, "/api/v1/whoami").await;

        let html = page_showing(&app, "/logs", &other).await;
        let html = if html.contains(&ok) { html } else { page_showing(&app, "/logs", &ok).await };
        assert!(html.contains(&refused) && html.contains("insufficient_scope"), "{html}");
        assert!(html.find(&other).unwrap() < html.find(&ok).unwrap(), "newest first");
        assert!(html.contains(&format!("href=\"/keys/{a}\">Reader</a>")), "the key's label links to it");
        assert!(html.contains(&format!("href=\"/logs/{ok}\"")));
        assert!(!html.contains("x%40y.test") && !html.contains("x@y.test"), "no query strings");

        let by_key = app.get_html(&format!("/logs?key={a}")).await;
        assert!(by_key.contains(&ok) && !by_key.contains(&other));
        let client_errors = app.get_html("/logs?status=4xx").await;
        assert!(client_errors.contains(&refused) && !client_errors.contains(&ok));
        let by_path = app.get_html("/logs?path=%2Fapi%2Fv1%2Fcustomers").await;
        assert!(by_path.contains(&ok) && !by_path.contains(&refused) && !by_path.contains(&other));

        let res = app.get("/logs?status=3xx&path=customers").await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("Choose 2xx, 4xx or 5xx.") && html.contains("Start the path with /"), "{html}");
        let live = app.get_html("/logs?mode=live").await;
        assert!(!live.contains(&ok) && live.contains("No live requests yet"), "test requests stay out of live mode");

        let one = app.get_html(&format!("/logs/{refused}")).await;
        assert!(one.contains("/api/v1/payments") && one.contains("403") && one.contains("insufficient_scope"), "{one}");
        assert_eq!(app.get("/logs/req_nothing").await.status(), 404);
    }

    async fn logs_page_fifty_at_a_time(app) {
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        let (_, secret) = api_key(&app, &token, json!({"name": "Busy", "permissions": "*", "rate_limit": 1000})).await;
        let mut ids = Vec::new();
        for _ in 0..52 {
            ids.push(call(&app, &secret, reqwest::Method::GET, "/api/v1/whoami").await.1);
        }
        // Every line written (the flush is about every 100 ms in tests).
        let mut first = String::new();
        for _ in 0..60 {
            first = app.get_html("/logs").await;
            if first.contains("rel=\"next\"") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let shown = |html: &str| -> Vec<String> {
            html.split("data-request-id=\"").skip(1).map(|s| s.split('"').next().unwrap().to_owned()).collect()
        };
        assert_eq!(shown(&first).len(), 50, "50 a page");
        let older = first.split("href=\"/logs?").find(|s| s.contains("rel=\"next\"")).expect("an Older link");
        let query = older.split('"').next().unwrap().replace("&amp;", "&");
        let second = app.get_html(&format!("/logs?{query}")).await;
        assert_eq!(shown(&second).len(), 2, "{query}");
        assert!(!second.contains("rel=\"next\""));
        let mut all = [shown(&first), shown(&second)].concat();
        all.sort();
        ids.sort();
        assert_eq!(all, ids, "each request once, across the pages");
    }

    async fn only_admins_and_developers_see_logs_and_only_their_own(app) {
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        let (_, secret) = api_key(&app, &token, json!({"name": "K", "permissions": "*"})).await;
        let (_, id) = call(&app, &secret, reqwest::Method::GET, "/api/v1/whoami").await;
        page_showing(&app, "/logs", &id).await;

        app.add_member("view@acme.test", "viewer").await;
        let viewer = app.browser();
        viewer.sign_in("view@acme.test", PASSWORD).await;
        assert_eq!(viewer.get("/logs").await.status(), 403);
        assert_eq!(viewer.get(&format!("/logs/{id}")).await.status(), 403);
        assert!(!viewer.get_html("/").await.contains("href=\"/logs\""), "no Logs link for viewers");

        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        assert!(dev.get_html(&format!("/logs/{id}")).await.contains(&id));

        app.create_user("boss@other.test", "admin", "Other");
        let other = app.browser();
        other.sign_in("boss@other.test", PASSWORD).await;
        assert_eq!(other.get(&format!("/logs/{id}")).await.status(), 404);
        assert!(!other.get_html("/logs").await.contains(&id));
    }
}

on_both_backends! {
    async fn the_key_page_charts_usage_and_restricts_a_key_to_the_scopes_it_used(app) {
        use diesel::prelude::*;
        use paydesk::db::schema::api_keys;
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        let (id, secret) = api_key(&app, &token, json!({"name": "Wide", "permissions": {"customers": "write", "payments": "read"}})).await;
        let mut last = String::new();
        for _ in 0..3 {
            last = call(&app, &secret, reqwest::Method::GET, "/api/v1/customers").await.1;
        }
        let (status, refused) = call(&app, &secret, reqwest::Method::GET, "/api/v1/refunds").await;
        assert_eq!(status, 403);

        // The newest request shown means every earlier one was counted (one batch each time).
        let page = page_showing(&app, &format!("/keys/{id}"), &refused).await;
        assert!(page.contains("<svg role=\"img\" aria-labelledby=\"usage-title usage-desc\""), "{page}");
        assert!(page.contains("<title id=\"usage-title\">Requests per hour, the last 24 hours</title>"));
        assert!(page.contains("3 succeeded (2xx), 1 refused (4xx)"), "the description says the numbers");
        assert!(page.contains("id=\"usage-table\""), "and a table has them");
        assert!(page.contains(&format!("href=\"/logs/{last}\"")), "the latest requests link to the log");
        assert!(page.contains("<code>customers:read</code>"), "the scope it used");
        assert!(!page.contains("data-testid=\"restrict\""), "not offered for a key younger than 7 days");
        assert_eq!(app.get(&format!("/keys/{id}/restrict")).await.status(), 409);
        let month = app.get_html(&format!("/keys/{id}?usage=30d")).await;
        assert!(month.contains("Requests per day, the last 30 days"));

        // Eight days old: offered, confirmed, and applied as a normal key edit.
        {
            let mut conn = app.db().conn().unwrap();
            diesel::update(api_keys::table.filter(api_keys::id.eq(&id)))
                .set(api_keys::created_at.eq(api_keys::created_at - 8 * 86_400))
                .execute(&mut *conn)
                .unwrap();
        }
        let page = app.get_html(&format!("/keys/{id}")).await;
        assert!(page.contains("data-testid=\"restrict\""), "{page}");
        let confirm = app.get_html(&format!("/keys/{id}/restrict")).await;
        assert!(confirm.contains("customers:read"), "{confirm}");
        let res = app.post_form(&format!("/keys/{id}/restrict"), &format!("/keys/{id}/restrict"), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/keys/{id}?done=restricted").as_str());
        let key: Value = app.client.get(app.url(&format!("/api/v1/api-keys/{id}"))).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(key["data"]["permissions"], json!({"customers": "read"}), "{key}");
        let page = app.get_html(&format!("/keys/{id}?done=restricted")).await;
        assert!(!page.contains("data-testid=\"restrict\""), "nothing more to restrict");
        assert_eq!(app.get(&format!("/keys/{id}/restrict")).await.status(), 409);
    }
}

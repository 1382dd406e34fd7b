//! The merchant dashboard (SPEC §10): payments with filters and Refund, customers,
//! subscriptions, events, the overview, and the test/live switch, as people of each role
//! see them.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::*;

/// A full-access test key made through the API by the signed-in Admin.
async fn test_key(app: &TestApp) -> String {
    let token = app.api_token("admin@acme.test").await;
    let res = app
        .client
        .post(app.url("/api/v1/api-keys"))
        .bearer_auth(&token)
        .json(&json!({"name": "dashboard", "permissions": "*"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["data"]["secret_key"].as_str().unwrap().to_owned()
}

async fn api(app: &TestApp, key: &str, path: &str, body: Value) -> Value {
    let res = app
        .client
        .post(app.url(&format!("/api/v1{path}")))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{path}: {body}");
    body["data"].clone()
}

fn pay(card: &str, amount: i64, customer: Option<&str>) -> Value {
    let mut body = json!({"amount": amount, "currency": "usd", "payment_method": card});
    if let Some(c) = customer {
        body["customer"] = json!(c);
    }
    body
}

fn rows(html: &str, attr: &str) -> usize {
    html.matches(&format!("{attr}=\"")).count()
}

on_both_backends! {
    async fn payments_are_listed_filtered_and_refunded_from_their_page(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        let ada = api(&app, &key, "/customers", json!({"email": "ada@example.com", "name": "Ada"})).await;
        let ada = ada["id"].as_str().unwrap().to_owned();
        let ok = api(&app, &key, "/payments", pay("4242424242424242", 2500, Some(&ada))).await;
        api(&app, &key, "/payments", pay("4000000000000002", 700, None)).await;
        let ok_id = ok["id"].as_str().unwrap().to_owned();

        let html = app.get_html("/payments").await;
        assert_eq!(rows(&html, "data-payment-id"), 2);
        assert!(html.contains("25.00 USD") && html.contains("7.00 USD"));
        let succeeded = app.get_html("/payments?status=succeeded").await;
        assert_eq!(rows(&succeeded, "data-payment-id"), 1);
        assert!(succeeded.contains(&ok_id));
        let failed = app.get_html("/payments?status=failed").await;
        assert_eq!(rows(&failed, "data-payment-id"), 1);
        assert!(failed.contains("card_declined"));
        // Dates: today holds both; a day in the past holds none and says so.
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(rows(&app.get_html(&format!("/payments?from={today}&to={today}")).await, "data-payment-id"), 2);
        let past = app.get_html("/payments?to=2020-01-01").await;
        assert_eq!(rows(&past, "data-payment-id"), 0);
        assert!(past.contains("No payments match these filters"));
        let bad = app.get("/payments?from=yesterday").await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("id=\"from-error\""));

        // The payment's page: a refund with a bad amount is named beside the field and kept.
        let page = format!("/payments/{ok_id}");
        let html = app.get_html(&page).await;
        assert!(html.contains("Refund") && html.contains("Up to 25.00 USD"));
        assert!(html.contains("payment.succeeded"), "its events");
        let res = app.post_form(&page, &format!("{page}/refund"), &[("amount", "99.00")]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"amount-error\"") && html.contains("value=\"99.00\""), "{html}");
        let res = app.post_form(&page, &format!("{page}/refund"), &[("amount", "ten")]).await;
        assert_eq!(res.status(), 400);
        let res = app.post_form(&page, &format!("{page}/refund"), &[("amount", "10.50")]).await;
        assert_eq!(res.status(), 303);
        let html = app.get_html(&format!("{page}?done=refunded")).await;
        assert!(html.contains("Refund made"));
        assert!(!html.contains("bank"), "test mode never speaks of banks");
        assert!(html.contains("10.50 USD") && html.contains("Up to 14.50 USD"), "{html}");
        assert!(html.contains("refund.created"), "the refund's event is on the payment's page");
        // The API agrees; the audit log names who did it.
        let res = app.client.get(app.url(&format!("/api/v1/payments/{ok_id}"))).bearer_auth(&key).send().await.unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["data"]["amount_refunded"], 1050);
        assert_eq!(body["data"]["refunded"], false);
        assert!(html.contains("payment-status\">Partially refunded<"), "{html}");
        assert!(app.get_html("/audit").await.contains("payment.refunded"));
        // Empty refunds what is left; then no Refund form any more.
        app.post_form(&page, &format!("{page}/refund"), &[("amount", "")]).await;
        let html = app.get_html(&page).await;
        assert!(!html.contains(&format!("{page}/refund")), "fully refunded");
        assert!(html.contains("payment-status\">Refunded<"), "not 'succeeded' any more");
        assert!(app.get_html("/payments").await.contains(">Refunded</span>"), "the list says so too");
        let res = app.client.get(app.url(&format!("/api/v1/payments/{ok_id}"))).bearer_auth(&key).send().await.unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["data"]["refunded"], true);
    }

    async fn a_viewer_sees_payments_but_cannot_refund_and_not_the_hubs_events(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        let p = api(&app, &key, "/payments", pay("4242424242424242", 1000, None)).await;
        let page = format!("/payments/{}", p["id"].as_str().unwrap());
        app.create_user("viewer@acme.test", "viewer", "Acme");
        let viewer = app.browser();
        viewer.sign_in("viewer@acme.test", PASSWORD).await;
        let html = viewer.get_html(&page).await;
        assert!(html.contains("10.00 USD") && !html.contains("/refund"), "no Refund button");
        let res = viewer.post_form(&page, &format!("{page}/refund"), &[("amount", "")]).await;
        assert_eq!(res.status(), 403);
        // Events: the Admin sees the key's lifecycle event; the Viewer does not.
        assert!(app.get_html("/events").await.contains("api_key.created"));
        let events = viewer.get_html("/events").await;
        assert!(!events.contains("api_key.created") && events.contains("payment.succeeded"));
        assert!(!viewer.get_html("/events?type=api_key.created").await.contains("data-event-id="));
    }

    async fn customers_subscriptions_and_events_have_their_pages(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        let ada = api(&app, &key, "/customers", json!({"email": "ada@example.com", "name": "Ada"})).await;
        api(&app, &key, "/customers", json!({"email": "bob@example.org", "name": "Bob"})).await;
        let ada = ada["id"].as_str().unwrap().to_owned();
        let plan = api(&app, &key, "/plans", json!({"name": "Pro", "amount": 900, "currency": "usd", "interval": "month"})).await;
        api(&app, &key, "/subscriptions", json!({"customer": ada, "plan": plan["id"]})).await;
        api(&app, &key, "/payments", pay("4242424242424242", 900, Some(&ada))).await;

        let all = app.get_html("/customers").await;
        assert_eq!(rows(&all, "data-customer-id"), 2);
        let found = app.get_html("/customers?email=EXAMPLE.COM").await;
        assert_eq!(rows(&found, "data-customer-id"), 1, "search ignores case");
        assert!(found.contains("Ada"));
        let none = app.get_html("/customers?email=nobody").await;
        assert!(none.contains("No customer&#39;s name or email contains") || none.contains("No customer's name or email contains"), "{none}");
        let ada_page = app.get_html(&format!("/customers/{ada}")).await;
        assert!(ada_page.contains("9.00 USD") && ada_page.contains("Pro · 9.00 USD / month"), "{ada_page}");

        let subs = app.get_html("/subscriptions?status=active").await;
        assert_eq!(rows(&subs, "data-subscription-id"), 1);
        assert_eq!(rows(&app.get_html("/subscriptions?status=canceled").await, "data-subscription-id"), 0);

        let events = app.get_html("/events?type=customer.created").await;
        assert_eq!(rows(&events, "data-event-id"), 2);
        let start = events.find("data-event-id=\"").unwrap() + "data-event-id=\"".len();
        let id = &events[start..start + events[start..].find('"').unwrap()];
        let event = app.get_html(&format!("/events/{id}")).await;
        assert!(event.contains("data-testid=\"event-json\"") && event.contains("&#34;object&#34;: &#34;customer&#34;"), "{event}");
    }

    async fn the_mode_switch_scopes_every_page_and_keeps_the_query(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        api(&app, &key, "/payments", pay("4242424242424242", 1000, None)).await;
        let test = app.get_html("/payments?status=succeeded").await;
        assert_eq!(rows(&test, "data-payment-id"), 1);
        assert!(test.contains("href=\"/payments?status=succeeded&#38;mode=live\""), "the switch keeps the filter");
        let live = app.get_html("/payments?status=succeeded&mode=live").await;
        assert_eq!(rows(&live, "data-payment-id"), 0, "test payments are not live ones");
        assert!(live.contains("No payments match") || live.contains("No live payments"));
        // A test payment's page in live mode is not found.
        let start = test.find("data-payment-id=\"").unwrap() + "data-payment-id=\"".len();
        let id = &test[start..start + test[start..].find('"').unwrap()];
        assert_eq!(app.get(&format!("/payments/{id}?mode=live")).await.status(), 404);
        // Links on a live page stay live.
        let live_home = app.get_html("/?mode=live").await;
        assert!(live_home.contains("href=\"/payments?mode=live\""));
    }

    async fn the_overview_shows_todays_figures_and_a_30_day_chart(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        api(&app, &key, "/payments", pay("4242424242424242", 1500, None)).await;
        api(&app, &key, "/payments", pay("4242424242424242", 500, None)).await;
        api(&app, &key, "/payments", pay("4000000000000002", 500, None)).await;
        let html = app.get_html("/").await;
        let figure = |id: &str| {
            let start = html.find(&format!("data-testid=\"{id}\"")).unwrap();
            let from = start + html[start..].find('>').unwrap() + 1;
            html[from..from + html[from..].find('<').unwrap()].to_owned()
        };
        assert_eq!(figure("today-volume"), "20.00 USD");
        assert_eq!(figure("today-succeeded"), "2");
        assert_eq!(figure("today-failure-rate"), "33.3 %");
        assert!(html.contains("role=\"img\"") && html.contains("<title id=\"payments-30d-title\">"));
        // The API error rate comes from the keys' counters, written in batches. A declined
        // card is a 201 (a failed payment); a bad body is a 400.
        let res = app.client.post(app.url("/api/v1/payments")).bearer_auth(&key).json(&json!({"amount": -1})).send().await.unwrap();
        assert_eq!(res.status(), 400);
        let started = std::time::Instant::now();
        loop {
            let html = app.get_html("/").await;
            if html.contains("out of 4 API requests today") {
                let start = html.find("data-testid=\"today-error-rate\"").unwrap();
                assert!(html[start..start + 60].contains(">25.0 %<"), "{}", &html[start..start + 60]);
                break;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(3), "{html}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(html.matches("<tr><td data-label=\"Day (UTC)\">20").count() + html.matches("<tr><td data-label=\"Day (UTC)\">19").count(), 30, "a row per day");
    }

    async fn another_merchants_objects_are_not_found(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        let p = api(&app, &key, "/payments", pay("4242424242424242", 1000, None)).await;
        let c = api(&app, &key, "/customers", json!({"name": "Mine"})).await;
        app.create_user("other@globex.test", "admin", "Globex");
        let other = app.browser();
        other.sign_in("other@globex.test", PASSWORD).await;
        assert_eq!(other.get(&format!("/payments/{}", p["id"].as_str().unwrap())).await.status(), 404);
        assert_eq!(other.get(&format!("/customers/{}", c["id"].as_str().unwrap())).await.status(), 404);
        assert!(!other.get_html("/payments").await.contains("data-payment-id="));
    }
}

on_both_backends! {
    async fn the_key_list_defaults_to_the_switchs_mode(app) {
        app.setup_admin().await;
        app.verify_merchant("Acme");
        let token = app.api_token("admin@acme.test").await;
        for (name, mode) in [("Test one", "test"), ("Live one", "live")] {
            let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token)
                .json(&json!({"name": name, "mode": mode, "permissions": "*"})).send().await.unwrap();
            assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        }
        let test = app.get_html("/keys").await;
        assert!(test.contains("Test one") && !test.contains("Live one"));
        let live = app.get_html("/keys?mode=live").await;
        assert!(live.contains("Live one") && !live.contains("Test one"));
        assert!(live.contains("data-testid=\"mode-switch\""));
        let all = app.get_html("/keys?mode=all").await;
        assert!(all.contains("Live one") && all.contains("Test one"));
    }
}

/// The text of the page's `<h1>`.
fn heading(html: &str) -> &str {
    let start = html.find("<h1").unwrap();
    let from = start + html[start..].find('>').unwrap() + 1;
    &html[from..from + html[from..].find("</h1>").unwrap()]
}

on_both_backends! {
    async fn a_refund_is_confirmed_in_major_units_and_refused_in_sentences(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        let p = api(&app, &key, "/payments", pay("4242424242424242", 4200, None)).await;
        let page = format!("/payments/{}", p["id"].as_str().unwrap());
        let refund = format!("{page}/refund");
        // The form asks first: nothing moves until the confirmation's button.
        let html = app.get_html(&page).await;
        assert!(html.contains(&format!("method=\"get\" action=\"{refund}\"")), "{html}");
        let ask = app.get(&format!("{refund}?amount=12.50")).await;
        assert_eq!(ask.status(), 200);
        let ask = ask.text().await.unwrap();
        assert_eq!(heading(&ask), "Refund 12.50 USD of 42.00 USD?");
        assert!(ask.contains("name=\"amount\" value=\"12.50\"") && ask.contains("Test mode: no money moves."));
        assert!(!ask.contains("bank"), "test mode never speaks of banks");
        assert_eq!(heading(&app.get_html(&format!("{refund}?amount=")).await), "Refund the remaining 42.00 USD?");
        // Too much, and a comma: sentences beside Amount, in major units with the currency.
        let res = app.get(&format!("{refund}?amount=99")).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("<p class=\"error\" id=\"amount-error\">At most 42.00 USD remains refundable.</p>"), "{html}");
        assert!(html.contains("Amount: At most 42.00 USD remains refundable.") && !html.contains("Field:"), "{html}");
        let res = app.get(&format!("{refund}?amount=10%2C50")).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"amount-error\">Write the amount with a point, not a comma: 10.50 USD.</p>"), "{html}");
        assert!(html.contains("<label for=\"amount\">Amount</label>") && html.contains("value=\"10,50\""));
        assert_eq!(app.get_html(&page).await.matches("data-testid=\"refunded\">Nothing<").count(), 1, "nothing refunded yet");
        // The confirmation's button refunds what it said; the rest is named next time.
        let res = app.post_form(&format!("{refund}?amount=12.50"), &refund, &[("amount", "12.50")]).await;
        assert_eq!(res.status(), 303);
        let again = app.get_html(&format!("{refund}?amount=")).await;
        assert_eq!(heading(&again), "Refund the remaining 29.50 USD?");
        assert!(again.contains("Already refunded: 12.50 USD of 42.00 USD."));
        let res = app.post_form(&page, &refund, &[("amount", "30")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("At most 29.50 USD remains refundable."));
        // The API speaks the same sentence.
        let res = app.client.post(app.url(&format!("/api/v1/payments/refund/{}", p["id"].as_str().unwrap())))
            .bearer_auth(&key).json(&json!({"amount": 5000})).send().await.unwrap();
        let body = res.text().await.unwrap();
        assert!(body.contains("At most 29.50 USD remains refundable."), "{body}");
        // A Viewer is not even asked.
        app.create_user("viewer@acme.test", "viewer", "Acme");
        let viewer = app.browser();
        viewer.sign_in("viewer@acme.test", PASSWORD).await;
        assert_eq!(viewer.get(&format!("{refund}?amount=1")).await.status(), 403);
    }

    async fn payments_and_subscriptions_name_their_customers_and_plans(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        let ada = api(&app, &key, "/customers", json!({"email": "ada@example.com", "name": "Ada Lovelace"})).await["id"].as_str().unwrap().to_owned();
        let bob = api(&app, &key, "/customers", json!({"email": "bob@example.org"})).await["id"].as_str().unwrap().to_owned();
        let p = api(&app, &key, "/payments", pay("4242424242424242", 2000, Some(&ada))).await;
        api(&app, &key, "/payments", pay("4242424242424242", 1000, Some(&bob))).await;
        let plan = api(&app, &key, "/plans", json!({"name": "Pro", "amount": 2000, "currency": "usd", "interval": "month"})).await;
        api(&app, &key, "/subscriptions", json!({"customer": ada, "plan": plan["id"]})).await;

        let list = app.get_html("/payments").await;
        assert!(list.contains(&format!("<a href=\"/customers/{ada}\">Ada Lovelace</a>")), "{list}");
        assert!(list.contains(&format!("<a href=\"/customers/{bob}\">bob@example.org</a>")), "no name: the email");
        let one = app.get_html(&format!("/payments/{}", p["id"].as_str().unwrap())).await;
        assert!(one.contains(&format!("<a href=\"/customers/{ada}\">Ada Lovelace</a>")) && one.contains("ada@example.com"));
        let subs = app.get_html("/subscriptions").await;
        assert!(subs.contains(&format!("<a href=\"/customers/{ada}\">Ada Lovelace</a>")), "{subs}");
        assert!(subs.contains("Pro · 20.00 USD / month"), "{subs}");
        assert!(!subs.contains(&format!("<code>{}</code>", plan["id"].as_str().unwrap())), "the plan by name, not its id");
    }

    async fn plans_have_a_page_paged_like_every_list(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        for i in 0..26 {
            let interval = if i == 25 { "year" } else { "month" };
            api(&app, &key, "/plans", json!({"name": format!("Plan {i}"), "amount": 1000 + i, "currency": "usd", "interval": interval})).await;
        }
        let html = app.get_html("/plans").await;
        assert!(html.contains("href=\"/plans\""), "in the nav");
        assert_eq!(rows(&html, "data-plan-id"), 25);
        let newest = html.find("data-plan-id").unwrap();
        let row = &html[newest..newest + html[newest..].find("</tr>").unwrap()];
        assert!(row.contains("Plan 25") && row.contains("10.25 USD") && row.contains("Every year"), "{row}");
        assert!(row.contains(&chrono::Utc::now().format("%Y-%m-%d").to_string()), "created");
        let start = html.find("data-testid=\"older\"").unwrap();
        let href = html[..start].rsplit("href=\"").next().unwrap();
        let older = app.get_html(&href[..href.find('"').unwrap()].replace("&#38;", "&")).await;
        assert_eq!(rows(&older, "data-plan-id"), 1);
        assert!(older.contains("Plan 0") && older.contains("Every month"));
        // Everyone on the team sees plans, as they see subscriptions; another mode has none.
        app.create_user("viewer@acme.test", "viewer", "Acme");
        let viewer = app.browser();
        viewer.sign_in("viewer@acme.test", PASSWORD).await;
        assert_eq!(rows(&viewer.get_html("/plans").await, "data-plan-id"), 25);
        assert!(app.get_html("/plans?mode=live").await.contains("No live plans yet"));
    }

    async fn a_subscription_is_canceled_from_its_page_by_developers_not_viewers(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        let ada = api(&app, &key, "/customers", json!({"email": "ada@example.com", "name": "Ada Lovelace"})).await;
        let plan = api(&app, &key, "/plans", json!({"name": "Pro", "amount": 2000, "currency": "usd", "interval": "month"})).await;
        let one = api(&app, &key, "/subscriptions", json!({"customer": ada["id"], "plan": plan["id"]})).await;
        let two = api(&app, &key, "/subscriptions", json!({"customer": ada["id"], "plan": plan["id"]})).await;
        let (one, two) = (one["id"].as_str().unwrap().to_owned(), two["id"].as_str().unwrap().to_owned());
        app.create_user("dev@acme.test", "developer", "Acme");
        app.create_user("viewer@acme.test", "viewer", "Acme");
        let (dev, viewer) = (app.browser(), app.browser());
        dev.sign_in("dev@acme.test", PASSWORD).await;
        viewer.sign_in("viewer@acme.test", PASSWORD).await;
        // A Viewer sees the page without buttons, and cannot cancel by posting either.
        let page = format!("/subscriptions/{one}");
        let seen = viewer.get_html(&page).await;
        assert!(seen.contains("Ada Lovelace") && seen.contains("Pro · 20.00 USD / month") && seen.contains("active"), "{seen}");
        assert!(!seen.contains("/cancel"), "no buttons");
        assert_eq!(viewer.get(&format!("{page}/cancel")).await.status(), 403);
        for action in ["cancel", "cancel-at-period-end"] {
            let res = viewer.post_form("/subscriptions", &format!("{page}/{action}"), &[]).await;
            assert_eq!(res.status(), 403, "{action}");
        }
        let get = |id: &str| {
            let req = app.client.get(app.url(&format!("/api/v1/subscriptions/{id}"))).bearer_auth(&key);
            async move { req.send().await.unwrap().json::<Value>().await.unwrap()["data"].clone() }
        };
        assert_eq!(get(&one).await["status"], "active");

        // A Developer: at period end first (asked, then done), then now on the other one.
        let html = dev.get_html(&page).await;
        assert!(html.contains(&format!("href=\"{page}/cancel\"")) && html.contains(&format!("href=\"{page}/cancel-at-period-end\"")));
        let ask = dev.get_html(&format!("{page}/cancel-at-period-end")).await;
        assert!(heading(&ask).contains("Ada Lovelace") && heading(&ask).contains("at the end of its period?"), "{ask}");
        let res = dev.post_form(&format!("{page}/cancel-at-period-end"), &format!("{page}/cancel-at-period-end"), &[]).await;
        assert_eq!(res.status(), 303);
        let after = get(&one).await;
        assert_eq!((after["status"].as_str(), after["cancel_at_period_end"].as_bool()), (Some("active"), Some(true)));
        let html = dev.get_html(&page).await;
        assert!(html.contains("ends at the end of the current period") && !html.contains("cancel-at-period-end\""), "{html}");
        let other = format!("/subscriptions/{two}");
        let ask = dev.get_html(&format!("{other}/cancel")).await;
        assert!(heading(&ask).ends_with("now?"), "{ask}");
        let res = dev.post_form(&format!("{other}/cancel"), &format!("{other}/cancel"), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(get(&two).await["status"], "canceled");
        let html = dev.get_html(res.headers()["location"].to_str().unwrap()).await;
        assert!(html.contains("Subscription canceled.") && !html.contains("/cancel\""), "no buttons once canceled");

        // Both are in the audit log under the Developer's name.
        let audit = app.get_html("/audit").await;
        for (action, target) in [("subscription.cancel_at_period_end", &one), ("subscription.canceled", &two)] {
            let at = audit.find(action).unwrap_or_else(|| panic!("{action}: {audit}"));
            let row = &audit[audit[..at].rfind("<tr").unwrap()..at + audit[at..].find("</tr>").unwrap()];
            assert!(row.contains("dev@acme.test") && row.contains(target.as_str()), "{row}");
        }
    }

    async fn customers_are_found_by_name_and_events_by_prefix(app) {
        app.setup_admin().await;
        let key = test_key(&app).await;
        api(&app, &key, "/customers", json!({"email": "ada@example.com", "name": "Ada Lovelace"})).await;
        api(&app, &key, "/customers", json!({"email": "grace@example.org", "name": "Grace Hopper"})).await;
        for q in ["Lovelace", "lovelace", "ADA@EXAMPLE"] {
            let found = app.get_html(&format!("/customers?q={q}")).await;
            assert_eq!(rows(&found, "data-customer-id"), 1, "{q}");
            assert!(found.contains("Ada Lovelace"), "{q}");
        }
        assert_eq!(rows(&app.get_html("/customers?q=100%25").await, "data-customer-id"), 0, "LIKE's characters are text");
        api(&app, &key, "/payments", pay("4242424242424242", 1000, None)).await;
        api(&app, &key, "/payments", pay("4000000000000002", 1000, None)).await;
        let types = |html: &str| -> Vec<String> {
            html.split("<tr data-event-id=").skip(1)
                .map(|r| { let s = r.find("<code>").unwrap() + 6; r[s..s + r[s..].find('<').unwrap()].to_owned() })
                .collect()
        };
        let mut prefix = types(&app.get_html("/events?type=payment").await);
        prefix.sort();
        assert_eq!(prefix, ["payment.failed", "payment.succeeded"]);
        assert_eq!(types(&app.get_html("/events?type=payment.*").await).len(), 2);
        assert_eq!(types(&app.get_html("/events?type=payment.failed").await), ["payment.failed"], "an exact type still works");
        assert!(types(&app.get_html("/events?type=pay").await).is_empty(), "whole segments only");
        assert_eq!(types(&app.get_html("/events?type=api_key").await), ["api_key.created"]);
        app.create_user("viewer@acme.test", "viewer", "Acme");
        let viewer = app.browser();
        viewer.sign_in("viewer@acme.test", PASSWORD).await;
        assert!(types(&viewer.get_html("/events?type=api_key").await).is_empty(), "not for Viewers");
        assert_eq!(types(&viewer.get_html("/events?type=customer").await).len(), 2);
    }
}

//! The Webhooks pages (SPEC §9), delivering to a real receiver started by the test.

use std::time::{Duration, Instant};

use crate::on_both_backends;
use crate::support::*;

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The text of the element marked `data-testid="{id}"`.
fn by_testid(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("data-testid=\"{id}\""))?;
    let from = start + html[start..].find('>')? + 1;
    let to = from + html[from..].find('<')?;
    Some(html[from..to].to_owned())
}

/// Waits (5 s at most) until the page at `path` contains `needle`.
async fn page_shows(app: &TestApp, path: &str, needle: &str) -> String {
    let started = Instant::now();
    loop {
        let html = app.get_html(path).await;
        if html.contains(needle) || started.elapsed() > Duration::from_secs(5) {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both_backends! {
    async fn an_endpoint_made_on_the_page_shows_its_secret_once_and_its_log_resend_test_roll_disable_and_delete_work(app) {
        app.setup_admin().await;
        assert!(app.get_html("/webhooks").await.contains("No endpoints yet"));
        let receiver = Receiver::start(vec![200]).await;
        let fields = [
            ("url", receiver.url.as_str()),
            ("description", "Orders service"),
            ("enabled_events", ""),
            ("mode", "test"),
            ("api_key", ""),
            ("form_token", "form-token-1"),
        ];
        let res = app.post_form("/webhooks/new", "/webhooks", &fields).await;
        assert_eq!(res.status(), 201);
        let html = res.text().await.unwrap();
        let secret = by_testid(&html, "webhook-secret").expect("the secret is shown");
        assert!(secret.starts_with("whsec_"), "{secret}");
        // The same form sent again (a reload) makes nothing new and shows no secret.
        let again = app.post_form("/webhooks/new", "/webhooks", &fields).await;
        assert_eq!(again.status(), 303);
        let page = location(&again);
        assert!(page.ends_with("?done=exists"), "{page}");
        let id = page.trim_start_matches("/webhooks/").split('?').next().unwrap().to_owned();
        let detail = app.get_html(&page).await;
        assert!(!detail.contains(&secret) && detail.contains("Orders service"));
        let list = app.get_html("/webhooks").await;
        assert_eq!(list.matches("data-endpoint-id=").count(), 1, "one endpoint");

        // Send test event: a signed ping arrives, and the log says delivered.
        let path = format!("/webhooks/{id}");
        let res = app.post_form(&path, &format!("{path}/test"), &[]).await;
        assert_eq!(location(&res), format!("{path}?done=test"));
        let got = receiver.wait_for(1).await;
        assert!(got[0].body.contains("\"ping\"") && got[0].signed_by(&secret), "{:?}", got[0]);
        let html = page_shows(&app, &path, "status-delivered").await;
        assert!(html.contains("status-delivered") && html.contains("<code>ping</code>"), "{html}");

        // Resend: the same event again, as a new delivery.
        let start = html.find("data-delivery-id=\"").unwrap() + "data-delivery-id=\"".len();
        let delivery = &html[start..start + html[start..].find('"').unwrap()];
        let res = app.post_form(&path, &format!("{path}/deliveries/{delivery}/resend"), &[]).await;
        assert_eq!(location(&res), format!("{path}?done=resent"));
        let got = receiver.wait_for(2).await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].header("Paydesk-Event-Id"), got[0].header("Paydesk-Event-Id"));
        // Under another endpoint's address the delivery is not found, and nothing is sent.
        let res = app.post_form(&path, &format!("/webhooks/we_other/deliveries/{delivery}/resend"), &[]).await;
        assert_eq!(res.status(), 404);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(receiver.got.lock().unwrap().len(), 2, "nothing resent");

        // Roll the secret with a grace period: shown once; both sign meanwhile.
        let res = app.post_form(&path, &format!("{path}/roll"), &[("grace_period_seconds", "3600")]).await;
        assert_eq!(res.status(), 200);
        let rolled = by_testid(&res.text().await.unwrap(), "webhook-secret").unwrap();
        assert_ne!(rolled, secret);
        app.post_form(&path, &format!("{path}/test"), &[]).await;
        let got = receiver.wait_for(3).await;
        assert!(got[2].signed_by(&rolled) && got[2].signed_by(&secret));
        assert!(!app.get_html(&path).await.contains(&rolled), "never shown again");

        // Disable, then enable.
        let res = app.post_form(&path, &format!("{path}/disable"), &[]).await;
        assert_eq!(location(&res), format!("{path}?done=disabled"));
        let html = app.get_html(&path).await;
        assert_eq!(by_testid(&html, "endpoint-status").as_deref(), Some("disabled"));
        assert!(html.contains(&format!("{path}/enable")));
        app.post_form(&path, &format!("{path}/enable"), &[]).await;
        assert_eq!(by_testid(&app.get_html(&path).await, "endpoint-status").as_deref(), Some("enabled"));

        // Delete asks first.
        let confirm = app.get_html(&format!("{path}/delete")).await;
        assert!(confirm.contains("cannot be undone"));
        let res = app.post_form(&format!("{path}/delete"), &format!("{path}/delete"), &[]).await;
        assert_eq!(location(&res), "/webhooks?done=deleted");
        assert_eq!(app.get(&path).await.status(), 404);
    }

    async fn a_bad_endpoint_url_is_named_beside_its_field_and_the_input_is_kept(app) {
        app.setup_admin().await;
        let res = app.post_form("/webhooks/new", "/webhooks", &[
            ("url", "ftp://example.com/hooks"),
            ("description", "Kept text"),
            ("enabled_events", "payment.succeeded"),
            ("mode", "test"),
        ]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"url-error\"") && html.contains("Must start with https://"), "{html}");
        assert!(html.contains("value=\"Kept text\"") && html.contains("value=\"payment.succeeded\" checked"), "{html}");
        assert!(app.get_html("/webhooks").await.contains("No endpoints yet"), "nothing made");
    }

    async fn a_key_made_with_a_webhook_url_shows_both_secrets_once_and_its_page_lists_the_url(app) {
        app.setup_admin().await;
        let receiver = Receiver::start(vec![200]).await;
        let res = app.post_form("/keys/new", "/keys", &[
            ("name", "Shop"),
            ("mode", "test"),
            ("access", "full"),
            ("expires_in_days", "3"),
            ("webhook_url", receiver.url.as_str()),
        ]).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let reveal = location(&res);
        let html = app.get_html(&reveal).await;
        let webhook_secret = by_testid(&html, "webhook-secret").expect("shown with the key");
        assert!(webhook_secret.starts_with("whsec_"));
        assert!(!app.get_html(&reveal).await.contains(&webhook_secret), "once");
        let key_page = app.get_html(reveal.trim_end_matches("/reveal")).await;
        assert!(by_testid(&key_page, "key-webhooks").is_some());
        assert!(key_page.contains(&receiver.url), "the key's page names its webhook URL");
        // A key expiring within 7 days says so.
        let banner = key_page.find("data-testid=\"expiring-banner\"").map(|i| &key_page[i..i + 200]);
        assert!(banner.is_some_and(|b| b.contains("expires in 3 days")), "{banner:?}");
        // A private address is refused without the override... (tested in the API suite);
        // a malformed one here names the field.
        let res = app.post_form("/keys/new", "/keys", &[
            ("name", "Shop 2"), ("mode", "test"), ("access", "full"), ("webhook_url", "not a url"),
        ]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("id=\"webhook_url-error\""));
    }

    async fn a_developer_may_test_and_disable_a_live_endpoint_but_not_roll_or_enable_it(app) {
        app.setup_admin().await;
        app.verify_merchant("Acme");
        app.add_member("dev@acme.test", "developer").await;
        let receiver = Receiver::start(vec![200]).await;
        let live_url = receiver.url.replace("http://", "https://");
        let res = app.post_form("/webhooks/new", "/webhooks", &[
            ("url", live_url.as_str()), ("mode", "live"), ("form_token", "t-live"),
        ]).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let list = app.get_html("/webhooks").await;
        let start = list.find("data-endpoint-id=\"").unwrap() + "data-endpoint-id=\"".len();
        let id = list[start..start + list[start..].find('"').unwrap()].to_owned();
        let path = format!("/webhooks/{id}");
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        let html = dev.get_html(&path).await;
        assert!(html.contains("Send test event") && html.contains(&format!("{path}/disable")));
        assert!(!html.contains("Roll secret"), "rolling a live endpoint's secret is an Admin's");
        let res = dev.post_form(&path, &format!("{path}/roll"), &[("grace_period_seconds", "0")]).await;
        assert_eq!(res.status(), 403);
        let res = dev.post_form(&path, &format!("{path}/disable"), &[]).await;
        assert_eq!(res.status(), 303);
        let html = dev.get_html(&path).await;
        assert!(!html.contains(&format!("{path}/enable")), "enabling is an Admin's");
        let res = dev.post_form(&path, &format!("{path}/enable"), &[]).await;
        assert_eq!(res.status(), 403);
        // A Developer cannot create a live one either: the refusal sits beside the mode.
        let res = dev.post_form("/webhooks/new", "/webhooks", &[("url", live_url.as_str()), ("mode", "live")]).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("id=\"mode-error\""));
    }

    async fn an_endpoint_paydesk_disabled_says_why_on_its_page(app) {
        use diesel::prelude::*;
        use paydesk::db::schema::webhook_endpoints as we;
        app.setup_admin().await;
        let receiver = Receiver::start(vec![200]).await;
        app.post_form("/webhooks/new", "/webhooks", &[("url", receiver.url.as_str()), ("mode", "test")]).await;
        let mut conn = app.db().conn().unwrap();
        diesel::update(we::table)
            .set((we::status.eq("disabled"), we::disabled_reason.eq("Paydesk disabled it: every delivery failed from A until B.")))
            .execute(&mut *conn)
            .unwrap();
        let list = app.get_html("/webhooks").await;
        let start = list.find("data-endpoint-id=\"").unwrap() + "data-endpoint-id=\"".len();
        let id = &list[start..start + list[start..].find('"').unwrap()];
        let html = app.get_html(&format!("/webhooks/{id}")).await;
        assert!(by_testid(&html, "disabled-banner").is_some(), "{html}");
        assert!(html.contains("every delivery failed from A until B"));
    }
}

/// The id of the first delivery listed on an endpoint's page.
fn first_delivery(html: &str) -> String {
    let start = html.find("data-delivery-id=\"").unwrap() + "data-delivery-id=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// Makes a test endpoint on the page; returns its id.
async fn endpoint_made_on_the_page(app: &TestApp, url: &str, events: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("url", url),
        ("description", "Orders"),
        ("mode", "test"),
        ("api_key", ""),
        ("form_token", ""),
    ];
    fields.extend_from_slice(events);
    let res = app.post_form("/webhooks/new", "/webhooks", &fields).await;
    let s = res.status();
    let html = res.text().await.unwrap();
    assert_eq!(s, 201, "{html}");
    let start = html.find("we_").unwrap();
    html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

on_both_backends! {
    async fn a_delivery_page_shows_each_attempt_with_its_answer_and_the_payload(app) {
        app.setup_admin().await;
        let receiver = Receiver::start_answering(vec![(500, "database down"), (500, "still down"), (200, "thanks")]).await;
        let id = endpoint_made_on_the_page(&app, &receiver.url, &[("events", "all")]).await;
        let path = format!("/webhooks/{id}");
        app.post_form(&path, &format!("{path}/test"), &[]).await;
        assert_eq!(receiver.wait_for(3).await.len(), 3);
        let html = page_shows(&app, &path, "status-delivered").await;
        let delivery = first_delivery(&html);
        let page = format!("{path}/deliveries/{delivery}");
        assert!(html.contains(&format!("href=\"{page}\"")), "linked from the deliveries table");
        let html = app.get_html(&page).await;
        assert_eq!(html.matches("data-testid=\"attempt\"").count(), 3, "{html}");
        let first = html.find("Attempt 1").unwrap();
        let second = html.find("Attempt 2").unwrap();
        let third = html.find("Attempt 3").unwrap();
        assert!(first < second && second < third, "oldest first");
        assert!(html[first..second].contains(">500<") && html[first..second].contains("database down"), "{html}");
        assert!(html[second..third].contains("still down") && html[second..third].contains("answered 500"), "{html}");
        assert!(html[third..].contains(">200<") && html[third..].contains("thanks"), "{html}");
        assert!(html[first..second].contains("x-receiver: test"), "response headers shown: {html}");
        let payload = &html[html.find("data-testid=\"payload\"").expect("the payload sent")..];
        assert!(payload.contains("evt_") && payload.contains("ping"), "{payload}");
        // Another endpoint's address does not show it.
        assert_eq!(app.get(&format!("/webhooks/we_other/deliveries/{delivery}")).await.status(), 404);
    }

    async fn the_edit_page_changes_url_and_events_and_refuses_an_unknown_type(app) {
        app.setup_admin().await;
        let first = Receiver::start(vec![200]).await;
        let second = Receiver::start(vec![200]).await;
        let id = endpoint_made_on_the_page(&app, &first.url, &[("events", "some"), ("enabled_events", "payment.succeeded")]).await;
        let path = format!("/webhooks/{id}");
        let detail = app.get_html(&path).await;
        assert!(detail.contains(&format!("href=\"{path}/edit\"")), "Edit is offered");
        let edit = app.get_html(&format!("{path}/edit")).await;
        assert!(edit.contains("value=\"payment.succeeded\" checked") && edit.contains("<code>api_key.*</code>"), "{edit}");
        assert!(edit.contains(&format!("value=\"{}\"", first.url)));

        // payment.bogus is refused beside the field, and nothing changes.
        let res = app.post_form(&format!("{path}/edit"), &format!("{path}/edit"), &[
            ("url", &second.url), ("description", "Orders"), ("events", "some"),
            ("enabled_events", "payment.failed"), ("enabled_events", "payment.bogus"),
        ]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"enabled_events-error\">Unknown event type payment.bogus"), "{html}");
        assert!(html.contains("value=\"payment.failed\" checked"), "the choice is kept");
        assert!(app.get_html(&path).await.contains(&first.url), "unchanged");

        let res = app.post_form(&format!("{path}/edit"), &format!("{path}/edit"), &[
            ("url", &second.url), ("description", "Billing"), ("events", "some"),
            ("enabled_events", "customer.created"), ("enabled_events", "ping"),
        ]).await;
        assert_eq!(location(&res), format!("{path}?done=updated"));
        let detail = app.get_html(&format!("{path}?done=updated")).await;
        assert!(detail.contains(&second.url) && detail.contains("customer.created, ping") && detail.contains("Billing"), "{detail}");
        // The change is audited as the API's PATCH is.
        let audit = app.get_html("/audit").await;
        assert!(audit.contains("webhook_endpoint.updated"), "{audit}");
        // Events now go to the new URL.
        app.post_form(&path, &format!("{path}/test"), &[]).await;
        assert_eq!(second.wait_for(1).await.len(), 1);
        assert_eq!(first.got.lock().unwrap().len(), 0);
    }

    async fn the_endpoint_form_names_a_bad_url_and_bad_events_at_once(app) {
        app.setup_admin().await;
        let res = app.post_form("/webhooks/new", "/webhooks", &[
            ("url", "ftp://example.com/hooks"), ("description", "x"), ("mode", "test"),
            ("events", "some"), ("enabled_events", "payment.bogus"), ("api_key", ""),
        ]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"url-error\">Must start with https://.</p>"), "{html}");
        assert!(html.contains("id=\"enabled_events-error\">Unknown event type payment.bogus"), "{html}");
    }
}

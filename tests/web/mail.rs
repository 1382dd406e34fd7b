//! Notifications by mail (SPEC §14) through a real SMTP server: who gets which, and the
//! per-person switches on `/account`.

use diesel::prelude::*;
use paydesk::db::schema::mail_outbox;
use serde_json::{Value, json};

use crate::support::*;
use crate::with_smtp_on_both_backends;

/// The outbox rows of `kind` addressed to `to` (queued in the action's transaction, so
/// counted as soon as the action has answered).
fn queued(app: &TestApp, kind: &str, to: &str) -> i64 {
    let mut conn = app.db().conn().unwrap();
    mail_outbox::table
        .filter(mail_outbox::kind.eq(kind))
        .filter(mail_outbox::recipient.eq(to))
        .count()
        .get_result(&mut *conn)
        .unwrap()
}

/// The `/account` switches as (name, checked).
fn switches(html: &str) -> Vec<(String, bool)> {
    let form = html
        .split("action=\"/account/notifications\"")
        .nth(1)
        .expect("the notifications form")
        .split("</form>")
        .next()
        .unwrap();
    form.split("<input type=\"checkbox\" name=\"")
        .skip(1)
        .map(|rest| {
            let name = rest.split('"').next().unwrap().to_owned();
            let tag = rest.split('>').next().unwrap();
            (name, tag.contains("checked"))
        })
        .collect()
}

async fn report(app: &TestApp, secret: &str) {
    let res = app
        .client
        .post(app.url("/api/v1/secret-scanning/report"))
        .json(&json!([{"token": secret, "type": "paydesk_secret_key", "url": "https://example.com/leak", "source": "content"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn api_key(app: &TestApp, token: &str, name: &str) -> String {
    let res = app
        .client
        .post(app.url("/api/v1/api-keys"))
        .bearer_auth(token)
        .json(&json!({"name": name, "permissions": "*"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["data"]["secret_key"].as_str().unwrap().to_owned()
}

with_smtp_on_both_backends! {
    async fn a_switched_off_kind_sends_nothing_to_that_person(app, smtp) {
        app.setup_admin().await;
        app.create_user("second@acme.test", "admin", "Acme");
        app.create_user("dev@acme.test", "developer", "Acme");
        let second = app.browser();
        assert_eq!(second.sign_in("second@acme.test", PASSWORD).await.status(), 303);

        // Every kind is on until switched off; a Developer sees only their own two.
        let all = switches(&second.get_html("/account").await);
        assert_eq!(all.len(), 7, "{all:?}");
        assert!(all.iter().all(|(_, on)| *on), "{all:?}");
        let dev = app.browser();
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        let mine: Vec<String> = switches(&dev.get_html("/account").await).into_iter().map(|s| s.0).collect();
        assert_eq!(mine, ["new_device", "two_factor_off"]);

        let keep: Vec<(&str, &str)> = all.iter().filter(|(n, _)| n != "key_exposed").map(|(n, _)| (n.as_str(), "on")).collect();
        let res = second.post_form("/account", "/account/notifications", &keep).await;
        assert_eq!(res.status(), 303);
        let page = second.get_html("/account?done=notifications").await;
        assert!(page.contains("Mail notifications saved."), "{page}");
        let now = switches(&page);
        assert_eq!(now.iter().filter(|(_, on)| !on).map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["key_exposed"]);

        let token = app.api_token("admin@acme.test").await;
        let secret = api_key(&app, &token, "checkout").await;
        report(&app, &secret).await;
        let mail = smtp.wait_for("admin@acme.test", "found public").await;
        assert!(mail.text.contains("\"checkout\""), "{}", mail.text);
        assert_eq!(queued(&app, "key_exposed", "second@acme.test"), 0);
        assert!(
            smtp.mails_to("second@acme.test").iter().all(|m| !m.subject.contains("found public")),
            "{:#?}", smtp.mails_to("second@acme.test")
        );
    }

    async fn new_devices_and_new_admins_are_told_to_the_admins_and_the_person(app, smtp) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        // Made an Admin on Team (joining by invitation as an Admin: tests/web/invitations.rs).
        app.add_member("boss@acme.test", "developer").await;
        let boss = crate::user_id(&app, "boss@acme.test");
        let res = app.post_form("/team", &format!("/team/{boss}/role"), &[("role", "admin")]).await;
        assert_eq!(res.status(), 303);
        let told = smtp.wait_for("admin@acme.test", "boss@acme.test is now an Admin").await;
        assert!(told.text.contains("admin@acme.test made boss@acme.test an Admin of Acme"), "{}", told.text);
        assert!(told.text.contains(&format!("{}/team", app.address)), "{}", told.text);
        assert_eq!(queued(&app, "admin_added", "boss@acme.test"), 0, "the new Admin is not told of themselves");
        assert_eq!(queued(&app, "admin_added", "dev@acme.test"), 0);

        // A browser new to the Developer: they and both Admins hear of it, once.
        let dev = app.browser();
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        for to in ["dev@acme.test", "admin@acme.test", "boss@acme.test"] {
            let mail = smtp.wait_for(to, "New sign-in to Paydesk as dev@acme.test").await;
            assert!(mail.text.contains("from 127.0.0.1"), "{}", mail.text);
        }
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        assert_eq!(queued(&app, "new_device", "dev@acme.test"), 1, "the same browser again is not new");
    }
}

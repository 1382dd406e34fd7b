//! Forgot password through a real SMTP server (SPEC §14): the same answer for every
//! address, a link for a known one only, valid 30 minutes, once, and only under the
//! password it was issued for; using it ends every session.

use super::invitations::link_in;
use super::*;
use crate::with_smtp_on_both_backends;

/// Asks for a reset link from this browser; the answer is always the same redirect.
async fn ask(browser: &TestApp, email: &str) -> reqwest::Response {
    browser
        .post_form("/forgot-password", "/forgot-password", &[("email", email)])
        .await
}

/// The mail rows queued for `to` (sent or not).
fn queued_for(app: &TestApp, to: &str) -> i64 {
    use paydesk::db::schema::mail_outbox;
    let mut conn = app.db().conn().unwrap();
    mail_outbox::table
        .filter(mail_outbox::recipient.eq(to))
        .count()
        .get_result(&mut *conn)
        .unwrap()
}

with_smtp_on_both_backends! {
    async fn known_and_unknown_addresses_get_the_same_answer_and_only_a_known_one_a_link(app, smtp) {
        app.setup_admin().await;
        let visitor = app.browser();
        let login = visitor.get_html("/login").await;
        assert!(login.contains("href=\"/forgot-password\""), "{login}");

        let unknown = ask(&visitor, "nobody@acme.test").await;
        let known = ask(&visitor, "Admin@Acme.test").await;
        assert_eq!((unknown.status(), location(&unknown)), (known.status(), location(&known)));
        assert_eq!(location(&known), "/forgot-password?sent=1");
        let after_unknown = visitor.get_html(location(&unknown)).await;
        let after_known = visitor.get_html(location(&known)).await;
        assert_eq!(after_unknown, after_known, "the pages are identical");
        assert!(after_known.contains("If an account exists for that address, we sent a link"));

        let mail = smtp.wait_for("admin@acme.test", "Reset your Paydesk password").await;
        assert!(mail.text.contains("works once, within 30 minutes"), "{}", mail.text);
        link_in(&app, &mail, "/password-reset/");
        assert!(smtp.mails_to("nobody@acme.test").is_empty());
        assert_eq!(queued_for(&app, "nobody@acme.test"), 0, "nothing queued for an unknown address");

        // A mistyped address is said beside the field (that reveals no account).
        let res = ask(&visitor, "not-an-email").await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("id=\"email-error\">Enter a valid email address"));
    }

    async fn a_reset_ends_every_session_and_the_link_works_once(app, smtp) {
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        let other = app.browser();
        assert_eq!(other.sign_in("admin@acme.test", PASSWORD).await.status(), 303);
        let visitor = app.browser();
        ask(&visitor, "admin@acme.test").await;
        let link = link_in(&app, &smtp.wait_for("admin@acme.test", "Reset").await, "/password-reset/");

        let page = visitor.get_html(&link).await;
        assert!(page.contains("Choose a new password") && page.contains("<strong>admin@acme.test</strong>"), "{page}");
        let res = visitor.post_form(&link, &link, &[("password", "short")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("id=\"password-error\">Use at least 12 characters."));

        let chosen = "a new passphrase after the reset";
        let res = visitor.post_form(&link, &link, &[("password", chosen)]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/login?reset=3");
        assert!(visitor.get_html("/login?reset=3").await.contains("3 sessions ended"));
        for browser in [&app, &other] {
            assert_eq!(location(&browser.get("/").await), "/login", "every browser session ended");
        }
        let api = app.client.get(app.url("/api/v1/api-keys")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(api.status(), 401, "the API token too");
        assert_eq!(other.sign_in("admin@acme.test", PASSWORD).await.status(), 401);
        assert_eq!(other.sign_in("admin@acme.test", chosen).await.status(), 303);

        let res = app.browser().get(&link).await;
        assert_eq!(res.status(), 410);
        assert!(res.text().await.unwrap().contains("This reset link was used already"));
        let res = visitor.post_form("/login", &link, &[("password", "yet another passphrase")]).await;
        assert_eq!(res.status(), 410);
        assert!(app.browser().sign_in("admin@acme.test", chosen).await.status() == 303);
    }

    async fn an_expired_or_outdated_link_is_refused_with_a_clear_page(app, smtp) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        let visitor = app.browser();
        ask(&visitor, "dev@acme.test").await;
        let link = link_in(&app, &smtp.wait_for("dev@acme.test", "Reset").await, "/password-reset/");
        {
            use paydesk::db::schema::password_resets;
            let mut conn = app.db().conn().unwrap();
            diesel::update(password_resets::table)
                .set(password_resets::expires_at.eq(paydesk::clock::now() - 1))
                .execute(&mut *conn)
                .unwrap();
        }
        let res = visitor.get(&link).await;
        assert_eq!(res.status(), 410);
        let html = res.text().await.unwrap();
        assert!(html.contains("This reset link expired") && html.contains("reset links last 30 minutes"), "{html}");
        assert!(html.contains("href=\"/forgot-password\""));
        let res = visitor.post_form("/login", &link, &[("password", "a long enough password")]).await;
        assert_eq!(res.status(), 410);

        // A link issued under the old password stops working once it changes.
        ask(&visitor, "admin@acme.test").await;
        let link = link_in(&app, &smtp.wait_for("admin@acme.test", "Reset").await, "/password-reset/");
        let res = app.post_form("/account", "/account/password", &[("current_password", PASSWORD), ("new_password", "changed in the meantime")]).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let res = visitor.get(&link).await;
        assert_eq!(res.status(), 410);
        assert!(res.text().await.unwrap().contains("The password was changed after this link was sent"));
        let res = visitor.get("/password-reset/not-a-real-token").await;
        assert_eq!(res.status(), 404);
        assert!(res.text().await.unwrap().contains("This reset link does not work"));
    }

    async fn two_factor_is_still_asked_after_a_reset(app, smtp) {
        app.setup_admin().await;
        super::account::enroll(&app).await;
        let visitor = app.browser();
        ask(&visitor, "admin@acme.test").await;
        let link = link_in(&app, &smtp.wait_for("admin@acme.test", "Reset").await, "/password-reset/");
        let chosen = "a new passphrase after the reset";
        assert_eq!(visitor.post_form(&link, &link, &[("password", chosen)]).await.status(), 303);
        let res = visitor.sign_in("admin@acme.test", chosen).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("Enter your code"), "the code is asked");
    }

    async fn requests_are_throttled_per_email_and_per_address(app, smtp) {
        app.setup_admin().await;
        let visitor = app.browser();
        for _ in 0..paydesk::accounts::EMAIL_LIMIT + 1 {
            let res = ask(&visitor, "admin@acme.test").await;
            assert_eq!(location(&res), "/forgot-password?sent=1", "answered alike");
        }
        smtp.wait_for("admin@acme.test", "Reset").await;
        assert_eq!(queued_for(&app, "admin@acme.test"), paydesk::accounts::EMAIL_LIMIT, "no more links for one email");
        for i in paydesk::accounts::EMAIL_LIMIT + 1..paydesk::accounts::IP_LIMIT {
            assert_eq!(ask(&visitor, &format!("someone{i}@acme.test")).await.status(), 303);
        }
        let res = ask(&visitor, "another@acme.test").await;
        assert_eq!(res.status(), 429, "too many from one address, whatever the emails");
        assert!(res.headers().get("retry-after").is_some());
        assert!(res.text().await.unwrap().contains("Too many reset requests from your network"));
    }
}

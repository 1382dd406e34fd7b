//! The dashboard through HTTP, as a browser uses it: setup, sign-in, sessions, CSRF,
//! roles and the team.

#[path = "../support/mod.rs"]
mod support;

use diesel::prelude::*;
use paydesk::db::schema::{sessions, sign_in_failures, users};
use support::*;

mod account;
mod dashboard;
mod forms;
mod guards;
mod hub;
mod invitations;
mod layout;
mod logs;
mod mail;
mod password_reset;
mod reference;
mod spend;
mod webhooks;

fn location(res: &reqwest::Response) -> &str {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

on_both_backends! {
    async fn setup_runs_once_then_setup_is_gone(app) {
        let res = app.get("/").await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/setup");
        assert_eq!(app.get("/setup").await.status(), 200);

        app.setup_admin().await;
        let overview = app.get_html("/").await;
        assert!(overview.contains("Acme"), "{overview}");
        assert!(overview.contains("admin@acme.test"));

        assert_eq!(app.get("/setup").await.status(), 404);
        let again = app.browser();
        let res = again
            .client
            .post(again.url("/setup"))
            .form(&[("merchant_name", "Evil"), ("email", "evil@x.test"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
    }

    async fn setup_errors_are_shown_beside_the_fields_and_values_kept(app) {
        let res = app
            .post_form("/setup", "/setup", &[("merchant_name", "Acme Ltd"), ("email", "not-an-email"), ("password", "short")])
            .await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("Enter a valid email address"), "{html}");
        assert!(html.contains("Use at least 12 characters."));
        assert!(html.contains("value=\"Acme Ltd\""));
        assert!(html.contains("value=\"not-an-email\""));
        assert!(!html.contains("value=\"short\""), "the password must not be echoed");
        // Nothing was created: setup is still open.
        assert_eq!(app.get("/setup").await.status(), 200);
    }

    async fn sign_in_succeeds_and_failures_look_the_same_for_unknown_email(app) {
        app.setup_admin().await;
        let other = app.browser();
        let wrong = other.sign_in("admin@acme.test", "wrong password here").await;
        assert_eq!(wrong.status(), 401);
        let wrong = wrong.text().await.unwrap();
        let unknown = other.sign_in("nobody@acme.test", "wrong password here").await;
        assert_eq!(unknown.status(), 401);
        let unknown = unknown.text().await.unwrap();
        assert!(wrong.contains("Incorrect email or password."));
        assert!(unknown.contains("Incorrect email or password."));
        assert!(unknown.contains("value=\"nobody@acme.test\""), "typed email kept");

        let ok = other.sign_in("Admin@Acme.test", PASSWORD).await;
        assert_eq!(ok.status(), 303);
        assert_eq!(location(&ok), "/");
        assert!(other.get_html("/").await.contains("admin@acme.test"));
    }

    async fn five_failed_sign_ins_lock_the_account_for_15_minutes(app) {
        app.setup_admin().await;
        let other = app.browser();
        for attempt in 1..=4 {
            let res = other.sign_in("admin@acme.test", "wrong password here").await;
            assert_eq!(res.status(), 401, "attempt {attempt}");
        }
        let fifth = other.sign_in("admin@acme.test", "wrong password here").await;
        assert_eq!(fifth.status(), 401, "a lock answers like a wrong password");
        assert!(fifth.text().await.unwrap().contains("Wait 15 minutes"));
        // Even the right password is refused while locked.
        let right = other.sign_in("admin@acme.test", PASSWORD).await;
        assert_eq!(right.status(), 401);
        assert!(right.text().await.unwrap().contains("Wait 15 minutes"));
        // An unknown email locks the same way: nothing tells the two apart.
        for _ in 1..=5 {
            other.sign_in("nobody@acme.test", "wrong password here").await;
        }
        let unknown = other.sign_in("nobody@acme.test", "wrong password here").await;
        assert_eq!(unknown.status(), 401);
        assert!(unknown.text().await.unwrap().contains("Wait 15 minutes"));
        // After 15 minutes (the failures moved into the past here), the right password works.
        let mut conn = app.db().conn().unwrap();
        diesel::update(sign_in_failures::table)
            .set(sign_in_failures::at.eq(sign_in_failures::at - 16 * 60))
            .execute(&mut *conn)
            .unwrap();
        assert_eq!(other.sign_in("admin@acme.test", PASSWORD).await.status(), 303);
    }

    async fn an_admin_unlocks_a_locked_member_from_team(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        for _ in 1..=5 {
            dev.sign_in("dev@acme.test", "wrong password here").await;
        }
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 401, "locked");
        let team = app.get_html("/team").await;
        let row = &team[team.find("data-email=\"dev@acme.test\"").unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("Unlock sign-in"), "{row}");
        assert!(row.contains("locked until ") && row.contains(" UTC"), "a locked member shows until when: {row}");
        assert!(!row.contains(">active<"), "{row}");
        let action = row
            .split("action=\"")
            .filter_map(|a| a.split('"').next())
            .find(|a| a.ends_with("/unlock"))
            .unwrap()
            .to_owned();
        let res = app.client.post(app.url(&action)).form(&[("csrf", csrf_in(&team))]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let back = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(app.get_html(&back).await.contains("dev@acme.test&#39;s sign-in was unlocked"), "the message names the member");
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303, "unlocked");
        assert!(!app.get_html("/team").await.contains("Unlock sign-in"));
        assert!(app.get_html("/audit").await.contains("team.member_unlocked"));
    }

    async fn a_replayed_cookie_is_refused_after_sign_out(app) {
        app.setup_admin().await;
        let html = app.get_html("/").await;
        let cookie = app.cookie_header();
        assert!(cookie.contains("paydesk_session="));
        // Sign out in the browser…
        let res = app.client.post(app.url("/logout")).form(&[("csrf", csrf_in(&html))]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(app.get("/").await.status(), 303);
        // …then replay the cookie captured while signed in.
        let replay = client().get(app.url("/")).header("cookie", cookie).send().await.unwrap();
        assert_eq!(replay.status(), 303);
        assert_eq!(location(&replay), "/login");
    }

    async fn an_idle_session_expires_after_30_minutes(app) {
        app.setup_admin().await;
        assert_eq!(app.get("/").await.status(), 200);
        let mut conn = app.db().conn().unwrap();
        diesel::update(sessions::table)
            .set(sessions::last_seen_at.eq(paydesk::clock::now() - 31 * 60))
            .execute(&mut *conn)
            .unwrap();
        let res = app.get("/").await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/login");
    }

    async fn forms_without_the_right_csrf_token_are_refused(app) {
        app.setup_admin().await;
        let missing = app.client.post(app.url("/team/invitations"))
            .form(&[("email", "x@acme.test"), ("role", "viewer")])
            .send().await.unwrap();
        assert_eq!(missing.status(), 403);
        let wrong = app.client.post(app.url("/team/invitations"))
            .form(&[("email", "x@acme.test"), ("role", "viewer"), ("csrf", "forged")])
            .send().await.unwrap();
        assert_eq!(wrong.status(), 403);
        let anon = app.browser();
        let login = anon.client.post(anon.url("/login"))
            .form(&[("email", "admin@acme.test"), ("password", PASSWORD), ("csrf", "forged")])
            .send().await.unwrap();
        assert_eq!(login.status(), 403);
        // Nobody was invited.
        assert!(!app.get_html("/team").await.contains("x@acme.test"));
    }

    async fn roles_decide_which_pages_open(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        app.add_member("view@acme.test", "viewer").await;
        assert_eq!(app.get("/team").await.status(), 200);
        assert_eq!(app.get("/audit").await.status(), 200);

        let dev = app.browser();
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        assert_eq!(dev.get("/").await.status(), 200);
        assert_eq!(dev.get("/audit").await.status(), 200);
        assert_eq!(dev.get("/team").await.status(), 403);

        let viewer = app.browser();
        assert_eq!(viewer.sign_in("view@acme.test", PASSWORD).await.status(), 303);
        assert_eq!(viewer.get("/").await.status(), 200);
        let denied = viewer.get("/audit").await;
        assert_eq!(denied.status(), 403);
        assert!(denied.text().await.unwrap().contains("Developer Hub is for Admins and Developers"));
        assert_eq!(viewer.get("/team").await.status(), 403);
        let post = viewer.post_form("/", "/team/invitations", &[("email", "z@acme.test"), ("role", "admin")]).await;
        assert_eq!(post.status(), 403);
    }

    async fn a_role_change_applies_on_the_next_request(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        assert_eq!(dev.get("/audit").await.status(), 200);

        let id = user_id(&app, "dev@acme.test");
        let res = app.post_form("/team", &format!("/team/{id}/role"), &[("role", "viewer")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(dev.get("/audit").await.status(), 403);
        assert!(app.get_html("/audit").await.contains("team.role_changed"));
    }

    async fn a_deactivated_user_is_thrown_out_on_the_next_request(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        assert_eq!(dev.get("/").await.status(), 200);

        let id = user_id(&app, "dev@acme.test");
        let res = app.post_form("/team", &format!("/team/{id}/deactivate"), &[]).await;
        assert_eq!(res.status(), 303);
        let res = dev.get("/").await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/login");
        // And cannot sign in again.
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 401);
    }

    async fn deactivating_asks_first_and_can_be_undone_or_the_email_added_again(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        let token = dev.api_token("dev@acme.test").await;
        let id = user_id(&app, "dev@acme.test");

        // Team offers a link to a confirmation page, not a one-click button.
        let team = app.get_html("/team").await;
        assert!(team.contains(&format!("href=\"/team/{id}/deactivate\"")), "{team}");
        let confirm = app.get(&format!("/team/{id}/deactivate")).await;
        assert_eq!(confirm.status(), 200);
        let confirm = confirm.text().await.unwrap();
        assert!(confirm.contains("Deactivate dev@acme.test?"), "{confirm}");
        assert!(confirm.contains("aria-label=\"Main\""), "the page keeps the navigation");
        assert_eq!(dev.get("/").await.status(), 200, "looking at the page changes nothing");

        let res = app.post_form(&format!("/team/{id}/deactivate"), &format!("/team/{id}/deactivate"), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("/team?done=deactivated&member={id}"));
        assert!(app.get_html(location(&res)).await.contains("dev@acme.test was deactivated"), "the message names the member");
        assert_eq!(location(&dev.get("/").await), "/login", "their sessions ended");
        let api = dev.client.get(dev.url("/api/v1/api-keys")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(api.status(), 401, "their API token too");
        let team = app.get_html("/team?done=deactivated").await;
        assert!(team.contains("data-testid=\"reactivate\""), "{team}");

        // Reactivate: audited, and they sign in with their own password again.
        let res = app.post_form("/team", &format!("/team/{id}/reactivate"), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("/team?done=reactivated&member={id}"));
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        assert!(app.get_html("/audit").await.contains("team.member_reactivated"));

        // Deactivated again, the email can be invited again (accepting brings the same
        // account back: tests/web/mail.rs); an active member's email cannot.
        app.post_form(&format!("/team/{id}/deactivate"), &format!("/team/{id}/deactivate"), &[]).await;
        let res = app.post_form("/team", "/team/invitations", &[("email", "dev@acme.test"), ("role", "viewer")]).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        assert!(app.get_html("/team").await.contains("data-invitation=\"dev@acme.test\""));
        app.add_member("other@acme.test", "viewer").await;
        let res = app.post_form("/team", "/team/invitations", &[("email", "other@acme.test"), ("role", "admin")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("Someone with this email already has a Paydesk account."));
    }

    async fn a_developer_cannot_reactivate_a_member(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        app.add_member("gone@acme.test", "viewer").await;
        let gone = user_id(&app, "gone@acme.test");
        app.post_form("/team", &format!("/team/{gone}/deactivate"), &[]).await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        assert_eq!(dev.get(&format!("/team/{gone}/deactivate")).await.status(), 403);
        let res = dev.post_form("/", &format!("/team/{gone}/reactivate"), &[]).await;
        assert_eq!(res.status(), 403);
        assert_eq!(app.browser().sign_in("gone@acme.test", PASSWORD).await.status(), 401);
    }

    async fn team_form_errors_are_shown_and_values_kept(app) {
        app.setup_admin().await;
        // An invitee is a Developer unless the Admin picks another role, and Team sets
        // nobody's password.
        let blank = app.get_html("/team").await;
        let invite = &blank[blank.find("Invite someone").unwrap()..];
        assert!(invite.contains("<option value=\"developer\" selected>"), "{invite}");
        assert!(!invite.contains("<option value=\"admin\" selected>"));
        assert!(!blank.contains("type=\"password\""), "no password field on Team");
        app.add_member("dev@acme.test", "developer").await;
        // Every wrong field at once, each beside its field.
        let res = app.post_form("/team", "/team/invitations", &[("email", "dev@acme.test"), ("role", "owner")]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("already has a Paydesk account"), "{html}");
        assert!(html.contains("id=\"role-error\">Choose a role."), "{html}");
        assert!(html.contains("Fix these 2 problems"), "{html}");
        let res = app.post_form("/team", "/team/invitations", &[("email", "not-an-email"), ("role", "viewer")]).await;
        let html = res.text().await.unwrap();
        assert!(html.contains("Enter a valid email address"), "{html}");
        assert!(html.contains("value=\"not-an-email\""), "the value is kept");
        assert!(html.contains("<option value=\"viewer\" selected>"));
        // An admin cannot lock themselves out.
        let me = user_id(&app, "admin@acme.test");
        let res = app.post_form("/team", &format!("/team/{me}/role"), &[("role", "viewer")]).await;
        assert_eq!(res.status(), 403);
    }

    async fn passwords_are_stored_as_argon2id_with_at_least_19_mib(app) {
        app.setup_admin().await;
        let mut conn = app.db().conn().unwrap();
        let hash: String = users::table.select(users::password_hash).first(&mut *conn).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        let m: u32 = hash.split("m=").nth(1).unwrap().split(',').next().unwrap().parse().unwrap();
        assert!(m >= 19456, "m={m}");
        assert!(!hash.contains(PASSWORD));
    }

    async fn every_page_carries_the_security_headers(app) {
        for path in ["/setup", "/login", "/nowhere", "/healthz"] {
            let res = app.get(path).await;
            let h = res.headers();
            let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
            assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{path}");
            assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{path}");
            assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
            assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP: {path}");
            assert_eq!(
                h.get("permissions-policy").unwrap(),
                "camera=(), microphone=(), geolocation=(), payment=()",
                "{path}"
            );
            assert_eq!(h.get("cross-origin-opener-policy").unwrap(), "same-origin", "{path}");
            assert_eq!(h.get("cross-origin-resource-policy").unwrap(), "same-origin", "{path}");
        }
        // No contact configured: no security.txt.
        assert_eq!(app.get("/.well-known/security.txt").await.status(), 404);
    }

    async fn security_txt_names_the_configured_contact(app) {
        let backend = app.backend;
        drop(app);
        if backend == Backend::Postgres && !postgres_configured() {
            return;
        }
        let app = spawn_app_with(backend, |s| {
            s.security_contact = vec!["mailto:security@acme.test".into()];
            s.public_url = Some("https://pay.acme.test".into());
        })
        .await;
        let res = app.get("/.well-known/security.txt").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = res.text().await.unwrap();
        assert!(text.contains("Contact: mailto:security@acme.test\n"), "{text}");
        assert!(text.contains("Canonical: https://pay.acme.test/.well-known/security.txt\n"), "{text}");
        let expires = text.lines().find_map(|l| l.strip_prefix("Expires: ")).expect("Expires");
        let expires = chrono::DateTime::parse_from_rfc3339(expires).unwrap().timestamp();
        let now = chrono::Utc::now().timestamp();
        assert!(expires > now && expires < now + 365 * 86_400, "{text}");
    }

    async fn secure_cookies_come_with_hsts(app) {
        let backend = app.backend;
        drop(app);
        if backend == Backend::Postgres && !postgres_configured() {
            return;
        }
        let secure = spawn_app_with(backend, |s| s.cookie_secure = true).await;
        for path in ["/login", "/healthz", "/api/v1/whoami"] {
            let res = secure.get(path).await;
            assert_eq!(
                res.headers().get("strict-transport-security").map(|v| v.to_str().unwrap()),
                Some("max-age=31536000; includeSubDomains"),
                "{path}"
            );
        }
    }

    async fn health_and_readiness_answer(app) {
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body, serde_json::json!({"ok": true, "data": {"status": "ok"}}));
        assert_eq!(app.get("/readyz").await.status(), 200);
    }
}

fn user_id(app: &TestApp, email: &str) -> String {
    let mut conn = app.db().conn().unwrap();
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(&mut *conn)
        .unwrap()
}

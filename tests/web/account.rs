//! `/account` and sudo mode (SPEC §12), driven as a browser would.

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::*;

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The hidden inputs of a page's form, in order.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|rest| {
            let name = rest[..rest.find('"').unwrap()].to_owned();
            let v = &rest[rest.find("value=\"").unwrap() + 7..];
            (name, v[..v.find('"').unwrap()].replace("&#64;", "@"))
        })
        .collect()
}

on_both_backends! {
    async fn a_team_change_asks_for_the_password_again_then_is_carried_out(app) {
        app.setup_admin().await;
        app.age_sudo();
        let res = app.post_form("/team", "/team/invitations", &[("email", "new@acme.test"), ("role", "developer")]).await;
        assert_eq!(res.status(), 403);
        let prompt = res.text().await.unwrap();
        assert!(prompt.contains("Confirm it is you"), "{prompt}");
        assert!(prompt.contains("aria-label=\"Main\"") && prompt.contains("href=\"/team\""), "the prompt keeps the navigation");
        assert!(!app.get_html("/team").await.contains("new@acme.test"), "not done yet");
        let mut fields = hidden_fields(&prompt);
        assert!(fields.iter().any(|(k, v)| k == "sudo_return_to" && v == "/team/invitations"), "{fields:?}");
        assert!(fields.iter().any(|(k, v)| k == "email" && v == "new@acme.test"), "{fields:?}");
        // A wrong password: asked again, the change still held.
        let mut wrong = fields.clone();
        wrong.push(("sudo_password".into(), "not my password".into()));
        let res = app.client.post(app.url("/account/sudo")).form(&wrong).send().await.unwrap();
        let status = res.status();
        let again = res.text().await.unwrap();
        assert_eq!(status, 400, "{again}\n{wrong:?}");
        assert!(again.contains("not your password") && again.contains("new@acme.test"));
        // The right one: sent back to post the same form (307 keeps method and body).
        fields.push(("sudo_password".into(), PASSWORD.into()));
        let res = app.client.post(app.url("/account/sudo")).form(&fields).send().await.unwrap();
        assert_eq!(res.status(), 307);
        assert_eq!(location(&res), "/team/invitations");
        let res = app.client.post(app.url("/team/invitations")).form(&fields).send().await.unwrap();
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        assert!(app.get_html("/team").await.contains("new@acme.test"));
        assert!(app.get_html("/audit").await.contains("sudo.confirmed"));
    }

    async fn an_old_api_token_cannot_make_live_keys(app) {
        app.setup_admin().await;
        app.verify_merchant("Acme");
        let token = app.api_token("admin@acme.test").await;
        app.age_sudo();
        let post = |body: Value| app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token).json(&body).send();
        let res = post(json!({"name": "Live", "mode": "live", "permissions": "*"})).await.unwrap();
        assert_eq!(res.status(), 403);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "reauthentication_required");
        // Test keys need no sudo.
        assert_eq!(post(json!({"name": "Test", "permissions": "*"})).await.unwrap().status(), 201);
        // A fresh sign-in can.
        let fresh = app.api_token("admin@acme.test").await;
        let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&fresh).json(&json!({"name": "Live", "mode": "live", "permissions": "*"})).send().await.unwrap();
        assert_eq!(res.status(), 201);
    }

    async fn changing_the_password_ends_the_other_sessions(app) {
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        let page = app.get_html("/account").await;
        assert!(page.contains("API token") && page.contains("Browser") && page.contains("this session"));
        assert!(page.contains("127.0.0.1"));
        // Wrong current password: said beside the field, nothing changed.
        let res = app.post_form("/account", "/account/password", &[("current_password", "wrong password 1"), ("new_password", "a brand new password")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("not your current password"));
        let res = app.post_form("/account", "/account/password", &[("current_password", PASSWORD), ("new_password", "a brand new password")]).await;
        assert_eq!(res.status(), 303);
        // This browser stays signed in; the API token is gone.
        assert_eq!(app.get("/account").await.status(), 200);
        let res = app.client.get(app.url("/api/v1/api-keys")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 401);
        let other = app.browser();
        assert_eq!(other.sign_in("admin@acme.test", PASSWORD).await.status(), 401);
        assert_eq!(other.sign_in("admin@acme.test", "a brand new password").await.status(), 303);
        // That other browser is listed; ending it signs it out.
        let page = app.get_html("/account").await;
        let handle = page.split("data-session=\"").nth(1).map(|r| r[..16].to_owned()).unwrap();
        let mine = page.split("data-session=\"").find(|r| r.contains("this session")).map(|r| r[..16].to_owned()).unwrap();
        let theirs = if handle == mine { page.split("data-session=\"").nth(2).map(|r| r[..16].to_owned()).unwrap() } else { handle };
        let res = app.post_form("/account", &format!("/account/sessions/{theirs}/end"), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(other.get("/account").await.status(), 303, "signed out");
        // Sign out everywhere asks first, saying how many sessions it ends (this browser
        // and another), then says how many ended; this one included.
        assert_eq!(app.browser().sign_in("admin@acme.test", "a brand new password").await.status(), 303);
        let confirm = app.get_html("/account/sign-out-everywhere").await;
        assert!(confirm.contains("all 2 of your sessions"), "{confirm}");
        assert_eq!(app.get("/account").await.status(), 200, "asking ends nothing");
        let res = app.post_form("/account/sign-out-everywhere", "/account/sign-out-everywhere", &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/login?signed_out=2");
        assert!(app.get_html("/login?signed_out=2").await.contains("2 sessions ended"));
        assert_eq!(app.get("/account").await.status(), 303);
    }
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    &html[at..at + html[at..].find(end).unwrap()]
}

/// Turns two-factor on for the signed-in browser; returns (secret, recovery codes).
pub async fn enroll(app: &TestApp) -> (Vec<u8>, Vec<String>) {
    use paydesk::accounts::two_factor;
    let page = app.get_html("/account/2fa").await;
    assert!(
        page.contains("<svg") && page.contains("otpauth://totp/Paydesk:"),
        "{page}"
    );
    let secret =
        two_factor::from_base32(between(&page, "data-testid=\"totp-secret\">", "<")).unwrap();
    let res = app
        .post_form("/account/2fa", "/account/2fa", &[("code", "000000")])
        .await;
    assert_eq!(res.status(), 400);
    let code = two_factor::code_at(&secret, paydesk::clock::now());
    let res = app
        .post_form("/account/2fa", "/account/2fa", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 200);
    let shown = res.text().await.unwrap();
    let codes: Vec<String> = shown
        .split("<li><code>")
        .skip(1)
        .map(|r| r[..r.find('<').unwrap()].to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{shown}");
    for code in &codes {
        // 16 base32 characters: 80 bits each (SPEC §13).
        let chars: String = code.chars().filter(|c| *c != '-').collect();
        assert_eq!(chars.len(), 16, "{code}");
        assert!(
            chars
                .bytes()
                .all(|b| b"abcdefghijklmnopqrstuvwxyz234567".contains(&b)),
            "{code}"
        );
    }
    assert!(
        !app.get_html("/account/2fa").await.contains(&codes[0]),
        "shown once"
    );
    (secret, codes)
}

on_both_backends! {
    async fn two_factor_sign_in_on_pages_and_the_api(app) {
        use paydesk::accounts::two_factor;
        app.setup_admin().await;
        let (secret, codes) = enroll(&app).await;
        // The secret is stored sealed, never as typed.
        {
            let mut conn = app.db().conn().unwrap();
            let stored: Option<String> = paydesk::db::schema::users::table
                .select(paydesk::db::schema::users::totp_secret)
                .first(&mut *conn)
                .unwrap();
            assert!(!stored.unwrap().contains(&two_factor::base32(&secret)));
        }
        // Pages: password, then the code.
        let other = app.browser();
        let res = other.sign_in("admin@acme.test", PASSWORD).await;
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(page.contains("Enter your code"));
        let post_code = |code: String| {
            let csrf = csrf_in(&page);
            let client = other.client.clone();
            let url = other.url("/login/2fa");
            async move { client.post(url).form(&[("code", code.as_str()), ("csrf", csrf.as_str())]).send().await.unwrap() }
        };
        assert_eq!(post_code("123456".into()).await.status(), 401);
        assert_eq!(other.get("/").await.status(), 303, "not signed in yet");
        // The code of the next step (this one was used to enroll, and works once).
        let next = two_factor::code_at(&secret, paydesk::clock::now() + 30);
        assert_eq!(post_code(next.clone()).await.status(), 303);
        assert_eq!(other.get("/account").await.status(), 200, "signed in");
        // API: the code is needed after a correct password, and works once.
        let login = |body: Value| app.client.post(app.url("/api/v1/auth/login")).json(&body).send();
        let res = login(json!({"email": "admin@acme.test", "password": PASSWORD})).await.unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "otp_required");
        let res = login(json!({"email": "admin@acme.test", "password": "wrong password!", "otp": next})).await.unwrap();
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "invalid_credentials", "the password first");
        let res = login(json!({"email": "admin@acme.test", "password": PASSWORD, "otp": next})).await.unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "otp_invalid", "a used code");
        let wrong: String = next.chars().map(|c| if c == '9' { '0' } else { char::from(c as u8 + 1) }).collect();
        let res = login(json!({"email": "admin@acme.test", "password": PASSWORD, "otp": wrong})).await.unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "otp_invalid", "a wrong code");
        let res = login(json!({"email": "admin@acme.test", "password": PASSWORD, "otp": codes[0]})).await.unwrap();
        assert_eq!(res.status(), 200, "a recovery code");
        let res = login(json!({"email": "admin@acme.test", "password": PASSWORD, "otp": codes[0]})).await.unwrap();
        assert_eq!(res.status(), 401, "a recovery code works once");
    }

    async fn a_team_that_requires_two_factor_holds_members_at_setup(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        enroll(&app).await;
        let res = app.post_form("/team", "/team/require-2fa", &[("required", "on")]).await;
        assert_eq!(res.status(), 303);
        // A member without it: every page leads to the setup, the API refuses sign-in.
        let dev = app.browser();
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        let res = dev.get("/keys").await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/account/2fa"));
        assert!(dev.get_html("/account/2fa").await.contains("Your team requires"));
        let res = app.client.post(app.url("/api/v1/auth/login")).json(&json!({"email": "dev@acme.test", "password": PASSWORD})).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "two_factor_required");
        // Once set up, the rest opens.
        enroll(&dev).await;
        assert_eq!(dev.get("/keys").await.status(), 200);
    }
}

/// Posts the sudo prompt's form for `app` with extra fields.
async fn confirm(app: &TestApp, prompt: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut fields = hidden_fields(prompt);
    fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    app.client
        .post(app.url("/account/sudo"))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

on_both_backends! {
    async fn with_two_factor_on_sudo_asks_for_the_code_too(app) {
        use paydesk::accounts::two_factor;
        app.setup_admin().await;
        let (secret, _) = enroll(&app).await;
        app.age_sudo();
        let res = app.post_form("/account/2fa", "/account/2fa/disable", &[]).await;
        assert_eq!(res.status(), 403);
        let prompt = res.text().await.unwrap();
        assert!(prompt.contains("name=\"code\"") && prompt.contains("name=\"sudo_password\""), "{prompt}");
        let still_on = || async { app.get_html("/account/2fa").await.contains("data-testid=\"two-factor-on\"") };
        // The password alone is not enough any more.
        let res = confirm(&app, &prompt, &[("sudo_password", PASSWORD)]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("Enter the 6-digit code"));
        let res = app.client.post(app.url("/account/2fa/disable")).form(&[("csrf", csrf_in(&prompt))]).send().await.unwrap();
        assert_eq!(res.status(), 403, "still not in sudo mode");
        assert!(still_on().await);
        // A wrong code: asked again.
        let res = confirm(&app, &prompt, &[("sudo_password", PASSWORD), ("code", "000000x")]).await;
        assert_eq!(res.status(), 400);
        assert!(still_on().await);
        // Password and the next code: back to the interrupted form, which now goes through.
        let next = two_factor::code_at(&secret, paydesk::clock::now() + 30);
        let res = confirm(&app, &prompt, &[("sudo_password", PASSWORD), ("code", &next)]).await;
        assert_eq!(res.status(), 307);
        assert_eq!(location(&res), "/account/2fa/disable");
        let res = app.client.post(app.url("/account/2fa/disable")).form(&[("csrf", csrf_in(&prompt))]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert!(!still_on().await);
    }

    async fn enrolling_and_new_recovery_codes_need_sudo(app) {
        use paydesk::accounts::two_factor;
        app.setup_admin().await;
        app.age_sudo();
        let page = app.get_html("/account/2fa").await;
        let secret = two_factor::from_base32(between(&page, "data-testid=\"totp-secret\">", "<")).unwrap();
        let code = two_factor::code_at(&secret, paydesk::clock::now());
        let res = app.post_form("/account/2fa", "/account/2fa", &[("code", &code)]).await;
        assert_eq!(res.status(), 403, "enrolling asks for the password first");
        let prompt = res.text().await.unwrap();
        assert!(prompt.contains("Confirm it is you") && !prompt.contains("Two-factor code"));
        assert!(!app.get_html("/account/2fa").await.contains("two-factor-on"));
        let res = confirm(&app, &prompt, &[("sudo_password", PASSWORD)]).await;
        assert_eq!(res.status(), 307);
        let res = app.client.post(app.url("/account/2fa")).form(&hidden_fields(&prompt)).send().await.unwrap();
        assert_eq!(res.status(), 200, "enrolled");
        let first = res.text().await.unwrap();
        assert!(first.contains("data-testid=\"recovery-codes\""));
        // New recovery codes: sudo again (now with the code).
        app.age_sudo();
        let res = app.post_form("/account/2fa", "/account/2fa/recovery-codes", &[]).await;
        assert_eq!(res.status(), 403);
        let prompt = res.text().await.unwrap();
        let next = two_factor::code_at(&secret, paydesk::clock::now() + 30);
        assert_eq!(confirm(&app, &prompt, &[("sudo_password", PASSWORD), ("code", &next)]).await.status(), 307);
        let res = app.client.post(app.url("/account/2fa/recovery-codes")).form(&hidden_fields(&prompt)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let shown = res.text().await.unwrap();
        let codes: Vec<&str> = shown.split("<li><code>").skip(1).map(|r| &r[..r.find('<').unwrap()]).collect();
        assert_eq!(codes.len(), 10);
        let old_first = between(&first, "<li><code>", "<");
        assert!(!codes.contains(&old_first), "new codes");
        assert!(app.get_html("/audit").await.contains("account.recovery_codes_regenerated"));
    }

    async fn an_api_token_signed_in_before_two_factor_loses_sudo(app) {
        use paydesk::accounts::two_factor;
        app.setup_admin().await;
        app.verify_merchant("Acme");
        let old = app.api_token("admin@acme.test").await;
        let (secret, _) = enroll(&app).await;
        let create = |token: String| app.client.post(app.url("/api/v1/api-keys")).bearer_auth(token).json(&json!({"name": "Live", "mode": "live", "permissions": "*"})).send();
        let res = create(old.clone()).await.unwrap();
        assert_eq!(res.status(), 403, "its sign-in carried no code");
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "reauthentication_required");
        // A sign-in with the code is in sudo mode.
        let next = two_factor::code_at(&secret, paydesk::clock::now() + 30);
        let res = app.client.post(app.url("/api/v1/auth/login")).json(&json!({"email": "admin@acme.test", "password": PASSWORD, "otp": next})).send().await.unwrap();
        let fresh = res.json::<Value>().await.unwrap()["data"]["token"].as_str().unwrap().to_owned();
        assert_eq!(create(fresh).await.unwrap().status(), 201);
    }

    async fn requiring_two_factor_ends_the_sessions_of_members_without_it(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        let token = app.api_token("dev@acme.test").await;
        let create = || app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token).json(&json!({"name": "t", "permissions": "*"})).send();
        assert_eq!(create().await.unwrap().status(), 201);
        // An Admin without two-factor cannot require it of others.
        let res = app.post_form("/team", "/team/require-2fa", &[("required", "on")]).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("for yourself first"));
        enroll(&app).await;
        let res = app.post_form("/team", "/team/require-2fa", &[("required", "on")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(create().await.unwrap().status(), 401, "the member's API token ended");
        let res = dev.get("/").await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/login"), "their browser session ended");
        assert_eq!(app.get("/team").await.status(), 200, "the Admin's own session stays");
        assert!(app.get_html("/audit").await.contains("sessions of members without two-factor ended"));
    }

    async fn recovery_codes_are_stored_keyed_and_old_ones_are_retired(app) {
        use sha2::Digest;
        app.setup_admin().await;
        let (_, codes) = enroll(&app).await;
        let mut conn = app.db().conn().unwrap();
        let stored: Vec<String> = paydesk::db::schema::recovery_codes::table
            .select(paydesk::db::schema::recovery_codes::code_hash)
            .load(&mut *conn)
            .unwrap();
        assert_eq!(stored.len(), 10);
        let normal: String = codes[0].chars().filter(|c| *c != '-').collect();
        let plain = paydesk::crypto::hex(&sha2::Sha256::digest(normal.as_bytes()).into());
        assert!(stored.iter().all(|h| h.starts_with("hmac1:") && !h.contains(&plain)), "{stored:?}");
        // A code stored under the old scheme (plain SHA-256) no longer works, and the page says so.
        let old = "k3m9x2q7";
        let old_hash = paydesk::crypto::hex(&sha2::Sha256::digest(old.as_bytes()).into());
        let user: String = paydesk::db::schema::users::table.select(paydesk::db::schema::users::id).first(&mut *conn).unwrap();
        diesel::insert_into(paydesk::db::schema::recovery_codes::table)
            .values((paydesk::db::schema::recovery_codes::code_hash.eq(&old_hash), paydesk::db::schema::recovery_codes::user_id.eq(&user)))
            .execute(&mut *conn)
            .unwrap();
        let page = app.get_html("/account/2fa").await;
        assert!(page.contains("data-testid=\"old-codes\"") && page.contains("Unused recovery codes: 10."), "{page}");
        let login = |otp: &str| app.client.post(app.url("/api/v1/auth/login")).json(&json!({"email": "admin@acme.test", "password": PASSWORD, "otp": otp})).send();
        assert_eq!(login("k3m9-x2q7").await.unwrap().status(), 401);
        assert_eq!(login(&codes[1].to_uppercase()).await.unwrap().status(), 200, "a new code, typed in capitals");
    }
}

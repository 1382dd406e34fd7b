//! Recovery from the command line (SPEC §14): `paydesk user list`, `reset-password`,
//! `reset-2fa` and `unlock`, each audited with actor `cli`.

use super::{paydesk, text};
use crate::on_both_backends;
use crate::support::*;

/// The audit rows written by the command line with this action: (target, detail).
fn cli_rows(app: &TestApp, action: &str) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use paydesk::db::schema::audit_log;
    let mut conn = app.db().conn().unwrap();
    audit_log::table
        .filter(audit_log::actor.eq("cli"))
        .filter(audit_log::action.eq(action))
        .filter(audit_log::ip.eq("cli"))
        .select((audit_log::target, audit_log::detail))
        .load(&mut *conn)
        .unwrap()
}

/// Five wrong passwords from this browser: sign-in for the email is locked.
async fn lock_out(app: &TestApp, email: &str) {
    for _ in 0..5 {
        app.sign_in(email, "not the password at all").await;
    }
    let res = app.sign_in(email, PASSWORD).await;
    assert_eq!(res.status(), 401);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins")
    );
}

/// Turns two-factor on for the signed-in browser; returns the secret.
async fn turn_on_two_factor(app: &TestApp) -> Vec<u8> {
    use paydesk::accounts::two_factor;
    let page = app.get_html("/account/2fa").await;
    let marker = "data-testid=\"totp-secret\">";
    let at = page.find(marker).expect("the secret is shown") + marker.len();
    let secret = two_factor::from_base32(&page[at..at + page[at..].find('<').unwrap()]).unwrap();
    let code = two_factor::code_at(&secret, paydesk::clock::now());
    let res = app
        .post_form("/account/2fa", "/account/2fa", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    secret
}

/// Signed in: a signed-in page answers 200 rather than sending to /login.
async fn signed_in(app: &TestApp) -> bool {
    app.get("/account").await.status() == 200
}

on_both_backends! {
    async fn user_list_shows_role_merchant_two_factor_and_status(app) {
        app.setup_admin().await;
        app.create_user("dev@acme.test", "developer", "Acme");
        app.create_user("gone@acme.test", "viewer", "Acme");
        app.create_user("ops@globex.test", "admin", "Globex");
        turn_on_two_factor(&app).await;
        let other = app.browser();
        lock_out(&other, "dev@acme.test").await;
        {
            let mut conn = app.db().conn().unwrap();
            let user = paydesk::db::models::user::User::find_by_email(&mut conn, "gone@acme.test").unwrap().unwrap();
            paydesk::db::models::user::User::set_active(&mut conn, &user.id, false).unwrap();
        }

        let out = paydesk(&app.db_url, &["user", "list"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let table = text(&out.stdout);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 5, "{table}");
        let header: Vec<&str> = lines[0].split_whitespace().collect();
        assert_eq!(header, ["EMAIL", "ROLE", "MERCHANT", "2FA", "STATUS"]);
        let row = |email: &str| -> Vec<String> {
            let line = lines.iter().find(|l| l.starts_with(email)).unwrap_or_else(|| panic!("{email} missing:\n{table}"));
            line.split_whitespace().map(str::to_owned).collect()
        };
        assert_eq!(row("admin@acme.test"), ["admin@acme.test", "admin", "Acme", "on", "active"]);
        assert_eq!(row("gone@acme.test"), ["gone@acme.test", "viewer", "Acme", "off", "deactivated"]);
        assert_eq!(row("ops@globex.test"), ["ops@globex.test", "admin", "Globex", "off", "active"]);
        let dev = row("dev@acme.test");
        assert_eq!(dev[..5], ["dev@acme.test", "developer", "Acme", "off", "locked"], "{table}");
        assert_eq!(dev[5], "until");
        assert!(dev.last().unwrap() == "UTC", "{table}");

        let out = paydesk(&app.db_url, &["user", "list", "--merchant", "Globex"], None);
        let only = text(&out.stdout);
        assert_eq!(only.lines().count(), 2, "{only}");
        assert!(only.contains("ops@globex.test") && !only.contains("acme.test"), "{only}");

        let out = paydesk(&app.db_url, &["user", "list", "--merchant", "Nobody"], None);
        assert!(!out.status.success());
        assert_eq!(text(&out.stderr).trim(), "paydesk: --merchant: No merchant is named \"Nobody\".");
    }

    async fn reset_password_ends_sessions_and_the_new_password_signs_in(app) {
        app.setup_admin().await;
        app.create_user("dev@acme.test", "developer", "Acme");
        let dev = app.browser();
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        assert!(signed_in(&dev).await);

        let new_password = "a brand new password for dev";
        let out = paydesk(&app.db_url, &["user", "reset-password", "--email", "Dev@Acme.test", "--password-stdin"], Some(&format!("{new_password}\n")));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), "password of dev@acme.test reset; 1 session(s) ended");
        assert!(text(&out.stderr).trim().is_empty(), "no password printed: {}", text(&out.stderr));
        assert!(!signed_in(&dev).await, "the session ended");
        assert_eq!(dev.sign_in("dev@acme.test", PASSWORD).await.status(), 401);
        assert_eq!(dev.sign_in("dev@acme.test", new_password).await.status(), 303);
        assert_eq!(cli_rows(&app, "account.password_reset"), [("dev@acme.test".to_owned(), "1 sessions ended".to_owned())]);

        // Generated: printed once, on standard error.
        let out = paydesk(&app.db_url, &["user", "reset-password", "--email", "dev@acme.test"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        let generated = err.split("new password (shown once): ").nth(1).expect("printed").trim();
        assert!(generated.len() >= 12, "{err}");
        assert!(!signed_in(&dev).await);
        assert_eq!(app.browser().sign_in("dev@acme.test", generated).await.status(), 303);
        assert_eq!(cli_rows(&app, "account.password_reset").len(), 2);

        let out = paydesk(&app.db_url, &["user", "reset-password", "--email", "nobody@acme.test"], None);
        assert!(!out.status.success());
        assert_eq!(text(&out.stderr).trim(), "paydesk: --email: No user has the email nobody@acme.test.");
        let out = paydesk(&app.db_url, &["user", "reset-password", "--email", "dev@acme.test", "--password-stdin"], Some("short\n"));
        assert!(!out.status.success());
        assert_eq!(text(&out.stderr).trim(), "paydesk: --password: Use at least 12 characters.");
        assert_eq!(cli_rows(&app, "account.password_reset").len(), 2, "refusals change nothing");
    }

    async fn reset_two_factor_removes_the_authenticator_and_ends_sessions(app) {
        app.setup_admin().await;
        turn_on_two_factor(&app).await;
        let second = app.browser();
        let res = second.sign_in("admin@acme.test", PASSWORD).await;
        assert_eq!(res.status(), 200, "the code is asked for");
        assert!(res.text().await.unwrap().contains("Enter your code"));

        let out = paydesk(&app.db_url, &["user", "reset-2fa", "--email", "admin@acme.test"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), "two-factor sign-in of admin@acme.test turned off (authenticator and recovery codes removed); 1 session(s) ended");
        assert!(!signed_in(&app).await, "the session ended");
        assert_eq!(second.sign_in("admin@acme.test", PASSWORD).await.status(), 303, "no code asked any more");
        {
            use diesel::prelude::*;
            use paydesk::db::schema::{recovery_codes, users};
            let mut conn = app.db().conn().unwrap();
            let secret: Option<String> = users::table.filter(users::email.eq("admin@acme.test")).select(users::totp_secret).first(&mut *conn).unwrap();
            assert_eq!(secret, None);
            let codes: i64 = recovery_codes::table.count().get_result(&mut *conn).unwrap();
            assert_eq!(codes, 0);
        }
        let rows = cli_rows(&app, "account.two_factor_reset");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "admin@acme.test");

        let out = paydesk(&app.db_url, &["user", "reset-2fa", "--email", "admin@acme.test"], None);
        assert!(!out.status.success());
        assert_eq!(text(&out.stderr).trim(), "paydesk: admin@acme.test does not use two-factor sign-in; nothing was changed");
        let out = paydesk(&app.db_url, &["user", "reset-2fa", "--email", "nobody@acme.test"], None);
        assert!(!out.status.success());
        assert_eq!(text(&out.stderr).trim(), "paydesk: --email: No user has the email nobody@acme.test.");
        assert_eq!(cli_rows(&app, "account.two_factor_reset").len(), 1);
    }

    async fn unlock_lifts_the_sign_in_lock(app) {
        app.setup_admin().await;
        let browser = app.browser();
        lock_out(&browser, "admin@acme.test").await;

        let out = paydesk(&app.db_url, &["user", "unlock", "--email", "admin@acme.test"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let said = text(&out.stdout);
        assert!(said.starts_with("sign-in of admin@acme.test unlocked (it was locked until "), "{said}");
        assert_eq!(browser.sign_in("admin@acme.test", PASSWORD).await.status(), 303);
        let rows = cli_rows(&app, "account.unlocked");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "admin@acme.test");
        assert!(rows[0].1.starts_with("was locked until "), "{:?}", rows[0]);

        let out = paydesk(&app.db_url, &["user", "unlock", "--email", "admin@acme.test"], None);
        assert!(out.status.success());
        assert_eq!(text(&out.stdout).trim(), "sign-in of admin@acme.test was not locked; its failed attempts are forgotten");
        let out = paydesk(&app.db_url, &["user", "unlock", "--email", "nobody@acme.test"], None);
        assert!(!out.status.success());
        assert_eq!(text(&out.stderr).trim(), "paydesk: --email: No user has the email nobody@acme.test.");
        let out = paydesk(&app.db_url, &["user", "unlock", "--email", "not an email"], None);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("--email: Enter a valid email address"), "{}", text(&out.stderr));
    }
}

//! The Developer Hub pages: create, show once, list, detail, edit, suspend, roll, revoke.

use diesel::prelude::*;
use paydesk::db::schema::api_keys;

use crate::on_both_backends;
use crate::support::*;

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Submits the create form; returns the response (303 to the reveal page on success).
pub async fn create_key_form(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post_form("/keys/new", "/keys", fields).await
}

/// Creates a test key with customers:read; returns (key id, secret).
pub async fn create_customers_read_key(app: &TestApp) -> (String, String) {
    let res = create_key_form(
        app,
        &[
            ("name", "Backend"),
            ("mode", "test"),
            ("access", "custom"),
            ("perm_customers", "read"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let reveal = location(&res);
    let id = reveal
        .trim_start_matches("/keys/")
        .trim_end_matches("/reveal")
        .to_owned();
    let html = app.get_html(&reveal).await;
    (
        id,
        secret_in(&html).expect("secret shown on the first visit"),
    )
}

fn secret_in(html: &str) -> Option<String> {
    let start = html.find("sk_test_").or_else(|| html.find("sk_live_"))?;
    let secret: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (secret.len() == 46).then_some(secret)
}

fn stored_rows(app: &TestApp) -> Vec<String> {
    let mut conn = app.db().conn().unwrap();
    let rows: Vec<(String, String, String, String, String, String)> = api_keys::table
        .select((
            api_keys::id,
            api_keys::publishable_key,
            api_keys::secret_hash,
            api_keys::secret_hint,
            api_keys::permissions,
            api_keys::name,
        ))
        .load(&mut *conn)
        .unwrap();
    rows.into_iter().map(|r| format!("{r:?}")).collect()
}

on_both_backends! {
    async fn a_new_secret_is_shown_exactly_once(app) {
        app.setup_admin().await;
        let res = create_key_form(&app, &[("name", "Backend"), ("mode", "test"), ("access", "custom"), ("perm_customers", "read")]).await;
        assert_eq!(res.status(), 303);
        let reveal = location(&res);
        let first = app.get(&reveal).await;
        assert_eq!(first.headers().get("cache-control").unwrap(), "no-store");
        let html = first.text().await.unwrap();
        let secret = secret_in(&html).expect("secret on the show-once page");
        assert!(html.contains("will not show it again"));
        assert!(paydesk::keys::format::parse(&secret).is_some());
        // How to use it: the base URL, a curl example with this key, the reference.
        assert!(html.contains(&format!("curl {}/api/v1/whoami", app.address)), "{html}");
        assert!(html.contains("href=\"/docs/api\""));
        assert!(!html.contains("live-warning"), "a test key is not live");

        let again = app.get_html(&reveal).await;
        assert!(secret_in(&again).is_none(), "shown twice");
        assert!(again.contains("already been shown"));
        let id = reveal.trim_start_matches("/keys/").trim_end_matches("/reveal");
        for page in ["/keys".to_string(), format!("/keys/{id}"), "/audit".to_string(), format!("/keys/{id}/edit")] {
            let html = app.get_html(&page).await;
            assert!(!html.contains(&secret), "{page} shows the secret");
            assert!(!html.contains(&secret[8..40]), "{page} shows part of the secret");
        }
        let list = app.get_html("/keys").await;
        assert!(list.contains("Backend") && list.contains("customers:read") && list.contains(&format!("sk_test_…{}", &secret[42..])));

        // The database holds the hash and a hint, never the secret.
        let rows = stored_rows(&app);
        assert!(rows.iter().all(|r| !r.contains(&secret[8..40])));
        assert!(rows[0].contains(&paydesk::crypto::hash(&secret)));
    }

    async fn a_pending_secret_does_not_survive_a_new_sign_in(app) {
        app.setup_admin().await;
        app.add_member("dev@acme.test", "developer").await;
        let res = create_key_form(&app, &[("name", "Pending"), ("mode", "test"), ("perm_customers", "read")]).await;
        let reveal = location(&res);
        // Before opening the page, someone else signs in on this browser.
        assert_eq!(app.sign_in("dev@acme.test", PASSWORD).await.status(), 303);
        let html = app.get_html(&reveal).await;
        assert!(secret_in(&html).is_none(), "another person saw the secret");
        assert!(html.contains("already been shown"));
    }

    async fn the_allowed_ips_box_splits_on_commas_and_whitespace_and_refuses_host_bits(app) {
        app.setup_admin().await;
        let res = create_key_form(&app, &[("name", "k"), ("mode", "test"), ("perm_payments", "read"), ("allowed_ips", "10.0.0.5/24")]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap().replace("&#34;", "\"");
        assert!(html.contains("did you mean 10.0.0.0/24?"), "{html}");
        assert!(stored_rows(&app).is_empty(), "nothing created");
        let res = create_key_form(&app, &[("name", "k"), ("mode", "test"), ("perm_payments", "read"), ("allowed_ips", "203.0.113.7,\n\n 10.0.0.0/24 ,")]).await;
        assert_eq!(res.status(), 303, "empty pieces of the box are no entries");
        let mut conn = app.db().conn().unwrap();
        let stored: String = api_keys::table.select(api_keys::allowed_ips).first(&mut *conn).unwrap();
        assert_eq!(stored, "203.0.113.7/32 10.0.0.0/24");
    }

    async fn bad_key_input_names_the_field_and_keeps_the_values(app) {
        app.setup_admin().await;
        let res = create_key_form(&app, &[
            ("name", ""), ("mode", "test"), ("access", "custom"), ("perm_payments", "write"),
            ("allowed_ips", "10.0.0.0/24\nbanana\n2001:db8::/129"), ("rate_limit", "0"), ("expires_in_days", "-3"),
        ]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap().replace("&#34;", "\"");
        assert!(html.contains("Give the key a label"), "{html}");
        assert!(html.contains("Not an IP address or CIDR block: \"banana\", \"2001:db8::/129\""), "{html}");
        assert!(html.contains("from 1 to 100000"));
        assert!(html.contains("Enter a number of days"));
        assert!(html.contains("10.0.0.0/24\nbanana"), "typed IPs kept");
        assert!(html.contains("name=\"perm_payments\" value=\"write\" aria-label=\"Payments: Write\" checked"), "matrix kept");
        assert!(html.contains("value=\"0\""), "rate limit kept");
        assert!(stored_rows(&app).is_empty(), "nothing created");

        let res = create_key_form(&app, &[("name", "x"), ("mode", "test"), ("perm_balance", "write")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("Balance has no Write level."));
    }

    async fn only_admins_of_verified_merchants_create_live_keys(app) {
        app.setup_admin().await;
        let res = create_key_form(&app, &[("name", "Live"), ("mode", "live"), ("access", "full")]).await;
        assert_eq!(res.status(), 403);
        let html = res.text().await.unwrap();
        assert!(html.contains("Live keys need a verified account"), "{html}");
        assert!(html.contains("value=\"Live\""), "label kept");

        app.add_member("dev@acme.test", "developer").await;
        app.verify_merchant("Acme");
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        let res = create_key_form(&dev, &[("name", "Live"), ("mode", "live"), ("access", "full")]).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("Only an Admin can create live keys."));
        let (_, secret) = create_customers_read_key(&dev).await;
        assert!(secret.starts_with("sk_test_"));

        let res = create_key_form(&app, &[("name", "Live"), ("mode", "live"), ("access", "full")]).await;
        assert_eq!(res.status(), 303);
        let html = app.get_html(&location(&res)).await;
        assert!(secret_in(&html).unwrap().starts_with("sk_live_"));
    }

    async fn viewers_cannot_open_the_hub(app) {
        app.setup_admin().await;
        let (id, _) = create_customers_read_key(&app).await;
        app.add_member("view@acme.test", "viewer").await;
        let viewer = app.browser();
        viewer.sign_in("view@acme.test", PASSWORD).await;
        for path in ["/keys".to_string(), "/keys/new".into(), format!("/keys/{id}"), format!("/keys/{id}/edit")] {
            assert_eq!(viewer.get(&path).await.status(), 403, "{path}");
        }
        let res = viewer.post_form("/", "/keys", &[("name", "x"), ("mode", "test")]).await;
        assert_eq!(res.status(), 403);
        let res = viewer.post_form("/", &format!("/keys/{id}/revoke"), &[]).await;
        assert_eq!(res.status(), 403);
        assert!(app.get_html(&format!("/keys/{id}")).await.contains("data-testid=\"key-status\">active"));
    }

    async fn suspend_reactivate_and_revoke_from_the_detail_page(app) {
        app.setup_admin().await;
        let (id, _) = create_customers_read_key(&app).await;
        let detail = format!("/keys/{id}");
        let res = app.post_form(&detail, &format!("/keys/{id}/suspend"), &[]).await;
        assert_eq!(location(&res), format!("/keys/{id}?done=suspended"));
        assert!(app.get_html(&detail).await.contains("key-status\">suspended"));
        app.post_form(&detail, &format!("/keys/{id}/reactivate"), &[]).await;
        assert!(app.get_html(&detail).await.contains("key-status\">active"));

        let confirm = app.get_html(&format!("/keys/{id}/revoke")).await;
        assert!(confirm.contains("cannot be undone"));
        let res = app.post_form(&format!("/keys/{id}/revoke"), &format!("/keys/{id}/revoke"), &[]).await;
        assert_eq!(location(&res), "/keys?done=revoked");
        let html = app.get_html(&detail).await;
        assert!(html.contains("key-status\">revoked"));
        assert!(!html.contains("/reactivate"), "no actions on a revoked key");

        let res = app.post_form(&detail, &format!("/keys/{id}/reactivate"), &[]).await;
        assert_eq!(res.status(), 409);
        assert!(res.text().await.unwrap().contains("A revoked key cannot be reactivated"));
        assert!(app.get_html("/keys?status=revoked").await.contains(&id));
        assert!(!app.get_html("/keys?status=active").await.contains(&id));

        let audit = app.get_html("/audit").await;
        for action in ["api_key.created", "api_key.suspended", "api_key.reactivated", "api_key.revoked"] {
            assert!(audit.contains(action), "{action} missing from the audit log");
        }
        assert!(audit.contains("127.0.0.1"));
    }

    async fn rolling_copies_the_configuration_and_honours_the_grace_period(app) {
        app.setup_admin().await;
        let res = create_key_form(&app, &[("name", "Roller"), ("mode", "test"), ("perm_payments", "write"), ("allowed_ips", "10.0.0.0/8"), ("rate_limit", "250")]).await;
        let old_id = location(&res).trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();
        let old_secret = secret_in(&app.get_html(&location(&res)).await).unwrap();

        let confirm = app.get_html(&format!("/keys/{old_id}/roll")).await;
        assert!(confirm.contains("In 1 hour") && confirm.contains("In 7 days"));
        let res = app.post_form(&format!("/keys/{old_id}/roll"), &format!("/keys/{old_id}/roll"), &[("grace_period_seconds", "3600")]).await;
        assert_eq!(res.status(), 303);
        let new_secret = secret_in(&app.get_html(&location(&res)).await).expect("new secret shown once");
        assert_ne!(new_secret, old_secret);
        let new_id = location(&res).trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();

        let new_page = app.get_html(&format!("/keys/{new_id}")).await;
        assert!(new_page.contains("Payments: Write") && new_page.contains("10.0.0.0/8") && new_page.contains("250 requests per minute"));
        let old_page = app.get_html(&format!("/keys/{old_id}")).await;
        assert!(old_page.contains("key-status\">rolling — expires "), "still works during the grace period, and says until when");
        assert!(old_page.contains("badge status-rolling\" data-testid=\"key-status\""), "not the active colour");
        assert!(app.get_html(&format!("/keys/{new_id}")).await.contains("badge status-active\" data-testid=\"key-status\""));
        assert!(old_page.contains(&new_id));
        let mut conn = app.db().conn().unwrap();
        let expires: Option<i64> = api_keys::table.find(&old_id).select(api_keys::expires_at).first(&mut *conn).unwrap();
        let left = expires.unwrap() - paydesk::clock::now();
        assert!((3590..=3600).contains(&left), "{left}");

        // Grace 0: the old key expires at once.
        let res = app.post_form(&format!("/keys/{new_id}/roll"), &format!("/keys/{new_id}/roll"), &[("grace_period_seconds", "0")]).await;
        assert_eq!(res.status(), 303);
        assert!(app.get_html(&format!("/keys/{new_id}")).await.contains("key-status\">rolled"));
        assert!(app.get_html("/keys").await.contains(">rolled</span>"), "the list says so too");
        // A made-up grace period is refused.
        let third = location(&res).trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();
        let res = app.post_form(&format!("/keys/{third}/roll"), &format!("/keys/{third}/roll"), &[("grace_period_seconds", "5")]).await;
        assert_eq!(res.status(), 400);
    }

    async fn a_revoked_key_offers_no_changes_and_its_pages_say_why(app) {
        app.setup_admin().await;
        let (id, _) = create_customers_read_key(&app).await;
        let res = app.post_form(&format!("/keys/{id}/revoke"), &format!("/keys/{id}/revoke"), &[]).await;
        assert_eq!(res.status(), 303);
        let detail = app.get_html(&format!("/keys/{id}")).await;
        for link in ["/edit\"", "/roll\"", "/revoke\"", "/reactivate\"", "/suspend\""] {
            assert!(!detail.contains(&format!("/keys/{id}{link}")), "{link} offered for a revoked key");
        }
        for (path, verb) in [("edit", "edited"), ("roll", "rolled"), ("revoke", "revoked")] {
            let res = app.get(&format!("/keys/{id}/{path}")).await;
            assert_eq!(res.status(), 409, "{path}");
            let html = res.text().await.unwrap();
            assert!(html.contains(&format!("cannot be {verb}")), "{html}");
            assert!(html.contains("This key is revoked"), "{html}");
            assert!(html.contains("Revoked keys stay listed for the record"), "{html}");
            assert!(html.contains("aria-label=\"Main\""), "the navigation is there");
            assert!(html.contains(&format!("href=\"/keys/{id}\"")), "a way back");
            assert!(!html.contains("type=\"submit\" class=\"danger\"") && !html.contains("Save changes"));
        }
    }

    async fn an_edit_sent_after_the_key_was_revoked_is_kept_on_screen(app) {
        app.setup_admin().await;
        let (id, _) = create_customers_read_key(&app).await;
        let edit = format!("/keys/{id}/edit");
        // The form is open in one tab; someone revokes the key in another.
        let csrf = csrf_in(&app.get_html(&edit).await);
        let other = app.browser();
        other.sign_in("admin@acme.test", PASSWORD).await;
        other.post_form(&format!("/keys/{id}/revoke"), &format!("/keys/{id}/revoke"), &[]).await;
        let res = app
            .client
            .post(app.url(&edit))
            .form(&[("csrf", csrf.as_str()), ("name", "My careful new label"), ("perm_payments", "write"), ("rate_limit", "42"), ("allowed_ips", "10.1.0.0/16")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 409);
        let html = res.text().await.unwrap();
        assert!(html.contains("Your changes were not saved") && html.contains("revoked"), "{html}");
        assert!(html.contains("value=\"My careful new label\"") && html.contains("value=\"42\"") && html.contains("10.1.0.0/16"), "edits kept: {html}");
        assert!(html.contains("name=\"perm_payments\" value=\"write\" aria-label=\"Payments: Write\" checked"));
    }

    async fn live_is_offered_only_when_it_is_possible_and_otherwise_says_why(app) {
        app.setup_admin().await;
        let form = app.get_html("/keys/new").await;
        assert!(form.contains("value=\"live\" disabled"), "{form}");
        assert!(form.contains("Live keys are available once your account is verified."));
        let endpoint_form = app.get_html("/webhooks/new").await;
        assert!(endpoint_form.contains("value=\"live\" disabled") && endpoint_form.contains("Live endpoints are available once your account is verified."));
        app.verify_merchant("Acme");
        let form = app.get_html("/keys/new").await;
        assert!(form.contains("name=\"mode\" value=\"live\">") && !form.contains("data-testid=\"live-note\""), "{form}");
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        let form = dev.get_html("/keys/new").await;
        assert!(form.contains("value=\"live\" disabled") && form.contains("Only an Admin can create live keys."));
    }

    async fn the_audit_log_filters_pages_and_links_to_what_it_names(app) {
        app.setup_admin().await;
        let (key_id, _) = create_customers_read_key(&app).await;
        app.add_member("dev@acme.test", "developer").await;
        {
            use paydesk::db::models::audit::AuditEntry;
            use paydesk::db::schema::merchants;
            let mut conn = app.db().conn().unwrap();
            let merchant: String = merchants::table.select(merchants::id).first(&mut *conn).unwrap();
            for i in 0..60 {
                AuditEntry::record(&mut conn, Some(&merchant), "robot@acme.test", "payment.noted", &format!("pay_{i:03}"), "127.0.0.1", "").unwrap();
            }
        }
        let rows = |html: &str| html.matches("<tr><td data-label=\"Time\">").count();
        let first = app.get_html("/audit").await;
        assert_eq!(rows(&first), 50, "{first}");
        assert!(first.contains("pay_059") && !first.contains("pay_009"), "newest first");
        let older = first.split("href=\"/audit?").nth(1).filter(|_| first.contains("data-testid=\"older\"")).expect("an Older link");
        let older = older.split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&");
        let second = app.get_html(&format!("/audit?{older}")).await;
        assert!(second.contains("pay_009") && second.contains("pay_000") && !second.contains(">pay_010<"), "{older}\n{second}");
        assert!(second.contains("api_key.created") && !second.contains("data-testid=\"older\""), "{second}");
        assert_eq!(rows(&first) + rows(&second), 64, "60 + setup, sign-in, key created, member added");

        // Filters: an action prefix, an actor, a target.
        let keys = app.get_html("/audit?action=api_key.").await;
        assert_eq!(rows(&keys), 1, "{keys}");
        assert!(keys.contains(&format!("<a href=\"/keys/{key_id}\">{key_id}</a>")), "links to its key: {keys}");
        assert!(keys.contains("value=\"api_key.\""), "the filter stays in the box");
        let team = app.get_html("/audit?action=team.").await;
        assert!(team.contains("<a href=\"/team\">dev@acme.test</a>"), "{team}");
        assert_eq!(rows(&app.get_html("/audit?actor=robot%40acme.test").await), 50);
        let one = app.get_html("/audit?target=pay_007").await;
        assert_eq!(rows(&one), 1);
        assert!(!one.contains("<a href=\"/keys/pay_007"), "no link for what has no page");
        assert!(app.get_html("/audit?action=nothing.").await.contains("No entries match these filters"));
        // `_` and `%` are literal.
        assert_eq!(rows(&app.get_html("/audit?action=%25").await), 0);
    }

    async fn editing_permissions_keeps_values_on_error_and_saves(app) {
        app.setup_admin().await;
        let (id, _) = create_customers_read_key(&app).await;
        let edit = format!("/keys/{id}/edit");
        let form = app.get_html(&edit).await;
        assert!(form.contains("name=\"perm_customers\" value=\"read\" aria-label=\"Customers: Read\" checked"));
        let res = app.post_form(&edit, &edit, &[("name", "Backend v2"), ("perm_payments", "write"), ("rate_limit", "lots")]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("value=\"Backend v2\"") && html.contains("value=\"lots\""));
        assert!(html.contains("whole number of requests per minute"));

        let res = app.post_form(&edit, &edit, &[("name", "Backend v2"), ("perm_payments", "write"), ("perm_events", "read"), ("rate_limit", "60"), ("api_version", "2025-06-01"), ("require_signature", "on")]).await;
        assert_eq!(res.status(), 303);
        let html = app.get_html(&format!("/keys/{id}")).await;
        assert!(html.contains("Backend v2") && html.contains("Payments: Write") && html.contains("Events: Read"));
        assert!(!html.contains("Customers: Read"));
        assert!(html.contains("2025-06-01") && html.contains("Required") && html.contains("60 requests per minute"));
        assert!(app.get_html("/audit").await.contains("api_key.updated"));
    }
}

/// The value of a hidden input in a page.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

on_both_backends! {
    async fn forms_from_another_site_are_refused(app) {
        app.setup_admin().await;
        let page = app.get_html("/keys/new").await;
        let csrf = csrf_in(&page);
        let fields = [("name", "Sneaky"), ("mode", "test"), ("access", "full"), ("csrf", csrf.as_str())];
        // Even with the right CSRF token: the browser says it is cross-site, or the
        // Origin is not ours.
        for (header, value) in [("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")] {
            let res = app.client.post(app.url("/keys")).header(header, value).form(&fields).send().await.unwrap();
            assert_eq!(res.status(), 403, "{header}: {value}");
            assert!(res.text().await.unwrap().contains("another site"));
        }
        assert!(!app.get_html("/keys").await.contains("Sneaky"));
        // Our own origin, same-origin fetch metadata: accepted.
        let res = app.client.post(app.url("/keys"))
            .header("origin", app.address.as_str())
            .header("sec-fetch-site", "same-origin")
            .form(&fields).send().await.unwrap();
        assert_eq!(res.status(), 303);
        // Every form goes through the same check: sign-out too.
        let res = app.client.post(app.url("/logout")).header("sec-fetch-site", "cross-site").form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(app.get("/keys").await.status(), 200, "still signed in");
    }

    async fn the_same_create_form_sent_twice_makes_one_key(app) {
        app.setup_admin().await;
        let page = app.get_html("/keys/new").await;
        let (csrf, token) = (csrf_in(&page), hidden(&page, "form_token"));
        assert!(token.len() >= 20);
        let fields = [("name", "Once"), ("mode", "test"), ("access", "full"), ("csrf", csrf.as_str()), ("form_token", token.as_str())];
        // Sent twice at once (a double click), then once more (a resubmit).
        let (a, b) = tokio::join!(
            app.client.post(app.url("/keys")).form(&fields).send(),
            app.client.post(app.url("/keys")).form(&fields).send(),
        );
        let c = app.client.post(app.url("/keys")).form(&fields).send().await.unwrap();
        let (a, b) = (a.unwrap(), b.unwrap());
        let targets: Vec<String> = [&a, &b, &c].iter().map(|r| location(r)).collect();
        assert!(targets.iter().all(|t| t == &targets[0] && t.ends_with("/reveal")), "{targets:?}");
        let list = app.get_html("/keys").await;
        assert_eq!(list.matches(">Once<").count(), 1, "one key made");
    }
}

on_both_backends! {
    async fn a_developer_is_offered_on_a_live_key_exactly_what_the_policy_allows(app) {
        app.setup_admin().await;
        app.verify_merchant("Acme");
        let res = create_key_form(&app, &[("name", "Live"), ("mode", "live"), ("access", "full")]).await;
        assert_eq!(res.status(), 303);
        let id = location(&res).trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();
        app.add_member("dev@acme.test", "developer").await;
        let dev = app.browser();
        dev.sign_in("dev@acme.test", PASSWORD).await;
        let detail = dev.get_html(&format!("/keys/{id}")).await;
        for link in ["/suspend\"", "/revoke\""] {
            assert!(detail.contains(&format!("/keys/{id}{link}")), "{link} not offered: anyone may stop a leak");
        }
        for link in ["/edit\"", "/roll\""] {
            assert!(!detail.contains(&format!("/keys/{id}{link}")), "{link} offered to a Developer");
        }
        // Asked anyway, the pages say why, in the policy's words.
        for path in ["edit", "roll"] {
            let res = dev.get(&format!("/keys/{id}/{path}")).await;
            assert_eq!(res.status(), 403, "refused for who asks, not for the key's state");
            let html = res.text().await.unwrap();
            assert!(html.contains(&format!("Only an Admin can {path} live keys")), "{html}");
        }
        // The Admin is offered all of it.
        let detail = app.get_html(&format!("/keys/{id}")).await;
        for link in ["/edit\"", "/roll\"", "/suspend\"", "/revoke\""] {
            assert!(detail.contains(&format!("/keys/{id}{link}")), "{link} not offered to the Admin");
        }
    }
}

on_both_backends! {
    async fn the_key_list_pages_in_the_database_with_an_older_link(app) {
        app.setup_admin().await;
        let token = app.api_token("admin@acme.test").await;
        for n in 0..27 {
            let res = app.client.post(app.url("/api/v1/api-keys")).bearer_auth(&token)
                .json(&serde_json::json!({"name": format!("key {n}"), "permissions": "*"})).send().await.unwrap();
            assert_eq!(res.status(), 201);
        }
        let rows = |html: &str| html.matches("<tr data-key-id=").count();
        let first = app.get_html("/keys").await;
        assert_eq!(rows(&first), 25);
        let older = first.split("href=\"").find(|h| h.starts_with("/keys?") && h.contains("before=")).expect("an Older link");
        let older = older[..older.find('"').unwrap()].replace("&amp;", "&");
        let second = app.get_html(&older).await;
        assert_eq!(rows(&second), 2);
        // Together, every key once (keys made in the same second are ordered by id).
        let names = |html: &str| -> Vec<String> {
            (0..27).map(|n| format!(">key {n}<")).filter(|k| html.contains(k.as_str())).collect()
        };
        let (a, b) = (names(&first), names(&second));
        assert_eq!(a.len() + b.len(), 27);
        assert!(a.iter().all(|k| !b.contains(k)), "no key on both pages");
    }
}

on_both_backends! {
    async fn a_key_form_with_a_bad_webhook_url_and_a_bad_cidr_names_both_at_once(app) {
        app.setup_admin().await;
        let res = create_key_form(&app, &[
            ("name", "Both wrong"), ("mode", "test"), ("access", "full"),
            ("allowed_ips", "10.0.0.5/24"), ("webhook_url", "ftp://example.com/hook"),
        ]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"webhook_url-error\">This URL must start with https://.</p>"), "{html}");
        assert!(html.contains("id=\"allowed_ips-error\"") && html.contains("did you mean 10.0.0.0/24?"), "{html}");
        assert!(!html.contains("?."), "one closing mark: {html}");
        assert!(html.contains("Fix these 2 problems"), "{html}");
    }

    async fn rolling_on_the_page_keeps_the_publishable_key_unless_the_box_is_ticked(app) {
        app.setup_admin().await;
        let (old_id, _) = create_customers_read_key(&app).await;
        let publishable = |id: &str| -> String {
            let mut conn = app.db().conn().unwrap();
            api_keys::table.find(id).select(api_keys::publishable_key).first(&mut *conn).unwrap()
        };
        let old_pk = publishable(&old_id);
        let confirm = app.get_html(&format!("/keys/{old_id}/roll")).await;
        assert!(confirm.contains("name=\"roll_publishable\"") && !confirm.contains("value=\"on\" checked"), "unticked by default");
        let res = app.post_form(&format!("/keys/{old_id}/roll"), &format!("/keys/{old_id}/roll"), &[("grace_period_seconds", "0")]).await;
        assert_eq!(res.status(), 303);
        let kept_id = location(&res).trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();
        assert_eq!(publishable(&kept_id), old_pk, "kept");
        // It still works, for the new key.
        let res = app.client.get(app.url("/api/v1/whoami")).bearer_auth(&old_pk).send().await.unwrap();
        let s = res.status();
        let who: serde_json::Value = res.json().await.unwrap();
        assert_eq!(s, 200, "{who}");
        assert_eq!(who["data"]["key_id"], kept_id.as_str());

        let res = app.post_form(&format!("/keys/{kept_id}/roll"), &format!("/keys/{kept_id}/roll"), &[("grace_period_seconds", "0"), ("roll_publishable", "on")]).await;
        assert_eq!(res.status(), 303);
        let replaced_id = location(&res).trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();
        let new_pk = publishable(&replaced_id);
        assert!(new_pk != old_pk && new_pk.starts_with("pk_test_"), "replaced");
        let res = app.client.get(app.url("/api/v1/whoami")).bearer_auth(&old_pk).send().await.unwrap();
        assert_eq!(res.status(), 401, "the old publishable key ended with its secret");
        let res = app.client.get(app.url("/api/v1/whoami")).bearer_auth(&new_pk).send().await.unwrap();
        assert_eq!(res.status(), 200);
    }
}

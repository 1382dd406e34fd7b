//! What a person sees when a form goes wrong: a summary that names every problem and
//! takes the focus, caps shown before they bite, and pages that keep the navigation and,
//! where they can, what was typed.

use crate::on_both_backends;
use crate::support::*;

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Signed out and in again, as in another tab: the session and its CSRF token are new.
async fn sign_in_again(app: &TestApp) {
    let res = app.post_form("/", "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.sign_in("admin@acme.test", PASSWORD).await.status(), 303);
}

on_both_backends! {
    async fn a_failed_form_starts_with_a_summary_linking_each_problem_to_its_field(app) {
        app.setup_admin().await;
        let res = app.post_form("/keys/new", "/keys", &[("name", ""), ("mode", "test"), ("rate_limit", "lots"), ("allowed_ips", "10.0.0.5/24")]).await;
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        let summary = html.split("data-testid=\"error-summary\"").nth(1).expect("a summary").split("</div>").next().unwrap();
        assert!(html.contains("class=\"error-summary\" role=\"alert\""), "{html}");
        assert!(html.contains("tabindex=\"-1\" autofocus"), "the summary takes the focus, without script");
        assert!(summary.contains("Fix these 3 problems"), "{summary}");
        assert!(summary.contains("<a href=\"#name\">Label: Give the key a label"), "{summary}");
        assert!(summary.contains("<a href=\"#allowed_ips\">Allowed IP addresses:"), "{summary}");
        assert!(summary.contains("<a href=\"#rate_limit\">Rate limit:"), "{summary}");
        assert!(summary.find("#name") < summary.find("#rate_limit"), "in the order of the form");
        // The errors are beside the fields as well, and the input is kept.
        assert!(html.contains("id=\"rate_limit-error\"") && html.contains("value=\"lots\""));
        assert!(!html.contains("<script>"), "no inline script");

        // A page that did not fail has no summary.
        assert!(!app.get_html("/keys/new").await.contains("error-summary"));
        // Team, too.
        let res = app.post_form("/team", "/team/invitations", &[("email", "nope"), ("role", "owner")]).await;
        let html = res.text().await.unwrap();
        assert!(html.contains("<a href=\"#email\">Email:") && html.contains("<a href=\"#role\">Role:"), "{html}");
    }

    async fn labels_are_one_line_and_their_caps_are_shown(app) {
        app.setup_admin().await;
        let form = app.get_html("/keys/new").await;
        assert!(form.contains("name=\"name\" type=\"text\" maxlength=\"100\""), "{form}");
        assert!(form.contains("One line, up to 100 characters."));
        for bad in ["two\nlines", "nul\0byte", "tab\there"] {
            let res = app.post_form("/keys/new", "/keys", &[("name", bad), ("mode", "test")]).await;
            assert_eq!(res.status(), 400, "{bad:?}");
            let html = res.text().await.unwrap();
            assert!(html.contains("Use one line of text: no line breaks"), "{bad:?}: {html}");
        }
        let res = app.post_form("/keys/new", "/keys", &[("name", &"x".repeat(101)), ("mode", "test")]).await;
        assert!(res.text().await.unwrap().contains("Use at most 100 characters."));

        let form = app.get_html("/webhooks/new").await;
        assert!(form.contains("name=\"description\" type=\"text\" maxlength=\"200\""), "{form}");
        assert!(form.contains("One line, up to 200 characters."));
        let res = app.post_form("/webhooks/new", "/webhooks", &[("url", "https://example.com/hook"), ("description", "a\nb"), ("mode", "test")]).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("<a href=\"#description\">Description: At most 200 characters, on one line."));
    }

    async fn a_form_over_64_kib_gets_a_page_with_the_navigation_and_a_way_back(app) {
        app.setup_admin().await;
        let csrf = csrf_in(&app.get_html("/keys/new").await);
        let huge = "x".repeat(70 * 1024);
        let res = app
            .client
            .post(app.url("/keys"))
            .header("referer", app.url("/keys/new"))
            .form(&[("csrf", csrf.as_str()), ("name", huge.as_str()), ("mode", "test")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413);
        let html = res.text().await.unwrap();
        assert!(html.contains("This form is too large") && html.contains("64 KiB"), "{html}");
        assert!(html.contains("aria-label=\"Main\"") && html.contains("href=\"/keys\"") && html.contains("admin@acme.test"), "signed-in navigation: {html}");
        assert!(html.contains("<a href=\"/keys/new\" data-testid=\"back\">Back</a>"), "{html}");
        assert!(!app.get_html("/keys").await.contains("xxxxxxxx"), "nothing was made");
    }

    async fn an_expired_create_form_comes_back_with_what_was_typed(app) {
        app.setup_admin().await;
        let page = app.get_html("/keys/new").await;
        let old_csrf = csrf_in(&page);
        sign_in_again(&app).await;
        let res = app
            .client
            .post(app.url("/keys"))
            .form(&[("csrf", old_csrf.as_str()), ("name", "Checkout server"), ("mode", "test"), ("perm_payments", "write"), ("rate_limit", "77"), ("allowed_ips", "10.2.0.0/16")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let html = res.text().await.unwrap();
        assert!(html.contains("This form expired; check and send it again."), "{html}");
        assert!(html.contains("value=\"Checkout server\"") && html.contains("value=\"77\"") && html.contains("10.2.0.0/16"), "{html}");
        assert!(html.contains("name=\"perm_payments\" value=\"write\" aria-label=\"Payments: Write\" checked"));
        assert!(html.contains("aria-label=\"Main\""));
        assert!(!app.get_html("/keys").await.contains("Checkout server"), "nothing made yet");
        // Sent again from the page as shown, it works.
        let new_csrf = csrf_in(&html);
        assert_ne!(new_csrf, old_csrf);
        let res = app
            .client
            .post(app.url("/keys"))
            .form(&[("csrf", new_csrf.as_str()), ("name", "Checkout server"), ("mode", "test"), ("perm_payments", "write"), ("rate_limit", "77")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert!(location(&res).ends_with("/reveal"));
    }

    async fn a_form_sent_after_the_session_ended_leads_to_a_sign_in_page_that_says_so(app) {
        app.setup_admin().await;
        let csrf = csrf_in(&app.get_html("/keys/new").await);
        // Signed out everywhere from another browser.
        let other = app.browser();
        other.sign_in("admin@acme.test", PASSWORD).await;
        assert_eq!(other.post_form("/account", "/account/sign-out-everywhere", &[]).await.status(), 303);
        let res = app
            .client
            .post(app.url("/keys"))
            .form(&[("csrf", csrf.as_str()), ("name", "Late"), ("mode", "test")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/login");
        let login = app.get_html("/login").await;
        assert!(login.contains("data-testid=\"session-ended\"") && login.contains("Your session has ended"), "{login}");
        assert!(!app.get_html("/login").await.contains("session-ended"), "said once");
        assert!(!app.browser().get_html("/login").await.contains("session-ended"), "not to a newcomer");
    }

    async fn an_expired_edit_form_comes_back_with_the_edits(app) {
        app.setup_admin().await;
        let res = app.post_form("/keys/new", "/keys", &[("name", "Backend"), ("mode", "test"), ("perm_customers", "read")]).await;
        let id = location(&res).trim_start_matches("/keys/").trim_end_matches("/reveal").to_owned();
        let edit = format!("/keys/{id}/edit");
        let old = csrf_in(&app.get_html(&edit).await);
        sign_in_again(&app).await;
        let res = app
            .client
            .post(app.url(&edit))
            .form(&[("csrf", old.as_str()), ("name", "Backend v3"), ("perm_customers", "write"), ("rate_limit", "55")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let html = res.text().await.unwrap();
        assert!(html.contains("This form expired; check and send it again.") && html.contains("value=\"Backend v3\"") && html.contains("value=\"55\""), "{html}");
        assert!(html.contains(&format!("action=\"/keys/{id}/edit\"")));
        assert!(!app.get_html(&format!("/keys/{id}")).await.contains("Backend v3"), "not saved");
    }

    async fn error_pages_keep_the_navigation(app) {
        app.setup_admin().await;
        let res = app.get("/keys/key_doesnotexist").await;
        assert_eq!(res.status(), 404);
        let html = res.text().await.unwrap();
        assert!(html.contains("Page not found") && html.contains("href=\"/keys\"") && html.contains("admin@acme.test"), "{html}");

        // Another expired form: a page with the navigation that says what to do.
        let page = app.get_html("/team").await;
        let old = csrf_in(&page);
        sign_in_again(&app).await;
        let res = app
            .client
            .post(app.url("/team/invitations"))
            .header("referer", app.url("/team"))
            .form(&[("csrf", old.as_str()), ("email", "x@acme.test"), ("role", "viewer")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let html = res.text().await.unwrap();
        assert!(html.contains("This form expired") && html.contains("href=\"/team\" data-testid=\"back\""), "{html}");
        assert!(html.contains("aria-label=\"Main\"") && html.contains("admin@acme.test"));

        // Signed out: the anonymous navigation and a way to sign in.
        let stranger = app.browser();
        let html = stranger.get_html("/nowhere").await;
        assert!(html.contains("aria-label=\"Main\"") && html.contains("href=\"/login\""), "{html}");
    }
}

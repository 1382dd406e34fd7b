//! Return paths and the owner's device cookie (SPEC §13), over HTTP.

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

/// Signs in through the page as a browser at `ip` (behind the trusted proxy).
async fn sign_in_from(
    browser: &TestApp,
    ip: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let csrf = csrf_in(&browser.get_html("/login").await);
    browser
        .client
        .post(browser.url("/login"))
        .header("x-forwarded-for", ip)
        .form(&[("email", email), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .unwrap()
}

async fn behind_proxy(backend: Backend) -> Option<TestApp> {
    if backend == Backend::Postgres && !postgres_configured() {
        return None;
    }
    Some(
        spawn_app_with(backend, |s| {
            s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]
        })
        .await,
    )
}

on_both_backends! {
    async fn return_paths_stay_on_the_site_and_never_fail(app) {
        app.setup_admin().await;
        let page = app.get_html("/account").await;
        let csrf = csrf_in(&page);
        let (client, url) = (app.client.clone(), app.url("/account/sudo"));
        let sudo = |to: &'static str| {
            let (csrf, client, url) = (csrf.clone(), client.clone(), url.clone());
            async move {
                client.post(url)
                    .form(&[("csrf", csrf.as_str()), ("sudo_return_to", to), ("sudo_password", PASSWORD)])
                    .send().await.unwrap()
            }
        };
        for bad in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", ""] {
            let res = sudo(bad).await;
            assert_eq!((res.status().as_u16(), location(&res)), (303, "/".to_owned()), "{bad:?}");
        }
        let res = sudo("/team?x=1").await;
        assert_eq!((res.status().as_u16(), location(&res)), (307, "/team?x=1".to_owned()));
        // After sign-in: back to the page that asked for it, a return path too.
        let other = app.browser();
        let res = other.get("/keys?mode=live").await;
        assert_eq!(location(&res), "/login");
        let res = other.sign_in("admin@acme.test", PASSWORD).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, "/keys?mode=live".to_owned()));
        // A Back link only to a page of ours.
        let res = app.client.get(app.url("/nowhere")).header("referer", app.url("/\\evil.example")).send().await.unwrap();
        assert!(!res.text().await.unwrap().contains("data-testid=\"back\""));
        let res = app.client.get(app.url("/nowhere")).header("referer", app.url("/payments")).send().await.unwrap();
        assert!(res.text().await.unwrap().contains("href=\"/payments\" data-testid=\"back\""));
    }
}

/// 50 failures from other addresses lock the email, but not for the owner's browser,
/// which signed in before and carries its device cookie (the pair lock still holds).
async fn the_owners_browser_is_not_locked_out(backend: Backend) {
    let Some(app) = behind_proxy(backend).await else {
        return;
    };
    app.setup_admin().await;
    let owner = app.browser();
    let res = sign_in_from(&owner, "198.51.100.1", "admin@acme.test", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let set_cookie: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let device = set_cookie
        .iter()
        .find(|c| c.starts_with("paydesk_device="))
        .unwrap_or_else(|| panic!("{set_cookie:?}"));
    assert!(
        device.contains("HttpOnly")
            && device.contains("SameSite=Lax")
            && device.contains("Max-Age=7776000"),
        "{device}"
    );
    assert!(!device.contains("Secure"), "not over plain HTTP: {device}");
    // The attack: 50 wrong passwords from 50 addresses, for the owner and for nobody.
    for i in 0..50 {
        for email in ["admin@acme.test", "nobody@acme.test"] {
            let res = app
                .client
                .post(app.url("/api/v1/auth/login"))
                .header("x-forwarded-for", format!("203.0.113.{i}"))
                .json(&json!({"email": email, "password": "wrong password here"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 401);
        }
    }
    // A browser without the cookie is locked, and an unknown email answers alike.
    let stranger = app.browser();
    let known = sign_in_from(&stranger, "198.51.100.9", "admin@acme.test", PASSWORD).await;
    let unknown = sign_in_from(&stranger, "198.51.100.9", "nobody@acme.test", PASSWORD).await;
    assert_eq!(
        (known.status(), unknown.status()),
        (
            reqwest::StatusCode::UNAUTHORIZED,
            reqwest::StatusCode::UNAUTHORIZED
        )
    );
    let (known, unknown) = (known.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(known.contains("Wait 15 minutes") && unknown.contains("Wait 15 minutes"));
    let error = |html: &str| {
        html[html.find("Too many").unwrap()..]
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(error(&known)[..60], error(&unknown)[..60]);
    // The API has no device cookie: locked there too.
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", "198.51.100.1")
        .json(&json!({"email": "admin@acme.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "invalid_credentials"
    );
    // The owner's browser signs in.
    let res = sign_in_from(&owner, "198.51.100.1", "admin@acme.test", PASSWORD).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    // The lock for one email and address still holds the owner's browser.
    for _ in 0..5 {
        sign_in_from(
            &owner,
            "198.51.100.1",
            "admin@acme.test",
            "wrong password here",
        )
        .await;
    }
    let res = sign_in_from(&owner, "198.51.100.1", "admin@acme.test", PASSWORD).await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn the_owners_browser_is_not_locked_out_sqlite() {
    the_owners_browser_is_not_locked_out(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_owners_browser_is_not_locked_out_postgres() {
    the_owners_browser_is_not_locked_out(Backend::Postgres).await;
}

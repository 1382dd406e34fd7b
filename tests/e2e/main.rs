//! The whole Developer Hub path in a real browser (headless Chromium via chromedriver):
//! setup → sign out → sign in → create a key with customers:read only → copy the secret
//! from the show-once page → reload shows no secret → revoke. Skipped with a notice when
//! chromedriver is missing, unless PAYDESK_REQUIRE_BROWSER=1 (as in CI).

#[path = "../support/mod.rs"]
mod support;

use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use support::*;

struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_program(names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
                .map(|p| p.display().to_string())
        })
    })
}

async fn start_browser() -> Option<(Driver, Client)> {
    let driver = find_program(&["chromedriver"]);
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        if std::env::var("PAYDESK_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("PAYDESK_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed");
        }
        let _ = writeln!(
            std::io::stderr(),
            "note: browser test skipped (install chromium and chromium-driver to run it)"
        );
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: profile,
    };
    for _ in 0..100 {
        if reqwest::get(format!("{}/status", driver.url)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), json!({
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 format!("--user-data-dir={}", driver._profile.path().display())]
    }));
    caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a chromium session");
    client.set_window_size(1280, 1000).await.unwrap();
    Some((driver, client))
}

/// Console messages at SEVERE level (JavaScript errors, CSP violations, failed loads).
async fn browser_errors(driver: &Driver, client: &Client) -> Vec<String> {
    let id = client.session_id().await.unwrap().unwrap();
    let res = reqwest::Client::new()
        .post(format!("{}/session/{id}/se/log", driver.url))
        .json(&json!({"type": "browser"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn fill(client: &Client, name: &str, value: &str) {
    let field = client
        .find(Locator::Css(&format!("[name=\"{name}\"]")))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// With PAYDESK_SCREENSHOTS=DIR, saves what the browser shows, for a person to look at.
async fn snap(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("PAYDESK_SCREENSHOTS") {
        let png = client.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
    }
}

async fn path(client: &Client) -> String {
    client.current_url().await.unwrap().path().to_owned()
}

/// Waits (up to 10 s) for a form submission's navigation to land on `expected`.
async fn wait_path(client: &Client, expected: &str) {
    for _ in 0..100 {
        let now = path(client).await;
        if now == expected || (expected.starts_with('*') && now.ends_with(&expected[1..])) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "expected to reach {expected}, still on {}",
        path(client).await
    );
}

#[tokio::test]
async fn a_person_creates_copies_and_revokes_a_key_in_a_real_browser() {
    let Some((driver, b)) = start_browser().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;

    // First run: the browser lands on /setup.
    b.goto(&app.url("/")).await.unwrap();
    assert_eq!(path(&b).await, "/setup");
    fill(&b, "merchant_name", "Acme").await;
    fill(&b, "email", "admin@acme.test").await;
    fill(&b, "password", PASSWORD).await;
    click(&b, "button[type=submit]").await;
    wait_path(&b, "/").await;
    assert!(b.source().await.unwrap().contains("admin@acme.test"));

    // Sign out and back in.
    click(&b, "form[action=\"/logout\"] button").await;
    wait_path(&b, "/login").await;
    fill(&b, "email", "admin@acme.test").await;
    fill(&b, "password", PASSWORD).await;
    click(&b, "button[type=submit]").await;
    wait_path(&b, "/").await;

    // Create a key with customers:read only.
    click(&b, "nav a[href=\"/keys\"]").await;
    wait_path(&b, "/keys").await;
    click(&b, "a[href=\"/keys/new\"]").await;
    wait_path(&b, "/keys/new").await;
    snap(&b, "1-new-key").await;
    fill(&b, "name", "Browser key").await;
    click(&b, "input[name=\"perm_customers\"][value=\"read\"]").await;
    click(&b, "form[action=\"/keys\"] button[type=submit]").await;
    wait_path(&b, "*/reveal").await;

    // The show-once page: the secret, and the copy button that copy.js reveals.
    let secret = b
        .find(Locator::Css("#secret-key"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(secret.starts_with("sk_test_"), "{secret}");
    assert!(paydesk::keys::format::parse(&secret).is_some());
    let copy = b
        .find(Locator::Css("button[data-copy-target=\"secret-key\"]"))
        .await
        .unwrap();
    assert!(copy.is_displayed().await.unwrap(), "copy.js did not run");
    let key_url = b.current_url().await.unwrap().to_string();
    snap(&b, "2-show-once").await;

    // Reload: no secret any more.
    b.refresh().await.unwrap();
    let html = b.source().await.unwrap();
    assert!(!html.contains(&secret), "the secret was shown twice");
    assert!(html.contains("already been shown"));

    // The key list shows it with customers:read only.
    b.goto(&app.url("/keys")).await.unwrap();
    let row = b
        .find(Locator::Css("#keys tbody tr"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        row.contains("Browser key") && row.contains("customers:read") && row.contains("active"),
        "{row}"
    );
    assert!(!b.source().await.unwrap().contains(&secret));
    snap(&b, "3-list").await;

    // Revoke, with confirmation.
    b.goto(&key_url.replace("/reveal", "")).await.unwrap();
    snap(&b, "4-detail").await;
    click(&b, "a.danger").await;
    wait_path(&b, "*/revoke").await;
    assert!(b.source().await.unwrap().contains("cannot be undone"));
    click(&b, "button.danger").await;
    wait_path(&b, "/keys").await;
    let row = b
        .find(Locator::Css("#keys tbody tr"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(row.contains("revoked"), "{row}");

    let errors = browser_errors(&driver, &b).await;
    assert!(errors.is_empty(), "browser console errors: {errors:?}");
    b.close().await.unwrap();
}

/// Sets the page's viewport as a phone or a laptop shows it (Chromium's device metrics,
/// so `innerWidth` is exactly `width`).
async fn set_viewport(driver: &Driver, client: &Client, width: u32, height: u32) {
    let id = client.session_id().await.unwrap().unwrap();
    let res = reqwest::Client::new()
        .post(format!("{}/session/{id}/goog/cdp/execute", driver.url))
        .json(
            &json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600
            }}),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

/// axe-core's script: PAYDESK_AXE_JS, else `.cache/axe` (where .ci/run installs it from
/// the npm registry). None (with a notice) when absent, unless the browser is required.
fn axe_source() -> Option<String> {
    let path = std::env::var("PAYDESK_AXE_JS").unwrap_or_else(|_| {
        format!(
            "{}/.cache/axe/node_modules/axe-core/axe.min.js",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    match std::fs::read_to_string(&path) {
        Ok(src) => Some(src),
        Err(_) if std::env::var("PAYDESK_REQUIRE_BROWSER").is_ok_and(|v| v == "1") => {
            panic!("PAYDESK_REQUIRE_BROWSER=1 but axe-core is not at {path} (npm install axe-core)")
        }
        Err(_) => {
            let _ = writeln!(
                std::io::stderr(),
                "note: accessibility checks skipped (axe-core not at {path})"
            );
            None
        }
    }
}

/// What is wrong with the page now: sideways scrolling, and axe's serious or critical
/// violations.
async fn page_problems(client: &Client, axe: Option<&str>) -> Vec<String> {
    let mut problems = vec![];
    let sizes = client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (sizes[0].as_i64().unwrap(), sizes[1].as_i64().unwrap());
    if scroll > inner {
        let wide = client
            .execute(
                "const w = window.innerWidth; return Array.from(document.querySelectorAll('body *'))
                   .filter(e => e.getBoundingClientRect().right > w + 1)
                   .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + (e.id || ''));",
                vec![],
            )
            .await
            .unwrap();
        problems.push(format!("{scroll} px wide in a {inner} px window: {wide}"));
    }
    if let Some(axe) = axe {
        let loaded = client
            .execute(&format!("{axe}\nreturn typeof axe;"), vec![])
            .await
            .unwrap();
        assert_eq!(loaded, "object", "axe-core loaded");
        let found = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']}).then(r => done(
                   r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' +
                          v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))));",
                vec![],
            )
            .await
            .unwrap();
        for v in found.as_array().cloned().unwrap_or_default() {
            problems.push(v.as_str().unwrap_or("").to_owned());
        }
    }
    problems
}

#[tokio::test]
async fn every_page_fits_a_phone_and_a_laptop_and_axe_finds_nothing_serious() {
    let Some((driver, b)) = start_browser().await else {
        return;
    };
    let axe = axe_source();
    let app = spawn_app(Backend::Sqlite).await;
    app.setup_admin().await;
    app.verify_merchant("Acme");
    // Something on every page: a key, a customer, payments, a refund, a subscription,
    // an endpoint with a delivery.
    let token = app.api_token("admin@acme.test").await;
    let post = |path: &str, bearer: &str, body: Value| {
        let req = app
            .client
            .post(app.url(&format!("/api/v1{path}")))
            .bearer_auth(bearer)
            .json(&body);
        let path = path.to_owned();
        async move {
            let res = req.send().await.unwrap();
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["ok"], true, "{path}: {body}");
            body["data"].clone()
        }
    };
    let key = post(
        "/api-keys",
        &token,
        json!({"name": "Production backend with a long label", "permissions": {"customers": "write", "payments": "write", "plans": "write", "subscriptions": "write", "refunds": "write", "events": "read"}, "allowed_ips": ["127.0.0.1", "203.0.113.7", "2001:db8::/64"]}),
    )
    .await;
    let sk = key["secret_key"].as_str().unwrap().to_owned();
    let customer = post(
        "/customers",
        &sk,
        json!({"email": "ada.lovelace@analytical-engines.example.com", "name": "Ada Lovelace"}),
    )
    .await;
    let cus = customer["id"].as_str().unwrap().to_owned();
    let payment = post(
        "/payments",
        &sk,
        json!({"amount": 12500, "currency": "usd", "payment_method": "4242424242424242", "customer": cus}),
    )
    .await;
    let pay = payment["id"].as_str().unwrap().to_owned();
    post(
        "/payments",
        &sk,
        json!({"amount": 700, "currency": "eur", "payment_method": "4000000000000002"}),
    )
    .await;
    post(
        &format!("/payments/refund/{pay}"),
        &sk,
        json!({"amount": 2500}),
    )
    .await;
    let plan = post(
        "/plans",
        &sk,
        json!({"name": "Pro", "amount": 900, "currency": "usd", "interval": "month"}),
    )
    .await;
    post(
        "/subscriptions",
        &sk,
        json!({"customer": cus, "plan": plan["id"]}),
    )
    .await;
    let endpoint = post(
        "/webhook-endpoints",
        &token,
        json!({"url": "http://127.0.0.1:9/paydesk/webhooks/with/a/long/path", "description": "Orders service"}),
    )
    .await;
    let we = endpoint["id"].as_str().unwrap().to_owned();
    let ping = post(&format!("/webhook-endpoints/{we}/test"), &token, json!({})).await;
    let evt = ping["event"].as_str().unwrap().to_owned();
    let res = app
        .client
        .get(app.url("/api/v1/events?limit=1"))
        .bearer_auth(&sk)
        .send()
        .await
        .unwrap();
    let events: Value = res.json().await.unwrap();
    let evt = events["data"]["data"][0]["id"]
        .as_str()
        .unwrap_or(&evt)
        .to_owned();
    let key_id = key["id"].as_str().unwrap().to_owned();

    // The browser signs in.
    b.goto(&app.url("/login")).await.unwrap();
    fill(&b, "email", "admin@acme.test").await;
    fill(&b, "password", PASSWORD).await;
    click(&b, "button[type=submit]").await;
    wait_path(&b, "/").await;

    // A request log line (written in batches, so wait for one).
    let mut log_line = String::new();
    for _ in 0..50 {
        b.goto(&app.url("/logs")).await.unwrap();
        let html = b.source().await.unwrap();
        if let Some(i) = html.find("href=\"/logs/req_") {
            let from = i + "href=\"".len();
            log_line = html[from..from + html[from..].find('"').unwrap()].to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!log_line.is_empty(), "a request shows in /logs");
    let pages = [
        ("overview", "/".to_owned()),
        ("logs", "/logs".to_owned()),
        ("log", log_line.clone()),
        ("payments", "/payments".to_owned()),
        ("payment", format!("/payments/{pay}")),
        ("customers", "/customers".to_owned()),
        ("customer", format!("/customers/{cus}")),
        ("subscriptions", "/subscriptions".to_owned()),
        ("events", "/events".to_owned()),
        ("event", format!("/events/{evt}")),
        ("keys", "/keys".to_owned()),
        ("new-key", "/keys/new".to_owned()),
        ("key", format!("/keys/{key_id}")),
        ("webhooks", "/webhooks".to_owned()),
        ("new-webhook", "/webhooks/new".to_owned()),
        ("webhook", format!("/webhooks/{we}")),
        ("audit", "/audit".to_owned()),
        ("team", "/team".to_owned()),
        ("account", "/account".to_owned()),
        ("two-factor", "/account/2fa".to_owned()),
        ("api-reference", "/docs/api".to_owned()),
    ];
    let mut problems = vec![];
    for (width, height) in [(390, 844), (1366, 900)] {
        set_viewport(&driver, &b, width, height).await;
        for (name, path) in &pages {
            b.goto(&app.url(path)).await.unwrap();
            snap(&b, &format!("{name}-{width}")).await;
            for p in page_problems(&b, axe.as_deref()).await {
                problems.push(format!("{path} at {width} px: {p}"));
            }
        }
    }
    // Signed out: the sign-in page.
    click(&b, "form[action=\"/logout\"] button").await;
    wait_path(&b, "/login").await;
    for (width, height) in [(390, 844), (1366, 900)] {
        set_viewport(&driver, &b, width, height).await;
        b.refresh().await.unwrap();
        snap(&b, &format!("login-{width}")).await;
        for p in page_problems(&b, axe.as_deref()).await {
            problems.push(format!("/login at {width} px: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let errors = browser_errors(&driver, &b).await;
    assert!(errors.is_empty(), "browser console errors: {errors:?}");
    b.close().await.unwrap();
}

#[tokio::test]
async fn a_failed_form_puts_the_focus_on_its_error_summary_without_script() {
    let Some((driver, b)) = start_browser().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    b.goto(&app.url("/setup")).await.unwrap();
    fill(&b, "merchant_name", "Acme").await;
    fill(&b, "email", "admin@acme.test").await;
    fill(&b, "password", PASSWORD).await;
    click(&b, "button[type=submit]").await;
    wait_path(&b, "/").await;

    // Sent with no label.
    b.goto(&app.url("/keys/new")).await.unwrap();
    click(&b, "form[action=\"/keys\"] button[type=submit]").await;
    wait_path(&b, "/keys").await;
    let focused = |b: &Client| {
        let b = b.clone();
        async move {
            b.execute(
                "const e = document.activeElement; return (e.dataset && e.dataset.testid) || e.id;",
                vec![],
            )
            .await
            .unwrap()
        }
    };
    assert_eq!(focused(&b).await, json!("error-summary"));
    snap(&b, "error-summary").await;
    // Each item leads to its field.
    click(&b, ".error-summary a[href=\"#name\"]").await;
    assert_eq!(focused(&b).await, json!("name"));

    // The 400 itself is logged by Chromium; anything else (a CSP violation) is a failure.
    let errors: Vec<_> = browser_errors(&driver, &b)
        .await
        .into_iter()
        .filter(|e| !e.contains("status of 400"))
        .collect();
    assert!(errors.is_empty(), "browser console errors: {errors:?}");
    b.close().await.unwrap();
}

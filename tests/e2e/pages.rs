//! Every page that holds data, in a real browser at 360, 390 and 1366 px (SPEC §14): the
//! document is never wider than the window, every table cell names its column for the
//! stacked phone layout, on a laptop no id, path, code or time breaks inside itself, and
//! axe-core finds nothing serious or critical. With PAYDESK_SCREENSHOTS=DIR it saves a
//! phone's and a laptop's view of the main pages (what docs/screenshots holds).

use super::*;

/// Sets the page's viewport as a phone or a laptop shows it (Chromium's device metrics,
/// so `innerWidth` is exactly `width`).
pub(super) async fn set_viewport(driver: &Driver, client: &Client, width: u32, height: u32) {
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

/// What is wrong with the page now: sideways scrolling, table cells that would stack
/// without their column's name, (on a wide window) a token broken across lines, and
/// axe's serious or critical violations.
async fn page_problems(client: &Client, axe: Option<&str>, wide: bool) -> Vec<String> {
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
                // The widest elements outside any box that scrolls on its own.
                "const w = window.innerWidth;
                 const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) {
                   if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
                 return Array.from(document.querySelectorAll('body *'))
                   .filter(e => e.getBoundingClientRect().right > w + 1 && !clipped(e))
                   .slice(-3).map(e => e.tagName + '.' + e.className + ' ' + (e.id || '') + ' ' +
                     Math.round(e.getBoundingClientRect().right) + ': ' + e.textContent.trim().slice(0, 40));",
                vec![],
            )
            .await
            .unwrap();
        problems.push(format!("{scroll} px wide in a {inner} px window: {wide}"));
    }
    let unlabelled = client
        .execute(
            "return Array.from(document.querySelectorAll('table.table:not([data-own-layout]) tbody td'))
               .filter(td => td.closest('table').tHead && !td.hasAttribute('data-label') && !td.hasAttribute('colspan'))
               .slice(0, 3).map(td => (td.closest('table').id || 'table') + ': ' + td.textContent.trim().slice(0, 40));",
            vec![],
        )
        .await
        .unwrap();
    for cell in unlabelled.as_array().cloned().unwrap_or_default() {
        problems.push(format!("a cell without data-label: {cell}"));
    }
    if wide {
        // An inline element laid on two lines has two boxes.
        let broken = client
            .execute(
                "return Array.from(document.querySelectorAll('time, .table code, .table .nowrap'))
                   .filter(e => e.getClientRects().length > 1)
                   .slice(0, 3).map(e => e.tagName + ' ' + e.textContent.trim());",
                vec![],
            )
            .await
            .unwrap();
        for token in broken.as_array().cloned().unwrap_or_default() {
            problems.push(format!("broken across lines: {token}"));
        }
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

/// The widths checked: two phones and a laptop.
const VIEWPORTS: [(u32, u32); 3] = [(360, 740), (390, 844), (1366, 900)];

/// The pages PAYDESK_SCREENSHOTS keeps (at 390 and 1366 px; a dozen files at most), and
/// what a phone's shot scrolls to: the part that shows how the page fits.
const SHOTS: [(&str, &str); 6] = [
    ("overview", ".chart-box"),
    ("payments", "#payments"),
    ("key", "#key-requests"),
    ("webhook", "#deliveries"),
    ("logs", "#logs"),
    ("team", "main"),
];

#[tokio::test]
async fn every_page_fits_a_phone_and_a_laptop_and_axe_finds_nothing_serious() {
    let Some((driver, b)) = start_browser().await else {
        return;
    };
    let axe = axe_source();
    let app = spawn_app(Backend::Sqlite).await;
    app.setup_admin().await;
    app.verify_merchant("Acme");
    // A team of four: one of them locked out by failed sign-ins (the widest row: Unlock
    // and Deactivate), one with a long address.
    app.create_user("dev@acme.test", "developer", "Acme");
    app.create_user(
        "grace.hopper.accounts-payable@analytical-engines.example.com",
        "viewer",
        "Acme",
    );
    app.create_user("locked@acme.test", "developer", "Acme");
    let stranger = app.browser();
    for _ in 0..5 {
        stranger
            .sign_in("locked@acme.test", "not the password at all")
            .await;
    }
    // Something on every page: a key with activity (requests, a refusal, an edit), a
    // customer, payments, a refund, a subscription, an endpoint with a delivery.
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
        json!({"name": "Production backend with a long label", "permissions": {"customers": "write", "payments": "write", "plans": "write", "subscriptions": "write", "refunds": "write", "events": "read"}, "allowed_ips": ["127.0.0.1", "203.0.113.7", "2001:db8::/64"], "spend_limits": [{"resource": "payments", "currency": "usd", "amount": 500000, "period": "day"}, {"resource": "refunds", "currency": "jpy", "amount": 90000, "period": "hour"}]}),
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
    let subscription = post(
        "/subscriptions",
        &sk,
        json!({"customer": cus, "plan": plan["id"]}),
    )
    .await;
    let sub = subscription["id"].as_str().unwrap().to_owned();
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
    let res = app
        .client
        .get(app.url("/api/v1/webhook-endpoints"))
        .bearer_auth(&sk)
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_client_error(),
        "a refusal for the key's activity"
    );
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/api-keys/{key_id}")))
        .bearer_auth(&token)
        .json(&json!({"rate_limit": 120}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

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
    // The show-once page at the narrowest width: the secret fits, Copy stays one word.
    set_viewport(&driver, &b, 360, 740).await;
    b.goto(&app.url("/keys/new")).await.unwrap();
    fill(&b, "name", "Phone key").await;
    click(&b, "form[action=\"/keys\"] button[type=submit]").await;
    wait_path(&b, "*/reveal").await;
    let lines = b
        .execute(
            "const c = document.querySelector('button[data-copy-target=\"secret-key\"]');
             return c.getBoundingClientRect().height / parseFloat(getComputedStyle(c).lineHeight);",
            vec![],
        )
        .await
        .unwrap();
    assert!(lines.as_f64().unwrap() < 2.0, "Copy wraps: {lines} lines");
    let mut problems = vec![];
    for p in page_problems(&b, axe.as_deref(), false).await {
        problems.push(format!("the show-once page at 360 px: {p}"));
    }

    // A management key's show-once page at every width (each a new key: the answer to
    // the form is shown once).
    for (width, height) in VIEWPORTS {
        set_viewport(&driver, &b, width, height).await;
        b.goto(&app.url("/management-keys/new")).await.unwrap();
        fill(&b, "name", &format!("Deploy pipeline at {width} px")).await;
        click(&b, "input[name=scopes][value=\"api_keys:write\"]").await;
        fill(&b, "allowed_ips", "203.0.113.7, 2001:db8::/64").await;
        click(&b, "form[action=\"/management-keys\"] button[type=submit]").await;
        wait_path(&b, "/management-keys").await;
        let html = b.source().await.unwrap();
        assert!(html.contains("mk_"), "the secret is shown once: {html}");
        for p in page_problems(&b, axe.as_deref(), width >= 1024).await {
            problems.push(format!(
                "the management key's show-once page at {width} px: {p}"
            ));
        }
    }
    let mgmt = post(
        "/management-keys",
        &token,
        json!({"name": "Webhook rotation job", "scopes": ["api_keys:read", "webhook_endpoints:write"], "live": false, "allowed_ips": ["198.51.100.0/24"], "expires_in_days": 90}),
    )
    .await;
    let mgk = mgmt["id"].as_str().unwrap().to_owned();
    let gone = post(
        "/management-keys",
        &token,
        json!({"name": "Old pipeline", "scopes": ["webhook_endpoints:read"], "live": false, "allowed_ips": [], "expires_in_days": 7}),
    )
    .await;
    let gone = gone["id"].as_str().unwrap().to_owned();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/management-keys/{gone}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // The endpoint's first delivery, from its page (the test event above).
    b.goto(&app.url(&format!("/webhooks/{we}"))).await.unwrap();
    let html = b.source().await.unwrap();
    let link = format!("/webhooks/{we}/deliveries/");
    let delivery_page = match html.find(&link) {
        Some(i) => html[i..].split('"').next().unwrap().to_owned(),
        None => panic!("the endpoint's page links its delivery: {html}"),
    };
    let pages = [
        ("overview", "/".to_owned()),
        ("logs", "/logs".to_owned()),
        ("log", log_line.clone()),
        ("payments", "/payments".to_owned()),
        ("payment", format!("/payments/{pay}")),
        ("customers", "/customers".to_owned()),
        ("customer", format!("/customers/{cus}")),
        ("subscriptions", "/subscriptions".to_owned()),
        ("subscription", format!("/subscriptions/{sub}")),
        ("plans", "/plans".to_owned()),
        ("refund", format!("/payments/{pay}/refund?amount=12.50")),
        ("events", "/events".to_owned()),
        ("event", format!("/events/{evt}")),
        ("keys", "/keys".to_owned()),
        ("new-key", "/keys/new".to_owned()),
        ("key", format!("/keys/{key_id}")),
        ("key-30d", format!("/keys/{key_id}?usage=30d")),
        ("management-keys", "/management-keys".to_owned()),
        ("new-management-key", "/management-keys/new".to_owned()),
        ("management-key", format!("/management-keys/{mgk}")),
        (
            "revoke-management-key",
            format!("/management-keys/{mgk}/revoke"),
        ),
        ("revoked-management-key", format!("/management-keys/{gone}")),
        ("key-policy", "/settings/keys".to_owned()),
        ("edit-key", format!("/keys/{key_id}/edit")),
        ("webhooks", "/webhooks".to_owned()),
        ("new-webhook", "/webhooks/new".to_owned()),
        ("webhook", format!("/webhooks/{we}")),
        ("edit-webhook", format!("/webhooks/{we}/edit")),
        ("delivery", delivery_page),
        ("audit", "/audit".to_owned()),
        ("team", "/team".to_owned()),
        ("account", "/account".to_owned()),
        ("two-factor", "/account/2fa".to_owned()),
        ("api-reference", "/docs/api".to_owned()),
        ("live-overview", "/?mode=live".to_owned()),
    ];
    for (width, height) in VIEWPORTS {
        set_viewport(&driver, &b, width, height).await;
        for (name, path) in &pages {
            b.goto(&app.url(path)).await.unwrap();
            if let Some((_, part)) = SHOTS.iter().find(|(shot, _)| shot == name) {
                if width == 390 {
                    // A little above it, for its heading.
                    let js = format!(
                        "document.querySelector('{part}').scrollIntoView(); window.scrollBy(0, -70);"
                    );
                    b.execute(&js, vec![]).await.unwrap();
                }
                if width != 360 {
                    snap(&b, &format!("{name}-{width}")).await;
                }
            }
            for p in page_problems(&b, axe.as_deref(), width >= 1024).await {
                problems.push(format!("{path} at {width} px: {p}"));
            }
        }
    }
    // The team holds four, one locked; the live overview has no payments: words, no axis.
    b.goto(&app.url("/team")).await.unwrap();
    let team = b.source().await.unwrap();
    assert_eq!(team.matches("<tr data-email=").count(), 4, "{team}");
    assert!(team.contains("data-testid=\"unlock\""), "a locked member");
    b.goto(&app.url("/?mode=live")).await.unwrap();
    let live = b.source().await.unwrap();
    assert!(
        live.contains("data-testid=\"payments-30d-empty\"") && !live.contains("chart-max"),
        "an empty chart says so"
    );
    // Signed out: the sign-in page.
    click(&b, "form[action=\"/logout\"] button").await;
    wait_path(&b, "/login").await;
    for (width, height) in VIEWPORTS {
        set_viewport(&driver, &b, width, height).await;
        b.refresh().await.unwrap();
        for p in page_problems(&b, axe.as_deref(), width >= 1024).await {
            problems.push(format!("/login at {width} px: {p}"));
        }
    }
    // Signed out: asking for a reset link.
    b.goto(&app.url("/forgot-password")).await.unwrap();
    for (width, height) in VIEWPORTS {
        set_viewport(&driver, &b, width, height).await;
        b.refresh().await.unwrap();
        for p in page_problems(&b, axe.as_deref(), width >= 1024).await {
            problems.push(format!("/forgot-password at {width} px: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let errors = browser_errors(&driver, &b).await;
    assert!(errors.is_empty(), "browser console errors: {errors:?}");
    b.close().await.unwrap();
}

//! Observable (SPEC §11): Prometheus metrics on their own listener, with exactly the
//! series the contract names.

use serde_json::json;

use crate::on_both_backends;
use crate::payments::{admin_token, make_key};
use crate::support::*;

const SERIES: [&str; 8] = [
    "paydesk_http_requests_total",
    "paydesk_http_request_duration_seconds",
    "paydesk_gate_refusals_total",
    "paydesk_key_cache_total",
    "paydesk_rate_limit_backend",
    "paydesk_webhook_deliveries_total",
    "paydesk_request_log_dropped_total",
    "paydesk_db_pool_connections",
];

async fn spawn_with_metrics(backend: Backend) -> Option<TestApp> {
    if backend == Backend::Postgres && !postgres_configured() {
        return None;
    }
    Some(
        spawn_app_with(backend, |s| {
            s.metrics_bind = Some("127.0.0.1:0".parse().unwrap())
        })
        .await,
    )
}

/// The value of the sample line that starts with `prefix` (name and labels).
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn scenario(app: TestApp) {
    let metrics_url = app.metrics_url.clone().expect("metrics listener");
    // Every series is there from the start, at zero if nothing happened yet (other tests
    // in this process share the recorder, so only presence is asserted).
    let first = reqwest::get(&metrics_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for series in [
        "paydesk_gate_refusals_total{code=\"api_key_suspended\"} ",
        "paydesk_gate_refusals_total{code=\"signature_required\"} ",
        "paydesk_webhook_deliveries_total{result=\"failed\"} ",
        "paydesk_request_log_dropped_total ",
        "paydesk_key_cache_total{result=\"negative\"} ",
    ] {
        assert!(
            first.contains(series),
            "{series} missing at start:\n{first}"
        );
    }
    let token = admin_token(&app).await;
    let key = make_key(&app, &token, json!({"name": "m", "permissions": "*"})).await;
    for _ in 0..3 {
        let res = app
            .client
            .get(app.url("/api/v1/whoami"))
            .bearer_auth(&key.secret)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let res = app
        .client
        .get(app.url("/api/v1/whoami"))
        .bearer_auth("sk_test_not_a_key")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // A made-up method is one `OTHER` series, however many a client invents.
    for method in ["BREW", "WHEN"] {
        app.client
            .request(method.parse().unwrap(), app.url("/api/v1/whoami"))
            .bearer_auth(&key.secret)
            .send()
            .await
            .unwrap();
    }

    let res = reqwest::get(&metrics_url).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    let families: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .filter(|name| name.starts_with("paydesk_"))
        .collect();
    let mut expected = SERIES.to_vec();
    expected.sort();
    let mut got = families.clone();
    got.sort();
    got.dedup();
    assert_eq!(got, expected, "exactly the series SPEC §11 names:\n{text}");

    let whoami = sample(
        &text,
        r#"paydesk_http_requests_total{route="/api/v1/whoami",method="GET",status="200"}"#,
    );
    assert!(whoami.is_some_and(|n| n >= 3.0), "{text}");
    assert!(text.contains(r#"method="OTHER""#), "{text}");
    assert!(!text.contains("BREW") && !text.contains("WHEN"), "{text}");
    assert!(
        sample(
            &text,
            r#"paydesk_gate_refusals_total{code="missing_authorization"}"#
        )
        .is_some()
            || sample(
                &text,
                r#"paydesk_gate_refusals_total{code="invalid_api_key"}"#
            )
            .is_some(),
        "{text}"
    );
    assert!(
        text.contains(r#"paydesk_http_request_duration_seconds_bucket{route="/api/v1/whoami""#),
        "{text}"
    );
    assert!(
        text.contains(r#"paydesk_key_cache_total{result="hit"}"#),
        "{text}"
    );
    assert_eq!(
        sample(&text, r#"paydesk_rate_limit_backend{backend="local"}"#),
        Some(1.0),
        "{text}"
    );
    assert!(!text.contains(&key.secret), "no secret in metrics");

    // Not on the API's own port.
    assert_eq!(app.get("/metrics").await.status(), 404);
}

on_both_backends! {
    async fn metrics_name_exactly_the_contract_series_on_their_own_listener(app) {
        let backend = app.backend;
        drop(app);
        let Some(app) = spawn_with_metrics(backend).await else { return };
        scenario(app).await;
    }
}

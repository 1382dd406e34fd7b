//! Spend limits hold in total across instances (SPEC §17): counted in each payment's
//! transaction on the shared database, not per process.

use serde_json::json;

use super::{admin_token, create_key, two_instances};

#[tokio::test]
async fn twenty_concurrent_payments_over_two_instances_fill_a_daily_limit_exactly() {
    let Some((pg, a, b)) = two_instances(&[]).await else {
        return;
    };
    let token = admin_token(&pg.url, &a).await;
    let (_, sk) = create_key(
        &a,
        &token,
        json!({"name": "limited", "permissions": "*", "rate_limit": 1000, "spend_limits": [
            {"resource": "payments", "currency": "usd", "amount": 10_000, "period": "day"},
        ]}),
    )
    .await;
    let payment = json!({"amount": 1000, "currency": "usd", "payment_method": "4242424242424242"});
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..20 {
        let url = format!(
            "{}/api/v1/payments",
            if n % 2 == 0 { &a.url } else { &b.url }
        );
        let (sk, payment) = (sk.clone(), payment.clone());
        calls.spawn(async move {
            let res = reqwest::Client::new()
                .post(url)
                .bearer_auth(sk)
                .json(&payment)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.unwrap())
        });
    }
    let answers = calls.join_all().await;
    let mut ok = 0;
    let mut refused = 0;
    for (status, body) in &answers {
        match (*status, body["error"]["code"].as_str()) {
            (201, _) => ok += 1,
            (403, Some("spend_limit_exceeded")) => {
                refused += 1;
                assert_eq!(body["error"]["details"]["limit"], 10_000, "{body}");
            }
            other => panic!("unexpected answer {other:?}: {body}"),
        }
    }
    assert_eq!(
        (ok, refused),
        (10, 10),
        "exactly 100.00 of payments in the day"
    );
    let (_, balance) = b.call("GET", "/api/v1/balance", &sk, None).await;
    assert_eq!(
        balance["data"]["available"],
        json!([{"amount": 10_000, "currency": "usd"}])
    );
}

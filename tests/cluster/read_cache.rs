//! The read cache on two instances of one PostgreSQL database (SPEC §15, §8): a
//! customer both instances hold in memory and then changed on A is seen on A at once and
//! on B through the same invalidation as keys (polled for 2 s at most), never stale after.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{admin_token, create_key, two_instances};

#[tokio::test]
async fn a_customer_changed_on_one_instance_is_never_served_stale_by_the_other() {
    let Some((pg, a, b)) = two_instances(&[]).await else {
        return;
    };
    let token = admin_token(&pg.url, &a).await;
    let (_, sk) = create_key(
        &a,
        &token,
        json!({"name": "k", "mode": "test", "permissions": {"customers": "write"}}),
    )
    .await;
    let (s, made) = a
        .call(
            "POST",
            "/api/v1/customers",
            &sk,
            Some(json!({"name": "Ada"})),
        )
        .await;
    assert_eq!(s, 201, "{made}");
    let path = format!("/api/v1/customers/{}", made["data"]["id"].as_str().unwrap());
    let name = |v: &Value| v["data"]["name"].as_str().unwrap_or("").to_owned();

    // Both instances read it, and read it again from memory.
    for i in [&a, &b, &a, &b, &b] {
        let (s, got) = i.call("GET", &path, &sk, None).await;
        assert_eq!((s, name(&got)), (200, "Ada".into()), "{got}");
    }

    let (s, changed) = a
        .call("PATCH", &path, &sk, Some(json!({"name": "Grace"})))
        .await;
    assert_eq!((s, name(&changed)), (200, "Grace".into()), "{changed}");
    // On A at once: its cache forgot before the answer was sent.
    let (_, got) = a.call("GET", &path, &sk, None).await;
    assert_eq!(name(&got), "Grace");
    // On B as soon as it hears, and from then on always.
    let started = Instant::now();
    loop {
        let (_, got) = b.call("GET", &path, &sk, None).await;
        if name(&got) == "Grace" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "B still answers {got}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for _ in 0..20 {
        let (_, got) = b.call("GET", &path, &sk, None).await;
        assert_eq!(name(&got), "Grace");
    }
}

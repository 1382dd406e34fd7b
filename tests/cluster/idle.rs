//! Idle cost on PostgreSQL (SPEC §15): an idle instance commits at most 2 transactions
//! a second, and its workers are woken by `NOTIFY` from another instance rather than
//! found by a short poll.

use diesel::prelude::*;

use super::*;

#[derive(QueryableByName)]
struct Commits {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    xact_commit: i64,
}

/// The transactions committed in `db` so far, as the statistics collector has them.
fn commits(db: &str) -> i64 {
    let admin = std::env::var("PAYDESK_TEST_POSTGRES_URL").unwrap();
    // A new connection each time: a connection keeps its first snapshot of the statistics.
    let mut conn = PgConnection::establish(&admin).unwrap();
    diesel::sql_query(format!(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = '{db}'"
    ))
    .get_result::<Commits>(&mut conn)
    .unwrap()
    .xact_commit
}

#[tokio::test]
async fn an_idle_instance_commits_at_most_20_transactions_in_10_s() {
    if !postgres_configured() {
        return;
    }
    let pg = PgDatabase::create();
    let one = Instance::start(&pg.url, &[]);
    one.wait_ready("listener", "ok", Duration::from_secs(10))
        .await;
    // A backend reports its counts at most once a second, and an idle one up to 10 s
    // later: the start's work (migrations, the first housekeeping) is counted before the
    // measured 10 s begin.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let before = commits(pg.name());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let after = commits(pg.name());
    eprintln!("idle: {} transactions committed in 10 s", after - before);
    assert!(
        after - before <= 20,
        "an idle instance committed {} transactions in 10 s",
        after - before
    );
    assert_eq!(one.readyz().await["listener"], "ok");
}

#[tokio::test]
async fn a_delivery_queued_on_one_instance_is_sent_by_another_woken_by_notify() {
    let Some((pg, quiet, sender)) = two_instances_with(
        &[
            ("PAYDESK_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("PAYDESK_WEBHOOK_DELIVERY", "off"),
        ],
        &[("PAYDESK_WEBHOOK_ALLOW_PRIVATE", "true")],
    )
    .await
    else {
        return;
    };
    let token = admin_token(&pg.url, &quiet).await;
    let receiver = Receiver::start(vec![200]).await;
    let (status, _) = quiet
        .call(
            "POST",
            "/api/v1/webhook-endpoints",
            &token,
            Some(json!({"url": receiver.url, "enabled_events": ["customer.created"]})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, sk) = create_key(&quiet, &token, json!({"name": "k", "permissions": "*"})).await;
    // The sender's worker is asleep (its safety poll is 30 s) when the event is queued.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, _) = quiet
        .call(
            "POST",
            "/api/v1/customers",
            &sk,
            Some(json!({"name": "queued on the quiet one"})),
        )
        .await;
    assert_eq!(status, 201);
    // Well inside the safety poll: only the NOTIFY can have woken it.
    assert_eq!(
        receiver
            .wait_for_body_within("queued on the quiet one", 1, Duration::from_secs(5))
            .await,
        1
    );
    drop(sender);
}

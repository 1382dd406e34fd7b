//! Shared limits through leases (SPEC §15): two instances and a `redis-server` of the
//! test's own, clients asking both for more than a key's limit. Over at least 10 windows
//! (shortened to 1.5 s through `PAYDESK_RATE_LIMIT_WINDOW_MS`), each window admits at most
//! the limit and at least 95 % of it; then Redis is stopped mid-window and every request
//! is still answered, 200 or 429.
//!
//! A window's admissions come in one burst: once its tokens are spent, everything is 429
//! until it ends, and the next request opens the next window. So the admitted responses,
//! in the order they came back, fall into one group per window, separated by a pause of
//! most of a window; the test counts each group.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::*;

const WINDOW_MS: u64 = 1_500;
const LIMIT: usize = 40;
/// Concurrent clients per instance.
const CLIENTS: usize = 4;

/// Every answer the clients got: when it came back, and its status.
type Answers = Arc<Mutex<Vec<(Instant, u16)>>>;

/// Clients sending `whoami` with `sk` to each instance until `stop` is set.
fn hammer(
    urls: &[String],
    sk: &str,
    stop: &Arc<AtomicBool>,
    answers: &Answers,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for url in urls {
        for _ in 0..CLIENTS {
            let (url, sk, stop, answers) =
                (url.clone(), sk.to_owned(), stop.clone(), answers.clone());
            tasks.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                while !stop.load(Ordering::Relaxed) {
                    let status = match http
                        .get(format!("{url}/api/v1/whoami"))
                        .bearer_auth(&sk)
                        .send()
                        .await
                    {
                        Ok(res) => res.status().as_u16(),
                        Err(_) => 0,
                    };
                    answers.lock().unwrap().push((Instant::now(), status));
                }
            }));
        }
    }
    tasks
}

/// The admitted answers, grouped into windows: a new group starts after a pause of more
/// than half a window between two admitted answers.
fn admitted_per_window(answers: &[(Instant, u16)]) -> Vec<usize> {
    let mut admitted: Vec<Instant> = answers
        .iter()
        .filter(|(_, s)| *s == 200)
        .map(|(t, _)| *t)
        .collect();
    admitted.sort();
    let mut groups = Vec::new();
    let mut last: Option<Instant> = None;
    for t in admitted {
        match last {
            Some(l) if t.duration_since(l) <= Duration::from_millis(WINDOW_MS / 2) => {
                *groups.last_mut().unwrap() += 1
            }
            _ => groups.push(1),
        }
        last = Some(t);
    }
    groups
}

#[tokio::test]
async fn two_instances_admit_at_most_the_limit_and_nearly_all_of_it_and_survive_a_redis_outage() {
    if !postgres_configured() {
        return;
    }
    let Some(mut redis) = OwnRedis::start(free_port()) else {
        return;
    };
    let redis_url = format!("redis://127.0.0.1:{}/0", redis.port);
    let window = WINDOW_MS.to_string();
    let env = [
        ("PAYDESK_REDIS_URL", redis_url.as_str()),
        ("PAYDESK_RATE_LIMIT_WINDOW_MS", window.as_str()),
    ];
    let Some((pg, a, b)) = two_instances(&env).await else {
        return;
    };
    for i in [&a, &b] {
        assert_eq!(i.readyz().await["redis"], "ok");
    }
    let token = admin_token(&pg.url, &a).await;
    let (_, sk) = create_key(
        &a,
        &token,
        json!({"name": "k", "mode": "test", "permissions": "*", "rate_limit": LIMIT}),
    )
    .await;
    let urls = [a.url.clone(), b.url.clone()];

    // 12 windows of clients asking for more than the limit.
    let stop = Arc::new(AtomicBool::new(false));
    let answers: Answers = Arc::default();
    let tasks = hammer(&urls, &sk, &stop, &answers);
    tokio::time::sleep(Duration::from_millis(12 * WINDOW_MS + WINDOW_MS / 3)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let answers = std::mem::take(&mut *answers.lock().unwrap());
    let odd: Vec<u16> = answers
        .iter()
        .map(|(_, s)| *s)
        .filter(|s| ![200, 429].contains(s))
        .collect();
    assert!(odd.is_empty(), "every answer is 200 or 429: {odd:?}");
    let refused = answers.iter().filter(|(_, s)| *s == 429).count();
    let mut windows = admitted_per_window(&answers);
    // The last group may be a window the clients stopped in.
    windows.pop();
    eprintln!(
        "lease: limit {LIMIT} per {WINDOW_MS} ms window; admitted per window {windows:?}; {} answers, {refused} refused",
        answers.len()
    );
    assert!(
        windows.len() >= 10,
        "at least 10 whole windows: {windows:?}"
    );
    assert!(
        refused > answers.len() / 4,
        "the clients asked for more than the limit"
    );
    for (i, n) in windows.iter().enumerate() {
        assert!(
            *n <= LIMIT,
            "window {i} admitted {n} > {LIMIT}: {windows:?}"
        );
        assert!(
            *n * 100 >= LIMIT * 95,
            "window {i} admitted {n} < 95 % of {LIMIT}: {windows:?}"
        );
    }

    // Redis stops in the middle of a window: requests go on, 200 or 429, never 5xx.
    let stop = Arc::new(AtomicBool::new(false));
    let answers: Answers = Arc::default();
    let tasks = hammer(&urls, &sk, &stop, &answers);
    tokio::time::sleep(Duration::from_millis(WINDOW_MS / 2)).await;
    redis.stop();
    let stopped = Instant::now();
    tokio::time::sleep(Duration::from_millis(3 * WINDOW_MS)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let answers = std::mem::take(&mut *answers.lock().unwrap());
    let odd: Vec<u16> = answers
        .iter()
        .map(|(_, s)| *s)
        .filter(|s| ![200, 429].contains(s))
        .collect();
    assert!(
        odd.is_empty(),
        "without Redis every answer is 200 or 429: {odd:?}"
    );
    let admitted_after = answers
        .iter()
        .filter(|(t, s)| *t > stopped && *s == 200)
        .count();
    assert!(admitted_after > 0, "counted locally once Redis is gone");
    for i in [&a, &b] {
        assert_eq!(i.readyz().await["redis"], "unreachable");
        let warned = i
            .stderr
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("Redis is unreachable"))
            .count();
        assert_eq!(warned, 1, "one warning per outage");
    }
}

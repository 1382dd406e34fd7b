//! Several `paydesk serve` processes on one database (SPEC §8): key changes made on one
//! instance apply on the other, rate limits hold in total through Redis, and a lost
//! listener or a lost Redis never produces a stale answer or a 5xx.
//!
//! The instances are real processes of the built binary. Tests poll (up to 2 s) and then
//! assert; they never time anything.

#[path = "../support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

mod idle;
mod lease;
mod mail;
mod management_keys;
mod read_cache;
mod spend;

const SECRET: &str = "cluster-test-secret-that-is-long-enough-0123456789abcdefghijklmnopqrstuvwxyz";

/// One `paydesk serve` process, killed when dropped.
struct Instance {
    child: Child,
    url: String,
    http: reqwest::Client,
    /// Everything the process wrote on stderr so far.
    stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    /// Starts the binary on port 0 and waits until it says where it listens.
    fn start(db_url: &str, env: &[(&str, &str)]) -> Instance {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_paydesk"));
        cmd.arg("serve")
            .env("PAYDESK_DATABASE_URL", db_url)
            .env("PAYDESK_BIND", "127.0.0.1:0")
            .env("PAYDESK_SECRET", SECRET)
            .env("RUST_LOG", "info")
            .env_remove("PAYDESK_REDIS_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("paydesk starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = lines.clone();
        // Keeps reading stderr for the life of the process, so the pipe never fills.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("serving on http://") {
                    // Text or JSON logs: the address is what follows, up to the first
                    // character that cannot be in it.
                    let rest = &line[at + "serving on http://".len()..];
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == ':'))
                        .unwrap_or(rest.len());
                    let _ = tx.send(format!("http://{}", &rest[..end]));
                }
                kept.lock().unwrap().push(line);
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the instance says where it serves");
        Instance {
            child,
            url,
            http: reqwest::Client::new(),
            stderr: lines,
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        auth: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .bearer_auth(auth);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn readyz(&self) -> Value {
        let res = self
            .http
            .get(format!("{}/readyz", self.url))
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()["data"].clone()
    }

    /// Waits until /readyz reports `field` as `want` (2 s at most... or `limit`).
    async fn wait_ready(&self, field: &str, want: &str, limit: Duration) {
        let started = Instant::now();
        loop {
            let ready = self.readyz().await;
            if ready[field] == want {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "{field} never became {want}: {ready}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Polls `probe` until it returns `want` (2 s at most), then returns what it saw last.
async fn poll_until<F, Fut>(want: (u16, &str), mut probe: F) -> (u16, String)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (u16, Value)>,
{
    let started = Instant::now();
    loop {
        let (status, body) = probe().await;
        let code = body["error"]["code"].as_str().unwrap_or("").to_owned();
        if (status, code.as_str()) == want || started.elapsed() > Duration::from_secs(2) {
            return (status, code);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The first Admin, made with the CLI, and a user token from instance `a`.
async fn admin_token(db_url: &str, a: &Instance) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args([
            "user",
            "create",
            "--email",
            "ops@acme.test",
            "--role",
            "admin",
            "--merchant",
            "Acme",
            "--password-stdin",
        ])
        .env("PAYDESK_DATABASE_URL", db_url)
        .env("PAYDESK_SECRET", SECRET)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success());
    let (status, body) = a
        .call(
            "POST",
            "/api/v1/auth/login",
            "",
            Some(json!({"email": "ops@acme.test", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["token"].as_str().unwrap().to_owned()
}

async fn create_key(a: &Instance, token: &str, body: Value) -> (String, String) {
    let (status, key) = a.call("POST", "/api/v1/api-keys", token, Some(body)).await;
    assert_eq!(status, 201, "{key}");
    (
        key["data"]["id"].as_str().unwrap().to_owned(),
        key["data"]["secret_key"].as_str().unwrap().to_owned(),
    )
}

/// Two instances on one fresh PostgreSQL database, both listening.
async fn two_instances(env: &[(&str, &str)]) -> Option<(PgDatabase, Instance, Instance)> {
    two_instances_with(env, env).await
}

/// Two instances with settings of their own on one fresh PostgreSQL database.
async fn two_instances_with(
    env_a: &[(&str, &str)],
    env_b: &[(&str, &str)],
) -> Option<(PgDatabase, Instance, Instance)> {
    if !postgres_configured() {
        return None;
    }
    let pg = PgDatabase::create();
    let a = Instance::start(&pg.url, env_a);
    let b = Instance::start(&pg.url, env_b);
    for i in [&a, &b] {
        i.wait_ready("listener", "ok", Duration::from_secs(10))
            .await;
    }
    Some((pg, a, b))
}

/// A key-management call on `a` (it must succeed), then `probe` on `b` with key `sk`,
/// polled until it answers `want`; asserts that it did.
async fn change_then_seen(
    (a, token): (&Instance, &str),
    method: &str,
    path: &str,
    body: Option<Value>,
    (b, sk): (&Instance, &str),
    probe: &str,
    want: (u16, &str),
) {
    let (s, answer) = a.call(method, path, token, body).await;
    assert_eq!(s, 200, "{method} {path}: {answer}");
    let seen = poll_until(want, || b.call("GET", probe, sk, None)).await;
    assert_eq!(
        (seen.0, seen.1.as_str()),
        want,
        "{method} {path} as seen on B"
    );
}

#[tokio::test]
async fn key_changes_on_one_instance_apply_on_the_other() {
    let Some((pg, a, b)) = two_instances(&[]).await else {
        return;
    };
    let token = admin_token(&pg.url, &a).await;
    let (id, sk) = create_key(
        &a,
        &token,
        json!({"name": "k", "mode": "test", "permissions": {"customers": "read"}}),
    )
    .await;
    // B knows the key (and caches it).
    assert_eq!(b.call("GET", "/api/v1/customers", &sk, None).await.0, 200);
    assert_eq!(b.call("GET", "/api/v1/customers", &sk, None).await.0, 200);
    let (on_a, on_b) = ((&a, token.as_str()), (&b, sk.as_str()));
    let key = format!("/api/v1/api-keys/{id}");

    // A permission edit on A: B refuses the scope it no longer has.
    let edit = json!({"permissions": {"payments": "read"}});
    change_then_seen(
        on_a,
        "PATCH",
        &key,
        Some(edit),
        on_b,
        "/api/v1/customers",
        (403, "insufficient_scope"),
    )
    .await;
    assert_eq!(
        b.call("GET", "/api/v1/payments", &sk, None).await.0,
        200,
        "the new scope applies on B"
    );
    let suspend = format!("{key}/suspend");
    change_then_seen(
        on_a,
        "POST",
        &suspend,
        None,
        on_b,
        "/api/v1/whoami",
        (403, "api_key_suspended"),
    )
    .await;
    let reactivate = format!("{key}/reactivate");
    change_then_seen(
        on_a,
        "POST",
        &reactivate,
        None,
        on_b,
        "/api/v1/whoami",
        (200, ""),
    )
    .await;
    change_then_seen(
        on_a,
        "DELETE",
        &key,
        None,
        on_b,
        "/api/v1/whoami",
        (401, "invalid_api_key"),
    )
    .await;
    // And it stays refused.
    for _ in 0..20 {
        assert_eq!(b.call("GET", "/api/v1/whoami", &sk, None).await.0, 401);
    }
}

#[tokio::test]
async fn a_lost_listener_never_serves_a_stale_answer_and_comes_back() {
    let Some((pg, a, b)) = two_instances(&[]).await else {
        return;
    };
    let token = admin_token(&pg.url, &a).await;
    let (id, sk) = create_key(
        &a,
        &token,
        json!({"name": "k", "mode": "test", "permissions": "*"}),
    )
    .await;
    assert_eq!(b.call("GET", "/api/v1/whoami", &sk, None).await.0, 200);

    // Kill every listener connection of this database, found by its application_name.
    let killed = pg.admin_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'paydesk-listener' AND datname = '{}'",
        pg.name()
    ));
    assert_eq!(killed, 2, "one listener per instance");
    let on_a = (&a, token.as_str());
    let key = format!("/api/v1/api-keys/{id}");
    change_then_seen(
        on_a,
        "DELETE",
        &key,
        None,
        (&b, &sk),
        "/api/v1/whoami",
        (401, "invalid_api_key"),
    )
    .await;
    for _ in 0..20 {
        assert_eq!(b.call("GET", "/api/v1/whoami", &sk, None).await.0, 401);
    }

    // The listener comes back, and changes reach B through it again.
    b.wait_ready("listener", "ok", Duration::from_secs(10))
        .await;
    let (id2, sk2) = create_key(
        &a,
        &token,
        json!({"name": "k2", "mode": "test", "permissions": "*"}),
    )
    .await;
    assert_eq!(b.call("GET", "/api/v1/whoami", &sk2, None).await.0, 200);
    let suspend = format!("/api/v1/api-keys/{id2}/suspend");
    change_then_seen(
        on_a,
        "POST",
        &suspend,
        None,
        (&b, &sk2),
        "/api/v1/whoami",
        (403, "api_key_suspended"),
    )
    .await;
}

#[tokio::test]
async fn a_key_limit_holds_in_total_across_two_instances_with_redis() {
    let Some((pg, a, b)) =
        two_instances(&[("PAYDESK_REDIS_URL", "redis://127.0.0.1:6379/0")]).await
    else {
        return;
    };
    for i in [&a, &b] {
        assert_eq!(i.readyz().await["redis"], "ok");
    }
    let token = admin_token(&pg.url, &a).await;
    let (_, sk) = create_key(
        &a,
        &token,
        json!({"name": "k", "mode": "test", "permissions": "*", "rate_limit": 10}),
    )
    .await;
    let mut admitted = 0;
    let mut limited = 0;
    for n in 0..30 {
        let instance = if n % 2 == 0 { &a } else { &b };
        match instance.call("GET", "/api/v1/whoami", &sk, None).await.0 {
            200 => admitted += 1,
            429 => limited += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(
        (admitted, limited),
        (10, 20),
        "10 per minute in total, not per instance"
    );
}

/// A `redis-server` of this test's own, on a free port (the shared one is never stopped).
struct OwnRedis {
    child: Child,
    port: u16,
}

impl OwnRedis {
    fn start(port: u16) -> Option<OwnRedis> {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) if std::env::var("CI").is_ok() => panic!("redis-server is required in CI: {e}"),
            Err(_) => {
                eprintln!("note: redis-server not found; the Redis outage test is skipped");
                return None;
            }
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(OwnRedis { child, port })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

on_both_backends! {
    async fn when_redis_goes_away_requests_go_on_and_readyz_says_so(app) {
        let Some(mut redis) = OwnRedis::start(free_port()) else { return };
        let url = format!("redis://127.0.0.1:{}/0", redis.port);
        let db_url = app.db_url.clone();
        // A process of its own on the same database, with our Redis.
        let one = Instance::start(&db_url, &[("PAYDESK_REDIS_URL", url.as_str())]);
        assert_eq!(one.readyz().await["redis"], "ok");
        let token = admin_token(&db_url, &one).await;
        let (_, sk) = create_key(&one, &token, json!({"name": "k", "mode": "test", "permissions": "*", "rate_limit": 1000})).await;
        let (s, _) = one.call("GET", "/api/v1/whoami", &sk, None).await;
        assert_eq!(s, 200);

        redis.stop();
        for _ in 0..30 {
            let (s, body) = one.call("GET", "/api/v1/whoami", &sk, None).await;
            assert_eq!(s, 200, "{body}");
        }
        let ready = one.readyz().await;
        assert_eq!((ready["redis"].as_str(), ready["database"].as_str()), (Some("unreachable"), Some("ok")), "{ready}");
        assert_eq!(one.readyz().await["status"], "ready");
    }
}

/// The text log written to a pipe (a file, a collector) carries no ANSI colour codes.
#[tokio::test]
async fn the_text_log_into_a_pipe_has_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/paydesk.db", dir.path().display());
    let one = Instance::start(&db_url, &[("RUST_LOG", "info")]);
    let res = one
        .http
        .get(format!("{}/api/v1/whoami", one.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let started = Instant::now();
    while !one
        .stderr
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains("request"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "no request line"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let everything = one.stderr.lock().unwrap().join("\n");
    assert!(
        !everything.contains('\u{1b}'),
        "colour codes in a pipe: {everything:?}"
    );
}

/// With `PAYDESK_LOG_FORMAT=json`, each request is one JSON line with its request id,
/// method, route pattern, status, latency and key id, and nothing secret: not the key,
/// not the query string, not the token.
#[tokio::test]
async fn request_lines_are_json_and_carry_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/paydesk.db", dir.path().display());
    let one = Instance::start(&db_url, &[("PAYDESK_LOG_FORMAT", "json")]);
    let token = admin_token(&db_url, &one).await;
    let (id, sk) = create_key(
        &one,
        &token,
        json!({"name": "k", "mode": "test", "permissions": "*"}),
    )
    .await;
    let res = one
        .http
        .get(format!(
            "{}/api/v1/customers?email=leak%40example.com&limit=5",
            one.url
        ))
        .bearer_auth(&sk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let request_id = res.headers()["request-id"].to_str().unwrap().to_owned();
    // The line is written as the response leaves; wait for it (2 s at most).
    let started = Instant::now();
    let line = loop {
        let found = one
            .stderr
            .lock()
            .unwrap()
            .iter()
            .find(|l| l.contains(&request_id))
            .cloned();
        if let Some(line) = found {
            break line;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "no log line for {request_id}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let entry: Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    assert_eq!(entry["request_id"], request_id.as_str());
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["route"], "/api/v1/customers");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["key_id"], id.as_str());
    assert!(entry["latency_ms"].as_f64().is_some(), "{entry}");
    // At most 3 decimals, as written (SPEC §14): not 0.34541900000000003.
    let written = line.split("\"latency_ms\":").nth(1).unwrap();
    let number: String = written
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    assert!(
        number.split('.').nth(1).is_none_or(|d| d.len() <= 3),
        "latency_ms {number} in {line}"
    );
    let everything = one.stderr.lock().unwrap().join("\n");
    for secret in [sk.as_str(), token.as_str(), "leak", PASSWORD] {
        assert!(!everything.contains(secret), "{secret:?} reached the log");
    }
    assert!(
        one.stderr
            .lock()
            .unwrap()
            .iter()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "every line is JSON"
    );
}

#[tokio::test]
async fn sigterm_lets_the_process_finish_and_write_key_usage_and_the_request_log() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/paydesk.db", dir.path().display());
    let mut one = Instance::start(&db_url, &[]);
    let token = admin_token(&db_url, &one).await;
    let (id, sk) = create_key(&one, &token, json!({"name": "k", "permissions": "*"})).await;
    let (status, _) = one.call("GET", "/api/v1/whoami", &sk, None).await;
    assert_eq!(status, 200);
    // Uses are written every 5 s; stop the process at once, before that.
    let killed = Command::new("kill")
        .args(["-TERM", &one.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(status) = one.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(35),
            "still running after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "{exit:?}");
    use diesel::prelude::*;
    use paydesk::db::schema::api_keys;
    let db = paydesk::db::Db::connect(&db_url).unwrap();
    let mut conn = db.conn().unwrap();
    let used: Option<i64> = api_keys::table
        .filter(api_keys::id.eq(&id))
        .select(api_keys::last_used_at)
        .get_result(&mut *conn)
        .unwrap();
    assert!(used.is_some(), "the use before SIGTERM was not written");
    // The request log's buffer and usage counters are written on the way out too.
    use paydesk::db::models::request_log::RequestLogRow;
    use paydesk::db::schema::key_usage_hourly;
    let lines = RequestLogRow::latest_for_key(&mut conn, &id, 10)
        .unwrap()
        .len();
    assert_eq!(
        lines, 1,
        "the request log line before SIGTERM was not written"
    );
    let counted: Vec<i64> = key_usage_hourly::table
        .filter(key_usage_hourly::key_id.eq(&id))
        .select(key_usage_hourly::class_2xx)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(
        counted.iter().sum::<i64>(),
        1,
        "the usage counter was not written"
    );
}

#[tokio::test]
async fn two_instances_deliver_each_of_30_events_exactly_once() {
    let Some((pg, a, b)) = two_instances(&[
        ("PAYDESK_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("PAYDESK_WEBHOOK_RETRY_BASE_MS", "200"),
    ])
    .await
    else {
        return;
    };
    let token = admin_token(&pg.url, &a).await;
    let receiver = Receiver::start(vec![200]).await;
    let url = receiver.url.clone();
    let (status, _) = a
        .call(
            "POST",
            "/api/v1/webhook-endpoints",
            &token,
            Some(json!({"url": url, "enabled_events": ["customer.created"]})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, sk) = create_key(&a, &token, json!({"name": "k", "permissions": "*"})).await;
    for i in 0..30 {
        let via = if i % 2 == 0 { &a } else { &b };
        let (status, _) = via
            .call(
                "POST",
                "/api/v1/customers",
                &sk,
                Some(json!({"name": format!("c{i}")})),
            )
            .await;
        assert_eq!(status, 201);
    }
    receiver
        .wait_for_body_within("customer.created", 30, Duration::from_secs(10))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got: Vec<String> = receiver
        .wait_for(30)
        .await
        .iter()
        .map(|r| r.header("Paydesk-Event-Id").to_owned())
        .collect();
    let mut unique = got.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 30, "every event delivered: {got:?}");
    assert_eq!(got.len(), 30, "none delivered twice: {got:?}");
}

#[tokio::test]
async fn a_delivery_pending_when_the_server_stops_is_delivered_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/paydesk.db", dir.path().display());
    let env = [
        ("PAYDESK_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("PAYDESK_WEBHOOK_RETRY_BASE_MS", "100"),
    ];
    let one = Instance::start(&db_url, &env);
    let token = admin_token(&db_url, &one).await;
    // Nobody listens yet: the delivery stays pending, retried.
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let (status, _) = one
        .call(
            "POST",
            "/api/v1/webhook-endpoints",
            &token,
            Some(json!({"url": url})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, sk) = create_key(&one, &token, json!({"name": "k", "permissions": "*"})).await;
    let (status, _) = one
        .call(
            "POST",
            "/api/v1/customers",
            &sk,
            Some(json!({"name": "before the crash"})),
        )
        .await;
    assert_eq!(status, 201);
    drop(one); // killed
    // The receiver comes up; a new process on the same database delivers. The receiver
    // reads each whole request before answering, so a body arriving in a second segment
    // is never acknowledged unread. If the first process died in the middle of an
    // attempt, the row is held by its lease first.
    let receiver = Receiver::start_at(port, vec![200]).await;
    let _two = Instance::start(&db_url, &env);
    let seen = receiver
        .wait_for_body_within(
            "before the crash",
            1,
            Duration::from_millis(paydesk::webhooks::deliver::LEASE_MS as u64 + 20_000),
        )
        .await;
    assert_eq!(seen, 1, "delivered after the restart: {:?}", receiver.got);
    let got = receiver
        .got
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.body.contains("before the crash"))
        .map(|r| r.body.clone())
        .unwrap();
    assert!(got.contains("customer.created"));
}

#[tokio::test]
async fn an_instance_with_delivery_off_queues_and_another_sends() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/paydesk.db", dir.path().display());
    let receiver = Receiver::start(vec![200]).await;
    let quiet = Instance::start(
        &db_url,
        &[
            ("PAYDESK_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("PAYDESK_WEBHOOK_DELIVERY", "off"),
        ],
    );
    let token = admin_token(&db_url, &quiet).await;
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
    let (status, _) = quiet
        .call(
            "POST",
            "/api/v1/customers",
            &sk,
            Some(json!({"name": "queued on the quiet one"})),
        )
        .await;
    assert_eq!(status, 201);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        receiver.count("queued on the quiet one"),
        0,
        "sent by an instance with delivery off"
    );
    let _sender = Instance::start(&db_url, &[("PAYDESK_WEBHOOK_ALLOW_PRIVATE", "true")]);
    assert_eq!(
        receiver
            .wait_for_body_within("queued on the quiet one", 1, Duration::from_secs(10))
            .await,
        1
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.count("queued on the quiet one"), 1, "sent once");
}

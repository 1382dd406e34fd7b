//! Key changes reach every instance (SPEC §8).
//!
//! A change that can alter a key's answer is announced inside its own transaction
//! (`db/changes.rs`), so the announcement is delivered exactly when the change commits,
//! and the changing instance drops the target from its own cache before it answers.
//!
//! Every instance keeps one connection (`application_name=paydesk-listener`) that
//! LISTENs on the channel and drops what it hears from its cache. The listener proves
//! itself alive by hearing something at least every second or so: when a second has
//! passed without a word on the channel it sends a heartbeat (`NOTIFY`), and 3 s without
//! hearing anything, or any connection error, counts as down: the cache is turned off
//! (every request reads the database) until the listener is back, and then starts empty.
//!
//! Any notification proves a listener hears, so the instances share the heartbeats:
//! whoever has heard nothing for a second sends one (checked every 0.4–0.6 s, so the
//! instances drift apart rather than send together), and the others, having heard it,
//! stay quiet. Each notification costs every listening connection one transaction to
//! read it, and its sender one more, so one heartbeat per instance every second would
//! cost each idle instance N + 1 transactions a second; shared, about one heartbeat goes
//! round every 1–1.5 s in all, whatever N (SPEC §15: an idle instance commits at most 2
//! transactions a second).
//!
//! Targets are `key:<key id>`, `merchant:<merchant id>` and `hash:<hex sha-256 of a
//! presented key>`; `hb:<instance>` is a heartbeat; `wake:…` wakes this instance's
//! workers (`db::changes::wake`), as does the listener's start (`wake:all`), since
//! what was announced while it was down was not heard. The heartbeat is one simple
//! `NOTIFY` statement (a prepared `pg_notify` costs a second transaction to parse).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use super::cache::KeyCache;
use crate::db::changes::{CHANNEL, WAKE_ALL, WAKE_PREFIX};

/// What the listener hands a `wake:…` target to.
pub type Wake = Arc<dyn Fn(&str) + Send + Sync>;

pub const APPLICATION_NAME: &str = "paydesk-listener";
/// A heartbeat is sent when nothing was heard for this long.
const QUIET: Duration = Duration::from_secs(1);
const SILENCE_IS_DOWN: Duration = Duration::from_secs(3);

/// How long until the listener next checks what it heard: 0.4–0.6 s, at random.
fn next_check() -> Duration {
    Duration::from_millis(400 + rand::random::<u64>() % 201)
}

/// What `/readyz` says about the listener.
#[derive(Debug, Default)]
pub struct ListenerState(AtomicU8);

const OFF: u8 = 0;
const UP: u8 = 1;
const DOWN: u8 = 2;

impl ListenerState {
    pub fn describe(&self) -> &'static str {
        match self.0.load(Ordering::Acquire) {
            OFF => "off",
            UP => "ok",
            _ => "down",
        }
    }

    fn set(&self, state: u8) {
        self.0.store(state, Ordering::Release);
    }
}

/// Starts the listener for a PostgreSQL database. The cache stays off until it listens.
pub fn spawn_listener(
    database_url: &str,
    cache: Arc<KeyCache>,
    state: Arc<ListenerState>,
    wake: Wake,
) {
    let config = match database_url.parse::<tokio_postgres::Config>() {
        Ok(mut c) => {
            c.application_name(APPLICATION_NAME);
            c.connect_timeout(Duration::from_secs(5));
            c
        }
        Err(e) => {
            // Db::connect accepted the URL, so this is unexpected; serve uncached.
            tracing::error!(error = %e, "cannot read the database URL for the key listener; keys are read from the database on every request");
            state.set(DOWN);
            return;
        }
    };
    state.set(DOWN);
    tokio::spawn(async move {
        let me = format!("hb:{}", crate::ids::random_base62(16));
        let mut backoff = Duration::from_millis(100);
        loop {
            let started = Instant::now();
            let why = listen(&config, (&cache, &wake), &state, &me).await;
            cache.set_enabled(false);
            state.set(DOWN);
            tracing::warn!(reason = %why, "key listener is down; reading keys from the database until it is back");
            if started.elapsed() > Duration::from_secs(10) {
                backoff = Duration::from_millis(100);
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    });
}

/// Listens until the connection fails or falls silent; returns why it stopped.
async fn listen(
    config: &tokio_postgres::Config,
    (cache, wake): (&KeyCache, &Wake),
    state: &ListenerState,
    me: &str,
) -> String {
    let (client, mut connection) = match config.connect(tokio_postgres::NoTls).await {
        Ok(pair) => pair,
        Err(e) => return format!("cannot connect: {e}"),
    };
    let (tx, mut heard) = tokio::sync::mpsc::unbounded_channel::<String>();
    // The connection is driven here; notifications come out of it as messages.
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(tokio_postgres::AsyncMessage::Notification(n))) => {
                    if tx.send(n.payload().to_owned()).is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            }
        }
    });
    let _stop_driver = AbortOnDrop(driver);
    if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
        return format!("LISTEN failed: {e}");
    }
    // Listening: from here on no change is missed, so the cache may start (empty).
    cache.set_enabled(true);
    state.set(UP);
    tracing::info!("key listener is up");
    wake(WAKE_ALL);
    let ping = format!("NOTIFY {CHANNEL}, '{me}'");
    let mut last_heard = Instant::now();
    let check = tokio::time::sleep(next_check());
    tokio::pin!(check);
    loop {
        tokio::select! {
            payload = heard.recv() => {
                let Some(p) = payload else {
                    return "the connection closed".into();
                };
                // Whatever it is, it came through: the listener hears.
                last_heard = Instant::now();
                if p.starts_with(WAKE_PREFIX) {
                    wake(&p);
                } else if !p.starts_with("hb:") {
                    cache.invalidate(&p);
                }
            },
            _ = &mut check => {
                check.as_mut().reset(tokio::time::Instant::now() + next_check());
                if last_heard.elapsed() > SILENCE_IS_DOWN {
                    return "nothing heard for 3 s, not even a heartbeat".into();
                }
                if last_heard.elapsed() < QUIET {
                    continue;
                }
                match tokio::time::timeout(QUIET, client.batch_execute(&ping)).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return format!("heartbeat failed: {e}"),
                    Err(_) => {}
                }
            }
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

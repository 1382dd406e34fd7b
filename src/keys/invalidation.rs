//! Key changes reach every instance (SPEC §8).
//!
//! A change that can alter a key's answer is announced inside its own transaction
//! (`db/changes.rs`), so the announcement is delivered exactly when the change commits,
//! and the changing instance drops the target from its own cache before it answers.
//!
//! Every instance keeps one connection (`application_name=paydesk-listener`) that
//! LISTENs on the channel and drops what it hears from its cache. The listener proves
//! itself alive with a NOTIFY to itself every second; 3 s without hearing it, or any
//! connection error, counts as down: the cache is turned off (every request reads the
//! database) until the listener is back, and then starts empty.
//!
//! Targets are `key:<key id>`, `merchant:<merchant id>` and `hash:<hex sha-256 of a
//! presented key>`; `hb:<instance>` is a heartbeat.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use super::cache::KeyCache;
use crate::db::changes::CHANNEL;

pub const APPLICATION_NAME: &str = "paydesk-listener";
const HEARTBEAT: Duration = Duration::from_secs(1);
const SILENCE_IS_DOWN: Duration = Duration::from_secs(3);

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
pub fn spawn_listener(database_url: &str, cache: Arc<KeyCache>, state: Arc<ListenerState>) {
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
            let why = listen(&config, &cache, &state, &me).await;
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
    cache: &KeyCache,
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
    let mut beat = tokio::time::interval(HEARTBEAT);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            payload = heard.recv() => match payload {
                Some(p) if p == me => last_heard = Instant::now(),
                Some(p) if p.starts_with("hb:") => {}
                Some(p) => cache.invalidate(&p),
                None => return "the connection closed".into(),
            },
            _ = beat.tick() => {
                if last_heard.elapsed() > SILENCE_IS_DOWN {
                    return "no heartbeat for 3 s".into();
                }
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&CHANNEL, &me];
                let ping = client.execute("SELECT pg_notify($1, $2)", &params);
                match tokio::time::timeout(HEARTBEAT, ping).await {
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

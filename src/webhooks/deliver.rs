//! The delivery worker: every instance claims due deliveries (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so one attempt is made by one instance), signs and posts them, and
//! schedules retries: attempt n+1 waits `base × 2^(n−1)` (cap 24 h, ±10 % jitter), 12
//! attempts in all, then `failed`. At least once: a crash mid-attempt leaves the row
//! pending, due again when its lease ends.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::WebhookSettings;
use super::ssrf;
use crate::clock;
use crate::db::Db;
use crate::db::models::objects::EventRow;
use crate::db::models::webhooks::{DeliveryRow, EndpointRow};
use crate::error::Error;

pub const ATTEMPTS: i32 = 12;
/// How long a claimed attempt is held before another instance may take it again: three
/// times the attempt's timeout, so a live attempt is never taken twice at once, while a
/// row claimed by an instance that died mid-attempt waits at most this long.
pub const LEASE_MS: i64 = 30_000;
const TIMEOUT: Duration = Duration::from_secs(10);
/// Response bytes kept for the log.
const KEEP_BYTES: usize = 4096;
const CAP_MS: i64 = 24 * 60 * 60 * 1000;

/// Starts the worker on this instance.
pub fn spawn(db: Db, settings: WebhookSettings) {
    // How often to look for due rows: often enough that a retry is not late by more
    // than a quarter of the base wait, never more than twice a second.
    let idle = Duration::from_millis((settings.retry_base_ms / 4).clamp(20, 500) as u64);
    tokio::spawn(async move {
        loop {
            let claimed = db
                .run(|c| Ok(DeliveryRow::claim_due(c, clock::now_ms(), LEASE_MS, 20)?))
                .await;
            let due = match claimed {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim webhook deliveries");
                    vec![]
                }
            };
            if due.is_empty() {
                tokio::time::sleep(idle).await;
                continue;
            }
            // The batch's attempts run at once: one slow receiver (up to 10 s) does not
            // hold up the others' deliveries.
            let mut batch = tokio::task::JoinSet::new();
            for d in due {
                let (db, settings) = (db.clone(), settings.clone());
                batch.spawn(async move {
                    if let Err(e) = attempt(&db, &settings, d).await {
                        tracing::warn!(error = %e, "webhook attempt could not be recorded");
                    }
                });
            }
            while batch.join_next().await.is_some() {}
        }
    });
}

/// The event as sent: the event object in the endpoint's API version.
fn payload(event: Option<EventRow>, delivery: &DeliveryRow, endpoint: &EndpointRow) -> Value {
    let mut body = match event {
        Some(row) => serde_json::to_value(crate::events::view::event(&row)).unwrap_or(Value::Null),
        None => json!({
            "id": delivery.event_id, "object": "event", "type": delivery.event_type,
            "livemode": endpoint.livemode, "created_at": clock::rfc3339(delivery.created_at),
            "data": {"object": {"object": "webhook_endpoint", "id": endpoint.id}},
        }),
    };
    if let Some(v) = endpoint.api_version.as_deref() {
        crate::versions::downgrade(&mut body, v);
    }
    body
}

/// A client that connects `host` to the address that was checked, follows no redirect
/// and gives up after 10 s.
fn client_for(host: &str, addr: std::net::SocketAddr) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .user_agent("Paydesk-Webhooks/1")
        .resolve(host, addr)
        .build()
}

async fn attempt(db: &Db, settings: &WebhookSettings, d: DeliveryRow) -> Result<(), Error> {
    let (endpoint_id, event_id) = (d.endpoint_id.clone(), d.event_id.clone());
    let found = db
        .run(move |c| {
            use crate::db::schema::events;
            use diesel::prelude::*;
            let endpoint = EndpointRow::by_id(c, &endpoint_id).optional()?;
            let event: Option<EventRow> = events::table
                .filter(events::id.eq(&event_id))
                .select(EventRow::as_select())
                .load(c)?
                .into_iter()
                .next();
            Ok((endpoint, event))
        })
        .await?;
    let (Some(endpoint), event) = found else {
        return finish(db, &d, Outcome::Gone("the endpoint was deleted")).await;
    };
    if endpoint.status != "enabled" {
        return finish(db, &d, Outcome::Gone("the endpoint is disabled")).await;
    }
    let body = serde_json::to_vec(&payload(event, &d, &endpoint)).unwrap_or_default();
    let started = Instant::now();
    let outcome = match send(settings, &endpoint, &d, &body).await {
        Ok((status, kept)) if (200..300).contains(&status) => Outcome::Delivered(status, kept),
        Ok((status, kept)) => {
            Outcome::Failed(Some(status), format!("answered {status}"), Some(kept))
        }
        Err(why) => Outcome::Failed(None, why, None),
    };
    let latency = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    finish_with(db, &d, outcome, latency, settings.retry_base_ms).await
}

async fn send(
    settings: &WebhookSettings,
    endpoint: &EndpointRow,
    d: &DeliveryRow,
    body: &[u8],
) -> Result<(u16, String), String> {
    let url = ssrf::check_form(&endpoint.url, endpoint.livemode)?;
    let addr = ssrf::resolve(&url, settings.allow_private).await?;
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let client = client_for(&host, addr).map_err(|e| e.to_string())?;
    let now_ms = clock::now_ms();
    let open = |sealed: &str| {
        settings
            .sealer
            .open(sealed)
            .and_then(|b| String::from_utf8(b).ok())
    };
    let secret = open(&endpoint.secret_sealed).ok_or("the signing secret cannot be opened")?;
    let mut signature = crate::keys::signature::sign(&secret, now_ms, body);
    if let (Some(old), Some(until)) = (&endpoint.old_secret_sealed, endpoint.old_secret_until)
        && until > clock::now()
        && let Some(old) = open(old)
    {
        let old_sig = crate::keys::signature::sign(&old, now_ms, body);
        if let Some(v1) = old_sig.split(",v1=").nth(1) {
            signature.push_str(&format!(",v1={v1}"));
        }
    }
    let response = client
        .post(url)
        .header("Content-Type", "application/json")
        .header("Paydesk-Event-Id", &d.event_id)
        .header("Paydesk-Delivery-Id", &d.id)
        .header("Paydesk-Signature", signature)
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "no answer within 10 s".to_owned()
            } else {
                format!("could not connect: {e}")
            }
        })?;
    let status = response.status().as_u16();
    let mut kept = Vec::new();
    let mut response = response;
    while kept.len() < KEEP_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                kept.extend_from_slice(&chunk[..chunk.len().min(KEEP_BYTES - kept.len())])
            }
            _ => break,
        }
    }
    Ok((status, String::from_utf8_lossy(&kept).into_owned()))
}

enum Outcome {
    Delivered(u16, String),
    Failed(Option<u16>, String, Option<String>),
    Gone(&'static str),
}

async fn finish(db: &Db, d: &DeliveryRow, outcome: Outcome) -> Result<(), Error> {
    finish_with(db, d, outcome, 0, 0).await
}

async fn finish_with(
    db: &Db,
    d: &DeliveryRow,
    outcome: Outcome,
    latency: i32,
    base_ms: i64,
) -> Result<(), Error> {
    let attempts = d.attempts + 1;
    let now_ms = clock::now_ms();
    // An attempt that reached (or tried to reach) the receiver counts toward the
    // endpoint's run of failures; one skipped because the endpoint is gone does not.
    let counts = !matches!(outcome, Outcome::Gone(_));
    let (status, next, http, error, body) = match outcome {
        Outcome::Delivered(code, kept) => {
            ("delivered", now_ms, Some(code as i32), None, Some(kept))
        }
        Outcome::Gone(why) => ("failed", now_ms, None, Some(why.to_owned()), None),
        Outcome::Failed(code, why, kept) if attempts >= ATTEMPTS => {
            ("failed", now_ms, code.map(i32::from), Some(why), kept)
        }
        Outcome::Failed(code, why, kept) => (
            "pending",
            now_ms + crate::retry::backoff_ms(base_ms, attempts, CAP_MS),
            code.map(i32::from),
            Some(why),
            kept,
        ),
    };
    crate::telemetry::metrics::webhook_attempt(if status == "delivered" {
        "delivered"
    } else {
        "failed"
    });
    let (id, endpoint_id) = (d.id.clone(), d.endpoint_id.clone());
    db.run(move |c| {
        DeliveryRow::record_attempt(
            c,
            &id,
            status,
            attempts,
            next,
            http,
            error.as_deref(),
            latency,
            body.as_deref(),
            now_ms / 1000,
        )?;
        if counts {
            super::endpoints::note_attempt(c, &endpoint_id, status == "delivered", clock::now())?;
        }
        Ok(())
    })
    .await
}

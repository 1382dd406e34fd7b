//! The delivery worker: every instance claims due deliveries (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so one attempt is made by one instance), signs and posts them, and
//! schedules retries: attempt n+1 waits `base × 2^(n−1)` (cap 24 h, ±10 % jitter), 12
//! attempts in all, then `failed`. At least once: a crash mid-attempt leaves the row
//! pending, due again when its lease ends.
//!
//! An idle worker reads nothing: it is woken when a delivery is queued (`NOTIFY` from any
//! instance on PostgreSQL, an in-process signal on SQLite), sleeps until the next retry
//! is due, and otherwise looks once per [`SAFETY_POLL`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Notify;

use super::WebhookSettings;
use super::ssrf;
use crate::clock;
use crate::db::Db;
use crate::db::models::objects::EventRow;
use crate::db::models::webhook_attempts::AttemptRow;
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

/// How long an idle worker sleeps at most: a safety net for a wake-up that was missed
/// (the listener was down). Due retries do not wait for it: the worker sleeps until the
/// next pending row is due.
pub const SAFETY_POLL: Duration = Duration::from_secs(30);
/// The change target that wakes the delivery workers (`db::changes::wake`).
pub const WAKE: &str = crate::db::changes::WAKE_DELIVERIES;

/// Wakes this instance's delivery worker (a delivery was queued here or elsewhere).
#[derive(Clone, Default)]
pub struct DeliveryHandle(Arc<Notify>);

impl DeliveryHandle {
    pub fn wake(&self) {
        // A permit is kept if the worker is busy, so the wake-up is not lost.
        self.0.notify_one();
    }
}

/// Starts the worker on this instance. It sleeps until woken ([`DeliveryHandle`]), until
/// the next pending delivery is due, or for the safety poll, whichever comes first.
pub fn spawn(db: Db, settings: WebhookSettings) -> DeliveryHandle {
    let handle = DeliveryHandle::default();
    let woken = handle.0.clone();
    tokio::spawn(async move {
        loop {
            // One read when nothing is due (an idle wake-up costs one statement); the
            // claim only when something is.
            let claimed = db
                .run(|c| {
                    let now = clock::now_ms();
                    match next_due(c)? {
                        Some(at) if at <= now => {
                            let due = DeliveryRow::claim_due(c, now, LEASE_MS, 20)?;
                            // Due but taken by another instance meanwhile: look again soon.
                            let again = due.is_empty().then_some(now);
                            Ok((due, again))
                        }
                        later => Ok((vec![], later)),
                    }
                })
                .await;
            let (due, next) = match claimed {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim webhook deliveries");
                    (vec![], Some(clock::now_ms() + 1_000))
                }
            };
            if due.is_empty() {
                let idle = crate::retry::idle_for(next, clock::now_ms(), SAFETY_POLL);
                tokio::select! {
                    _ = woken.notified() => {}
                    _ = tokio::time::sleep(idle) => {}
                }
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
    handle
}

/// When the next pending delivery is due (Unix ms), if any.
fn next_due(c: &mut crate::db::DbConn) -> Result<Option<i64>, Error> {
    use crate::db::schema::webhook_deliveries as d;
    use diesel::prelude::*;
    Ok(d::table
        .filter(d::status.eq("pending"))
        .select(diesel::dsl::min(d::next_attempt_at))
        .get_result::<Option<i64>>(c)?)
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
        Ok(answer) if (200..300).contains(&answer.status) => Outcome::Delivered(answer),
        Ok(answer) => {
            let why = format!("answered {}", answer.status);
            Outcome::Failed(Some(answer), why)
        }
        Err(why) => Outcome::Failed(None, why),
    };
    let sent = Sent {
        latency: started.elapsed(),
        payload: Some(String::from_utf8_lossy(&body).into_owned()),
    };
    finish_with(db, &d, outcome, sent, settings.retry_base_ms).await
}

/// What a receiver answered: its status, headers and first 4 KiB of body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// What was sent, and how long the answer took.
struct Sent {
    latency: Duration,
    payload: Option<String>,
}

/// The response's headers as received, at most `KEEP_BYTES` of them in all.
fn kept_headers(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    let mut kept = Vec::new();
    let mut size = 0;
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        size += name.as_str().len() + value.len();
        if size > KEEP_BYTES {
            break;
        }
        kept.push((name.as_str().to_owned(), value));
    }
    kept
}

async fn send(
    settings: &WebhookSettings,
    endpoint: &EndpointRow,
    d: &DeliveryRow,
    body: &[u8],
) -> Result<Answer, String> {
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
    let headers = kept_headers(response.headers());
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
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&kept).into_owned(),
    })
}

enum Outcome {
    Delivered(Answer),
    Failed(Option<Answer>, String),
    Gone(&'static str),
}

/// An attempt that was not sent (the endpoint is gone or disabled).
async fn finish(db: &Db, d: &DeliveryRow, outcome: Outcome) -> Result<(), Error> {
    let sent = Sent {
        latency: Duration::ZERO,
        payload: None,
    };
    finish_with(db, d, outcome, sent, 0).await
}

/// Records the attempt's outcome on its delivery and in its history, in one transaction.
async fn finish_with(
    db: &Db,
    d: &DeliveryRow,
    outcome: Outcome,
    sent: Sent,
    base_ms: i64,
) -> Result<(), Error> {
    let attempts = d.attempts + 1;
    let now_ms = clock::now_ms();
    // An attempt that reached (or tried to reach) the receiver counts toward the
    // endpoint's run of failures; one skipped because the endpoint is gone does not.
    let counts = !matches!(outcome, Outcome::Gone(_));
    let (status, next, error, answer) = match outcome {
        Outcome::Delivered(answer) => ("delivered", now_ms, None, Some(answer)),
        Outcome::Gone(why) => ("failed", now_ms, Some(why.to_owned()), None),
        Outcome::Failed(answer, why) if attempts >= ATTEMPTS => {
            ("failed", now_ms, Some(why), answer)
        }
        Outcome::Failed(answer, why) => (
            "pending",
            now_ms + crate::retry::backoff_ms(base_ms, attempts, CAP_MS),
            Some(why),
            answer,
        ),
    };
    crate::telemetry::metrics::webhook_attempt(if status == "delivered" {
        "delivered"
    } else {
        "failed"
    });
    let latency_us = sent.latency.as_micros().min(i64::MAX as u128) as i64;
    let latency_ms = (latency_us / 1000).min(i64::from(i32::MAX)) as i32;
    let http = answer.as_ref().map(|a| i32::from(a.status));
    let record = AttemptRow {
        id: crate::ids::time_ordered_id("wha"),
        delivery_id: d.id.clone(),
        attempted_at: now_ms,
        status_code: http,
        latency_us,
        error: error.clone(),
        response_headers: answer
            .as_ref()
            .map(|a| serde_json::to_string(&a.headers).unwrap_or_default()),
        response_body: answer.as_ref().map(|a| a.body.clone()),
        request_body: sent.payload,
    };
    let (id, endpoint_id) = (d.id.clone(), d.endpoint_id.clone());
    db.run(move |c| {
        crate::db::transaction(c, |c| {
            DeliveryRow::record_attempt(
                c,
                &id,
                status,
                attempts,
                next,
                http,
                error.as_deref(),
                latency_ms,
                answer.as_ref().map(|a| a.body.as_str()),
                now_ms / 1000,
            )?;
            record.insert(c)?;
            if counts {
                super::endpoints::note_attempt(
                    c,
                    &endpoint_id,
                    status == "delivered",
                    clock::now(),
                )?;
            }
            Ok(())
        })
    })
    .await
}

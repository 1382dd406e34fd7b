//! What the Webhooks pages show of an endpoint and of a delivery.

use serde::Deserialize;

use crate::accounts::Principal;
use crate::clock;
use crate::db::models::webhooks::{DeliveryRow, EndpointRow};

pub struct EndpointLine {
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub mode: &'static str,
    pub status: String,
    pub api_key: Option<String>,
    pub api_version: String,
    pub created: String,
    pub created_by: String,
    pub disabled_reason: Option<String>,
    /// Whether this person may edit, enable or roll it (live endpoints are Admins').
    pub can_manage: bool,
}

impl EndpointLine {
    pub(super) fn of(r: &EndpointRow, who: &Principal) -> Self {
        Self {
            id: r.id.clone(),
            url: r.url.clone(),
            description: r.description.clone(),
            events: if r.enabled_events.split_whitespace().any(|e| e == "*") {
                "All events".into()
            } else {
                r.enabled_events
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            mode: if r.livemode { "live" } else { "test" },
            status: r.status.clone(),
            api_key: r.api_key_id.clone(),
            api_version: r.api_version.clone().unwrap_or_default(),
            created: clock::display(r.created_at),
            created_by: r.created_by.clone(),
            disabled_reason: r.disabled_reason.clone(),
            can_manage: crate::keys::policy::may_manage_endpoint(who, r.livemode).is_ok(),
        }
    }
}

pub struct DeliveryLine {
    pub id: String,
    pub event: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub result: String,
    pub latency: String,
    pub next: String,
    pub time: String,
}

impl DeliveryLine {
    pub(super) fn of(d: &DeliveryRow) -> Self {
        Self {
            id: d.id.clone(),
            event: d.event_id.clone(),
            event_type: d.event_type.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            result: match (d.last_status, &d.last_error) {
                (Some(code), _) if (200..300).contains(&code) => format!("{code}"),
                (Some(code), _) => format!("{code} (not 2xx)"),
                (None, Some(e)) => e.clone(),
                (None, None) => "Not attempted yet".into(),
            },
            latency: d
                .last_latency_ms
                .filter(|_| d.attempts > 0)
                .map(|ms| format!("{ms} ms"))
                .unwrap_or_default(),
            next: if d.status == "pending" {
                clock::display(d.next_attempt_at / 1000)
            } else {
                String::new()
            },
            time: clock::display(d.created_at),
        }
    }
}

/// A latency in microseconds as people read it: two significant digits below 10 ms
/// (`0.34 ms`, `2.5 ms`), whole milliseconds above.
pub(super) fn latency(us: i64) -> String {
    let ms = us as f64 / 1000.0;
    match ms {
        m if m >= 10.0 => format!("{} ms", m.round() as i64),
        m if m >= 1.0 => format!("{m:.1} ms"),
        m if m >= 0.1 => format!("{m:.2} ms"),
        m => format!("{m:.3} ms"),
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    pub(super) done: Option<String>,
}

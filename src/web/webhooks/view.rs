//! What the Webhooks pages show of an endpoint and of a delivery.

use serde::Deserialize;

use crate::accounts::Principal;
use crate::db::models::webhooks::{DeliveryRow, EndpointRow};
use crate::web::shown::{self, Time};

pub struct EndpointLine {
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub mode: &'static str,
    pub status: String,
    pub api_key: Option<String>,
    pub api_version: String,
    pub created: Time,
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
            created: Time::at(r.created_at),
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
    pub next: Option<Time>,
    pub time: Time,
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
                .map(shown::latency_whole_ms)
                .unwrap_or_default(),
            next: (d.status == "pending").then(|| Time::at_ms(d.next_attempt_at)),
            time: Time::at(d.created_at),
        }
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    pub(super) done: Option<String>,
}

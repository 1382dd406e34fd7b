//! Webhooks (SPEC §9): endpoints with sealed signing secrets (`endpoints`), delivery rows
//! written in the same transaction as their event (`outbox`), and the worker that
//! claims due rows, signs, posts and schedules retries (`deliver`), never to a private
//! address (`ssrf`). No HTTP handlers here: `api/webhooks.rs` is the edge.

pub mod bound;
pub mod deliver;
pub mod deliveries;
pub mod endpoints;
pub mod listen;
pub mod ssrf;

use crate::crypto::Sealer;
use crate::error::Error;

/// The event types of SPEC §9 an endpoint may subscribe to (`*` is all of them).
pub const EVENT_TYPES: &[&str] = &[
    "customer.created",
    "customer.updated",
    "plan.created",
    "payment.succeeded",
    "payment.failed",
    "refund.created",
    "subscription.created",
    "subscription.updated",
    "subscription.canceled",
    "client_session.created",
    "client_session.updated",
    "api_key.created",
    "api_key.updated",
    "api_key.suspended",
    "api_key.reactivated",
    "api_key.revoked",
    "api_key.rolled",
    "api_key.expiring",
    "api_key.expired",
    "api_key.exposed",
    "api_key.canary_triggered",
    "webhook_endpoint.disabled",
    "ping",
];

/// An endpoint's `enabled_events`: names from the catalogue, or `*`. An unknown name is
/// refused by name, so a typo does not make an endpoint that silently gets nothing.
pub fn check_events(events: &[String]) -> Result<(), Error> {
    let unknown: Vec<&str> = events
        .iter()
        .map(String::as_str)
        .filter(|e| *e != "*" && !EVENT_TYPES.contains(e))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::field(
        "enabled_events",
        format!(
            "unknown event type {}: use names such as payment.succeeded, or \"*\" for all",
            unknown.join(", ")
        ),
    ))
}

/// What webhooks need from the configuration.
#[derive(Clone)]
pub struct WebhookSettings {
    /// Seals and opens signing secrets (a key derived from PAYDESK_SECRET).
    pub sealer: Sealer,
    /// `PAYDESK_WEBHOOK_RETRY_BASE_MS`: attempt n+1 waits base × 2^(n−1).
    pub retry_base_ms: i64,
    /// `PAYDESK_WEBHOOK_ALLOW_PRIVATE`: local development and tests only.
    pub allow_private: bool,
}

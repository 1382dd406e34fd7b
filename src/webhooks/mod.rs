//! Webhooks (SPEC §9): endpoints with sealed signing secrets (`endpoints`), delivery rows
//! written in the same transaction as their event (`outbox`), and the worker that
//! claims due rows, signs, posts and schedules retries (`deliver`), never to a private
//! address (`ssrf`). No HTTP handlers here: `api/webhooks.rs` is the edge.

pub mod deliver;
pub mod endpoints;
pub mod listen;
pub mod ssrf;

use crate::crypto::Sealer;

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

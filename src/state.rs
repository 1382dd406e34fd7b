//! What every handler shares: the database, the token issuer, the gate's two seams (the
//! verified-key cache and the rate limiter) and the background recorders. Built by
//! `startup.rs`, read by `api/`, `web/` and `health.rs`.

use std::sync::Arc;

use actix_web::{HttpRequest, web};
use hmac::{Hmac, Mac};
use ipnetwork::IpNetwork;
use sha2::Sha256;

use crate::accounts::tokens::Tokens;
use crate::db::Db;
use crate::keys::cache::KeyCache;
use crate::keys::invalidation::ListenerState;
use crate::keys::limiter::RateLimiter;
use crate::keys::usage::UsageRecorder;

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub tokens: Tokens,
    pub trusted_proxies: Vec<IpNetwork>,
    /// Key uses waiting to be written as `last_used_at` / `last_used_ip`.
    pub usage: Arc<UsageRecorder>,
    /// What the gate knows about keys, by SHA-256 of the presented key.
    pub keys: Arc<KeyCache>,
    /// Per-key request counts for the current minute (in memory or in Redis).
    pub rate_limits: Arc<dyn RateLimiter>,
    /// Whether this instance hears other instances' key changes.
    pub listener: Arc<ListenerState>,
}

impl AppState {
    /// The state registered in `Application::build`; every app built there has it.
    pub fn of(req: &HttpRequest) -> &web::Data<AppState> {
        req.app_data::<web::Data<AppState>>()
            .expect("AppState is registered at start-up")
    }

    /// The client's address as text, for the audit log (trusted proxies applied).
    pub fn client_ip(req: &HttpRequest) -> String {
        crate::net::client_ip_string(req, &Self::of(req).trusted_proxies)
    }
}

/// A key for one purpose, derived from PAYDESK_SECRET, so no two uses share key material.
pub fn derive_key(secret: &[u8], purpose: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

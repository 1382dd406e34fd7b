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
use crate::telemetry::request_log::RequestLog;

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub tokens: Tokens,
    pub trusted_proxies: Vec<IpNetwork>,
    /// Canary uses already reported this hour, so a flood writes nothing.
    pub canaries: crate::keys::exposure::CanaryWatch,
    /// Key uses waiting to be written as `last_used_at` / `last_used_ip`.
    pub usage: Arc<UsageRecorder>,
    /// Request log lines and per-key usage counters waiting to be written.
    pub request_log: Arc<RequestLog>,
    /// What the gate knows about keys, by SHA-256 of the presented key.
    pub keys: Arc<KeyCache>,
    /// Objects the API read by id (`GET /customers/{id}`), forgotten with the keys'.
    pub objects: Arc<crate::db::read_cache::ReadCache>,
    /// Per-key request counts for the current minute (in memory or in Redis).
    pub rate_limits: Arc<dyn RateLimiter>,
    /// Whether this instance hears other instances' key changes.
    pub listener: Arc<ListenerState>,
    /// `PAYDESK_PUBLIC_URL`: our origin, when it is configured.
    pub public_url: Option<String>,
    /// Seals and opens two-factor secrets (a key derived from PAYDESK_SECRET).
    pub totp: crate::crypto::Sealer,
    /// Recovery-code and device-cookie keys (derived from PAYDESK_SECRET).
    pub accounts: crate::accounts::secrets::AccountKeys,
    /// Whether cookies are marked Secure (`PAYDESK_COOKIE_SECURE`).
    pub cookie_secure: bool,
    /// Webhook signing secrets and delivery settings.
    pub webhooks: crate::webhooks::WebhookSettings,
}

impl AppState {
    /// The state registered in `Application::build`; every app built there has it.
    pub fn of(req: &HttpRequest) -> &web::Data<AppState> {
        req.app_data::<web::Data<AppState>>()
            .expect("AppState is registered at start-up")
    }

    /// Our origin (`https://pay.example.com`): `PAYDESK_PUBLIC_URL`, else the scheme and
    /// host this request arrived with (`X-Forwarded-Proto` and `X-Forwarded-Host` believed
    /// only from `PAYDESK_TRUSTED_PROXIES`).
    pub fn origin(req: &HttpRequest) -> String {
        let state = Self::of(req);
        if let Some(url) = &state.public_url {
            return url.clone();
        }
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').next().unwrap_or("").trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let from_proxy = req
            .peer_addr()
            .is_some_and(|p| crate::net::is_trusted(p.ip(), &state.trusted_proxies));
        let forwarded = |name| if from_proxy { header(name) } else { None };
        let scheme = forwarded("x-forwarded-proto")
            .filter(|p| p == "https" || p == "http")
            .unwrap_or_else(|| {
                // Not `connection_info()`: it believes forwarded headers from anyone.
                if req.app_config().secure() {
                    "https"
                } else {
                    "http"
                }
                .to_owned()
            });
        let scheme = if scheme == "https" { "https" } else { "http" };
        let host = forwarded("x-forwarded-host")
            .or_else(|| header("host"))
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            })
            .unwrap_or_else(|| "localhost".into());
        format!("{scheme}://{host}")
    }

    /// What sign-in needs besides the database.
    pub fn sign_in_keys(&self) -> crate::accounts::SignInKeys<'_> {
        crate::accounts::SignInKeys {
            tokens: &self.tokens,
            totp: &self.totp,
            secrets: &self.accounts,
        }
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

//! Key verification, on every API request: checksum first (garbage never reaches the
//! database), then one indexed lookup by SHA-256, then status, expiry and merchant
//! checks. No argon2 here; the caller runs this on the blocking pool.

use std::net::IpAddr;

use subtle::ConstantTimeEq;

use super::format::{self, KeyKind, Mode};
use super::permissions::Access;
use super::service::{ApiKey, KeyStatus};
use crate::clock;
use crate::db::DbConn;
use crate::db::models::api_key::ApiKeyRow;
use crate::error::Error;

/// What a request presented. Its Debug output never shows the secret.
#[derive(Clone)]
pub enum Credential {
    /// `Authorization: Bearer sk_…` or `pk_…`.
    Bearer(String),
    /// `X-API-Key: pk_…` with `X-API-Secret: sk_…`; the secret decides the access.
    Pair { publishable: String, secret: String },
}

/// Why a key was refused, in the order SPEC §4 checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    InvalidKey(&'static str),
    Expired,
    Suspended,
    LiveModeUnavailable,
}

/// A key that may be used, and what it may do. Its Debug output never shows the secret.
#[derive(Clone)]
pub struct VerifiedKey {
    pub key_id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub mode: Mode,
    pub kind: KeyKind,
    pub access: Access,
    pub allowed_ips: Vec<ipnetwork::IpNetwork>,
    pub rate_limit: i32,
    pub api_version: Option<String>,
    pub require_signature: bool,
    /// The secret key string when one was presented (signatures are keyed with it).
    pub secret: Option<String>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Bearer(k) => write!(f, "Bearer({})", format::hint(k)),
            Credential::Pair {
                publishable,
                secret,
            } => write!(f, "Pair({publishable}, {})", format::hint(secret)),
        }
    }
}

impl std::fmt::Debug for VerifiedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedKey")
            .field("key_id", &self.key_id)
            .field("merchant_id", &self.merchant_id)
            .field("mode", &self.mode)
            .field("kind", &self.kind)
            .field("access", &self.access)
            .field("secret", &self.secret.as_deref().map(format::hint))
            .finish_non_exhaustive()
    }
}

impl VerifiedKey {
    /// True when `ip` is in the allowlist (empty = any address).
    pub fn allows_ip(&self, ip: IpAddr) -> bool {
        let ip = crate::net::canonical(ip);
        self.allowed_ips.is_empty() || self.allowed_ips.iter().any(|n| n.contains(ip))
    }
}

pub fn verify(
    conn: &mut DbConn,
    credential: &Credential,
) -> Result<Result<VerifiedKey, Refusal>, Error> {
    let (presented, kind, pair_publishable) = match credential {
        Credential::Bearer(key) => match format::parse(key) {
            Some(shape) => (key.as_str(), shape.kind, None),
            None => {
                return Ok(Err(Refusal::InvalidKey(
                    "This API key is not valid: check that it was copied whole.",
                )));
            }
        },
        Credential::Pair {
            publishable,
            secret,
        } => {
            let (Some(p), Some(s)) = (format::parse(publishable), format::parse(secret)) else {
                return Ok(Err(Refusal::InvalidKey(
                    "This API key is not valid: check that it was copied whole.",
                )));
            };
            if p.kind != KeyKind::Publishable || s.kind != KeyKind::Secret {
                return Ok(Err(Refusal::InvalidKey(
                    "X-API-Key takes the publishable key (pk_…) and X-API-Secret the secret key (sk_…).",
                )));
            }
            (secret.as_str(), KeyKind::Secret, Some(publishable.as_str()))
        }
    };
    let row = match kind {
        KeyKind::Secret => ApiKeyRow::find_for_request(conn, Some(&format::hash(presented)), None)?,
        KeyKind::Publishable => ApiKeyRow::find_for_request(conn, None, Some(presented))?,
    };
    let Some((row, merchant)) = row else {
        return Ok(Err(Refusal::InvalidKey(
            "No such API key: it may have been deleted, or belong to another account.",
        )));
    };
    if let Some(p) = pair_publishable
        && !bool::from(p.as_bytes().ct_eq(row.publishable_key.as_bytes()))
    {
        return Ok(Err(Refusal::InvalidKey(
            "X-API-Key and X-API-Secret do not belong to the same key pair.",
        )));
    }
    let key = ApiKey::from_row(row, clock::now());
    match key.status {
        KeyStatus::Revoked => {
            return Ok(Err(Refusal::InvalidKey("This API key has been revoked.")));
        }
        KeyStatus::Expired => return Ok(Err(Refusal::Expired)),
        KeyStatus::Suspended => return Ok(Err(Refusal::Suspended)),
        KeyStatus::Active => {}
    }
    if key.mode == Mode::Live && !merchant.verified {
        return Ok(Err(Refusal::LiveModeUnavailable));
    }
    Ok(Ok(VerifiedKey {
        key_id: key.row.id,
        merchant_id: merchant.id,
        merchant_name: merchant.name,
        mode: key.mode,
        kind,
        access: key.access,
        allowed_ips: key.allowed_ips,
        rate_limit: key.row.rate_limit,
        api_version: key.row.api_version,
        require_signature: key.row.require_signature,
        secret: (kind == KeyKind::Secret).then(|| presented.to_owned()),
    }))
}

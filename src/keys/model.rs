//! What a key is, as people and scripts see it: its status and its stored settings read
//! back. Never its secret, except in [`CreatedKey`], right after create or roll.

use ipnetwork::IpNetwork;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::format::Mode;
use super::permissions::Access;
use crate::clock;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::spend::SpendLimit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Active,
    Suspended,
    Revoked,
    Expired,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Suspended => "suspended",
            KeyStatus::Revoked => "revoked",
            KeyStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            KeyStatus::Active,
            KeyStatus::Suspended,
            KeyStatus::Revoked,
            KeyStatus::Expired,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// An API key as the key-management API shows it: everything but the secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyObject {
    #[schema(pattern = "^key_")]
    pub id: String,
    #[schema(pattern = "^api_key$")]
    pub object: &'static str,
    pub name: String,
    /// `test` or `live`.
    #[schema(pattern = "^(test|live)$")]
    pub mode: &'static str,
    pub livemode: bool,
    /// `active`, `suspended`, `revoked` or `expired`.
    #[schema(pattern = "^(active|suspended|revoked|expired)$")]
    pub status: &'static str,
    #[schema(pattern = "^pk_(test|live)_")]
    pub publishable_key: String,
    /// The last characters of the secret key, to recognise it.
    pub secret_hint: String,
    #[schema(schema_with = super::permissions::schema)]
    pub permissions: Value,
    /// The permissions as scopes, such as `payments:write`.
    pub scopes: Vec<String>,
    /// Addresses and CIDR blocks the key may be used from; empty means anywhere.
    pub allowed_ips: Vec<String>,
    /// Requests per minute.
    pub rate_limit: i32,
    #[schema(schema_with = crate::schema::timestamp_or_null)]
    pub expires_at: Option<String>,
    /// The pinned API version, if any.
    pub api_version: Option<String>,
    pub require_signature: bool,
    #[schema(schema_with = crate::schema::timestamp)]
    pub created_at: String,
    pub created_by: String,
    /// The key that replaced this one when it was rolled.
    pub rolled_to: Option<String>,
    #[schema(schema_with = crate::schema::timestamp_or_null)]
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    /// A canary key: every use answers like an unknown key and is reported.
    pub canary: bool,
    /// Why a revoked key was revoked: `user`, or `exposed` (reported leaked).
    pub revoked_reason: Option<String>,
    /// Where a leaked key was found, when it was reported.
    pub exposed_url: Option<String>,
    /// At most this much money per UTC hour or day (SPEC §17); empty for no limit.
    pub spend_limits: Vec<SpendLimit>,
    /// A live key that breaks a rule of the key policy set after it was made.
    pub outside_policy: bool,
}

/// A key as people and scripts see it: everything but the secret.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub row: ApiKeyRow,
    pub mode: Mode,
    pub access: Access,
    pub allowed_ips: Vec<IpNetwork>,
    pub status: KeyStatus,
    pub spend_limits: Vec<SpendLimit>,
    /// A live key that breaks a rule of the merchant's key policy made after it (SPEC
    /// §17). False until the service reads the policy (`key_policy::mark`).
    pub outside_policy: bool,
}

impl ApiKey {
    pub fn from_row(row: ApiKeyRow, now: i64) -> Self {
        let status = match row.status.as_str() {
            "revoked" => KeyStatus::Revoked,
            _ if row.expires_at.is_some_and(|at| at <= now) => KeyStatus::Expired,
            "suspended" => KeyStatus::Suspended,
            "active" => KeyStatus::Active,
            // Unknown stored values fail closed.
            _ => KeyStatus::Revoked,
        };
        Self {
            mode: Mode::parse(&row.mode).unwrap_or(Mode::Test),
            access: Access::from_storage(&row.permissions),
            allowed_ips: parse_stored_ips(&row.allowed_ips),
            spend_limits: SpendLimit::parse_stored(&row.spend_limits),
            outside_policy: false,
            status,
            row,
        }
    }

    /// The key object of SPEC §6.
    pub fn view(&self) -> KeyObject {
        let r = &self.row;
        KeyObject {
            id: r.id.clone(),
            object: "api_key",
            name: r.name.clone(),
            mode: self.mode.as_str(),
            livemode: self.mode == Mode::Live,
            status: self.status.as_str(),
            publishable_key: r.publishable_key.clone(),
            secret_hint: r.secret_hint.clone(),
            permissions: self.access.to_json(),
            scopes: self.access.scopes(),
            allowed_ips: self.allowed_ip_strings(),
            rate_limit: r.rate_limit,
            expires_at: r.expires_at.map(clock::rfc3339),
            api_version: r.api_version.clone(),
            require_signature: r.require_signature,
            created_at: clock::rfc3339(r.created_at),
            created_by: r.created_by.clone(),
            rolled_to: r.rolled_to.clone(),
            last_used_at: r.last_used_at.map(clock::rfc3339),
            last_used_ip: r.last_used_ip.clone(),
            canary: r.canary,
            revoked_reason: (self.status == KeyStatus::Revoked)
                .then(|| r.revoked_reason.clone().unwrap_or_else(|| "user".into())),
            exposed_url: r.exposed_url.clone(),
            spend_limits: self.spend_limits.clone(),
            outside_policy: self.outside_policy,
        }
    }

    /// `10.0.0.0/24`, and a single address without its `/32` or `/128`.
    pub fn allowed_ip_strings(&self) -> Vec<String> {
        self.allowed_ips
            .iter()
            .map(|n| display_network(*n))
            .collect()
    }
}

pub(crate) fn display_network(n: IpNetwork) -> String {
    let full = match n {
        IpNetwork::V4(_) => 32,
        IpNetwork::V6(_) => 128,
    };
    if n.prefix() == full {
        n.ip().to_string()
    } else {
        format!("{}/{}", n.network(), n.prefix())
    }
}

pub fn parse_stored_ips(s: &str) -> Vec<IpNetwork> {
    s.split_whitespace()
        .filter_map(|e| e.parse().ok())
        .collect()
}

/// A key just made, with its secret: shown once, then gone.
pub struct CreatedKey {
    pub key: ApiKey,
    pub secret: String,
}

//! Key verification, on every API request, in two halves:
//! - [`present`] reads what the request presented: format and checksum first, so garbage
//!   never reaches the cache or the database, then SHA-256 of the presented key, which
//!   is what the cache is keyed by;
//! - [`check`] decides about a found [`KeyRecord`]: status, expiry (from the record's
//!   `expires_at`, at use time), pair and merchant checks. Pure and cheap.
//!
//! In between, the record comes from the verified-key cache (`keys/cache.rs`), which
//! asks a [`KeyStore`] (the database) on a miss. No argon2 anywhere here.

use std::net::IpAddr;
use std::ops::Deref;
use std::sync::Arc;

use subtle::ConstantTimeEq;

use super::format::{self, KeyKind, Mode};
use super::management::{self, MachineGrant};
use super::model::parse_stored_ips;
use super::permissions::Access;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::management_key::ManagementKeyRow;
use crate::db::models::merchant::Merchant;
use crate::db::{Db, DbConn};
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

/// How the store finds a key: secret keys by the hex SHA-256 stored for them,
/// publishable keys by their (public) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    SecretHash(String),
    Publishable(String),
    /// A management key (SPEC §17), by the hex SHA-256 stored for it.
    ManagementHash(String),
}

/// What the gate needs to know about a key, as the store has it. This is what the
/// verified-key cache holds: no secret, and nothing that depends on the time of use.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub key_id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub merchant_verified: bool,
    pub mode: Mode,
    pub publishable_key: String,
    /// `active`, `suspended` or `revoked` as stored; expiry is decided at use time.
    pub status: String,
    pub expires_at: Option<i64>,
    pub access: Access,
    pub allowed_ips: Vec<ipnetwork::IpNetwork>,
    pub rate_limit: i32,
    pub api_version: Option<String>,
    pub require_signature: bool,
    /// Answered like an unknown key, and reported (SPEC §12).
    pub canary: bool,
    /// A management key's grant (SPEC §17); None for API keys. The gate refuses it.
    pub machine: Option<Arc<MachineGrant>>,
    /// Spend limits (SPEC §17): they travel with the key, so the gate reads nothing more.
    pub spend_limits: Vec<crate::db::models::spend::SpendLimit>,
}

impl KeyRecord {
    /// An active test key of merchant `mer_1` with full access and no limits, for tests
    /// and benchmarks that need a record without a database (change fields with `..`).
    pub fn sample(key_id: &str) -> Self {
        Self {
            key_id: key_id.into(),
            merchant_id: "mer_1".into(),
            merchant_name: "Acme".into(),
            merchant_verified: false,
            mode: Mode::Test,
            publishable_key: "pk_test".into(),
            status: "active".into(),
            expires_at: None,
            access: Access::from_storage("*"),
            allowed_ips: vec![],
            rate_limit: 100,
            api_version: None,
            require_signature: false,
            canary: false,
            machine: None,
            spend_limits: vec![],
        }
    }

    pub fn from_rows(row: ApiKeyRow, merchant: Merchant) -> Self {
        Self {
            mode: Mode::parse(&row.mode).unwrap_or(Mode::Test),
            access: Access::from_storage(&row.permissions),
            allowed_ips: parse_stored_ips(&row.allowed_ips),
            spend_limits: crate::db::models::spend::SpendLimit::parse_stored(&row.spend_limits),
            key_id: row.id,
            merchant_id: merchant.id,
            merchant_name: merchant.name,
            merchant_verified: merchant.verified,
            publishable_key: row.publishable_key,
            status: row.status,
            expires_at: row.expires_at,
            rate_limit: row.rate_limit,
            api_version: row.api_version,
            require_signature: row.require_signature,
            canary: row.canary,
            machine: None,
        }
    }

    /// A management key's row as a record (SPEC §17). The fields a management key has
    /// no use for are empty; [`check`] refuses such a record, so it can never stand for
    /// an API key at the gate.
    pub fn from_management(row: ManagementKeyRow, merchant: Merchant) -> Self {
        Self {
            key_id: row.id,
            merchant_id: merchant.id.clone(),
            merchant_name: merchant.name.clone(),
            merchant_verified: merchant.verified,
            mode: Mode::Test,
            publishable_key: String::new(),
            status: row.status,
            expires_at: Some(row.expires_at),
            access: Access::Scoped(Default::default()),
            allowed_ips: parse_stored_ips(&row.allowed_ips),
            rate_limit: 0,
            api_version: None,
            require_signature: false,
            canary: false,
            spend_limits: vec![],
            machine: Some(Arc::new(MachineGrant {
                merchant,
                name: row.name,
                scopes: management::parse_scopes(&row.scopes),
                live: row.live,
            })),
        }
    }
}

/// Where key records come from. Blocking: call it off the async workers.
pub trait KeyStore: Send + Sync + 'static {
    fn find(&self, lookup: &Lookup) -> Result<Option<KeyRecord>, Error>;
}

/// The database as a key store: one indexed query (key joined to its merchant).
pub struct DbKeyStore(pub Db);

impl KeyStore for DbKeyStore {
    fn find(&self, lookup: &Lookup) -> Result<Option<KeyRecord>, Error> {
        let mut conn = self.0.conn()?;
        find_record(&mut conn, lookup)
    }
}

pub fn find_record(conn: &mut DbConn, lookup: &Lookup) -> Result<Option<KeyRecord>, Error> {
    let found = match lookup {
        Lookup::SecretHash(hash) => ApiKeyRow::find_for_request(conn, Some(hash), None)?,
        Lookup::Publishable(pk) => ApiKeyRow::find_for_request(conn, None, Some(pk))?,
        Lookup::ManagementHash(hash) => {
            let found = ManagementKeyRow::find_for_request(conn, hash)?;
            return Ok(found.map(|(row, merchant)| KeyRecord::from_management(row, merchant)));
        }
    };
    Ok(found.map(|(row, merchant)| KeyRecord::from_rows(row, merchant)))
}

/// A well-formed credential, ready to be looked up. Its Debug output shows no secret.
pub struct Presented {
    pub kind: KeyKind,
    /// SHA-256 of the key that decides the access (the secret, for a pair).
    pub digest: [u8; 32],
    /// The publishable key sent beside a secret (`X-API-Key`), to check they belong.
    pub pair_publishable: Option<String>,
    /// The key that decides the access, as presented.
    key: String,
}

impl Presented {
    pub fn lookup(&self) -> Lookup {
        match self.kind {
            KeyKind::Secret => Lookup::SecretHash(crate::crypto::hex(&self.digest)),
            KeyKind::Publishable => Lookup::Publishable(self.key.clone()),
        }
    }
}

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presented")
            .field("kind", &self.kind)
            .field("key", &format::hint(&self.key))
            .finish_non_exhaustive()
    }
}

const NOT_VALID: Refusal =
    Refusal::InvalidKey("This API key is not valid: check that it was copied whole.");
pub const UNKNOWN: Refusal =
    Refusal::InvalidKey("No such API key: it may have been deleted, or belong to another account.");

/// Reads a credential: format and checksum, then the digest. No I/O, no copy.
pub fn present(credential: Credential) -> Result<Presented, Refusal> {
    match credential {
        Credential::Bearer(key) => {
            let shape = format::parse(&key).ok_or(NOT_VALID)?;
            Ok(Presented {
                kind: shape.kind,
                digest: format::digest(&key),
                pair_publishable: None,
                key,
            })
        }
        Credential::Pair {
            publishable,
            secret,
        } => {
            let (Some(p), Some(s)) = (format::parse(&publishable), format::parse(&secret)) else {
                return Err(NOT_VALID);
            };
            if p.kind != KeyKind::Publishable || s.kind != KeyKind::Secret {
                return Err(Refusal::InvalidKey(
                    "X-API-Key takes the publishable key (pk_…) and X-API-Secret the secret key (sk_…).",
                ));
            }
            Ok(Presented {
                kind: KeyKind::Secret,
                digest: format::digest(&secret),
                pair_publishable: Some(publishable),
                key: secret,
            })
        }
    }
}

/// A key that may be used: its record, and how it was presented. Its Debug output never
/// shows the secret.
#[derive(Clone)]
pub struct VerifiedKey {
    pub record: Arc<KeyRecord>,
    pub kind: KeyKind,
    /// The secret key string when one was presented (signatures are keyed with it).
    pub secret: Option<String>,
}

impl Deref for VerifiedKey {
    type Target = KeyRecord;

    fn deref(&self) -> &KeyRecord {
        &self.record
    }
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

/// Decides about the record found for a presented key, at time `now` (Unix seconds).
pub fn check(
    record: Option<Arc<KeyRecord>>,
    presented: Presented,
    now: i64,
) -> Result<VerifiedKey, Refusal> {
    let record = record.ok_or(UNKNOWN)?;
    // A management key is no API key, whatever its digest found (SPEC §17).
    if record.machine.is_some() {
        return Err(UNKNOWN);
    }
    if let Some(p) = &presented.pair_publishable
        && !bool::from(p.as_bytes().ct_eq(record.publishable_key.as_bytes()))
    {
        return Err(Refusal::InvalidKey(
            "X-API-Key and X-API-Secret do not belong to the same key pair.",
        ));
    }
    match record.status.as_str() {
        "revoked" => return Err(Refusal::InvalidKey("This API key has been revoked.")),
        _ if record.expires_at.is_some_and(|at| at <= now) => return Err(Refusal::Expired),
        "suspended" => return Err(Refusal::Suspended),
        "active" => {}
        // Unknown stored values fail closed.
        _ => return Err(Refusal::InvalidKey("This API key has been revoked.")),
    }
    if record.mode == Mode::Live && !record.merchant_verified {
        return Err(Refusal::LiveModeUnavailable);
    }
    Ok(VerifiedKey {
        record,
        kind: presented.kind,
        secret: (presented.kind == KeyKind::Secret).then_some(presented.key),
    })
}

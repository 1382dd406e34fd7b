//! Key operations shared by the Hub pages and the key-management API: create, list,
//! show, edit, suspend, reactivate, roll, revoke. Each checks the actor's role, writes the
//! audit log and never returns a secret except from create and roll.

use std::net::IpAddr;

use diesel::Connection;
use ipnetwork::IpNetwork;
use serde_json::{Value, json};

use super::format::{self, KeyKind, Mode};
use super::permissions::Access;
use crate::accounts::Principal;
use crate::clock;
use crate::db::models::api_key::{ApiKeyRow, KeyChanges};
use crate::db::models::audit::AuditEntry;
use crate::db::models::user::Role;
use crate::db::{DbConn, changes};
use crate::error::{Error, FieldErrors};
use crate::versions;

pub const DEFAULT_RATE_LIMIT: i32 = 100;
pub const MAX_RATE_LIMIT: i32 = 100_000;
/// The grace periods a roll offers, in seconds: none, 1 h, 24 h, 7 d.
pub const ROLL_GRACE_SECONDS: [i64; 4] = [0, 3_600, 86_400, 604_800];
const MAX_EXPIRY_DAYS: i64 = 3_650;
const MAX_ALLOWED_IPS: usize = 100;

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

/// A key as people and scripts see it: everything but the secret.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub row: ApiKeyRow,
    pub mode: Mode,
    pub access: Access,
    pub allowed_ips: Vec<IpNetwork>,
    pub status: KeyStatus,
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
            status,
            row,
        }
    }

    /// The key object of SPEC §6.
    pub fn to_json(&self) -> Value {
        let r = &self.row;
        json!({
            "id": r.id,
            "object": "api_key",
            "name": r.name,
            "mode": self.mode.as_str(),
            "livemode": self.mode == Mode::Live,
            "status": self.status.as_str(),
            "publishable_key": r.publishable_key,
            "secret_hint": r.secret_hint,
            "permissions": self.access.to_json(),
            "scopes": self.access.scopes(),
            "allowed_ips": self.allowed_ip_strings(),
            "rate_limit": r.rate_limit,
            "expires_at": r.expires_at.map(clock::rfc3339),
            "api_version": r.api_version,
            "require_signature": r.require_signature,
            "created_at": clock::rfc3339(r.created_at),
            "created_by": r.created_by,
            "rolled_to": r.rolled_to,
            "last_used_at": r.last_used_at.map(clock::rfc3339),
            "last_used_ip": r.last_used_ip,
        })
    }

    /// `10.0.0.0/24`, and a single address without its `/32` or `/128`.
    pub fn allowed_ip_strings(&self) -> Vec<String> {
        self.allowed_ips
            .iter()
            .map(|n| display_network(*n))
            .collect()
    }
}

fn display_network(n: IpNetwork) -> String {
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

/// The settings of a key as typed, before checking. Text fields hold what the person or
/// script sent, so errors can name it.
#[derive(Debug, Clone)]
pub struct KeyDraft {
    pub name: String,
    pub mode: String,
    /// Already read by the edge (matrix or JSON); Err holds the message for the field.
    pub permissions: Result<Access, String>,
    pub allowed_ips: Vec<String>,
    pub rate_limit: String,
    pub expires_in_days: String,
    pub api_version: String,
    pub require_signature: bool,
}

impl Default for KeyDraft {
    fn default() -> Self {
        Self {
            name: String::new(),
            mode: "test".into(),
            permissions: Ok(Access::Scoped(Default::default())),
            allowed_ips: vec![],
            rate_limit: String::new(),
            expires_in_days: String::new(),
            api_version: String::new(),
            require_signature: false,
        }
    }
}

/// A checked configuration.
struct KeyConfig {
    name: String,
    access: Access,
    allowed_ips: Vec<IpNetwork>,
    rate_limit: i32,
    api_version: Option<String>,
    require_signature: bool,
}

fn check_config(draft: &KeyDraft, errors: &mut FieldErrors) -> Option<KeyConfig> {
    let name = draft.name.trim().to_owned();
    if name.is_empty() {
        errors.insert(
            "name",
            "Give the key a label, such as \"Production backend\".".into(),
        );
    } else if name.chars().count() > 100 {
        errors.insert("name", "Use at most 100 characters.".into());
    }
    let access = match &draft.permissions {
        Ok(a) => Some(a.clone()),
        Err(e) => {
            errors.insert("permissions", e.clone());
            None
        }
    };
    let allowed_ips = match parse_allowed_ips(&draft.allowed_ips) {
        Ok(ips) => Some(ips),
        Err(e) => {
            errors.insert("allowed_ips", e);
            None
        }
    };
    let rate_limit = match draft.rate_limit.trim() {
        "" => Some(DEFAULT_RATE_LIMIT),
        text => {
            match text.parse::<i32>() {
                Ok(n) if (1..=MAX_RATE_LIMIT).contains(&n) => Some(n),
                _ => {
                    errors.insert(
                    "rate_limit",
                    format!("Enter a whole number of requests per minute from 1 to {MAX_RATE_LIMIT}."),
                );
                    None
                }
            }
        }
    };
    let api_version = match draft.api_version.trim() {
        "" => None,
        v if versions::is_supported(v) => Some(v.to_owned()),
        v => {
            errors.insert(
                "api_version",
                format!(
                    "{v:?} is not a Paydesk API version; use one of {}.",
                    versions::SUPPORTED.join(", ")
                ),
            );
            None
        }
    };
    Some(KeyConfig {
        name,
        access: access?,
        allowed_ips: allowed_ips?,
        rate_limit: rate_limit?,
        api_version,
        require_signature: draft.require_signature,
    })
}

/// IPv4/IPv6 addresses and CIDR blocks; the message names every bad entry.
pub fn parse_allowed_ips(entries: &[String]) -> Result<Vec<IpNetwork>, String> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        match parse_network(entry) {
            Some(net) => good.push(net),
            None => bad.push(format!("{entry:?}")),
        }
    }
    if !bad.is_empty() {
        return Err(format!(
            "Not an IP address or CIDR block: {}. Use entries like 203.0.113.7, 10.0.0.0/24 or 2001:db8::/64.",
            bad.join(", ")
        ));
    }
    if good.len() > MAX_ALLOWED_IPS {
        return Err(format!("Use at most {MAX_ALLOWED_IPS} entries."));
    }
    good.dedup();
    Ok(good)
}

fn parse_network(entry: &str) -> Option<IpNetwork> {
    let net: IpNetwork = entry.parse().ok()?;
    // `::ffff:a.b.c.d` is stored as the IPv4 address, matching how requests are read.
    let ip = crate::net::canonical(net.ip());
    let prefix = match (net.ip(), ip) {
        (IpAddr::V6(_), IpAddr::V4(_)) => net.prefix().checked_sub(96)?,
        _ => net.prefix(),
    };
    let net = IpNetwork::new(ip, prefix).ok()?;
    // Store the block, not the host inside it: 10.0.0.7/24 means 10.0.0.0/24.
    IpNetwork::new(net.network(), prefix).ok()
}

fn store_ips(ips: &[IpNetwork]) -> String {
    ips.iter()
        .map(|n| format!("{}/{}", n.network(), n.prefix()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Who may make a key: Admins and Developers use the Hub; only Admins make live keys
/// (create, or roll, which makes a new pair). Developers may still edit, suspend and
/// revoke live keys: whoever finds a leaked key must be able to stop it.
fn require_create(actor: &Principal, mode: Mode) -> Result<(), Error> {
    actor.require_hub()?;
    if mode == Mode::Live && actor.role() != Role::Admin {
        return Err(Error::forbidden("Only an Admin can create live keys."));
    }
    Ok(())
}

fn audit(
    conn: &mut DbConn,
    actor: &Principal,
    action: &str,
    key: &ApiKeyRow,
    ip: &str,
    detail: &str,
) -> Result<(), Error> {
    let detail = if detail.is_empty() {
        key.name.clone()
    } else {
        format!("{} — {detail}", key.name)
    };
    AuditEntry::record(
        conn,
        Some(&actor.merchant.id),
        &actor.user.email,
        action,
        &key.id,
        ip,
        &detail,
    )?;
    Ok(())
}

pub fn create_key(
    conn: &mut DbConn,
    actor: &Principal,
    draft: KeyDraft,
    ip: &str,
) -> Result<CreatedKey, Error> {
    actor.require_hub()?;
    let mut errors = FieldErrors::new();
    let mode = Mode::parse(draft.mode.trim());
    if mode.is_none() {
        errors.insert("mode", "Choose test or live.".into());
    }
    let config = check_config(&draft, &mut errors);
    let expires_at = match draft.expires_in_days.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(days) if (1..=MAX_EXPIRY_DAYS).contains(&days) => Some(clock::now() + days * 86_400),
            _ => {
                errors.insert("expires_in_days", format!("Enter a number of days from 1 to {MAX_EXPIRY_DAYS}, or leave it empty for no expiry."));
                None
            }
        },
    };
    let (Some(mode), Some(config), true) = (mode, config, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    require_create(actor, mode)?;
    if mode == Mode::Live && !actor.merchant.verified {
        return Err(Error::LiveModeUnavailable(
            "Live keys need a verified account. Ask the Paydesk operator to run `paydesk merchant verify`; until then use test keys.".into(),
        ));
    }
    let (row, secret) = new_row(actor, mode, config, expires_at);
    conn.transaction(|conn| {
        row.insert(conn)?;
        announce_new(conn, &row)?;
        audit(
            conn,
            actor,
            "api_key.created",
            &row,
            ip,
            &format!(
                "{} mode, {}",
                mode.as_str(),
                Access::from_storage(&row.permissions)
            ),
        )
    })?;
    Ok(CreatedKey {
        key: ApiKey::from_row(row, clock::now()),
        secret,
    })
}

fn new_row(
    actor: &Principal,
    mode: Mode,
    config: KeyConfig,
    expires_at: Option<i64>,
) -> (ApiKeyRow, String) {
    let secret = format::generate(KeyKind::Secret, mode);
    let now = clock::now();
    let row = ApiKeyRow {
        id: crate::ids::new_id("key"),
        merchant_id: actor.merchant.id.clone(),
        mode: mode.as_str().into(),
        name: config.name,
        publishable_key: format::generate(KeyKind::Publishable, mode),
        secret_hash: format::hash(&secret),
        secret_hint: format::hint(&secret),
        secret_revealed: false,
        permissions: config.access.to_storage(),
        allowed_ips: store_ips(&config.allowed_ips),
        rate_limit: config.rate_limit,
        expires_at,
        api_version: config.api_version,
        require_signature: config.require_signature,
        status: "active".into(),
        created_at: now,
        created_by: actor.user.email.clone(),
        updated_at: now,
        rolled_to: None,
        last_used_at: None,
        last_used_ip: None,
    };
    (row, secret)
}

/// A new key's hashes may sit in caches as "unknown" (if someone guessed them): drop them.
fn announce_new(conn: &mut DbConn, row: &ApiKeyRow) -> Result<(), Error> {
    changes::announce(conn, changes::hash(&row.secret_hash))?;
    let publishable = format::hex(&format::digest(&row.publishable_key));
    changes::announce(conn, changes::hash(&publishable))
}

/// Filters for the key list; None = all.
#[derive(Debug, Default, Clone)]
pub struct KeyFilter {
    pub mode: Option<Mode>,
    pub status: Option<KeyStatus>,
}

pub fn list_keys(
    conn: &mut DbConn,
    actor: &Principal,
    filter: &KeyFilter,
) -> Result<Vec<ApiKey>, Error> {
    actor.require_hub()?;
    let now = clock::now();
    let rows = ApiKeyRow::list(conn, &actor.merchant.id, filter.mode.map(Mode::as_str))?;
    Ok(rows
        .into_iter()
        .map(|r| ApiKey::from_row(r, now))
        .filter(|k| filter.status.is_none_or(|s| k.status == s))
        .collect())
}

pub fn get_key(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<ApiKey, Error> {
    actor.require_hub()?;
    Ok(ApiKey::from_row(
        ApiKeyRow::find(conn, &actor.merchant.id, id)?,
        clock::now(),
    ))
}

/// Recent audit entries about one key, newest first.
pub fn key_history(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
) -> Result<Vec<AuditEntry>, Error> {
    actor.require_hub()?;
    Ok(AuditEntry::list_for_target(
        conn,
        &actor.merchant.id,
        id,
        20,
    )?)
}

/// Changes to a key; None leaves a setting as it is.
#[derive(Debug, Default, Clone)]
pub struct KeyPatch {
    pub name: Option<String>,
    pub permissions: Option<Result<Access, String>>,
    pub allowed_ips: Option<Vec<String>>,
    pub rate_limit: Option<String>,
    pub api_version: Option<String>,
    pub require_signature: Option<bool>,
}

pub fn update_key(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    patch: KeyPatch,
    ip: &str,
) -> Result<ApiKey, Error> {
    let key = get_key(conn, actor, id)?;
    if key.status == KeyStatus::Revoked {
        return Err(Error::InvalidState(
            "This key is revoked; revoked keys cannot be changed.".into(),
        ));
    }
    let draft = KeyDraft {
        name: patch.name.unwrap_or_else(|| key.row.name.clone()),
        mode: key.mode.as_str().into(),
        permissions: patch.permissions.unwrap_or_else(|| Ok(key.access.clone())),
        allowed_ips: patch
            .allowed_ips
            .unwrap_or_else(|| key.allowed_ip_strings()),
        rate_limit: patch
            .rate_limit
            .unwrap_or_else(|| key.row.rate_limit.to_string()),
        expires_in_days: String::new(),
        api_version: patch
            .api_version
            .unwrap_or_else(|| key.row.api_version.clone().unwrap_or_default()),
        require_signature: patch.require_signature.unwrap_or(key.row.require_signature),
    };
    let mut errors = FieldErrors::new();
    let config = check_config(&draft, &mut errors);
    let (Some(config), true) = (config, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let changes = KeyChanges {
        name: config.name,
        permissions: config.access.to_storage(),
        allowed_ips: store_ips(&config.allowed_ips),
        rate_limit: config.rate_limit,
        api_version: config.api_version,
        require_signature: config.require_signature,
        updated_at: clock::now(),
    };
    let detail = describe_changes(&key.row, &changes);
    conn.transaction(|conn| {
        ApiKeyRow::update(conn, &key.row.id, &changes)?;
        changes::announce(conn, changes::key(&key.row.id))?;
        audit(conn, actor, "api_key.updated", &key.row, ip, &detail)
    })?;
    get_key(conn, actor, id)
}

fn describe_changes(old: &ApiKeyRow, new: &KeyChanges) -> String {
    let mut parts = Vec::new();
    if old.name != new.name {
        parts.push(format!("label → {}", new.name));
    }
    if old.permissions != new.permissions {
        parts.push(format!(
            "permissions → {}",
            Access::from_storage(&new.permissions)
        ));
    }
    if old.allowed_ips != new.allowed_ips {
        parts.push(format!(
            "allowed IPs → {}",
            if new.allowed_ips.is_empty() {
                "any"
            } else {
                &new.allowed_ips
            }
        ));
    }
    if old.rate_limit != new.rate_limit {
        parts.push(format!("rate limit → {}/min", new.rate_limit));
    }
    if old.api_version != new.api_version {
        parts.push(format!(
            "version → {}",
            new.api_version.as_deref().unwrap_or("account default")
        ));
    }
    if old.require_signature != new.require_signature {
        parts.push(format!("signature required → {}", new.require_signature));
    }
    if parts.is_empty() {
        "no change".into()
    } else {
        parts.join("; ")
    }
}

/// A status change: which statuses it starts from, where it goes, its audit action, and
/// what to say when the key is in no state to make it.
struct Transition {
    from: &'static [&'static str],
    to: &'static str,
    action: &'static str,
    refusal: &'static str,
}

const SUSPEND: Transition = Transition {
    from: &["active"],
    to: "suspended",
    action: "api_key.suspended",
    refusal: "Only an active key can be suspended; this one is revoked.",
};
const REACTIVATE: Transition = Transition {
    from: &["suspended"],
    to: "active",
    action: "api_key.reactivated",
    refusal: "A revoked key cannot be reactivated; create a new key instead.",
};
const REVOKE: Transition = Transition {
    from: &["active", "suspended"],
    to: "revoked",
    action: "api_key.revoked",
    refusal: "This key is already revoked.",
};

fn change_status(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
    t: &Transition,
) -> Result<ApiKey, Error> {
    let key = get_key(conn, actor, id)?;
    if key.status == KeyStatus::Revoked && t.to != "revoked" {
        return Err(Error::InvalidState(t.refusal.into()));
    }
    if key.row.status == t.to {
        return Ok(key);
    }
    let changed = conn.transaction(|conn| {
        let changed = ApiKeyRow::set_status(conn, &key.row.id, t.from, t.to, clock::now())?;
        if changed {
            changes::announce(conn, changes::key(&key.row.id))?;
            audit(conn, actor, t.action, &key.row, ip, "")?;
        }
        Ok::<_, Error>(changed)
    })?;
    if !changed {
        return Err(Error::InvalidState(t.refusal.into()));
    }
    get_key(conn, actor, id)
}

pub fn suspend_key(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<ApiKey, Error> {
    change_status(conn, actor, id, ip, &SUSPEND)
}

pub fn reactivate_key(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<ApiKey, Error> {
    change_status(conn, actor, id, ip, &REACTIVATE)
}

/// Revocation is terminal and immediate. Revoking a revoked key changes nothing.
pub fn revoke_key(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<ApiKey, Error> {
    change_status(conn, actor, id, ip, &REVOKE)
}

/// A new pair with the same configuration; the old key keeps working for `grace_seconds`
/// (one of `ROLL_GRACE_SECONDS`) and then expires, never later than its own expiry.
pub fn roll_key(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    grace_seconds: i64,
    ip: &str,
) -> Result<CreatedKey, Error> {
    let old = get_key(conn, actor, id)?;
    require_create(actor, old.mode)?;
    if !ROLL_GRACE_SECONDS.contains(&grace_seconds) {
        return Err(Error::field(
            "grace_period_seconds",
            "Choose a grace period of 0, 3600 (1 hour), 86400 (24 hours) or 604800 (7 days) seconds.",
        ));
    }
    if let Some(next) = &old.row.rolled_to {
        return Err(Error::InvalidState(format!(
            "This key was already rolled; its successor is {next}. Roll that key instead."
        )));
    }
    if matches!(old.status, KeyStatus::Revoked | KeyStatus::Expired) {
        return Err(Error::InvalidState(format!(
            "This key is {}; only active or suspended keys can be rolled.",
            old.status.as_str()
        )));
    }
    let config = KeyConfig {
        name: old.row.name.clone(),
        access: old.access.clone(),
        allowed_ips: old.allowed_ips.clone(),
        rate_limit: old.row.rate_limit,
        api_version: old.row.api_version.clone(),
        require_signature: old.row.require_signature,
    };
    let (mut row, secret) = new_row(actor, old.mode, config, old.row.expires_at);
    // The new key starts in the old key's status: rolling a suspended key keeps it suspended.
    row.status = old.row.status.clone();
    let now = clock::now();
    let old_until = old
        .row
        .expires_at
        .map_or(now + grace_seconds, |own| own.min(now + grace_seconds));
    conn.transaction(|conn| {
        row.insert(conn)?;
        announce_new(conn, &row)?;
        ApiKeyRow::retire(conn, &old.row.id, old_until, &row.id, now)?;
        changes::announce(conn, changes::key(&old.row.id))?;
        audit(
            conn,
            actor,
            "api_key.rolled",
            &old.row,
            ip,
            &format!(
                "new key {}, old key expires {}",
                row.id,
                clock::rfc3339(old_until)
            ),
        )?;
        audit(
            conn,
            actor,
            "api_key.created",
            &row,
            ip,
            &format!("rolled from {}", old.row.id),
        )
    })?;
    Ok(CreatedKey {
        key: ApiKey::from_row(row, now),
        secret,
    })
}

/// The show-once page: true only the first time it is asked for this key.
pub fn claim_reveal(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<bool, Error> {
    let key = get_key(conn, actor, id)?;
    Ok(ApiKeyRow::claim_reveal(conn, &key.row.id)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_ips_accept_addresses_and_blocks_and_name_bad_entries() {
        let ok = parse_allowed_ips(&[
            "203.0.113.7".into(),
            "10.0.0.7/24".into(),
            "2001:db8::/64".into(),
            " ".into(),
        ])
        .unwrap();
        let shown: Vec<_> = ok.iter().map(|n| display_network(*n)).collect();
        assert_eq!(shown, ["203.0.113.7", "10.0.0.0/24", "2001:db8::/64"]);
        let err = parse_allowed_ips(&["10.0.0.1".into(), "banana".into(), "10.0.0.0/33".into()])
            .unwrap_err();
        assert!(
            err.contains("\"banana\"") && err.contains("\"10.0.0.0/33\""),
            "{err}"
        );
        assert!(!err.contains("\"10.0.0.1\""));
        let mapped = parse_allowed_ips(&["::ffff:192.0.2.1".into()]).unwrap();
        assert_eq!(display_network(mapped[0]), "192.0.2.1");
    }
}

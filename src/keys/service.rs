//! Key operations shared by the Hub pages and the key-management API: create, list,
//! show and edit (suspend, reactivate, roll and revoke are in `lifecycle.rs`). Each
//! checks the actor's role, writes the audit log and never returns a secret except from
//! create.

use super::config::{self, KeyConfig, KeyDraft, check_config, store_ips};
use super::format::{self, KeyKind, Mode};
use super::key_policy;
use super::model::{ApiKey, CreatedKey, KeyStatus};
use super::permissions::Access;
use super::policy::{self, KeyAction};
use super::spend::SpendLimitDraft;
use crate::accounts::Principal;
use crate::clock;
use crate::db::models::api_key::{ApiKeyRow, KeyChanges};
use crate::db::models::audit::AuditEntry;
use crate::db::models::spend::SpendLimit;
use crate::db::{DbConn, changes};
use crate::error::{Error, FieldErrors};

/// Where a new secret is shown: in the answer that makes it (the API: the key is marked
/// revealed in the same transaction) or once on the Hub's show-once page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    InThisAnswer,
    OnShowOncePage,
}

pub(super) fn audit(
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
    // The key's lifecycle event (SPEC §9): for webhooks and the Hub, never the API's
    // event list; it carries the key as it is now, never a secret.
    let now = ApiKeyRow::find(conn, &key.merchant_id, &key.id)?;
    let scope = crate::db::models::objects::Scope::new(key.merchant_id.clone(), key.mode == "live");
    let view = ApiKey::from_row(now, clock::now()).view();
    crate::events::emit_about_key(conn, &scope, action, &view, Some(&key.id))?;
    Ok(())
}

/// A new key's settings, checked: every wrong field named at once.
fn check_new(draft: &KeyDraft) -> Result<(Mode, KeyConfig, Option<i64>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mode = Mode::parse(draft.mode.trim());
    if mode.is_none() {
        errors.insert("mode", "Choose test or live.".into());
    }
    let config = check_config(draft, &mut errors);
    let expires_at = match draft.expires_in_days.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(days) if (1..=config::MAX_EXPIRY_DAYS).contains(&days) => {
                Some(clock::now() + days * 86_400)
            }
            _ => {
                errors.insert(
                    "expires_in_days",
                    format!(
                        "Enter a number of days from 1 to {}, or leave it empty for no expiry.",
                        config::MAX_EXPIRY_DAYS
                    ),
                );
                None
            }
        },
    };
    match (mode, config, errors.is_empty()) {
        (Some(mode), Some(config), true) => Ok((mode, config, expires_at)),
        _ => Err(errors),
    }
}

/// What is wrong with a new key's settings (none: nothing), so a form that also found
/// something wrong of its own (a webhook URL) names every field at once.
pub fn draft_errors(draft: &KeyDraft) -> FieldErrors {
    check_new(draft).err().unwrap_or_default()
}

pub fn create_key(
    conn: &mut DbConn,
    actor: &Principal,
    draft: KeyDraft,
    reveal: Reveal,
    ip: &str,
) -> Result<CreatedKey, Error> {
    actor.require_hub()?;
    let (mode, config, expires_at) = check_new(&draft).map_err(Error::Invalid)?;
    policy::authorize(actor, KeyAction::Create, mode, None)?;
    if mode == Mode::Live && !actor.merchant.verified {
        return Err(Error::LiveModeUnavailable(
            "Live keys need a verified account. Ask the Paydesk operator to run `paydesk merchant verify`; until then use test keys.".into(),
        ));
    }
    let (row, secret) = new_row(actor, mode, config, expires_at, reveal);
    crate::db::transaction(conn, |conn| {
        key_policy::enforce_new(conn, mode, &row)?;
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
    let mut key = ApiKey::from_row(row, clock::now());
    key_policy::mark(conn, &actor.merchant.id, std::slice::from_mut(&mut key))?;
    Ok(CreatedKey { key, secret })
}

pub(super) fn new_row(
    actor: &Principal,
    mode: Mode,
    config: KeyConfig,
    expires_at: Option<i64>,
    reveal: Reveal,
) -> (ApiKeyRow, String) {
    let secret = format::generate(KeyKind::Secret, mode);
    let now = clock::now();
    let row = ApiKeyRow {
        id: crate::ids::new_id("key"),
        merchant_id: actor.merchant.id.clone(),
        mode: mode.as_str().into(),
        name: config.name,
        publishable_key: format::generate(KeyKind::Publishable, mode),
        secret_hash: crate::crypto::hash(&secret),
        secret_hint: format::hint(&secret),
        secret_revealed: reveal == Reveal::InThisAnswer,
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
        canary: config.canary,
        revoked_reason: None,
        exposed_url: None,
        spend_limits: SpendLimit::to_storage(&config.spend_limits),
    };
    (row, secret)
}

/// A new key's hashes may sit in caches as "unknown" (if someone guessed them): drop them.
pub(super) fn announce_new(conn: &mut DbConn, row: &ApiKeyRow) -> Result<(), Error> {
    changes::announce(conn, changes::hash(&row.secret_hash))?;
    let publishable = crate::crypto::hex(&format::digest(&row.publishable_key));
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
    let mut keys: Vec<ApiKey> = rows
        .into_iter()
        .map(|r| ApiKey::from_row(r, now))
        .filter(|k| filter.status.is_none_or(|s| k.status == s))
        .collect();
    key_policy::mark(conn, &actor.merchant.id, &mut keys)?;
    Ok(keys)
}

/// One page of keys, newest first, filtered and paged in the database: after the key
/// `starting_after` (one of this merchant's), `fetch` at most.
pub fn list_keys_page(
    conn: &mut DbConn,
    actor: &Principal,
    filter: &KeyFilter,
    starting_after: Option<&str>,
    fetch: i64,
) -> Result<Vec<ApiKey>, Error> {
    policy::permitted(actor, KeyAction::View, Mode::Test, None)?;
    let after = match starting_after {
        None => None,
        Some(id) => Some(crate::db::cursor(
            ApiKeyRow::find(conn, &actor.merchant.id, id),
            |row| (row.created_at, row.id),
        )?),
    };
    let now = clock::now();
    let rows = ApiKeyRow::page(
        conn,
        &actor.merchant.id,
        filter.mode.map(Mode::as_str),
        filter.status.map(KeyStatus::as_str),
        now,
        after.as_ref().map(|(at, id)| (*at, id.as_str())),
        fetch,
    )?;
    let mut keys: Vec<ApiKey> = rows.into_iter().map(|r| ApiKey::from_row(r, now)).collect();
    key_policy::mark(conn, &actor.merchant.id, &mut keys)?;
    Ok(keys)
}

pub fn get_key(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<ApiKey, Error> {
    actor.require_hub()?;
    let mut key = ApiKey::from_row(ApiKeyRow::find(conn, &actor.merchant.id, id)?, clock::now());
    key_policy::mark(conn, &actor.merchant.id, std::slice::from_mut(&mut key))?;
    Ok(key)
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
    pub spend_limits: Option<Vec<SpendLimitDraft>>,
}

pub fn update_key(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    patch: KeyPatch,
    ip: &str,
) -> Result<ApiKey, Error> {
    crate::db::transaction(conn, |conn| {
        let key = get_key(conn, actor, id)?;
        policy::permitted(
            actor,
            KeyAction::Edit { widens: false },
            key.mode,
            Some(&key),
        )?;
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
            canary: key.row.canary,
            spend_limits: patch
                .spend_limits
                .unwrap_or_else(|| key.spend_limits.iter().map(SpendLimitDraft::of).collect()),
        };
        let mut errors = FieldErrors::new();
        let config = check_config(&draft, &mut errors);
        let (Some(config), true) = (config, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let widens = widens(&key, &config);
        policy::authorize(actor, KeyAction::Edit { widens }, key.mode, Some(&key))?;
        let changes = KeyChanges {
            name: config.name,
            permissions: config.access.to_storage(),
            allowed_ips: store_ips(&config.allowed_ips),
            rate_limit: config.rate_limit,
            api_version: config.api_version,
            require_signature: config.require_signature,
            spend_limits: SpendLimit::to_storage(&config.spend_limits),
            updated_at: clock::now(),
        };
        key_policy::enforce(
            conn,
            &key.row.merchant_id,
            key.mode,
            &changes.allowed_ips,
            changes.require_signature,
            None,
        )?;
        let detail = describe_changes(&key.row, &changes);
        ApiKeyRow::update(conn, &key.row.id, &changes)?;
        changes::announce(conn, changes::key(&key.row.id))?;
        audit(conn, actor, "api_key.updated", &key.row, ip, &detail)?;
        get_key(conn, actor, id)
    })
}

/// Whether an edit gives a key more power (SPEC §12, §13): a level raised, `*` granted,
/// allowed IPs that admit an address the old list did not, signatures no longer
/// required, or a higher rate limit.
fn widens(old: &ApiKey, new: &KeyConfig) -> bool {
    use super::permissions::{Level, RESOURCES};
    let raised = RESOURCES.iter().any(|r| {
        [Level::Read, Level::Write]
            .into_iter()
            .any(|l| new.access.allows(r.resource, l) && !old.access.allows(r.resource, l))
    });
    let granted_all = new.access == Access::Full && old.access != Access::Full;
    let more_addresses = policy::ips_widen(&old.allowed_ips, &new.allowed_ips);
    let unsigned = old.row.require_signature && !new.require_signature;
    let faster = new.rate_limit > old.row.rate_limit;
    let spends_more = super::spend::widens(&old.spend_limits, &new.spend_limits);
    raised || granted_all || more_addresses || unsigned || faster || spends_more
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
    if old.spend_limits != new.spend_limits {
        let limits = SpendLimit::parse_stored(&new.spend_limits);
        parts.push(format!(
            "spend limits → {}",
            if limits.is_empty() {
                "none".into()
            } else {
                limits
                    .iter()
                    .map(super::spend::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
    }
    if parts.is_empty() {
        "no change".into()
    } else {
        parts.join("; ")
    }
}

/// The show-once page: true only the first time it is asked for this key.
pub fn claim_reveal(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<bool, Error> {
    let key = get_key(conn, actor, id)?;
    Ok(ApiKeyRow::claim_reveal(conn, &key.row.id)?)
}

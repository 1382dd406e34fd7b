//! A key's life after creation: suspend, reactivate, revoke (terminal) and roll (a new
//! pair; the old key works through a grace period). Each change is audited and announced
//! to every instance's key cache.

use super::config::KeyConfig;
use super::model::{ApiKey, CreatedKey, KeyStatus};
use super::service::{announce_new, audit, get_key, new_row, require_create};
use crate::accounts::Principal;
use crate::clock;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::{DbConn, changes};
use crate::error::Error;

/// The grace periods a roll offers, in seconds: none, 1 h, 24 h, 7 d.
pub const ROLL_GRACE_SECONDS: [i64; 4] = [0, 3_600, 86_400, 604_800];

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
    if t.to == "active" {
        super::service::require_live_admin(actor, key.mode, "reactivate")?;
        if key.mode == crate::keys::Mode::Live {
            actor.require_sudo()?;
        }
    }
    if key.status == KeyStatus::Revoked && t.to != "revoked" {
        return Err(Error::InvalidState(t.refusal.into()));
    }
    if key.row.status == t.to {
        return Ok(key);
    }
    let changed = crate::db::transaction(conn, |conn| {
        let changed = ApiKeyRow::set_status(conn, &key.row.id, t.from, t.to, clock::now())?;
        if changed {
            if t.to == "revoked" {
                ApiKeyRow::set_revoked_reason(conn, &key.row.id, "user", None)?;
                crate::db::models::webhooks::EndpointRow::disable_bound_to(conn, &key.row.id)?;
            }
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
        canary: old.row.canary,
    };
    let (mut row, secret) = new_row(actor, old.mode, config, old.row.expires_at);
    // The new key starts in the old key's status: rolling a suspended key keeps it suspended.
    row.status = old.row.status.clone();
    let now = clock::now();
    let old_until = old
        .row
        .expires_at
        .map_or(now + grace_seconds, |own| own.min(now + grace_seconds));
    crate::db::transaction(conn, |conn| {
        row.insert(conn)?;
        announce_new(conn, &row)?;
        ApiKeyRow::retire(conn, &old.row.id, old_until, &row.id, now)?;
        crate::db::models::webhooks::EndpointRow::move_binding(conn, &old.row.id, &row.id)?;
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

//! A key's life after creation: suspend, reactivate, revoke (terminal) and roll (a new
//! pair; the old key works through a grace period). Each change is audited and announced
//! to every instance's key cache.

use super::config::KeyConfig;
use super::key_policy;
use super::model::{ApiKey, CreatedKey};
use super::policy::{self, KeyAction};
use super::service::{Reveal, announce_new, audit, get_key, new_row};
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
    action_kind: KeyAction,
    refusal: &'static str,
}

const SUSPEND: Transition = Transition {
    from: &["active"],
    to: "suspended",
    action: "api_key.suspended",
    action_kind: KeyAction::Suspend,
    refusal: "Only an active key can be suspended; this one is revoked.",
};
const REACTIVATE: Transition = Transition {
    from: &["suspended"],
    to: "active",
    action: "api_key.reactivated",
    action_kind: KeyAction::Reactivate,
    refusal: "A revoked key cannot be reactivated; create a new key instead.",
};
const REVOKE: Transition = Transition {
    from: &["active", "suspended"],
    to: "revoked",
    action: "api_key.revoked",
    action_kind: KeyAction::Revoke,
    refusal: "This key is already revoked.",
};

fn change_status(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
    t: &Transition,
) -> Result<ApiKey, Error> {
    crate::db::transaction(conn, |conn| {
        // Read and checked inside the transaction, so a concurrent change cannot slip
        // between the check and the write.
        let key = get_key(conn, actor, id)?;
        if key.row.status == t.to {
            // Already there (revoking twice is harmless): only who may ask is checked.
            policy::authorize(actor, t.action_kind, key.mode, None)?;
            return Ok(key);
        }
        policy::authorize(actor, t.action_kind, key.mode, Some(&key))?;
        if !ApiKeyRow::set_status(conn, &key.row.id, t.from, t.to, clock::now())? {
            return Err(Error::InvalidState(t.refusal.into()));
        }
        if t.to == "revoked" {
            ApiKeyRow::set_revoked_reason(conn, &key.row.id, "user", None)?;
            crate::db::models::webhooks::EndpointRow::disable_bound_to(conn, &key.row.id)?;
        }
        changes::announce(conn, changes::key(&key.row.id))?;
        audit(conn, actor, t.action, &key.row, ip, "")?;
        get_key(conn, actor, id)
    })
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

/// A new secret with the same configuration; the old key keeps working for `grace_seconds`
/// (one of `ROLL_GRACE_SECONDS`) and then expires, never later than its own expiry. The
/// new key keeps the old one's publishable key (front ends need no redeploy) unless
/// `roll_publishable` asks for a new one too (SPEC §14); a kept publishable key alone
/// then finds the new key, and paired with the old secret still works for the grace. The
/// old key is read, checked and retired in one transaction, and retired only if nobody
/// rolled it meanwhile: of two concurrent rolls exactly one succeeds (the other is
/// `InvalidState`). A live key's successor must meet the key policy (`policy_violation`).
pub fn roll_key(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    grace_seconds: i64,
    roll_publishable: bool,
    reveal: Reveal,
    ip: &str,
) -> Result<CreatedKey, Error> {
    if !ROLL_GRACE_SECONDS.contains(&grace_seconds) {
        return Err(Error::field(
            "grace_period_seconds",
            "Choose a grace period of 0, 3600 (1 hour), 86400 (24 hours) or 604800 (7 days) seconds.",
        ));
    }
    crate::db::transaction(conn, |conn| {
        let old = get_key(conn, actor, id)?;
        policy::authorize(actor, KeyAction::Roll, old.mode, Some(&old))?;
        let config = KeyConfig {
            name: old.row.name.clone(),
            access: old.access.clone(),
            allowed_ips: old.allowed_ips.clone(),
            rate_limit: old.row.rate_limit,
            api_version: old.row.api_version.clone(),
            require_signature: old.row.require_signature,
            canary: old.row.canary,
            spend_limits: old.spend_limits.clone(),
        };
        let (mut row, secret) = new_row(actor, old.mode, config, old.row.expires_at, reveal);
        if !roll_publishable {
            row.publishable_key = old.row.publishable_key.clone();
        }
        // The new key starts in the old key's status: rolling a suspended key keeps it
        // suspended.
        row.status = old.row.status.clone();
        // The successor is a new live key: the policy's rules hold for it as for any.
        key_policy::enforce_new(conn, old.mode, &row)?;
        let now = clock::now();
        let old_until = old
            .row
            .expires_at
            .map_or(now + grace_seconds, |own| own.min(now + grace_seconds));
        row.insert(conn)?;
        announce_new(conn, &row)?;
        if !ApiKeyRow::retire(conn, &old.row.id, old_until, &row.id, now)? {
            // Rolled back whole, the new row with it.
            return Err(Error::InvalidState(
                "This key was rolled a moment ago by another request; roll its successor instead."
                    .into(),
            ));
        }
        crate::db::models::webhooks::EndpointRow::move_binding(conn, &old.row.id, &row.id)?;
        changes::announce(conn, changes::key(&old.row.id))?;
        audit(
            conn,
            actor,
            "api_key.rolled",
            &old.row,
            ip,
            &format!(
                "new key {}, old key expires {}, publishable key {}",
                row.id,
                clock::display(old_until),
                if roll_publishable { "replaced" } else { "kept" }
            ),
        )?;
        audit(
            conn,
            actor,
            "api_key.created",
            &row,
            ip,
            &format!("rolled from {}", old.row.id),
        )?;
        Ok(CreatedKey {
            key: ApiKey::from_row(row, now),
            secret,
        })
    })
}

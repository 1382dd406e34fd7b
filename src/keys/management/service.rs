//! The operations on management keys shared by the Hub page and the API (SPEC §17):
//! create (the secret returned once), list, show, suspend, reactivate and revoke. Each
//! asks the one policy, runs in one transaction, is audited and, when it can change how
//! the key answers, announced to every instance's key cache.

use serde::Serialize;
use utoipa::ToSchema;

use super::{MAX_DAYS, Scope, generate, hint, parse_scopes, store_scopes};
use crate::accounts::Principal;
use crate::clock;
use crate::db::models::audit::AuditEntry;
use crate::db::models::management_key::ManagementKeyRow;
use crate::db::{DbConn, changes};
use crate::error::{Error, FieldErrors};
use crate::keys::config::{parse_allowed_ips, store_ips};
use crate::keys::model::{KeyStatus, display_network, parse_stored_ips};
use crate::keys::policy;

/// A new management key as a form or a JSON body gave it, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ManagementDraft {
    pub name: String,
    /// Scope strings as sent (`api_keys:write`).
    pub scopes: Vec<String>,
    pub live: bool,
    pub allowed_ips: Vec<String>,
    /// Required: 1 to 90.
    pub expires_in_days: Option<i64>,
}

/// A management key as people and scripts see it: everything but the secret.
#[derive(Debug, Clone)]
pub struct ManagementKey {
    pub row: ManagementKeyRow,
    pub scopes: Vec<Scope>,
    pub status: KeyStatus,
}

/// A management key just made, with its secret: shown once, then gone.
pub struct CreatedManagementKey {
    pub key: ManagementKey,
    pub secret: String,
}

/// A management key in the API (SPEC §17): never its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManagementKeyObject {
    #[schema(pattern = "^mgk_")]
    pub id: String,
    #[schema(pattern = "^management_key$")]
    pub object: &'static str,
    pub name: String,
    /// `api_keys:read|write`, `webhook_endpoints:read|write`.
    pub scopes: Vec<String>,
    /// May also create and roll live keys.
    pub live: bool,
    /// Addresses and CIDR blocks it may be used from; empty means anywhere.
    pub allowed_ips: Vec<String>,
    /// `active`, `suspended`, `revoked` or `expired`.
    #[schema(pattern = "^(active|suspended|revoked|expired)$")]
    pub status: &'static str,
    /// The last characters of the key, to recognise it.
    pub secret_hint: String,
    #[schema(schema_with = crate::schema::timestamp)]
    pub expires_at: String,
    #[schema(schema_with = crate::schema::timestamp)]
    pub created_at: String,
    pub created_by: String,
    #[schema(schema_with = crate::schema::timestamp_or_null)]
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    /// Requests it authenticated (written every few seconds, not per request).
    pub request_count: i64,
}

impl ManagementKey {
    pub fn from_row(row: ManagementKeyRow, now: i64) -> Self {
        let status = match row.status.as_str() {
            "revoked" => KeyStatus::Revoked,
            _ if row.expires_at <= now => KeyStatus::Expired,
            "suspended" => KeyStatus::Suspended,
            "active" => KeyStatus::Active,
            // Unknown stored values fail closed.
            _ => KeyStatus::Revoked,
        };
        Self {
            scopes: parse_scopes(&row.scopes),
            status,
            row,
        }
    }

    pub fn allowed_ip_strings(&self) -> Vec<String> {
        parse_stored_ips(&self.row.allowed_ips)
            .into_iter()
            .map(display_network)
            .collect()
    }

    pub fn view(&self) -> ManagementKeyObject {
        let r = &self.row;
        ManagementKeyObject {
            id: r.id.clone(),
            object: "management_key",
            name: r.name.clone(),
            scopes: self.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            live: r.live,
            allowed_ips: self.allowed_ip_strings(),
            status: self.status.as_str(),
            secret_hint: r.secret_hint.clone(),
            expires_at: clock::rfc3339(r.expires_at),
            created_at: clock::rfc3339(r.created_at),
            created_by: r.created_by.clone(),
            last_used_at: r.last_used_at.map(clock::rfc3339),
            last_used_ip: r.last_used_ip.clone(),
            request_count: r.request_count,
        }
    }
}

/// What a checked draft becomes.
struct Checked {
    name: String,
    scopes: Vec<Scope>,
    allowed_ips: String,
    expires_in_days: i64,
}

/// Every wrong field of a draft at once, in the words the form and the API show.
pub fn draft_errors(draft: &ManagementDraft) -> FieldErrors {
    check(draft).err().unwrap_or_default()
}

fn check(draft: &ManagementDraft) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = crate::keys::config::check_label(
        &draft.name,
        "Give the management key a label, such as \"Deploy pipeline\".",
        &mut errors,
    );
    let mut scopes = Vec::new();
    let mut unknown = Vec::new();
    for s in &draft.scopes {
        match Scope::parse(s.trim()) {
            Some(scope) => scopes.push(scope),
            None => unknown.push(format!("{s:?}")),
        }
    }
    let names = Scope::ALL.map(Scope::as_str).join(", ");
    if !unknown.is_empty() {
        errors.insert(
            "scopes",
            format!("{} is not a scope; use {names}.", unknown.join(", ")),
        );
    } else if scopes.is_empty() {
        errors.insert("scopes", format!("Choose at least one scope: {names}."));
    }
    let allowed_ips = match parse_allowed_ips(&draft.allowed_ips) {
        Ok(ips) => store_ips(&ips),
        Err(e) => {
            errors.insert("allowed_ips", e);
            String::new()
        }
    };
    let days = match draft.expires_in_days {
        Some(d) if (1..=MAX_DAYS).contains(&d) => d,
        Some(_) => {
            errors.insert(
                "expires_in_days",
                format!("A management key lives at most {MAX_DAYS} days: enter 1 to {MAX_DAYS}."),
            );
            0
        }
        None => {
            errors.insert(
                "expires_in_days",
                format!("Required: a management key must expire, within 1 to {MAX_DAYS} days."),
            );
            0
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Checked {
        name,
        scopes,
        allowed_ips,
        expires_in_days: days,
    })
}

fn audit(
    conn: &mut DbConn,
    actor: &Principal,
    action: &str,
    key: &ManagementKeyRow,
    ip: &str,
) -> Result<(), Error> {
    AuditEntry::record(
        conn,
        Some(&actor.merchant.id),
        &actor.user.email,
        action,
        &key.id,
        ip,
        &key.name,
    )?;
    Ok(())
}

/// Makes a management key; the answer alone holds its secret.
pub fn create(
    conn: &mut DbConn,
    actor: &Principal,
    draft: ManagementDraft,
    ip: &str,
) -> Result<CreatedManagementKey, Error> {
    policy::may_manage_machine_keys(actor, draft.live)?;
    let checked = check(&draft).map_err(Error::Invalid)?;
    let secret = generate();
    let now = clock::now();
    let row = ManagementKeyRow {
        id: crate::ids::time_ordered_id(super::ID_PREFIX.trim_end_matches('_')),
        merchant_id: actor.merchant.id.clone(),
        name: checked.name,
        secret_hash: crate::crypto::hash(&secret),
        secret_hint: hint(&secret),
        scopes: store_scopes(&checked.scopes),
        live: draft.live,
        allowed_ips: checked.allowed_ips,
        expires_at: now + checked.expires_in_days * 86_400,
        status: "active".into(),
        created_at: now,
        created_by: actor.user.email.clone(),
        updated_at: now,
        last_used_at: None,
        last_used_ip: None,
        request_count: 0,
    };
    crate::db::transaction(conn, |conn| {
        row.insert(conn)?;
        // A guess of this very key may be cached as unknown: forget it everywhere.
        changes::announce(conn, changes::hash(&row.secret_hash))?;
        audit(conn, actor, "management_key.created", &row, ip)?;
        Ok::<_, Error>(())
    })?;
    Ok(CreatedManagementKey {
        key: ManagementKey::from_row(row, now),
        secret,
    })
}

/// One page of the merchant's management keys, newest first, after `starting_after`.
pub fn list_page(
    conn: &mut DbConn,
    actor: &Principal,
    starting_after: Option<&str>,
    fetch: i64,
) -> Result<Vec<ManagementKey>, Error> {
    policy::may_manage_machine_keys(actor, false)?;
    let after = match starting_after {
        None => None,
        Some(id) => Some(crate::db::cursor(
            ManagementKeyRow::find(conn, &actor.merchant.id, id),
            |row| (row.created_at, row.id),
        )?),
    };
    let now = clock::now();
    let rows = ManagementKeyRow::page(
        conn,
        &actor.merchant.id,
        after.as_ref().map(|(at, id)| (*at, id.as_str())),
        fetch,
    )?;
    Ok(rows
        .into_iter()
        .map(|r| ManagementKey::from_row(r, now))
        .collect())
}

pub fn get(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<ManagementKey, Error> {
    policy::may_manage_machine_keys(actor, false)?;
    Ok(ManagementKey::from_row(
        ManagementKeyRow::find(conn, &actor.merchant.id, id)?,
        clock::now(),
    ))
}

/// Recent audit entries about one management key (its own actions and those on it).
pub fn history(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<Vec<AuditEntry>, Error> {
    policy::may_manage_machine_keys(actor, false)?;
    Ok(AuditEntry::list_for_target(
        conn,
        &actor.merchant.id,
        id,
        20,
    )?)
}

/// What the management key did lately (the audit entries it is the actor of), newest
/// first: its use, beside `last_used_at` and `request_count`.
pub fn actions(
    conn: &mut DbConn,
    actor: &Principal,
    key: &ManagementKey,
) -> Result<Vec<AuditEntry>, Error> {
    policy::may_manage_machine_keys(actor, false)?;
    let filter = crate::db::models::audit::AuditFilter {
        actor: crate::accounts::machine_actor(&key.row.id, &key.row.name),
        ..Default::default()
    };
    Ok(AuditEntry::page_for_merchant(
        conn,
        &actor.merchant.id,
        &filter,
        20,
    )?)
}

/// A status change: where from, where to, its audit action and its refusal.
struct Transition {
    from: &'static [&'static str],
    to: &'static str,
    action: &'static str,
    refusal: &'static str,
}

fn change_status(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
    t: &Transition,
) -> Result<ManagementKey, Error> {
    crate::db::transaction(conn, |conn| {
        let key = get(conn, actor, id)?;
        // Reactivating a key with the live grant gives live power back: sudo, like a
        // live key's reactivation (SPEC §12).
        policy::may_manage_machine_keys(actor, key.row.live && t.to == "active")?;
        if key.row.status == t.to {
            return Ok(key);
        }
        if !ManagementKeyRow::set_status(conn, &key.row.id, t.from, t.to, clock::now())? {
            return Err(Error::InvalidState(t.refusal.into()));
        }
        changes::announce(conn, changes::key(&key.row.id))?;
        audit(conn, actor, t.action, &key.row, ip)?;
        get(conn, actor, id)
    })
}

pub fn suspend(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<ManagementKey, Error> {
    let t = Transition {
        from: &["active"],
        to: "suspended",
        action: "management_key.suspended",
        refusal: "Only an active management key can be suspended; this one is revoked.",
    };
    change_status(conn, actor, id, ip, &t)
}

pub fn reactivate(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<ManagementKey, Error> {
    let t = Transition {
        from: &["suspended"],
        to: "active",
        action: "management_key.reactivated",
        refusal: "A revoked management key cannot be reactivated; create a new one instead.",
    };
    change_status(conn, actor, id, ip, &t)
}

pub fn revoke(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<ManagementKey, Error> {
    let t = Transition {
        from: &["active", "suspended"],
        to: "revoked",
        action: "management_key.revoked",
        refusal: "This management key is already revoked.",
    };
    change_status(conn, actor, id, ip, &t)
}

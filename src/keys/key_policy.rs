//! A merchant's key policy (SPEC §17): rules for live keys an Admin sets (maximum
//! lifetime, an IP allowlist, signed requests). Creating or editing a live key that breaks
//! one is refused (`policy_violation` naming the rule); keys made before a rule are marked
//! `outside_policy`. Loosening a rule needs sudo; every change is audited.

use serde::Serialize;
use utoipa::ToSchema;

use super::format::Mode;
use super::model::ApiKey;
use crate::accounts::Principal;
use crate::clock;
use crate::db::DbConn;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::audit::AuditEntry;
use crate::db::models::key_policy::KeyPolicyRow;
use crate::error::{Error, FieldErrors};

pub const RULE_LIFETIME: &str = "live_max_lifetime_days";
pub const RULE_ALLOWED_IPS: &str = "live_require_allowed_ips";
pub const RULE_SIGNATURE: &str = "live_require_signature";
/// The longest maximum lifetime: the longest expiry a key may have.
pub const MAX_LIFETIME_DAYS: i64 = super::config::MAX_EXPIRY_DAYS;

/// The rules, as the API shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct KeyPolicy {
    #[schema(pattern = "^key_policy$")]
    pub object: &'static str,
    /// New live keys must expire within this many days; null for no maximum.
    #[schema(minimum = 1, maximum = 3650)]
    pub live_max_lifetime_days: Option<i64>,
    /// Live keys must have an IP allowlist.
    pub live_require_allowed_ips: bool,
    /// Live keys must require signed requests (`Paydesk-Signature`).
    pub live_require_signature: bool,
    #[schema(schema_with = crate::schema::timestamp_or_null)]
    pub updated_at: Option<String>,
    /// Who changed it last; null while it was never set.
    pub updated_by: Option<String>,
}

impl KeyPolicy {
    fn of(row: Option<KeyPolicyRow>) -> Self {
        let Some(row) = row else {
            return Self {
                object: "key_policy",
                ..Self::default()
            };
        };
        Self {
            object: "key_policy",
            live_max_lifetime_days: row.live_max_lifetime_days.map(i64::from),
            live_require_allowed_ips: row.live_require_allowed_ips,
            live_require_signature: row.live_require_signature,
            updated_at: Some(clock::rfc3339(row.updated_at)),
            updated_by: Some(row.updated_by),
        }
    }

    /// The rule a live key with these settings breaks, if any, with why in a sentence.
    /// `lifetime` is checked only when given: the seconds from creation to expiry (None:
    /// it never expires).
    fn broken(
        &self,
        any_address: bool,
        signed: bool,
        lifetime: Option<Option<i64>>,
    ) -> Option<(&'static str, String)> {
        if let (Some(max), Some(lifetime)) = (self.live_max_lifetime_days, lifetime)
            && lifetime.is_none_or(|secs| secs > max * 86_400)
        {
            return Some((
                RULE_LIFETIME,
                format!(
                    "Your key policy says live keys expire within {max} days: set an expiry of at most {max} days."
                ),
            ));
        }
        if self.live_require_allowed_ips && any_address {
            return Some((
                RULE_ALLOWED_IPS,
                "Your key policy says live keys have an IP allowlist: add the addresses or blocks the key is used from.".into(),
            ));
        }
        if self.live_require_signature && !signed {
            return Some((
                RULE_SIGNATURE,
                "Your key policy says live keys require signed requests: turn on require_signature.".into(),
            ));
        }
        None
    }

    /// Whether an existing key breaks a rule (one made before it).
    pub fn breaks(&self, key: &ApiKey) -> bool {
        key.mode == Mode::Live
            && self
                .broken(
                    key.allowed_ips.is_empty(),
                    key.row.require_signature,
                    Some(key.row.expires_at.map(|at| at - key.row.created_at)),
                )
                .is_some()
    }
}

/// The key form's field a rule is about, so a refusal shows beside it.
pub fn field_of(rule: &str) -> &'static str {
    match rule {
        RULE_LIFETIME => "expires_in_days",
        RULE_ALLOWED_IPS => "allowed_ips",
        _ => "require_signature",
    }
}

/// The merchant's policy (no rules when none was set).
pub fn load(conn: &mut DbConn, merchant_id: &str) -> Result<KeyPolicy, Error> {
    Ok(KeyPolicy::of(KeyPolicyRow::find(conn, merchant_id)?))
}

/// Refuses a live key's new settings when they break a rule. `lifetime`: as in
/// [`KeyPolicy::broken`], given for a new key only (an edit does not change the expiry);
/// new keys go through [`enforce_new`].
pub fn enforce(
    conn: &mut DbConn,
    merchant_id: &str,
    mode: Mode,
    allowed_ips: &str,
    signed: bool,
    lifetime: Option<Option<i64>>,
) -> Result<(), Error> {
    if mode != Mode::Live {
        return Ok(());
    }
    match load(conn, merchant_id)?.broken(allowed_ips.trim().is_empty(), signed, lifetime) {
        Some((rule, message)) => Err(Error::PolicyViolation { rule, message }),
        None => Ok(()),
    }
}

/// Refuses a new live key (created, or a roll's successor) that breaks a rule: the one
/// check every path that makes a key goes through. Its lifetime runs from its creation
/// to its expiry (a roll's successor keeps the old key's expiry).
pub fn enforce_new(conn: &mut DbConn, mode: Mode, row: &ApiKeyRow) -> Result<(), Error> {
    enforce(
        conn,
        &row.merchant_id,
        mode,
        &row.allowed_ips,
        row.require_signature,
        Some(row.expires_at.map(|at| at - row.created_at)),
    )
}

/// Sets `outside_policy` on the live keys among `keys` (one read of the policy).
pub fn mark(conn: &mut DbConn, merchant_id: &str, keys: &mut [ApiKey]) -> Result<(), Error> {
    if !keys.iter().any(|k| k.mode == Mode::Live) {
        return Ok(());
    }
    let policy = load(conn, merchant_id)?;
    for key in keys {
        key.outside_policy = policy.breaks(key);
    }
    Ok(())
}

pub fn get_policy(conn: &mut DbConn, actor: &Principal) -> Result<KeyPolicy, Error> {
    actor.require_admin()?;
    load(conn, &actor.merchant.id)
}

/// Changes to the policy; None leaves a rule as it is. `max_lifetime_days`: Some(None)
/// removes the maximum; the text is what was typed, checked here.
#[derive(Debug, Default, Clone)]
pub struct PolicyPatch {
    pub max_lifetime_days: Option<Option<String>>,
    pub require_allowed_ips: Option<bool>,
    pub require_signature: Option<bool>,
}

pub fn update_policy(
    conn: &mut DbConn,
    actor: &Principal,
    patch: PolicyPatch,
    ip: &str,
) -> Result<KeyPolicy, Error> {
    actor.require_admin()?;
    crate::db::transaction(conn, |conn| {
        let old = load(conn, &actor.merchant.id)?;
        let max = match patch.max_lifetime_days {
            None => old.live_max_lifetime_days,
            Some(None) => None,
            Some(Some(text)) if text.trim().is_empty() => None,
            Some(Some(text)) => match text.trim().parse::<i64>() {
                Ok(days) if (1..=MAX_LIFETIME_DAYS).contains(&days) => Some(days),
                _ => {
                    let mut errors = FieldErrors::new();
                    errors.insert(
                        RULE_LIFETIME,
                        format!(
                            "Enter a number of days from 1 to {MAX_LIFETIME_DAYS}, or nothing for no maximum."
                        ),
                    );
                    return Err(Error::Invalid(errors));
                }
            },
        };
        let ips = patch
            .require_allowed_ips
            .unwrap_or(old.live_require_allowed_ips);
        let signature = patch
            .require_signature
            .unwrap_or(old.live_require_signature);
        let loosens = match (old.live_max_lifetime_days, max) {
            (Some(_), None) => true,
            (Some(a), Some(b)) => b > a,
            (None, _) => false,
        } || (old.live_require_allowed_ips && !ips)
            || (old.live_require_signature && !signature);
        if loosens {
            actor.require_sudo()?;
        }
        let now = clock::now();
        let row = KeyPolicyRow {
            merchant_id: actor.merchant.id.clone(),
            live_max_lifetime_days: max.and_then(|d| i32::try_from(d).ok()),
            live_require_allowed_ips: ips,
            live_require_signature: signature,
            updated_at: now,
            updated_by: actor.user.email.clone(),
        };
        row.save(conn)?;
        let detail = format!(
            "live keys: max lifetime {}, IP allowlist {}, signature {}{}",
            max.map_or("none".to_string(), |d| format!("{d} days")),
            if ips { "required" } else { "optional" },
            if signature { "required" } else { "optional" },
            if loosens { " (loosened)" } else { "" }
        );
        AuditEntry::record(
            conn,
            Some(&actor.merchant.id),
            &actor.user.email,
            "key_policy.updated",
            &actor.merchant.id,
            ip,
            &detail,
        )?;
        Ok(KeyPolicy::of(Some(row)))
    })
}

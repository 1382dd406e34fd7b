//! A presented management key, checked (SPEC §17): format and checksum first (no I/O),
//! then the verified-key cache by SHA-256 (the database only on a miss, and the same
//! invalidation as every other key: `key:<id>`, `merchant:<id>`, `hash:<hex>`), then its
//! status, expiry, allowlist and, through the one policy, the scope the route needs.

use std::net::IpAddr;
use std::sync::Arc;

use super::{Scope, well_formed};
use crate::accounts::Principal;
use crate::error::Error;
use crate::keys::cache::KeyCache;
use crate::keys::policy;
use crate::keys::verify::{KeyRecord, Lookup};

/// Why a management key was refused, in the order it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed, unknown or revoked.
    Invalid(&'static str),
    Expired,
    Suspended,
    /// The client's address (as text) is not in the key's allowlist.
    IpNotAllowed(String),
    /// The route needs this scope, which the key does not hold.
    OutsideScope(Scope),
}

const NOT_VALID: Refusal =
    Refusal::Invalid("This management key is not valid: check that it was copied whole.");
const UNKNOWN: Refusal = Refusal::Invalid(
    "No such management key: it may have been revoked, or belong to another account.",
);

/// The acting principal for a presented `mk_…` key on a route that needs `needed`, or
/// why not. A cached key costs no database round trip.
pub async fn authenticate(
    cache: &Arc<KeyCache>,
    key: &str,
    ip: Option<IpAddr>,
    needed: Scope,
    now: i64,
) -> Result<Result<(Principal, Arc<KeyRecord>), Refusal>, Error> {
    if !well_formed(key) {
        return Ok(Err(NOT_VALID));
    }
    let digest = crate::keys::format::digest(key);
    let found = match cache.cached(&digest) {
        Some(hit) => hit,
        None => {
            let (cache, lookup) = (
                cache.clone(),
                Lookup::ManagementHash(crate::crypto::hex(&digest)),
            );
            actix_web::web::block(move || cache.load(digest, &lookup))
                .await
                .map_err(|e| Error::internal(format!("blocking task: {e}")))??
        }
    };
    Ok(check(found, ip, needed, now))
}

/// Decides about the record found for a management key at time `now`. Pure.
pub fn check(
    record: Option<Arc<KeyRecord>>,
    ip: Option<IpAddr>,
    needed: Scope,
    now: i64,
) -> Result<(Principal, Arc<KeyRecord>), Refusal> {
    let record = record.ok_or(UNKNOWN)?;
    let Some(grant) = record.machine.clone() else {
        return Err(UNKNOWN);
    };
    match record.status.as_str() {
        "revoked" => return Err(Refusal::Invalid("This management key has been revoked.")),
        _ if record.expires_at.is_some_and(|at| at <= now) => return Err(Refusal::Expired),
        "suspended" => return Err(Refusal::Suspended),
        "active" => {}
        // Unknown stored values fail closed.
        _ => return Err(Refusal::Invalid("This management key has been revoked.")),
    }
    let allowed = match ip {
        Some(ip) => {
            let ip = crate::net::canonical(ip);
            record.allowed_ips.is_empty() || record.allowed_ips.iter().any(|n| n.contains(ip))
        }
        None => record.allowed_ips.is_empty(),
    };
    if !allowed {
        let shown = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        return Err(Refusal::IpNotAllowed(shown));
    }
    if !policy::machine_may(&grant.scopes, needed) {
        return Err(Refusal::OutsideScope(needed));
    }
    let principal = Principal::machine(
        grant.merchant.clone(),
        &record.key_id,
        &grant.name,
        grant.live,
    );
    Ok((principal, record))
}

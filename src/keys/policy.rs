//! Who may do what to a key (SPEC §12, §13): the one place these rules live. The key
//! operations ask [`authorize`] inside their transaction; the Hub pages ask [`permitted`]
//! to decide what to offer, so a page offers exactly what the operation will allow.

use ipnetwork::IpNetwork;

use super::format::Mode;
use super::management::Scope;
use super::model::{ApiKey, KeyStatus};
use crate::accounts::Principal;
use crate::db::models::user::Role;
use crate::error::Error;

/// What someone wants to do to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    View,
    Create,
    /// `widens`: the edit gives the key more power (see [`widens`]).
    Edit {
        widens: bool,
    },
    Roll,
    Suspend,
    Reactivate,
    Revoke,
}

impl KeyAction {
    fn verb(self) -> &'static str {
        match self {
            KeyAction::View => "see",
            KeyAction::Create => "create",
            KeyAction::Edit { .. } => "edit",
            KeyAction::Roll => "roll",
            KeyAction::Suspend => "suspend",
            KeyAction::Reactivate => "reactivate",
            KeyAction::Revoke => "revoke",
        }
    }
}

/// Whether `actor` may take `action` on `key` (None: a new key of `mode`), leaving out
/// sudo: the role, then the key's state. The error says why not, in a sentence a page
/// can show as it is.
pub fn permitted(
    actor: &Principal,
    action: KeyAction,
    mode: Mode,
    key: Option<&ApiKey>,
) -> Result<(), Error> {
    actor.require_hub()?;
    // Live keys are Admins' (SPEC §12). Anyone in the Hub may still suspend or revoke
    // one: whoever finds a leak must be able to stop it.
    let admins_only = matches!(
        action,
        KeyAction::Create | KeyAction::Edit { .. } | KeyAction::Roll | KeyAction::Reactivate
    );
    // A management key acts as a Developer would; its `live` grant adds creating and
    // rolling live keys (SPEC §17).
    let granted = actor.machine.as_ref().is_some_and(|m| m.live)
        && matches!(action, KeyAction::Create | KeyAction::Roll);
    if admins_only && mode == Mode::Live && actor.role() != Role::Admin && !granted {
        if actor.machine.is_some() {
            return Err(Error::forbidden(format!(
                "This management key cannot {} live keys{}.",
                action.verb(),
                if matches!(action, KeyAction::Create | KeyAction::Roll) {
                    ": it was made without the live grant"
                } else {
                    ": only an Admin can"
                }
            )));
        }
        return Err(Error::forbidden(format!(
            "Only an Admin can {} live keys. You can suspend or revoke one.",
            action.verb()
        )));
    }
    let Some(key) = key else { return Ok(()) };
    let state = |msg: String| Err(Error::InvalidState(msg));
    match action {
        KeyAction::View | KeyAction::Create => Ok(()),
        KeyAction::Revoke if key.status == KeyStatus::Revoked => state(
            "This key is revoked already: every request made with it is refused. Revoked keys \
             stay listed for the record."
                .into(),
        ),
        KeyAction::Revoke => Ok(()),
        KeyAction::Reactivate if key.status == KeyStatus::Revoked => state(
            "A revoked key cannot be reactivated; create a new key instead. Revoked keys stay \
             listed for the record."
                .into(),
        ),
        _ if key.status == KeyStatus::Revoked => state(format!(
            "This key is revoked, so it can no longer be {}. Revoked keys stay listed for the \
             record; create a new key if you need one.",
            match action {
                KeyAction::Edit { .. } => "edited",
                KeyAction::Suspend => "suspended",
                _ => "rolled",
            }
        )),
        KeyAction::Roll => {
            if let Some(next) = &key.row.rolled_to {
                return state(format!(
                    "This key was already rolled; its successor is {next}. Roll that key instead."
                ));
            }
            if key.status == KeyStatus::Expired {
                return state(
                    "This key has expired; only active or suspended keys can be rolled.".into(),
                );
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether the action needs the password (and 2FA code) entered in the last 15 minutes:
/// creating, rolling, reactivating or widening a live key (SPEC §12).
pub fn needs_sudo(action: KeyAction, mode: Mode) -> bool {
    mode == Mode::Live
        && matches!(
            action,
            KeyAction::Create
                | KeyAction::Roll
                | KeyAction::Reactivate
                | KeyAction::Edit { widens: true }
        )
}

/// [`permitted`], then sudo when [`needs_sudo`]: what every key operation asks.
pub fn authorize(
    actor: &Principal,
    action: KeyAction,
    mode: Mode,
    key: Option<&ApiKey>,
) -> Result<(), Error> {
    permitted(actor, action, mode, key)?;
    // A management key has nobody to ask for a password; its actions are audited as it.
    if needs_sudo(action, mode) && actor.machine.is_none() {
        actor.require_sudo()?;
    }
    Ok(())
}

/// Live webhook endpoints are Admins' to create, edit, enable or roll (SPEC §9, §12);
/// anyone in the Hub manages test endpoints and may disable or delete any.
pub fn may_manage_endpoint(actor: &Principal, livemode: bool) -> Result<(), Error> {
    actor.require_hub()?;
    if livemode && actor.role() != Role::Admin {
        return Err(Error::forbidden(
            "Only an Admin can create, edit or roll live webhook endpoints.",
        ));
    }
    Ok(())
}

/// Management keys are Admins' (SPEC §17): an Admin makes, lists, suspends and revokes
/// them; a management key never manages management keys. `live_grant`: the change gives
/// live power (a key made or reactivated with the live grant), so it needs sudo, like a
/// live key (SPEC §12).
pub fn may_manage_machine_keys(actor: &Principal, live_grant: bool) -> Result<(), Error> {
    if actor.machine.is_some() {
        return Err(Error::forbidden(
            "A management key cannot manage management keys; an Admin does, in the Developer Hub.",
        ));
    }
    actor.require_hub()?;
    if actor.role() != Role::Admin {
        return Err(Error::forbidden(
            "Only an Admin can manage management keys.",
        ));
    }
    if live_grant {
        actor.require_sudo()?;
    }
    Ok(())
}

/// Whether a management key holding `granted` may call a route that needs `needed`
/// (SPEC §17): write includes read, of the same area only.
pub fn machine_may(granted: &[Scope], needed: Scope) -> bool {
    granted.iter().any(|g| g.covers(needed))
}

/// Whether `new` allowed IPs admit an address that `old` did not (an entry added, a
/// block made larger, or the list emptied: empty means any address).
pub fn ips_widen(old: &[IpNetwork], new: &[IpNetwork]) -> bool {
    if old.is_empty() {
        return false;
    }
    new.is_empty() || new.iter().any(|n| !covered(*n, old))
}

/// Whether every address of `net` is in one of `by` (blocks split until each half is
/// inside one entry or outside them all).
fn covered(net: IpNetwork, by: &[IpNetwork]) -> bool {
    let inside = |outer: &IpNetwork, inner: &IpNetwork| {
        outer.is_ipv4() == inner.is_ipv4()
            && outer.prefix() <= inner.prefix()
            && outer.contains(inner.network())
    };
    if by.iter().any(|b| inside(b, &net)) {
        return true;
    }
    if !by.iter().any(|b| inside(&net, b)) {
        // No entry inside it and none around it: part of it (all of it) is new.
        return false;
    }
    match halves(net) {
        Some((a, b)) => covered(a, by) && covered(b, by),
        None => false,
    }
}

/// The two blocks one bit longer that make up `net`; None for a single address.
fn halves(net: IpNetwork) -> Option<(IpNetwork, IpNetwork)> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let prefix = net.prefix();
    match net.network() {
        IpAddr::V4(a) if prefix < 32 => {
            let base = u32::from(a);
            let high = base | (1u32 << (31 - prefix));
            let make = |x: u32| IpNetwork::new(IpAddr::V4(Ipv4Addr::from(x)), prefix + 1).ok();
            Some((make(base)?, make(high)?))
        }
        IpAddr::V6(a) if prefix < 128 => {
            let base = u128::from(a);
            let high = base | (1u128 << (127 - prefix));
            let make = |x: u128| IpNetwork::new(IpAddr::V6(Ipv6Addr::from(x)), prefix + 1).ok();
            Some((make(base)?, make(high)?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNetwork> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn adding_an_address_or_a_larger_block_widens() {
        let old = nets(&["203.0.113.7/32"]);
        assert!(ips_widen(&old, &nets(&["203.0.113.7/32", "0.0.0.0/0"])));
        assert!(ips_widen(
            &old,
            &nets(&["203.0.113.7/32", "198.51.100.1/32"])
        ));
        assert!(ips_widen(&old, &nets(&["203.0.113.0/24"])));
        assert!(ips_widen(&old, &[]), "empty means any address");
        assert!(ips_widen(&nets(&["10.0.0.0/25"]), &nets(&["10.0.0.0/24"])));
        assert!(ips_widen(&old, &nets(&["::/0"])));
    }

    #[test]
    fn removing_or_narrowing_or_rearranging_does_not_widen() {
        let old = nets(&["10.0.0.0/24", "203.0.113.7/32"]);
        assert!(!ips_widen(&old, &nets(&["10.0.0.0/24"])));
        assert!(!ips_widen(
            &old,
            &nets(&["10.0.0.128/25", "203.0.113.7/32"])
        ));
        assert!(!ips_widen(&old, &nets(&["203.0.113.7/32", "10.0.0.0/24"])));
        // Two halves cover their whole.
        assert!(!ips_widen(
            &nets(&["10.0.0.0/25", "10.0.0.128/25"]),
            &nets(&["10.0.0.0/24"])
        ));
        assert!(!ips_widen(&[], &nets(&["10.0.0.0/8"])), "from any address");
    }
}

//! The team an Admin manages: change a role, require two-factor, unlock, deactivate and
//! reactivate (people join through `invitations`). Each needs an Admin in sudo mode.

use super::principal::Principal;
use super::throttle;
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::merchant::Merchant;
use crate::db::models::session::Session;
use crate::db::models::user::{Role, User};
use crate::error::Error;

/// Tells the merchant's Admins (before `email` is one of them) who became an Admin.
pub fn mail_admin_added(conn: &mut DbConn, actor: &Principal, email: &str) -> Result<(), Error> {
    use crate::mail::notify::{Kind, Notice, notify};
    notify(
        conn,
        &actor.merchant.id,
        Kind::AdminAdded,
        None,
        &Notice {
            subject: format!("{email} is now an Admin of {}", actor.merchant.name),
            text: format!(
                "{} made {email} an Admin of {}. Admins manage the team, live keys and \
                 every setting. If this was not expected, look at the Team page.",
                actor.user.email, actor.merchant.name
            ),
            link: Some("/team"),
        },
    )?;
    Ok(())
}

/// A team change, audited as the acting Admin on their merchant (invitations too).
pub(super) fn audit(
    conn: &mut DbConn,
    actor: &Principal,
    action: &str,
    target: &str,
    ip: &str,
    detail: &str,
) -> Result<(), Error> {
    AuditEntry::record(
        conn,
        Some(&actor.merchant.id),
        &actor.user.email,
        action,
        target,
        ip,
        detail,
    )?;
    Ok(())
}

/// A member of the actor's merchant; another merchant's user is NotFound.
fn member_of(conn: &mut DbConn, actor: &Principal, user_id: &str) -> Result<User, Error> {
    let user = User::find(conn, user_id)?;
    if user.merchant_id != actor.merchant.id {
        return Err(Error::NotFound);
    }
    if user.id == actor.user.id {
        return Err(Error::forbidden(
            "You cannot change your own role or deactivate yourself; ask another Admin.",
        ));
    }
    Ok(user)
}

pub fn change_role(
    conn: &mut DbConn,
    actor: &Principal,
    user_id: &str,
    role: &str,
    ip: &str,
) -> Result<User, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    let role = role.parse::<Role>().map_err(|e| Error::field("role", e))?;
    let user = member_of(conn, actor, user_id)?;
    crate::db::transaction(conn, |conn| {
        if role == Role::Admin && user.role() != Role::Admin {
            mail_admin_added(conn, actor, &user.email)?;
        }
        User::set_role(conn, &user.id, role)?;
        audit(
            conn,
            actor,
            "team.role_changed",
            &user.email,
            ip,
            &format!("{} → {}", user.role, role),
        )
    })?;
    Ok(User::find(conn, &user.id)?)
}

/// An Admin's switch: every member must use two-factor sign-in (sudo mode). Turning it
/// on needs the Admin to use it themselves (else they would require what they skip),
/// and ends every browser session and API token of members without it (SPEC §13):
/// they sign in again and are held at the set-up. Returns how many sessions ended.
pub fn set_require_two_factor(
    conn: &mut DbConn,
    actor: &Principal,
    required: bool,
    ip: &str,
) -> Result<usize, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    if required && !super::two_factor::enabled(&actor.user) {
        return Err(Error::forbidden(
            "Turn on two-factor sign-in for yourself first (Account → Two-factor), then require it for the team.",
        ));
    }
    crate::db::transaction(conn, |conn| {
        Merchant::set_require_2fa(conn, &actor.merchant.id, required)?;
        let mut ended = 0;
        if required {
            for member in User::list_for_merchant(conn, &actor.merchant.id)? {
                if !super::two_factor::enabled(&member) {
                    // No jti is empty: this ends all of them, counted.
                    ended += Session::delete_others(conn, &member.id, "")?;
                }
            }
        }
        audit(
            conn,
            actor,
            if required {
                "team.two_factor_required"
            } else {
                "team.two_factor_optional"
            },
            &actor.merchant.id,
            ip,
            &if required {
                format!("{ended} sessions of members without two-factor ended")
            } else {
                String::new()
            },
        )?;
        Ok(ended)
    })
}

/// Lifts a member's sign-in lock (every address's failures for their email are forgotten).
pub fn unlock(
    conn: &mut DbConn,
    actor: &Principal,
    user_id: &str,
    ip: &str,
) -> Result<User, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    let user = member_of(conn, actor, user_id)?;
    crate::db::transaction(conn, |conn| {
        throttle::unlock(conn, &user.email)?;
        audit(conn, actor, "team.member_unlocked", &user.email, ip, "")?;
        Ok(user)
    })
}

/// Deactivates a member and ends their sessions; they are out on their next request.
pub fn deactivate(
    conn: &mut DbConn,
    actor: &Principal,
    user_id: &str,
    ip: &str,
) -> Result<User, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    let user = member_of(conn, actor, user_id)?;
    crate::db::transaction(conn, |conn| {
        User::set_active(conn, &user.id, false)?;
        Session::delete_for_user(conn, &user.id)?;
        audit(conn, actor, "team.member_deactivated", &user.email, ip, "")
    })?;
    Ok(User::find(conn, &user.id)?)
}

/// Brings a deactivated member back with their role and password as they were; they
/// sign in again themselves (their sessions ended when they were deactivated).
pub fn reactivate(
    conn: &mut DbConn,
    actor: &Principal,
    user_id: &str,
    ip: &str,
) -> Result<User, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    let user = member_of(conn, actor, user_id)?;
    if user.active {
        return Ok(user);
    }
    crate::db::transaction(conn, |conn| {
        User::set_active(conn, &user.id, true)?;
        audit(conn, actor, "team.member_reactivated", &user.email, ip, "")
    })?;
    Ok(User::find(conn, &user.id)?)
}

//! Recovery from the command line (SPEC §14): list people, reset a password or two-factor
//! sign-in, lift a sign-in lock. For the operator of the server, so no sign-in and no
//! sudo; each change is audited with actor `cli`.

use super::{passwords, throttle, two_factor, validate};
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::merchant::Merchant;
use crate::db::models::session::Session;
use crate::db::models::user::{Role, User};
use crate::error::Error;

/// One person as `paydesk user list` shows them.
pub struct UserListing {
    pub email: String,
    pub role: Role,
    pub merchant: String,
    pub two_factor: bool,
    pub active: bool,
    /// Sign-in is locked by failures until then (unix seconds), if it is.
    pub locked_until: Option<i64>,
}

impl UserListing {
    /// `active`, `deactivated` or `locked until 2026-12-02 02:49 UTC`.
    pub fn status(&self) -> String {
        match (self.active, self.locked_until) {
            (false, _) => "deactivated".into(),
            (true, Some(until)) => format!("locked until {}", crate::clock::display(until)),
            (true, None) => "active".into(),
        }
    }
}

/// Everyone, or one merchant's people (an unknown name is refused), by merchant and email.
pub fn list_users(conn: &mut DbConn, merchant: Option<&str>) -> Result<Vec<UserListing>, Error> {
    let merchants = match merchant {
        Some(name) => vec![Merchant::find_by_name(conn, name.trim())?.ok_or_else(|| {
            Error::field(
                "merchant",
                format!("No merchant is named {:?}.", name.trim()),
            )
        })?],
        None => Merchant::list(conn)?,
    };
    let mut rows = Vec::new();
    for m in merchants {
        for u in User::list_for_merchant(conn, &m.id)? {
            rows.push(UserListing {
                locked_until: throttle::locked_until_anywhere(conn, &u.email)?,
                role: u.role(),
                two_factor: two_factor::enabled(&u),
                active: u.active,
                email: u.email,
                merchant: m.name.clone(),
            });
        }
    }
    Ok(rows)
}

/// The person with this email; an unknown one is an error on `--email`.
fn by_email(conn: &mut DbConn, email: &str) -> Result<User, Error> {
    let email = validate::email(email).map_err(|e| Error::field("email", e))?;
    User::find_by_email(conn, &email)?
        .ok_or_else(|| Error::field("email", format!("No user has the email {email}.")))
}

fn audit(conn: &mut DbConn, user: &User, action: &str, detail: &str) -> Result<(), Error> {
    AuditEntry::record(
        conn,
        Some(&user.merchant_id),
        "cli",
        action,
        &user.email,
        "cli",
        detail,
    )?;
    Ok(())
}

/// What a reset did: to whom, and how many of their sessions ended.
pub struct Reset {
    pub user: User,
    pub sessions_ended: usize,
}

/// Sets a new password and ends every session of the person (a reset link they were
/// sent stops working too: it is bound to the old password).
pub fn reset_password_cli(conn: &mut DbConn, email: &str, password: &str) -> Result<Reset, Error> {
    let user = by_email(conn, email)?;
    validate::password(password).map_err(|e| Error::field("password", e))?;
    let hash = passwords::hash(password);
    crate::db::transaction(conn, |conn| {
        User::set_password(conn, &user.id, &hash)?;
        let ended = Session::delete_for_user(conn, &user.id)?;
        audit(
            conn,
            &user,
            "account.password_reset",
            &format!("{ended} sessions ended"),
        )?;
        Ok(Reset {
            user: User::find(conn, &user.id)?,
            sessions_ended: ended,
        })
    })
}

/// Turns two-factor sign-in off (secret and recovery codes gone) and ends every session;
/// the person signs in with their password and, when the team requires it, sets it up
/// again. Refused when it is off already.
pub fn reset_two_factor_cli(conn: &mut DbConn, email: &str) -> Result<Reset, Error> {
    let user = by_email(conn, email)?;
    if !two_factor::enabled(&user) {
        return Err(Error::InvalidState(format!(
            "{} does not use two-factor sign-in; nothing was changed",
            user.email
        )));
    }
    crate::db::transaction(conn, |conn| {
        two_factor::disable(conn, &user.id)?;
        let ended = Session::delete_for_user(conn, &user.id)?;
        audit(
            conn,
            &user,
            "account.two_factor_reset",
            &format!("authenticator and recovery codes removed; {ended} sessions ended"),
        )?;
        Ok(Reset {
            user: User::find(conn, &user.id)?,
            sessions_ended: ended,
        })
    })
}

/// Forgets the person's failed sign-ins from every address. Returns the lock it lifted,
/// if sign-in was locked.
pub fn unlock_cli(conn: &mut DbConn, email: &str) -> Result<(User, Option<i64>), Error> {
    let user = by_email(conn, email)?;
    crate::db::transaction(conn, |conn| {
        let was = throttle::locked_until_anywhere(conn, &user.email)?;
        throttle::unlock(conn, &user.email)?;
        let detail = match was {
            Some(until) => format!("was locked until {}", crate::clock::display(until)),
            None => "was not locked".to_owned(),
        };
        audit(conn, &user, "account.unlocked", &detail)?;
        Ok((user, was))
    })
}

/// When sign-in for this email is locked (for a hint after a reset).
pub fn locked_until(conn: &mut DbConn, email: &str) -> Result<Option<i64>, Error> {
    throttle::locked_until_anywhere(conn, email)
}

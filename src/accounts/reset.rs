//! Forgot password (SPEC §14). A request answers the same for every address; for a
//! person's address a link is mailed (`/password-reset/{token}`), valid 30 minutes, once,
//! and only while the password is the one it was issued for. Using it sets the new
//! password, ends every session of the person and lifts a sign-in lock; two-factor
//! sign-in is still asked at the next sign-in.
//!
//! Throttles: an email gets at most `EMAIL_LIMIT` links an hour (further requests are
//! answered alike and mail nothing); a client IP may ask `IP_LIMIT` times in 15 minutes,
//! then `Throttled` (429), whatever the addresses.

use super::links::Refusal;
use super::setup::hashed;
use super::{throttle, validate};
use crate::clock;
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::password_reset::{PasswordReset, ResetRequest};
use crate::db::models::session::Session;
use crate::db::models::user::User;
use crate::error::Error;
use crate::mail::{self, Mail};

/// How long a reset link works.
pub const RESET_SECS: i64 = 30 * 60;
pub const EMAIL_LIMIT: i64 = 3;
const EMAIL_WINDOW_SECS: i64 = 60 * 60;
pub const IP_LIMIT: i64 = 10;
const IP_WINDOW_SECS: i64 = 15 * 60;

/// What a link is bound to: the SHA-256 of the password hash it was issued under.
fn fingerprint(user: &User) -> String {
    crate::crypto::hash(&user.password_hash)
}

/// Someone asks for a reset link for `email`. `Ok(())` for every well-formed address,
/// known or not; `Throttled` when this IP asked too often.
pub fn request_reset(conn: &mut DbConn, email: &str, ip: &str) -> Result<(), Error> {
    let email = validate::email(email).map_err(|e| Error::field("email", e))?;
    let now = clock::now();
    crate::db::transaction(conn, |conn| {
        throttle::one_at_a_time(conn, &format!("paydesk reset {email}"))?;
        ResetRequest::expire(conn, now - EMAIL_WINDOW_SECS.max(IP_WINDOW_SECS))?;
        let (from_ip, oldest) = ResetRequest::from_ip(conn, ip, now - IP_WINDOW_SECS)?;
        if from_ip >= IP_LIMIT {
            let retry = oldest.map_or(IP_WINDOW_SECS, |t| t + IP_WINDOW_SECS - now);
            return Err(Error::Throttled(retry.max(1)));
        }
        let earlier = ResetRequest::for_email(conn, &email, now - EMAIL_WINDOW_SECS)?;
        ResetRequest {
            id: crate::ids::time_ordered_id("prr"),
            email: email.clone(),
            ip: ip.to_owned(),
            at: now,
        }
        .insert(conn)?;
        if earlier >= EMAIL_LIMIT {
            return Ok(());
        }
        let Some(user) = User::find_by_email(conn, &email)?.filter(|u| u.active) else {
            return Ok(());
        };
        PasswordReset::purge(conn, now - 24 * 60 * 60)?;
        let token = crate::ids::random_base62(32);
        PasswordReset {
            token_hash: crate::crypto::hash(&token),
            user_id: user.id.clone(),
            password_fingerprint: fingerprint(&user),
            created_at: now,
            expires_at: now + RESET_SECS,
            used_at: None,
        }
        .insert(conn)?;
        mail::queue(
            conn,
            &Mail {
                to: user.email.clone(),
                subject: "Reset your Paydesk password".into(),
                text: format!(
                    "Someone, hopefully you, asked to reset the password of {} on Paydesk.\n\n\
                     The link below works once, within 30 minutes. If you use two-factor \
                     sign-in, it is still asked at your next sign-in. If you did not ask for \
                     this, ignore this mail: your password stays as it is.",
                    user.email
                ),
                link: Some(format!("/password-reset/{token}")),
                kind: "password_reset",
            },
        )?;
        AuditEntry::record(
            conn,
            Some(&user.merchant_id),
            &user.email,
            "account.password_reset_requested",
            &user.email,
            ip,
            "",
        )?;
        Ok(())
    })
}

/// The person a reset link's token is for, or why it does not work.
pub fn open_reset(
    conn: &mut DbConn,
    token: &str,
) -> Result<Result<(PasswordReset, User), Refusal>, Error> {
    let Some(reset) = PasswordReset::find(conn, &crate::crypto::hash(token))? else {
        return Ok(Err(Refusal::Unknown));
    };
    if reset.used_at.is_some() {
        return Ok(Err(Refusal::Used));
    }
    if reset.expires_at <= clock::now() {
        return Ok(Err(Refusal::Expired(reset.expires_at)));
    }
    let user = User::find(conn, &reset.user_id)?;
    if !user.active {
        return Ok(Err(Refusal::Unknown));
    }
    if fingerprint(&user) != reset.password_fingerprint {
        return Ok(Err(Refusal::PasswordChanged));
    }
    Ok(Ok((reset, user)))
}

/// Sets the new password through a reset link, once; ends every session of the person.
/// Returns how many sessions ended.
pub fn reset_with_link(
    conn: &mut DbConn,
    token: &str,
    password: &str,
    password_hash: Option<String>,
    ip: &str,
) -> Result<Result<usize, Refusal>, Error> {
    let (reset, user) = match open_reset(conn, token)? {
        Ok(found) => found,
        Err(refusal) => return Ok(Err(refusal)),
    };
    validate::password(password).map_err(|e| Error::field("password", e))?;
    let hash = hashed(password_hash)?;
    let now = clock::now();
    crate::db::transaction(conn, |conn| {
        // Once, and only under the password it was issued for (read again inside).
        let current = User::find(conn, &user.id)?;
        if fingerprint(&current) != reset.password_fingerprint {
            return Ok(Err(Refusal::PasswordChanged));
        }
        if !PasswordReset::take(conn, &reset.token_hash, now)? {
            return Ok(Err(Refusal::Used));
        }
        PasswordReset::end_others(conn, &user.id, now)?;
        User::set_password(conn, &user.id, &hash)?;
        let ended = Session::delete_for_user(conn, &user.id)?;
        throttle::unlock(conn, &user.email)?;
        AuditEntry::record(
            conn,
            Some(&user.merchant_id),
            &user.email,
            "account.password_reset",
            &user.email,
            ip,
            &format!("by a mailed link; {ended} sessions ended"),
        )?;
        Ok(Ok(ended))
    })
}

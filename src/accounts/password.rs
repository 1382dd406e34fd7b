//! The signed-in person's password: entered again for sudo mode, or changed.

use super::passwords::{self, off_the_workers};
use super::principal::Principal;
use super::sign_in::SignInKeys;
use super::{throttle, two_factor, validate};
use crate::clock;
use crate::db::Db;
use crate::db::models::audit::AuditEntry;
use crate::db::models::forms::SignInFailure;
use crate::db::models::session::Session;
use crate::db::models::user::User;
use crate::error::Error;

/// Sudo mode: the signed-in person enters their password again, and the two-factor code
/// when they have it on (SPEC §12, §13). Failures of either are throttled like sign-ins;
/// the email-wide lock does not hold a person who is signed in already. Argon2 runs on
/// the blocking pool without a connection.
pub async fn reauthenticate(
    db: &Db,
    keys: SignInKeys<'_>,
    who: &Principal,
    password: String,
    code: Option<String>,
    ip: &str,
) -> Result<(), Error> {
    check_password(db, who, password, ip).await?;
    let code = code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let two_factor_on = two_factor::enabled(&who.user);
    if two_factor_on && code.is_none() {
        return Err(Error::field(
            "code",
            "Enter the 6-digit code from your authenticator app (or a recovery code).",
        ));
    }
    let (sealer, recovery) = (keys.totp.clone(), keys.secrets.recovery);
    let (who, ip) = (who.clone(), ip.to_owned());
    db.run(move |c| {
        let (email, user_id, merchant) = (&who.user.email, &who.user.id, &who.merchant.id);
        if let Some(code) = code.filter(|_| two_factor_on) {
            let attempt = throttle::begin(c, email, &ip, throttle::Device::Trusted)?;
            let keys = two_factor::Keys {
                sealer: &sealer,
                recovery: &recovery,
            };
            if !two_factor::check(c, keys, &who.user, &code)? {
                AuditEntry::record(
                    c,
                    Some(merchant),
                    email,
                    "sudo.failed",
                    user_id,
                    &ip,
                    "wrong two-factor code",
                )?;
                return match throttle::failed(c, email, &ip, throttle::Device::Trusted)? {
                    Some(until) => Err(Error::Locked(clock::display(until))),
                    None => Err(Error::field(
                        "code",
                        "That code is not right, or was used already. Enter the newest code.",
                    )),
                };
            }
            SignInFailure::delete(c, &attempt.id)?;
        }
        Session::reauthenticated(c, &who.jti, clock::now())?;
        AuditEntry::record(c, Some(merchant), email, "sudo.confirmed", user_id, &ip, "")?;
        Ok(())
    })
    .await
}

/// The person's own password, checked and throttled; a wrong one is `Invalid` on the
/// `password` field (or `Locked`).
async fn check_password(db: &Db, who: &Principal, password: String, ip: &str) -> Result<(), Error> {
    let (email, i) = (who.user.email.clone(), ip.to_owned());
    let attempt = db
        .run(move |c| throttle::begin(c, &email, &i, throttle::Device::Trusted))
        .await?;
    let hash = who.user.password_hash.clone();
    let matches = off_the_workers(move || passwords::verify(&password, &hash)).await?;
    let (email, ip, merchant, user_id) = (
        who.user.email.clone(),
        ip.to_owned(),
        who.merchant.id.clone(),
        who.user.id.clone(),
    );
    db.run(move |c| {
        if matches {
            SignInFailure::delete(c, &attempt.id)?;
            return Ok(());
        }
        AuditEntry::record(
            c,
            Some(&merchant),
            &email,
            "sudo.failed",
            &user_id,
            &ip,
            "wrong password",
        )?;
        match throttle::failed(c, &email, &ip, throttle::Device::Trusted)? {
            Some(until) => Err(Error::Locked(clock::display(until))),
            None => Err(Error::field("password", "That is not your password.")),
        }
    })
    .await
}

/// Changes the signed-in person's password (the current one required). Every other
/// session of theirs ends; this one stays.
pub async fn change_password(
    db: &Db,
    who: &Principal,
    current: String,
    new: String,
    ip: &str,
) -> Result<usize, Error> {
    if let Err(e) = validate::password(&new) {
        return Err(Error::field("new_password", e));
    }
    // The current password only: this is no sudo confirmation (that may need a code).
    check_password(db, who, current, ip)
        .await
        .map_err(|e| match e {
            Error::Invalid(_) => {
                Error::field("current_password", "That is not your current password.")
            }
            other => other,
        })?;
    let hash = off_the_workers(move || passwords::hash(&new)).await?;
    let (user_id, jti, email, merchant, ip) = (
        who.user.id.clone(),
        who.jti.clone(),
        who.user.email.clone(),
        who.merchant.id.clone(),
        ip.to_owned(),
    );
    db.run(move |c| {
        crate::db::transaction(c, |c| {
            User::set_password(c, &user_id, &hash)?;
            let ended = Session::delete_others(c, &user_id, &jti)?;
            AuditEntry::record(
                c,
                Some(&merchant),
                &email,
                "account.password_changed",
                &user_id,
                &ip,
                &format!("{ended} other sessions ended"),
            )?;
            Ok(ended)
        })
    })
    .await
}

//! The signed-in person's password: entered again for sudo mode, or changed.

use super::passwords::{self, off_the_workers};
use super::principal::Principal;
use super::{throttle, validate};
use crate::clock;
use crate::db::Db;
use crate::db::models::audit::AuditEntry;
use crate::db::models::session::Session;
use crate::db::models::user::User;
use crate::error::Error;

/// Sudo mode: the signed-in person enters their password again (SPEC §12). Failures are
/// throttled like sign-ins. Argon2 runs on the blocking pool without a connection.
pub async fn reauthenticate(
    db: &Db,
    who: &Principal,
    password: String,
    ip: &str,
) -> Result<(), Error> {
    let (email, i) = (who.user.email.clone(), ip.to_owned());
    let attempt = db.run(move |c| throttle::begin(c, &email, &i)).await?;
    let hash = who.user.password_hash.clone();
    let matches = off_the_workers(move || passwords::verify(&password, &hash)).await?;
    let (email, ip, jti, merchant) = (
        who.user.email.clone(),
        ip.to_owned(),
        who.jti.clone(),
        who.merchant.id.clone(),
    );
    let user_id = who.user.id.clone();
    db.run(move |c| {
        if matches {
            crate::db::models::forms::SignInFailure::delete(c, &attempt.id)?;
            Session::reauthenticated(c, &jti, clock::now())?;
            AuditEntry::record(
                c,
                Some(&merchant),
                &email,
                "sudo.confirmed",
                &user_id,
                &ip,
                "",
            )?;
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
        match throttle::failed(c, &email, &ip)? {
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
    reauthenticate(db, who, current, ip)
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

//! Sign-in with email and password, then the two-factor code when it is on; throttled
//! alike for known and unknown emails (SPEC §2, §12).

use super::passwords::{self, off_the_workers};
use super::sessions::{Issued, start_session};
use super::throttle;
use super::tokens::{Purpose, Tokens};
use crate::clock;
use crate::db::models::audit::AuditEntry;
use crate::db::models::merchant::Merchant;
use crate::db::models::user::User;
use crate::db::{Db, DbConn};
use crate::error::Error;

/// What a correct password leads to.
pub enum SignIn {
    /// Signed in.
    Done(Issued),
    /// The account uses two-factor and no code came with the password: ask for it, then
    /// `finish_two_factor` (pages), or answer 401 `otp_required` (API).
    NeedsCode { user_id: String },
}

/// The keys sign-in needs besides the database.
pub struct SignInKeys<'a> {
    pub tokens: &'a Tokens,
    pub totp: &'a crate::crypto::Sealer,
}

/// Checks email and password. Unknown email, wrong password, deactivated user and a
/// locked pair or email all answer alike (401 `invalid_credentials`, after one argon2
/// verification where the password is checked at all); see `throttle` for the limits.
///
/// Three steps, so argon2 never holds a pooled connection: count the attempt (database),
/// verify the password (blocking pool, no connection), record the outcome (database).
pub async fn sign_in(
    db: &Db,
    keys: SignInKeys<'_>,
    purpose: Purpose,
    email: &str,
    password: String,
    otp: Option<String>,
    ip: &str,
) -> Result<SignIn, Error> {
    let tokens = keys.tokens;
    let email = email.trim().to_lowercase();
    let (e, i) = (email.clone(), ip.to_owned());
    let (attempt, user) = db
        .run(move |c| {
            let attempt = throttle::begin(c, &e, &i)?;
            Ok((attempt, User::find_by_email(c, &e)?))
        })
        .await?;
    let matches = match &user {
        Some(u) => {
            let hash = u.password_hash.clone();
            off_the_workers(move || passwords::verify(&password, &hash)).await?
        }
        None => {
            // No such email: a dummy hash is checked, so the answer takes as long.
            off_the_workers(move || passwords::verify_dummy(&password)).await?;
            false
        }
    };
    let (tokens, sealer, ip) = (tokens.clone(), keys.totp.clone(), ip.to_owned());
    db.run(move |c| {
        let checked = Checked {
            user,
            password_matches: matches,
            attempt,
            otp,
        };
        finish_sign_in(c, &tokens, &sealer, purpose, &email, checked, &ip)
    })
    .await
}

/// The outcome of the password check, for the database step.
struct Checked {
    user: Option<User>,
    password_matches: bool,
    attempt: throttle::Attempt,
    otp: Option<String>,
}

/// The second step of a page sign-in: the code for the user whose password was right
/// (held in the browser's session for a few minutes). Wrong codes count as failures.
pub async fn finish_two_factor(
    db: &Db,
    keys: SignInKeys<'_>,
    user_id: &str,
    code: String,
    ip: &str,
) -> Result<Issued, Error> {
    let (tokens, sealer, user_id, ip) = (
        keys.tokens.clone(),
        keys.totp.clone(),
        user_id.to_owned(),
        ip.to_owned(),
    );
    db.run(move |c| {
        let user = User::find(c, &user_id)?;
        let attempt = throttle::begin(c, &user.email, &ip)?;
        let email = user.email.clone();
        let checked = Checked {
            user: Some(user),
            password_matches: true,
            attempt,
            otp: Some(code),
        };
        match finish_sign_in(c, &tokens, &sealer, Purpose::Web, &email, checked, &ip)? {
            SignIn::Done(issued) => Ok(issued),
            SignIn::NeedsCode { .. } => Err(Error::OtpRequired),
        }
    })
    .await
}

fn finish_sign_in(
    conn: &mut DbConn,
    tokens: &Tokens,
    sealer: &crate::crypto::Sealer,
    purpose: Purpose,
    email: &str,
    checked: Checked,
    ip: &str,
) -> Result<SignIn, Error> {
    let Checked {
        user,
        password_matches,
        attempt,
        otp,
    } = checked;
    let mut wrong_code = false;
    let user = match user {
        Some(u) if password_matches && u.active => {
            let second = if super::two_factor::enabled(&u) {
                match otp.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    // The password was right: this was no failure, the code is asked for.
                    None => {
                        crate::db::models::forms::SignInFailure::delete(conn, &attempt.id)?;
                        return match purpose {
                            Purpose::Api => Err(Error::OtpRequired),
                            Purpose::Web => Ok(SignIn::NeedsCode { user_id: u.id }),
                        };
                    }
                    Some(code) => super::two_factor::check(conn, sealer, &u, code)?,
                }
            } else {
                if purpose == Purpose::Api && Merchant::find(conn, &u.merchant_id)?.require_2fa {
                    crate::db::models::forms::SignInFailure::delete(conn, &attempt.id)?;
                    return Err(Error::TwoFactorRequired);
                }
                true
            };
            if second {
                crate::db::models::forms::SignInFailure::delete(conn, &attempt.id)?;
                throttle::succeeded(conn, email, ip)?;
                return start_session(conn, tokens, purpose, u, ip).map(SignIn::Done);
            }
            wrong_code = true;
            Some(u)
        }
        other => other,
    };
    let (merchant, target, detail) = match &user {
        Some(u) if wrong_code => (
            Some(u.merchant_id.as_str()),
            u.id.as_str(),
            "wrong two-factor code",
        ),
        Some(u) if !u.active => (
            Some(u.merchant_id.as_str()),
            u.id.as_str(),
            "deactivated user",
        ),
        Some(u) => (
            Some(u.merchant_id.as_str()),
            u.id.as_str(),
            "wrong password",
        ),
        None => (None, email, "unknown email"),
    };
    AuditEntry::record(conn, merchant, email, "sign_in.failed", target, ip, detail)?;
    match throttle::failed(conn, email, ip)? {
        Some(until) => {
            if user.is_some() {
                AuditEntry::record(
                    conn,
                    merchant,
                    email,
                    "account.locked",
                    target,
                    ip,
                    "too many failed sign-ins",
                )?;
            }
            Err(Error::Locked(clock::display(until)))
        }
        None => Err(Error::BadCredentials),
    }
}

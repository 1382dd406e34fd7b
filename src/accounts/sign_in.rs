//! Sign-in with email and password, then the two-factor code when it is on; throttled
//! alike for known and unknown emails (SPEC §2, §12).

use super::passwords::{self, off_the_workers};
use super::secrets::AccountKeys;
use super::sessions::{Issued, start_session};
use super::tokens::{Purpose, Tokens};
use super::{device, throttle, two_factor};
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
#[derive(Clone, Copy)]
pub struct SignInKeys<'a> {
    pub tokens: &'a Tokens,
    pub totp: &'a crate::crypto::Sealer,
    pub secrets: &'a AccountKeys,
}

impl SignInKeys<'_> {
    pub fn two_factor(&self) -> two_factor::Keys<'_> {
        two_factor::Keys {
            sealer: self.totp,
            recovery: &self.secrets.recovery,
        }
    }
}

/// Where an attempt comes from: the client's address and, from a browser, its device
/// cookie (`device`), which spares a returning person the email-wide lock.
#[derive(Clone, Copy)]
pub struct Client<'a> {
    pub ip: &'a str,
    pub device: Option<&'a str>,
}

/// Whether the browser's device cookie vouches for this person (never for an unknown
/// email, so those answer exactly as before).
fn device_of(keys: &AccountKeys, client: Client<'_>, user: Option<&User>) -> throttle::Device {
    match user {
        Some(u) if device::trusted(keys, client.device, &u.id, clock::now()) => {
            throttle::Device::Trusted
        }
        _ => throttle::Device::Unknown,
    }
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
    client: Client<'_>,
) -> Result<SignIn, Error> {
    let email = email.trim().to_lowercase();
    let e = email.clone();
    let (ip, cookie, secrets) = (
        client.ip.to_owned(),
        client.device.map(str::to_owned),
        keys.secrets.clone(),
    );
    let (attempt, user, device) = db
        .run(move |c| {
            let user = User::find_by_email(c, &e)?;
            let client = Client {
                ip: &ip,
                device: cookie.as_deref(),
            };
            let device = device_of(&secrets, client, user.as_ref());
            let attempt = throttle::begin(c, &e, &ip, device)?;
            Ok((attempt, user, device))
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
    let (tokens, sealer, recovery, ip) = (
        keys.tokens.clone(),
        keys.totp.clone(),
        keys.secrets.recovery,
        client.ip.to_owned(),
    );
    db.run(move |c| {
        let checked = Checked {
            user,
            password_matches: matches,
            attempt,
            device,
            otp,
        };
        let keys = two_factor::Keys {
            sealer: &sealer,
            recovery: &recovery,
        };
        finish_sign_in(c, &tokens, keys, purpose, &email, checked, &ip)
    })
    .await
}

/// The outcome of the password check, for the database step.
struct Checked {
    user: Option<User>,
    password_matches: bool,
    attempt: throttle::Attempt,
    device: throttle::Device,
    otp: Option<String>,
}

/// The second step of a page sign-in: the code for the user whose password was right
/// (held in the browser's session for a few minutes). Wrong codes count as failures and
/// answer `OtpInvalid`.
pub async fn finish_two_factor(
    db: &Db,
    keys: SignInKeys<'_>,
    user_id: &str,
    code: String,
    client: Client<'_>,
) -> Result<Issued, Error> {
    let (tokens, sealer, secrets, user_id, ip, cookie) = (
        keys.tokens.clone(),
        keys.totp.clone(),
        keys.secrets.clone(),
        user_id.to_owned(),
        client.ip.to_owned(),
        client.device.map(str::to_owned),
    );
    db.run(move |c| {
        let user = User::find(c, &user_id)?;
        let client = Client {
            ip: &ip,
            device: cookie.as_deref(),
        };
        let device = device_of(&secrets, client, Some(&user));
        let attempt = throttle::begin(c, &user.email, &ip, device)?;
        let email = user.email.clone();
        let checked = Checked {
            user: Some(user),
            password_matches: true,
            attempt,
            device,
            otp: Some(code),
        };
        let keys = two_factor::Keys {
            sealer: &sealer,
            recovery: &secrets.recovery,
        };
        match finish_sign_in(c, &tokens, keys, Purpose::Web, &email, checked, &ip)? {
            SignIn::Done(issued) => Ok(issued),
            SignIn::NeedsCode { .. } => Err(Error::OtpRequired),
        }
    })
    .await
}

fn finish_sign_in(
    conn: &mut DbConn,
    tokens: &Tokens,
    keys: two_factor::Keys<'_>,
    purpose: Purpose,
    email: &str,
    checked: Checked,
    ip: &str,
) -> Result<SignIn, Error> {
    let Checked {
        user,
        password_matches,
        attempt,
        device,
        otp,
    } = checked;
    let mut wrong_code = false;
    let user = match user {
        Some(u) if password_matches && u.active => {
            let second = if two_factor::enabled(&u) {
                match otp.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    // The password was right: this was no failure, the code is asked for.
                    None => {
                        crate::db::models::forms::SignInFailure::delete(conn, &attempt.id)?;
                        return match purpose {
                            Purpose::Api => Err(Error::OtpRequired),
                            Purpose::Web => Ok(SignIn::NeedsCode { user_id: u.id }),
                        };
                    }
                    Some(code) => two_factor::check(conn, keys, &u, code)?,
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
                // A browser that has not signed in as this person before: they and the
                // Admins hear of it, in the sign-in's transaction.
                let new_device =
                    purpose == Purpose::Web && matches!(device, throttle::Device::Unknown);
                return crate::db::transaction(conn, |conn| {
                    if new_device {
                        mail_new_device(conn, &u, ip)?;
                    }
                    start_session(conn, tokens, purpose, u, ip)
                })
                .map(SignIn::Done);
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
    match throttle::failed(conn, email, ip, device)? {
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
        // Only after a correct password: saying the code was wrong reveals nothing.
        None if wrong_code => Err(Error::OtpInvalid),
        None => Err(Error::BadCredentials),
    }
}

fn mail_new_device(conn: &mut DbConn, user: &User, ip: &str) -> Result<(), Error> {
    use crate::mail::notify::{Kind, Notice, notify};
    notify(
        conn,
        &user.merchant_id,
        Kind::NewDevice,
        Some(&user.id),
        &Notice {
            subject: format!("New sign-in to Paydesk as {}", user.email),
            text: format!(
                "Someone signed in as {} from {ip} at {}, in a browser that had not \
                 signed in as them before. If that was you, there is nothing to do. If \
                 not, change the password now and end the other sessions on the Account \
                 page.",
                user.email,
                clock::display(clock::now())
            ),
            link: Some("/account"),
        },
    )?;
    Ok(())
}

//! The operations on people. Every function here is synchronous and may hash a password:
//! run it through `Db::run`, never on an async worker.

use super::tokens::{Purpose, Tokens};
use super::validate;
use super::{passwords, throttle};
use crate::clock;
use crate::db::models::audit::AuditEntry;
use crate::db::models::merchant::Merchant;
use crate::db::models::session::Session;
use crate::db::models::user::{Role, User};
use crate::db::{Db, DbConn, changes};
use crate::error::{Error, FieldErrors};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// …and this long after sign-in, whatever happens.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// Failures before an account locks, and for how long.
/// `last_seen_at` is written at most this often per session, to spare the database.
const TOUCH_EVERY_SECS: i64 = 60;

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub merchant: Merchant,
    pub jti: String,
    /// When the password was last entered for this session (sudo mode).
    pub sudo_at: Option<i64>,
}

/// How long an entered password allows dangerous changes (SPEC §12).
pub const SUDO_SECS: i64 = 15 * 60;

impl Principal {
    pub fn role(&self) -> Role {
        self.user.role()
    }

    pub fn require_admin(&self) -> Result<(), Error> {
        if self.role() == Role::Admin {
            Ok(())
        } else {
            Err(Error::forbidden("Only an Admin can do this."))
        }
    }

    /// Sudo mode: dangerous changes (live keys, the team) need the password entered in the
    /// last 15 minutes, at sign-in or again when asked.
    pub fn require_sudo(&self) -> Result<(), Error> {
        match self.sudo_at {
            Some(at) if clock::now() - at < SUDO_SECS => Ok(()),
            _ => Err(Error::ReauthenticationRequired),
        }
    }

    pub fn require_hub(&self) -> Result<(), Error> {
        if self.role().can_use_hub() {
            Ok(())
        } else {
            Err(Error::forbidden(
                "The Developer Hub is for Admins and Developers; ask an Admin to change your role.",
            ))
        }
    }
}

/// A fresh session: the JWT to hand out and when it stops working.
pub struct Issued {
    pub token: String,
    pub expires_at: i64,
    pub user: User,
}

/// The first-run form.
pub struct SetupInput {
    pub merchant_name: String,
    pub email: String,
    pub password: String,
}

/// True while nobody can sign in yet, i.e. while `/setup` is open.
pub fn needs_setup(conn: &mut DbConn) -> Result<bool, Error> {
    Ok(!User::any_exists(conn)?)
}

/// Creates the merchant and its first Admin, then signs them in. Refused (NotFound)
/// once any user exists, so `/setup` cannot be replayed.
pub fn setup(
    conn: &mut DbConn,
    tokens: &Tokens,
    input: SetupInput,
    password_hash: Option<String>,
    ip: &str,
) -> Result<Issued, Error> {
    let mut errors = FieldErrors::new();
    let name = validate::merchant_name(&input.merchant_name)
        .map_err(|e| errors.insert("merchant_name", e))
        .ok();
    let email = validate::email(&input.email)
        .map_err(|e| errors.insert("email", e))
        .ok();
    if let Err(e) = validate::password(&input.password) {
        errors.insert("password", e);
    }
    let (Some(name), Some(email)) = (name, email) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let password_hash = hashed(password_hash)?;
    let user = crate::db::transaction(conn, |conn| {
        if !needs_setup(conn)? {
            return Err(Error::NotFound);
        }
        let merchant = Merchant::new(&name);
        merchant.insert(conn)?;
        let user = new_user(&merchant.id, &email, Role::Admin, password_hash);
        user.insert(conn)?;
        AuditEntry::record(
            conn,
            Some(&merchant.id),
            &email,
            "setup",
            &merchant.name,
            ip,
            "",
        )?;
        Ok::<_, Error>(user)
    })?;
    start_session(conn, tokens, Purpose::Web, user, ip)
}

/// The argon2 hash of a new password, made on the blocking pool with no database
/// connection held; None when the password breaks the length rule (the operation's own
/// validation then names the field).
pub async fn hash_new_password(password: &str) -> Result<Option<String>, Error> {
    if validate::password(password).is_err() {
        return Ok(None);
    }
    let password = password.to_owned();
    off_the_workers(move || Some(passwords::hash(&password))).await
}

fn hashed(hash: Option<String>) -> Result<String, Error> {
    hash.ok_or_else(|| Error::internal("a valid password arrived without its hash"))
}

fn new_user(merchant_id: &str, email: &str, role: Role, password_hash: String) -> User {
    User {
        id: crate::ids::new_id("usr"),
        merchant_id: merchant_id.to_owned(),
        email: email.to_owned(),
        password_hash,
        role: role.as_str().to_owned(),
        active: true,
        failed_logins: 0,
        locked_until: None,
        created_at: clock::now(),
        totp_secret: None,
        totp_last_step: None,
    }
}

/// Checks email and password. Unknown email, wrong password, deactivated user and a
/// locked pair or email all answer alike (401 `invalid_credentials`, after one argon2
/// verification where the password is checked at all); see `throttle` for the limits.
///
/// Three steps, so argon2 never holds a pooled connection: count the attempt (database),
/// verify the password (blocking pool, no connection), record the outcome (database).
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

/// CPU work on the blocking pool, holding no connection.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    actix_web::web::block(work)
        .await
        .map_err(|e| Error::internal(format!("blocking task: {e}")))
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

fn start_session(
    conn: &mut DbConn,
    tokens: &Tokens,
    purpose: Purpose,
    user: User,
    ip: &str,
) -> Result<Issued, Error> {
    let now = clock::now();
    let session = Session {
        jti: crate::ids::random_base62(32),
        user_id: user.id.clone(),
        kind: purpose.as_str().to_owned(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + ABSOLUTE_TIMEOUT_SECS,
        ip: ip.to_owned(),
        // The password was just entered.
        sudo_at: Some(now),
    };
    session.insert(conn)?;
    let action = match purpose {
        Purpose::Web => "sign_in",
        Purpose::Api => "sign_in.api",
    };
    AuditEntry::record(
        conn,
        Some(&user.merchant_id),
        &user.email,
        action,
        &user.id,
        ip,
        "",
    )?;
    let token = tokens.issue(purpose, &user.id, &session.jti, now, session.expires_at);
    Ok(Issued {
        token,
        expires_at: session.expires_at,
        user,
    })
}

/// The person a session token belongs to, if the token is valid, its session row still
/// exists, is not idle for too long, and the user is active. Role and status are read
/// fresh on every call, so changes apply on the next request.
pub fn authenticate(
    conn: &mut DbConn,
    tokens: &Tokens,
    purpose: Purpose,
    token: &str,
) -> Result<Option<Principal>, Error> {
    let Some(claims) = tokens.verify(purpose, token) else {
        return Ok(None);
    };
    let Some(session) = Session::find(conn, &claims.jti)? else {
        return Ok(None);
    };
    let now = clock::now();
    if session.kind != purpose.as_str()
        || session.user_id != claims.sub
        || session.expires_at <= now
        || now - session.last_seen_at > IDLE_TIMEOUT_SECS
    {
        Session::delete(conn, &session.jti)?;
        return Ok(None);
    }
    let user = User::find(conn, &session.user_id)?;
    if !user.active {
        Session::delete(conn, &session.jti)?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY_SECS {
        Session::touch(conn, &session.jti, now)?;
    }
    let merchant = Merchant::find(conn, &user.merchant_id)?;
    Ok(Some(Principal {
        user,
        merchant,
        jti: session.jti,
        sudo_at: session.sudo_at,
    }))
}

/// Ends a session everywhere: its token stops working on every instance.
pub fn sign_out(conn: &mut DbConn, who: &Principal, ip: &str) -> Result<(), Error> {
    Session::delete(conn, &who.jti)?;
    AuditEntry::record(
        conn,
        Some(&who.merchant.id),
        &who.user.email,
        "sign_out",
        &who.user.id,
        ip,
        "",
    )?;
    Ok(())
}

/// The Team form.
pub struct NewMember {
    pub email: String,
    pub role: String,
    pub password: String,
}

/// An Admin adds someone to their merchant.
pub fn add_member(
    conn: &mut DbConn,
    actor: &Principal,
    input: NewMember,
    password_hash: Option<String>,
    ip: &str,
) -> Result<User, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    let mut errors = FieldErrors::new();
    let email = validate::email(&input.email)
        .map_err(|e| errors.insert("email", e))
        .ok();
    let role = input
        .role
        .parse::<Role>()
        .map_err(|_| errors.insert("role", "Choose a role.".into()))
        .ok();
    if let Err(e) = validate::password(&input.password) {
        errors.insert("password", e);
    }
    // A deactivated member of this merchant may be added again: that brings their
    // account back (same id, history kept) with the new role and password.
    let mut returning = None;
    if let Some(email) = &email
        && let Some(existing) = User::find_by_email(conn, email)?
    {
        if !existing.active && existing.merchant_id == actor.merchant.id {
            returning = Some(existing);
        } else {
            errors.insert(
                "email",
                "Someone with this email already has a Paydesk account.".into(),
            );
        }
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    if let Some(user) = returning {
        let hash = hashed(password_hash)?;
        return crate::db::transaction(conn, |conn| {
            User::set_password(conn, &user.id, &hash)?;
            User::set_role(conn, &user.id, role)?;
            User::clear_failures(conn, &user.id)?;
            User::set_active(conn, &user.id, true)?;
            AuditEntry::record(
                conn,
                Some(&actor.merchant.id),
                &actor.user.email,
                "team.member_reactivated",
                &email,
                ip,
                &format!("added again as {}, with a new password", role.as_str()),
            )?;
            Ok(User::find(conn, &user.id)?)
        });
    }
    let user = new_user(&actor.merchant.id, &email, role, hashed(password_hash)?);
    user.insert(conn)?;
    AuditEntry::record(
        conn,
        Some(&actor.merchant.id),
        &actor.user.email,
        "team.member_added",
        &email,
        ip,
        role.as_str(),
    )?;
    Ok(user)
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
    User::set_role(conn, &user.id, role)?;
    AuditEntry::record(
        conn,
        Some(&actor.merchant.id),
        &actor.user.email,
        "team.role_changed",
        &user.email,
        ip,
        &format!("{} → {}", user.role, role),
    )?;
    Ok(User::find(conn, &user.id)?)
}

/// An Admin's switch: every member must use two-factor sign-in (sudo mode).
pub fn set_require_two_factor(
    conn: &mut DbConn,
    actor: &Principal,
    required: bool,
    ip: &str,
) -> Result<(), Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    Merchant::set_require_2fa(conn, &actor.merchant.id, required)?;
    AuditEntry::record(
        conn,
        Some(&actor.merchant.id),
        &actor.user.email,
        if required {
            "team.two_factor_required"
        } else {
            "team.two_factor_optional"
        },
        &actor.merchant.id,
        ip,
        "",
    )?;
    Ok(())
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
        AuditEntry::record(
            conn,
            Some(&actor.merchant.id),
            &actor.user.email,
            "team.member_unlocked",
            &user.email,
            ip,
            "",
        )?;
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
        AuditEntry::record(
            conn,
            Some(&actor.merchant.id),
            &actor.user.email,
            "team.member_deactivated",
            &user.email,
            ip,
            "",
        )
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
        AuditEntry::record(
            conn,
            Some(&actor.merchant.id),
            &actor.user.email,
            "team.member_reactivated",
            &user.email,
            ip,
            "",
        )
    })?;
    Ok(User::find(conn, &user.id)?)
}

/// `paydesk user create`: makes the merchant if none has that name. Returns the user.
pub fn create_user_cli(
    conn: &mut DbConn,
    email: &str,
    role: Role,
    merchant_name: &str,
    password: &str,
) -> Result<User, Error> {
    let email = validate::email(email).map_err(|e| Error::field("email", e))?;
    let merchant_name =
        validate::merchant_name(merchant_name).map_err(|e| Error::field("merchant", e))?;
    validate::password(password).map_err(|e| Error::field("password", e))?;
    if User::find_by_email(conn, &email)?.is_some() {
        return Err(Error::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    let password_hash = passwords::hash(password);
    crate::db::transaction(conn, |conn| {
        let merchant = match Merchant::find_by_name(conn, &merchant_name)? {
            Some(m) => m,
            None => {
                let m = Merchant::new(&merchant_name);
                m.insert(conn)?;
                m
            }
        };
        let user = new_user(&merchant.id, &email, role, password_hash);
        user.insert(conn)?;
        AuditEntry::record(
            conn,
            Some(&merchant.id),
            "cli",
            "team.member_added",
            &email,
            "cli",
            role.as_str(),
        )?;
        Ok(user)
    })
}

/// `paydesk merchant verify`: enables live mode.
pub fn verify_merchant(conn: &mut DbConn, name: &str) -> Result<Merchant, Error> {
    let merchant = Merchant::find_by_name(conn, name)?
        .ok_or_else(|| Error::Conflict(format!("no merchant is named {name:?}")))?;
    crate::db::transaction(conn, |conn| {
        Merchant::set_verified(conn, &merchant.id, true)?;
        changes::announce(conn, changes::merchant(&merchant.id))?;
        AuditEntry::record(
            conn,
            Some(&merchant.id),
            "cli",
            "merchant.verified",
            &merchant.name,
            "cli",
            "",
        )?;
        Ok::<_, Error>(())
    })?;
    Ok(Merchant::find(conn, &merchant.id)?)
}

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

/// The signed-in person's live sessions, newest first.
pub fn sessions_of(conn: &mut DbConn, who: &Principal) -> Result<Vec<Session>, Error> {
    Ok(Session::list_for_user(conn, &who.user.id, clock::now())?)
}

/// A public handle for a session (its jti stays secret): the first 16 hex digits of its
/// SHA-256.
pub fn session_handle(jti: &str) -> String {
    crate::crypto::hash(jti)[..16].to_owned()
}

/// Ends one of the person's own sessions, named by its handle.
pub fn end_session(
    conn: &mut DbConn,
    who: &Principal,
    handle: &str,
    ip: &str,
) -> Result<(), Error> {
    let mine = sessions_of(conn, who)?;
    let Some(s) = mine.iter().find(|s| session_handle(&s.jti) == handle) else {
        return Err(Error::NotFound);
    };
    Session::delete(conn, &s.jti)?;
    AuditEntry::record(
        conn,
        Some(&who.merchant.id),
        &who.user.email,
        "account.session_ended",
        &who.user.id,
        ip,
        &s.kind,
    )?;
    Ok(())
}

/// Signs the person out of every session, this one included.
pub fn sign_out_everywhere(conn: &mut DbConn, who: &Principal, ip: &str) -> Result<(), Error> {
    Session::delete_for_user(conn, &who.user.id)?;
    AuditEntry::record(
        conn,
        Some(&who.merchant.id),
        &who.user.email,
        "account.signed_out_everywhere",
        &who.user.id,
        ip,
        "",
    )?;
    Ok(())
}

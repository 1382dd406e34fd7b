//! First run (`/setup`) and the command line's user and merchant commands.

use super::passwords::{self, off_the_workers};
use super::sessions::{Issued, start_session};
use super::tokens::{Purpose, Tokens};
use super::validate;
use crate::clock;
use crate::db::models::audit::AuditEntry;
use crate::db::models::merchant::Merchant;
use crate::db::models::user::{Role, User};
use crate::db::{DbConn, changes};
use crate::error::{Error, FieldErrors};

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

pub(super) fn hashed(hash: Option<String>) -> Result<String, Error> {
    hash.ok_or_else(|| Error::internal("a valid password arrived without its hash"))
}

pub(super) fn new_user(merchant_id: &str, email: &str, role: Role, password_hash: String) -> User {
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

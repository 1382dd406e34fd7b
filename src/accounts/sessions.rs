//! Sessions: starting one (a JWT and its row), checking a token on each request, and
//! ending one, some or all of a person's sessions.

use super::principal::Principal;
use super::tokens::{Purpose, Tokens};
use crate::clock;
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::merchant::Merchant;
use crate::db::models::session::Session;
use crate::db::models::user::User;
use crate::error::Error;

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// …and this long after sign-in, whatever happens.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;

/// `last_seen_at` is written at most this often per session, to spare the database.
const TOUCH_EVERY_SECS: i64 = 60;

/// A fresh session: the JWT to hand out and when it stops working.
pub struct Issued {
    pub token: String,
    pub expires_at: i64,
    pub user: User,
}

pub(super) fn start_session(
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
        machine: None,
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

/// Signs the person out of every session, this one included; how many ended.
pub fn sign_out_everywhere(conn: &mut DbConn, who: &Principal, ip: &str) -> Result<usize, Error> {
    crate::db::transaction(conn, |conn| {
        let ended = Session::delete_for_user(conn, &who.user.id)?;
        AuditEntry::record(
            conn,
            Some(&who.merchant.id),
            &who.user.email,
            "account.signed_out_everywhere",
            &who.user.id,
            ip,
            &format!("{ended} sessions ended"),
        )?;
        Ok(ended)
    })
}

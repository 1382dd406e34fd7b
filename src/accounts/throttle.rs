//! Sign-in throttling (SPEC §2 and §12), the same for known and unknown emails so the
//! answers reveal nothing:
//! - 5 failures for one email from one client IP lock that pair for 15 minutes;
//! - 50 failures for one email from any IPs within an hour lock the email for 15 minutes,
//!   except for a browser that signed in as that person before (its device cookie, see
//!   `device`) or a person already signed in (sudo mode): the owner is not locked out;
//! - more than 20 failures from one client IP in 15 minutes → 429 with `Retry-After`.
//!
//! An attempt is written as a failure *before* the password is checked, and the counts
//! include it, so concurrent guesses (on any instance) cannot get past the limits; a
//! correct password deletes it again.

use crate::clock;
use crate::db::DbConn;
use crate::db::models::forms::SignInFailure;
use crate::error::Error;

pub const PAIR_LIMIT: usize = 5;
pub const EMAIL_LIMIT: usize = 50;
pub const IP_LIMIT: i64 = 20;
pub const LOCK_SECS: i64 = 15 * 60;
const EMAIL_WINDOW_SECS: i64 = 60 * 60;
const IP_WINDOW_SECS: i64 = 15 * 60;

/// An attempt that may go on to the password check; `id` is its row.
pub struct Attempt {
    pub id: String,
}

/// Who is asking, as far as the email-wide lock cares: a known device of the person
/// (`Trusted`) is not held by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Unknown,
    Trusted,
}

/// Counts the attempt, or refuses it: `Throttled` for too many from this IP, `Locked`
/// (answered like a wrong password) for a locked pair, or email unless the device is
/// trusted.
pub fn begin(conn: &mut DbConn, email: &str, ip: &str, device: Device) -> Result<Attempt, Error> {
    let now = clock::now();
    crate::db::transaction(conn, |conn| {
        one_at_a_time(conn, &format!("paydesk sign-in {email}"))?;
        SignInFailure::expire(conn, now - EMAIL_WINDOW_SECS)?;
        let (from_ip, oldest) = SignInFailure::from_ip(conn, ip, now - IP_WINDOW_SECS)?;
        if from_ip >= IP_LIMIT {
            let retry = oldest.map_or(IP_WINDOW_SECS, |t| t + IP_WINDOW_SECS - now);
            return Err(Error::Throttled(retry.max(1)));
        }
        if let Some(until) = locked_until(conn, email, ip, device, now)? {
            return Err(Error::Locked(clock::display(until)));
        }
        let attempt = SignInFailure {
            id: crate::ids::time_ordered_id("sif"),
            email: email.to_owned(),
            ip: ip.to_owned(),
            at: now,
        };
        attempt.insert(conn)?;
        Ok(Attempt { id: attempt.id })
    })
}

/// Inside a transaction: attempts under the same `key` (an email's) are counted one at a
/// time, on every instance (SQLite's write lock does the same there).
pub fn one_at_a_time(conn: &mut DbConn, key: &str) -> Result<(), Error> {
    if let DbConn::Postgres(pg) = conn {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(pg)?;
    }
    Ok(())
}

/// When the pair's or the email's lock ends, if either is locked now.
fn locked_until(
    conn: &mut DbConn,
    email: &str,
    ip: &str,
    device: Device,
    now: i64,
) -> Result<Option<i64>, Error> {
    // The pair: its 5th most recent failure within 15 minutes started a lock that ends
    // 15 minutes after it.
    let pair = SignInFailure::pair_times(conn, email, ip, now - LOCK_SECS)?;
    let pair_lock = pair.get(PAIR_LIMIT - 1).map(|t| t + LOCK_SECS);
    // The email: 50 failures within the hour; locked for 15 minutes after the latest.
    if device == Device::Trusted {
        return Ok(pair_lock.filter(|&until| until > now));
    }
    let all = SignInFailure::email_times(conn, email, now - EMAIL_WINDOW_SECS)?;
    let email_lock = (all.len() >= EMAIL_LIMIT)
        .then(|| all.first().map(|t| t + LOCK_SECS))
        .flatten();
    Ok([pair_lock, email_lock]
        .into_iter()
        .flatten()
        .filter(|&until| until > now)
        .max())
}

/// The password was right: the attempt was no failure, and the pair starts afresh.
pub fn succeeded(conn: &mut DbConn, email: &str, ip: &str) -> Result<(), Error> {
    SignInFailure::clear_pair(conn, email, ip)?;
    Ok(())
}

/// The attempt failed: it stays counted. If it was the one that locked the pair or the
/// email, the answer says so.
pub fn failed(
    conn: &mut DbConn,
    email: &str,
    ip: &str,
    device: Device,
) -> Result<Option<i64>, Error> {
    locked_until(conn, email, ip, device, clock::now())
}

/// An Admin's unlock: the email's failures are forgotten, from every IP.
pub fn unlock(conn: &mut DbConn, email: &str) -> Result<(), Error> {
    SignInFailure::clear_email(conn, email)?;
    Ok(())
}

/// Until when sign-in for this email is locked (the later of the email-wide lock and a
/// pair lock on any IP), if it is.
pub fn locked_until_anywhere(conn: &mut DbConn, email: &str) -> Result<Option<i64>, Error> {
    let now = clock::now();
    let all = SignInFailure::email_times(conn, email, now - EMAIL_WINDOW_SECS)?;
    // Newest first. The email-wide lock lasts 15 minutes from the newest failure.
    let mut until = None;
    if all.len() >= EMAIL_LIMIT
        && let Some(newest) = all.first()
        && newest + LOCK_SECS > now
    {
        until = Some(newest + LOCK_SECS);
    }
    // A pair lock on any IP: 5 failures within 15 minutes, so it lasts until the fifth
    // newest is 15 minutes old.
    let recent: Vec<i64> = all.into_iter().filter(|t| *t > now - LOCK_SECS).collect();
    if let Some(fifth) = recent.get(PAIR_LIMIT - 1) {
        until = until.max(Some(fifth + LOCK_SECS));
    }
    Ok(until)
}

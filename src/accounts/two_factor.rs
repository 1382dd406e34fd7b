//! Two-factor sign-in (SPEC §12): TOTP (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step) with
//! 10 single-use recovery codes. The secret is stored sealed; a code is accepted once
//! (the last accepted step is kept, and moved forward in one conditional update).

use diesel::prelude::*;
use qrcode::QrCode;
use qrcode::render::svg;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

use super::secrets;
use crate::clock;
use crate::crypto::Sealer;
use crate::db::DbConn;
use crate::db::models::user::User;
use crate::db::schema::{recovery_codes, sessions, users};
use crate::error::Error;
use crate::mail::notify::{Kind, Notice, notify};

const STEP: u64 = 30;
pub const RECOVERY_CODES: usize = 10;

/// A new secret: 20 random bytes (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    rand::random::<[u8; 20]>().to_vec()
}

/// The secret as people type it into an authenticator app.
pub fn base32(secret: &[u8]) -> String {
    match Secret::Raw(secret.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    Secret::Encoded(text.to_owned()).to_bytes().ok()
}

/// `otpauth://totp/Paydesk:email?secret=…&issuer=Paydesk&algorithm=SHA1&digits=6&period=30`.
pub fn otpauth_uri(secret: &[u8], email: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "otpauth://totp/Paydesk:{}?secret={}&issuer=Paydesk&algorithm=SHA1&digits=6&period=30",
        enc(email),
        base32(secret)
    )
}

/// The URI as a QR code, drawn on the server as SVG (no script, no external image).
pub fn qr_svg(uri: &str) -> String {
    match QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

fn totp(secret: &[u8]) -> TOTP {
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, STEP, secret.to_vec())
}

/// The current code for a secret (tests and the enrollment check use it).
pub fn code_at(secret: &[u8], unix: i64) -> String {
    totp(secret).generate(unix.max(0) as u64)
}

/// The time step whose code this is (now ±1 step), compared in constant time.
pub fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret);
    let now_step = now.max(0) as u64 / STEP;
    (now_step.saturating_sub(1)..=now_step + 1).find_map(|step| {
        let expected = t.generate(step * STEP);
        bool::from(expected.as_bytes().ct_eq(code.as_bytes())).then_some(step as i64)
    })
}

/// Stored form of a recovery code (SPEC §13): `hmac1:` + hex HMAC-SHA256, under a key
/// derived from PAYDESK_SECRET, of the user's id and the code as typed without
/// separators or case. A stolen table alone cannot be checked against guesses.
fn hash_code(key: &[u8; 32], user_id: &str, code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mac = secrets::hmac_hex(key, format!("{user_id}:{normal}").as_bytes());
    format!("{CODE_SCHEME}{mac}")
}

/// The prefix of codes stored under today's scheme; the 40-bit codes stored as plain
/// SHA-256 before it no longer work, and the 2FA page says so.
const CODE_SCHEME: &str = "hmac1:";

/// Ten codes of 16 base32 characters (80 bits each), shown once as `abcd-efgh-ijkl-mnop`.
fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars = base32(&rand::random::<[u8; 10]>()).to_ascii_lowercase();
            chars
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// Replaces the user's recovery codes with ten new ones; returns them (shown once).
fn store_new_codes(conn: &mut DbConn, key: &[u8; 32], user_id: &str) -> Result<Vec<String>, Error> {
    let codes = new_recovery_codes();
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    for code in &codes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::code_hash.eq(hash_code(key, user_id, code)),
                recovery_codes::user_id.eq(user_id),
            ))
            .execute(conn)?;
    }
    Ok(codes)
}

/// New recovery codes for a user who has two-factor on (the old ones stop working).
pub fn regenerate_codes(
    conn: &mut DbConn,
    key: &[u8; 32],
    user_id: &str,
) -> Result<Vec<String>, Error> {
    crate::db::transaction(conn, |conn| store_new_codes(conn, key, user_id))
}

/// How many of the user's recovery codes still work, and whether any stored under the
/// old scheme remain (they do not work any more: the page asks for new ones).
pub fn codes_left(conn: &mut DbConn, user_id: &str) -> Result<(usize, bool), Error> {
    let hashes: Vec<String> = recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .select(recovery_codes::code_hash)
        .load(conn)?;
    let current = hashes.iter().filter(|h| h.starts_with(CODE_SCHEME)).count();
    Ok((current, current < hashes.len()))
}

/// Turns two-factor on with a confirmed secret; returns the recovery codes (shown once).
/// The person's other sessions lose their sudo mode: it was granted by a password alone,
/// and from now on sudo needs the code too (SPEC §13).
pub fn enable(
    conn: &mut DbConn,
    keys: Keys<'_>,
    user_id: &str,
    current_jti: &str,
    secret: &[u8],
    step: i64,
) -> Result<Vec<String>, Error> {
    crate::db::transaction(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set((
                users::totp_secret.eq(Some(keys.sealer.seal(base32(secret).as_bytes()))),
                users::totp_last_step.eq(Some(step)),
            ))
            .execute(conn)?;
        diesel::update(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::jti.ne(current_jti)),
        )
        .set(sessions::sudo_at.eq(None::<i64>))
        .execute(conn)?;
        store_new_codes(conn, keys.recovery, user_id)
    })
}

/// What checking a code needs: the sealer of secrets and the recovery-code key.
#[derive(Clone, Copy)]
pub struct Keys<'a> {
    pub sealer: &'a Sealer,
    pub recovery: &'a [u8; 32],
}

pub fn disable(conn: &mut DbConn, user_id: &str) -> Result<(), Error> {
    crate::db::transaction(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set((
                users::totp_secret.eq(None::<String>),
                users::totp_last_step.eq(None::<i64>),
            ))
            .execute(conn)?;
        diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
            .execute(conn)?;
        let user = User::find(conn, user_id)?;
        notify(
            conn,
            &user.merchant_id,
            Kind::TwoFactorOff,
            Some(&user.id),
            &Notice {
                subject: format!("Two-factor sign-in was turned off for {}", user.email),
                text: format!(
                    "Two-factor sign-in was turned off for {}: a password alone now signs \
                     in to this account. If this was not expected, change the password and \
                     turn two-factor on again.",
                    user.email
                ),
                link: Some("/account/2fa"),
            },
        )?;
        Ok(())
    })
}

pub fn enabled(user: &User) -> bool {
    user.totp_secret.is_some()
}

/// Checks a code from the authenticator app, or a recovery code; each works once.
pub fn check(conn: &mut DbConn, keys: Keys<'_>, user: &User, code: &str) -> Result<bool, Error> {
    let Some(sealed) = &user.totp_secret else {
        return Ok(false);
    };
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let Some(secret) = keys
            .sealer
            .open(sealed)
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| from_base32(&s))
        else {
            return Err(Error::internal(
                "the two-factor secret cannot be opened with this PAYDESK_SECRET",
            ));
        };
        let Some(step) = matching_step(&secret, code, clock::now()) else {
            return Ok(false);
        };
        // Accept each step once, on every instance: move the last step forward only.
        let moved = diesel::update(
            users::table.filter(users::id.eq(&user.id)).filter(
                users::totp_last_step
                    .is_null()
                    .or(users::totp_last_step.lt(step)),
            ),
        )
        .set(users::totp_last_step.eq(Some(step)))
        .execute(conn)?;
        return Ok(moved == 1);
    }
    let used = diesel::delete(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(&user.id))
            .filter(recovery_codes::code_hash.eq(hash_code(keys.recovery, &user.id, code))),
    )
    .execute(conn)?;
    Ok(used == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B, truncated to 6 digits.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59), "287082");
        assert_eq!(code_at(secret, 1111111109), "081804");
        assert_eq!(code_at(secret, 1234567890), "005924");
        assert_eq!(matching_step(secret, "287082", 59 + 30), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 90), None);
        assert_eq!(matching_step(secret, "28708x", 59), None);
        assert_eq!(from_base32(&base32(secret)).unwrap(), secret);
    }

    #[test]
    fn recovery_codes_carry_80_bits_and_are_stored_keyed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for code in &codes {
            let chars: String = code.chars().filter(|c| *c != '-').collect();
            // 16 characters of a 32-letter alphabet: 80 bits.
            assert_eq!(chars.len(), 16, "{code}");
            assert!(
                chars
                    .bytes()
                    .all(|b| b"abcdefghijklmnopqrstuvwxyz234567".contains(&b))
            );
        }
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        let h = hash_code(&k1, "usr_a", &codes[0]);
        assert!(h.starts_with(CODE_SCHEME));
        assert_eq!(
            h,
            hash_code(&k1, "usr_a", &codes[0].to_uppercase().replace('-', " "))
        );
        assert_ne!(h, hash_code(&k2, "usr_a", &codes[0]), "keyed");
        assert_ne!(h, hash_code(&k1, "usr_b", &codes[0]), "bound to the user");
    }
}

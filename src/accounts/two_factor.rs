//! Two-factor sign-in (SPEC §12): TOTP (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step) with
//! 10 single-use recovery codes. The secret is stored sealed; a code is accepted once
//! (the last accepted step is kept, and moved forward in one conditional update).

use diesel::prelude::*;
use qrcode::QrCode;
use qrcode::render::svg;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::clock;
use crate::crypto::Sealer;
use crate::db::DbConn;
use crate::db::models::user::User;
use crate::db::schema::{recovery_codes, users};
use crate::error::Error;

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

fn hash_code(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    crate::crypto::hex(&Sha256::digest(normal.as_bytes()).into())
}

/// Ten codes like `k3m9-x2q7`, shown once; their hashes are stored.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes: [u8; 8] = rand::random();
            let chars: String = bytes
                .iter()
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &chars[..4], &chars[4..])
        })
        .collect()
}

/// Turns two-factor on with a confirmed secret; returns the recovery codes (shown once).
pub fn enable(
    conn: &mut DbConn,
    sealer: &Sealer,
    user_id: &str,
    secret: &[u8],
    step: i64,
) -> Result<Vec<String>, Error> {
    let codes = new_recovery_codes();
    crate::db::transaction(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set((
                users::totp_secret.eq(Some(sealer.seal(base32(secret).as_bytes()))),
                users::totp_last_step.eq(Some(step)),
            ))
            .execute(conn)?;
        diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
            .execute(conn)?;
        for code in &codes {
            diesel::insert_into(recovery_codes::table)
                .values((
                    recovery_codes::code_hash.eq(hash_code(code)),
                    recovery_codes::user_id.eq(user_id),
                ))
                .execute(conn)?;
        }
        Ok::<_, Error>(())
    })?;
    Ok(codes)
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
        Ok(())
    })
}

pub fn enabled(user: &User) -> bool {
    user.totp_secret.is_some()
}

/// Checks a code from the authenticator app, or a recovery code; each works once.
pub fn check(conn: &mut DbConn, sealer: &Sealer, user: &User, code: &str) -> Result<bool, Error> {
    let Some(sealed) = &user.totp_secret else {
        return Ok(false);
    };
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let Some(secret) = sealer
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
            .filter(recovery_codes::code_hash.eq(hash_code(code))),
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
}

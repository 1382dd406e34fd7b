//! Device cookies (SPEC §13, OWASP's "device cookies"): a browser that signed in as a
//! person before carries a signed token for them, and the email-wide sign-in lock does
//! not apply to it (the per-email-and-IP lock still does). So a flood of failures from
//! elsewhere cannot lock the owner out of their own browser.
//!
//! The cookie holds up to `MAX_ENTRIES` tokens `EXP.MAC`, with MAC = HMAC-SHA256(device
//! key, "USER_ID.EXP"), so it names nobody: it is checked against the account the typed
//! email belongs to, and an unknown email is never trusted.

use subtle::ConstantTimeEq;

use super::secrets::{self, AccountKeys};

pub const COOKIE: &str = "paydesk_device";
/// 90 days.
pub const MAX_AGE_SECS: i64 = 90 * 24 * 60 * 60;
/// People who share one browser each keep theirs; the oldest goes first.
const MAX_ENTRIES: usize = 5;

fn mac(keys: &AccountKeys, user_id: &str, exp: i64) -> String {
    secrets::hmac_hex(&keys.device, format!("{user_id}.{exp}").as_bytes())
}

/// Whether the cookie holds a live token for this user.
pub fn trusted(keys: &AccountKeys, cookie: Option<&str>, user_id: &str, now: i64) -> bool {
    let Some(cookie) = cookie else {
        return false;
    };
    cookie.split('~').take(MAX_ENTRIES).any(|entry| {
        let Some((exp, sent)) = entry.split_once('.') else {
            return false;
        };
        let Ok(exp) = exp.parse::<i64>() else {
            return false;
        };
        exp > now && bool::from(mac(keys, user_id, exp).as_bytes().ct_eq(sent.as_bytes()))
    })
}

/// The cookie's new value after `user_id` signed in: their fresh token first, then the
/// other live entries the browser held (not checked here: they are only ever verified).
pub fn after_sign_in(keys: &AccountKeys, cookie: Option<&str>, user_id: &str, now: i64) -> String {
    let exp = now + MAX_AGE_SECS;
    let mine = format!("{exp}.{}", mac(keys, user_id, exp));
    let others = cookie.unwrap_or("").split('~').filter(|e| {
        let live = e
            .split_once('.')
            .and_then(|(exp, _)| exp.parse::<i64>().ok())
            .is_some_and(|exp| exp > now);
        live && !trusted(keys, Some(e), user_id, now) && e.len() < 100
    });
    std::iter::once(mine.as_str())
        .chain(others)
        .take(MAX_ENTRIES)
        .collect::<Vec<_>>()
        .join("~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_trusts_its_user_only_and_expires() {
        let keys = AccountKeys::new(b"secret");
        let now = 1_000_000;
        let c = after_sign_in(&keys, None, "usr_a", now);
        assert!(trusted(&keys, Some(&c), "usr_a", now));
        assert!(!trusted(&keys, Some(&c), "usr_b", now));
        assert!(!trusted(&keys, Some(&c), "usr_a", now + MAX_AGE_SECS));
        assert!(!trusted(
            &AccountKeys::new(b"other"),
            Some(&c),
            "usr_a",
            now
        ));
        let both = after_sign_in(&keys, Some(&c), "usr_b", now + 1);
        assert!(trusted(&keys, Some(&both), "usr_a", now + 1));
        assert!(trusted(&keys, Some(&both), "usr_b", now + 1));
        let again = after_sign_in(&keys, Some(&both), "usr_a", now + 2);
        assert_eq!(again.split('~').count(), 2, "one entry per person");
        assert!(!trusted(&keys, Some("garbage"), "usr_a", now));
        assert!(!trusted(&keys, Some("99999999999.00"), "usr_a", now));
    }
}

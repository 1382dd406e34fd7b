//! Random identifiers and tokens from the operating system's CSPRNG.

use rand::TryRng;
use rand::rngs::SysRng;

pub const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` base62 characters drawn uniformly from the OS CSPRNG.
pub fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        fill(&mut buf);
        // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == len {
                break;
            }
            out.push(BASE62[usize::from(b % 62)] as char);
        }
    }
    out
}

/// Fills `buf` from the OS CSPRNG. Its failure leaves nothing safe to do, so it aborts the
/// request (the worker survives; actix turns the panic into a 500).
pub fn fill(buf: &mut [u8]) {
    SysRng
        .try_fill_bytes(buf)
        .expect("the operating system's random number generator failed");
}

/// `req_` and 24 base62 characters from the thread's CSPRNG (seeded from the OS): request
/// ids are not secrets, and one is made per request, so no system call for each.
pub fn request_id() -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    let mut out = String::with_capacity(28);
    out.push_str("req_");
    while out.len() < 28 {
        let b: u8 = rng.random();
        if b < 248 {
            out.push(BASE62[usize::from(b % 62)] as char);
        }
    }
    out
}

/// A prefixed object id such as `usr_4fQ…` (24 random characters, ~142 bits).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_base62(24))
}

/// A time-ordered id: prefix, 12 hex digits of milliseconds, 12 random characters. Ids
/// from one process strictly increase, so sorting by id is sorting by creation, and
/// "older than the cursor" is `id < cursor`.
pub fn time_ordered_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicI64, Ordering};
    static LAST_MS: AtomicI64 = AtomicI64::new(0);
    let now = chrono::Utc::now().timestamp_millis();
    let ms = LAST_MS
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
            Some(now.max(last + 1))
        })
        .map_or(now, |last| now.max(last + 1));
    format!("{prefix}_{ms:012x}{}", random_base62(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_prefix_and_only_base62() {
        let id = new_id("usr");
        assert!(id.starts_with("usr_"));
        assert_eq!(id.len(), 28);
        assert!(id[4..].bytes().all(|b| BASE62.contains(&b)));
        assert_ne!(new_id("usr"), new_id("usr"));
    }

    #[test]
    fn time_ordered_ids_increase() {
        let ids: Vec<String> = (0..1000).map(|_| time_ordered_id("evt")).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}

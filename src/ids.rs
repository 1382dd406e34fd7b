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

/// `req_`, 12 hex digits of the current millisecond, then 12 base62 characters from the
/// thread's CSPRNG (seeded from the OS): request ids are not secrets, and one is made per
/// request, so no system call for each. Led by the time, which the request log uses to
/// find a line by its id (`request_log_chunk`). Unlike [`time_ordered_id`] there is no
/// strict order (ids of one millisecond are in random order), so thousands a second never
/// run ahead of the clock. Written into a fixed buffer: through `write!` and a random byte
/// at a time it cost 1.2k instructions a request (SPEC §15).
pub fn request_id() -> String {
    // ASCII throughout.
    String::from_utf8_lossy(&request_id_bytes()).into_owned()
}

/// [`request_id`] without the allocation.
pub fn request_id_bytes() -> [u8; 28] {
    use rand::Rng;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 28];
    out[..4].copy_from_slice(b"req_");
    let ms = crate::clock::now_ms().max(0) as u64;
    for (i, digit) in out[4..16].iter_mut().enumerate() {
        *digit = HEX[((ms >> (4 * (11 - i))) & 0xf) as usize];
    }
    let mut rng = rand::rng();
    let mut at = 16;
    while at < out.len() {
        // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
        for b in rng.next_u64().to_le_bytes() {
            if b < 248 && at < out.len() {
                out[at] = BASE62[usize::from(b % 62)];
                at += 1;
            }
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
    let now = crate::clock::now_ms();
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
    fn request_ids_are_led_by_the_millisecond_and_differ() {
        let first = request_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = request_id();
        assert_eq!(first.len(), 28);
        assert!(first.starts_with("req_"));
        assert!(first[4..16].bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(first[16..].bytes().all(|b| BASE62.contains(&b)));
        assert!(later > first, "{later} sorts after {first}");
        assert_ne!(request_id(), request_id());
    }

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

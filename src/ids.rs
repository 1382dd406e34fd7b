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

/// A prefixed object id such as `usr_4fQ…` (24 random characters, ~142 bits).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_base62(24))
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
}

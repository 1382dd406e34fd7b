//! Keys that people's secrets are kept under, each derived from `PAYDESK_SECRET` with
//! HKDF-SHA256 and its own info string, so no two uses share key material.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The keys of this module's purposes.
#[derive(Clone)]
pub struct AccountKeys {
    /// Recovery codes are stored as HMAC-SHA256 under this key (SPEC §13).
    pub recovery: [u8; 32],
    /// Signs the device cookie of a browser that signed in before (SPEC §13).
    pub device: [u8; 32],
}

impl AccountKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            recovery: derive(secret, "paydesk recovery v1"),
            device: derive(secret, "paydesk device v1"),
        }
    }
}

/// HKDF-SHA256 (RFC 5869) of the secret, without salt, for one `info`.
pub fn derive(secret: &[u8], info: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(None, secret)
        .expand(info.as_bytes(), &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 length");
    out
}

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac(key: &[u8; 32], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_matches_rfc_5869_and_purposes_differ() {
        // RFC 5869 test case 3 (no salt, no info), first 32 bytes of its OKM.
        let ikm = [0x0bu8; 22];
        let mut okm = [0u8; 32];
        Hkdf::<Sha256>::new(None, &ikm)
            .expand(&[], &mut okm)
            .unwrap();
        assert_eq!(
            hex(&okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
        );
        let keys = AccountKeys::new(b"some secret");
        assert_ne!(keys.recovery, keys.device);
        assert_eq!(keys.recovery, derive(b"some secret", "paydesk recovery v1"));
    }
}

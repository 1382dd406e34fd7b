//! Keys that people's secrets are kept under, each derived from `PAYDESK_SECRET` with
//! HKDF-SHA256 (`crypto::hkdf_sha256`) and its own info string, so no two uses share key
//! material.

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
            recovery: crate::crypto::hkdf_sha256(secret, "paydesk recovery v1"),
            device: crate::crypto::hkdf_sha256(secret, "paydesk device v1"),
        }
    }
}

/// Lower-case hex of HMAC-SHA256 of `data` under `key`.
pub fn hmac_hex(key: &[u8; 32], data: &[u8]) -> String {
    crate::crypto::hex(&crate::crypto::hmac_sha256(key, &[data]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_key() {
        let keys = AccountKeys::new(b"some secret");
        assert_ne!(keys.recovery, keys.device);
        assert_eq!(
            keys.recovery,
            crate::crypto::hkdf_sha256(b"some secret", "paydesk recovery v1")
        );
    }
}

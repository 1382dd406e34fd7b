//! Digests and sealing. Secrets Paydesk only compares (secret keys, tokens) are stored as
//! hex SHA-256 (`hash`). Secrets Paydesk must read back (TOTP secrets, webhook signing
//! secrets) are stored sealed: ChaCha20-Poly1305 under a key derived from PAYDESK_SECRET
//! with HKDF-SHA256, one key per purpose. Sealed text is `base64(nonce ‖ ciphertext)`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// What is stored and looked up for a secret: hex SHA-256 of the whole text.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()).into())
}

/// Lower-case hex of a digest.
pub fn hex(digest: &[u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xf)] as char);
    }
    out
}

#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl Sealer {
    /// The sealer for one purpose (`"totp"`, …), from PAYDESK_SECRET.
    pub fn new(secret: &[u8], purpose: &str) -> Self {
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b"paydesk sealed secrets"), secret)
            .expand(purpose.as_bytes(), &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = Nonce::from_slice(&nonce_bytes);
        let sealed = self
            .cipher
            .encrypt(nonce, plaintext)
            .expect("ChaCha20-Poly1305 encrypts any plaintext that fits in memory");
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD.encode(out)
    }

    /// None when the text was not sealed by this key (tampered, or another secret).
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .ok()
    }
}

/// A 32-byte key for one use, HKDF-SHA256 of PAYDESK_SECRET (no salt) with `info`
/// naming that use (`"paydesk audit v1"`, …).
pub fn hkdf_sha256(secret: &[u8], info: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, secret)
        .expand(info.as_bytes(), &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    key
}

/// HMAC-SHA256 under `key` of `parts`, one after the other.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_lower_case_hex_sha256() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn sealed_text_opens_only_with_the_same_secret_and_purpose() {
        let a = Sealer::new(b"one secret that is long enough", "totp");
        let sealed = a.seal(b"JBSWY3DPEHPK3PXP");
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(a.open(&sealed).unwrap(), b"JBSWY3DPEHPK3PXP");
        assert!(
            Sealer::new(b"another secret", "totp")
                .open(&sealed)
                .is_none()
        );
        assert!(
            Sealer::new(b"one secret that is long enough", "webhooks")
                .open(&sealed)
                .is_none()
        );
        let mut tampered = STANDARD.decode(&sealed).unwrap();
        tampered[20] ^= 1;
        assert!(a.open(&STANDARD.encode(tampered)).is_none());
    }

    #[test]
    fn hkdf_and_hmac_match_their_rfc_test_vectors() {
        // RFC 5869 A.3 (no salt, no info) for HKDF; RFC 4231 case 2 for HMAC-SHA256.
        let okm = hkdf_sha256(&[0x0b; 22], "");
        assert_eq!(okm[..8], [0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f]);
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(mac[..8], [0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e]);
        assert_ne!(
            hkdf_sha256(b"s", "paydesk audit v1"),
            hkdf_sha256(b"s", "other")
        );
    }
}

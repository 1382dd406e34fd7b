//! The key format of SPEC §3: `sk_test_` / `pk_live_` …, then 32 base62 characters from
//! the OS CSPRNG, then 6 base62 characters of CRC32 over everything before them. The
//! checksum lets a mistyped or made-up key be refused without touching the database.

use sha2::{Digest, Sha256};

use crate::ids::{BASE62, random_base62};

const RANDOM_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Publishable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "test" => Some(Mode::Test),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }
}

impl KeyKind {
    fn prefix(self) -> &'static str {
        match self {
            KeyKind::Secret => "sk",
            KeyKind::Publishable => "pk",
        }
    }
}

/// What a well-formed key string says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyShape {
    pub kind: KeyKind,
    pub mode: Mode,
}

/// A new key string of this kind and mode.
pub fn generate(kind: KeyKind, mode: Mode) -> String {
    let body = format!(
        "{}_{}_{}",
        kind.prefix(),
        mode.as_str(),
        random_base62(RANDOM_LEN)
    );
    let sum = checksum(&body);
    format!("{body}{sum}")
}

/// CRC32 of `text` as 6 base62 digits, most significant first.
pub fn checksum(text: &str) -> String {
    String::from_utf8(checksum_bytes(text).to_vec()).expect("base62 is ASCII")
}

/// The checksum without an allocation: it runs on every API request.
fn checksum_bytes(text: &str) -> [u8; CHECKSUM_LEN] {
    let mut n = crc32fast::hash(text.as_bytes()) as u64;
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// The regular expression secret scanners can use for Paydesk keys (README): the prefix,
/// 32 base62 characters of randomness and a 6-character CRC32 checksum.
pub const SCAN_PATTERN: &str = r"\b(sk|pk)_(test|live)_[0-9A-Za-z]{38}\b";

/// Why a string is not a Paydesk key, in words; or what it is. Offline: no database.
pub fn diagnose(key: &str) -> Result<KeyShape, String> {
    let kind = if key.starts_with("sk_") {
        "secret"
    } else if key.starts_with("pk_") {
        "publishable"
    } else {
        return Err("it does not start with sk_ (secret) or pk_ (publishable)".into());
    };
    let Some(rest) = key.get(3..) else {
        return Err("it is cut short".into());
    };
    if !rest.starts_with("test_") && !rest.starts_with("live_") {
        return Err(format!("a {kind} key continues with test_ or live_"));
    }
    let tail = &rest[5..];
    let want = RANDOM_LEN + CHECKSUM_LEN;
    if tail.chars().count() != want {
        return Err(format!(
            "after the prefix a key has {want} characters; this has {}",
            tail.chars().count()
        ));
    }
    if !tail.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("a key holds only letters and digits after its prefix".into());
    }
    parse(key).ok_or_else(|| {
        "its checksum does not match: a character was changed or mistyped".to_owned()
    })
}

/// The kind and mode of a well-formed key with a valid checksum; None for anything else.
/// Never panics, whatever the input.
pub fn parse(key: &str) -> Option<KeyShape> {
    let bytes = key.as_bytes();
    let kind = match bytes.get(..3)? {
        b"sk_" => KeyKind::Secret,
        b"pk_" => KeyKind::Publishable,
        _ => return None,
    };
    let mode = match bytes.get(3..8)? {
        b"test_" => Mode::Test,
        b"live_" => Mode::Live,
        _ => return None,
    };
    let rest = bytes.get(8..)?;
    if rest.len() != RANDOM_LEN + CHECKSUM_LEN || !all_alphanumeric(rest) {
        return None;
    }
    // All ASCII from here, so slicing at byte offsets is safe.
    let (body, sum) = key.split_at(8 + RANDOM_LEN);
    (checksum_bytes(body) == sum.as_bytes()).then_some(KeyShape { kind, mode })
}

/// Whether every byte is an ASCII letter or digit, as `u8::is_ascii_alphanumeric` says,
/// tested without a branch a byte so the compiler checks many at once: through `all`
/// it cost about 10 instructions a byte, on every request (SPEC §15).
pub fn all_alphanumeric(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| ok & is_alphanumeric(b))
}

/// Letters (either case, `b | 0x20` folds them) or digits; nothing else, non-ASCII bytes
/// included. Without a branch, for folds that test many bytes at once.
pub fn is_alphanumeric(b: u8) -> bool {
    (b.wrapping_sub(b'0') < 10) | ((b | 0x20).wrapping_sub(b'a') < 26)
}

/// SHA-256 of a presented key: what the verified-key cache is keyed by.
pub fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// What the Hub shows after the reveal: `sk_live_…Wx9Z`.
pub fn hint(secret: &str) -> String {
    let prefix = secret.get(..8).unwrap_or("");
    let tail = secret.get(secret.len().saturating_sub(4)..).unwrap_or("");
    format!("{prefix}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_keys_have_the_documented_shape_and_parse() {
        for (kind, mode, prefix) in [
            (KeyKind::Secret, Mode::Test, "sk_test_"),
            (KeyKind::Secret, Mode::Live, "sk_live_"),
            (KeyKind::Publishable, Mode::Test, "pk_test_"),
            (KeyKind::Publishable, Mode::Live, "pk_live_"),
        ] {
            let key = generate(kind, mode);
            assert!(key.starts_with(prefix), "{key}");
            assert_eq!(key.len(), 8 + 32 + 6);
            assert_eq!(parse(&key), Some(KeyShape { kind, mode }));
        }
        assert_ne!(
            generate(KeyKind::Secret, Mode::Test),
            generate(KeyKind::Secret, Mode::Test)
        );
    }

    #[test]
    fn a_single_changed_character_is_caught_by_the_checksum() {
        let key = generate(KeyKind::Secret, Mode::Live);
        for i in 8..key.len() {
            let mut bytes = key.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let typo = String::from_utf8(bytes).unwrap();
            assert_eq!(parse(&typo), None, "typo at {i} accepted");
        }
        assert_eq!(parse(&key.replace("sk_live_", "sk_test_")), None);
    }

    #[test]
    fn the_branchless_test_agrees_with_the_standard_one_on_every_byte() {
        for b in 0..=u8::MAX {
            assert_eq!(is_alphanumeric(b), b.is_ascii_alphanumeric(), "{b:#04x}");
            assert_eq!(
                all_alphanumeric(&[b'a', b, b'9']),
                b.is_ascii_alphanumeric()
            );
        }
        assert!(all_alphanumeric(b""));
    }

    #[test]
    fn hint_shows_the_kind_and_the_last_four() {
        let key = "sk_live_0123456789abcdefghijklmnopqrstuvWx9Z00";
        assert_eq!(
            hint(key),
            "sk_live_…Z00".replace("Z00", &key[key.len() - 4..])
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_any_string(s in "\\PC*") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_near_the_format(s in "(sk|pk|xx)_(test|live|lime)_[A-Za-z0-9é]{0,45}") {
            let _ = parse(&s);
        }
    }
}

//! Paths as they are kept in logs: anything shaped like a key or a signing secret is cut
//! to its prefix and `…REDACTED` (SPEC §13), so a key pasted into a URL is not stored.

/// What starts a secret: the key kinds of §3 and §17, and webhook signing secrets.
const PREFIXES: [&str; 4] = ["sk_", "pk_", "rk_", "mk_"];
const MODES: [&str; 2] = ["test_", "live_"];
const WEBHOOK: &str = "whsec_";
/// Fewer base62 characters after a prefix than this is an id or a word, not a secret
/// (a key has 38, a signing secret 32); a key cut short still counts.
const MIN_TAIL: usize = 16;

/// The path with each key-shaped part replaced by its prefix and `…REDACTED`:
/// `/customers/sk_live_…REDACTED`. Borrowed back unchanged when there is none.
pub fn path(path: &str) -> std::borrow::Cow<'_, str> {
    let bytes = path.as_bytes();
    let mut out = String::new();
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        // A secret starts with one of these ASCII letters (a character boundary); any
        // other byte is passed over without a look (a flush redacts every line's path).
        let found = match bytes[i] {
            b's' | b'p' | b'r' | b'm' | b'w' => secret_at(&path[i..]),
            _ => None,
        };
        match found {
            Some((prefix_len, len)) => {
                out.push_str(&path[copied..i + prefix_len]);
                out.push_str("…REDACTED");
                i += len;
                copied = i;
            }
            None => i += 1,
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(path);
    }
    out.push_str(&path[copied..]);
    std::borrow::Cow::Owned(out)
}

/// At the start of `s`: (length of the prefix kept, length of the whole secret).
fn secret_at(s: &str) -> Option<(usize, usize)> {
    let prefix = if let Some(rest) = s.strip_prefix(WEBHOOK) {
        s.len() - rest.len()
    } else {
        let kind = PREFIXES.iter().find(|p| s.starts_with(*p))?;
        let rest = &s[kind.len()..];
        kind.len()
            + MODES
                .iter()
                .find(|m| rest.starts_with(*m))
                .map_or(0, |m| m.len())
    };
    let tail = s[prefix..]
        .bytes()
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    (tail >= MIN_TAIL).then_some((prefix, prefix + tail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::format::{KeyKind, Mode, generate};

    #[test]
    fn the_scan_looks_at_every_letter_a_secret_can_start_with() {
        for prefix in PREFIXES.iter().chain([&WEBHOOK]) {
            assert!(b"sprmw".contains(&prefix.as_bytes()[0]), "{prefix}");
        }
        assert_eq!(path("/api/v1/whoami"), "/api/v1/whoami");
        assert!(matches!(path("/é/ü"), std::borrow::Cow::Borrowed(_)));
        let sk = generate(KeyKind::Secret, Mode::Test);
        assert_eq!(path(&format!("/é{sk}ü")), "/ésk_test_…REDACTEDü");
    }

    #[test]
    fn keys_and_signing_secrets_in_a_path_are_cut_to_their_prefix() {
        let sk = generate(KeyKind::Secret, Mode::Live);
        let pk = generate(KeyKind::Publishable, Mode::Test);
        let logged = format!("/api/v1/customers/{sk}/x/{pk}");
        assert_eq!(
            path(&logged),
            "/api/v1/customers/sk_live_…REDACTED/x/pk_test_…REDACTED"
        );
        let mk = format!("mk_{}", "A1b2".repeat(9));
        assert_eq!(path(&format!("/a/{mk}")), "/a/mk_…REDACTED");
        let rk = format!("rk_test_{}", "z".repeat(20));
        assert_eq!(path(&format!("/{rk}?")), "/rk_test_…REDACTED?");
        let wh = format!("whsec_{}", "Q".repeat(32));
        assert_eq!(path(&format!("/e/{wh}.json")), "/e/whsec_…REDACTED.json");
        // Glued to other text, a secret is still a secret.
        assert_eq!(path(&format!("/x{sk}")), "/xsk_live_…REDACTED");
    }

    #[test]
    fn ids_and_ordinary_paths_are_kept_as_they_are() {
        for p in [
            "/api/v1/customers/cus_4fR9aZ0qLm2",
            "/api/v1/api-keys/key_abc/roll",
            "/api/v1/customers/sk_test_short",
            "/api/v1/webhook-endpoints/we_1234567890abcdefghij",
            "/ünïcode/sk_",
            "",
        ] {
            assert!(matches!(path(p), std::borrow::Cow::Borrowed(_)), "{p}");
        }
    }
}

//! Which of our secrets a string is (SPEC §3, §17): an API key (`sk_`/`pk_`) or a
//! management key (`mk_`). The one place that tells them apart offline, for `paydesk keys
//! check` and the secret-scanning report (SPEC §12).

use super::format::{self, KeyShape};
use super::management;

/// A well-formed token with a valid checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A secret or publishable API key.
    Api(KeyShape),
    /// A management key (no mode: its live grant is on the key).
    Management,
}

/// What `key` is; None for anything not ours or not well formed. Never panics.
pub fn recognise(key: &str) -> Option<Token> {
    if key.starts_with(management::PREFIX) {
        management::well_formed(key).then_some(Token::Management)
    } else {
        format::parse(key).map(Token::Api)
    }
}

/// What `key` is, or why it is not one of our tokens, in words. Offline: no database.
pub fn diagnose(key: &str) -> Result<Token, String> {
    let Some(rest) = key.strip_prefix(management::PREFIX) else {
        return format::diagnose(key).map(Token::Api).map_err(|why| {
            match why.strip_prefix("it does not start with sk_") {
                Some(_) => {
                    "it does not start with sk_ (secret), pk_ (publishable) or mk_ (management)"
                        .into()
                }
                None => why,
            }
        });
    };
    let want = management::BODY_LEN;
    if rest.chars().count() != want {
        return Err(format!(
            "after mk_ a management key has {want} characters; this has {}",
            rest.chars().count()
        ));
    }
    if !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("a key holds only letters and digits after its prefix".into());
    }
    recognise(key).ok_or_else(|| {
        "its checksum does not match: a character was changed or mistyped".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyKind, Mode};

    #[test]
    fn each_of_our_tokens_is_told_apart_and_a_typo_is_named() {
        let mk = management::generate();
        assert_eq!(recognise(&mk), Some(Token::Management));
        let sk = format::generate(KeyKind::Secret, Mode::Live);
        assert!(matches!(recognise(&sk), Some(Token::Api(s)) if s.kind == KeyKind::Secret));
        let mut typo = mk.clone().into_bytes();
        typo[5] = if typo[5] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(typo).unwrap();
        assert_eq!(recognise(&typo), None);
        assert!(diagnose(&typo).unwrap_err().contains("checksum"));
        assert!(diagnose("mk_short").unwrap_err().contains("this has 5"));
        assert!(diagnose("ghp_x").unwrap_err().contains("mk_ (management)"));
        for odd in ["", "mk_", "mk_é", "sk_", "mk_\u{0}"] {
            assert_eq!(recognise(odd), None, "{odd:?}");
        }
    }
}

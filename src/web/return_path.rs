//! Return paths (SPEC §13): where a page sends the person back to after sign-in, after
//! sudo mode, or from a Back link. One rule for all of them: `/` followed by printable
//! ASCII, no `\`, no leading `//`, no control character. Anything else is `/`, so no
//! return path leaves the site or breaks a `Location` header.

/// The path when it is a safe return path of ours.
pub fn checked(raw: &str) -> Option<&str> {
    let safe = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'\\');
    safe.then_some(raw)
}

/// The path when it is safe, else `/`.
pub fn or_home(raw: &str) -> &str {
    checked(raw).unwrap_or("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_of_ours_pass() {
        for good in [
            "/",
            "/team",
            "/a b",
            "/keys/key_1?mode=live&x=%20",
            "/a/b#c",
        ] {
            assert_eq!(or_home(good), good);
        }
        for bad in [
            "",
            "team",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/x",
            "/é",
            "https://evil.example/",
            "/\u{7f}",
        ] {
            assert_eq!(or_home(bad), "/", "{bad:?}");
        }
    }
}

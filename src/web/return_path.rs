//! Return paths (SPEC §13): where a page sends the person back to after sign-in, after
//! sudo mode, or from a Back link. One rule for all of them: `/` followed by printable
//! ASCII, no `\`, no leading `//`, no control character. Anything else is `/`, so no
//! return path leaves the site or breaks a `Location` header.

use actix_session::Session;
use actix_web::HttpRequest;

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

/// The session slot of the page a signed-out person asked for.
const RETURN_TO: &str = "return_to";

/// Called when a page turns an anonymous visitor away: a GET is remembered, so sign-in
/// can return there.
pub fn remember(session: &Session, req: &HttpRequest) {
    if req.method() == actix_web::http::Method::GET {
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        if let Some(path) = checked(path) {
            let _ = session.insert(RETURN_TO, path);
        }
    }
}

/// The remembered return path (checked again: the session is ours, the rule is one).
pub fn take_remembered(session: &Session) -> String {
    let raw = session
        .remove_as::<String>(RETURN_TO)
        .and_then(Result::ok)
        .unwrap_or_default();
    or_home(&raw).to_owned()
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

//! Idempotency (SPEC §5): `Idempotency-Key` on POST/PATCH, scoped per merchant + mode +
//! API key, kept 24 h in the database so it holds across instances.

use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::db::models::idempotency::IdempotencyRow;
use crate::error::Error;

pub const HEADER: &str = "idempotency-key";
/// [`HEADER`] as a header name, made at compile time.
pub const HEADER_NAME: actix_web::http::header::HeaderName =
    actix_web::http::header::HeaderName::from_static(HEADER);
pub const KEEP_SECS: i64 = 24 * 60 * 60;

/// An `Idempotency-Key` header value: 1 to 255 printable ASCII characters (spaces
/// allowed inside). None for anything else; never panics.
pub fn parse_key(raw: &[u8]) -> Option<String> {
    let ok = !raw.is_empty()
        && raw.len() <= 255
        && raw.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    ok.then(|| String::from_utf8_lossy(raw).into_owned())
}

/// What to do with a request that carries a key.
pub enum Claim {
    /// First time: run it, then `complete` or `release` this row.
    Run(IdempotencyRow),
    /// Seen and finished: send this again, in the version it was shaped for.
    Replay {
        status: u16,
        body: String,
        version: Option<String>,
    },
    /// The first request with this key is still running.
    InUse,
    /// The key was used for a different request.
    Reused,
}

/// Method, path (with query) and body, hashed: "the same request".
pub fn fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path_and_query.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Claims the key, or says what the earlier request with it came to. A claim whose
/// request died before finishing stays "in use" until it expires: freeing it sooner could
/// run a payment twice, which is worse than asking the client for a new key.
pub fn claim(conn: &mut DbConn, wanted: IdempotencyRow) -> Result<Claim, Error> {
    let now = crate::clock::now();
    // Twice at most: an expired row found on the first pass is removed, then claimed.
    for _ in 0..2 {
        if wanted.try_claim(conn)? {
            return Ok(Claim::Run(wanted));
        }
        let Some(existing) = IdempotencyRow::find_same(conn, &wanted)? else {
            continue;
        };
        if existing.expires_at <= now {
            IdempotencyRow::release(conn, &existing.id)?;
            continue;
        }
        if existing.request_hash != wanted.request_hash {
            return Ok(Claim::Reused);
        }
        return Ok(match (existing.response_status, existing.response_body) {
            (Some(status), Some(body)) => Claim::Replay {
                status: u16::try_from(status).unwrap_or(500),
                body,
                version: existing.response_version,
            },
            _ => Claim::InUse,
        });
    }
    Ok(Claim::InUse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_header_bytes_are_taken_or_refused_never_a_panic(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
            match parse_key(&raw) {
                Some(k) => prop_assert!((1..=255).contains(&k.len()) && k.bytes().all(|b| (0x20..0x7f).contains(&b))),
                None => prop_assert!(raw.is_empty() || raw.len() > 255 || raw.iter().any(|b| !(0x20..0x7f).contains(b))),
            }
        }
    }

    #[test]
    fn a_uuid_is_a_key_and_a_control_character_is_not() {
        assert!(parse_key(b"4f1c5c2e-6f5b-4c3a-9d4e-0b1e2f3a4b5c").is_some());
        assert!(parse_key(b"a\x07b").is_none());
        assert!(parse_key(&[b'a'; 256]).is_none());
    }
}

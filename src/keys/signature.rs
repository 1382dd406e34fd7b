//! Signed requests (SPEC §5): `Paydesk-Signature: t=<unix_ms>,v1=<hex>[,v1=<hex>…]` where
//! `v1 = HMAC-SHA256(key = the secret key string, message = "<t>." + raw body)`. The
//! parser is a pure function that never panics; comparison is constant-time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far `t` may be from now, either way.
pub const TOLERANCE_MS: i64 = 300_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `t` exactly as sent: the signed message starts with it.
    pub t_text: String,
    pub t: i64,
    pub v1: Vec<[u8; 32]>,
}

/// Why a signature header was refused; the message is for the developer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

/// Reads the header. Other schemes (`v0=`) are ignored, so new ones can be added.
pub fn parse(header: &str) -> Result<Signature, Malformed> {
    let mut t: Option<(String, i64)> = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else {
            return Err(Malformed("each element must be name=value"));
        };
        match name.trim() {
            "t" => {
                if t.is_some() {
                    return Err(Malformed("t appears more than once"));
                }
                let value = value.trim();
                if value.is_empty()
                    || value.len() > 18
                    || !value.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(Malformed("t must be a Unix time in milliseconds"));
                }
                let n = value
                    .parse::<i64>()
                    .map_err(|_| Malformed("t must be a Unix time in milliseconds"))?;
                t = Some((value.to_owned(), n));
            }
            "v1" => v1.push(
                decode_hex(value.trim())
                    .ok_or(Malformed("v1 must be 64 hexadecimal characters"))?,
            ),
            _ => {}
        }
    }
    let (t_text, t) = t.ok_or(Malformed("t is missing"))?;
    if v1.is_empty() {
        return Err(Malformed("v1 is missing"));
    }
    Ok(Signature { t_text, t, v1 })
}

fn decode_hex(s: &str) -> Option<[u8; 32]> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

/// Why a well-formed signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    TooOld,
    TooNew,
    Mismatch,
}

/// True when `t` is within the tolerance of `now_ms` and one `v1` matches.
pub fn verify(sig: &Signature, secret: &str, body: &[u8], now_ms: i64) -> Result<(), Invalid> {
    let age = now_ms.saturating_sub(sig.t);
    if age > TOLERANCE_MS {
        return Err(Invalid::TooOld);
    }
    if age < -TOLERANCE_MS {
        return Err(Invalid::TooNew);
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(sig.t_text.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    // Compare against every candidate, without stopping early, in constant time each.
    let mut matched = subtle::Choice::from(0);
    for candidate in &sig.v1 {
        matched |= subtle::ConstantTimeEq::ct_eq(expected.as_slice(), candidate.as_slice());
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(Invalid::Mismatch)
    }
}

/// The header a client would send; for tests and the docs' examples.
pub fn sign(secret: &str, t_ms: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(format!("{t_ms}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t_ms},v1={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "sk_test_abc";

    #[test]
    fn a_valid_signature_verifies_and_a_changed_byte_does_not() {
        let now = 1_790_000_000_000;
        let sig = parse(&sign(SECRET, now, b"{\"a\":1}")).unwrap();
        assert_eq!(verify(&sig, SECRET, b"{\"a\":1}", now), Ok(()));
        assert_eq!(
            verify(&sig, SECRET, b"{\"a\":2}", now),
            Err(Invalid::Mismatch)
        );
        assert_eq!(
            verify(&sig, "sk_test_abd", b"{\"a\":1}", now),
            Err(Invalid::Mismatch)
        );
    }

    #[test]
    fn the_tolerance_is_300000_ms_both_ways() {
        let t = 1_790_000_000_000;
        let sig = parse(&sign(SECRET, t, b"")).unwrap();
        assert_eq!(verify(&sig, SECRET, b"", t + TOLERANCE_MS), Ok(()));
        assert_eq!(
            verify(&sig, SECRET, b"", t + TOLERANCE_MS + 1),
            Err(Invalid::TooOld)
        );
        assert_eq!(verify(&sig, SECRET, b"", t - TOLERANCE_MS), Ok(()));
        assert_eq!(
            verify(&sig, SECRET, b"", t - TOLERANCE_MS - 1),
            Err(Invalid::TooNew)
        );
    }

    #[test]
    fn malformed_headers_are_named() {
        let v = "a".repeat(64);
        assert_eq!(parse(&format!("v1={v}")), Err(Malformed("t is missing")));
        assert_eq!(parse("t=1"), Err(Malformed("v1 is missing")));
        assert_eq!(
            parse(&format!("t=1,t=2,v1={v}")),
            Err(Malformed("t appears more than once"))
        );
        assert!(parse(&format!("t=1,v1={}", "a".repeat(63))).is_err());
        assert!(parse(&format!("t=1,v1={}", "g".repeat(64))).is_err());
        assert!(parse(&format!("t=-1,v1={v}")).is_err());
        assert!(parse(&format!("t=1.5,v1={v}")).is_err());
        assert!(parse("").is_err());
        assert!(
            parse(&format!("t=1,v0=zz,v1={v}")).is_ok(),
            "unknown schemes are ignored"
        );
    }

    #[test]
    fn one_matching_v1_among_several_is_enough() {
        let t = 1_790_000_000_000;
        let good = sign(SECRET, t, b"x");
        let header = format!(
            "t={t},v1={},{}",
            "0".repeat(64),
            good.split_once(',').unwrap().1
        );
        assert_eq!(verify(&parse(&header).unwrap(), SECRET, b"x", t), Ok(()));
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn parse_never_panics_near_the_format(s in "(t|v1|v0)=[0-9a-fé-]{0,70}(,(t|v1)=[0-9a-fA-F]{0,70}){0,3}") {
            let _ = parse(&s);
        }
    }
}

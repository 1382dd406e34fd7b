//! JWTs for sessions: HS256 with `iss`, `aud`, `exp`, `jti` and zero leeway. One audience
//! per purpose, so a dashboard cookie is never accepted as an API bearer token.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "paydesk";

/// What a session token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The dashboard cookie.
    Web,
    /// `Authorization: Bearer` on the key-management API.
    Api,
}

impl Purpose {
    pub fn audience(self) -> &'static str {
        match self {
            Purpose::Web => "paydesk-dashboard",
            Purpose::Api => "paydesk-api",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Web => "web",
            Purpose::Api => "api",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Tokens {
    /// `key` is derived from PAYDESK_SECRET for this purpose only.
    pub fn new(key: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
        }
    }

    pub fn issue(&self, purpose: Purpose, user_id: &str, jti: &str, iat: i64, exp: i64) -> String {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: purpose.audience().into(),
            sub: user_id.into(),
            iat,
            exp,
            jti: jti.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 encoding of plain claims cannot fail")
    }

    /// The claims of a token that is well-signed, for this purpose, and not expired.
    pub fn verify(&self, purpose: Purpose, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[purpose.audience()]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub", "jti"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
            // The library accepts a token at exactly `exp`; SPEC §12 refuses it then.
            .filter(|c| c.exp > crate::clock::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_accepted_only_for_its_purpose_and_before_expiry() {
        let t = Tokens::new(&[7u8; 32]);
        let now = crate::clock::now();
        let web = t.issue(Purpose::Web, "usr_1", "j1", now, now + 60);
        assert_eq!(t.verify(Purpose::Web, &web).unwrap().jti, "j1");
        assert!(t.verify(Purpose::Api, &web).is_none());
        let expired = t.issue(Purpose::Web, "usr_1", "j2", now - 120, now - 1);
        assert!(t.verify(Purpose::Web, &expired).is_none());
        let at_exp = t.issue(Purpose::Web, "usr_1", "j3", now - 120, now);
        assert!(t.verify(Purpose::Web, &at_exp).is_none(), "refused at exp");
        assert!(Tokens::new(&[8u8; 32]).verify(Purpose::Web, &web).is_none());
        assert!(t.verify(Purpose::Web, "garbage").is_none());
    }
}

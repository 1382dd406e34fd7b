//! The one error type of the service layer and the catalogue of the contract's error
//! codes. Pages render an `Error` as `errors/error.html`, the JSON API as the envelope;
//! both, and the OpenAPI document, take each code's status from `ErrorCode`.

use std::collections::BTreeMap;

/// Declares each code once: its name in the contract, its status and, where every use
/// says the same thing, its message.
macro_rules! catalogue {
    ($($variant:ident = $name:literal, $status:literal $(, $message:literal)?;)*) => {
        /// Every error code of the contract (SPEC §4 and §11).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// The whole catalogue, in the order the reference lists it.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as the envelope's `error.code` spells it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }

            /// The HTTP status answered with this code.
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }

            /// The message used when the refusal has nothing more specific to say.
            pub const fn message(self) -> Option<&'static str> {
                match self {
                    $(ErrorCode::$variant => catalogue!(@message $($message)?),)*
                }
            }
        }

        /// The catalogue as `(code, status)` pairs, for lookups by name and the reference.
        pub const CODES: &[(&str, u16)] = &[$(($name, $status),)*];
    };
    (@message) => { None };
    (@message $message:literal) => { Some($message) };
}

catalogue! {
    InvalidRequest = "invalid_request", 400;
    InvalidJson = "invalid_json", 400;
    InvalidVersion = "invalid_version", 400;
    InvalidIdempotencyKey = "invalid_idempotency_key", 400;
    PolicyViolation = "policy_violation", 400;
    MissingAuthorization = "missing_authorization", 401;
    InvalidApiKey = "invalid_api_key", 401;
    ApiKeyExpired = "api_key_expired", 401;
    SignatureInvalid = "signature_invalid", 401;
    SignatureRequired = "signature_required", 401;
    InvalidToken = "invalid_token", 401,
        "This route needs a user token: get one from POST /api/v1/auth/login and send it as Authorization: Bearer <token>.";
    InvalidCredentials = "invalid_credentials", 401;
    OtpRequired = "otp_required", 401;
    OtpInvalid = "otp_invalid", 401;
    Forbidden = "forbidden", 403;
    InsufficientScope = "insufficient_scope", 403;
    IpNotAllowed = "ip_not_allowed", 403;
    ApiKeySuspended = "api_key_suspended", 403;
    LiveModeUnavailable = "live_mode_unavailable", 403;
    SpendLimitExceeded = "spend_limit_exceeded", 403;
    ReauthenticationRequired = "reauthentication_required", 403,
        "This change needs a sign-in from the last 15 minutes: sign in again (POST /api/v1/auth/login) and retry with the new token.";
    TwoFactorRequired = "two_factor_required", 403;
    NotFound = "not_found", 404, "No such object or route.";
    MethodNotAllowed = "method_not_allowed", 405, "This route does not accept that method.";
    RequestTimeout = "request_timeout", 408;
    IdempotencyKeyInUse = "idempotency_key_in_use", 409;
    InvalidState = "invalid_state", 409;
    Conflict = "conflict", 409;
    PayloadTooLarge = "payload_too_large", 413, "Request bodies are limited to 64 KiB.";
    UnsupportedMediaType = "unsupported_media_type", 415;
    IdempotencyKeyReused = "idempotency_key_reused", 422;
    RateLimited = "rate_limited", 429;
    InternalError = "internal_error", 500,
        "Paydesk could not finish this request. Retry it; if it keeps failing, contact support with the request_id.";
    DatabaseUnavailable = "database_unavailable", 503;
}

impl ErrorCode {
    /// The code of that name, if the contract has one.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

/// Messages for fields, keyed by field name, shown beside the field on pages and in
/// `details.fields` in the API.
pub type FieldErrors = BTreeMap<&'static str, String>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input is wrong; nothing was changed.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Signed in but not allowed (role).
    #[error("{0}")]
    Forbidden(String),
    /// No such object, or not this merchant's.
    #[error("not found")]
    NotFound,
    /// Email/password wrong (same answer for an unknown email).
    #[error("Incorrect email or password.")]
    BadCredentials,
    /// Too many failures for this email (from this address, or from anywhere); answered
    /// like a wrong password, for unknown emails too, with a message that says to wait.
    #[error("Too many failed sign-ins for this email. Wait 15 minutes and try again (after {0}).")]
    Locked(String),
    /// The password was right and the account uses two-factor: the code is needed.
    #[error("Enter the 6-digit code from your authenticator app (or a recovery code) as \"otp\".")]
    OtpRequired,
    /// The password was right and the two-factor code was wrong or used already.
    #[error(
        "That code is not right, or was used already. Enter the newest code from your authenticator app, or an unused recovery code."
    )]
    OtpInvalid,
    /// The team requires two-factor sign-in and this account has not set it up.
    #[error(
        "Your team requires two-factor sign-in: set it up at /account/2fa in the dashboard first."
    )]
    TwoFactorRequired,
    /// A dangerous change needs the password entered in the last 15 minutes (sudo mode).
    #[error(
        "Confirm it is you: enter your password again to do this (it is asked for at most every 15 minutes)."
    )]
    ReauthenticationRequired,
    /// Too many failed sign-ins from this client address: try again in this many seconds.
    #[error("Too many failed sign-ins from your network. Try again in {} minutes.", (.0 + 59) / 60)]
    Throttled(i64),
    /// Live mode needs a verified merchant.
    #[error("{0}")]
    LiveModeUnavailable(String),
    /// The object is in a state that does not allow this (a revoked key, say).
    #[error("{0}")]
    InvalidState(String),
    /// A conflict the user can resolve, e.g. an email already taken.
    #[error("{0}")]
    Conflict(String),
    /// A payment or refund would pass a spend limit of the acting key (SPEC §17).
    #[error("{0}")]
    SpendLimitExceeded(Box<SpendRefusal>),
    /// A live key's settings break the merchant's key policy (SPEC §17); `rule` names it.
    #[error("{message}")]
    PolicyViolation { rule: &'static str, message: String },
    /// Anything else. The message is for the log, never for the user.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The contract's code for this error; its status comes from the catalogue.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) => ErrorCode::InvalidRequest,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
            Self::BadCredentials | Self::Locked(_) => ErrorCode::InvalidCredentials,
            Self::OtpRequired => ErrorCode::OtpRequired,
            Self::OtpInvalid => ErrorCode::OtpInvalid,
            Self::TwoFactorRequired => ErrorCode::TwoFactorRequired,
            Self::ReauthenticationRequired => ErrorCode::ReauthenticationRequired,
            Self::Throttled(_) => ErrorCode::RateLimited,
            Self::LiveModeUnavailable(_) => ErrorCode::LiveModeUnavailable,
            Self::InvalidState(_) => ErrorCode::InvalidState,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::SpendLimitExceeded(_) => ErrorCode::SpendLimitExceeded,
            Self::PolicyViolation { .. } => ErrorCode::PolicyViolation,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        Self::Internal(msg.into())
    }

    pub fn field(name: &'static str, msg: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name, msg.into());
        Self::Invalid(fields)
    }

    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::Forbidden(msg.into())
    }
}

/// Why a payment or refund was refused by a spend limit: the limit, what the key has used
/// of it in the current UTC window, and when that window ends (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendRefusal {
    pub resource: &'static str,
    pub period: &'static str,
    pub limit: i64,
    pub used: i64,
    pub currency: String,
    pub resets_at: i64,
}

impl std::fmt::Display for SpendRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::currencies::display;
        write!(
            f,
            "This would pass the key's spend limit of {} of {} per {}: {} is used in this window, \
             which resets at {}.",
            display(self.limit, &self.currency),
            self.resource,
            self.period,
            display(self.used, &self.currency),
            crate::clock::rfc3339(self.resets_at)
        )
    }
}

/// A message as a sentence: a capital first letter and one closing mark ("must name a
/// host" → "Must name a host."; "did you mean 10.0.0.0/24?" stays as it is, never "?.").
pub fn sentence(text: &str) -> String {
    let text = text.trim_end();
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let end = if text.ends_with(['.', '?', '!']) {
        ""
    } else {
        "."
    };
    format!("{}{}{end}", first.to_uppercase(), chars.as_str())
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_ends_with_one_mark() {
        assert_eq!(sentence("must name a host"), "Must name a host.");
        assert_eq!(
            sentence("did you mean 10.0.0.0/24?"),
            "Did you mean 10.0.0.0/24?"
        );
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn each_code_is_declared_once_with_a_valid_status() {
        for (i, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(ErrorCode::named(code.as_str()), Some(*code));
            assert!(
                !ErrorCode::ALL[..i]
                    .iter()
                    .any(|c| c.as_str() == code.as_str()),
                "{} twice",
                code.as_str()
            );
            assert!((400..600).contains(&code.status()), "{}", code.as_str());
            assert_eq!(CODES[i], (code.as_str(), code.status()));
        }
        assert_eq!(ErrorCode::named("no_such_code"), None);
    }
}

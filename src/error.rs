//! The one error type of the service layer. Pages render it as `errors/error.html`,
//! the JSON API as the envelope; both map the same variants to the same statuses.

use std::collections::BTreeMap;

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
    /// Anything else. The message is for the log, never for the user.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
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

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

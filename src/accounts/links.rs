//! Why a link from a mail (an invitation, a password reset) does not work any more.

/// A link's token that opens nothing; the page says which case it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such token: mistyped, cut short, or replaced by a newer mail.
    Unknown,
    /// It worked once already.
    Used,
    /// Its time ran out then (unix seconds).
    Expired(i64),
    /// An Admin withdrew the invitation.
    Revoked,
    /// The invited email has an account already.
    AccountExists,
    /// The password changed after the reset link was sent.
    PasswordChanged,
}

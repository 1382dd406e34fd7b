//! Mail (SPEC §14): an outbox written in the action's transaction, sent by a worker on
//! every instance through SMTP (`PAYDESK_SMTP_URL`), or logged when no SMTP is set.
//!
//! # Sending a mail
//!
//! Inside the transaction of the action the mail is about:
//!
//! ```ignore
//! mail::queue(conn, &Mail {
//!     to: user.email.clone(),
//!     subject: "You are invited to Acme on Paydesk".into(),
//!     text: "Ada invited you to join Acme as a Developer.".into(),
//!     link: Some(format!("/invitations/{token}")),
//!     kind: "invitation",
//! })?;
//! ```
//!
//! - `queue` only writes a row to `mail_outbox`: the request never waits for SMTP, and a
//!   rolled-back action sends nothing. The commit wakes the workers: this instance's once
//!   the work handed to `Db::run` returns, the others' through `NOTIFY` on PostgreSQL
//!   (`db::changes::wake`); a slow safety poll finds anything else.
//! - `link` is a path (`/keys/key_…`), made absolute with `PAYDESK_PUBLIC_URL` (else this
//!   instance's own address) when the mail is sent, or an absolute `https://…` URL. It
//!   ends the body on a line of its own. Without SMTP it is logged with the recipient
//!   and subject — never the body.
//! - No secret ever goes in a mail: name a key by its label and prefix/last four, an
//!   endpoint by its URL. A link may carry a one-time token (an invitation's): the row's
//!   body and link are sealed (ChaCha20-Poly1305 under a key derived from
//!   `PAYDESK_SECRET`, see [`use_secret`]) while it waits, and blanked once the mail is
//!   sent or given up, so no token sits in the database in plain text.
//! - `kind` names what the mail is about (`invitation`, `password_reset`, or one of
//!   [`notify::Kind`]); it is stored and logged, and lets tests and operators find a mail.
//!
//! Each mail is sent once across instances, claimed like webhook deliveries (`FOR UPDATE
//! SKIP LOCKED` on PostgreSQL, a lease, attempts with exponential back-off and jitter),
//! at least once: a crash mid-send leaves the row due again when its lease ends.
//!
//! The room imports only storage and the leaves, so `accounts`, `keys` and `webhooks`
//! can queue mails from inside their own transactions.

pub mod notify;
mod send;

pub use send::{MailHandle, MailSettings, POLL, origin, spawn};

use std::sync::OnceLock;

use crate::clock;
use crate::crypto::Sealer;
use crate::db::DbConn;
use crate::db::models::mail::MailRow;
use crate::error::Error;

/// One mail to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's address, e.g. `ada@acme.test`.
    pub to: String,
    /// One line; line breaks become spaces.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// A path such as `/account` (made absolute when sent) or an absolute URL.
    pub link: Option<String>,
    /// What the mail is about: `invitation`, `password_reset`, a notification kind…
    pub kind: &'static str,
}

/// The change target [`queue`] announces so that the instances' mail workers wake up
/// (see `db::changes::wake`).
pub const WAKE: &str = crate::db::changes::WAKE_MAIL;

/// What seals a waiting mail's body and link; set once at start ([`use_secret`]).
static SEALER: OnceLock<Sealer> = OnceLock::new();
/// Marks a sealed column, so a row written before the secret was set still reads.
const SEALED: &str = "sealed:v1:";

/// Seals outbox bodies and links under `PAYDESK_SECRET` from now on (the server calls
/// it at start; every instance shares the secret, so any of them can send any row).
pub fn use_secret(secret: &[u8]) {
    let _ = SEALER.set(Sealer::new(secret, "mail outbox"));
}

fn seal(text: &str) -> String {
    match SEALER.get() {
        Some(s) => format!("{SEALED}{}", s.seal(text.as_bytes())),
        None => text.to_owned(),
    }
}

/// The row with its body and link readable again (a row this secret cannot open keeps
/// no body or link rather than sending ciphertext).
fn opened(mut row: MailRow) -> MailRow {
    let open = |text: &str| match text.strip_prefix(SEALED) {
        None => Some(text.to_owned()),
        Some(sealed) => SEALER
            .get()
            .and_then(|s| s.open(sealed))
            .and_then(|b| String::from_utf8(b).ok()),
    };
    row.body = open(&row.body).unwrap_or_default();
    row.link = row.link.as_deref().and_then(open);
    row
}

/// Writes `mail` to the outbox, inside the caller's transaction; the worker sends it
/// after the commit.
pub fn queue(conn: &mut DbConn, mail: &Mail) -> Result<(), Error> {
    let to = mail.to.trim();
    if to.is_empty() {
        return Err(Error::internal("a mail needs a recipient"));
    }
    let now_ms = clock::now_ms();
    MailRow {
        id: crate::ids::new_id("mail"),
        kind: mail.kind.to_owned(),
        recipient: to.to_owned(),
        subject: one_line(&mail.subject),
        body: seal(&mail.text),
        link: mail.link.as_deref().map(seal),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now_ms,
        last_error: None,
        created_at: now_ms / 1000,
        sent_at: None,
    }
    .insert(conn)?;
    crate::db::changes::wake(conn, WAKE)
}

fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The body as sent: the text, then the link (absolute) on its own line.
fn body(row: &MailRow, origin: &str) -> String {
    match absolute(row.link.as_deref(), origin) {
        Some(link) => format!("{}\n\n{link}\n", row.body.trim_end()),
        None => format!("{}\n", row.body.trim_end()),
    }
}

/// A path is joined to our origin; anything else is kept as it is.
fn absolute(link: Option<&str>, origin: &str) -> Option<String> {
    let link = link?.trim();
    if link.is_empty() {
        return None;
    }
    Some(if link.starts_with('/') {
        format!("{}{link}", origin.trim_end_matches('/'))
    } else {
        link.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_one_line_and_links_end_the_body_absolute() {
        assert_eq!(one_line("Key\r\nBcc: x@y.z"), "Key Bcc: x@y.z");
        let row = MailRow {
            id: "mail_1".into(),
            kind: "test".into(),
            recipient: "a@b.c".into(),
            subject: "s".into(),
            body: "Hello.\n".into(),
            link: Some("/keys/key_1".into()),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: 0,
            last_error: None,
            created_at: 0,
            sent_at: None,
        };
        assert_eq!(
            body(&row, "https://pay.example.com/"),
            "Hello.\n\nhttps://pay.example.com/keys/key_1\n"
        );
        assert_eq!(
            absolute(Some("https://x.test/a"), "http://h").as_deref(),
            Some("https://x.test/a")
        );
        assert_eq!(absolute(Some(" "), "http://h"), None);
    }

    #[test]
    fn a_waiting_mail_keeps_its_body_and_link_sealed() {
        use_secret(&[7u8; 64]);
        let (body, link) = (seal("Hello."), seal("/invitations/tok_secret"));
        assert!(body.starts_with(SEALED) && !link.contains("tok_secret"));
        let row = opened(MailRow {
            id: "mail_1".into(),
            kind: "test".into(),
            recipient: "a@b.c".into(),
            subject: "s".into(),
            body,
            link: Some(link),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: 0,
            last_error: None,
            created_at: 0,
            sent_at: None,
        });
        assert_eq!(row.body, "Hello.");
        assert_eq!(row.link.as_deref(), Some("/invitations/tok_secret"));
    }
}

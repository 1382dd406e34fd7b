//! The mail worker: every instance claims due mails (see `MailRow::claim_due`), sends
//! each through SMTP — or, without `PAYDESK_SMTP_URL`, logs its recipient, subject and
//! link — and marks it sent, retries it (attempt n+1 waits `30 s × 2^(n−1)`, ±10 %, cap
//! 6 h), or gives up after 8 attempts or at once on a permanent refusal (5xx, a bad
//! address). It sleeps until a mail is queued (`MailHandle::wake`: on this instance, or
//! on another through `NOTIFY` on PostgreSQL), until the next retry is due, or for the
//! slow safety poll, so an idle instance reads the table once per poll.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

use crate::clock;
use crate::db::Db;
use crate::db::models::mail::MailRow;
use crate::error::Error;

pub const ATTEMPTS: i32 = 8;
/// One SMTP conversation may take this long.
const TIMEOUT: Duration = Duration::from_secs(30);
/// A claimed mail is held three times the timeout before another instance may take it.
pub const LEASE_MS: i64 = 90_000;
const RETRY_BASE_MS: i64 = 30_000;
const CAP_MS: i64 = 6 * 60 * 60 * 1000;
/// Mails claimed at once; they are sent concurrently.
const BATCH: i64 = 10;

/// What the worker needs, resolved at start-up.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `PAYDESK_SMTP_URL`: `smtp://[user:pass@]host:port` (add `?tls=required` for
    /// STARTTLS) or `smtps://…`; None = log each mail instead of sending it.
    pub smtp_url: Option<String>,
    /// `PAYDESK_MAIL_FROM`, e.g. `Paydesk <paydesk@localhost>`.
    pub from: String,
    /// What a link's path is joined to: `PAYDESK_PUBLIC_URL`, else our own address.
    pub origin: String,
    /// The safety poll: the longest an idle worker sleeps (a missed wake-up).
    pub poll: Duration,
}

/// The longest an idle worker sleeps: a mail queued on any instance wakes it at once,
/// and a retry when it is due; this catches a wake-up missed while the listener was down,
/// or a mail queued by the command line on SQLite.
pub const POLL: Duration = Duration::from_secs(30);

/// The origin links in mails are joined to: `PAYDESK_PUBLIC_URL`, else the address this
/// instance listens on (`localhost` for a wildcard bind).
pub fn origin(public_url: Option<&str>, local: std::net::SocketAddr) -> String {
    if let Some(url) = public_url {
        return url.to_owned();
    }
    let host = match local.ip() {
        ip if ip.is_unspecified() => "localhost".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{}", local.port())
}

impl MailSettings {
    /// From the server's settings; `local` is the address this instance listens on.
    pub fn new(settings: &crate::config::Settings, local: std::net::SocketAddr) -> Self {
        Self {
            smtp_url: settings.smtp_url.clone(),
            from: settings.mail_from.clone(),
            origin: origin(settings.public_url.as_deref(), local),
            poll: POLL,
        }
    }
}

/// Wakes this instance's worker (a mail was queued here).
#[derive(Clone, Default)]
pub struct MailHandle(Arc<Notify>);

impl MailHandle {
    pub fn wake(&self) {
        // A permit is kept if the worker is busy, so the wake-up is not lost.
        self.0.notify_one();
    }
}

struct Sender {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    origin: String,
}

impl Sender {
    fn new(settings: &MailSettings) -> Result<Self, String> {
        let from = settings.from.trim().parse::<Mailbox>().map_err(|e| {
            format!(
                "PAYDESK_MAIL_FROM {:?} is not a mail address such as `Paydesk <paydesk@example.com>`: {e}",
                settings.from
            )
        })?;
        let smtp = match settings.smtp_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(transport(url)?),
        };
        Ok(Self {
            smtp,
            from,
            origin: settings.origin.clone(),
        })
    }
}

/// The SMTP transport `url` names; the error is one line without the password.
fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let shown = hide_userinfo(url);
    let refuse = |why: String| {
        format!(
            "PAYDESK_SMTP_URL {shown} {why}: use smtp://[user:pass@]host:port or smtps://[user:pass@]host:port"
        )
    };
    let parsed = url::Url::parse(url).map_err(|e| refuse(format!("is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") {
        return Err(refuse(format!(
            "has the scheme {:?}",
            parsed.scheme().to_owned()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(refuse("names no host".into()));
    }
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| {
        let why = e.to_string();
        let why = match parsed.password() {
            Some(p) if !p.is_empty() => why.replace(p, "***"),
            _ => why,
        };
        refuse(format!("is not usable ({why})"))
    })?;
    Ok(builder.timeout(Some(TIMEOUT)).build())
}

/// The URL as it may be printed: anything between `://` and an `@` (the user and
/// password) becomes `***`, whether or not the rest parses.
fn hide_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => url.to_owned(),
        },
        None => match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        },
    }
}

/// Starts the worker on this instance; an unusable `PAYDESK_SMTP_URL` or
/// `PAYDESK_MAIL_FROM` is an error (start-up stops with it).
pub fn spawn(db: Db, settings: MailSettings) -> Result<MailHandle, String> {
    let sender = Arc::new(Sender::new(&settings)?);
    if sender.smtp.is_none() {
        tracing::info!(
            "PAYDESK_SMTP_URL is not set: mails are logged (recipient, subject, link), not sent"
        );
    }
    let handle = MailHandle::default();
    let wake = handle.0.clone();
    let poll = settings.poll;
    tokio::spawn(async move {
        loop {
            // One read when nothing is due (an idle wake-up costs one statement); the
            // claim only when something is.
            let claimed = db
                .run(|c| {
                    let now = clock::now_ms();
                    match next_due(c)? {
                        Some(at) if at <= now => {
                            let due = MailRow::claim_due(c, now, LEASE_MS, BATCH)?;
                            // Due but taken by another instance meanwhile: look again soon.
                            let again = due.is_empty().then_some(now);
                            Ok((due, again))
                        }
                        later => Ok((vec![], later)),
                    }
                })
                .await;
            let (due, next) = claimed.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not claim mails");
                (vec![], Some(clock::now_ms() + 1_000))
            });
            if due.is_empty() {
                let idle = crate::retry::idle_for(next, clock::now_ms(), poll);
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(idle) => {}
                }
                continue;
            }
            let mut batch = tokio::task::JoinSet::new();
            for row in due {
                let (db, sender) = (db.clone(), sender.clone());
                batch.spawn(async move {
                    if let Err(e) = attempt(&db, &sender, row).await {
                        tracing::warn!(error = %e, "a mail's attempt could not be recorded");
                    }
                });
            }
            while batch.join_next().await.is_some() {}
        }
    });
    Ok(handle)
}

/// When the next pending mail is due (Unix ms), if any.
fn next_due(c: &mut crate::db::DbConn) -> Result<Option<i64>, Error> {
    use crate::db::schema::mail_outbox as m;
    use diesel::prelude::*;
    Ok(m::table
        .filter(m::status.eq("pending"))
        .select(diesel::dsl::min(m::next_attempt_at))
        .get_result::<Option<i64>>(c)?)
}

enum Outcome {
    Sent,
    /// Worth another attempt later.
    Retry(String),
    /// Will never work (a bad address, a permanent refusal).
    GiveUp(String),
}

async fn attempt(db: &Db, sender: &Sender, row: MailRow) -> Result<(), Error> {
    let row = super::opened(row);
    let outcome = match &sender.smtp {
        None => {
            tracing::info!(
                kind = %row.kind,
                to = %row.recipient,
                subject = %row.subject,
                link = super::absolute(row.link.as_deref(), &sender.origin).unwrap_or_default(),
                "mail not sent (no PAYDESK_SMTP_URL)"
            );
            Outcome::Sent
        }
        Some(smtp) => send(smtp, sender, &row).await,
    };
    let attempts = row.attempts + 1;
    let (id, kind, to) = (row.id.clone(), row.kind.clone(), row.recipient.clone());
    let now_ms = clock::now_ms();
    let retry_at = |why: &str| {
        if attempts >= ATTEMPTS {
            tracing::warn!(kind = %kind, to = %to, error = why, attempts, "mail given up");
            None
        } else {
            Some(now_ms + crate::retry::backoff_ms(RETRY_BASE_MS, attempts, CAP_MS))
        }
    };
    let (error, next) = match outcome {
        Outcome::Sent => {
            if sender.smtp.is_some() {
                tracing::info!(kind = %kind, to = %to, "mail sent");
            }
            return db
                .run(move |c| Ok(MailRow::mark_sent(c, &id, attempts, now_ms / 1000)?))
                .await;
        }
        Outcome::Retry(why) => {
            let next = retry_at(&why);
            (why, next)
        }
        Outcome::GiveUp(why) => {
            tracing::warn!(kind = %kind, to = %to, error = %why, "mail given up");
            (why, None)
        }
    };
    db.run(move |c| Ok(MailRow::mark_failed(c, &id, attempts, &error, next)?))
        .await
}

async fn send(
    smtp: &AsyncSmtpTransport<Tokio1Executor>,
    sender: &Sender,
    row: &MailRow,
) -> Outcome {
    let to = match row.recipient.parse::<Mailbox>() {
        Ok(to) => to,
        Err(e) => {
            return Outcome::GiveUp(format!("{:?} is not a mail address: {e}", row.recipient));
        }
    };
    let message = Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(row.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(super::body(row, &sender.origin));
    let message = match message {
        Ok(m) => m,
        Err(e) => return Outcome::GiveUp(format!("the mail cannot be built: {e}")),
    };
    match smtp.send(message).await {
        Ok(_) => Outcome::Sent,
        Err(e) if e.is_permanent() => Outcome::GiveUp(e.to_string()),
        Err(e) => Outcome::Retry(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: Option<&str>, from: &str) -> MailSettings {
        MailSettings {
            smtp_url: url.map(str::to_owned),
            from: from.into(),
            origin: "http://localhost:8080".into(),
            poll: Duration::from_secs(5),
        }
    }

    #[test]
    fn smtp_urls_are_checked_and_the_password_never_shown() {
        let from = "Paydesk <paydesk@localhost>";
        assert!(Sender::new(&settings(None, from)).is_ok());
        assert!(Sender::new(&settings(Some("smtp://127.0.0.1:2525"), from)).is_ok());
        assert!(Sender::new(&settings(Some("smtps://u:p@mail.example.com"), from)).is_ok());
        for bad in [
            "http://u:hunter2@mail.example.com",
            "smtp://u:hunter2@",
            "mail.example.com:25",
            "smtp://u:hunter2@mail.example.com:25?tls=sometimes",
        ] {
            let Err(err) = Sender::new(&settings(Some(bad), from)) else {
                panic!("{bad} was accepted");
            };
            assert!(err.starts_with("PAYDESK_SMTP_URL "), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        assert!(Sender::new(&settings(None, "not an address")).is_err());
    }
}

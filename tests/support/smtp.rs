//! A real SMTP server for tests: Python's aiosmtpd (`smtp_sink.py`) on a free loopback
//! port, writing each accepted message to a file the test reads. Installed with pip when
//! missing; without it a test is skipped with a notice, except in CI, where it fails.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One message as the server received it (`text` is the decoded plain-text body).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    /// The message as sent on the wire, headers and encoded body.
    pub raw: String,
}

pub struct Smtp {
    child: Child,
    _stdin: ChildStdin,
    dir: tempfile::TempDir,
    pub port: u16,
}

/// Whether aiosmtpd can be imported, installing it with pip once if not.
fn aiosmtpd_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let importable = || {
            Command::new("python3")
                .args(["-c", "import aiosmtpd"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if importable() {
            return true;
        }
        for extra in [&[][..], &["--user"], &["--break-system-packages"]] {
            let _ = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "aiosmtpd"])
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            if importable() {
                return true;
            }
        }
        false
    })
}

impl Smtp {
    /// Starts a server, or None (with a notice) when aiosmtpd cannot be had outside CI.
    pub fn start() -> Option<Smtp> {
        if !aiosmtpd_available() {
            if std::env::var("CI").is_ok() {
                panic!("aiosmtpd is required in CI (pip install aiosmtpd)");
            }
            let _ = writeln!(
                std::io::stderr(),
                "note: SMTP test skipped: python3 cannot import aiosmtpd (pip install aiosmtpd)"
            );
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir.path().join("mails.jsonl"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut first)
            .expect("the SMTP server prints its port");
        let port = first
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the SMTP server did not start: {first:?}"));
        Some(Smtp {
            child,
            _stdin: stdin,
            dir,
            port,
        })
    }

    /// `smtp://127.0.0.1:PORT`, for `PAYDESK_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        let Ok(text) = std::fs::read_to_string(self.dir.path().join("mails.jsonl")) else {
            return vec![];
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("a JSON line per mail"))
            .collect()
    }

    /// The messages received for `to` so far.
    pub fn mails_to(&self, to: &str) -> Vec<ReceivedMail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .collect()
    }

    /// Waits (20 s at most) until `to` has received a message whose subject contains
    /// `subject`, and returns it.
    pub async fn wait_for(&self, to: &str, subject: &str) -> ReceivedMail {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(m) = self
                .mails_to(to)
                .into_iter()
                .find(|m| m.subject.contains(subject))
            {
                return m;
            }
            if Instant::now() > deadline {
                panic!(
                    "no mail to {to} about {subject:?}; received: {:#?}",
                    self.mails()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The app with its mail sent to a fresh SMTP server, or None when that server cannot be
/// had (see [`Smtp::start`]) or, for PostgreSQL, no server is configured.
pub async fn spawn_app_with_smtp(backend: super::Backend) -> Option<(super::TestApp, Smtp)> {
    if backend == super::Backend::Postgres && !super::postgres_configured() {
        return None;
    }
    let smtp = Smtp::start()?;
    let url = smtp.url();
    let app = super::spawn_app_with(backend, |s| s.smtp_url = Some(url)).await;
    Some((app, smtp))
}

/// Like `on_both_backends!`, with a real SMTP server the app sends through:
/// `async fn name(app, smtp) {…}`.
#[macro_export]
macro_rules! with_smtp_on_both_backends {
    ($(async fn $name:ident($app:ident, $smtp:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let Some(($app, $smtp)) =
                    $crate::support::spawn_app_with_smtp($crate::support::Backend::Sqlite).await
                else { return };
                $body
            }
            #[tokio::test]
            async fn postgres() {
                let Some(($app, $smtp)) =
                    $crate::support::spawn_app_with_smtp($crate::support::Backend::Postgres).await
                else { return };
                $body
            }
        }
    )*};
}

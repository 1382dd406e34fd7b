//! Mail from `paydesk serve` processes (SPEC §14): without SMTP each mail is logged
//! (recipient, subject, link — never the body); with two instances on one PostgreSQL
//! database each mail is sent exactly once.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Instance, SECRET, admin_token, create_key};
use crate::support::*;

/// The first stderr line holding every one of `parts` (10 s at most).
async fn log_line(instance: &Instance, parts: &[&str]) -> String {
    let started = Instant::now();
    loop {
        let found = instance
            .stderr
            .lock()
            .unwrap()
            .iter()
            .find(|l| parts.iter().all(|p| l.contains(p)))
            .cloned();
        if let Some(line) = found {
            return line;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no log line with {parts:?}: {:#?}",
            instance.stderr.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn without_smtp_a_mail_is_logged_with_its_recipient_subject_and_link_only() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/paydesk.db", dir.path().display());
    let a = Instance::start(&db_url, &[]);
    let token = admin_token(&db_url, &a).await;
    let (id, secret) = create_key(&a, &token, json!({"name": "leaky", "permissions": "*"})).await;
    let (status, _) = a
        .call(
            "POST",
            "/api/v1/secret-scanning/report",
            "",
            Some(json!([{"token": secret, "type": "paydesk_secret_key", "url": "https://example.com/x", "source": "content"}])),
        )
        .await;
    assert_eq!(status, 200);
    let line = log_line(&a, &["mail not sent", "ops@acme.test"]).await;
    assert!(line.contains("INFO"), "{line}");
    assert!(
        line.contains("Key leaky was found public and revoked"),
        "{line}"
    );
    assert!(line.contains(&format!("{}/keys/{id}", a.url)), "{line}");
    assert!(
        !line.contains("Create a new key"),
        "the body is not logged: {line}"
    );
    let all = a.stderr.lock().unwrap().join("\n");
    assert!(!all.contains(&secret), "a secret in the log");
    assert!(
        !all.contains(&paydesk::crypto::hash(&secret)),
        "a key hash in the log"
    );
}

#[tokio::test]
async fn two_instances_send_each_of_60_mails_exactly_once() {
    if !postgres_configured() {
        return;
    }
    let Some(smtp) = Smtp::start() else { return };
    let pg = PgDatabase::create();
    let migrated = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .arg("migrate")
        .env("PAYDESK_DATABASE_URL", &pg.url)
        .env("PAYDESK_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(migrated.success());
    let mut conn = paydesk::db::connect_one(&pg.url).unwrap();
    for i in 0..60 {
        let mail = paydesk::mail::Mail {
            to: format!("p{i}@acme.test"),
            subject: format!("mail {i}"),
            text: "Hello.".into(),
            link: None,
            kind: "test",
        };
        paydesk::mail::queue(&mut conn, &mail).unwrap();
    }
    // Both start at once and find the same 60 due mails.
    let url = smtp.url();
    let env = [("PAYDESK_SMTP_URL", url.as_str())];
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Instance::start(&pg.url, &env));
        let b = s.spawn(|| Instance::start(&pg.url, &env));
        (a.join().unwrap(), b.join().unwrap())
    });
    let started = Instant::now();
    let pending = |conn: &mut paydesk::db::DbConn| -> i64 {
        use diesel::prelude::*;
        use paydesk::db::schema::mail_outbox;
        mail_outbox::table
            .filter(mail_outbox::status.ne("sent"))
            .count()
            .get_result(conn)
            .unwrap()
    };
    while pending(&mut conn) > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{} mails still unsent",
            pending(&mut conn)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Every row is marked sent only after its SMTP conversation ended.
    drop((a, b));
    let mut subjects: Vec<String> = smtp.mails().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects.len(), 60, "none sent twice: {subjects:?}");
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 60, "every mail sent: {subjects:?}");
}

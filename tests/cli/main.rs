//! The `paydesk` command as an operator runs it.

#[path = "../support/mod.rs"]
mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use support::*;

fn paydesk(db_url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(args)
        .env("PAYDESK_DATABASE_URL", db_url)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paydesk runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_unknown_database_url_scheme_is_refused_with_the_url_named() {
    let out = paydesk("mysql://root:hunter2@localhost/paydesk", &["migrate"], None);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("unsupported database URL scheme \"mysql\""),
        "{err}"
    );
    assert!(err.contains("mysql://root:***@localhost/paydesk"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn an_unreachable_database_fails_at_once_without_its_password() {
    let out = paydesk(
        "postgres://postgres:hunter2@127.0.0.1:1/paydesk",
        &["migrate"],
        None,
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.starts_with(
            "paydesk: cannot connect to database postgres://postgres:***@127.0.0.1:1/paydesk"
        ),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn help_lists_every_subcommand_and_each_has_help() {
    let out = paydesk("sqlite://unused.db", &["--help"], None);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["serve", "migrate", "user", "merchant"] {
        assert!(help.contains(cmd), "{help}");
    }
    for args in [
        &["serve", "--help"][..],
        &["user", "create", "--help"],
        &["merchant", "verify", "--help"],
        &["migrate", "--help"],
    ] {
        let out = paydesk("sqlite://unused.db", args, None);
        assert!(out.status.success(), "{args:?}");
    }
    let create = text(&paydesk("sqlite://unused.db", &["user", "create", "--help"], None).stdout);
    assert!(
        create.contains("--password-stdin") && create.contains("--merchant"),
        "{create}"
    );
}

#[test]
fn migrate_applies_pending_migrations_then_none() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/fresh/paydesk.db", dir.path().display());
    let first = paydesk(&url, &["migrate"], None);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(!text(&first.stdout).starts_with("0 "));
    let second = paydesk(&url, &["migrate"], None);
    assert_eq!(text(&second.stdout).trim(), "0 migration(s) applied");
    // Made for its owner only: the directory 0700, the database and its WAL 0600.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: std::path::PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir.path().join("fresh")), 0o700);
    assert_eq!(mode(dir.path().join("fresh/paydesk.db")), 0o600);
    let wal = dir.path().join("fresh/paydesk.db-wal");
    if wal.exists() {
        assert_eq!(mode(wal), 0o600);
    }
}

on_both_backends! {
    async fn a_user_created_on_the_command_line_can_sign_in(app) {
        let out = paydesk(&app.db_url, &["user", "create", "--email", "Ops@Acme.test", "--role", "admin", "--merchant", "Acme", "--password-stdin"], Some(&format!("{PASSWORD}\n")));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let id = text(&out.stdout);
        assert!(id.trim().starts_with("usr_"), "{id}");
        assert_eq!(app.sign_in("ops@acme.test", PASSWORD).await.status(), 303);
        assert!(app.get_html("/").await.contains("not yet verified"));

        let out = paydesk(&app.db_url, &["merchant", "verify", "--merchant", "Acme"], None);
        assert!(out.status.success(), "{:?}: {}", out.status, text(&out.stderr));
        assert!(app.get_html("/").await.contains("enabled"));

        // Same email again: refused with a precise message.
        let out = paydesk(&app.db_url, &["user", "create", "--email", "ops@acme.test", "--role", "viewer", "--password-stdin"], Some(PASSWORD));
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("a user with email ops@acme.test already exists"));
    }

    async fn command_line_mistakes_get_precise_messages(app) {
        let out = paydesk(&app.db_url, &["user", "create", "--email", "nope", "--role", "admin", "--merchant", "Acme", "--password-stdin"], Some(PASSWORD));
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("--email: Enter a valid email address"), "{}", text(&out.stderr));

        let out = paydesk(&app.db_url, &["user", "create", "--email", "a@acme.test", "--role", "admin", "--merchant", "Acme", "--password-stdin"], Some("short"));
        assert!(text(&out.stderr).contains("--password: Use at least 12 characters."), "{}", text(&out.stderr));

        let out = paydesk(&app.db_url, &["user", "create", "--email", "a@acme.test", "--role", "owner", "--merchant", "Acme"], None);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("owner"));

        let out = paydesk(&app.db_url, &["merchant", "verify", "--merchant", "Nobody"], None);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("no merchant is named \"Nobody\""), "{}", text(&out.stderr));

        // Generated password: printed once on stderr, id on stdout.
        let out = paydesk(&app.db_url, &["user", "create", "--email", "gen@acme.test", "--role", "viewer", "--merchant", "Acme"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        let password = err.split("initial password (shown once): ").nth(1).unwrap().trim();
        assert_eq!(app.sign_in("gen@acme.test", password).await.status(), 303);
    }
}

#[test]
fn serving_postgres_without_a_shared_secret_is_refused_with_a_clear_message() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["serve"])
        .env(
            "PAYDESK_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/paydesk",
        )
        .env_remove("PAYDESK_SECRET")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paydesk runs");
    let out = child.wait().map(|status| (status, child.stderr.take()));
    let (status, stderr) = out.unwrap();
    assert!(!status.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut stderr.unwrap(), &mut err).unwrap();
    assert!(
        err.contains("PAYDESK_SECRET is required with a postgres:// database"),
        "{err}"
    );
}

/// A database with a few audit rows (a user created by the CLI, a merchant verified).
fn audited_database(url: &str) {
    for (email, role) in [("a@acme.test", "admin"), ("d@acme.test", "developer")] {
        let out = paydesk(
            url,
            &[
                "user",
                "create",
                "--email",
                email,
                "--role",
                role,
                "--merchant",
                "Acme",
            ],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = paydesk(url, &["merchant", "verify", "--merchant", "Acme"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn tamper_and_verify(url: &str) {
    audited_database(url);
    let out = paydesk(url, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.starts_with("audit log intact: "), "{said}");
    let rows: usize = said
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap();
    assert!(rows >= 3, "{said}");

    // Someone edits the second row in the database: the chain breaks there.
    use diesel::prelude::*;
    use paydesk::db::schema::audit_log;
    let db = paydesk::db::Db::connect(url).unwrap();
    let mut conn = db.conn().unwrap();
    let original: String = audit_log::table
        .filter(audit_log::seq.eq(2))
        .select(audit_log::detail)
        .get_result(&mut *conn)
        .unwrap();
    diesel::update(audit_log::table.filter(audit_log::seq.eq(2)))
        .set(audit_log::detail.eq("nothing to see"))
        .execute(&mut *conn)
        .unwrap();
    let out = paydesk(url, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("audit log broken at row 2"), "{err}");

    // Deleting a row (not the last: a chain alone cannot tell a cut-off tail) breaks it
    // too, at the gap.
    diesel::update(audit_log::table.filter(audit_log::seq.eq(2)))
        .set(audit_log::detail.eq(&original))
        .execute(&mut *conn)
        .unwrap();
    assert!(paydesk(url, &["audit", "verify"], None).status.success());
    diesel::delete(audit_log::table.filter(audit_log::seq.eq(2)))
        .execute(&mut *conn)
        .unwrap();
    let out = paydesk(url, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("row 2 is missing"), "{err}");
}

#[test]
fn audit_verify_finds_the_first_row_that_breaks_the_chain_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    tamper_and_verify(&format!("sqlite://{}/paydesk.db", dir.path().display()));
}

#[test]
fn audit_verify_finds_the_first_row_that_breaks_the_chain_on_postgres() {
    if !postgres_configured() {
        return;
    }
    let pg = PgDatabase::create();
    tamper_and_verify(&pg.url);
}

#[test]
fn keys_check_validates_format_and_checksum_offline() {
    use paydesk::keys::{KeyKind, Mode, format};
    let key = format::generate(KeyKind::Secret, Mode::Test);
    let out = paydesk(
        "sqlite:///nonexistent/never-opened.db",
        &["keys", "check", &key],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("well-formed secret test key"));

    // One character changed: the checksum says so.
    let mut typo: Vec<char> = key.chars().collect();
    typo[12] = if typo[12] == 'a' { 'b' } else { 'a' };
    let typo: String = typo.into_iter().collect();
    for (bad, why) in [
        (typo.as_str(), "checksum does not match"),
        ("sk_test_short", "this has 5"),
        ("ghp_abcdef", "does not start with sk_"),
    ] {
        let out = paydesk(
            "sqlite:///nonexistent/never-opened.db",
            &["keys", "check", bad],
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{bad}");
        let err = text(&out.stderr);
        assert!(
            err.contains("not a valid Paydesk key") && err.contains(why),
            "{bad}: {err}"
        );
    }
}

#[tokio::test]
async fn webhooks_listen_forwards_new_test_events_signed_with_the_secret_it_prints() {
    use std::io::BufRead;
    let app = spawn_app(Backend::Sqlite).await;
    app.setup_admin().await;
    let token = app.api_token("admin@acme.test").await;
    let res = app
        .client
        .post(app.url("/api/v1/api-keys"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "local", "permissions": {"events": "read", "customers": "write"}}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    let key = body["data"]["secret_key"].as_str().unwrap().to_owned();
    // An event from before the start is not forwarded.
    let customer = |name: &str| {
        app.client
            .post(app.url("/api/v1/customers"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"name": name}))
            .send()
    };
    customer("Before").await.unwrap();
    let receiver = Receiver::start(vec![200]).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args([
            "webhooks",
            "listen",
            "--api-url",
            &app.address,
            "--forward-to",
            &receiver.url,
            "--interval-ms",
            "100",
        ])
        .env("PAYDESK_API_KEY", &key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().unwrap().unwrap();
    assert!(ready.starts_with("Ready."), "{ready}");
    let secret_line = lines.next().unwrap().unwrap();
    let secret = secret_line.rsplit(' ').next().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret_line}");
    customer("After").await.unwrap();
    let got = receiver.wait_for(1).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(got.len(), 1, "only the new event: {got:?}");
    let r = &got[0];
    assert!(r.body.contains("customer.created") && r.body.contains("After"));
    let t: i64 = r
        .header("Paydesk-Signature")
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        r.header("Paydesk-Signature"),
        paydesk::keys::signature::sign(&secret, t, r.body.as_bytes())
    );
}

#[test]
fn webhooks_listen_refuses_a_live_or_malformed_key_precisely() {
    let out = paydesk(
        "sqlite::memory:",
        &[
            "webhooks",
            "listen",
            "--forward-to",
            "http://localhost:3000/hook",
            "--api-key",
            "sk_live_nope",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--api-key must be a test secret key"),
        "{}",
        text(&out.stderr)
    );
    let out = paydesk(
        "sqlite::memory:",
        &[
            "webhooks",
            "listen",
            "--forward-to",
            "localhost:3000",
            "--api-key",
            "sk_test_nope",
        ],
        None,
    );
    assert!(!out.status.success());
}

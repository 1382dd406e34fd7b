//! The `paydesk` command as an operator runs it.

#[path = "../support/mod.rs"]
mod support;

mod recovery;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use support::*;

/// What `spawn_app` serves with, so rows written here and there chain under one key.
const SECRET: &str = "test-secret-that-is-long-enough-for-paydesk-0123456789abcdefghijklmnop";

fn paydesk(db_url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    paydesk_with(db_url, args, stdin, SECRET)
}

fn paydesk_with(db_url: &str, args: &[&str], stdin: Option<&str>, secret: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(args)
        .env("PAYDESK_DATABASE_URL", db_url)
        .env("PAYDESK_SECRET", secret)
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
        &["user", "list", "--help"],
        &["user", "reset-password", "--help"],
        &["user", "reset-2fa", "--help"],
        &["user", "unlock", "--help"],
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

/// Each audit case as two tests: on a fresh SQLite database, and on a fresh PostgreSQL one
/// when PAYDESK_TEST_POSTGRES_URL is set.
macro_rules! audit_cases {
    ($(fn $name:ident($url:ident) $body:block)*) => {
        mod audit_chain {
            use super::*;
            $(
                mod $name {
                    use super::*;
                    fn case($url: &str) $body
                    #[test]
                    fn on_sqlite() {
                        let dir = tempfile::tempdir().unwrap();
                        case(&format!("sqlite://{}/paydesk.db", dir.path().display()));
                    }
                    #[test]
                    fn on_postgres() {
                        if postgres_configured() {
                            let pg = PgDatabase::create();
                            case(&pg.url);
                        }
                    }
                }
            )*
        }
    };
}

const OTHER_SECRET: &str = "another-secret-that-is-long-enough-for-paydesk-0123456789abcdefghijkl";

/// The database's own connection, to tamper with it as someone with its password could.
fn tamper(url: &str) -> paydesk::db::Conn {
    paydesk::db::Db::connect(url).unwrap().conn().unwrap()
}

/// Every chained row, in chain order.
fn chain_rows(conn: &mut paydesk::db::DbConn) -> Vec<paydesk::db::models::audit::AuditEntry> {
    use diesel::prelude::*;
    use paydesk::db::schema::audit_log;
    audit_log::table
        .filter(audit_log::seq.is_not_null())
        .order(audit_log::seq.asc())
        .select(paydesk::db::models::audit::AuditEntry::as_select())
        .load(conn)
        .unwrap()
}

/// The row as SPEC §12 hashes it: these fields, in this order, written out by hand so
/// the test does not lean on the code it checks.
fn row_json(e: &paydesk::db::models::audit::AuditEntry, seq: i64) -> String {
    let j = |s: &str| serde_json::to_string(s).unwrap();
    format!(
        r#"{{"seq":{seq},"id":{},"merchant_id":{},"actor":{},"action":{},"target":{},"ip":{},"detail":{},"created_at":{}}}"#,
        j(&e.id),
        serde_json::to_string(&e.merchant_id).unwrap(),
        j(&e.actor),
        j(&e.action),
        j(&e.target),
        j(&e.ip),
        j(&e.detail),
        e.created_at
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SPEC §13: HMAC-SHA256(HKDF-SHA256(secret, info "paydesk audit v1"), previous ‖ row).
fn keyed(secret: &str, previous: &str, e: &paydesk::db::models::audit::AuditEntry) -> String {
    use hmac::Mac;
    let mut k = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(None, secret.as_bytes())
        .expand(b"paydesk audit v1", &mut k)
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&k).unwrap();
    mac.update(previous.as_bytes());
    mac.update(row_json(e, e.seq.unwrap()).as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The chain as it was before it was keyed: SHA-256(previous ‖ row).
fn plain(previous: &str, e: &paydesk::db::models::audit::AuditEntry) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(previous.as_bytes());
    h.update(row_json(e, e.seq.unwrap()).as_bytes());
    hex(&h.finalize())
}

/// Recomputes every hash from row `from` on with `hash`, as a forger would.
fn rehash_from(
    conn: &mut paydesk::db::DbConn,
    from: i64,
    hash: impl Fn(&str, &paydesk::db::models::audit::AuditEntry) -> String,
) {
    use diesel::prelude::*;
    use paydesk::db::schema::audit_log;
    let mut previous = paydesk::db::models::audit::GENESIS.to_owned();
    for e in chain_rows(conn) {
        if e.seq.unwrap() >= from {
            let h = hash(&previous, &e);
            diesel::update(audit_log::table.find(&e.id))
                .set(audit_log::hash.eq(&h))
                .execute(conn)
                .unwrap();
            previous = h;
        } else {
            previous = e.hash.clone().unwrap();
        }
    }
}

fn edit_detail(conn: &mut paydesk::db::DbConn, seq: i64, detail: &str) {
    use diesel::prelude::*;
    use paydesk::db::schema::audit_log;
    diesel::update(audit_log::table.filter(audit_log::seq.eq(seq)))
        .set(audit_log::detail.eq(detail))
        .execute(conn)
        .unwrap();
}

/// Asks for the one-time re-chain again, as the keying migration does.
fn mark_unkeyed(conn: &mut paydesk::db::DbConn) {
    use diesel::prelude::*;
    diesel::sql_query("UPDATE audit_chain SET keyed_at = NULL")
        .execute(conn)
        .unwrap();
}

fn verify(url: &str, extra: &[&str]) -> Output {
    paydesk(url, &[&["audit", "verify"], extra].concat(), None)
}

/// `audit verify` failed (exit 1) saying this.
fn broken(out: &Output, says: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(says), "{says:?} not in {err}");
}

fn intact(out: &Output, rows: usize) {
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("audit log intact: {rows} rows chained")
    );
}

fn another_user(url: &str, email: &str) {
    let args = ["user", "create", "--email", email, "--role", "viewer"];
    let out = paydesk(url, &args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

audit_cases! {
    fn an_untouched_chain_verifies_with_its_count_under_the_keyed_hash(url) {
        audited_database(url);
        let rows = chain_rows(&mut tamper(url));
        assert!(rows.len() >= 3, "{rows:?}");
        // Each hash is SPEC §13's HMAC under the key from PAYDESK_SECRET (not SHA-256).
        let mut previous = paydesk::db::models::audit::GENESIS.to_owned();
        for (i, e) in rows.iter().enumerate() {
            assert_eq!(e.seq, Some(i as i64 + 1));
            assert_eq!(e.hash.as_deref(), Some(keyed(SECRET, &previous, e).as_str()), "{e:?}");
            previous = e.hash.clone().unwrap();
        }
        intact(&verify(url, &[]), rows.len());
        let out = paydesk(url, &["audit", "checkpoint"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let checkpoint = text(&out.stdout).trim().to_owned();
        assert_eq!(checkpoint, format!("{} {previous}", rows.len()));
        intact(&verify(url, &["--checkpoint", &checkpoint]), rows.len());
        // More rows later: the checkpoint still holds.
        another_user(url, "later@acme.test");
        assert!(verify(url, &["--checkpoint", &checkpoint]).status.success());
    }

    fn a_row_slipped_in_without_seq_or_hash_is_a_break_and_no_start_chains_it(url) {
        use diesel::prelude::*;
        use paydesk::db::models::audit::AuditEntry;
        use paydesk::db::schema::audit_log;
        audited_database(url);
        let n = chain_rows(&mut tamper(url)).len() as i64;
        let forged = |id: &str, seq: Option<i64>| AuditEntry {
            id: id.into(),
            merchant_id: None,
            actor: "a@acme.test".into(),
            action: "api_key.created".into(),
            target: "key_forged".into(),
            ip: "10.0.0.1".into(),
            detail: "".into(),
            created_at: 1,
            seq,
            hash: None,
        };
        let mut conn = tamper(url);
        diesel::insert_into(audit_log::table)
            .values(&forged("aud_forged_no_seq", None))
            .execute(&mut *conn)
            .unwrap();
        broken(&verify(url, &[]), "aud_forged_no_seq: it has no seq");
        // A normal start (this command migrates and starts the chain) leaves it out.
        another_user(url, "later@acme.test");
        broken(&verify(url, &[]), "aud_forged_no_seq: it has no seq");
        diesel::delete(audit_log::table.find("aud_forged_no_seq"))
            .execute(&mut *conn)
            .unwrap();
        let m = chain_rows(&mut conn).len() as i64;
        assert!(m > n);
        intact(&verify(url, &[]), m as usize);
        // A row with a seq but no hash is a break too.
        diesel::insert_into(audit_log::table)
            .values(&forged("aud_forged_no_hash", Some(m + 1)))
            .execute(&mut *conn)
            .unwrap();
        broken(&verify(url, &[]), &format!("row {} (aud_forged_no_hash): it has no hash", m + 1));
    }

    fn an_edited_row_is_found_even_with_its_hashes_recomputed(url) {
        audited_database(url);
        let mut conn = tamper(url);
        edit_detail(&mut conn, 2, "nothing to see");
        broken(&verify(url, &[]), "audit log broken at row 2");
        // Recomputed as the old chain did (SHA-256, no key): still found.
        rehash_from(&mut conn, 2, plain);
        broken(&verify(url, &[]), "audit log broken at row 2");
        // Recomputed under a key from another secret: still found.
        rehash_from(&mut conn, 2, |p, e| keyed(OTHER_SECRET, p, e));
        broken(&verify(url, &[]), "audit log broken at row 2");
        // Only the right key makes it hold again.
        rehash_from(&mut conn, 2, |p, e| keyed(SECRET, p, e));
        assert!(verify(url, &[]).status.success());
        // A row removed from the middle is a gap.
        use diesel::prelude::*;
        use paydesk::db::schema::audit_log;
        diesel::delete(audit_log::table.filter(audit_log::seq.eq(2)))
            .execute(&mut *conn)
            .unwrap();
        broken(&verify(url, &[]), "row 2 is missing");
    }

    fn a_cut_off_tail_is_found_with_a_checkpoint(url) {
        use diesel::prelude::*;
        use paydesk::db::schema::audit_log;
        audited_database(url);
        let out = paydesk(url, &["audit", "checkpoint"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let checkpoint = text(&out.stdout).trim().to_owned();
        let (last, _) = checkpoint.split_once(' ').unwrap();
        let last: i64 = last.parse().unwrap();
        let mut conn = tamper(url);
        diesel::delete(audit_log::table.filter(audit_log::seq.eq(last)))
            .execute(&mut *conn)
            .unwrap();
        // The chain alone cannot tell; the checkpoint can.
        intact(&verify(url, &[]), last as usize - 1);
        broken(
            &verify(url, &["--checkpoint", &checkpoint]),
            &format!("row {last} is gone: the log ends at row {} (its tail was cut off)", last - 1),
        );
        // The tail grown again under the right key: that row now differs.
        another_user(url, "later@acme.test");
        assert!(verify(url, &[]).status.success());
        broken(
            &verify(url, &["--checkpoint", &checkpoint]),
            &format!("row {last}: it differs from the checkpoint"),
        );
        // A malformed checkpoint is a usage error (exit 2) that says what is expected.
        for bad in [
            "12",
            "twelve 0000",
            &format!("-1 {}", "a".repeat(64)),
            &format!("3 {}", "g".repeat(64)),
            &format!("3 {} extra", "a".repeat(64)),
        ] {
            let out = verify(url, &[&format!("--checkpoint={bad}")]);
            assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out.stderr));
            let err = text(&out.stderr);
            assert!(err.contains("--checkpoint") && err.contains("expected \"SEQ HASH\""), "{bad}: {err}");
        }
    }

    fn a_database_verified_with_another_secret_does_not_verify(url) {
        audited_database(url);
        assert!(verify(url, &[]).status.success());
        let out = paydesk_with(url, &["audit", "verify"], None, OTHER_SECRET);
        broken(&out, "audit log broken at row 1");
        assert!(text(&out.stderr).contains("PAYDESK_SECRET is not the one"), "{}", text(&out.stderr));
        let out = paydesk_with(url, &["audit", "checkpoint"], None, OTHER_SECRET);
        broken(&out, "audit log broken at row 1");
        assert!(text(&out.stdout).is_empty(), "no checkpoint of a chain that does not hold");
    }

    fn rows_from_before_the_keyed_chain_are_rechained_once_and_only_as_far_as_they_hold(url) {
        audited_database(url);
        let mut conn = tamper(url);
        // The database as the SHA-256 chain left it, just after the keying migration.
        rehash_from(&mut conn, 1, plain);
        mark_unkeyed(&mut conn);
        let n = chain_rows(&mut conn).len();
        broken(&verify(url, &[]), "not re-chained yet");
        // The next start re-chains them under the key, and says so in the chain.
        another_user(url, "later@acme.test");
        let rows = chain_rows(&mut conn);
        let note = rows.iter().find(|e| e.action == "audit.rechained").expect("audited");
        assert_eq!(note.detail, format!("{n} row(s) re-chained from SHA-256 to HMAC-SHA256"));
        intact(&verify(url, &[]), rows.len());
        // The re-chain is asked for again (the marker reset) on a keyed chain: nothing moves.
        let checkpoint = text(&paydesk(url, &["audit", "checkpoint"], None).stdout).trim().to_owned();
        mark_unkeyed(&mut conn);
        another_user(url, "again@acme.test");
        assert_eq!(chain_rows(&mut conn).iter().filter(|e| e.action == "audit.rechained").count(), 1);
        intact(&verify(url, &["--checkpoint", &checkpoint]), chain_rows(&mut conn).len());
        // Someone who rewrites the whole chain as SHA-256 with an edit and resets the
        // marker gets it re-keyed, but not past a checkpoint kept elsewhere.
        edit_detail(&mut conn, 2, "nothing to see");
        rehash_from(&mut conn, 1, plain);
        mark_unkeyed(&mut conn);
        another_user(url, "third@acme.test");
        broken(&verify(url, &["--checkpoint", &checkpoint]), "it differs from the checkpoint");
    }

    fn an_edit_made_before_the_chain_was_keyed_is_not_blessed_by_the_rechain(url) {
        audited_database(url);
        let mut conn = tamper(url);
        rehash_from(&mut conn, 1, plain);
        edit_detail(&mut conn, 2, "nothing to see");
        mark_unkeyed(&mut conn);
        another_user(url, "later@acme.test");
        broken(&verify(url, &[]), "audit log broken at row 2");
        let rows = chain_rows(&mut conn);
        let note = rows.iter().find(|e| e.action == "audit.rechained").expect("audited");
        assert!(note.detail.starts_with("1 row(s) re-chained"), "{}", note.detail);
        assert!(note.detail.contains("the old chain broke at row 2"), "{}", note.detail);
    }
}

#[test]
fn audit_verify_without_a_secret_on_sqlite_names_what_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/paydesk.db", dir.path().display());
    audited_database(&url);
    let out = Command::new(env!("CARGO_BIN_EXE_paydesk"))
        .args(["audit", "verify"])
        .current_dir(dir.path())
        .env("PAYDESK_DATABASE_URL", &url)
        .env_remove("PAYDESK_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("PAYDESK_SECRET is not set and ./data/secret does not exist"),
        "{err}"
    );
    // Only read: no secret file was made.
    assert!(!dir.path().join("data").exists());
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
    // A management key (SPEC §17) is one of ours too.
    let mk = paydesk::keys::management::generate();
    let out = paydesk(
        "sqlite:///nonexistent/never-opened.db",
        &["keys", "check", &mk],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("well-formed management key"));
    let mut mk_typo: Vec<char> = mk.chars().collect();
    mk_typo[8] = if mk_typo[8] == 'a' { 'b' } else { 'a' };
    let mk_typo: String = mk_typo.into_iter().collect();

    // One character changed: the checksum says so.
    let mut typo: Vec<char> = key.chars().collect();
    typo[12] = if typo[12] == 'a' { 'b' } else { 'a' };
    let typo: String = typo.into_iter().collect();
    for (bad, why) in [
        (typo.as_str(), "checksum does not match"),
        ("sk_test_short", "this has 5"),
        ("ghp_abcdef", "does not start with sk_"),
        (mk_typo.as_str(), "checksum does not match"),
        ("mk_short", "this has 5"),
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

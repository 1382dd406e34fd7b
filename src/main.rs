//! The `paydesk` command: parse the command line and hand over to the library.

use std::io::BufRead;
use std::process::ExitCode;

use clap::Parser;
use paydesk::accounts;
use paydesk::config::{
    AuditCommand, Cli, Command, KeysCommand, LogFormat, MerchantCommand, ServeArgs, Settings,
    UserCommand, WebhooksCommand,
};
use paydesk::db;
use paydesk::db::models::merchant::Merchant;
use paydesk::db::models::user::Role;
use paydesk::error::Error;
use paydesk::startup::Application;

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    if cli.command.is_none() {
        // `paydesk` alone is `paydesk serve`, with serve's flags and variables read.
        cli = Cli::parse_from(std::env::args_os().chain(["serve".into()]));
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,actix_server=warn".into());
    // Colour only for a person at a terminal, never into a file or a log collector (§14).
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    let Some(command) = cli.command else {
        eprintln!("paydesk: no command given; see paydesk --help");
        return ExitCode::FAILURE;
    };
    let result = match command {
        Command::Serve(args) => serve(cli.database_url, args),
        Command::Migrate => migrate(&cli.database_url),
        Command::User(UserCommand::Create {
            email,
            role,
            merchant,
            password_stdin,
        }) => create_user(&cli.database_url, &email, &role, merchant, password_stdin),
        Command::User(UserCommand::List { merchant }) => {
            list_users(&cli.database_url, merchant.as_deref())
        }
        Command::User(UserCommand::ResetPassword {
            email,
            password_stdin,
        }) => reset_password(&cli.database_url, &email, password_stdin),
        Command::User(UserCommand::ResetTwoFactor { email }) => {
            reset_two_factor(&cli.database_url, &email)
        }
        Command::User(UserCommand::Unlock { email }) => unlock(&cli.database_url, &email),
        Command::Merchant(MerchantCommand::Verify { merchant }) => {
            verify_merchant(&cli.database_url, &merchant)
        }
        Command::Audit(AuditCommand::Verify { checkpoint }) => {
            verify_audit(&cli.database_url, checkpoint.as_ref())
        }
        Command::Audit(AuditCommand::Checkpoint) => audit_checkpoint(&cli.database_url),
        Command::Keys(KeysCommand::Check { token }) => check_key(&token),
        Command::Webhooks(WebhooksCommand::Listen {
            forward_to,
            api_key,
            api_url,
            secret,
            interval_ms,
        }) => listen(paydesk::webhooks::listen::Listen {
            api_url,
            api_key,
            forward_to,
            secret: secret.unwrap_or_else(paydesk::webhooks::listen::new_secret),
            every: std::time::Duration::from_millis(interval_ms.clamp(100, 60_000)),
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("paydesk: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(database_url: String, args: ServeArgs) -> Result<(), String> {
    let settings = Settings::from_args(database_url, args)?;
    let bind = settings.bind;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        tracing::info!("Paydesk is serving on http://{}:{}", bind.ip(), app.port());
        app.run_until_stopped()
            .await
            .map_err(|e| format!("server stopped: {e}"))
    })
}

/// The database, migrated and its audit chain keyed, for a command that works on it.
fn open(database_url: &str) -> Result<db::DbConn, String> {
    let secret = cli_secret(database_url, true)?;
    let mut conn = db::connect_one(database_url)?;
    db::migrate_conn(&mut conn)?;
    paydesk::db::models::audit::start(&mut conn, &secret)?;
    Ok(conn)
}

/// The secret `serve` would use: PAYDESK_SECRET, else ./data/secret on SQLite.
fn cli_secret(database_url: &str, create: bool) -> Result<Vec<u8>, String> {
    let given = match std::env::var("PAYDESK_SECRET") {
        Ok(s) => Some(s),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => return Err("PAYDESK_SECRET is not UTF-8".into()),
    };
    paydesk::config::resolve_secret(database_url, given, create)
}

fn migrate(database_url: &str) -> Result<(), String> {
    let mut conn = db::connect_one(database_url)?;
    let ran = db::migrate_conn(&mut conn)?;
    println!("{ran} migration(s) applied");
    Ok(())
}

fn create_user(
    database_url: &str,
    email: &str,
    role: &str,
    merchant: Option<String>,
    password_stdin: bool,
) -> Result<(), String> {
    let role: Role = role.parse()?;
    let mut conn = open(database_url)?;
    let merchant = match merchant {
        Some(name) => name,
        None => match Merchant::list(&mut conn)
            .map_err(|e| describe(e.into()))?
            .as_slice()
        {
            [only] => only.name.clone(),
            [] => return Err("no merchant exists yet: name one with --merchant NAME".into()),
            _ => return Err("several merchants exist: choose one with --merchant NAME".into()),
        },
    };
    let (password, generated) = password_from(password_stdin)?;
    let user = accounts::create_user_cli(&mut conn, email, role, &merchant, &password)
        .map_err(describe)?;
    if generated {
        eprintln!("initial password (shown once): {password}");
    }
    println!("{}", user.id);
    Ok(())
}

/// The first line of standard input, or a generated password (true: print it once).
fn password_from(stdin: bool) -> Result<(String, bool), String> {
    if !stdin {
        return Ok((paydesk::ids::random_base62(20), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}

/// `paydesk user list`: one line per person, in aligned columns.
fn list_users(database_url: &str, merchant: Option<&str>) -> Result<(), String> {
    let mut conn = open(database_url)?;
    let users = accounts::list_users(&mut conn, merchant).map_err(describe)?;
    if users.is_empty() {
        println!("no users yet");
        return Ok(());
    }
    let mut rows = vec![["EMAIL", "ROLE", "MERCHANT", "2FA", "STATUS"].map(String::from)];
    for u in &users {
        rows.push([
            u.email.clone(),
            u.role.as_str().to_owned(),
            u.merchant.clone(),
            if u.two_factor { "on" } else { "off" }.to_owned(),
            u.status(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
    Ok(())
}

/// A hint when sign-in is still locked after a reset.
fn still_locked(conn: &mut db::DbConn, email: &str) -> String {
    match accounts::locked_until(conn, email) {
        Ok(Some(until)) => format!(
            "; sign-in is still locked until {} (lift it with: paydesk user unlock --email {email})",
            paydesk::clock::display(until)
        ),
        _ => String::new(),
    }
}

fn reset_password(database_url: &str, email: &str, password_stdin: bool) -> Result<(), String> {
    let mut conn = open(database_url)?;
    let (password, generated) = password_from(password_stdin)?;
    let reset = accounts::reset_password_cli(&mut conn, email, &password).map_err(describe)?;
    if generated {
        eprintln!("new password (shown once): {password}");
    }
    let hint = still_locked(&mut conn, &reset.user.email);
    println!(
        "password of {} reset; {} session(s) ended{hint}",
        reset.user.email, reset.sessions_ended
    );
    Ok(())
}

fn reset_two_factor(database_url: &str, email: &str) -> Result<(), String> {
    let mut conn = open(database_url)?;
    let reset = accounts::reset_two_factor_cli(&mut conn, email).map_err(describe)?;
    let again = if paydesk::db::models::merchant::Merchant::find(&mut conn, &reset.user.merchant_id)
        .is_ok_and(|m| m.require_2fa)
    {
        "; their team requires it, so they set it up again at their next sign-in"
    } else {
        ""
    };
    println!(
        "two-factor sign-in of {} turned off (authenticator and recovery codes removed); {} session(s) ended{again}",
        reset.user.email, reset.sessions_ended
    );
    Ok(())
}

fn unlock(database_url: &str, email: &str) -> Result<(), String> {
    let mut conn = open(database_url)?;
    let (user, was) = accounts::unlock_cli(&mut conn, email).map_err(describe)?;
    match was {
        Some(until) => println!(
            "sign-in of {} unlocked (it was locked until {})",
            user.email,
            paydesk::clock::display(until)
        ),
        None => println!(
            "sign-in of {} was not locked; its failed attempts are forgotten",
            user.email
        ),
    }
    Ok(())
}

fn verify_merchant(database_url: &str, name: &str) -> Result<(), String> {
    let mut conn = open(database_url)?;
    let merchant = accounts::verify_merchant(&mut conn, name).map_err(describe)?;
    println!(
        "merchant {:?} ({}) is verified: live mode is enabled",
        merchant.name, merchant.id
    );
    Ok(())
}

/// The chain as it is: no migration, no re-chain, nothing written.
fn walk_audit(
    database_url: &str,
    checkpoint: Option<&paydesk::db::models::audit::Checkpoint>,
) -> Result<(i64, paydesk::db::models::audit::Checkpoint), String> {
    use paydesk::db::models::audit::{self, ChainCheck, ChainKey};
    let key = ChainKey::from_secret(&cli_secret(database_url, false)?);
    let mut conn = db::connect_one(database_url)?;
    let check = audit::verify(&mut conn, &key, checkpoint)
        .map_err(|e| format!("cannot read the audit log (is the database migrated?): {e}"))?;
    match check {
        ChainCheck::Intact { rows, last } => Ok((rows, last)),
        ChainCheck::Broken { seq, id, why } => {
            let at = match (seq, id.is_empty()) {
                (Some(seq), true) => format!("row {seq}"),
                (Some(seq), false) => format!("row {seq} ({id})"),
                (None, _) => id,
            };
            let hint = if audit::chain::rechain_pending(&mut conn) {
                "; the rows from before the keyed chain are not re-chained yet: start \
                 `paydesk serve` once with its PAYDESK_SECRET"
            } else {
                ""
            };
            Err(format!("audit log broken at {at}: {why}{hint}"))
        }
    }
}

fn verify_audit(
    database_url: &str,
    checkpoint: Option<&paydesk::db::models::audit::Checkpoint>,
) -> Result<(), String> {
    let (rows, _) = walk_audit(database_url, checkpoint)?;
    println!("audit log intact: {rows} rows chained");
    Ok(())
}

/// Verifies first: a checkpoint of a broken chain would vouch for it. Prints only
/// `SEQ HASH`, so `$(paydesk audit checkpoint)` is the checkpoint.
fn audit_checkpoint(database_url: &str) -> Result<(), String> {
    let (_, last) = walk_audit(database_url, None)?;
    println!("{last}");
    Ok(())
}

fn check_key(token: &str) -> Result<(), String> {
    use paydesk::keys::token::{self, Token};
    let token = token.trim();
    let what = match token::diagnose(token) {
        Ok(Token::Api(shape)) => {
            let kind = match shape.kind {
                paydesk::keys::KeyKind::Secret => "secret",
                paydesk::keys::KeyKind::Publishable => "publishable",
            };
            format!("{kind} {} key", shape.mode.as_str())
        }
        Ok(Token::Management) => "management key".to_owned(),
        Err(why) => return Err(format!("not a valid Paydesk key: {why}")),
    };
    println!(
        "well-formed {what}: format and checksum are valid (this does not say whether it exists or works)"
    );
    Ok(())
}

/// A service error as one line for the terminal.
fn describe(e: Error) -> String {
    match e {
        Error::Invalid(fields) => fields
            .iter()
            .map(|(field, msg)| format!("--{}: {msg}", field.replace('_', "-")))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn listen(l: paydesk::webhooks::listen::Listen) -> Result<(), String> {
    paydesk::webhooks::listen::check(&l)?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(paydesk::webhooks::listen::run(l))
}

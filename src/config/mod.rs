//! Command line and environment: every flag has a `PAYDESK_*` variable (SPEC §1).

use std::net::{IpAddr, SocketAddr};

use clap::{Args, Parser, Subcommand, ValueEnum};
use ipnetwork::IpNetwork;

mod secret;

pub use secret::resolve_secret;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/paydesk.db";

#[derive(Debug, Parser)]
#[command(
    name = "paydesk",
    version,
    about = "Paydesk: merchant dashboard, Developer Hub and payments API"
)]
pub struct Cli {
    /// `sqlite://PATH` or `postgres://…`
    #[arg(long, env = "PAYDESK_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Log lines as `text` or `json` (one object per line)
    #[arg(
        long,
        env = "PAYDESK_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, Default, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard and the API (the default)
    Serve(ServeArgs),
    /// Run pending database migrations and exit
    Migrate,
    /// Manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Manage merchants
    #[command(subcommand)]
    Merchant(MerchantCommand),
    /// The tamper-evident audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// API keys
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Webhooks, for local development
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Forward a Paydesk server's test events to a local URL, signed like real deliveries
    /// (polls GET /api/v1/events with a test secret key that can read events)
    Listen {
        /// Where to post each event, e.g. http://localhost:3000/webhooks
        #[arg(long)]
        forward_to: String,
        /// A test secret key (sk_test_…) with events:read
        #[arg(long, env = "PAYDESK_API_KEY", hide_env_values = true)]
        api_key: String,
        /// The Paydesk server
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        api_url: String,
        /// The signing secret to use (default: a new one, printed at start)
        #[arg(long, hide_env_values = true)]
        secret: Option<String>,
        /// How often to look for new events, in milliseconds
        #[arg(long, default_value_t = 1000)]
        interval_ms: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the audit log's keyed hash chain (only reads; needs the PAYDESK_SECRET it was
    /// written with): exit 0 if every row holds, else print the first row that breaks it
    /// and exit 1
    Verify {
        /// "SEQ HASH" from an earlier `paydesk audit checkpoint`: fail also when that row
        /// is gone or differs (a cut-off or rewritten tail)
        #[arg(long, value_parser = parse_checkpoint)]
        checkpoint: Option<crate::db::models::audit::Checkpoint>,
    },
    /// Verify the chain, then print its last row as "SEQ HASH": keep it outside the
    /// database (monitoring, say) and pass it to `verify --checkpoint` later
    Checkpoint,
}

fn parse_checkpoint(s: &str) -> Result<crate::db::models::audit::Checkpoint, String> {
    s.parse()
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Check a key's format and checksum offline (no database): exit 0 if it is
    /// well-formed, else say why and exit 1
    Check {
        /// The key, e.g. sk_test_…
        token: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen address
    #[arg(long, env = "PAYDESK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// At least 64 bytes; signs sessions and JWTs. Default: generated once into ./data/secret
    #[arg(long, env = "PAYDESK_SECRET", hide_env_values = true)]
    pub secret: Option<String>,

    /// Mark cookies Secure: `auto` means secure unless bound to loopback
    #[arg(
        long,
        env = "PAYDESK_COOKIE_SECURE",
        value_enum,
        default_value = "auto"
    )]
    pub cookie_secure: CookieSecure,

    /// Comma-separated CIDRs whose X-Forwarded-For is believed
    #[arg(long, env = "PAYDESK_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_cidr)]
    pub trusted_proxies: Vec<IpNetwork>,

    /// Redis for rate limits shared by every instance, e.g. redis://127.0.0.1:6379/0
    #[arg(long, env = "PAYDESK_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Length of a key's rate-limit window in milliseconds (limits are per window)
    #[arg(long, env = "PAYDESK_RATE_LIMIT_WINDOW_MS", default_value_t = 60_000, value_parser = clap::value_parser!(i64).range(100..=86_400_000))]
    pub rate_limit_window_ms: i64,

    /// Serve Prometheus metrics at /metrics on this address, e.g. 127.0.0.1:9464 (default off)
    #[arg(long, env = "PAYDESK_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// This service's origin as users reach it, e.g. https://pay.example.com: what Origin
    /// checks compare with, and the base of curl examples and the OpenAPI `servers`.
    /// Default: the scheme and host each request arrived with.
    #[arg(long, env = "PAYDESK_PUBLIC_URL", value_parser = parse_origin)]
    pub public_url: Option<String>,

    /// Webhook retries: attempt n+1 waits this × 2^(n−1) milliseconds (cap 24 h)
    #[arg(long, env = "PAYDESK_WEBHOOK_RETRY_BASE_MS", default_value_t = 60_000, value_parser = clap::value_parser!(i64).range(1..))]
    pub webhook_retry_base_ms: i64,

    /// Let webhooks reach private and loopback addresses (local development and tests only)
    #[arg(long, env = "PAYDESK_WEBHOOK_ALLOW_PRIVATE", default_value_t = false)]
    pub webhook_allow_private: bool,

    /// `on` or `off`: whether this instance sends webhooks. Every instance queues them;
    /// with `off` it leaves the sending to the others (API-only instances), or to itself
    /// after a restart with `on`
    #[arg(
        long,
        env = "PAYDESK_WEBHOOK_DELIVERY",
        value_enum,
        default_value = "on"
    )]
    pub webhook_delivery: OnOff,

    /// Open connections allowed in total, across workers
    #[arg(long, env = "PAYDESK_MAX_CONNECTIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Keep request log lines (the Logs pages) this many days
    #[arg(long, env = "PAYDESK_LOG_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub log_retention_days: u32,

    /// `on` or `off`: keep request log lines (off only to measure what they cost; usage
    /// counters are kept either way)
    #[arg(long, env = "PAYDESK_REQUEST_LOG", value_enum, default_value = "on")]
    pub request_log: OnOff,

    /// Where to report a vulnerability, served as /.well-known/security.txt (RFC 9116):
    /// an email address or `mailto:`, `https://` or `tel:` URIs, comma-separated.
    /// Unset: that path is 404
    #[arg(long, env = "PAYDESK_SECURITY_CONTACT", value_parser = parse_contacts)]
    pub security_contact: Option<SecurityContacts>,

    /// Send mail through this server: smtp://[user:pass@]host:port (`?tls=required` for
    /// STARTTLS) or smtps://…. Unset: each mail's recipient, subject and link are logged
    #[arg(long, env = "PAYDESK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of Paydesk's mails
    #[arg(long, env = "PAYDESK_MAIL_FROM", default_value = DEFAULT_MAIL_FROM)]
    pub mail_from: String,
}

pub const DEFAULT_MAIL_FROM: &str = "Paydesk <paydesk@localhost>";

/// `PAYDESK_SECURITY_CONTACT` read: each entry a URI for a `Contact:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityContacts(pub Vec<String>);

/// A bare address becomes `mailto:`; a web address must be `https://` (RFC 9116 §2.5.3).
fn parse_contacts(s: &str) -> Result<SecurityContacts, String> {
    let mut out = Vec::new();
    for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if entry.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(format!("{entry:?} must not hold spaces or line breaks"));
        }
        let lower = entry.to_ascii_lowercase();
        let uri = if ["mailto:", "https://", "tel:"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            entry.to_owned()
        } else if !lower.contains(':') && entry.contains('@') {
            format!("mailto:{entry}")
        } else {
            return Err(format!(
                "{entry:?} must be an email address or a mailto:, https:// or tel: URI"
            ));
        };
        out.push(uri);
    }
    if out.is_empty() {
        return Err("name at least one contact".into());
    }
    Ok(SecurityContacts(out))
}

#[derive(Debug, Clone, Copy, Default, ValueEnum, PartialEq, Eq)]
pub enum OnOff {
    #[default]
    On,
    Off,
}

#[derive(Debug, Clone, Copy, Default, ValueEnum, PartialEq, Eq)]
pub enum CookieSecure {
    #[default]
    Auto,
    True,
    False,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (and the merchant, if no merchant has that name); prints the user id
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "developer", "viewer"])]
        role: String,
        /// Merchant name; may be left out when exactly one merchant exists
        #[arg(long)]
        merchant: Option<String>,
        /// Read the password from standard input (first line) instead of generating one
        #[arg(long)]
        password_stdin: bool,
    },
    /// List people: email, name, role, merchant, two-factor and status (locked, deactivated)
    List {
        /// Only this merchant's people
        #[arg(long)]
        merchant: Option<String>,
    },
    /// Set a new password and end every session of the person; prints a generated
    /// password once unless --password-stdin
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Read the new password from standard input (first line) instead of generating one
        #[arg(long)]
        password_stdin: bool,
    },
    /// Turn two-factor sign-in off (authenticator and recovery codes removed) and end
    /// every session of the person, for a lost authenticator
    #[command(name = "reset-2fa")]
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
    /// Lift the sign-in lock that failed attempts put on an email
    Unlock {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MerchantCommand {
    /// Enable live mode for a merchant
    Verify {
        #[arg(long)]
        merchant: String,
    },
}

/// An origin: `http` or `https`, a host, an optional port, and no path, query or user.
fn parse_origin(s: &str) -> Result<String, String> {
    let url = url::Url::parse(s.trim()).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !plain {
        return Err(format!(
            "{s:?} must be an origin such as https://pay.example.com (no path)"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

fn parse_cidr(s: &str) -> Result<IpNetwork, String> {
    s.trim()
        .parse::<IpNetwork>()
        .map_err(|e| format!("{s:?} is not an IP address or CIDR block: {e}"))
}

/// Everything the server needs, resolved.
#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    pub secret: Vec<u8>,
    pub cookie_secure: bool,
    pub trusted_proxies: Vec<IpNetwork>,
    /// HTTP worker threads; None = actix's default (one per core).
    pub workers: Option<usize>,
    /// How often key uses are written to the database.
    pub usage_flush_interval: std::time::Duration,
    /// Rate limits shared through Redis; None = counted per instance.
    pub redis_url: Option<String>,
    /// `PAYDESK_RATE_LIMIT_WINDOW_MS`: a key's limit counts requests in windows this long.
    pub rate_limit_window_ms: i64,
    /// Where /metrics is served; None = nowhere.
    pub metrics_bind: Option<SocketAddr>,
    /// Slow clients: the request head must arrive within `head_timeout`, its body within
    /// `body_timeout` of the head (408 and close otherwise); idle connections close after
    /// `keep_alive`; at most `max_connections` are open at once (SPEC §12).
    pub head_timeout: std::time::Duration,
    pub body_timeout: std::time::Duration,
    pub keep_alive: std::time::Duration,
    pub max_connections: u32,
    /// `PAYDESK_PUBLIC_URL`, an origin; None = each request's own.
    pub public_url: Option<String>,
    pub webhook_retry_base_ms: i64,
    pub webhook_allow_private: bool,
    /// `PAYDESK_WEBHOOK_DELIVERY`: whether this instance runs the delivery worker.
    pub webhook_delivery: bool,
    /// How often the housekeeping round runs (purges, key expiry notices): a minute;
    /// tests shorten it.
    pub housekeeping_interval: std::time::Duration,
    /// `PAYDESK_LOG_RETENTION_DAYS`: request log lines older than this are deleted.
    pub log_retention_days: u32,
    /// `PAYDESK_REQUEST_LOG`: whether request log lines are kept (counters always are).
    pub request_log: bool,
    /// `PAYDESK_SECURITY_CONTACT`: the `Contact:` URIs of security.txt; empty = no file.
    pub security_contact: Vec<String>,
    /// `PAYDESK_SMTP_URL`; None = mails are logged, not sent.
    pub smtp_url: Option<String>,
    /// `PAYDESK_MAIL_FROM`.
    pub mail_from: String,
}

impl Settings {
    pub fn from_args(database_url: String, args: ServeArgs) -> Result<Self, String> {
        let bind = args.bind;
        let secret = resolve_secret(&database_url, args.secret, true)?;
        let cookie_secure = match args.cookie_secure {
            CookieSecure::True => true,
            CookieSecure::False => false,
            CookieSecure::Auto => !is_loopback(bind.ip()),
        };
        Ok(Self {
            database_url,
            bind,
            secret,
            cookie_secure,
            trusted_proxies: args.trusted_proxies,
            workers: None,
            usage_flush_interval: std::time::Duration::from_secs(5),
            redis_url: args.redis_url.filter(|u| !u.trim().is_empty()),
            rate_limit_window_ms: args.rate_limit_window_ms,
            metrics_bind: args.metrics_bind,
            head_timeout: std::time::Duration::from_secs(5),
            body_timeout: std::time::Duration::from_secs(10),
            keep_alive: std::time::Duration::from_secs(15),
            max_connections: args.max_connections,
            public_url: args.public_url,
            webhook_retry_base_ms: args.webhook_retry_base_ms,
            webhook_allow_private: args.webhook_allow_private,
            webhook_delivery: args.webhook_delivery == OnOff::On,
            housekeeping_interval: std::time::Duration::from_secs(60),
            log_retention_days: args.log_retention_days,
            request_log: args.request_log == OnOff::On,
            security_contact: args.security_contact.map(|c| c.0).unwrap_or_default(),
            smtp_url: args.smtp_url.filter(|u| !u.trim().is_empty()),
            mail_from: args.mail_from,
        })
    }
}

#[cfg(test)]
#[test]
fn security_contacts_are_uris() {
    let read = |s: &str| parse_contacts(s).map(|c| c.0);
    assert_eq!(read("sec@example.com").unwrap(), ["mailto:sec@example.com"]);
    assert_eq!(
        read("https://example.com/report, mailto:a@b.c").unwrap(),
        ["https://example.com/report", "mailto:a@b.c"]
    );
    for bad in [
        "http://example.com/report",
        "nobody",
        " , ",
        "a@b.c\nExpires: x",
    ] {
        assert!(read(bad).is_err(), "{bad}");
    }
}

fn is_loopback(ip: IpAddr) -> bool {
    ip.is_loopback()
}

//! The shared harness: the real application on port 0 with a fresh database per test,
//! on SQLite always and on PostgreSQL when `PAYDESK_TEST_POSTGRES_URL` is set.
#![allow(dead_code)]

mod receiver;
mod smtp;
#[allow(unused_imports)]
pub use receiver::{Received, Receiver};
#[allow(unused_imports)]
pub use smtp::{ReceivedMail, Smtp, spawn_app_with_smtp};

use std::io::Write;
use std::sync::Once;

use diesel::{Connection, PgConnection, RunQueryDsl};
use paydesk::config::Settings;
use paydesk::startup::Application;

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Writes `tests { fn name(app) {…} }` once per backend: `name::sqlite`, `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let $app = $crate::support::spawn_app($crate::support::Backend::Sqlite).await;
                $body
            }
            #[tokio::test]
            async fn postgres() {
                let Some($app) = $crate::support::spawn_postgres_app().await else { return };
                $body
            }
        }
    )*};
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub db_url: String,
    pub backend: Backend,
    /// `http://127.0.0.1:PORT/metrics` when the app was started with a metrics listener.
    pub metrics_url: Option<String>,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
}

/// A PostgreSQL database made for one test and dropped after it, even on failure.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// A new, empty database on `PAYDESK_TEST_POSTGRES_URL`'s server.
    pub fn create() -> Self {
        let admin_url = std::env::var("PAYDESK_TEST_POSTGRES_URL").expect("checked");
        let name = format!(
            "paydesk_test_{}",
            paydesk::ids::random_base62(12).to_lowercase()
        );
        let mut conn = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("cannot reach PAYDESK_TEST_POSTGRES_URL: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create test database");
        let mut url = url::Url::parse(&admin_url).expect("PAYDESK_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self {
            admin_url,
            name,
            url: url.to_string(),
        }
    }

    /// Runs SQL as the server's admin (to terminate a connection, say).
    pub fn admin_sql(&self, sql: &str) -> usize {
        let mut conn = PgConnection::establish(&self.admin_url).expect("admin connection");
        diesel::sql_query(sql).execute(&mut conn).expect(sql)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// True when the PostgreSQL half should run; prints the skip notice once otherwise.
pub fn postgres_configured() -> bool {
    if std::env::var("PAYDESK_TEST_POSTGRES_URL").is_ok() {
        return true;
    }
    if std::env::var("CI").is_ok() {
        panic!("PAYDESK_TEST_POSTGRES_URL must be set in CI: the PostgreSQL half is mandatory");
    }
    SKIP_NOTICE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "note: PostgreSQL half skipped (set PAYDESK_TEST_POSTGRES_URL to run it)"
        );
    });
    false
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

static SKIP_NOTICE: Once = Once::new();

/// The PostgreSQL twin of a test, or None (with one printed notice) when no server is
/// configured. In CI the variable is required.
pub async fn spawn_postgres_app() -> Option<TestApp> {
    if !postgres_configured() {
        return None;
    }
    Some(spawn_app(Backend::Postgres).await)
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Starts the app; `tweak` may change settings (trusted proxies, say) before it starts.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let (db_url, dir, pg) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/paydesk.db", dir.path().display());
            (url, Some(dir), None)
        }
        Backend::Postgres => {
            let pg = PgDatabase::create();
            (pg.url.clone(), None, Some(pg))
        }
    };
    let mut settings = Settings {
        database_url: db_url.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        secret: b"test-secret-that-is-long-enough-for-paydesk-0123456789abcdefghijklmnop".to_vec(),
        cookie_secure: false,
        trusted_proxies: vec![],
        workers: Some(1),
        usage_flush_interval: std::time::Duration::from_millis(100),
        redis_url: None,
        rate_limit_window_ms: 60_000,
        metrics_bind: None,
        head_timeout: std::time::Duration::from_secs(5),
        body_timeout: std::time::Duration::from_secs(10),
        keep_alive: std::time::Duration::from_secs(15),
        max_connections: 10_000,
        public_url: None,
        webhook_retry_base_ms: 100,
        webhook_allow_private: true,
        webhook_delivery: true,
        housekeeping_interval: std::time::Duration::from_millis(200),
        log_retention_days: 30,
        request_log: true,
        security_contact: vec![],
        smtp_url: None,
        mail_from: paydesk::config::DEFAULT_MAIL_FROM.into(),
    };
    tweak(&mut settings);
    let app = Application::build(settings).expect("application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_url = app
        .metrics_port()
        .map(|p| format!("http://127.0.0.1:{p}/metrics"));
    tokio::spawn(app.run_until_stopped());
    let (client, jar) = browser_client();
    TestApp {
        address,
        client,
        jar,
        db_url,
        backend,
        metrics_url,
        _dir: dir,
        _pg: pg,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests check them).
pub fn client() -> reqwest::Client {
    browser_client().0
}

fn browser_client() -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (client, jar)
}

/// The value of the hidden CSRF field in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF field in page:\n{html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// Posts a form the way a browser does: read the CSRF token from `page`, then submit.
    pub async fn post_form(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = csrf_in(&self.get_html(page).await);
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &csrf));
        self.client
            .post(self.url(action))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// First-run setup as "Acme" with admin@acme.test; leaves this client signed in.
    pub async fn setup_admin(&self) {
        let res = self
            .post_form(
                "/setup",
                "/setup",
                &[
                    ("merchant_name", "Acme"),
                    ("email", "admin@acme.test"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            303,
            "setup failed: {}",
            res.text().await.unwrap()
        );
    }

    /// A second browser for the same app.
    pub fn browser(&self) -> TestApp {
        let (client, jar) = browser_client();
        TestApp {
            address: self.address.clone(),
            client,
            jar,
            db_url: self.db_url.clone(),
            backend: self.backend,
            metrics_url: None,
            _dir: None,
            _pg: None,
        }
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Adds a member to Acme (the merchant of `setup_admin`) with `PASSWORD`, as
    /// `paydesk user create` does: Team invites people by mail instead (tests/web/mail.rs
    /// goes through the invitation itself).
    pub async fn add_member(&self, email: &str, role: &str) {
        self.create_user(email, role, "Acme");
    }

    /// The Cookie header this browser would send now.
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = self.address.parse().unwrap();
        self.jar
            .cookies(&url)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// Creates a user (and their merchant, if new) straight in the database.
    pub fn create_user(&self, email: &str, role: &str, merchant: &str) {
        let mut conn = self.db().conn().unwrap();
        paydesk::accounts::create_user_cli(
            &mut conn,
            email,
            role.parse().unwrap(),
            merchant,
            PASSWORD,
        )
        .expect("user created");
    }

    /// Enables live mode for a merchant, as `paydesk merchant verify` does.
    pub fn verify_merchant(&self, merchant: &str) {
        let mut conn = self.db().conn().unwrap();
        paydesk::accounts::verify_merchant(&mut conn, merchant).expect("merchant verified");
    }

    /// A user token from `POST /api/v1/auth/login`.
    pub async fn api_token(&self, email: &str) -> String {
        let res = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = res.json().await.unwrap();
        body["data"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {body}"))
            .to_owned()
    }

    /// Moves every session's last password entry 16 minutes into the past, as if sudo
    /// mode had run out (SPEC §12).
    pub fn age_sudo(&self) {
        use diesel::prelude::*;
        use paydesk::db::schema::sessions;
        let mut conn = self.db().conn().unwrap();
        diesel::update(sessions::table)
            .set(sessions::sudo_at.eq(Some(paydesk::clock::now() - 16 * 60)))
            .execute(&mut *conn)
            .unwrap();
    }

    /// A direct connection to the app's database, for checking what is stored.
    pub fn db(&self) -> paydesk::db::Db {
        paydesk::db::Db::connect(&self.db_url).expect("test database reachable")
    }
}

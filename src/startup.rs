//! The application: connect and migrate the database, bind the listener (port 0 works,
//! for tests), and serve the dashboard and the API.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

mod background;
mod edge;

use background::{spawn_housekeeping, spawn_request_log_flush, spawn_usage_flush};

use crate::accounts::tokens::Tokens;
use crate::config::Settings;
use crate::db::{Backend, Db};
use crate::keys::cache::KeyCache;
use crate::keys::invalidation::{self, ListenerState};
use crate::keys::limiter::{LocalLimiter, RateLimiter, RedisLimiter};
use crate::keys::usage::UsageRecorder;
use crate::keys::verify::DbKeyStore;
use crate::mail::MailSettings;
use crate::state::{AppState, derive_key};
use crate::telemetry::request_log::RequestLog;

pub struct Application {
    port: u16,
    /// The port of the metrics listener, when `PAYDESK_METRICS_BIND` is set.
    metrics_port: Option<u16>,
    server: Server,
    /// Written once more after the server has stopped (SIGTERM), so no use is lost.
    usage: Arc<UsageRecorder>,
    /// Likewise the request log's buffer and usage counters.
    request_log: Arc<RequestLog>,
    db: Db,
}

impl Application {
    pub fn build(settings: Settings) -> Result<Self, String> {
        let db = Db::connect(&settings.database_url)?;
        let ran = db.migrate()?;
        if ran > 0 {
            tracing::info!(migrations = ran, "database migrated");
        }
        let mut conn = db.conn().map_err(|e| e.to_string())?;
        crate::db::models::audit::start(&mut conn, &settings.secret)?;
        drop(conn);
        crate::mail::use_secret(&settings.secret);
        let listener = TcpListener::bind(settings.bind)
            .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let metrics = match settings.metrics_bind {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .map_err(|e| format!("cannot listen for metrics on {addr}: {e}"))?,
            ),
            None => None,
        };
        let metrics_port = match &metrics {
            Some(l) => Some(l.local_addr().map_err(|e| e.to_string())?.port()),
            None => None,
        };
        let usage = Arc::new(UsageRecorder::default());
        let request_log = Arc::new(RequestLog::new(
            settings.request_log,
            crate::telemetry::request_log::DEFAULT_CAPACITY,
        ));
        let server = run(
            listener,
            metrics,
            db.clone(),
            Recorders {
                usage: usage.clone(),
                request_log: request_log.clone(),
            },
            &settings,
        )?;
        Ok(Self {
            port,
            metrics_port,
            server,
            usage,
            request_log,
            db,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// Serves until stopped. On SIGTERM (or SIGINT) the server stops accepting, lets the
    /// requests in flight finish (30 s at most), and then the key uses noted since the
    /// last flush are written.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if !self.usage.is_empty() {
            let usage = self.usage.clone();
            match self.db.run(move |c| Ok(usage.flush(c)?)).await {
                Ok(n) => tracing::info!(keys = n, "key usage written before stopping"),
                Err(e) => tracing::warn!(error = %e, "could not write key usage before stopping"),
            }
        }
        if !self.request_log.is_empty() {
            let log = self.request_log.clone();
            match self.db.run(move |c| Ok(log.flush(c)?)).await {
                Ok(n) => tracing::info!(lines = n, "request log written before stopping"),
                Err(e) => {
                    tracing::warn!(error = %e, "could not write the request log before stopping")
                }
            }
        }
        served
    }
}

/// What requests note in memory for background tasks to write.
struct Recorders {
    usage: Arc<UsageRecorder>,
    request_log: Arc<RequestLog>,
}

fn run(
    listener: TcpListener,
    metrics: Option<TcpListener>,
    db: Db,
    recorders: Recorders,
    settings: &Settings,
) -> Result<Server, String> {
    let Recorders { usage, request_log } = recorders;
    let mut cookie_key = derive_key(&settings.secret, "paydesk cookie key").to_vec();
    cookie_key.extend_from_slice(&derive_key(&settings.secret, "paydesk cookie key 2"));
    let cookie_key = Key::from(&cookie_key);
    let rate_limits: Arc<dyn RateLimiter> = match &settings.redis_url {
        Some(url) => Arc::new(RedisLimiter::with_window(
            url,
            settings.rate_limit_window_ms,
        )?),
        None => Arc::new(LocalLimiter::new(settings.rate_limit_window_ms)),
    };
    let listening = Arc::new(ListenerState::default());
    let webhooks = crate::webhooks::WebhookSettings {
        sealer: crate::crypto::Sealer::new(&settings.secret, "webhook secrets"),
        retry_base_ms: settings.webhook_retry_base_ms,
        allow_private: settings.webhook_allow_private,
    };
    let spawn_delivery = || crate::webhooks::deliver::spawn(db.clone(), webhooks.clone());
    let deliveries = settings.webhook_delivery.then(spawn_delivery);
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let mail = crate::mail::spawn(db.clone(), MailSettings::new(settings, local))?;
    // Wakes this instance's workers: its own changes, and every instance's (listener).
    let wake: invalidation::Wake = Arc::new(move |target: &str| {
        use crate::db::changes::{WAKE_ALL, WAKE_DELIVERIES, WAKE_MAIL};
        if matches!(target, WAKE_MAIL | WAKE_ALL) {
            mail.wake();
        }
        if matches!(target, WAKE_DELIVERIES | WAKE_ALL)
            && let Some(d) = &deliveries
        {
            d.wake();
        }
    });
    let keys = match db.backend() {
        // Other instances announce their changes; the listener turns the cache on.
        Backend::Postgres => {
            let cache = Arc::new(KeyCache::new(
                Arc::new(DbKeyStore(db.clone())),
                Duration::from_secs(60),
                false,
            ));
            invalidation::spawn_listener(
                &settings.database_url,
                cache.clone(),
                listening.clone(),
                wake.clone(),
            );
            cache
        }
        // One process per file: the only other writer is the CLI, heard within 5 s.
        Backend::Sqlite => Arc::new(KeyCache::new(
            Arc::new(DbKeyStore(db.clone())),
            Duration::from_secs(4),
            true,
        )),
    };
    // Objects read by id, forgotten when the key cache forgets (its freshness, its TTL).
    let objects = Arc::new(crate::db::read_cache::ReadCache::new(
        keys.freshness(),
        keys.ttl(),
    ));
    let hook_keys = keys.clone();
    db.on_change(move |target| {
        if target.starts_with(crate::db::changes::WAKE_PREFIX) {
            wake(target);
        } else {
            hook_keys.invalidate(target);
        }
    });
    let state = web::Data::new(AppState {
        db: db.clone(),
        tokens: Tokens::new(&derive_key(&settings.secret, "paydesk session jwt")),
        trusted_proxies: settings.trusted_proxies.clone(),
        canaries: Default::default(),
        usage: usage.clone(),
        request_log: request_log.clone(),
        keys: keys.clone(),
        objects,
        rate_limits: rate_limits.clone(),
        listener: listening,
        public_url: settings.public_url.clone(),
        totp: crate::crypto::Sealer::new(&settings.secret, "totp secrets"),
        accounts: crate::accounts::secrets::AccountKeys::new(&settings.secret),
        cookie_secure: settings.cookie_secure,
        webhooks: webhooks.clone(),
    });
    let secure = settings.cookie_secure;
    let state_for_metrics = state.clone();
    let at_edge = edge::Edge::new(settings.body_timeout, secure);
    let workers = settings.workers.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    // actix counts connections per worker; the setting is the total, kept below the file
    // limit (raised to the hard limit first) with room for the database, logs and Redis.
    let max_connections = crate::net::connection_cap(settings.max_connections);
    let per_worker = (max_connections as usize).div_ceil(workers).max(1);
    spawn_housekeeping(
        db.clone(),
        rate_limits,
        keys,
        settings.housekeeping_interval,
        settings.log_retention_days,
    );
    // About every second (sooner when tests shorten the usage interval).
    let log_every = settings.usage_flush_interval.min(Duration::from_secs(1));
    spawn_request_log_flush(db.clone(), request_log, log_every);
    spawn_usage_flush(db, usage, settings.usage_flush_interval);

    let (contacts, canonical) = (
        settings.security_contact.clone(),
        settings.public_url.clone(),
    );
    let server = HttpServer::new(move || {
        // The pages, and every path nothing else routes (its 404 is a page), in one scope
        // that matches any path and so comes last: only they pay for the session cookie's
        // decryption and the page middleware, not /api/v1 or /healthz (SPEC §15).
        let pages = web::scope("")
            // A page whose change needs the password again asks for it in place (inside
            // the session middleware, so it reads the session's CSRF token).
            .wrap(from_fn(crate::web::account::prompt_for_password))
            // Error pages get the navigation of whoever is looking, and a way back.
            .wrap(from_fn(crate::web::page::error_pages))
            .wrap(
                SessionMiddleware::builder(CookieSessionStore::default(), cookie_key.clone())
                    .cookie_name("paydesk_session".into())
                    .cookie_secure(secure)
                    .cookie_http_only(true)
                    .cookie_same_site(SameSite::Lax)
                    .cookie_content_security(CookieContentSecurity::Private)
                    .build(),
            )
            .configure(crate::web::routes)
            .default_service(web::to(crate::web::page::not_found));
        App::new()
            .app_data(state.clone())
            // The body's deadline, the security headers, and one log line and one
            // metrics sample per request (route patterns only).
            .wrap(from_fn({
                let at_edge = at_edge.clone();
                move |req, next| edge::edge(req, next, at_edge.clone())
            }))
            // The router tries these in order, so the API, which takes most requests,
            // comes first (each test of a path is a few hundred instructions).
            .configure(crate::api::routes)
            .route("/healthz", web::get().to(crate::health::healthz))
            .route("/readyz", web::get().to(crate::health::readyz))
            .configure(|cfg| security_txt(cfg, &contacts, &canonical))
            .service(pages)
    })
    .workers(workers)
    .client_request_timeout(settings.head_timeout)
    .client_disconnect_timeout(std::time::Duration::from_secs(1))
    .keep_alive(settings.keep_alive)
    .max_connections(per_worker)
    .shutdown_timeout(30)
    .listen(listener)
    .map_err(|e| e.to_string())?;
    if let Some(listener) = metrics {
        tokio::spawn(serve_metrics(listener, state_for_metrics)?);
    }
    Ok(server.run())
}

/// `GET /metrics` in Prometheus text on its own listener (`PAYDESK_METRICS_BIND`), so
/// that it is never exposed with the API by accident.
fn serve_metrics(listener: TcpListener, state: web::Data<AppState>) -> Result<Server, String> {
    crate::telemetry::metrics::handle();
    let server = HttpServer::new(move || {
        App::new().app_data(state.clone()).route(
            "/metrics",
            web::get().to(|state: web::Data<AppState>| async move {
                let (idle, active) = state.db.pool_state();
                let counts = &state.keys.counts;
                let text = crate::telemetry::metrics::render(&crate::telemetry::metrics::Sample {
                    key_cache_hit: counts.hit.load(std::sync::atomic::Ordering::Relaxed),
                    key_cache_miss: counts.miss.load(std::sync::atomic::Ordering::Relaxed),
                    key_cache_negative: counts.negative.load(std::sync::atomic::Ordering::Relaxed),
                    rate_limit_backend: state.rate_limits.backend(),
                    pool_idle: idle,
                    pool_active: active,
                });
                actix_web::HttpResponse::Ok()
                    .content_type("text/plain; version=0.0.4")
                    .body(text)
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    Ok(server)
}

/// `/.well-known/security.txt` (RFC 9116) when `PAYDESK_SECURITY_CONTACT` is set; else
/// the path is unrouted and so 404. `Expires` is always half a year ahead: the contacts
/// are read from the running configuration, so the file is never stale.
fn security_txt(cfg: &mut web::ServiceConfig, contacts: &[String], canonical: &Option<String>) {
    if contacts.is_empty() {
        return;
    }
    let mut head: String = contacts.iter().map(|c| format!("Contact: {c}\n")).collect();
    if let Some(origin) = canonical {
        head.push_str(&format!("Canonical: {origin}/.well-known/security.txt\n"));
    }
    head.push_str("Preferred-Languages: en\n");
    cfg.route(
        "/.well-known/security.txt",
        web::get().to(move || {
            let expires = crate::clock::rfc3339(crate::clock::now() + 182 * 86_400);
            let body = format!("{head}Expires: {expires}\n");
            async move {
                actix_web::HttpResponse::Ok()
                    .content_type("text/plain; charset=utf-8")
                    .body(body)
            }
        }),
    );
}

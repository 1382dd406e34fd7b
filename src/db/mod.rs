//! Storage: the connection pool over SQLite or PostgreSQL, migrations, schema and models.
//!
//! One diesel codebase serves both backends through `#[derive(MultiConnection)]`; the
//! backend is chosen from the URL scheme and anything else is refused.

pub mod changes;
pub mod freshness;
pub mod models;
pub mod read_cache;
pub mod schema;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::Error;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend the URL named.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection inside `$conn`. Queries sent
/// through the `DbConn` enum are built and prepared anew every time (the enum cannot
/// key its statement cache by query type); on the concrete connection diesel caches the
/// prepared statement. Used for the queries that run on every request.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}

/// The place in a newest-first list of the object a `starting_after` cursor names, as
/// `(created_at, id)`, from the query that looked it up: 400 naming `starting_after` when
/// there is no such object in the list (SPEC §4).
pub fn cursor<T>(
    found: diesel::QueryResult<T>,
    place: impl FnOnce(T) -> (i64, String),
) -> Result<(i64, String), crate::error::Error> {
    match found {
        Ok(row) => Ok(place(row)),
        Err(diesel::result::Error::NotFound) => Err(crate::error::Error::field(
            "starting_after",
            "no such object in this list",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The one way to run a transaction. On SQLite it starts with `BEGIN IMMEDIATE`: the write
/// lock is taken first (waiting up to the busy timeout, 5 s), so a transaction that reads
/// and then writes can never fail to upgrade its lock (`database is locked`, answered as a
/// 500 under concurrent writes). Inside another transaction it is a savepoint. On
/// PostgreSQL it is an ordinary transaction.
pub fn transaction<T, E>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    let nested = AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()?
        .is_some();
    if nested {
        return conn.transaction(work);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let outcome = work(conn);
    let DbConn::Sqlite(sqlite) = conn else {
        unreachable!("the connection does not change backend")
    };
    match outcome {
        Ok(value) => match AnsiTransactionManager::commit_transaction(sqlite) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(sqlite);
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = AnsiTransactionManager::rollback_transaction(sqlite);
            Err(e)
        }
    }
}

/// The one row of a lookup by a unique key, from `.load()`; none is `NotFound`. Not
/// diesel's `.first()`: its bound `LIMIT ?` makes SQLite re-prepare the cached statement
/// on every run (≈ 7 µs of a 10 µs lookup), and a unique key needs no limit.
pub fn one<T>(rows: QueryResult<Vec<T>>) -> QueryResult<T> {
    rows?
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

/// The backend type of `DbConn`, for boxed queries.
pub type DbConnBackend = <DbConn as diesel::Connection>::Backend;

/// The backend a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`; the path is kept as given (relative to the working directory).
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`, passed to libpq unchanged.
    Postgres(String),
}

impl DatabaseUrl {
    /// Reads the scheme; an unknown one is an error that names the URL (without password).
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(format!(
                    "database URL {url} has no file path: use sqlite://PATH"
                ));
            }
            return Ok(Self::Sqlite(path.to_owned()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or("(none)");
        Err(format!(
            "unsupported database URL scheme {scheme:?} in {}: use sqlite://PATH or postgres://…",
            redact(url)
        ))
    }

    /// For SQLite: makes the file's directory (0700) and the file itself (0600) when they
    /// do not exist yet, so the database is readable by its owner only; SQLite gives its
    /// `-wal` and `-shm` files the database file's mode.
    fn create_sqlite_file(&self, url: &str) -> Result<(), String> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let Self::Sqlite(path) = self else {
            return Ok(());
        };
        let path = std::path::Path::new(path);
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| format!("cannot create the directory for database {url}: {e}"))?;
        }
        if !in_memory(&path.to_string_lossy()) && !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| format!("cannot create database {url}: {e}"))?;
        }
        Ok(())
    }

    fn connection_string(&self) -> String {
        match self {
            Self::Sqlite(path) => path.clone(),
            Self::Postgres(url) => url.clone(),
        }
    }
}

/// Whether a SQLite path names an in-memory database (`:memory:`, `file::memory:`,
/// `file:…?mode=memory`): no file to make, and invisible to any other connection.
pub fn in_memory(path: &str) -> bool {
    path.contains(":memory:") || path.contains("mode=memory")
}

/// The URL with any password replaced by `***`, safe to print.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Twice the cores, plus two for connections waiting on I/O; at least 4, at most 32.
fn postgres_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 2 + 2).unwrap_or(32).clamp(4, 32)
}

/// SQLite needs its PRAGMAs on every new connection; PostgreSQL needs nothing.
#[derive(Debug)]
struct OnAcquire;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for OnAcquire {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        prepare(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

fn prepare(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Sqlite(conn) = conn {
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
        )?;
    }
    Ok(())
}

/// One connection and no pool: for the command line, which does one thing and
/// exits. (A pool closes its connections on its own threads when dropped, and libpq
/// closing a connection while the process exits can crash it.)
pub fn connect_one(url: &str) -> Result<DbConn, String> {
    let parsed = DatabaseUrl::parse(url)?;
    parsed.create_sqlite_file(url)?;
    let mut conn = DbConn::establish(&parsed.connection_string())
        .map_err(|e| format!("cannot connect to database {}: {e}", redact(url)))?;
    prepare(&mut conn).map_err(|e| format!("database {}: {e}", redact(url)))?;
    Ok(conn)
}

/// Applies pending migrations for this connection's backend; returns how many ran.
pub fn migrate_conn(conn: &mut DbConn) -> Result<usize, String> {
    let ran = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    // The audit chain's one-time re-chain needs PAYDESK_SECRET: audit::start does it.
    ran.map_err(|e| format!("migration failed: {e}"))
}

/// Undoes the newest migration (its `down.sql`), for tests of what a migration moves.
#[cfg(test)]
pub(crate) fn revert_last_migration(conn: &mut DbConn) {
    match conn {
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS).map(|_| ()),
        DbConn::Postgres(c) => c.revert_last_migration(POSTGRES_MIGRATIONS).map(|_| ()),
    }
    .expect("the newest migration reverts");
}

type ChangeHook = Arc<dyn Fn(&str) + Send + Sync>;

/// The shared pool. Cloning is cheap.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<DbConn>>,
    on_change: Arc<OnceLock<ChangeHook>>,
    backend: Backend,
    /// One permit per pooled connection: work waits for a connection here, on the async
    /// side, instead of as a parked blocking thread (dozens of those thrash two cores).
    permits: Arc<tokio::sync::Semaphore>,
}

/// Which database a `Db` talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub type Conn = PooledConnection<ConnectionManager<DbConn>>;

impl Db {
    /// Opens the pool and checks one connection works. The error names the URL without
    /// its password.
    pub fn connect(url: &str) -> Result<Self, String> {
        let parsed = DatabaseUrl::parse(url)?;
        parsed.create_sqlite_file(url)?;
        let (max_size, backend) = match parsed {
            // SQLite allows one writer; a few readers in WAL mode are plenty.
            DatabaseUrl::Sqlite(_) => (8, Backend::Sqlite),
            // A few connections per core of this machine: more only queue inside the
            // server (on 2 cores, 16 connections gave a p99 of 150 ms, 6 gave 4 ms, for the
            // same throughput).
            DatabaseUrl::Postgres(_) => (postgres_pool_size(), Backend::Postgres),
        };
        // One direct attempt first: an unreachable server fails at once with libpq's own
        // reason, instead of after the pool's retries.
        DbConn::establish(&parsed.connection_string())
            .map_err(|e| format!("cannot connect to database {}: {e}", redact(url)))?;
        let manager = ConnectionManager::<DbConn>::new(parsed.connection_string());
        let pool = Pool::builder()
            .max_size(max_size)
            // Connections are made when needed, never by a background thread: one that
            // reconnects while the process exits (or to a database that was dropped, as
            // tests do) can crash it inside libpq.
            .min_idle(Some(0))
            // No ping before every checkout: a broken connection fails its statement
            // and r2d2 drops it (`has_broken`); the ping doubled every round trip.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(OnAcquire))
            .build(manager)
            .map_err(|e| format!("cannot connect to database {}: {e}", redact(url)))?;
        Ok(Self {
            pool,
            on_change: Arc::new(OnceLock::new()),
            backend,
            permits: Arc::new(tokio::sync::Semaphore::new(max_size as usize)),
        })
    }

    /// Pool connections: (idle, in use).
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (
            state.idle_connections,
            state.connections - state.idle_connections,
        )
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Sets what is told about changes announced during [`Db::run`] work (once).
    pub fn on_change(&self, hook: impl Fn(&str) + Send + Sync + 'static) {
        let _ = self.on_change.set(Arc::new(hook));
    }

    /// A pooled connection; blocking, so call it off the async workers (see [`Db::run`]).
    pub fn conn(&self) -> Result<Conn, Error> {
        self.pool
            .get()
            .map_err(|e| Error::internal(format!("database pool: {e}")))
    }

    /// Runs blocking database work on actix's blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConn) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("database permits closed"))?;
        actix_web::web::block(move || {
            let _permit = permit;
            changes::take();
            let result = db.conn().and_then(|mut conn| work(&mut conn));
            let changes = changes::take();
            if let Some(hook) = db.on_change.get() {
                changes.iter().for_each(|c| hook(c));
            }
            result
        })
        .await
        .map_err(|e| Error::internal(format!("blocking task: {e}")))?
    }

    /// Applies pending migrations for this backend; returns how many ran.
    pub fn migrate(&self) -> Result<usize, String> {
        let mut conn = self.conn().map_err(|e| e.to_string())?;
        migrate_conn(&mut conn)
    }

    /// `SELECT 1`, for /readyz.
    pub fn ping(&self) -> Result<(), Error> {
        let mut conn = self.conn()?;
        diesel::sql_query("SELECT 1").execute(&mut *conn)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_scheme_is_refused_and_the_password_is_hidden() {
        let err = DatabaseUrl::parse("mysql://root:hunter2@localhost/db").unwrap_err();
        assert!(err.contains("\"mysql\""), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn sqlite_and_postgres_urls_are_recognised() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://./data/paydesk.db").unwrap(),
            DatabaseUrl::Sqlite("./data/paydesk.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/d").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("./paydesk.db").is_err());
    }
}

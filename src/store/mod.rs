//! Database access for both backends: the connection enum, the pool, migrations, and the
//! helpers that keep every query off the async threads.

pub mod decode;
pub mod journal;
pub mod schema;
pub mod sql;
pub mod tables;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::http::error::ApiError;

pub use sql::Sql;

/// How long opening a database connection may take (see `Database::connect`).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(800);

/// The detail of a 503 while no connection can be had (nothing about where the database is).
const UNREACHABLE: &str = "the database is not reachable at the moment; retry the request shortly";

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A connection to either supported database; queries written once run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for production.
    Postgresql(diesel::PgConnection),
    /// SQLite, the embedded default.
    Sqlite(diesel::SqliteConnection),
}

/// Which database a URL points at, decided by its scheme (SQLite would accept any string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`
    Postgres,
    /// anything else: a file path, optionally prefixed with `sqlite://`
    Sqlite,
}

impl Backend {
    /// The backend a database URL selects.
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The SQLite file path inside a `sqlite://` URL, or the URL itself when it is a plain path.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// r2d2 manager that picks the backend from the URL scheme and prepares SQLite connections.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
    /// statements run on this pool's connections (transaction control included)
    statements: Arc<std::sync::atomic::AtomicU64>,
    /// whether the last attempt to open a connection succeeded (see [`Database::conn`])
    reachable: Arc<std::sync::atomic::AtomicBool>,
}

impl ConnectionManager {
    fn new(url: &str) -> Self {
        ConnectionManager {
            url: url.to_string(),
            backend: Backend::of_url(url),
            statements: Arc::default(),
            reachable: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        }
    }

    fn establish(&self) -> ConnectionResult<DbConnection> {
        let mut conn = self.open()?;
        let statements = Arc::clone(&self.statements);
        conn.set_instrumentation(move |event: diesel::connection::InstrumentationEvent<'_>| {
            if matches!(event, diesel::connection::InstrumentationEvent::StartQuery { .. }) {
                statements.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        Ok(conn)
    }

    fn open(&self) -> ConnectionResult<DbConnection> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = diesel::PgConnection::establish(&self.url)?;
                // Statements are prepared once and reused; plan each execution for its own
                // values all the same. A generic plan (PostgreSQL's choice after five runs) does
                // not know the search query or how common a filter value is: it halved the
                // throughput of relevance search.
                conn.batch_execute("SET plan_cache_mode = force_custom_plan")
                    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Postgresql(conn))
            }
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(sqlite_path(&self.url))?;
                // The busy timeout comes first so that every later statement waits for a lock
                // instead of failing; foreign keys are off by default in SQLite. WAL mode is
                // stored in the file and set once in `Database::connect`.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let connection = self.establish();
        self.reachable
            .store(connection.is_ok(), std::sync::atomic::Ordering::Release);
        connection.map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// Connections are not pinged before use (that was a statement on every request): a
    /// statement that finds its connection lost marks it ([`connection_lost`]) and the pool
    /// drops it when it is returned, so only the request that found it fails (503).
    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        LOST.with(|lost| lost.replace(false))
    }
}

thread_local! {
    /// Whether the connection this thread holds was found lost.
    static LOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Mark the connection the current thread holds as lost: the pool drops it on return.
pub fn connection_lost() {
    LOST.with(|lost| lost.set(true));
}

/// The shared database handle: a pool plus, for SQLite, the single-writer lock.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
    // SQLite allows one writer; taking the lock in-process first avoids "database is locked"
    // when two deferred transactions both try to upgrade to a write lock.
    write_lock: Arc<Mutex<()>>,
    generation: Arc<std::sync::atomic::AtomicU64>,
    committed: Arc<tokio::sync::Notify>,
    newest_seen: Arc<Mutex<journal::Watermark>>,
    statements: Arc<std::sync::atomic::AtomicU64>,
    reachable: Arc<std::sync::atomic::AtomicBool>,
    // As many database jobs in flight as there are connections: a request waits for its turn
    // on the async side, so a blocking thread never parks on the pool's condition variable
    // (at 32 connections over a 10-connection pool that doubled the context switches).
    permits: Arc<tokio::sync::Semaphore>,
}

impl Database {
    /// Open a pool over `url`, creating the SQLite file's folder when needed.
    pub fn connect(url: &str, pool_size: u32) -> anyhow::Result<Database> {
        let backend = Backend::of_url(url);
        if backend == Backend::Sqlite {
            if let Some(dir) = std::path::Path::new(sqlite_path(url)).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)?;
                }
            }
        }
        let manager = ConnectionManager::new(url);
        let statements = Arc::clone(&manager.statements);
        let reachable = Arc::clone(&manager.reachable);
        // Surface the real connection error (wrong password, unknown host) before pooling.
        let mut first = manager.establish()?;
        if backend == Backend::Sqlite {
            // WAL lets readers run beside the writer; it persists in the database file.
            first.batch_execute("PRAGMA journal_mode = WAL;")?;
        }
        let pool = r2d2::Pool::builder()
            // One connection beyond the jobs' permits, for work outside them (the change watch):
            // a job holding a permit then always finds a connection without waiting on the
            // (short) connect timeout.
            .max_size(pool_size + 1)
            // Requests wait for a connection on the async side (`permits`), so the pool's
            // timeout only bounds opening one: short, so that an outage answers within a second.
            // It also caps r2d2's retry back-off at half of it, so recovery is as quick.
            .connection_timeout(CONNECT_TIMEOUT)
            // No `SELECT 1` before every checkout (it was one statement of every request): a
            // connection that broke is detected when returned (diesel's `is_broken`) and dropped.
            .test_on_check_out(false)
            .build(manager)?;
        Ok(Database {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            generation: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            committed: Arc::new(tokio::sync::Notify::new()),
            newest_seen: Arc::new(Mutex::new([-1; 4])),
            statements,
            reachable,
            permits: Arc::new(tokio::sync::Semaphore::new(pool_size.max(1) as usize)),
        })
    }

    /// Which backend this database runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A pooled connection; blocking, so call it only off the async threads.
    ///
    /// While the database is unreachable (the last attempt to connect failed) this takes only
    /// a connection already open and fails at once otherwise: every request gets its 503 now,
    /// not after the pool's timeout, and the pool keeps reconnecting in the background, so
    /// the first request after the database is back is served. The detail never names the
    /// database's host or port; the cause is logged.
    pub fn conn(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, ApiError> {
        LOST.with(|lost| lost.set(false));
        if !self.reachable.load(std::sync::atomic::Ordering::Acquire) {
            return self.pool.try_get().ok_or_else(|| {
                log::debug!("database unreachable: failing fast");
                ApiError::Unavailable(UNREACHABLE.into())
            });
        }
        self.pool.get().map_err(|e| {
            log::warn!("no database connection: {e}");
            ApiError::Unavailable(UNREACHABLE.into())
        })
    }

    /// Apply pending migrations for this backend.
    pub fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        let migrations = match self.backend {
            Backend::Postgres => POSTGRES_MIGRATIONS,
            Backend::Sqlite => SQLITE_MIGRATIONS,
        };
        conn.run_pending_migrations(migrations)
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        if self.backend == Backend::Sqlite {
            // Refreshes the planner's statistics where they are stale (cheap when they are not).
            conn.batch_execute("PRAGMA optimize;")?;
        }
        Ok(())
    }

    /// Refresh the query planner's statistics after a bulk load (PostgreSQL also builds the
    /// visibility map, so counts can use index-only scans).
    pub fn analyze(&self) -> anyhow::Result<()> {
        let sql = match self.backend {
            Backend::Postgres => "VACUUM ANALYZE",
            Backend::Sqlite => "ANALYZE",
        };
        self.pool.get()?.batch_execute(sql)?;
        Ok(())
    }

    /// How many SQL statements this pool's connections have run (transaction control
    /// included), for measuring statements per request.
    pub fn statements(&self) -> u64 {
        self.statements.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Notified after every write transaction this process commits (for long polling).
    pub fn committed(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.committed)
    }

    /// A number that grows with every write transaction this process commits, and whenever
    /// the change feed shows a write made elsewhere ([`Database::observe_newest`]): the key of
    /// every cache of derived data (responses, statistics).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Report the change feed's watermark as last read from the database: when it moved, a write was
    /// committed (here or through another replica), so caches turn over and long-polling
    /// readers wake.
    pub fn observe_newest(&self, newest: journal::Watermark) {
        let before = std::mem::replace(&mut *self.newest_seen.lock().unwrap_or_else(|p| p.into_inner()), newest);
        if before != newest {
            self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            self.committed.notify_waiters();
        }
    }

    /// Run `f` in a read context (blocking; call through [`Database::read`] from handlers).
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    /// Run `f` in one write transaction (blocking).
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let _guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().unwrap_or_else(|p| p.into_inner())),
            Backend::Postgres => None,
        };
        let mut pooled = self.conn()?;
        let conn: &mut DbConnection = &mut pooled;
        // No lock on PostgreSQL: writers run side by side, and the change feed stays exact
        // because each row records its transaction and readers only pass finished ones
        // (`journal::frontier`).
        let result = conn.transaction(f);
        if result.is_ok() {
            self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            self.committed.notify_waiters();
        }
        result
    }

    /// Run a read on the blocking thread pool, so no async thread waits on the database.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let turn = self.turn().await?;
        let db = self.clone();
        actix_web::web::block(move || {
            let result = db.read_blocking(f);
            drop(turn); // the connection is free now, not when a worker next polls this job
            result
        })
        .await?
    }

    /// Wait for a database job's turn: hold the permit while using a connection (see
    /// `permits`); jobs that take a connection themselves (a streamed CSV export) take one too.
    pub async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(format!("database jobs: {e}")))
    }

    /// Run a write transaction on the blocking thread pool.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let turn = self.turn().await?;
        let db = self.clone();
        actix_web::web::block(move || {
            let result = db.write_blocking(f);
            drop(turn);
            result
        })
        .await?
    }
}

/// The current time as stored: UTC, truncated to microseconds (PostgreSQL's precision).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(now.timestamp_micros())
        .unwrap_or(now)
        .naive_utc()
}

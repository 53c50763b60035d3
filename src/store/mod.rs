//! Database access for both backends: the connection enum, the pool, migrations, and the
//! helpers that keep every query off the async threads.

pub mod batch;
mod connection;
pub mod decode;
mod errors;
pub mod feed;
pub mod journal;
mod migrations;
pub mod size;
pub mod sql;
pub mod tables;
pub mod watch;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2;

use crate::http::error::ApiError;

pub use connection::{connection_lost, ConnectionManager};
pub use sql::Sql;

/// How long opening a database connection may take (see `Database::connect`).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(800);

/// The detail of a 503 while no connection can be had (nothing about where the database is).
const UNREACHABLE: &str = "the database is not reachable at the moment; retry the request shortly";

/// A connection to either supported database; queries written once run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for production.
    Postgresql(diesel::PgConnection),
    /// SQLite, the embedded default.
    Sqlite(diesel::SqliteConnection),
}

impl DbConnection {
    /// Whether this is PostgreSQL (where the SQL of a few statements differs).
    pub fn is_postgres(&self) -> bool {
        matches!(self, DbConnection::Postgresql(_))
    }
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

/// The shared database handle: a pool plus, for SQLite, the single-writer lock.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
    // SQLite allows one writer; taking the lock in-process first avoids "database is locked"
    // when two deferred transactions both try to upgrade to a write lock.
    write_lock: Arc<Mutex<()>>,
    generation: Arc<std::sync::atomic::AtomicU64>,
    /// write transactions this process committed (what the change watch announces)
    commits: Arc<std::sync::atomic::AtomicU64>,
    /// the change watch's state, for `/health`: listening for notifications, and how many
    /// notifications of other processes' writes it heard
    listening: Arc<std::sync::atomic::AtomicBool>,
    notifications: Arc<std::sync::atomic::AtomicU64>,
    manager: ConnectionManager,
    committed: Arc<tokio::sync::Notify>,
    newest_seen: Arc<Mutex<feed::Watermark>>,
    statements: Arc<std::sync::atomic::AtomicU64>,
    reachable: Arc<std::sync::atomic::AtomicBool>,
    // As many database jobs in flight as there are connections: a request waits for its turn
    // on the async side, so a blocking thread never parks on the pool's condition variable
    // (at 32 connections over a 10-connection pool that doubled the context switches).
    permits: Arc<tokio::sync::Semaphore>,
    /// database jobs waiting for their turn now
    waiting: Arc<std::sync::atomic::AtomicI64>,
    /// which tables are large (their lists are planned for their values)
    sizes: Arc<size::Sizes>,
}

/// The pool and the feed as `/metrics` reports them.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    /// connections open
    pub connections: u32,
    /// of which idle
    pub idle: u32,
    /// database jobs waiting for a connection
    pub waiting: i64,
    /// statements run since start
    pub statements: u64,
    /// the change feed's newest readable sequence number, as last seen (-1 before the first look)
    pub newest_seq: i64,
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
            .build(manager.clone())?;
        Ok(Database {
            manager,
            commits: Arc::default(),
            listening: Arc::default(),
            notifications: Arc::default(),
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            generation: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            committed: Arc::new(tokio::sync::Notify::new()),
            newest_seen: Arc::new(Mutex::new([-1; 4])),
            statements,
            reachable,
            permits: Arc::new(tokio::sync::Semaphore::new(pool_size.max(1) as usize)),
            waiting: Arc::default(),
            sizes: Arc::default(),
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
        connection::fresh();
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

    /// Write transactions this process has committed.
    pub fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Whether the change watch listens for other replicas' notifications (else it polls).
    pub fn listening(&self) -> bool {
        self.listening.load(std::sync::atomic::Ordering::Acquire)
    }

    fn set_listening(&self, listening: bool) {
        self.listening.store(listening, std::sync::atomic::Ordering::Release);
    }

    /// Notifications of other processes' writes the change watch has heard.
    pub fn notifications(&self) -> u64 {
        self.notifications.load(std::sync::atomic::Ordering::Acquire)
    }

    fn count_notification(&self) {
        self.notifications.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// A connection of its own, outside the pool (not counted in `statements`): the change
    /// watch's listening connection.
    fn dedicated(&self) -> Result<DbConnection, ApiError> {
        self.manager
            .open()
            .map_err(|e| ApiError::Unavailable(format!("cannot open a connection: {e}")))
    }

    /// Report the change feed's watermark as last read from the database: when it moved, a write was
    /// committed (here or through another replica), so caches turn over and long-polling
    /// readers wake.
    pub fn observe_newest(&self, newest: feed::Watermark) {
        let before = std::mem::replace(&mut *self.newest_seen.lock().unwrap_or_else(|p| p.into_inner()), newest);
        if before != newest {
            self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            self.committed.notify_waiters();
        }
    }

    /// Run `f` in a read context (blocking; call through [`Database::read`] from handlers).
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut conn = self.conn()?;
        self.sizes.within(|| f(&mut conn))
    }

    /// Which tables are large (see [`size`]).
    pub fn sizes(&self) -> &Arc<size::Sizes> {
        &self.sizes
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
        // (`feed::frontier`).
        let result = self.sizes.within(|| conn.transaction(f));
        if result.is_ok() {
            self.commits.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
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
        self.job(move |db| db.read_blocking(f)).await
    }

    /// Run a write transaction on the blocking thread pool.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.job(move |db| db.write_blocking(f)).await
    }

    /// Run a database job on the blocking thread pool in its turn.
    async fn job<T: Send + 'static>(
        &self,
        run: impl FnOnce(&Database) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let turn = self.turn().await?;
        let db = self.clone();
        actix_web::web::block(move || {
            let result = run(&db);
            drop(turn); // the connection is free now, not when a worker next polls this job
            result
        })
        .await?
    }

    /// Wait for a database job's turn: hold the permit while using a connection (see
    /// `permits`); jobs that take a connection themselves (a streamed CSV export) take one too.
    pub async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        /// Counts a job as waiting until it has its turn or is given up (dropped).
        struct Waiting<'a>(&'a std::sync::atomic::AtomicI64);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        self.waiting.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(format!("database jobs: {e}")))
    }

    /// The pool's state and the feed's newest position, for `/metrics`.
    pub fn stats(&self) -> PoolStats {
        let state = self.pool.state();
        PoolStats {
            connections: state.connections,
            idle: state.idle_connections,
            waiting: self.waiting.load(std::sync::atomic::Ordering::Relaxed),
            statements: self.statements(),
            newest_seq: self.newest_seen.lock().unwrap_or_else(|p| p.into_inner())[1],
        }
    }
}

/// A new server-generated id (UUIDv7: opaque to clients, index-friendly for us).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

/// The current time as stored: UTC, truncated to microseconds (PostgreSQL's precision).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(now.timestamp_micros())
        .unwrap_or(now)
        .naive_utc()
}

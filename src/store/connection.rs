//! Opening connections: the r2d2 manager that picks the backend from the URL, prepares each
//! connection (PostgreSQL's plan mode; SQLite's busy timeout, foreign keys, synchronous mode),
//! counts statements, and drops connections found lost.

use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};

use super::{sqlite_path, Backend, DbConnection};

/// r2d2 manager that picks the backend from the URL scheme and prepares SQLite connections.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
    /// statements run on this pool's connections (transaction control included)
    pub(super) statements: Arc<std::sync::atomic::AtomicU64>,
    /// whether the last attempt to open a connection succeeded (see [`Database::conn`])
    pub(super) reachable: Arc<std::sync::atomic::AtomicBool>,
}

impl ConnectionManager {
    pub(super) fn new(url: &str) -> Self {
        ConnectionManager {
            url: url.to_string(),
            backend: Backend::of_url(url),
            statements: Arc::default(),
            reachable: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        }
    }

    pub(super) fn establish(&self) -> ConnectionResult<DbConnection> {
        let mut conn = self.open()?;
        let statements = Arc::clone(&self.statements);
        conn.set_instrumentation(move |event: diesel::connection::InstrumentationEvent<'_>| {
            if matches!(event, diesel::connection::InstrumentationEvent::StartQuery { .. }) {
                statements.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        Ok(conn)
    }

    pub(super) fn open(&self) -> ConnectionResult<DbConnection> {
        match self.backend {
            Backend::Postgres => {
                // Statements are prepared once and reused, and PostgreSQL plans them its
                // default way: a generic plan once it costs no more than the custom ones (a
                // filtered page planned on every execution reached two thirds of the rate with
                // a generic plan, by pgbench). A full-text search is never kept prepared (see
                // `resources::content::matches`): a generic plan does not know its words.
                let conn = diesel::PgConnection::establish(&self.url)?;
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

/// Clear the mark before handing out a connection.
pub(super) fn fresh() {
    LOST.with(|lost| lost.set(false));
}

thread_local! {
    /// Whether the connection this thread holds was found lost.
    static LOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Mark the connection the current thread holds as lost: the pool drops it on return.
pub fn connection_lost() {
    LOST.with(|lost| lost.set(true));
}

//! Which tables are large, as PostgreSQL estimates their rows (`pg_class.reltuples`, kept by
//! `ANALYZE` and autovacuum): read by the change watch ([`super::watch`]) when it starts and
//! every [`EVERY`] after, never on a request's path.
//!
//! A list statement is kept prepared and, after five runs, PostgreSQL plans it once for any
//! values ("generic plan"). On a small table any plan of a filtered page is fast. On a large
//! one the right plan depends on the values: how many rows `country=LV&activity_area=…`
//! matches decides between gathering the matches through the `facets` index and walking the
//! default order's index until the page is full. The generic plan, blind to the values,
//! gathered 12,390 rows for B's page of 51 at 2 million initiatives (pgbench: 97 pages/s,
//! against 497 planned for the values). So on a table of `LARGE_TABLE_ROWS` rows or more
//! (default [`LARGE`]), a list statement with conditions is planned for its values each time
//! (`Sql::once`) and finds its page's keys first (`ListQuery::keyset`); below, it keeps its
//! generic plan (planning each time cost 40 % of B's throughput at 20,000 rows).
//!
//! Each [`Database`](super::Database) keeps its own [`Sizes`]; its jobs see them through
//! [`Sizes::within`] (a thread-local for the job's duration), so the list code needs no
//! handle. Code that runs outside a job (the command line) treats every table as small.

use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::sql::{Sql, TextRow, Value};
use super::DbConnection;
use crate::http::error::ApiError;

/// Rows from which a table counts as large, unless `LARGE_TABLE_ROWS` says otherwise.
pub const LARGE: i64 = 100_000;

/// How often the watch reads the estimates again.
pub const EVERY: Duration = Duration::from_secs(60);

/// One database's large tables.
#[derive(Debug)]
pub struct Sizes {
    /// from how many rows a table is large; 0 makes every table large
    threshold: AtomicI64,
    /// the large tables at the last reading
    large: RwLock<Vec<String>>,
}

impl Default for Sizes {
    fn default() -> Sizes {
        Sizes {
            threshold: AtomicI64::new(LARGE),
            large: RwLock::new(Vec::new()),
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Sizes>>> = const { RefCell::new(None) };
}

impl Sizes {
    /// Count tables of `rows` rows or more as large (0: every table).
    pub fn set_threshold(&self, rows: i64) {
        self.threshold.store(rows.max(0), Ordering::Relaxed);
    }

    /// Run `f` (a database job) with these sizes as the current ones (the thread's previous
    /// ones restored after, also if `f` panics).
    pub fn within<T>(self: &Arc<Sizes>, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<Arc<Sizes>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let before = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = before);
            }
        }
        let _restore = Restore(CURRENT.with(|c| c.replace(Some(Arc::clone(self)))));
        f()
    }

    /// Read the estimates again. PostgreSQL only: on SQLite no table counts as large unless
    /// the threshold is 0 (its statements are cheap to plan, and it has no estimates to read).
    pub fn refresh(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        if !conn.is_postgres() {
            return Ok(());
        }
        let mut sql = Sql::new(
            "SELECT relname::text AS value FROM pg_class WHERE relkind = 'r' \
             AND relnamespace = current_schema()::regnamespace AND reltuples >= ",
        );
        sql.bind(Value::Int(self.threshold.load(Ordering::Relaxed)));
        let tables: Vec<String> = sql.load::<TextRow>(conn)?.into_iter().map(|r| r.value).collect();
        if let Ok(mut large) = self.large.write() {
            if *large != tables {
                log::info!(
                    "lists planned for their values (tables of ≥ {} rows): {tables:?}",
                    self.threshold.load(Ordering::Relaxed)
                );
            }
            *large = tables;
        }
        Ok(())
    }

    fn holds(&self, table: &str) -> bool {
        self.threshold.load(Ordering::Relaxed) == 0
            || self.large.read().is_ok_and(|large| large.iter().any(|t| t == table))
    }
}

/// Whether `table` is large for the database of the job running on this thread.
pub fn is_large(table: &str) -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(|sizes| sizes.holds(table)))
}

//! Schema migrations (embedded, one set per backend), and the planner statistics refreshed
//! after a bulk load.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{Backend, Database};
use crate::http::error::ApiError;

/// The advisory lock key replicas take around migrations (PostgreSQL).
const MIGRATION_LOCK: i64 = 72_707_001;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

impl Database {
    /// Apply pending migrations for this backend.
    pub fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        // Replicas starting together: one migrates, the others wait for it here and then
        // find nothing pending (the lock is the session's, released below or on disconnect).
        if self.backend == Backend::Postgres {
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
        }
        let result = conn
            .run_pending_migrations(self.migrations())
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
        if self.backend == Backend::Postgres {
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
        }
        result?;
        if self.backend == Backend::Sqlite {
            // Refreshes the planner's statistics where they are stale (cheap when they are not).
            conn.batch_execute("PRAGMA optimize;")?;
        }
        Ok(())
    }

    /// Revert the newest migrations down to and including `version` (`2026-11-27-000012`),
    /// newest first: a database as it was before that migration (tests of older databases).
    pub fn revert_through(&self, version: &str) -> anyhow::Result<()> {
        let digits = |v: &str| v.chars().filter(char::is_ascii_digit).collect::<String>();
        let mut conn = self.pool.get()?;
        loop {
            let reverted = conn
                .revert_last_migration(self.migrations())
                .map_err(|e| anyhow::anyhow!("reverting a migration failed: {e}"))?;
            let reverted = digits(&reverted.to_string());
            if reverted == digits(version) {
                return Ok(());
            }
            if reverted.is_empty() || reverted < digits(version) {
                anyhow::bail!("no migration {version} to revert to");
            }
        }
    }

    fn migrations(&self) -> EmbeddedMigrations {
        match self.backend {
            Backend::Postgres => POSTGRES_MIGRATIONS,
            Backend::Sqlite => SQLITE_MIGRATIONS,
        }
    }

    /// Whether this binary knows migrations the database has not had (one statement; an
    /// unreachable database is a 503 like any other read's).
    pub async fn migrations_pending(&self) -> Result<bool, ApiError> {
        let migrations = self.migrations();
        self.read(move |conn| {
            conn.has_pending_migration(migrations)
                .map_err(|e| ApiError::Unavailable(format!("cannot read the applied migrations: {e}")))
        })
        .await
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
}

//! `coalition-registry backup` and `restore`: a consistent copy of the database while the
//! service keeps serving.
//!
//! SQLite: SQLite's online backup API (`sqlite3_backup_*`) copies every page inside one read
//! transaction, so the copy is the database as of one commit; in WAL mode writers go on
//! committing meanwhile. PostgreSQL: `pg_dump --format=custom` (one snapshot, while serving),
//! restored with `pg_restore`; both are PostgreSQL's own tools and must be on `PATH`.

use std::ffi::CString;
use std::path::Path;
use std::process::Command;

use anyhow::{anyhow, bail, Context};
use libsqlite3_sys as ffi;

use crate::store::{sqlite_path, Backend};

/// What a backup or restore did.
#[derive(Debug)]
pub struct Report {
    /// bytes of the file written or read
    pub bytes: u64,
    /// how: `sqlite online backup`, `pg_dump` or `pg_restore`
    pub method: &'static str,
}

/// Copy the database at `database_url` to `output` (overwritten).
pub fn backup(database_url: &str, output: &Path) -> anyhow::Result<Report> {
    match Backend::of_url(database_url) {
        Backend::Sqlite => {
            let source = sqlite_path(database_url);
            if !Path::new(source).exists() {
                bail!("no SQLite database at {source}");
            }
            if output.exists() {
                std::fs::remove_file(output).with_context(|| format!("replacing {}", output.display()))?;
            }
            copy_sqlite(Path::new(source), output)?;
            Ok(Report {
                bytes: std::fs::metadata(output)?.len(),
                method: "sqlite online backup",
            })
        }
        Backend::Postgres => {
            run_tool(
                Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg("--file")
                    .arg(output)
                    .arg(database_url),
                "pg_dump",
            )?;
            Ok(Report {
                bytes: std::fs::metadata(output)?.len(),
                method: "pg_dump",
            })
        }
    }
}

/// Replace the database at `database_url` with the backup in `input`. The service must be
/// stopped (every replica): a restore under a running service would mix two histories.
pub fn restore(database_url: &str, input: &Path) -> anyhow::Result<Report> {
    if !input.exists() {
        bail!("no backup at {}", input.display());
    }
    match Backend::of_url(database_url) {
        Backend::Sqlite => {
            let target = Path::new(sqlite_path(database_url));
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            // The backup API writes into the live file through SQLite's own locking and
            // journalling, so a stale -wal beside the target is reset rather than replayed.
            copy_sqlite(input, target)?;
            Ok(Report {
                bytes: std::fs::metadata(input)?.len(),
                method: "sqlite online backup",
            })
        }
        Backend::Postgres => {
            run_tool(
                Command::new("pg_restore")
                    .arg("--clean")
                    .arg("--if-exists")
                    .arg("--no-owner")
                    .arg("--single-transaction")
                    .arg("--exit-on-error")
                    .arg("--dbname")
                    .arg(database_url)
                    .arg(input),
                "pg_restore",
            )?;
            Ok(Report {
                bytes: std::fs::metadata(input)?.len(),
                method: "pg_restore",
            })
        }
    }
}

fn run_tool(command: &mut Command, name: &str) -> anyhow::Result<()> {
    let output = command.output().map_err(|e| {
        anyhow!("cannot run {name} ({e}); install PostgreSQL's client tools (Debian: postgresql-client)")
    })?;
    if !output.status.success() {
        bail!(
            "{name} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// One open SQLite handle, closed on drop.
struct Handle(*mut ffi::sqlite3);

impl Handle {
    fn open(path: &Path, flags: i32) -> anyhow::Result<Handle> {
        let name = CString::new(path.to_string_lossy().as_bytes()).context("a path with a NUL byte")?;
        let mut db = std::ptr::null_mut();
        // SAFETY: `name` is a valid C string; `db` receives a handle that `Drop` closes, also
        // when opening failed (SQLite then still allocates one, for its error message).
        let rc = unsafe { ffi::sqlite3_open_v2(name.as_ptr(), &mut db, flags, std::ptr::null()) };
        let handle = Handle(db);
        if rc != ffi::SQLITE_OK {
            bail!("cannot open {}: {}", path.display(), handle.error());
        }
        // SAFETY: a valid handle. Wait for a writer's lock instead of failing at once.
        unsafe { ffi::sqlite3_busy_timeout(handle.0, 10_000) };
        Ok(handle)
    }

    fn error(&self) -> String {
        if self.0.is_null() {
            return "out of memory".into();
        }
        // SAFETY: a valid handle; SQLite owns the returned string until the next call.
        unsafe { std::ffi::CStr::from_ptr(ffi::sqlite3_errmsg(self.0)) }
            .to_string_lossy()
            .into_owned()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: closing a handle we own (a null one is a no-op).
        unsafe { ffi::sqlite3_close(self.0) };
    }
}

/// Copy every page of `from` into `to` with the online backup API, in one step: one read
/// transaction on `from`, so the copy is exactly one committed state.
fn copy_sqlite(from: &Path, to: &Path) -> anyhow::Result<()> {
    let source = Handle::open(from, ffi::SQLITE_OPEN_READONLY)?;
    let target = Handle::open(to, ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE)?;
    let main = c"main";
    // SAFETY: both handles are open and outlive the backup object, which is finished below.
    let backup = unsafe { ffi::sqlite3_backup_init(target.0, main.as_ptr(), source.0, main.as_ptr()) };
    if backup.is_null() {
        bail!("cannot start the backup: {}", target.error());
    }
    let mut rc;
    loop {
        // SAFETY: a live backup object. -1: all remaining pages at once.
        rc = unsafe { ffi::sqlite3_backup_step(backup, -1) };
        if rc == ffi::SQLITE_BUSY || rc == ffi::SQLITE_LOCKED {
            std::thread::sleep(std::time::Duration::from_millis(50));
            continue;
        }
        break;
    }
    // SAFETY: finishing the backup object exactly once.
    let finished = unsafe { ffi::sqlite3_backup_finish(backup) };
    if rc != ffi::SQLITE_DONE || finished != ffi::SQLITE_OK {
        bail!("backup failed: {}", target.error());
    }
    Ok(())
}

//! The change watch: how a replica learns of writes committed through other replicas, so that
//! its caches turn over and its long-polling feed readers wake.
//!
//! On PostgreSQL the replicas tell each other: each one keeps a dedicated connection that
//! `LISTEN`s on [`CHANNEL`], and after this process commits writes it sends one `NOTIFY` on
//! it (at most one per [`TICK`], however many writes: the write path itself sends nothing, so
//! it neither gains a statement nor takes PostgreSQL's notification-queue lock at commit).
//! A replica that hears another's notification reads the feed's watermark
//! ([`feed::newest`]) and reports it ([`Database::observe_newest`]). A notification can be
//! lost (the listening connection broke; a write made by the command line, which runs no
//! watch), so the watermark is also read every [`FALLBACK`] when nothing was heard: a write is
//! seen on every replica within about 10 ms when notified, and within a second in any case.
//!
//! On SQLite (one file, usually one process) and while the listening connection is down, the
//! watch polls the watermark every [`POLL`].
//!
//! On PostgreSQL the watch also reads which tables are large ([`size`]) when it starts and
//! every [`size::EVERY`] after.

use std::sync::Weak;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

use super::{feed, size, Backend, Database, DbConnection};
use crate::http::error::ApiError;

/// The notification channel of a database's replicas.
pub const CHANNEL: &str = "coalition_registry_changes";

/// How often the listening watch sends this process's notification and reads what arrived.
pub const TICK: Duration = Duration::from_millis(10);

/// While listening: how long without a notification before the watermark is read anyway.
pub const FALLBACK: Duration = Duration::from_millis(500);

/// While not listening (SQLite, or the listening connection is down): how often to poll.
pub const POLL: Duration = Duration::from_millis(250);

/// How long to wait before opening a listening connection again after one failed.
const RECONNECT: Duration = Duration::from_secs(1);

/// A dedicated PostgreSQL connection listening on [`CHANNEL`].
struct Listener {
    conn: DbConnection,
    /// this connection's server process, whose own notifications are not news
    pid: i32,
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

impl Listener {
    fn open(db: &Database) -> Result<Listener, ApiError> {
        let mut conn = db.dedicated()?;
        conn.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        let pid =
            diesel::RunQueryDsl::get_result::<Pid>(diesel::sql_query("SELECT pg_backend_pid() AS pid"), &mut conn)?.pid;
        Ok(Listener { conn, pid })
    }

    /// Tell the other replicas that this process committed writes.
    fn announce(&mut self) -> Result<(), ApiError> {
        Ok(self.conn.batch_execute(&format!("NOTIFY {CHANNEL}"))?)
    }

    /// Whether another process's notification arrived (reads what the socket holds; no round trip).
    fn heard(&mut self) -> Result<bool, ApiError> {
        let DbConnection::Postgresql(pg) = &mut self.conn else {
            return Ok(false);
        };
        let mut heard = false;
        for notification in pg.notifications_iter() {
            heard |= notification?.process_id != self.pid;
        }
        Ok(heard)
    }
}

/// Start the watch on its own thread; it stops when `alive` is gone.
pub fn spawn(db: Database, alive: Weak<()>) {
    let spawned = std::thread::Builder::new()
        .name("change-watch".into())
        .spawn(move || run(&db, &alive));
    if let Err(e) = spawned {
        log::error!("could not start the change watch: {e}");
    }
}

fn run(db: &Database, alive: &Weak<()>) {
    let mut listener: Option<Listener> = None;
    let mut last_attempt: Option<Instant> = None;
    let mut last_read = Instant::now();
    let mut announced = db.commits();
    let mut sized: Option<Instant> = None;
    while alive.upgrade().is_some() {
        if db.backend() == Backend::Postgres && sized.is_none_or(|t| t.elapsed() >= size::EVERY) {
            sized = Some(Instant::now());
            if let Err(e) = db.read_blocking(|conn| db.sizes().refresh(conn)) {
                log::debug!("change watch: table sizes: {e}");
            }
        }
        if db.backend() == Backend::Postgres
            && listener.is_none()
            && last_attempt.is_none_or(|t| t.elapsed() >= RECONNECT)
        {
            last_attempt = Some(Instant::now());
            listener = Listener::open(db)
                .inspect_err(|e| log::warn!("change watch: cannot listen for other replicas' writes ({e}); polling"))
                .ok();
            db.set_listening(listener.is_some());
        }
        std::thread::sleep(if listener.is_some() { TICK } else { POLL });
        let mut heard = false;
        if let Some(l) = listener.as_mut() {
            let commits = db.commits();
            let announced_now = if commits != announced { l.announce() } else { Ok(()) };
            let outcome = announced_now.and_then(|()| l.heard());
            match outcome {
                Ok(news) => {
                    announced = commits;
                    heard = news;
                }
                Err(e) => {
                    log::warn!("change watch: the listening connection failed ({e}); polling");
                    listener = None;
                    db.set_listening(false);
                }
            }
        }
        let due = if listener.is_some() { FALLBACK } else { POLL };
        if heard || last_read.elapsed() >= due {
            last_read = Instant::now();
            let newest = match listener.as_mut() {
                Some(l) => feed::newest(&mut l.conn),
                None => db.read_blocking(feed::newest),
            };
            match newest {
                Ok(newest) => {
                    if heard {
                        db.count_notification();
                    }
                    db.observe_newest(newest)
                }
                Err(e) => {
                    log::debug!("change watch: {e}");
                    if listener.take().is_some() {
                        db.set_listening(false);
                    }
                }
            }
        }
    }
}

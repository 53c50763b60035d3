//! Positions in the change feed, and how far it may be read: the frontier below which every
//! row has committed for good, the readable head, and the watermark the change watch polls.
//! The journal ([`super::journal`]) writes the rows; the feed ([`crate::feeds::changes`]) reads them.
//! Also the feed's upkeep: compaction of old deletions, and a new epoch after a restore.

use crate::http::error::ApiError;
use crate::store::sql::{Sql, Value};
use crate::store::DbConnection;

/// A place in the change feed: (writing transaction, sequence number), ordered as a pair.
/// SQLite has one writer, so its transaction part is always 0 and commit order is `seq` order.
pub type Position = (i64, i64);

#[derive(diesel::QueryableByName)]
struct PositionRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    txid: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    seq: i64,
}

/// A position's two bound values, for `(txid, seq) < (…)` (with [`Sql::bind_list`]).
pub fn position((txid, seq): Position) -> [Value; 2] {
    [Value::Int(txid), Value::Int(seq)]
}

/// The bound below which every feed row has committed for good: no transaction still running
/// or yet to start can write a row below it. PostgreSQL: `(xmin of the current snapshot, 1)`
/// (rows of finished transactions only, whatever order they committed in); SQLite: just past
/// the newest row. Read it *before* the rows it bounds.
pub fn frontier(conn: &mut DbConnection) -> Result<Position, ApiError> {
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS txid, CAST(1 AS BIGINT) AS seq"
        }
        DbConnection::Sqlite(_) => "SELECT CAST(0 AS BIGINT) AS txid, COALESCE(MAX(seq), 0) + 1 AS seq FROM changes",
    };
    Ok(Sql::new(sql)
        .load::<PositionRow>(conn)?
        .first()
        .map_or((0, 1), |r| (r.txid, r.seq)))
}

/// Whether committed feed rows lie at or above `frontier`, held back by an older write
/// transaction still running.
pub fn held_back(conn: &mut DbConnection, frontier: Position) -> Result<bool, ApiError> {
    let mut sql = Sql::new("SELECT CAST(1 AS BIGINT) AS count FROM changes WHERE (txid, seq) >= ");
    sql.bind_list(position(frontier));
    sql.push(" LIMIT 1");
    Ok(!sql.load::<crate::store::sql::CountRow>(conn)?.is_empty())
}

/// The newest readable feed position at or below `bound` ((0, 0) for an empty feed).
pub fn head(conn: &mut DbConnection, bound: Position) -> Result<Position, ApiError> {
    let mut sql = Sql::new("SELECT txid, seq FROM changes WHERE (txid, seq) < ");
    sql.bind_list(position(bound));
    sql.push(" ORDER BY txid DESC, seq DESC LIMIT 1");
    Ok(sql
        .load::<PositionRow>(conn)?
        .first()
        .map_or((0, 0), |r| (r.txid, r.seq)))
}

/// What the feed holds now, as four numbers that change with every commit, through any
/// replica, the moment it is visible: the readable head, and the count and seq sum of the
/// committed rows above the frontier (not yet readable: an older transaction still runs).
/// What the change watch polls and CSV entity tags hash.
pub type Watermark = [i64; 4];

#[derive(diesel::QueryableByName)]
struct PendingRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total: i64,
}

/// The feed's [`Watermark`]. Rows committed but still above the frontier (an older
/// transaction elsewhere in the cluster was running) are counted apart, so the watermark
/// moves again when the frontier passes them although nothing new was written; to keep tags
/// stable, this waits briefly (up to 200 ms) for the frontier to pass such rows first.
pub fn newest(conn: &mut DbConnection) -> Result<Watermark, ApiError> {
    for _ in 0..40 {
        let watermark = watermark(conn)?;
        if watermark[2] == 0 {
            return Ok(watermark);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    watermark(conn)
}

fn watermark(conn: &mut DbConnection) -> Result<Watermark, ApiError> {
    let frontier = frontier(conn)?;
    let (txid, seq) = head(conn, frontier)?;
    let mut pending = Sql::new(
        "SELECT COUNT(*) AS count, CAST(COALESCE(SUM(seq), 0) AS BIGINT) AS total FROM changes WHERE (txid, seq) >= ",
    );
    pending.bind_list(position(frontier));
    let above = pending
        .load::<PendingRow>(conn)?
        .first()
        .map_or((0, 0), |r| (r.count, r.total));
    Ok([txid, seq, above.0, above.1])
}

/// Give the feed a new epoch: every cursor issued before is refused with 410 from now on.
/// `restore` calls it, since a restored database's feed numbers changes again from the
/// backup's point, and a replica that followed past it holds writes that no longer exist.
pub fn start_new_epoch(conn: &mut DbConnection) -> Result<(), ApiError> {
    let mut sql = Sql::new("UPDATE change_horizon SET epoch = ");
    sql.bind(Value::Text(uuid::Uuid::new_v4().simple().to_string()));
    sql.push(" WHERE id = 1");
    sql.execute(conn)?;
    Ok(())
}

/// Purge tombstones (deletions) older than `older_than`, moving the horizon below which
/// cursors get 410. Returns how many were purged.
pub fn compact(conn: &mut DbConnection, older_than: chrono::Duration) -> Result<i64, ApiError> {
    let cutoff = crate::store::now() - older_than;
    let mut newest = Sql::new("SELECT txid, seq FROM changes WHERE action = 'deleted' AND at < ");
    newest.bind(Value::Timestamp(cutoff));
    newest.push(" ORDER BY txid DESC, seq DESC LIMIT 1");
    let Some(horizon) = newest.load::<PositionRow>(conn)?.first().map(|r| (r.txid, r.seq)) else {
        return Ok(0);
    };
    let mut purge = Sql::new("DELETE FROM changes WHERE action = 'deleted' AND at < ");
    purge.bind(Value::Timestamp(cutoff));
    let purged = purge.execute(conn)? as i64;
    if purged > 0 {
        let mut raise = Sql::new("UPDATE change_horizon SET (txid, seq) = ");
        raise.bind_list(position(horizon));
        raise.push(" WHERE id = 1 AND (txid, seq) < ");
        raise.bind_list(position(horizon));
        raise.execute(conn)?;
    }
    Ok(purged)
}

//! `GET /changes`: the change feed replicas follow.
//!
//! The `changes` table holds the latest change of every record (the journal replaces a
//! record's row on every write). Its order is the position (writing transaction, seq): writers
//! do not take turns, so a reader serves only rows below the *frontier* — on PostgreSQL the
//! oldest transaction still running (`feed::frontier`), so a transaction that commits after
//! a later one is never passed over; SQLite has one writer, where seq order is commit order. Entries carry no data; a page shows each
//! record as a GET would show it to the caller *now*, and a record that is gone or that the
//! caller may not see (a draft, for anonymous readers) as a deletion. So a client that
//! applies the feed from the start, in order, holds what the lists show it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_web::{get, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::sql_types::{BigInt, Timestamp};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::{auth::Caller, error::ApiError, openapi::SubListProblems, Db, Reply};
use crate::resources::registry::{feed_kind, feed_kinds};
pub use crate::store::feed::{compact, start_new_epoch};
use crate::store::feed::{position, Position};
use crate::store::journal::{FeedType, RecordType, Written};
use crate::store::sql::{Sql, Value};
use crate::store::DbConnection;

/// Query parameters of `GET /changes`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeParams {
    /// `page.next_cursor` of the previous response; absent: from the beginning.
    pub after: Option<String>,
    /// Entries per page, 1 to 1000.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<u32>,
    /// Record types, repeated for several like every filter (`types=initiative&types=training`;
    /// the older comma list `types=initiative,training` is still read). Default: all.
    #[serde(default)]
    #[param(value_type = Vec<FeedType>)]
    pub types: Vec<String>,
    /// When there is no change yet, wait up to this many seconds (0 to 30) for one (long polling).
    #[param(minimum = 0, maximum = 30, default = 0)]
    pub wait: Option<u32>,
}

/// One change of one record.
#[derive(Debug, Serialize, ToSchema)]
pub struct Change {
    /// The change's number: unique, and growing with every change of one writer. Feed order
    /// is the order of `data`; resume with `page.next_cursor`, not with this number.
    pub seq: i64,
    /// The kind of record.
    #[serde(rename = "type")]
    #[schema(value_type = FeedType)]
    pub record_type: String,
    /// The record's id (a country's code).
    pub id: String,
    /// `created` or `updated` (upsert `data`), or `deleted` (remove the record).
    #[schema(value_type = crate::store::journal::Action)]
    pub action: String,
    /// The record's version (null for deletions).
    pub version: Option<i64>,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// The record as `GET` shows it to this caller (the schema of its `type`), or null for a
    /// deletion.
    #[schema(value_type = Option<ChangeData>)]
    pub data: Option<serde_json::Value>,
}

/// A changed record: the representation of its `type`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)] // documents the feed's `data`; never built: the feed serialises the stored documents
pub enum ChangeData {
    /// `type` country
    Country(crate::resources::countries::model::Country),
    /// `type` coalition
    Coalition(crate::resources::coalitions::model::Coalition),
    /// `type` organisation
    Organisation(crate::resources::organisations::model::Organisation),
    /// `type` membership
    Membership(crate::resources::memberships::model::Membership),
    /// `type` initiative
    Initiative(crate::resources::initiatives::model::Initiative),
    /// `type` training
    Training(crate::resources::trainings::model::Training),
}

/// The page object of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    /// Where to continue: always present, also when caught up.
    pub next_cursor: String,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    /// Changes in feed order.
    pub data: Vec<Change>,
    /// Where to continue.
    pub page: ChangePage,
}

#[derive(QueryableByName)]
struct ChangeRow {
    #[diesel(sql_type = BigInt)]
    txid: i64,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(embed)]
    written: Written,
    #[diesel(sql_type = Timestamp)]
    at: NaiveDateTime,
}

/// A cursor: the feed position after which to continue. Cursors issued before positions had a
/// transaction part carry `seq` only, and continue exactly (those rows have transaction 0).
#[derive(Clone, Serialize, Deserialize)]
struct Cursor {
    #[serde(default, skip_serializing_if = "is_zero")]
    x: i64,
    seq: i64,
    /// The feed's epoch (`change_horizon.epoch`), once a restore has given it one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    e: String,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn encode((x, seq): Position, epoch: &str) -> String {
    let cursor = Cursor {
        x,
        seq,
        e: epoch.to_string(),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).unwrap_or_default())
}

fn decode(text: &str) -> Result<Cursor, ApiError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Cursor>(&bytes).ok())
        .filter(|c| c.x >= 0 && c.seq >= 0)
        .ok_or_else(|| ApiError::bad_param("after", "invalid_cursor", "the cursor is not one this feed issued"))
}

#[derive(diesel::QueryableByName)]
struct Horizon {
    #[diesel(sql_type = BigInt)]
    txid: i64,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    epoch: String,
}

/// Records the caller may see now, by `(type, id)`: their version and representation.
type Visible = HashMap<(String, String), (i64, serde_json::Value)>;

/// Current, caller-visible representations of the given records, by `(type, id)`: one
/// fixed set of queries per kind, through the resource registry.
fn load_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    wanted: &HashMap<RecordType, Vec<String>>,
) -> Result<Visible, ApiError> {
    let mut found = HashMap::new();
    for (kind, ids) in wanted {
        let Some(resource) = crate::resources::registry::of(*kind) else {
            continue;
        };
        for (id, version, value) in (resource.load_visible)(conn, caller, ids)? {
            found.insert((kind.as_str().to_string(), id), (version, value));
        }
    }
    Ok(found)
}

fn read_page(
    conn: &mut DbConnection,
    caller: &Caller,
    after: Option<&Cursor>,
    types: &[RecordType],
    limit: u32,
) -> Result<(ChangeList, bool), ApiError> {
    let from = after.map_or((0, 0), |c| (c.x, c.seq));
    let Horizon { txid, seq, epoch } = Sql::new("SELECT txid, seq, epoch FROM change_horizon WHERE id = 1")
        .load::<Horizon>(conn)?
        .pop()
        .unwrap_or(Horizon {
            txid: 0,
            seq: 0,
            epoch: String::new(),
        });
    if let Some(after) = after {
        if after.e != epoch {
            return Err(ApiError::Gone(
                "this cursor belongs to an earlier history of this database (it was restored from a backup): \
                 resynchronise from the list endpoints, then follow the feed from a fresh cursor"
                    .into(),
            ));
        }
        if from < (txid, seq) {
            return Err(ApiError::Gone(
                "changes before this cursor were compacted away (deletions older than the retention period): \
                 resynchronise from the list endpoints, then follow the feed from a fresh cursor"
                    .into(),
            ));
        }
    }
    // Read first: every row below the frontier has committed for good, so the page may pass
    // them all, and a caught-up reader may move up to it even when no entry of its types lies
    // in between.
    let frontier = crate::store::feed::frontier(conn)?;
    let mut sql = Sql::new("SELECT txid, seq, record_type, record_id, action, at FROM changes WHERE (txid, seq) > ");
    sql.bind_list(position(from));
    sql.push(" AND (txid, seq) < ");
    sql.bind_list(position(frontier));
    if !types.is_empty() {
        sql.push(" AND record_type IN ");
        sql.bind_list(types.iter().map(|t| Value::Text(t.as_str().into())));
    }
    sql.push(" ORDER BY txid, seq LIMIT ");
    sql.bind(Value::Int(limit as i64));
    let rows: Vec<ChangeRow> = sql.load(conn)?;
    let mut wanted: HashMap<RecordType, Vec<String>> = HashMap::new();
    for row in rows.iter().filter(|r| r.written.action != "deleted") {
        if let Some(kind) = feed_kind(&row.written.record_type) {
            wanted.entry(kind).or_default().push(row.written.record_id.clone());
        }
    }
    let mut visible = load_visible(conn, caller, &wanted)?;
    // A caught-up reader moves to the newest readable row of any type: every position below
    // it is final, and the cursor stays put while nothing is written.
    let short = (rows.len() as u32) < limit;
    // Committed rows above the frontier (an older write transaction still runs): the handler
    // waits briefly for them rather than answer without a write the caller may just have made.
    let held_back = short && crate::store::feed::held_back(conn, frontier)?;
    let caught_up = if short {
        match rows.last() {
            Some(last) if types.is_empty() => (last.txid, last.seq),
            _ => crate::store::feed::head(conn, frontier)?,
        }
    } else {
        from
    };
    let next = match rows.last() {
        Some(last) if rows.len() as u32 == limit => (last.txid, last.seq),
        Some(last) => (last.txid, last.seq).max(caught_up),
        None => from.max(caught_up),
    };
    let data = rows
        .into_iter()
        .map(
            |row| match visible.remove(&(row.written.record_type.clone(), row.written.record_id.clone())) {
                Some((version, value)) => Change {
                    seq: row.seq,
                    action: row.written.action,
                    version: Some(version),
                    at: crate::kernel::records::utc(row.at),
                    data: Some(value),
                    record_type: row.written.record_type,
                    id: row.written.record_id,
                },
                // Gone, or not for this caller's eyes: either way, it leaves their replica.
                None => Change {
                    seq: row.seq,
                    action: "deleted".into(),
                    version: None,
                    at: crate::kernel::records::utc(row.at),
                    data: None,
                    record_type: row.written.record_type,
                    id: row.written.record_id,
                },
            },
        )
        .collect();
    Ok((
        ChangeList {
            data,
            page: ChangePage {
                next_cursor: encode(next, &epoch),
            },
        },
        held_back,
    ))
}

/// The change feed: every record's latest change in commit order, as this caller sees it.
/// Apply `created`/`updated` as upserts of `data` and `deleted` as removals, save
/// `page.next_cursor`, and call again with `after=` it (with `wait=` to long-poll).
#[utoipa::path(
    tag = "changes",
    params(ChangeParams),
    responses(
        (status = 200, description = "A page of changes (possibly empty) and where to continue", body = ChangeList),
        (status = 410, description = "The cursor is older than the compaction horizon, or from before a restore from a backup: resynchronise from the lists",
            body = crate::http::error::Problem, content_type = "application/problem+json"),
        SubListProblems
    )
)]
#[get("/changes")]
pub async fn changes(caller: Caller, req: HttpRequest, db: Db) -> Reply {
    let params: ChangeParams = crate::http::extract::query(req.query_string())?;
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_param(
            "limit",
            "out_of_range",
            "must be between 1 and 1000",
        ));
    }
    let wait = params.wait.unwrap_or(0);
    if wait > 30 {
        return Err(ApiError::bad_param(
            "wait",
            "out_of_range",
            "must be between 0 and 30 seconds",
        ));
    }
    // An empty `after=` is the start of the feed, like no `after`.
    let after = params
        .after
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(decode)
        .transpose()?;
    let types: Vec<RecordType> = params
        .types
        .iter()
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            feed_kind(name).ok_or_else(|| {
                let kinds: Vec<&str> = feed_kinds().map(RecordType::as_str).collect();
                let detail = format!("`{name}` is not one of {}", kinds.join(", "));
                ApiError::bad_param("types", "invalid_value", detail)
            })
        })
        .collect::<Result<_, _>>()?;
    let deadline = Instant::now() + Duration::from_secs(wait as u64);
    let committed = db.committed();
    // How long a page waits for committed changes held back by an older write transaction
    // still running somewhere in the PostgreSQL cluster (normally milliseconds).
    let settle = Instant::now() + Duration::from_secs(2);
    loop {
        let (caller, types, after) = (caller.clone(), types.clone(), after.clone());
        let (page, held_back) = db
            .read(move |conn| read_page(conn, &caller, after.as_ref(), &types, limit))
            .await?;
        let now = Instant::now();
        if held_back && now < settle {
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
            continue;
        }
        if !page.data.is_empty() || now >= deadline {
            return Ok(HttpResponse::Ok().json(page));
        }
        // No connection is held while waiting: woken by a commit in this process or, through
        // the change watch (`store::watch`), within milliseconds of one elsewhere; at most a
        // second apart in any case.
        let nap = (deadline - now).min(Duration::from_secs(1));
        let _ = actix_web::rt::time::timeout(nap, committed.notified()).await;
    }
}

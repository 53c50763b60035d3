//! `GET /audit`: the write journal, for administrators.

use actix_web::{get, HttpRequest};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::Caller;
use crate::http::csv_export;
use crate::http::error::ApiError;
use crate::http::openapi::AuditProblems;
use crate::http::paging::{self, FormatParam, ListQuery, ListRequest, Listed, PageParams, Sort};
use crate::http::{Db, Reply};
use crate::store::journal::{RecordType, Written};
use crate::store::sql::{Sql, Value};
use crate::store::DbConnection;

#[derive(Debug, QueryableByName)]
struct AuditRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Timestamp)]
    at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    actor: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(embed)]
    written: Written,
    #[diesel(sql_type = Nullable<BigInt>)]
    version: Option<i64>,
    #[diesel(sql_type = Text)]
    changed_fields: String,
}

/// One write: who did what to which record, and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Entry id.
    #[schema(format = Uuid)]
    pub id: String,
    /// When the write committed.
    pub at: DateTime<Utc>,
    /// The token's `sub` (`system` for seeding).
    pub actor: String,
    /// `admin`, `editor` or `system`.
    pub role: String,
    /// The kind of record.
    #[serde(rename = "type")]
    pub record_type: String,
    /// The record's id (a country's code).
    pub record_id: String,
    /// `created`, `updated` or `deleted`.
    pub action: String,
    /// The record's version after the write (null after a deletion).
    pub version: Option<i64>,
    /// The writable fields that changed (those set, for a creation).
    pub changed_fields: Vec<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        AuditEntry {
            id: row.id,
            at: crate::kernel::records::utc(row.at),
            actor: row.actor,
            role: row.role,
            record_type: row.written.record_type,
            record_id: row.written.record_id,
            action: row.written.action,
            version: row.version,
            changed_fields: row
                .changed_fields
                .split(',')
                .filter(|f| !f.is_empty())
                .map(String::from)
                .collect(),
        }
    }
}

const CSV_COLUMNS: &[&str] = &[
    "id",
    "at",
    "actor",
    "role",
    "type",
    "record_id",
    "action",
    "version",
    "changed_fields",
];

crate::list_type!(AuditList, AuditEntry, "A page of audit entries.");

/// Filters of `GET /audit`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    /// Kind of record; repeat for any of several.
    #[serde(default, rename = "type")]
    #[param(rename = "type")]
    pub record_type: Vec<RecordType>,
    /// One record's id.
    pub id: Option<String>,
    /// Who wrote (`sub`).
    pub actor: Option<String>,
    /// At or after this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_instant")]
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_instant")]
    pub to: Option<DateTime<Utc>>,
    /// `at` or `-at` (default, newest first); `id` breaks ties.
    #[param(pattern = r"^-?at$")]
    pub sort: Option<String>,
}

crate::sortable!(AuditRow, key id, alias "a": at Timestamp);

fn list(conn: &mut DbConnection, f: &AuditFilters, request: &ListRequest) -> Result<Listed<AuditEntry>, ApiError> {
    let mut c = Vec::new();
    if !f.record_type.is_empty() {
        let mut sql = Sql::new("a.record_type IN ");
        sql.bind_list(f.record_type.iter().map(|t| Value::Text(t.as_str().into())));
        c.push(sql);
    }
    if let Some(id) = &f.id {
        let mut sql = Sql::new("a.record_id = ");
        sql.bind(Value::Text(id.trim().to_string()));
        c.push(sql);
    }
    if let Some(actor) = &f.actor {
        let mut sql = Sql::new("a.actor = ");
        sql.bind(Value::Text(actor.clone()));
        c.push(sql);
    }
    if let Some(from) = f.from {
        let mut sql = Sql::new("a.at >= ");
        sql.bind(Value::Timestamp(from.naive_utc()));
        c.push(sql);
    }
    if let Some(to) = f.to {
        let mut sql = Sql::new("a.at < ");
        sql.bind(Value::Timestamp(to.naive_utc()));
        c.push(sql);
    }
    ListQuery::new("a.*", "audit_log a", "a.id", c)
        .run::<AuditRow>(conn, request)?
        .try_map(|rows| Ok(rows.into_iter().map(AuditEntry::from).collect()))
}

/// The audit trail: every write with who (`sub`, role), what (type, id, action, version,
/// changed fields) and when (administrators).
#[utoipa::path(
    tag = "audit",
    params(PageParams, FormatParam, AuditFilters),
    responses(
        (status = 200, description = "A page of entries",
            content((AuditList = "application/json"), (String = "text/csv"))),
                AuditProblems
    ),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn audit(caller: Caller, req: HttpRequest, db: Db) -> Reply {
    caller.require()?.may_read_audit()?;
    let (page, filters): (PageParams, AuditFilters) = paging::parse_query(req.query_string())?;
    let sort = Sort::parse(filters.sort.as_deref(), SORT_FIELDS, "-at")?;
    if csv_export::wanted(&req, &page) {
        let export = csv_export::Export {
            name: "audit",
            columns: CSV_COLUMNS,
            clock_dependent: false,
            texts_of: None,
        };
        return csv_export::respond(&req, &db, export, ListRequest::export(sort), move |conn, request| {
            list(conn, &filters, request)
        })
        .await;
    }
    let request = ListRequest::new(&page, sort)?;
    let listed = db.read(move |conn| list(conn, &filters, &request)).await?;
    Ok(paging::respond(&req, listed))
}

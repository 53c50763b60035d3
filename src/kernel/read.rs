//! The reads every resource shares, over its declared [`Table`](crate::store::tables::Table)'s
//! stored documents ([`docs`](super::docs)): records by key (one query for any number of
//! keys), one record as the caller may see it, a record by a unique column, and a page of
//! records — each one statement, plus one per embedded kind.

use std::collections::HashMap;

use super::docs::{self, DocRow};
use super::{Record, Resource};
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::paging::{ListQuery, ListRequest, Listed, Relevance};
use crate::store::sql::{Sql, Value};
use crate::store::DbConnection;

/// Records whose `column` (of the resource's table) is one of `values`, with the embeds asked for.
pub fn load_where<R: Resource>(
    conn: &mut DbConnection,
    column: &str,
    values: Vec<Value>,
    include: R::Include,
) -> Result<Vec<R::Record>, ApiError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let table = R::TABLE;
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM {} WHERE {}.{column} IN ",
        docs::select::<R>(),
        table.from(),
        table.alias
    ));
    sql.bind_list(values);
    let rows: Vec<DocRow> = sql.load(conn)?;
    let mut records = docs::records::<R>(conn, rows)?;
    R::embed(conn, &mut records, include)?;
    Ok(records)
}

/// Records by stored key, whatever the caller may see.
pub fn load_many<R: Resource>(
    conn: &mut DbConnection,
    keys: &[String],
) -> Result<HashMap<String, R::Record>, ApiError> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let values = keys.into_iter().map(Value::Text).collect();
    Ok(load_where::<R>(conn, R::TABLE.key, values, R::Include::default())?
        .into_iter()
        .map(|r| (r.key().to_string(), r))
        .collect())
}

/// One record by stored key, whatever the caller may see.
pub fn load_one<R: Resource>(
    conn: &mut DbConnection,
    key: &str,
    include: R::Include,
) -> Result<Option<R::Record>, ApiError> {
    Ok(load_where::<R>(conn, R::TABLE.key, vec![Value::Text(key.to_string())], include)?.pop())
}

/// One record the caller may see, or 404 (a draft of somebody else's is not there for them).
pub fn visible_one<R: Resource>(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    include: R::Include,
) -> Result<R::Record, ApiError> {
    load_one::<R>(conn, key, include)?
        .filter(|record| R::visible(caller, record))
        .ok_or_else(|| ApiError::NotFound(format!("no {} has the {} `{key}`", R::KIND.as_str(), R::TABLE.key)))
}

/// The record whose unique `column` has this value, whatever the caller may see.
pub fn find_by<R: Resource>(conn: &mut DbConnection, column: &str, value: &str) -> Result<Option<R::Record>, ApiError> {
    Ok(load_where::<R>(
        conn,
        column,
        vec![Value::Text(value.to_string())],
        R::Include::default(),
    )?
    .pop())
}

/// What a list selects: every condition (the filters', visibility, full-text match) and, for
/// `sort=relevance`, the ranking.
#[derive(Default)]
pub struct Selection {
    /// conditions, all of which hold
    pub conditions: Vec<Sql>,
    /// the full-text ranking, for `sort=relevance`
    pub relevance: Option<Relevance>,
}

impl From<Vec<Sql>> for Selection {
    fn from(conditions: Vec<Sql>) -> Selection {
        Selection {
            conditions,
            relevance: None,
        }
    }
}

fn rows<R: Resource>(
    conn: &mut DbConnection,
    selection: Selection,
    request: &ListRequest,
) -> Result<Listed<DocRow>, ApiError> {
    let table = R::TABLE;
    let from = table.from();
    let key = table.key_column();
    let select = docs::select::<R>();
    let mut query = ListQuery::new(&select, &from, &key, selection.conditions);
    query.relevance = selection.relevance;
    query.plan_for_values = crate::store::size::is_large(table.name);
    query.run::<DocRow>(conn, request)
}

/// One page of the resource's records matching the selection, typed, with the embeds asked
/// for (CSV exports; JSON pages take [`page_documents`]).
pub fn page<R: Resource>(
    conn: &mut DbConnection,
    selection: Selection,
    include: R::Include,
    request: &ListRequest,
) -> Result<Listed<R::Record>, ApiError> {
    rows::<R>(conn, selection, request)?.try_map(|rows| {
        let mut records = docs::records::<R>(conn, rows)?;
        R::embed(conn, &mut records, include)?;
        Ok(records)
    })
}

/// One page as JSON texts, one per record: without embeds, the stored documents as they are
/// (nothing parsed, nothing serialised again: a document is the record's serialisation,
/// written with it); with embeds, the records typed, embedded and serialised.
pub fn page_documents<R: Resource>(
    conn: &mut DbConnection,
    selection: Selection,
    include: R::Include,
    request: &ListRequest,
) -> Result<Listed<String>, ApiError> {
    if include != R::Include::default() {
        return page::<R>(conn, selection, include, request)?
            .try_map(|records| records.iter().map(docs::to_text::<R>).collect());
    }
    rows::<R>(conn, selection, request)?.try_map(|rows| docs::texts::<R>(conn, rows))
}

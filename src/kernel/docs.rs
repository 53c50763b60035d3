//! Stored representations: each record's JSON as a `GET` shows it (embeds left out), kept in
//! its table's `doc` column and rendered in the transaction that writes the record. A read is
//! then one indexed lookup and a list one query returning the page's documents; the link
//! tables stay the source for filtering.
//!
//! Two renderers, which must agree (the `docs_match_tables` tests check every record):
//! - from the input, on the kernel's writes ([`created`], [`updated`]): no re-read;
//! - from the tables ([`refresh`]), for writes that change records as a side effect (an
//!   organisation's deletion clears references to it), reference data seeded by SQL, and
//!   databases from before documents existed ([`render_missing`], run at every start).

use chrono::NaiveDateTime;
use diesel::deserialize::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use serde_json::{Map, Value as Json};

use super::records::{to_json, utc};
use super::{Record, Resource};
use crate::http::error::ApiError;
use crate::http::paging::{Listable, SortField, SortKind, SortValue};
use crate::store::sql::{Sql, TextRow, Value};
use crate::store::tables::Table;
use crate::store::DbConnection;

/// How many records one statement renders or writes back.
const CHUNK: usize = 500;

/// A record's stored key with its document (`NULL` until rendered).
#[derive(Debug, QueryableByName)]
pub struct DocRow {
    /// the stored key
    #[diesel(sql_type = Text)]
    pub key: String,
    /// the record's JSON
    #[diesel(sql_type = Nullable<Text>)]
    pub doc: Option<String>,
}

impl Listable for DocRow {
    fn id(&self) -> &str {
        &self.key
    }

    /// The field's value read from the document, in the cursor's encoding.
    fn sort_value(&self, field: &SortField) -> SortValue<'_> {
        let value = self
            .doc
            .as_deref()
            .and_then(|doc| serde_json::from_str::<Map<String, Json>>(doc).ok())
            .and_then(|mut doc| match doc.remove(field.name) {
                Some(Json::String(text)) => Some(text),
                // A translated field sorts by its text in the original language (its column's).
                Some(Json::Object(mut texts)) => {
                    let original = doc.get("original_language").and_then(Json::as_str).unwrap_or_default();
                    match texts.remove(original) {
                        Some(Json::String(text)) => Some(text),
                        _ => texts.into_iter().find_map(|(_, t)| t.as_str().map(str::to_string)),
                    }
                }
                _ => None,
            })
            .unwrap_or_default();
        SortValue::Encoded(match field.kind {
            SortKind::Timestamp => chrono::DateTime::parse_from_rfc3339(&value)
                .map(|at| SortValue::Timestamp(&at.naive_utc()).encode())
                .unwrap_or_default(),
            SortKind::Text | SortKind::Date => value,
        })
    }
}

/// `SELECT <key> AS key, <alias>.doc AS doc`: the columns a document read selects.
pub fn select<R: Resource>() -> String {
    format!("{} AS key, {}.doc AS doc", R::TABLE.key_column(), R::TABLE.alias)
}

/// Rows to records: each document parsed; a row without one (a database migrated but not yet
/// started) rendered from the tables.
pub fn records<R: Resource>(conn: &mut DbConnection, rows: Vec<DocRow>) -> Result<Vec<R::Record>, ApiError> {
    let missing: Vec<String> = rows.iter().filter(|r| r.doc.is_none()).map(|r| r.key.clone()).collect();
    let mut rendered = if missing.is_empty() {
        Default::default()
    } else {
        log::warn!(
            "{} {} records have no document yet; rendering them from the tables",
            missing.len(),
            R::KIND.as_str()
        );
        from_tables::<R>(conn, &missing)?
            .into_iter()
            .map(|record| (record.key().to_string(), record))
            .collect::<std::collections::HashMap<_, _>>()
    };
    rows.into_iter()
        .filter_map(|row| match row.doc {
            Some(doc) => Some(parse::<R>(&doc)),
            None => rendered.remove(&row.key).map(Ok),
        })
        .collect()
}

/// Rows to JSON texts: each stored document as it is; a row without one is rendered from
/// the tables (as [`records`] does).
pub fn texts<R: Resource>(conn: &mut DbConnection, rows: Vec<DocRow>) -> Result<Vec<String>, ApiError> {
    if rows.iter().all(|r| r.doc.is_some()) {
        return Ok(rows.into_iter().filter_map(|r| r.doc).collect());
    }
    records::<R>(conn, rows)?.iter().map(document::<R>).collect()
}

fn parse<R: Resource>(doc: &str) -> Result<R::Record, ApiError> {
    serde_json::from_str(doc)
        .map_err(|e| ApiError::Internal(format!("corrupt stored {} document: {e}", R::KIND.as_str())))
}

/// A new record's document: `base` (key and whatever else the input does not carry) with the
/// input's fields, version 1, created and updated `at`.
pub fn created<R: Resource>(
    mut base: Map<String, Json>,
    input: &R::Input,
    at: NaiveDateTime,
) -> Result<(R::Record, String), ApiError> {
    let stamp = to_json(&utc(at))?;
    base.insert("version".into(), Json::from(1));
    base.insert("created_at".into(), stamp.clone());
    base.insert("updated_at".into(), stamp);
    render::<R>(base, input)
}

/// The document of `current` after its writable fields became `input`, at `version`.
pub fn updated<R: Resource>(
    current: &R::Record,
    input: &R::Input,
    version: i64,
    at: NaiveDateTime,
) -> Result<(R::Record, String), ApiError> {
    let Json::Object(mut base) = to_json(current)? else {
        return Err(ApiError::Internal(format!(
            "a {} is not a JSON object",
            R::KIND.as_str()
        )));
    };
    base.insert("version".into(), Json::from(version));
    base.insert("updated_at".into(), to_json(&utc(at))?);
    render::<R>(base, input)
}

/// The record typed from `base` overlaid with the input's fields, and its JSON.
fn render<R: Resource>(mut base: Map<String, Json>, input: &R::Input) -> Result<(R::Record, String), ApiError> {
    if let Json::Object(fields) = to_json(input)? {
        base.extend(fields);
    }
    let record: R::Record = serde_json::from_value(Json::Object(base))
        .map_err(|e| ApiError::Internal(format!("rendering a {}: {e}", R::KIND.as_str())))?;
    let doc = document::<R>(&record)?;
    Ok((record, doc))
}

/// Records rendered from their row and link tables (a fixed number of queries for any number of keys).
pub fn from_tables<R: Resource>(conn: &mut DbConnection, keys: &[String]) -> Result<Vec<R::Record>, ApiError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let table = R::TABLE;
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM {} WHERE {} IN ",
        table.columns,
        table.from(),
        table.key_column()
    ));
    sql.bind_list(keys.iter().map(|k| Value::Text(k.clone())));
    let rows: Vec<R::Row> = sql.load(conn)?;
    R::assemble(conn, rows)
}

/// Re-render these records' documents from their tables (after a write that changed them as
/// a side effect): one read per set and one `UPDATE` per chunk of 500.
pub fn refresh<R: Resource>(conn: &mut DbConnection, keys: &[String]) -> Result<(), ApiError> {
    for chunk in keys.chunks(CHUNK) {
        let docs = from_tables::<R>(conn, chunk)?
            .into_iter()
            .map(|record| Ok((record.key().to_string(), document::<R>(&record)?)))
            .collect::<Result<Vec<_>, ApiError>>()?;
        store(conn, R::TABLE, docs)?;
    }
    Ok(())
}

/// A record's JSON text, as a response carries it before its `display`.
pub fn to_text<R: Resource>(record: &R::Record) -> Result<String, ApiError> {
    serde_json::to_string(record).map_err(|e| ApiError::Internal(format!("serialising a {}: {e}", R::KIND.as_str())))
}

/// What a record's document holds: its JSON with the `display` a request that names no
/// language gets (each text in the record's original language). A page of documents for
/// such a request is then written as stored, with no pass over its text (see
/// `http::language::negotiated`); a request naming languages gets its `display` replaced.
pub fn document<R: Resource>(record: &R::Record) -> Result<String, ApiError> {
    Ok(displayed(to_json(record)?).to_string())
}

fn displayed(mut value: Json) -> Json {
    crate::texts::display::decorate(&mut value, &[]);
    value
}

/// Write `(key, document)` pairs with one statement.
fn store(conn: &mut DbConnection, table: &Table, docs: Vec<(String, String)>) -> Result<(), ApiError> {
    if docs.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("WITH v (k, doc) AS (VALUES ");
    sql.once();
    for (i, (key, doc)) in docs.into_iter().enumerate() {
        sql.push(if i == 0 { "" } else { ", " });
        sql.bind_list([Value::Text(key), Value::Text(doc)]);
    }
    sql.push(&format!(
        ") UPDATE {0} SET doc = v.doc FROM v WHERE {0}.{1} = v.k",
        table.name, table.key
    ));
    sql.execute(conn)?;
    Ok(())
}

/// Edit stored documents in place, for a write that changes other records as a side effect
/// (an organisation's deletion clears references to it): each gets its next version,
/// `updated_at = at`, and `change`. The table's own row gets the same in the same transaction.
pub fn edit(
    conn: &mut DbConnection,
    table: &Table,
    keys: &[String],
    at: NaiveDateTime,
    change: impl Fn(&mut Map<String, Json>),
) -> Result<(), ApiError> {
    let stamp = to_json(&utc(at))?;
    for chunk in keys.chunks(CHUNK) {
        let mut sql = Sql::new(&format!(
            "SELECT {0} AS key, doc FROM {1} WHERE {0} IN ",
            table.key, table.name
        ));
        sql.bind_list(chunk.iter().map(|k| Value::Text(k.clone())));
        let mut edited = Vec::new();
        for row in sql.load::<DocRow>(conn)? {
            // A record without a document yet is rendered from its tables when read.
            let Some(doc) = row.doc else { continue };
            let mut doc: Map<String, Json> = serde_json::from_str(&doc)
                .map_err(|e| ApiError::Internal(format!("corrupt stored document in {}: {e}", table.name)))?;
            let version = doc.get("version").and_then(Json::as_i64).unwrap_or(0);
            doc.insert("version".into(), Json::from(version + 1));
            doc.insert("updated_at".into(), stamp.clone());
            change(&mut doc);
            edited.push((row.key, displayed(Json::Object(doc)).to_string()));
        }
        store(conn, table, edited)?;
    }
    Ok(())
}

/// Render the documents of every record that has none (databases from before documents, rows
/// seeded by SQL). Returns how many were rendered.
pub fn render_missing<R: Resource>(conn: &mut DbConnection) -> Result<usize, ApiError> {
    let table = R::TABLE;
    let mut rendered = 0;
    loop {
        let mut sql = Sql::new(&format!(
            "SELECT {} AS value FROM {} WHERE doc IS NULL ORDER BY {} LIMIT ",
            table.key, table.name, table.key
        ));
        sql.bind(Value::Int(CHUNK as i64));
        let keys: Vec<String> = sql.load::<TextRow>(conn)?.into_iter().map(|r| r.value).collect();
        if keys.is_empty() {
            return Ok(rendered);
        }
        refresh::<R>(conn, &keys)?;
        rendered += keys.len();
    }
}

/// The keys of records whose document differs from their rendering from the tables (or is
/// missing): empty when the two renderers agree. For tests and operators.
pub fn stale<R: Resource>(conn: &mut DbConnection) -> Result<Vec<String>, ApiError> {
    let table = R::TABLE;
    let mut stale = Vec::new();
    let mut after = String::new();
    loop {
        let mut sql = Sql::new(&format!(
            "SELECT {0} AS key, doc FROM {1} WHERE {0} > ",
            table.key, table.name
        ));
        sql.bind(Value::Text(after.clone()));
        sql.push(&format!(" ORDER BY {} LIMIT ", table.key));
        sql.bind(Value::Int(CHUNK as i64));
        let rows: Vec<DocRow> = sql.load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(stale);
        };
        after = last.key.clone();
        let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
        let expected: std::collections::HashMap<String, Json> = from_tables::<R>(conn, &keys)?
            .into_iter()
            .map(|record| Ok((record.key().to_string(), displayed(to_json(&record)?))))
            .collect::<Result<_, ApiError>>()?;
        for row in rows {
            let stored = row
                .doc
                .as_deref()
                .and_then(|doc| serde_json::from_str::<Json>(doc).ok());
            if stored.as_ref() != expected.get(&row.key) {
                stale.push(row.key);
            }
        }
    }
}

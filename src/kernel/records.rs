//! Helpers every resource shares: ids, timestamps, merge patch, reference checks, responses.

use actix_web::{http::header, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::openapi::{RefOr, Schema};

use crate::http::error::{ApiError, FieldError};
use crate::store::sql::{CountRow, Sql, Value};
use crate::store::tables::Table;
use crate::store::DbConnection;

pub use super::filters::{
    codes, country_codes, ids, in_link_table, includes, search_text, text_filter, updated_since, SetFilters,
};

/// Base path of the API.
pub const BASE: &str = "/api/v1";

/// A path id as stored (lowercase hyphenated UUID); anything else names no record: 404.
pub fn parse_id(raw: &str, what: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::NotFound(format!("no {what} has the id `{raw}` (ids are UUIDs)")))
}

/// A stored timestamp as the API shows it (RFC 3339, UTC, `Z`).
pub fn utc(ts: NaiveDateTime) -> DateTime<Utc> {
    ts.and_utc()
}

/// Apply an RFC 7396 JSON Merge Patch to `target`.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    if let Value::Object(patch) = patch {
        if !target.is_object() {
            *target = Value::Object(serde_json::Map::new());
        }
        if let Value::Object(map) = target {
            for (key, value) in patch {
                if value.is_null() {
                    map.remove(key);
                } else {
                    merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
    } else {
        *target = patch.clone();
    }
}

/// The writable fields of a resource, as request bodies carry them.
pub trait Writable: Sized + Serialize + DeserializeOwned + utoipa::PartialSchema {
    /// The record these fields belong to.
    type Record: Serialize;
    /// Type, normalise and validate a JSON document (422 on any failure).
    fn parse(value: serde_json::Value) -> Result<Self, ApiError>;
    /// The record's current writable fields: its JSON form, kept to the properties this type
    /// declares (an error only for a corrupt stored record).
    fn of(record: &Self::Record) -> Result<Self, ApiError> {
        let mut document = to_json(record)?;
        if let (serde_json::Value::Object(map), RefOr::T(Schema::Object(schema))) = (&mut document, Self::schema()) {
            map.retain(|name, _| schema.properties.contains_key(name));
        }
        serde_json::from_value(document).map_err(|e| ApiError::Internal(format!("corrupt stored record: {e}")))
    }
}

/// Apply an RFC 7396 merge patch to a record's writable fields and validate the result
/// exactly like a PUT body, so `null` removes and server-owned fields stay unknown.
pub fn patched<W: Writable>(current: &W::Record, patch: &serde_json::Value) -> Result<W, ApiError> {
    if !patch.is_object() {
        return Err(ApiError::invalid(
            "",
            "invalid_type",
            "a merge patch must be a JSON object",
        ));
    }
    // A field the body cannot carry is refused also when the patch "removes" it with `null`
    // (which merging alone would take as a no-op).
    if let (Some(fields), RefOr::T(Schema::Object(schema))) = (patch.as_object(), W::schema()) {
        if let Some(name) = fields.keys().find(|name| !schema.properties.contains_key(*name)) {
            return Err(ApiError::invalid(
                name,
                "unknown_field",
                format!("`{name}` is not a field of this resource, or is set by the server"),
            ));
        }
    }
    let mut document = to_json(&W::of(current)?)?;
    merge_patch(&mut document, patch);
    W::parse(document)
}

/// Inputs that carry the client's own id.
pub trait External: Writable {
    /// The client's id, if any.
    fn external_id(&self) -> Option<&str>;
}

/// Implement [`Writable`] for an input type with `from_json`; with `external_id`, also
/// [`External`] for one whose field `external_id` is the client's id.
#[macro_export]
macro_rules! writable {
    ($input:ty, $record:ty) => {
        impl $crate::kernel::records::Writable for $input {
            type Record = $record;
            fn parse(value: serde_json::Value) -> Result<Self, $crate::http::error::ApiError> {
                <$input>::from_json(value)
            }
        }
    };
    ($input:ty, $record:ty, external_id) => {
        $crate::writable!($input, $record);
        impl $crate::kernel::records::External for $input {
            fn external_id(&self) -> Option<&str> {
                self.external_id.as_deref()
            }
        }
    };
}

/// Serialise `value` as JSON (for merge patching); infallible for the API's own types.
pub fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(format!("serialising a record: {e}")))
}

/// Whether `table` has a row with this key.
pub fn exists(conn: &mut DbConnection, table: &Table, key: &str) -> Result<bool, ApiError> {
    let value = key;
    let mut sql = Sql::new(&format!(
        "SELECT count(*) AS count FROM {} WHERE {} = ",
        table.name, table.key
    ));
    sql.bind(Value::Text(value.to_string()));
    Ok(sql.load::<CountRow>(conn)?.first().is_some_and(|r| r.count > 0))
}

/// How many rows of the given `(table, column)` pairs refer to `value` (one query).
pub fn count_references(conn: &mut DbConnection, refs: &[(&str, &str)], value: &str) -> Result<i64, ApiError> {
    let mut sql = Sql::new("SELECT count(*) AS count FROM (");
    for (i, (table, column)) in refs.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(&format!("SELECT 1 AS x FROM {table} WHERE {column} = "));
        sql.bind(Value::Text(value.to_string()));
    }
    sql.push(") refs");
    Ok(sql.load::<CountRow>(conn)?.first().map_or(0, |r| r.count))
}

/// Collects references to check, then checks them all in one statement and reports every
/// missing one at once.
#[derive(Default)]
pub struct References {
    wanted: Vec<Reference>,
}

/// One reference to check: the table it names, the key, and the field error if it is missing.
struct Reference {
    table: &'static Table,
    key: String,
    error: FieldError,
}

impl References {
    /// `key` must name a row of `table`; else the field error `code` with `message`.
    pub fn want(&mut self, table: &'static Table, field: &str, key: &str, code: &str, message: String) {
        self.wanted.push(Reference {
            table,
            key: key.to_string(),
            error: FieldError::new(field, code, message),
        });
    }

    /// Check every collected reference in one statement (none when there are none): 422
    /// naming each missing one, in the order they were collected.
    pub fn finish(self, conn: &mut DbConnection) -> Result<(), ApiError> {
        if self.wanted.is_empty() {
            return Ok(());
        }
        // SELECT CAST(0 AS BIGINT) AS count WHERE NOT EXISTS (SELECT 1 FROM <t> WHERE <key> = $1)
        // UNION ALL …: the positions of the missing references.
        let mut sql = Sql::new("");
        for (i, reference) in self.wanted.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push(&format!(
                "SELECT CAST({i} AS BIGINT) AS count WHERE NOT EXISTS (SELECT 1 FROM {} WHERE {} = ",
                reference.table.name, reference.table.key
            ));
            sql.bind(Value::Text(reference.key.clone()));
            sql.push(")");
        }
        let missing: std::collections::BTreeSet<i64> =
            sql.load::<CountRow>(conn)?.into_iter().map(|r| r.count).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let errors = self
            .wanted
            .into_iter()
            .enumerate()
            .filter(|(i, _)| missing.contains(&(*i as i64)))
            .map(|(_, reference)| reference.error)
            .collect();
        Err(ApiError::Validation(errors))
    }
}

/// 201 Created with `Location` and the new record's `ETag`.
pub fn created<T: Serialize>(location: String, version: i64, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, crate::http::caching::etag(version)))
        .json(body)
}

//! The write journal: every write records who (`sub`, role) did what (record type, id, action,
//! version, changed fields) and when, in the write's own transaction. Side effects of a write
//! (memberships removed with their coalition, a coordinator cleared with its organisation)
//! are recorded as writes of the same actor.

use serde::Serialize;

use crate::http::error::ApiError;
use crate::store::batch::Batch;
use crate::store::sql::{Sql, Value};
use crate::store::{now, DbConnection};

/// What a journal row says was written, as the feeds read it back: which record, and how.
#[derive(Debug, diesel::QueryableByName)]
pub struct Written {
    /// the record's type (`RecordType::as_str`)
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub record_type: String,
    /// the record's key
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub record_id: String,
    /// `created`, `updated` or `deleted`
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub action: String,
}

/// A kind of record the journal knows: its name in the API and in the journal. Each resource
/// declares its own (`Resource::KIND`, listed by `crate::resources::registry`, which also
/// gives this type its schema); [`RecordType::CLIENT`] is the service's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordType {
    name: &'static str,
    in_feed: bool,
}

impl RecordType {
    /// Machine clients of the token endpoint: in the audit trail only, never in the change feed.
    pub const CLIENT: RecordType = RecordType {
        name: "client",
        in_feed: false,
    };

    /// A kind of public records (the change feed carries them) with this name.
    pub const fn new(name: &'static str) -> RecordType {
        RecordType { name, in_feed: true }
    }

    /// The name used in the API and stored in the journal.
    pub fn as_str(self) -> &'static str {
        self.name
    }

    /// Whether the change feed carries records of this kind (the public ones do).
    pub fn in_feed(self) -> bool {
        self.in_feed
    }
}

impl Serialize for RecordType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name)
    }
}

/// A kind of record the change feed carries, for the document (its schema lists the
/// registered resources' kinds: `crate::resources::registry`).
pub struct FeedType;

/// Who is writing.
#[derive(Debug, Clone)]
pub struct Actor {
    /// the token's `sub`, or `system` for seeding
    pub sub: String,
    /// `admin`, `editor` or `system`
    pub role: &'static str,
}

impl Actor {
    /// The service itself (seeding reference and demo data).
    pub fn system() -> Actor {
        Actor {
            sub: "system".into(),
            role: "system",
        }
    }

    /// An operator at the command line (`coalition-registry client …`).
    pub fn command_line() -> Actor {
        Actor {
            sub: "cli".into(),
            role: "system",
        }
    }
}

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Action {
    /// created
    Created,
    /// changed
    Updated,
    /// removed
    Deleted,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
        }
    }
}

/// One journal entry.
pub struct Entry {
    /// the kind of record
    pub record_type: RecordType,
    /// the record's id (a country's code)
    pub record_id: String,
    /// what happened
    pub action: Action,
    /// the record's version after the write (none after a deletion)
    pub version: Option<i64>,
    /// the writable fields that changed (all that are set, for a creation)
    pub changed: Vec<String>,
    /// the key was made for this write (a new random id): the feed has no earlier row of
    /// the record to replace
    pub new_key: bool,
}

impl Entry {
    /// This entry's record has a key made for this write (see [`Entry::new_key`]) when `new`.
    pub fn with_new_key(mut self, new: bool) -> Entry {
        self.new_key = new;
        self
    }
}

/// Record entries in the current transaction: audit rows, and the change feed (each record's
/// previous feed row replaced by one with a new, higher `seq`).
pub fn record(conn: &mut DbConnection, actor: &Actor, entries: Vec<Entry>) -> Result<(), ApiError> {
    record_with(conn, actor, entries, Batch::default(), Batch::default())
}

/// Record entries together with the write's own statements: `before` (e.g. the `DELETE`s of
/// rewritten link rows) runs with the feed rows' replacement, then `after` (the write's
/// `INSERT`s) with the feed and audit rows — on PostgreSQL two statements in all.
pub fn record_with(
    conn: &mut DbConnection,
    actor: &Actor,
    entries: Vec<Entry>,
    mut before: Batch,
    mut after: Batch,
) -> Result<(), ApiError> {
    if entries.is_empty() {
        before.execute(conn)?;
        after.execute(conn)?;
        return Ok(());
    }
    let at = now();
    let mut by_type: std::collections::BTreeMap<&'static str, Vec<Value>> = std::collections::BTreeMap::new();
    for e in entries.iter().filter(|e| e.record_type.in_feed() && !e.new_key) {
        by_type
            .entry(e.record_type.as_str())
            .or_default()
            .push(Value::Text(e.record_id.clone()));
    }
    for (record_type, ids) in by_type {
        for chunk in ids.chunks(1000) {
            let mut sql = Sql::new("DELETE FROM changes WHERE record_type = ");
            sql.bind(Value::Text(record_type.into()));
            sql.push(" AND record_id IN ");
            sql.bind_list(chunk.to_vec());
            before.push(sql);
        }
    }
    let feed: Vec<Vec<Value>> = entries
        .iter()
        .filter(|e| e.record_type.in_feed())
        .map(|e| {
            vec![
                Value::Text(e.record_type.as_str().into()),
                Value::Text(e.record_id.clone()),
                Value::Text(e.action.as_str().into()),
                Value::opt_int(e.version),
                Value::Timestamp(at),
            ]
        })
        .collect();
    before.execute(conn)?;
    if !feed.is_empty() {
        after.insert(
            "changes",
            &["record_type", "record_id", "action", "version", "at"],
            feed,
        );
    }
    let rows = entries
        .into_iter()
        .map(|e| {
            vec![
                Value::Text(super::new_id()),
                Value::Timestamp(at),
                Value::Text(actor.sub.clone()),
                Value::Text(actor.role.into()),
                Value::Text(e.record_type.as_str().into()),
                Value::Text(e.record_id),
                Value::Text(e.action.as_str().into()),
                Value::opt_int(e.version),
                Value::Text(e.changed.join(",")),
            ]
        })
        .collect();
    after.insert(
        "audit_log",
        &[
            "id",
            "at",
            "actor",
            "role",
            "record_type",
            "record_id",
            "action",
            "version",
            "changed_fields",
        ],
        rows,
    );
    after.execute(conn)?;
    Ok(())
}

fn fields<T: Serialize>(value: &T) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// The top-level fields that differ between two versions of a record's writable fields.
pub fn changed_fields<T: Serialize>(before: &T, after: &T) -> Vec<String> {
    let (before, after) = (fields(before), fields(after));
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// The fields a new record has set.
pub fn set_fields<T: Serialize>(input: &T) -> Vec<String> {
    fields(input)
        .into_iter()
        .filter(|(_, v)| {
            !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()) && v.as_object().is_none_or(|o| !o.is_empty())
        })
        .map(|(k, _)| k)
        .collect()
}

/// A creation entry.
pub fn created<T: Serialize>(record_type: RecordType, record_id: &str, input: &T) -> Entry {
    Entry {
        record_type,
        record_id: record_id.to_string(),
        action: Action::Created,
        version: Some(1),
        changed: set_fields(input),
        new_key: false,
    }
}

/// A creation entry of a bulk load: the fields are not itemised.
pub fn bulk_created(record_type: RecordType, record_id: &str) -> Entry {
    Entry {
        record_type,
        record_id: record_id.to_string(),
        action: Action::Created,
        version: Some(1),
        changed: Vec::new(),
        new_key: false,
    }
}

/// An update entry.
pub fn updated<T: Serialize>(record_type: RecordType, record_id: &str, version: i64, before: &T, after: &T) -> Entry {
    Entry {
        record_type,
        record_id: record_id.to_string(),
        action: Action::Updated,
        version: Some(version),
        changed: changed_fields(before, after),
        new_key: false,
    }
}

/// A deletion entry.
pub fn deleted(record_type: RecordType, record_id: &str) -> Entry {
    Entry {
        record_type,
        record_id: record_id.to_string(),
        action: Action::Deleted,
        version: None,
        changed: Vec::new(),
        new_key: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_and_set_fields() {
        let a = serde_json::json!({"name": "A", "website": null, "areas": []});
        let b = serde_json::json!({"name": "B", "website": "https://x", "areas": []});
        assert_eq!(changed_fields(&a, &b), ["name", "website"]);
        assert_eq!(set_fields(&b), ["name", "website"]);
    }
}

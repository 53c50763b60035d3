//! The resource kernel: a resource declares itself once (its record and input types, how it
//! is listed, read and written, and who may do what), and the kernel serves every request for
//! it the same way: [`handlers`] for HTTP, [`routes`] for the route + OpenAPI declaration,
//! [`write`] for the version-guarded write with its journal entry.
//!
//! Each HTTP handler runs the same steps for every resource, in this order: authenticate,
//! the resource's pre-check for the operation (e.g. admins only), parse the key, then — in one
//! transaction — load the current record as the caller may see it, the record-level check,
//! `If-Match`, parse the body, the check of the new state, and the write.

pub mod docs;
pub mod filters;
pub mod handlers;
pub mod read;
pub mod records;
pub mod registry;
pub mod routes;
pub mod sync;
pub mod write;

use std::collections::HashMap;

use diesel::deserialize::QueryableByName;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::paging::{Listable, PageParams, Sort};
use crate::kernel::records::Writable;
use crate::store::journal::{Actor, RecordType};
use crate::store::sql::Value;
use crate::store::tables::{LinkTable, Table};
use crate::store::DbConnection;
use crate::store::MultiBackend;

/// A write operation, for the checks a resource makes before reading anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `POST`, a batch, or an upsert
    Create,
    /// `PUT` or `PATCH`
    Update,
    /// `DELETE`
    Delete,
}

/// What the kernel reads of every record: the key it is stored under and its version.
pub trait Record {
    /// The key as stored: an id, or a country's code.
    fn key(&self) -> &str;
    /// +1 on every change; the record's `ETag`.
    fn version(&self) -> i64;
}

/// Implement [`Record`] for a record type with a `version` field and the named key field.
#[macro_export]
macro_rules! record {
    ($record:ty, $key:ident) => {
        impl $crate::kernel::Record for $record {
            fn key(&self) -> &str {
                &self.$key
            }
            fn version(&self) -> i64 {
                self.version
            }
        }
    };
}

/// What a URL names a record by, as stored.
pub trait Key {
    /// The stored key (the last segment, for nested routes).
    fn stored(&self) -> &str;
}

impl Key for String {
    fn stored(&self) -> &str {
        self
    }
}

impl Key for (String, String) {
    fn stored(&self) -> &str {
        &self.1
    }
}

/// One set of a record: rows of a link table, without the owner column.
pub struct Set {
    /// the link table
    pub link: &'static LinkTable,
    /// the rows, in the link table's `columns` order
    pub rows: Vec<Vec<Value>>,
}

impl Set {
    /// A set of single values (the link table's member column).
    pub fn of<S: Into<String>>(link: &'static LinkTable, members: impl IntoIterator<Item = S>) -> Set {
        Set {
            link,
            rows: members.into_iter().map(|m| vec![Value::Text(m.into())]).collect(),
        }
    }
}

/// A resource served by the kernel. Implementations live in `<resource>/resource.rs`.
pub trait Resource: Sized + Send + Sync + 'static {
    /// The record as the API shows it.
    type Record: Record + Serialize + DeserializeOwned + Clone + Send + 'static;
    /// The writable fields, as request bodies carry them.
    type Input: Writable<Record = Self::Record> + PartialEq + Send + 'static;
    /// The query parameters of a single-record `GET` (an empty strict struct when none).
    type GetParams: DeserializeOwned + Send + 'static;
    /// Related records a read can embed (`()` when none).
    type Include: Copy + Default + PartialEq + Send + 'static;
    /// What a URL names a record by (an id, a country code, a coalition and membership id),
    /// as its path segments (`String`, or a tuple for nested routes).
    type Key: Key + DeserializeOwned + Send + 'static;

    /// The row as stored (sets live in link tables), for rendering documents from the tables.
    type Row: QueryableByName<MultiBackend> + Listable + Send + 'static;

    /// The feed and journal kind.
    const KIND: RecordType;
    /// The resource's table.
    const TABLE: &'static Table;
    /// Name of the list in CSV file names, e.g. `initiatives`.
    const COLLECTION: &'static str;
    /// Columns of the CSV export, in order.
    const CSV_COLUMNS: &'static [&'static str];
    /// Whether its list hangs off another record's URL (memberships) rather than the API root.
    const NESTED: bool = false;
    /// Whether the records have translated fields ([`crate::texts`]): their table has `texts`.
    const TRANSLATED: bool = false;

    /// The key a URL's segments name, checked and as stored (404 for anything that cannot
    /// name a record).
    fn key(args: Self::Key) -> Result<Self::Key, ApiError>;
    /// The record's version (its `ETag`).
    fn version(record: &Self::Record) -> i64 {
        record.version()
    }
    /// Where the record lives (`Location` of a 201).
    fn location(record: &Self::Record) -> String {
        format!("{}/{}/{}", crate::kernel::records::BASE, Self::COLLECTION, record.key())
    }

    /// The embeds of a single-record request.
    fn get_include(_params: &Self::GetParams) -> Result<Self::Include, ApiError> {
        Ok(Self::Include::default())
    }
    /// One record as `caller` may see it, or 404.
    fn get(
        conn: &mut DbConnection,
        caller: &Caller,
        key: &Self::Key,
        include: Self::Include,
    ) -> Result<Self::Record, ApiError> {
        read::visible_one::<Self>(conn, caller, key.stored(), include)
    }

    /// Rows to records with their sets, rendered from the tables (see [`docs`]): a fixed
    /// number of queries, whatever the number of rows.
    fn assemble(conn: &mut DbConnection, rows: Vec<Self::Row>) -> Result<Vec<Self::Record>, ApiError>;
    /// Embed the related records asked for: one query per embedded kind.
    fn embed(_conn: &mut DbConnection, _records: &mut [Self::Record], _include: Self::Include) -> Result<(), ApiError> {
        Ok(())
    }
    /// Records by stored key, whatever the caller may see (callers filter with [`Resource::visible`]):
    /// a fixed number of queries, whatever the number of keys.
    fn load_many(conn: &mut DbConnection, keys: &[String]) -> Result<HashMap<String, Self::Record>, ApiError> {
        read::load_many::<Self>(conn, keys)
    }
    /// Whether `caller` may see `record` (drafts are not for everyone).
    fn visible(_caller: &Caller, _record: &Self::Record) -> bool {
        true
    }

    /// Checked before anything is read: e.g. "only administrators may …".
    fn may(_principal: &Principal, _op: Op) -> Result<(), ApiError> {
        Ok(())
    }
    /// May `principal` change (update or delete) this record?
    fn may_change(_conn: &mut DbConnection, _principal: &Principal, _current: &Self::Record) -> Result<(), ApiError> {
        Ok(())
    }
    /// May `principal` delete this record? (Default: as for changes.)
    fn may_delete(conn: &mut DbConnection, principal: &Principal, current: &Self::Record) -> Result<(), ApiError> {
        Self::may_change(conn, principal, current)
    }
    /// May `principal` write a record with these fields (creates, batches, upserts)?
    fn may_write(_principal: &Principal, _input: &Self::Input) -> Result<(), ApiError> {
        Ok(())
    }
    /// May `principal` turn `current` into `input`? (Default: as for new records.)
    fn may_replace(principal: &Principal, _current: &Self::Record, input: &Self::Input) -> Result<(), ApiError> {
        Self::may_write(principal, input)
    }

    /// Index for search the records written before their search column existed (at start-up,
    /// after [`docs::render_missing`]); how many. Resources nothing searches keep the default.
    fn index_missing(_conn: &mut DbConnection) -> Result<usize, ApiError> {
        Ok(0)
    }

    /// Replace a record's fields: [`write::update`] (version-guarded, journaled; unchanged
    /// keeps the version).
    fn update(
        conn: &mut DbConnection,
        actor: &Actor,
        current: &Self::Record,
        input: Self::Input,
    ) -> Result<Self::Record, ApiError> {
        write::update::<Self>(conn, actor, current, input)
    }
    /// The key as stored: the journal's record id (an id, a country's code).
    fn stored_key(record: &Self::Record) -> String {
        record.key().to_string()
    }
    /// What a write must satisfy in the database: references exist, fields that cannot
    /// change did not (`current` is `None` for a new record). 422 otherwise.
    fn check_input(
        conn: &mut DbConnection,
        current: Option<&Self::Record>,
        input: &Self::Input,
    ) -> Result<(), ApiError>;
    /// The columns a write takes from the input, with their values: all but the key, the
    /// version and the timestamps. Creates, updates and bulk loads all write these.
    fn fields(input: &Self::Input) -> Vec<(&'static str, Value)>;
    /// The record's sets, each the rows of a link table (the owner column left out). Every
    /// set the resource has, also when empty: an update replaces them all.
    fn sets(_input: &Self::Input) -> Vec<Set> {
        Vec::new()
    }
    /// The record as stored now, after a write.
    fn reload(conn: &mut DbConnection, key: &str) -> Result<Self::Record, ApiError> {
        read::load_one::<Self>(conn, key, Self::Include::default())?
            .ok_or_else(|| ApiError::Internal(format!("{} {key} vanished during its write", Self::KIND.as_str())))
    }
    /// Delete a record (its sets go by cascade), journaled. Resources whose deletion has side
    /// effects on other records say so here.
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Self::Record) -> Result<(), ApiError> {
        write::delete::<Self>(conn, actor, current.key())
    }
}

/// A resource with a top-level collection: listed and created at `/<resources>`.
pub trait Collection: Resource {
    /// The list's filters (strict query parameters).
    type Filters: DeserializeOwned + Send + 'static;

    /// The sort of a list request.
    fn sort(filters: &Self::Filters) -> Result<Sort, ApiError>;
    /// Whether the list's result moves with the clock (its CSV export then gets no `ETag`).
    fn depends_on_clock(_filters: &Self::Filters) -> bool {
        false
    }
    /// The embeds of a list request.
    fn list_include(_filters: &Self::Filters) -> Result<Self::Include, ApiError> {
        Ok(Self::Include::default())
    }
    /// What a list request selects of the records `caller` may see: the filters' conditions
    /// (visibility included) and, for `sort=relevance`, the ranking. The kernel pages it
    /// ([`read::page`], [`read::page_documents`]).
    fn select(conn: &mut DbConnection, caller: &Caller, filters: &Self::Filters) -> Result<read::Selection, ApiError>;
    /// Create a record: [`write::create`] (references checked, journaled).
    fn create(conn: &mut DbConnection, actor: &Actor, input: Self::Input) -> Result<Self::Record, ApiError> {
        write::create::<Self>(conn, actor, input)
    }
    /// Whether [`Collection::new_key`] makes a key never used before (a new random id), so a
    /// new record has no earlier feed row to replace; `false` for keys taken from the fields.
    const NEW_KEYS: bool = true;
    /// The stored key of a new record (a new id; a country's code comes from its fields).
    fn new_key(_input: &Self::Input) -> String {
        crate::store::new_id()
    }
}

/// Resources that client systems write by their own id: upserts and batches.
pub trait Syncable: Collection {
    /// The record known by this external id (whatever the caller may see), if any.
    fn find_external(conn: &mut DbConnection, external_id: &str) -> Result<Option<Self::Record>, ApiError> {
        read::find_by::<Self>(conn, "external_id", external_id)
    }
    /// Check a batch item's references without writing it.
    fn check_references(conn: &mut DbConnection, input: &Self::Input) -> Result<(), ApiError> {
        Self::check_input(conn, None, input)
    }
}

/// Paging and filters of a list request, parsed strictly.
pub fn parse_list<R: Collection>(query: &str) -> Result<(PageParams, R::Filters), ApiError> {
    crate::http::paging::parse_query(query)
}

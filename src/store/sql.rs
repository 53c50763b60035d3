//! A small SQL builder for the queries diesel's DSL cannot express portably over the
//! connection enum (dynamic filters, keyset predicates, `IN` lists). SQL text comes only
//! from fixed fragments in this crate; every value is a bound parameter.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::deserialize::QueryableByName;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text, Timestamp, Untyped};

use super::tables::LinkTable;
use super::{DbConnection, MultiBackend};

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// text
    Text(String),
    /// 64-bit integer
    Int(i64),
    /// boolean
    Bool(bool),
    /// timestamp (UTC, no zone)
    Timestamp(NaiveDateTime),
    /// calendar date
    Date(NaiveDate),
    /// a NULL text
    NullText,
    /// a NULL date
    NullDate,
    /// a NULL 64-bit integer
    NullInt,
}

impl Value {
    /// Text.
    pub fn text(value: impl Into<String>) -> Value {
        Value::Text(value.into())
    }

    /// Text or NULL, from a borrowed option.
    pub fn opt(value: Option<&str>) -> Value {
        value.map_or(Value::NullText, |v| Value::Text(v.to_string()))
    }

    /// Text or NULL.
    pub fn opt_text(value: Option<String>) -> Value {
        value.map_or(Value::NullText, Value::Text)
    }

    /// Date or NULL.
    pub fn opt_date(value: Option<NaiveDate>) -> Value {
        value.map_or(Value::NullDate, Value::Date)
    }

    /// Integer or NULL.
    pub fn opt_int(value: Option<i64>) -> Value {
        value.map_or(Value::NullInt, Value::Int)
    }
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Bind(Value),
    /// one rendering per backend, chosen when the statement runs
    PerBackend {
        postgres: Vec<Part>,
        sqlite: Vec<Part>,
    },
}

/// SQL text with its bound values; each value becomes a placeholder in the backend's syntax
/// when the statement runs.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    parts: Vec<Part>,
    /// run once, not kept prepared (a bulk statement whose shape depends on its row count)
    once: bool,
    /// on SQLite, a condition that finds its rows through a subquery's list (link tables, the
    /// full-text index): a page over it is sorted after its rows are found, so the page finds
    /// its keys first (see `ListQuery::run`)
    gathers_on_sqlite: bool,
}

impl Sql {
    /// Start from a fixed fragment.
    pub fn new(text: &str) -> Sql {
        let mut sql = Sql::default();
        sql.push(text);
        sql
    }

    /// Append a fixed fragment.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.parts.push(Part::Text(text.to_string()));
        self
    }

    /// Append a placeholder bound to `value`.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.parts.push(Part::Bind(value));
        self
    }

    /// Append another builder's text and values.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        self.parts.extend(other.parts.iter().cloned());
        self.once |= other.once;
        self.gathers_on_sqlite |= other.gathers_on_sqlite;
        self
    }

    /// A fragment written once per backend (PostgreSQL's `facets` arrays, SQLite's link
    /// tables); the connection that runs the statement picks its own.
    pub fn per_backend(postgres: Sql, sqlite: Sql) -> Sql {
        Sql {
            parts: vec![Part::PerBackend {
                postgres: postgres.parts,
                sqlite: sqlite.parts,
            }],
            once: postgres.once || sqlite.once,
            gathers_on_sqlite: sqlite.gathers_on_sqlite,
        }
    }

    /// Append `(v1, v2, …)` with one placeholder per value.
    pub fn bind_list(&mut self, values: impl IntoIterator<Item = Value>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }

    /// ` WHERE (a) AND (b) …` of the given conditions; empty when there are none.
    pub fn where_all<'a>(conditions: impl IntoIterator<Item = &'a Sql>) -> Sql {
        let mut sql = Sql::default();
        for (i, condition) in conditions.into_iter().enumerate() {
            sql.push(if i == 0 { " WHERE (" } else { " AND (" });
            sql.append(condition);
            sql.push(")");
        }
        sql
    }

    /// How many values are bound (the larger count where the backends' fragments differ).
    pub fn binds(&self) -> usize {
        fn count(parts: &[Part]) -> usize {
            parts
                .iter()
                .map(|part| match part {
                    Part::Text(_) => 0,
                    Part::Bind(_) => 1,
                    Part::PerBackend { postgres, sqlite } => count(postgres).max(count(sqlite)),
                })
                .sum()
        }
        count(&self.parts)
    }

    /// Whether nothing has been appended.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Do not keep this statement prepared: its text depends on how many rows it carries
    /// (bulk inserts and updates), so it would rarely be reused.
    pub fn once(&mut self) -> &mut Self {
        self.once = true;
        self
    }

    /// Mark a condition that, on SQLite, gathers its rows through a subquery's list.
    pub fn gathers_on_sqlite(&mut self) -> &mut Self {
        self.gathers_on_sqlite = true;
        self
    }

    /// Whether this (condition) gathers its rows through a subquery's list on SQLite.
    pub fn gathered_on_sqlite(&self) -> bool {
        self.gathers_on_sqlite
    }

    /// Run as a query and load every row.
    pub fn load<T>(&self, conn: &mut DbConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<MultiBackend> + 'static,
    {
        Statement { sql: self }.load(conn)
    }

    /// Run as a statement and return the number of affected rows.
    pub fn execute(&self, conn: &mut DbConnection) -> QueryResult<usize> {
        Statement { sql: self }.execute(conn)
    }
}

/// A built statement as diesel runs it: the text and the binds walked in order (each bind a
/// placeholder of the backend's own syntax), prepared once per connection and reused. Diesel
/// caches prepared statements by their SQL text unless a query says it is unsafe to;
/// `diesel::sql_query` must say so (its text could hold literal values), but this builder's
/// text comes only from fixed fragments, so the same text always means the same statement.
struct Statement<'a> {
    sql: &'a Sql,
}

static NULL_TEXT: Option<String> = None;
static NULL_DATE: Option<NaiveDate> = None;
static NULL_INT: Option<i64> = None;

impl QueryId for Statement<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Statement<'_> {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for Statement<'_> {}

impl QueryFragment<MultiBackend> for Statement<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        if self.sql.once {
            out.unsafe_to_cache_prepared();
        }
        walk(&self.sql.parts, &mut out)
    }
}

fn walk<'b>(parts: &'b [Part], out: &mut AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
    for part in parts {
        match part {
            Part::Text(text) => out.push_sql(text),
            Part::Bind(value) => match value {
                Value::Text(v) => out.push_bind_param::<Text, _>(v)?,
                Value::Int(v) => out.push_bind_param::<BigInt, _>(v)?,
                Value::Bool(v) => out.push_bind_param::<Bool, _>(v)?,
                Value::Timestamp(v) => out.push_bind_param::<Timestamp, _>(v)?,
                Value::Date(v) => out.push_bind_param::<Date, _>(v)?,
                Value::NullText => out.push_bind_param::<Nullable<Text>, _>(&NULL_TEXT)?,
                Value::NullDate => out.push_bind_param::<Nullable<Date>, _>(&NULL_DATE)?,
                Value::NullInt => out.push_bind_param::<Nullable<BigInt>, _>(&NULL_INT)?,
            },
            Part::PerBackend { postgres, sqlite } => match out.backend() {
                MultiBackend::Postgresql(_) => walk(postgres, out)?,
                MultiBackend::Sqlite(_) => walk(sqlite, out)?,
            },
        }
    }
    Ok(())
}

/// One `count` column, for `SELECT count(*) AS count …`.
#[derive(QueryableByName, Debug)]
pub struct CountRow {
    /// the count
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// One text column named `value`.
#[derive(QueryableByName, Debug)]
pub struct TextRow {
    /// the text
    #[diesel(sql_type = Text)]
    pub value: String,
}

/// Rows of `(key, value)` text pairs, e.g. an owner id and one member of a set.
#[derive(QueryableByName, Debug)]
pub struct PairRow {
    /// owner id
    #[diesel(sql_type = Text)]
    pub key: String,
    /// set member
    #[diesel(sql_type = Text)]
    pub value: String,
}

/// Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Load the sets of a link table for a set of owners in one query, each set sorted.
pub fn load_sets(
    conn: &mut DbConnection,
    link: &LinkTable,
    owners: &[String],
) -> QueryResult<std::collections::HashMap<String, Vec<String>>> {
    load_sets_of(conn, link, link.value, owners)
}

/// Like [`load_sets`], yielding another column of the link table (e.g. a role), in the
/// order of the set's members.
pub fn load_sets_of(
    conn: &mut DbConnection,
    link: &LinkTable,
    column: &str,
    owners: &[String],
) -> QueryResult<std::collections::HashMap<String, Vec<String>>> {
    let LinkTable {
        name: table,
        owner: owner_column,
        value: member,
        ..
    } = link;
    let mut sets: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    if owners.is_empty() {
        return Ok(sets);
    }
    let mut sql = Sql::new(&format!(
        "SELECT {owner_column} AS key, {column} AS value FROM {table} WHERE {owner_column} IN "
    ));
    sql.bind_list(owners.iter().map(|o| Value::Text(o.clone())));
    sql.push(&format!(" ORDER BY {owner_column}, {member}"));
    for row in sql.load::<PairRow>(conn)? {
        sets.entry(row.key).or_default().push(row.value);
    }
    Ok(sets)
}

//! Sorting: the `sort` parameter against a resource's fields, with the `id` tiebreak, and
//! the keyset cursors bound to it.

use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::http::error::ApiError;
use crate::store::sql::{Sql, Value};

/// The type of a sortable column, for decoding cursor values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    /// text column
    Text,
    /// timestamp column
    Timestamp,
    /// date column
    Date,
}

/// A field a resource can be sorted by (a non-null column).
#[derive(Debug)]
pub struct SortField {
    /// name in the `sort` parameter
    pub name: &'static str,
    /// SQL column expression
    pub column: &'static str,
    /// column type
    pub kind: SortKind,
}

/// A parsed `sort` parameter.
#[derive(Debug, Clone)]
pub struct Sort {
    pub(super) fields: Vec<(&'static SortField, bool)>,
    pub(super) relevance: bool,
}

impl Sort {
    /// Parse `sort` (e.g. `-updated_at,name`) against the allowed fields.
    pub fn parse(param: Option<&str>, allowed: &'static [SortField], default: &str) -> Result<Sort, ApiError> {
        let text = param.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(default);
        Self::parse_fields(text, allowed)
    }

    /// Like [`Sort::parse`], also accepting `relevance` (best full-text match first), which
    /// needs a search query.
    pub fn parse_searchable(
        param: Option<&str>,
        allowed: &'static [SortField],
        default: &str,
        has_query: bool,
    ) -> Result<Sort, ApiError> {
        let text = param.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(default);
        if text != "relevance" {
            return Self::parse_fields(text, allowed);
        }
        if !has_query {
            return Err(ApiError::bad_param(
                "sort",
                "relevance_needs_q",
                "sort=relevance needs a search query `q`",
            ));
        }
        Ok(Sort {
            fields: Vec::new(),
            relevance: true,
        })
    }

    fn parse_fields(text: &str, allowed: &'static [SortField]) -> Result<Sort, ApiError> {
        let mut fields: Vec<(&'static SortField, bool)> = Vec::new();
        for item in text.split(',') {
            let item = item.trim();
            let (name, desc) = match item.strip_prefix('-') {
                Some(name) => (name, true),
                None => (item.strip_prefix('+').unwrap_or(item), false),
            };
            if name == "id" {
                // `id` always ends the sort; asking for it explicitly changes nothing.
                continue;
            }
            let field = allowed.iter().find(|f| f.name == name).ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|f| f.name).collect();
                ApiError::bad_param(
                    "sort",
                    "unknown_sort_field",
                    format!("cannot sort by `{name}`; sortable fields: {}", names.join(", ")),
                )
            })?;
            // A field named again changes nothing: its first mention decides (the OpenAPI
            // pattern cannot forbid repeats, so the service does not either).
            if fields.iter().any(|(f, _)| f.name == field.name) {
                continue;
            }
            fields.push((field, desc));
        }
        Ok(Sort {
            fields,
            relevance: false,
        })
    }

    /// Canonical text of this sort, bound into cursors.
    pub(super) fn key(&self) -> String {
        if self.relevance {
            return "relevance".into();
        }
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|(f, desc)| format!("{}{}", if *desc { "-" } else { "" }, f.name))
            .collect();
        parts.join(",")
    }

    /// How many values a cursor of this sort carries.
    pub(super) fn arity(&self) -> usize {
        if self.relevance {
            1
        } else {
            self.fields.len()
        }
    }

    /// The `id` tiebreak runs in the direction of the last field, so an index on
    /// `(…, field, id)` serves the whole order (forwards or backwards) without a sort.
    fn id_descending(&self) -> bool {
        self.fields.last().is_some_and(|(_, desc)| *desc)
    }

    pub(super) fn order_by(&self, id_column: &str) -> String {
        let mut parts: Vec<String> = self
            .fields
            .iter()
            .map(|(f, desc)| format!("{} {}", f.column, if *desc { "DESC" } else { "ASC" }))
            .collect();
        parts.push(format!(
            "{id_column} {}",
            if self.id_descending() { "DESC" } else { "ASC" }
        ));
        parts.join(", ")
    }

    /// `a >= $1 AND ((a > $1) OR (a = $1 AND b < $2) OR (a = $1 AND b = $2 AND id > $3))`: the
    /// leading bound is implied by the rest, but an index on the order can start its scan at
    /// it (an `OR` alone is only a filter: the scan would pass over every earlier page again).
    pub(super) fn after(&self, cursor: &Cursor, id_column: &str) -> Result<Sql, ApiError> {
        let mut columns: Vec<(&str, bool, Value)> = Vec::new();
        for ((field, desc), raw) in self.fields.iter().zip(&cursor.values) {
            columns.push((field.column, *desc, decode_value(field.kind, raw)?));
        }
        columns.push((id_column, self.id_descending(), Value::Text(cursor.id.clone())));
        let (first, first_desc, first_value) = &columns[0];
        let mut sql = Sql::new(&format!("{first} {} ", if *first_desc { "<=" } else { ">=" }));
        sql.bind(first_value.clone());
        sql.push(" AND (");
        for i in 0..columns.len() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(");
            for (column, _, value) in &columns[..i] {
                sql.push(&format!("{column} = "));
                sql.bind(value.clone());
                sql.push(" AND ");
            }
            let (column, desc, value) = &columns[i];
            sql.push(&format!("{column} {} ", if *desc { "<" } else { ">" }));
            sql.bind(value.clone());
            sql.push(")");
        }
        sql.push(")");
        Ok(sql)
    }
}

fn decode_value(kind: SortKind, raw: &str) -> Result<Value, ApiError> {
    match kind {
        SortKind::Text => Ok(Value::Text(raw.to_string())),
        SortKind::Timestamp => NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
            .map(Value::Timestamp)
            .map_err(|_| bad_cursor()),
        SortKind::Date => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Value::Date)
            .map_err(|_| bad_cursor()),
    }
}

/// A row's value for a sort field, as stored in a cursor.
pub enum SortValue<'a> {
    /// text
    Text(&'a str),
    /// timestamp
    Timestamp(&'a NaiveDateTime),
    /// date
    Date(&'a chrono::NaiveDate),
    /// already in the cursor's encoding (read from a stored document)
    Encoded(String),
}

impl SortValue<'_> {
    /// The value as a cursor carries it.
    pub fn encode(&self) -> String {
        match self {
            SortValue::Encoded(text) => text.clone(),
            SortValue::Text(t) => t.to_string(),
            SortValue::Timestamp(ts) => ts.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            SortValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// Rows that can be listed: they expose their id and their sortable values.
pub trait Listable {
    /// The row's id (the final tiebreak).
    fn id(&self) -> &str;
    /// The row's value of a sort field.
    fn sort_value(&self, field: &SortField) -> SortValue<'_>;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Cursor {
    #[serde(rename = "s")]
    pub(super) sort: String,
    /// The last row's sort values; for `relevance`, the offset of the next page.
    #[serde(rename = "v")]
    pub(super) values: Vec<String>,
    pub(super) id: String,
}

pub(super) fn bad_cursor() -> ApiError {
    ApiError::bad_param("cursor", "invalid_cursor", "the cursor is not one this API issued")
}

impl Cursor {
    pub(super) fn decode(text: &str) -> Result<Cursor, ApiError> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad_cursor())?;
        serde_json::from_slice(&bytes).map_err(|_| bad_cursor())
    }

    pub(super) fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }
}

/// Declare a row's sortable fields once: emits `pub static SORT_FIELDS` (the `sort` parameter's
/// fields, in the order error messages list them) and the row's [`Listable`] impl.
///
/// `sortable!(CoalitionRow, key id, alias "c": name Text, status Text, created_at Timestamp)`:
/// each field is a column of the row and of the table aliased `c` in list queries, with its
/// [`SortKind`].
#[macro_export]
macro_rules! sortable {
    ($row:ty, key $key:ident, alias $alias:literal: $first:ident $first_kind:ident $(, $field:ident $kind:ident)* $(,)?) => {
        /// Sortable fields of this resource.
        pub static SORT_FIELDS: &[$crate::http::paging::SortField] = &[
            $crate::http::paging::SortField {
                name: stringify!($first),
                column: concat!($alias, ".", stringify!($first)),
                kind: $crate::http::paging::SortKind::$first_kind,
            },
            $($crate::http::paging::SortField {
                name: stringify!($field),
                column: concat!($alias, ".", stringify!($field)),
                kind: $crate::http::paging::SortKind::$kind,
            },)*
        ];

        impl $crate::http::paging::Listable for $row {
            fn id(&self) -> &str {
                &self.$key
            }

            fn sort_value(&self, field: &$crate::http::paging::SortField) -> $crate::http::paging::SortValue<'_> {
                match field.name {
                    $(stringify!($field) => $crate::http::paging::SortValue::$kind(&self.$field),)*
                    _ => $crate::http::paging::SortValue::$first_kind(&self.$first),
                }
            }
        }
    };
}

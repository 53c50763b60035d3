//! What the SQL builder knows of a table: [`Table`] and [`LinkTable`], and the macros that
//! declare them. Each resource declares its own tables once, in its folder's `mod.rs`
//! ([`tables!`](crate::tables), [`link_tables!`](crate::link_tables)); queries take these typed
//! declarations, never a table or column name as a string of their own.

/// A resource's main table.
#[derive(Debug)]
pub struct Table {
    /// table name
    pub name: &'static str,
    /// the alias every query of the resource uses (`i` for initiatives)
    pub alias: &'static str,
    /// the key column (`id`; `code` for countries)
    pub key: &'static str,
    /// the row's columns, qualified by the alias (`i.*`, or a list without a search column):
    /// what rendering a record from its tables selects (reads select the stored document)
    pub columns: &'static str,
}

impl Table {
    /// `name alias`, for a `FROM` clause.
    pub fn from(&self) -> String {
        format!("{} {}", self.name, self.alias)
    }

    /// The key column, qualified by the alias.
    pub fn key_column(&self) -> String {
        format!("{}.{}", self.alias, self.key)
    }
}

/// A link table: one set of a record, as `(owner, value, …)` rows.
#[derive(Debug)]
pub struct LinkTable {
    /// table name
    pub name: &'static str,
    /// the column naming the record
    pub owner: &'static str,
    /// the column holding the set's member
    pub value: &'static str,
    /// the columns a write fills after the owner (the member first)
    pub columns: &'static [&'static str],
    /// On PostgreSQL, the prefix of this set's terms in the owner's generated `facets` array
    /// (GIN-indexed; see the `facets` migration, which must use the same prefixes)
    pub facet: Option<&'static str>,
}

/// Declare a resource's tables: `NAME = "table" as "alias", key "column", columns "…";`.
#[macro_export]
macro_rules! tables {
    ($($(#[$doc:meta])* $const:ident = $name:literal as $alias:literal, key $key:literal, columns $columns:literal;)*) => {
        $($(#[$doc])* pub const $const: $crate::store::tables::Table =
            $crate::store::tables::Table { name: $name, alias: $alias, key: $key, columns: $columns };)*
    };
}

/// Declare a resource's link tables: `NAME = "table" ("owner", "member", …) facet "prefix";`.
#[macro_export]
macro_rules! link_tables {
    ($($(#[$doc:meta])* $const:ident = $name:literal ($owner:literal, $value:literal $(, $more:literal)*) $(facet $facet:literal)?;)*) => {
        $($(#[$doc])* pub const $const: $crate::store::tables::LinkTable = $crate::store::tables::LinkTable {
            name: $name,
            owner: $owner,
            value: $value,
            columns: &[$value $(, $more)*],
            facet: $crate::link_tables!(@facet $($facet)?),
        };)*
    };
    (@facet $facet:literal) => { Some($facet) };
    (@facet) => { None };
}

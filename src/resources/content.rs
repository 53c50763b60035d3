//! What initiatives and trainings share: draft visibility and full-text search.
//!
//! Drafts are visible to administrators and to editors of the owning coalition; everyone
//! else gets 404 for them and never sees them in lists, counts, search, CSV or statistics.

use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::paging::Relevance;
use crate::kernel::read::Selection;
use crate::kernel::Resource;
use crate::resources::vocabularies::Publication;
use crate::store::sql::{Sql, Value};
use crate::store::tables::Table;
use crate::store::DbConnection;

/// A condition on `alias` (a table with `publication` and `coalition_id`) that keeps only
/// what `caller` may see; `None` when the caller sees everything.
pub fn visible_to(caller: &Caller, alias: &str) -> Option<Sql> {
    match caller.principal() {
        Some(p) if p.is_admin() => None,
        Some(p) if !p.coalitions.is_empty() => {
            let mut sql = Sql::new(&format!(
                "{alias}.publication = 'published' OR {alias}.coalition_id IN "
            ));
            sql.bind_list(p.coalitions.iter().map(|c| Value::Text(c.clone())));
            Some(sql)
        }
        _ => Some(Sql::new(&format!("{alias}.publication = 'published'"))),
    }
}

/// Whether `caller` may see a record with this publication state and owner.
pub fn can_see(caller: &Caller, publication: Publication, coalition_id: Option<&str>) -> bool {
    publication == Publication::Published
        || caller
            .principal()
            .is_some_and(|p| p.is_admin() || coalition_id.is_some_and(|c| p.coalitions.contains(c)))
}

impl Principal {
    /// Writing an initiative or training owned by `coalition_id`: admins, and editors of that
    /// coalition; platform-level records (no coalition) are for admins only.
    pub fn may_write_content(&self, coalition_id: Option<&str>) -> Result<(), ApiError> {
        match coalition_id {
            _ if self.is_admin() => Ok(()),
            Some(c) if self.edits_coalition(c) => Ok(()),
            Some(c) => Err(ApiError::Forbidden(format!(
                "your token does not let you write content of coalition {c}"
            ))),
            None => Err(ApiError::Forbidden(
                "only administrators may write platform-level records (coalition_id null)".into(),
            )),
        }
    }
}

/// What a list of content (initiatives, events) selects for the caller: drafts filtered, `q`
/// matched over the full-text index and, with `sort=relevance`, ranked by it.
pub fn select<R: Resource>(
    conn: &mut DbConnection,
    caller: &Caller,
    q: Option<&str>,
    mut conditions: Vec<Sql>,
) -> Result<Selection, ApiError> {
    let q = q.map(search_words).transpose()?.flatten();
    conditions.extend(visible_to(caller, R::TABLE.alias));
    if let Some(q) = &q {
        conditions.push(matches(conn, R::TABLE, q));
    }
    let relevance = q.map(|q| relevance(conn, R::TABLE, &q));
    Ok(Selection { conditions, relevance })
}

/// Whether this connection is PostgreSQL (full-text search differs per backend).
pub fn is_postgres(conn: &DbConnection) -> bool {
    matches!(conn, DbConnection::Postgresql(_))
}

/// Turn user words into an FTS5 query: every word must occur (a trailing `*` keeps prefix
/// search); quotes make each word a literal, so FTS5 syntax in input is never interpreted.
fn fts5_query(q: &str) -> String {
    q.split_whitespace()
        .take(16)
        .map(|word| {
            let (word, prefix) = match word.strip_suffix('*') {
                Some(w) if !w.is_empty() => (w, "*"),
                _ => (word, ""),
            };
            format!("\"{}\"{prefix}", word.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Validate `q`.
pub fn search_words(q: &str) -> Result<Option<String>, ApiError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(None);
    }
    if q.chars().count() > 200 {
        return Err(ApiError::bad_param("q", "too_long", "must be at most 200 characters"));
    }
    Ok(Some(q.to_string()))
}

/// A full-text condition on `table` aliased `alias`: PostgreSQL `websearch_to_tsquery`
/// against the generated `search` column; SQLite FTS5 `MATCH` on `<table>_fts`.
pub fn matches(conn: &DbConnection, table: &Table, q: &str) -> Sql {
    let Table { name: table, alias, .. } = table;
    if is_postgres(conn) {
        let mut sql = Sql::new(&format!("{alias}.search @@ websearch_to_tsquery('simple', "));
        sql.bind(Value::Text(q.to_string()));
        sql.push(")");
        sql
    } else {
        let mut sql = Sql::new(&format!(
            "{alias}.seq IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH "
        ));
        sql.bind(Value::Text(fts5_query(q)));
        sql.push(")");
        sql
    }
}

/// Order by relevance, best match first. SQLite scores every match once in a joined FTS5
/// query (bm25() is lower for better matches); a correlated score per row would rerun the
/// full-text query for each row.
pub fn relevance(conn: &DbConnection, table: &Table, q: &str) -> Relevance {
    let Table { name: table, alias, .. } = table;
    if is_postgres(conn) {
        let mut order = Sql::new(&format!("ts_rank({alias}.search, websearch_to_tsquery('simple', "));
        order.bind(Value::Text(q.to_string()));
        order.push(")) DESC");
        Relevance { join: None, order }
    } else {
        let mut join = Sql::new(&format!(
            "JOIN (SELECT rowid AS fts_id, bm25({table}_fts) AS fts_rank FROM {table}_fts WHERE {table}_fts MATCH "
        ));
        join.bind(Value::Text(fts5_query(q)));
        join.push(&format!(") fts ON fts.fts_id = {alias}.seq"));
        Relevance {
            join: Some(join),
            order: Sql::new("fts.fts_rank ASC"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fts5_query;

    #[test]
    fn fts5_queries_are_literal_words() {
        assert_eq!(fts5_query("digital skills"), "\"digital\" \"skills\"");
        assert_eq!(fts5_query("cod* OR \"x"), "\"cod\"* \"OR\" \"\"\"x\"");
        assert_eq!(fts5_query("*"), "\"*\"");
    }
}

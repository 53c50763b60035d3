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

/// The words `text` is found by, the same on both backends: runs of letters and digits,
/// lowercased, with diacritics removed (`Latvijā` → `latvija`); every other character
/// separates words (`2024-2027` → `2024 2027`, `women's` → `women s`, `v2.1` → `v2 1`).
/// Words are computed here, not by the database's tokenizer: PostgreSQL's parser keeps
/// `-2027` as one signed number and does not fold diacritics, SQLite's FTS5 does otherwise.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|run| !run.is_empty())
        .filter_map(|run| {
            let folded: String = run
                .to_lowercase()
                .nfd()
                .filter(|c| !is_combining_mark(*c))
                .collect::<String>()
                .nfc()
                .collect();
            // A run of marks alone folds to nothing; a mark inside a word never splits it.
            (!folded.is_empty()).then_some(folded)
        })
}

/// What a record's `search_words` column holds: the [`words`] of its searchable fields,
/// separated by spaces (one space when there are none: an empty column means "not indexed
/// yet", see [`index_missing`]). Both backends index this column and nothing else.
pub fn indexed_words(fields: &[Option<&str>]) -> String {
    let words = fields
        .iter()
        .flatten()
        .flat_map(|text| words(text))
        .collect::<Vec<_>>()
        .join(" ");
    if words.is_empty() {
        " ".into()
    } else {
        words
    }
}

/// What a record's `search_words` column holds for its translated fields, every text in every
/// language, and its other searchable fields (see [`indexed_words`]).
pub fn indexed_texts(translated: &[(&str, &crate::texts::Texts)], others: &[Option<&str>]) -> String {
    let mut texts: Vec<Option<&str>> = translated.iter().flat_map(|(_, t)| t.values().map(Some)).collect();
    texts.extend_from_slice(others);
    indexed_words(&texts)
}

/// One term of `q`: the [`words`] of one whitespace-separated part of it (adjacent, in order,
/// when the part held punctuation), the last a prefix when the part ended in `*`.
#[derive(Debug, PartialEq)]
struct Term {
    words: Vec<String>,
    prefix: bool,
}

/// The terms of `q` (at most 16); every term must match.
fn terms(q: &str) -> Vec<Term> {
    q.split_whitespace()
        .take(16)
        .filter_map(|part| {
            let (part, prefix) = match part.strip_suffix('*') {
                Some(rest) => (rest.trim_end_matches('*'), true),
                None => (part, false),
            };
            let words: Vec<String> = words(part).collect();
            (!words.is_empty()).then_some(Term { words, prefix })
        })
        .collect()
}

/// The terms as an FTS5 query: each a quoted phrase (so nothing in the input is FTS5 syntax),
/// `*` after a prefix term.
fn fts5_query(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|term| format!("\"{}\"{}", term.words.join(" "), if term.prefix { "*" } else { "" }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The terms as a PostgreSQL `tsquery`: words quoted, a phrase's words joined by `<->`, a
/// prefix marked `:*`, terms joined by `&`. Words hold only letters and digits, so quoting
/// cannot be escaped from.
fn ts_query(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|term| {
            let last = term.words.len() - 1;
            let phrase = term
                .words
                .iter()
                .enumerate()
                .map(|(i, word)| format!("'{word}'{}", if term.prefix && i == last { ":*" } else { "" }))
                .collect::<Vec<_>>()
                .join(" <-> ");
            format!("({phrase})")
        })
        .collect::<Vec<_>>()
        .join(" & ")
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

/// A full-text condition on `table` aliased `alias`: PostgreSQL `to_tsquery` against the
/// generated `search` column, SQLite FTS5 `MATCH` on `<table>_fts`, both over `search_words`.
/// A `q` with no words in it (only punctuation) matches nothing.
pub fn matches(conn: &DbConnection, table: &Table, q: &str) -> Sql {
    let Table { name: table, alias, .. } = table;
    let terms = terms(q);
    if terms.is_empty() {
        return Sql::new("1 = 0");
    }
    if conn.is_postgres() {
        let mut sql = Sql::new(&format!("{alias}.search @@ to_tsquery('simple', "));
        sql.bind(Value::Text(ts_query(&terms)));
        sql.push(")");
        // Planned for its own words each time: a generic plan does not know how many rows
        // the query matches (it halved the throughput of relevance search).
        sql.once();
        sql
    } else {
        let mut sql = Sql::new(&format!(
            "{alias}.seq IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH "
        ));
        sql.bind(Value::Text(fts5_query(&terms)));
        sql.push(")");
        sql.gathers_on_sqlite();
        sql
    }
}

/// Order by relevance, best match first (every match is scored once, see
/// `ListQuery::ranked`). SQLite scores the matches in a joined FTS5 query (bm25() is lower for
/// better matches); a correlated score per row would rerun the full-text query for each row.
pub fn relevance(conn: &DbConnection, table: &Table, q: &str) -> Relevance {
    let Table { name: table, alias, .. } = table;
    let terms = terms(q);
    if terms.is_empty() {
        // Nothing matches (`matches` is `1 = 0`); any order both backends know will do.
        return Relevance {
            join: None,
            score: Sql::new(&format!("{alias}.id")),
            best_first: "ASC",
        };
    }
    if conn.is_postgres() {
        let mut score = Sql::new(&format!("ts_rank({alias}.search, to_tsquery('simple', "));
        score.bind(Value::Text(ts_query(&terms)));
        score.push("))");
        score.once();
        Relevance {
            join: None,
            score,
            best_first: "DESC",
        }
    } else {
        let mut join = Sql::new(&format!(
            "JOIN (SELECT rowid AS fts_id, bm25({table}_fts) AS fts_rank FROM {table}_fts WHERE {table}_fts MATCH "
        ));
        join.bind(Value::Text(fts5_query(&terms)));
        join.push(&format!(") fts ON fts.fts_id = {alias}.seq"));
        Relevance {
            join: Some(join),
            score: Sql::new("fts.fts_rank"),
            best_first: "ASC",
        }
    }
}

/// Fill `search_words` where it is empty (rows from before the column, or written by SQL),
/// from the same fields the resource indexes. Run at every start; returns how many rows.
pub fn index_missing(conn: &mut DbConnection, table: &str, fields: &[&str]) -> Result<usize, ApiError> {
    let text = fields
        .iter()
        .map(|f| format!("COALESCE({f}, '')"))
        .collect::<Vec<_>>()
        .join(" || ' ' || ");
    let mut indexed = 0;
    loop {
        let rows: Vec<crate::store::sql::PairRow> = Sql::new(&format!(
            "SELECT id AS key, {text} AS value FROM {table} WHERE search_words = '' LIMIT 1000"
        ))
        .load(conn)?;
        if rows.is_empty() {
            return Ok(indexed);
        }
        for row in &rows {
            let words = indexed_words(&[Some(&row.value)]);
            let mut update = Sql::new(&format!("UPDATE {table} SET search_words = "));
            update.bind(Value::Text(words));
            update.push(" WHERE id = ");
            update.bind(Value::Text(row.key.clone()));
            update.execute(conn)?;
        }
        indexed += rows.len();
    }
}

/// Compute the `search_text` column (organisations, coalitions) of the rows where it is empty
/// (rows from before diacritics were folded, emptied by the translations migration) from the
/// record as stored, through the resource's own [`Resource::fields`]. Returns how many.
pub fn search_text_missing<R: Resource>(conn: &mut DbConnection) -> Result<usize, ApiError> {
    use crate::kernel::records::Writable;
    let table = R::TABLE;
    let mut indexed = 0;
    loop {
        let keys: Vec<String> = Sql::new(&format!(
            "SELECT {0} AS value FROM {1} WHERE search_text = '' ORDER BY {0} LIMIT 500",
            table.key, table.name
        ))
        .load::<crate::store::sql::TextRow>(conn)?
        .into_iter()
        .map(|r| r.value)
        .collect();
        if keys.is_empty() {
            return Ok(indexed);
        }
        for record in crate::kernel::docs::from_tables::<R>(conn, &keys)? {
            let input = <R::Input as Writable>::of(&record)?;
            let text = R::fields(&input)
                .into_iter()
                .find_map(|(column, value)| match (column, value) {
                    ("search_text", Value::Text(text)) if !text.is_empty() => Some(text),
                    _ => None,
                })
                .unwrap_or_else(|| " ".into());
            let mut update = Sql::new(&format!("UPDATE {} SET search_text = ", table.name));
            update.bind(Value::Text(text));
            update.push(&format!(" WHERE {} = ", table.key));
            update.bind(Value::Text(crate::kernel::Record::key(&record).to_string()));
            update.execute(conn)?;
        }
        indexed += keys.len();
    }
}

/// The fields initiatives are found by.
pub const INITIATIVE_SEARCH: &[&str] = &["title", "summary", "description"];
/// The fields events are found by.
pub const TRAINING_SEARCH: &[&str] = &["title", "description", "city", "participants_note"];

#[cfg(test)]
mod tests {
    use super::{fts5_query, terms, ts_query, words};

    fn all(text: &str) -> Vec<String> {
        words(text).collect()
    }

    #[test]
    fn words_are_letters_and_digits_folded() {
        assert_eq!(all("Roadmap 2024-2027"), ["roadmap", "2024", "2027"]);
        assert_eq!(all("Women's e-Skills, v2.1!"), ["women", "s", "e", "skills", "v2", "1"]);
        assert_eq!(all("Latvijā ĀBOLS Ærø"), ["latvija", "abols", "ærø"]);
        assert_eq!(all("Академия ИКТ — საქართველო"), ["академия", "икт", "საქართველო"]);
        assert_eq!(all("\u{301}--"), Vec::<String>::new());
    }

    #[test]
    fn queries_are_literal_phrases() {
        let t = terms("digital skills");
        assert_eq!(fts5_query(&t), "\"digital\" \"skills\"");
        assert_eq!(ts_query(&t), "('digital') & ('skills')");
        let t = terms("cod* OR \"x 2024-2027 '; --");
        assert_eq!(fts5_query(&t), "\"cod\"* \"or\" \"x\" \"2024 2027\"");
        assert_eq!(ts_query(&t), "('cod':*) & ('or') & ('x') & ('2024' <-> '2027')");
        assert!(terms("* -- ''").is_empty());
    }
}

//! How translated fields are stored and filtered: the columns a write sets, a table's stored
//! maps read back, and the `language` filter (see the module comment of [`super`]).

use serde_json::{Map, Value as Json};

use super::{accepted, Texts};
use crate::http::error::ApiError;
use crate::store::sql::{Sql, Value};

/// The columns a write stores for a record's translated fields (see the module's comment):
/// `original_language`, `texts`, `languages`, and each field's own column holding its text in
/// the original language (`NULL` for an optional field without one).
pub fn columns(original_language: &str, fields: &[(&'static str, &Texts)]) -> Vec<(&'static str, Value)> {
    let stored: Map<String, Json> = fields
        .iter()
        .map(|(name, texts)| (name.to_string(), serde_json::to_value(texts).unwrap_or_default()))
        .collect();
    let mut columns = vec![
        ("original_language", Value::text(original_language)),
        ("texts", Value::Text(Json::Object(stored).to_string())),
    ];
    if let Some((_, title)) = fields.first() {
        columns.push(("languages", Value::Text(languages_column(title))));
    }
    for (i, (name, texts)) in fields.iter().enumerate() {
        let text = texts.original(original_language);
        columns.push((
            name,
            if i == 0 {
                Value::text(text.unwrap_or_default())
            } else {
                Value::opt(text)
            },
        ));
    }
    columns
}

/// The `languages` column: each language of the title/name between spaces (` en lv `).
pub fn languages_column(title: &Texts) -> String {
    let mut column = String::from(" ");
    for tag in title.0.keys() {
        column.push_str(tag);
        column.push(' ');
    }
    column
}

/// A table's stored maps (its `texts` column), to take each field's map from.
pub struct Stored(Map<String, Json>);

impl Stored {
    /// Parse a `texts` column.
    pub fn parse(column: &str) -> Result<Stored, ApiError> {
        serde_json::from_str(column)
            .map(Stored)
            .map_err(|e| ApiError::Internal(format!("corrupt stored texts: {e}")))
    }
    /// The field's map (empty when it has none).
    pub fn take(&mut self, field: &str) -> Result<Texts, ApiError> {
        match self.0.remove(field) {
            None | Some(Json::Null) => Ok(Texts::default()),
            Some(map) => serde_json::from_value(map)
                .map_err(|e| ApiError::Internal(format!("corrupt stored texts of `{field}`: {e}"))),
        }
    }
}

/// The `language` filter: records whose title/name has a text in any of these languages
/// (`alias` is the table's alias in the list query). 400 for a tag that is not accepted.
pub fn language_filter(alias: &str, parameter: &str, tags: &[String]) -> Result<Option<Sql>, ApiError> {
    if tags.is_empty() {
        return Ok(None);
    }
    let languages = accepted();
    let mut sql = Sql::new("(");
    for (i, tag) in tags.iter().enumerate() {
        let tag = languages
            .accepted(tag)
            .map_err(|message| ApiError::bad_param(parameter, "language", message))?;
        sql.push(if i == 0 { "" } else { " OR " });
        sql.push(&format!("{alias}.languages LIKE "));
        sql.bind(Value::Text(format!("% {tag} %")));
    }
    sql.push(")");
    Ok(Some(sql))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn columns_hold_the_original_and_the_languages() {
        let title = Texts(BTreeMap::from([
            ("lv".to_string(), "Akadēmija".to_string()),
            ("en".to_string(), "Academy".to_string()),
        ]));
        let summary = Texts::one("en", "Summary");
        let columns = columns("lv", &[("title", &title), ("summary", &summary)]);
        let get = |name: &str| columns.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
        assert_eq!(get("languages"), Some(Value::Text(" en lv ".into())));
        assert_eq!(get("title"), Some(Value::Text("Akadēmija".into())));
        assert_eq!(get("summary"), Some(Value::Text("Summary".into())));
        let mut stored = Stored::parse(match &get("texts").unwrap() {
            Value::Text(t) => t,
            _ => unreachable!(),
        })
        .unwrap();
        assert_eq!(stored.take("title").unwrap(), title);
        assert_eq!(stored.take("description").unwrap(), Texts::default());
    }
}

//! Translated text, the layer under the kernel and HTTP that resources declare
//! ([`crate::kernel::Resource::TRANSLATED`]) and the language middleware, CSV and the OpenAPI
//! pass render: a field that is a **language map** (`{"lv": "…", "en": "…"}`, keys accepted
//! BCP 47 tags stored canonical, values non-empty; [`languages`]), the record's
//! `original_language`, and the read-only `display` object every response gets (one plain
//! string per translated field, chosen along the request's language chain: [`display`]).
//!
//! Storage: a record's maps live together in its table's `texts` column (`{"title": {…},
//! "summary": {…}}`), its original language in `original_language`, the title/name in the
//! original language in the field's own column (what `sort=title` orders by), and the
//! languages of the title/name in `languages` (` en lv `, what the `language` filter matches).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Deserializer, Serialize};

use crate::http::error::FieldError;

/// The translated fields a record may have, the title/name first: what `display` holds, in order.
pub const FIELDS: &[&str] = &["title", "name", "summary", "description", "label"];

pub mod display;
pub mod languages;
mod stored;

pub use languages::Languages;
pub use stored::{columns, language_filter, languages_column, Stored};

static ACCEPTED: RwLock<Option<Arc<Languages>>> = RwLock::new(None);

/// Install the deployment's accepted languages (at start-up).
pub fn set_accepted(languages: Languages) {
    if let Ok(mut accepted) = ACCEPTED.write() {
        *accepted = Some(Arc::new(languages));
    }
}

/// The accepted languages (the default list until [`set_accepted`]).
pub fn accepted() -> Arc<Languages> {
    ACCEPTED
        .read()
        .ok()
        .and_then(|a| a.clone())
        .unwrap_or_else(|| Arc::new(Languages::default()))
}

/// A language map: one text per language, keyed by canonical tag, in tag order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Texts(pub BTreeMap<String, String>);

impl Texts {
    /// One text in one language.
    pub fn one(language: &str, text: impl Into<String>) -> Texts {
        Texts(BTreeMap::from([(language.to_string(), text.into())]))
    }
    /// The text in `language`, if any.
    pub fn get(&self, language: &str) -> Option<&str> {
        self.0.get(language).map(String::as_str)
    }
    /// No text in any language.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Every text, in tag order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.0.values().map(String::as_str)
    }
    /// The text in the original language, else the first there is.
    pub fn original(&self, original: &str) -> Option<&str> {
        self.get(original).or_else(|| self.values().next())
    }
}

/// `null` as no text (an optional map sent as `null`).
pub fn nullable<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Texts, D::Error> {
    Ok(Option::<Texts>::deserialize(deserializer)?.unwrap_or_default())
}

impl utoipa::PartialSchema for Texts {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A language map: one text per language, keyed by an accepted BCP 47 tag (compared \
                 case-insensitively, stored canonical), each a non-empty string.",
            ))
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(tag_pattern())),
            ))
            .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1))))
            .examples([serde_json::json!({"lv": "Digitālās prasmes skolotājiem", "en": "Digital skills for teachers"})])
            .into()
    }
}

impl utoipa::ToSchema for Texts {}

/// One accepted tag, in any case (`[lL][vV]`): the alternation of the accepted list.
fn tag_alternation() -> String {
    accepted()
        .tags()
        .iter()
        .map(|tag| {
            tag.chars()
                .map(|c| {
                    if c.is_ascii_alphabetic() {
                        format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
                    } else {
                        c.to_string()
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// The document's pattern of one accepted tag (compared case-insensitively).
pub fn tag_pattern() -> String {
    format!("^({})$", tag_alternation())
}

/// The document's pattern of `lang`: accepted tags, comma-separated.
pub fn tags_pattern() -> String {
    let one = tag_alternation();
    format!("^({one})(,({one}))*$")
}

/// The `display` object of a resource's responses, for the document: one plain string per
/// translated field (null when the field has no text at all) and the language chosen.
pub fn display_schema(fields: &[&str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Read-only: each translated field as one plain string, in the first language of the \
             request's chain (`lang`, else `Accept-Language`, then the record's original language) \
             that has it.",
        ))
        .property(
            "language",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("The first language of the chain in which the title/name exists.")),
        )
        .required("language");
    for (i, field) in fields.iter().enumerate() {
        let ty = if i == 0 {
            utoipa::openapi::schema::SchemaType::Type(Type::String)
        } else {
            utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null])
        };
        object = object
            .property(*field, ObjectBuilder::new().schema_type(ty))
            .required(*field);
    }
    object.into()
}

/// One translated field of an input, as declared by its resource.
pub struct Field<'a> {
    /// the field's name
    pub name: &'static str,
    /// the map
    pub texts: &'a mut Texts,
    /// whether it needs a text (in the original language, at least)
    pub required: bool,
    /// the most characters one text may have
    pub max: usize,
}

impl<'a> Field<'a> {
    /// A field that needs a text in the original language.
    pub fn required(name: &'static str, texts: &'a mut Texts, max: usize) -> Field<'a> {
        Field {
            name,
            texts,
            required: true,
            max,
        }
    }
    /// A field that may have no text at all.
    pub fn optional(name: &'static str, texts: &'a mut Texts, max: usize) -> Field<'a> {
        Field {
            name,
            texts,
            required: false,
            max,
        }
    }
}

/// Normalise and check an input's translated fields and original language: tags accepted and
/// made canonical (a tag twice is an error), texts trimmed, non-empty and not too long, each
/// required field with a text in the original language. Errors go to `errors`.
pub fn check(errors: &mut Vec<FieldError>, original_language: &mut String, fields: Vec<Field<'_>>) {
    let languages = accepted();
    let original = match languages.accepted(original_language) {
        Ok(tag) => {
            *original_language = tag.clone();
            Some(tag)
        }
        Err(message) => {
            errors.push(FieldError::new("original_language", "language", message));
            None
        }
    };
    for field in fields {
        let before = errors.len();
        let mut canonical = BTreeMap::new();
        for (tag, text) in std::mem::take(&mut field.texts.0) {
            let path = format!("{}.{tag}", field.name);
            let tag = match languages.accepted(&tag) {
                Ok(tag) => tag,
                Err(message) => {
                    errors.push(FieldError::new(path, "language", message));
                    continue;
                }
            };
            let text = text.trim().to_string();
            if text.is_empty() {
                errors.push(FieldError::new(path, "blank", "must not be blank"));
            } else if text.chars().count() > field.max {
                errors.push(FieldError::new(
                    path,
                    "length",
                    format!("must be at most {} characters", field.max),
                ));
            } else if canonical.insert(tag.clone(), text).is_some() {
                errors.push(FieldError::new(
                    path,
                    "duplicate_language",
                    format!("`{tag}` is given twice (tags are compared case-insensitively)"),
                ));
            }
        }
        field.texts.0 = canonical;
        // A field whose entries were refused is reported by them alone.
        if !field.required || errors.len() > before {
            continue;
        }
        if field.texts.is_empty() {
            errors.push(FieldError::new(
                field.name,
                "required",
                "must have a text in at least one language, the original language",
            ));
        } else if let Some(original) = &original {
            if field.texts.get(original).is_none() {
                errors.push(FieldError::new(
                    field.name,
                    "original_language_missing",
                    format!("must have a text in the record's original language `{original}`"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pairs: &[(&str, &str)]) -> Texts {
        Texts(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    /// `check` over a required title (up to 300) and an optional summary (up to 10): the
    /// errors, the original language and the title as checked.
    fn checked(original: &str, title: &[(&str, &str)], summary: &[(&str, &str)]) -> (Vec<FieldError>, String, Texts) {
        let (mut original, mut title, mut summary) = (original.to_string(), texts(title), texts(summary));
        let mut errors = Vec::new();
        check(
            &mut errors,
            &mut original,
            vec![
                Field::required("title", &mut title, 300),
                Field::optional("summary", &mut summary, 10),
            ],
        );
        (errors, original, title)
    }

    #[test]
    fn inputs_are_canonical_and_checked() {
        let (errors, original, title) = checked("LV", &[("LV", " Digitālās prasmes "), ("en", "Digital skills")], &[]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(original, "lv");
        assert_eq!(title.get("lv"), Some("Digitālās prasmes"));

        let (errors, mut original, _) = checked(
            "lv",
            &[("en", "x"), ("EN", "y"), ("xx", "z")],
            &[("en", "far too long")],
        );
        let codes: Vec<(String, String)> = errors.into_iter().map(|e| (e.field, e.code)).collect();
        assert!(
            codes.contains(&("title.en".into(), "duplicate_language".into())),
            "{codes:?}"
        );
        assert!(codes.contains(&("title.xx".into(), "language".into())), "{codes:?}");
        assert!(
            !codes.iter().any(|(field, _)| field == "title"),
            "a field whose entries were refused is reported by them alone: {codes:?}"
        );
        assert!(codes.contains(&("summary.en".into(), "length".into())), "{codes:?}");
        let mut title = Texts::one("en", "x");
        let mut errors = Vec::new();
        check(
            &mut errors,
            &mut original,
            vec![Field::required("title", &mut title, 300)],
        );
        assert_eq!(errors[0].field, "title");
        assert_eq!(errors[0].code, "original_language_missing");
    }
}

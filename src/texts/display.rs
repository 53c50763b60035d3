//! The read-only `display` object: for every record in a response (a record, a page, a feed,
//! embeds), one plain string per translated field ([`FIELDS`]), chosen along the request's
//! language chain and ending at the record's original language (vocabulary entries, a `code`
//! with a `label` map, are English at origin).
//!
//! Two ways in, one choice ([`choose`]): [`decorate`] over a parsed document (CSV rows), and
//! [`decorate_text`] over a response body as written, which splits objects into their members
//! without building the document, parses only the translated fields' maps and copies
//! everything else as it is — the middleware's path, on every JSON response that carries a
//! record (a full parse and re-serialisation of a 50-record page cost half the throughput of an
//! uncached list).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json};

use super::FIELDS;

/// Marks a response (in its extensions) whose records all carry the `display` of a request
/// that names no language: stored documents, written with it (`kernel::docs::document`). For
/// such a request the body needs no pass.
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

/// What `display` chose for one record: its language and, per translated field, the language
/// of its text (for the representation's entity tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// `display.language`
    pub language: String,
    /// the language each field's text came from (`None`: no text at all)
    pub fields: Vec<Option<String>>,
}

impl Chosen {
    /// A short stable name of the choice: the language alone when every field with a text
    /// came from it, else each field's language (`_` for none), joined by `.`.
    pub fn tag(&self) -> String {
        if self.fields.iter().flatten().all(|l| *l == self.language) {
            self.language.clone()
        } else {
            self.fields
                .iter()
                .map(|l| l.as_deref().unwrap_or("_"))
                .collect::<Vec<_>>()
                .join(".")
        }
    }
}

/// The text of a map for a chain: its first language that has one, else the first text in
/// the map's order (so a field with any text always shows one).
fn pick<'a>(map: &'a Map<String, Json>, chain: &[&str]) -> Option<(&'a str, &'a str)> {
    chain
        .iter()
        .find_map(|tag| map.get_key_value(*tag))
        .or_else(|| map.iter().next())
        .and_then(|(tag, text)| Some((tag.as_str(), text.as_str()?)))
}

/// The `display` of one record with this original language and these translated fields (in
/// [`FIELDS`] order), and what it chose; `None` when it has no translated field.
fn choose<'m>(
    original: &str,
    fields: impl Iterator<Item = (&'static str, &'m Map<String, Json>)>,
    requested: &[String],
) -> Option<(Map<String, Json>, Chosen)> {
    let mut chain: Vec<&str> = requested.iter().map(String::as_str).collect();
    if !chain.contains(&original) {
        chain.push(original);
    }
    let mut shown = Map::new();
    shown.insert("language".into(), Json::String(original.to_string()));
    let mut chosen = Chosen {
        language: original.to_string(),
        fields: Vec::new(),
    };
    for (field, map) in fields {
        let picked = pick(map, &chain);
        if chosen.fields.is_empty() {
            if let Some((tag, _)) = picked {
                chosen.language = tag.to_string();
                shown.insert("language".into(), Json::String(tag.to_string()));
            }
        }
        chosen.fields.push(picked.map(|(tag, _)| tag.to_string()));
        shown.insert(
            field.to_string(),
            picked.map_or(Json::Null, |(_, text)| Json::String(text.to_string())),
        );
    }
    (!chosen.fields.is_empty()).then_some((shown, chosen))
}

/// Add `display` to every record in `value`. Returns the choice of the top-level object, when
/// it is a record.
pub fn decorate(value: &mut Json, requested: &[String]) -> Option<Chosen> {
    match value {
        Json::Array(items) => {
            for item in items {
                decorate(item, requested);
            }
            None
        }
        Json::Object(object) => {
            for (name, child) in object.iter_mut() {
                if name != "display" && (child.is_object() || child.is_array()) {
                    decorate(child, requested);
                }
            }
            let original = match object.get("original_language") {
                Some(Json::String(original)) => original.clone(),
                _ if object.get("label").is_some_and(Json::is_object)
                    && object.get("code").is_some_and(Json::is_string) =>
                {
                    "en".to_string()
                }
                _ => return None,
            };
            let fields = FIELDS.iter().filter_map(|field| match object.get(*field) {
                Some(Json::Object(map)) => Some((*field, map)),
                _ => None,
            });
            let (shown, chosen) = choose(&original, fields, requested)?;
            object.insert("display".into(), Json::Object(shown));
            Some(chosen)
        }
        _ => None,
    }
}

/// [`decorate`] over JSON text: the same result, objects that may hold records written
/// compactly, any other value copied as written. `None` when `text` is not JSON.
pub fn decorate_text(text: &str, requested: &[String]) -> Option<(String, Option<Chosen>)> {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let chosen = walk(text.trim(), requested, &mut out).ok()?;
    Some((out, chosen))
}

fn walk(text: &str, requested: &[String], out: &mut String) -> serde_json::Result<Option<Chosen>> {
    match text.as_bytes().first() {
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text)?;
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                copy_or_walk(item.get(), requested, out)?;
            }
            out.push(']');
            Ok(None)
        }
        Some(b'{') => {
            let Members(members) = serde_json::from_str(text)?;
            let shown = shown_of(&members, requested)?;
            out.push('{');
            let mut displayed = false;
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match key {
                    Cow::Borrowed(key) => {
                        // Borrowed: written without escapes, so it needs none.
                        out.push('"');
                        out.push_str(key);
                        out.push('"');
                    }
                    Cow::Owned(key) => out.push_str(&serde_json::to_string(key)?),
                }
                out.push(':');
                let value = value.get();
                match (key.as_ref(), &shown) {
                    ("display", Some((shown, _))) => {
                        out.push_str(&serde_json::to_string(shown)?);
                        displayed = true;
                    }
                    ("display", None) => out.push_str(value),
                    _ => copy_or_walk(value, requested, out)?,
                }
            }
            if let (Some((shown, _)), false) = (&shown, displayed) {
                if !members.is_empty() {
                    out.push(',');
                }
                out.push_str("\"display\":");
                out.push_str(&serde_json::to_string(shown)?);
            }
            out.push('}');
            Ok(shown.map(|(_, chosen)| chosen))
        }
        _ => {
            out.push_str(text);
            Ok(None)
        }
    }
}

/// A value that cannot hold a record (a scalar, a translated map, a list of codes, an object
/// or list with no record's member name in its text) is copied as written; anything else is
/// walked. The test is the middleware's own ([`holds_records`]), so it never skips a record.
fn copy_or_walk(value: &str, requested: &[String], out: &mut String) -> serde_json::Result<()> {
    if matches!(value.as_bytes().first(), Some(b'{' | b'[')) && holds_records(value.as_bytes()) {
        walk(value, requested, out)?;
    } else {
        out.push_str(value);
    }
    Ok(())
}

/// Whether JSON text as this crate writes it (compact, member names unescaped) may hold an
/// object that gets a `display`: one with `original_language`, or a vocabulary entry (`code`
/// with a `label` map). A false `true` costs a walk; a `false` is always right.
pub fn holds_records(text: &[u8]) -> bool {
    use memchr::memmem::Finder;
    static ORIGINAL: std::sync::LazyLock<Finder<'static>> =
        std::sync::LazyLock::new(|| Finder::new(b"\"original_language\""));
    static LABEL: std::sync::LazyLock<Finder<'static>> = std::sync::LazyLock::new(|| Finder::new(b"\"label\":{"));
    ORIGINAL.find(text).is_some() || LABEL.find(text).is_some()
}

/// The `display` of an object given as its members, when it is a record.
fn shown_of(
    members: &[(Cow<str>, &RawValue)],
    requested: &[String],
) -> serde_json::Result<Option<(Map<String, Json>, Chosen)>> {
    let member = |name: &str| {
        members
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.get())
    };
    let starts = |name: &str, byte: u8| member(name).is_some_and(|v| v.as_bytes().first() == Some(&byte));
    let original: String = if starts("original_language", b'"') {
        serde_json::from_str(member("original_language").unwrap_or_default())?
    } else if starts("label", b'{') && starts("code", b'"') {
        "en".to_string()
    } else {
        return Ok(None);
    };
    let mut maps = Vec::new();
    for field in FIELDS {
        if starts(field, b'{') {
            let map: Map<String, Json> = serde_json::from_str(member(field).unwrap_or_default())?;
            maps.push((*field, map));
        }
    }
    Ok(choose(
        &original,
        maps.iter().map(|(field, map)| (*field, map)),
        requested,
    ))
}

/// An object's members in order, values as written.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(24));
                while let Some(Key(key)) = map.next_key()? {
                    members.push((key, map.next_value()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A member's name, borrowed from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strings(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn display_follows_the_chain_field_by_field() {
        let mut record = json!({
            "original_language": "lv",
            "title": {"lv": "Akadēmija", "en": "Academy"},
            "summary": {"lv": "Kopsavilkums"},
            "description": {},
            "coalition": {"original_language": "en", "name": {"en": "Coalition"}, "description": {"de": "Koalition"}},
        });
        let chosen = decorate(&mut record, &strings(&["de", "en"])).unwrap();
        assert_eq!(
            record["display"],
            json!({"language": "en", "title": "Academy", "summary": "Kopsavilkums", "description": null})
        );
        assert_eq!(chosen.tag(), "en.lv._");
        assert_eq!(
            record["coalition"]["display"],
            json!({"language": "en", "name": "Coalition", "description": "Koalition"})
        );
        let chosen = decorate(&mut record, &strings(&["fr"])).unwrap();
        assert_eq!(record["display"]["language"], "lv");
        assert_eq!(record["display"]["title"], "Akadēmija");
        assert_eq!(chosen.tag(), "lv");
        let mut entry = json!({"code": "education", "label": {"en": "Education", "lv": "Izglītība"}});
        decorate(&mut entry, &strings(&["lv"]));
        assert_eq!(entry["display"], json!({"language": "lv", "label": "Izglītība"}));
        let mut country = json!({"code": "LV", "name": "Latvia"});
        assert!(decorate(&mut country, &strings(&["lv"])).is_none());
        assert!(country.get("display").is_none());
    }

    #[test]
    fn text_and_document_decorate_alike() {
        let bodies = [
            json!({"original_language": "lv", "title": {"lv": "Akadēmija", "en": "Academy"}, "summary": {"lv": "Kopsavilkums"},
                   "description": {}, "n": 1.5, "ok": true, "none": null, "tags": ["a", "b\"c"],
                   "coalition": {"original_language": "en", "name": {"en": "Coalition"}, "description": {"de": "Koalition"}}}),
            json!({"data": [{"original_language": "en", "title": {"en": "A \u{1F600} \\ \n"}, "display": {"old": 1}},
                            {"code": "education", "label": {"en": "Education", "lv": "Izglītība"}},
                            {"code": "LV", "name": "Latvia"}],
                   "page": {"limit": 50, "next_cursor": null}}),
            json!({"we\"ird": {"original_language": "de", "name": {}}, "empty": {}, "list": []}),
            json!([1, "two", {"original_language": "en"}]),
            json!("just text"),
        ];
        for requested in [strings(&[]), strings(&["lv"]), strings(&["de", "en"])] {
            for body in &bodies {
                let mut value = body.clone();
                let expected = decorate(&mut value, &requested);
                let (text, chosen) = decorate_text(&body.to_string(), &requested).unwrap();
                assert_eq!(text, value.to_string(), "{body} with {requested:?}");
                assert_eq!(chosen, expected);
            }
        }
        assert!(decorate_text("{\"a\":", &[]).is_none());
        // Members of an object are written compactly; a value that cannot hold a record is
        // copied as written (this crate writes compact JSON).
        let (text, _) = decorate_text(" {\"a\" : [ 1 , 2 ] } ", &[]).unwrap();
        assert_eq!(text, "{\"a\":[ 1 , 2 ]}");
        let (text, _) = decorate_text(r#"{"x": {"original_language": "en", "title": {"en": "T"}}}"#, &[]).unwrap();
        assert_eq!(
            text,
            r#"{"x":{"original_language":"en","title":{"en": "T"},"display":{"language":"en","title":"T"}}}"#
        );
    }
}

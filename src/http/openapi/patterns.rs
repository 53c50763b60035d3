//! The patterns of the document: every parameter's and body string's text, dates, instants,
//! country and language codes, as the service reads them (`http::screen`, `validation`), so that
//! a generator sends nothing the service refuses by design and nothing it accepts is out of
//! the document.

use std::collections::BTreeSet;

use serde_json::{json, Value};

/// A date as the service reads it (`validation::strict`): `YYYY-MM-DD`, years 1000–9999.
const DATE: &str = "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$";
/// An instant: RFC 3339 with such a date.
const INSTANT: &str =
    "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";
/// An ISO 639-1 code as filters read it (either case).
const LANGUAGE: &str = "^[A-Za-z]{2}$";

/// An ISO 3166-1 alpha-2 code as bodies take it (capitals).
const BODY_COUNTRY_CODE: &str = "^[A-Z]{2}$";
/// An optional one: the empty string means none.
const OPTIONAL_BODY_COUNTRY_CODE: &str = "^([A-Z]{2})?$";
/// An ISO 639-1 code as bodies take it (lower case).
const BODY_LANGUAGE: &str = "^[a-z]{2}$";
/// An ISO 3166-1 alpha-2 code as filters read it (either case).
const COUNTRY_CODE: &str = "^[A-Za-z]{2}$";

/// What a query or path value may hold (`screen::screened`): no control character.
const PARAMETER_TEXT: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// What body text may hold (`screen::body_strings`): tab and line breaks, no other control
/// character.
const BODY_TEXT: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";

/// Every parameter's and request body's text and codes, as the service reads them.
pub(super) fn screen(doc: &mut Value, request_schemas: &BTreeSet<String>) {
    screen_parameters(doc);
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for name in request_schemas {
            if let Some(schema) = schemas.get_mut(name) {
                screen_text(schema, BODY_TEXT, 0);
            }
        }
        // Country codes in bodies: two capitals (`validation::country_code`).
        for name in request_schemas {
            let Some(properties) = schemas
                .get_mut(name)
                .and_then(|s| s.get_mut("properties"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (field, property) in properties.iter_mut() {
                let capitals = Value::String(BODY_COUNTRY_CODE.into());
                // An optional code may be sent as "" for none (`validation::empty_none`).
                let optional = property["type"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t == "null"));
                match field.as_str() {
                    "country_code" if optional => {
                        property["pattern"] = Value::String(OPTIONAL_BODY_COUNTRY_CODE.into())
                    }
                    "country_code" | "eu_code" => property["pattern"] = capitals,
                    "code" if name.starts_with("CountryInput") => property["pattern"] = capitals,
                    "countries" | "audience_countries" => property["items"]["pattern"] = capitals,
                    "languages" => property["items"]["pattern"] = Value::String(BODY_LANGUAGE.into()),
                    _ => {}
                }
            }
        }
        // Rules the models check in code (`initiatives::model`, `kernel::sync`).
        for name in ["InitiativeInput", "InitiativeInputPatch"] {
            for set in ["activity_areas", "countries"] {
                if let Some(items) = schemas.get_mut(name).map(|s| &mut s["properties"][set]) {
                    if items.is_object() {
                        items["minItems"] = json!(1);
                    }
                }
            }
        }
    }
}

/// Give free-text strings (no enum, format or pattern of their own) the pattern the service
/// enforces, so that a generator does not send text the service refuses by design.
fn screen_text(schema: &mut Value, pattern: &str, depth: usize) {
    if depth > 6 {
        return;
    }
    let Some(object) = schema.as_object_mut() else { return };
    let is_string = match object.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    // `validation::strict`: dates and instants with a four-digit year from 1000.
    let format = object.get("format").and_then(Value::as_str).map(str::to_string);
    let strict = match format.as_deref() {
        Some("date") => Some(DATE),
        Some("date-time") => Some(INSTANT),
        _ => None,
    };
    if let (true, Some(strict), false) = (is_string, strict, object.contains_key("pattern")) {
        object.insert("pattern".into(), Value::String(strict.into()));
    }
    if is_string
        && !["enum", "format", "pattern", "$ref"]
            .iter()
            .any(|k| object.contains_key(*k))
    {
        object.insert("pattern".into(), Value::String(pattern.into()));
    }
    if let Some(items) = object.get_mut("items") {
        screen_text(items, pattern, depth + 1);
    }
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        for (_, property) in properties.iter_mut() {
            screen_text(property, pattern, depth + 1);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = object.get_mut(key).and_then(Value::as_array_mut) {
            for option in options {
                screen_text(option, pattern, depth + 1);
            }
        }
    }
}

/// What `include=` takes on each list and record: its names, comma-separated.
fn include_pattern(path: &str) -> Option<String> {
    let names = if path.contains("/initiatives") {
        "coalition|organisations"
    } else if path.contains("/trainings") {
        "coalition|organiser"
    } else if path.contains("/memberships") {
        "coalition"
    } else if path.contains("/members") {
        "organisation"
    } else {
        return None;
    };
    Some(format!("^(?:(?:{names})(?:,(?:{names}))*)?$"))
}

/// Every query and path parameter's text: no control characters; `include` and country
/// codes as the service reads them.
fn screen_parameters(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let include = include_pattern(path);
        let Some(item) = item.as_object_mut() else { continue };
        for (_, operation) in item.iter_mut() {
            let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for parameter in parameters {
                if parameter["name"] == "Idempotency-Key" {
                    parameter["schema"] = json!({"type": "string", "pattern": "^[!-~]{1,255}$"});
                }
                // At most 50 values per parameter (`screen::MAX_VALUES`).
                if parameter["in"] == "query" && parameter["schema"]["type"] == "array" {
                    parameter["schema"]["maxItems"] = json!(crate::http::screen::MAX_VALUES);
                }
                if parameter["name"] == "include" {
                    if let Some(pattern) = &include {
                        parameter["schema"]["pattern"] = Value::String(pattern.clone());
                    }
                }
                // An event's `language` is the ISO 639-1 code it is held in; elsewhere `language`
                // (and an event's `text_language`) is an accepted tag of translated text.
                if parameter["name"] == "language" && parameter["in"] == "query" && path.contains("/trainings") {
                    parameter["schema"]["items"]["pattern"] = Value::String(LANGUAGE.into());
                } else if ["language", "text_language"].contains(&parameter["name"].as_str().unwrap_or_default())
                    && parameter["in"] == "query"
                {
                    parameter["schema"]["items"]["pattern"] = Value::String(crate::texts::tag_pattern());
                }
                if parameter["name"] == "country" && parameter["in"] == "query" {
                    let schema = &mut parameter["schema"];
                    if schema["type"] == "array" {
                        schema["items"]["pattern"] = Value::String(COUNTRY_CODE.into());
                    } else {
                        schema["pattern"] = Value::String(COUNTRY_CODE.into());
                    }
                }
                // An empty `sort=` is the default order (`extract::EMPTY_IS_ABSENT`).
                if parameter["name"] == "sort" {
                    if let Some(pattern) = parameter["schema"]["pattern"].as_str() {
                        let inner = pattern.trim_start_matches('^').trim_end_matches('$');
                        parameter["schema"]["pattern"] = Value::String(format!("^(?:{inner})?$"));
                    }
                }
                if ["query", "path"].contains(&parameter["in"].as_str().unwrap_or_default()) {
                    screen_text(&mut parameter["schema"], PARAMETER_TEXT, 0);
                }
                // Only a few parameters take an empty value for "absent" (`extract::EMPTY_IS_ABSENT`).
                let name = parameter["name"].as_str().unwrap_or_default().to_string();
                if parameter["in"] == "query" && !crate::http::extract::EMPTY_IS_ABSENT.contains(&name.as_str()) {
                    let schema = &mut parameter["schema"];
                    let text = if schema["type"] == "array" {
                        &mut schema["items"]
                    } else {
                        schema
                    };
                    if text["type"] == "string" && text.get("enum").is_none() && text.get("minLength").is_none() {
                        text["minLength"] = json!(1);
                    }
                }
            }
        }
    }
}

//! The last pass over the generated OpenAPI document: what utoipa's attributes cannot say, said
//! once for every operation and schema, so that generated clients are typed precisely and the
//! document lints clean (Spectral `spectral:oas`, Redocly `recommended`; see `openapi/`).
//!
//! - every operation has a description: its own words, then what its kind of operation means
//!   in this API (paging, conditional requests, idempotency, merge patch);
//! - every operation documents 503 (with `Retry-After`), operations with a body 408, and every
//!   response `X-Request-Id`; lists document `Link`;
//! - merge-patch operations get their own schema, `<Input>Patch`, with no field required;
//! - in response schemas every field the service always sends is `required` (nullable where it
//!   can be null); only fields that are left out when empty (the `include=` embeds, a problem's
//!   `errors`) stay optional;
//! - `servers` and `info.contact` are present.
//!
//! It works on the JSON form of the document: utoipa's model is read back from it.

use serde_json::{json, Value};

use super::describe::{describe, responses};
use super::patterns;

/// Fields of response schemas that are left out rather than sent as `null`:
/// `#[serde(skip_serializing_if)]` in the models. `contract::response_fields_are_required`
/// checks real responses against the document.
const LEFT_OUT_WHEN_EMPTY: &[(&str, &str)] = &[
    ("Initiative", "coalition"),
    ("Participant", "organisation"),
    ("Training", "coalition"),
    ("Training", "organiser"),
    ("Membership", "organisation"),
    ("Membership", "coalition"),
    ("Problem", "errors"),
];

/// Apply the pass to `api`.
pub fn refine(api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut doc = match serde_json::to_value(&api) {
        Ok(doc) => doc,
        Err(e) => {
            log::error!("OpenAPI document: {e}");
            return api;
        }
    };
    refine_json(&mut doc);
    match serde_path_to_error::deserialize(doc) {
        Ok(refined) => refined,
        Err(e) => {
            log::error!("OpenAPI document after refinement: {e}");
            api
        }
    }
}

fn refine_json(doc: &mut Value) {
    doc["servers"] = json!([{"url": "/", "description": "This server (every path starts with `/api/v1`)"}]);
    doc["info"]["contact"] = json!({
        "name": "Digital Skills and Jobs Platform — National Coalitions",
        "url": "https://digital-skills-jobs.europa.eu"
    });
    add_components(doc);
    split_csv(doc);
    let mut patches: Vec<String> = Vec::new();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, operation) in item.iter_mut() {
                if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    continue;
                }
                describe(path, method, operation);
                if path.ends_with("/batch") {
                    let body = &mut operation["requestBody"]["content"]["application/json"]["schema"];
                    if body["type"] == "array" {
                        body["minItems"] = json!(1);
                        body["maxItems"] = json!(crate::http::extract::MAX_BATCH);
                    }
                }
                responses(path, method, operation);
                if method == "patch" {
                    if let Some(name) = patch_schema(operation) {
                        patches.push(name);
                    }
                }
            }
        }
    }
    patch_schemas(doc, patches);
    let request_schemas = reachable(doc, |key| key == "requestBody");
    translated(doc, &request_schemas);
    patterns::screen(doc, &request_schemas);
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for (name, schema) in schemas.iter_mut() {
            if request_schemas.contains(name) {
                continue;
            }
            require_properties(name, schema);
        }
    }
}

/// What translated text adds to the document: each record schema (one with
/// `original_language`, or a vocabulary entry's `label` map) gets its read-only `display`
/// object (`<Record>Display`), and every `GET` the `lang` parameter.
fn translated(doc: &mut Value, request_schemas: &std::collections::BTreeSet<String>) {
    let mut displays = Vec::new();
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for (name, schema) in schemas.iter_mut() {
            let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
                continue;
            };
            if let Some(original) = properties.get_mut("original_language") {
                original["pattern"] = Value::String(crate::texts::tag_pattern());
            }
            let record = properties.contains_key("original_language")
                || properties
                    .get("label")
                    .is_some_and(|l| l["$ref"] == "#/components/schemas/Texts");
            if request_schemas.contains(name) || !record {
                continue;
            }
            let fields: Vec<&str> = crate::texts::FIELDS
                .iter()
                .copied()
                .filter(|f| properties.contains_key(*f))
                .collect();
            let display = format!("{name}Display");
            displays.push((display.clone(), crate::texts::display_schema(&fields)));
            properties.insert(
                "display".into(),
                json!({"$ref": format!("#/components/schemas/{display}"), "description": "Read-only: the translated fields as plain strings, in the request's language."}),
            );
        }
        for (name, schema) in displays {
            schemas.insert(name, serde_json::to_value(schema).unwrap_or_default());
        }
    }
    let lang = json!({
        "name": "lang",
        "in": "query",
        "required": false,
        "description": "The languages of `display`, most preferred first (comma-separated accepted tags, e.g. `lv,en`); \
            the record's original language always ends the chain. Without it, `Accept-Language` decides. An unknown or \
            malformed tag is a 400.",
        "schema": {"type": "string", "pattern": crate::texts::tags_pattern()},
        "example": "lv,en"
    });
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let Some(get) = item.get_mut("get").and_then(Value::as_object_mut) else {
                continue;
            };
            if !path.starts_with("/api/v1") || path.ends_with("openapi.json") {
                continue;
            }
            match get.get_mut("parameters").and_then(Value::as_array_mut) {
                Some(parameters) => parameters.push(lang.clone()),
                None => {
                    get.insert("parameters".into(), json!([lang.clone()]));
                }
            }
        }
    }
}

/// Give every merge-patch operation's input its `<Input>Patch` schema: nothing required, fields
/// with a default nullable.
fn patch_schemas(doc: &mut Value, patches: Vec<String>) {
    let schemas = &mut doc["components"]["schemas"];
    for input in patches {
        if let Some(mut patch) = schemas.get(&input).cloned() {
            if let Some(object) = patch.as_object_mut() {
                let required = object.remove("required").unwrap_or_default();
                if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
                    for (field, property) in properties.iter_mut() {
                        if !required.as_array().is_some_and(|r| r.iter().any(|r| r == field)) {
                            nullable(property);
                        }
                    }
                }
                let description = object
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                object.insert(
                    "description".into(),
                    Value::String(format!(
                        "{description}\n\nAs a JSON Merge Patch (RFC 7396): every field is optional; a field left out \
                         keeps its value, `null` clears an optional field or puts one with a default back to it \
                         (`publication` to `draft`, a set to empty), a set is replaced whole."
                    )),
                );
            }
            schemas[format!("{input}Patch")] = patch;
        }
    }
}

/// Let a property also be `null` (a merge patch's "back to the default").
fn nullable(property: &mut Value) {
    let Some(object) = property.as_object_mut() else { return };
    match object.get_mut("type") {
        Some(Value::String(t)) => {
            let t = t.clone();
            object.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(ts)) => {
            if !ts.iter().any(|t| t == "null") {
                ts.push(json!("null"));
            }
        }
        _ => {
            if let Some(reference) = object.remove("$ref") {
                object.insert("oneOf".into(), json!([{"$ref": reference}, {"type": "null"}]));
            }
        }
    }
}

/// Give every list that answers with CSV its own operation, `GET <list>.csv` (same filters, no
/// paging, `text/csv` only), and keep the list's own operation JSON only: a typed client then
/// never gets a string where it expects a page. (`format=csv` and `Accept: text/csv` on the
/// list's URL still work; they are not part of the typed contract.)
fn split_csv(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    let mut added = Vec::new();
    for (path, item) in paths.iter_mut() {
        let Some(list) = item.get_mut("get") else { continue };
        let Some(content) = list["responses"]["200"]["content"].as_object_mut() else {
            continue;
        };
        if content.remove("text/csv").is_none() {
            continue;
        }
        let is_list_format = |p: &Value| p["name"] == "format" && p["schema"].to_string().contains("ListFormat");
        if let Some(parameters) = list["parameters"].as_array_mut() {
            parameters.retain(|p| !is_list_format(p));
        }
        let mut csv = list.clone();
        let id = list["operationId"].as_str().unwrap_or_default();
        csv["operationId"] = Value::String(format!("{id}_csv"));
        let summary = list["summary"]
            .as_str()
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string();
        csv["summary"] = Value::String(format!("{summary}, every match as CSV."));
        csv["description"] = Value::String(
            "Every matching record (not one page), streamed as CSV (RFC 4180) with a header row: sets joined \
             with `;`, nested records as compact JSON. The same filters and sort as the JSON list; drafts as \
             for the JSON list. The same export answers `Accept: text/csv` or `format=csv` on the list's URL."
                .into(),
        );
        if let Some(parameters) = csv["parameters"].as_array_mut() {
            parameters.retain(|p| !["limit", "cursor", "page", "count"].contains(&p["name"].as_str().unwrap_or("")));
        }
        let ok = &mut csv["responses"]["200"];
        ok["description"] = Value::String("Every matching record as CSV".into());
        ok["content"] = json!({"text/csv": {"schema": {"type": "string"}}});
        if let Some(headers) = ok["headers"].as_object_mut() {
            headers.remove("Link");
        }
        added.push((format!("{path}.csv"), json!({ "get": csv })));
    }
    for (path, item) in added {
        paths.insert(path, item);
    }
}

fn add_components(doc: &mut Value) {
    let components = &mut doc["components"];
    components["headers"]["X-Request-Id"] = json!({
        "description": "The request's id: yours when you sent `X-Request-Id` (visible ASCII, at most 200 characters), else generated; it is in the service's log line for the request",
        "schema": {"type": "string"}
    });
    components["headers"]["Retry-After"] = json!({
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 0}
    });
    components["headers"]["RateLimit-Policy"] = json!({
        "description": "The budget this request counted against (IETF httpapi rate-limit headers draft): `\"reads\";q=6000;w=60` is 6,000 reads per 60 seconds per caller. Absent where limits are off",
        "schema": {"type": "string"}
    });
    components["headers"]["RateLimit"] = json!({
        "description": "What is left of the budget: `\"reads\";r=998;t=1` is 998 requests allowed now, the whole burst back in 1 second. Absent where limits are off",
        "schema": {"type": "string"}
    });
    if let Some(responses) = components["responses"].as_object_mut() {
        for (_, response) in responses.iter_mut() {
            response["headers"]["X-Request-Id"] = json!({"$ref": "#/components/headers/X-Request-Id"});
        }
        for name in ["ServiceUnavailable", "TooManyRequests"] {
            if let Some(response) = responses.get_mut(name) {
                response["headers"]["Retry-After"] = json!({"$ref": "#/components/headers/Retry-After"});
            }
        }
        if let Some(limited) = responses.get_mut("TooManyRequests") {
            limited["headers"]["RateLimit"] = json!({"$ref": "#/components/headers/RateLimit"});
            limited["headers"]["RateLimit-Policy"] = json!({"$ref": "#/components/headers/RateLimit-Policy"});
        }
    }
}

/// Point a PATCH body at `<Input>Patch`; returns the input schema's name.
fn patch_schema(operation: &mut Value) -> Option<String> {
    let content = operation["requestBody"]["content"].as_object_mut()?;
    let mut input = None;
    for (_, media) in content.iter_mut() {
        if let Some(reference) = media["schema"]["$ref"].as_str() {
            let name = reference.rsplit('/').next()?.to_string();
            media["schema"]["$ref"] = Value::String(format!("#/components/schemas/{name}Patch"));
            input = Some(name);
        }
    }
    input
}

/// Names of schemas reachable from the parts of the document under keys `start` accepts.
fn reachable(doc: &Value, start: impl Fn(&str) -> bool) -> std::collections::BTreeSet<String> {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value.as_str()) {
                        ("$ref", Some(r)) if r.starts_with("#/components/schemas/") => {
                            out.push(r.trim_start_matches("#/components/schemas/").to_string())
                        }
                        _ => refs(value, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    fn roots(value: &Value, start: &dyn Fn(&str) -> bool, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    if start(key) {
                        refs(value, out);
                    } else {
                        roots(value, start, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| roots(v, start, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    roots(&doc["paths"], &start, &mut todo);
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&doc["components"]["schemas"][&name], &mut todo);
        }
    }
    seen
}

/// Make every property of a response schema required, except those left out when empty.
fn require_properties(name: &str, schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else { return };
    let Some(properties) = object.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<Value> = properties
        .keys()
        .filter(|field| !LEFT_OUT_WHEN_EMPTY.contains(&(name, field.as_str())))
        .map(|field| Value::String(field.clone()))
        .collect();
    if !required.is_empty() {
        object.insert("required".into(), Value::Array(required));
    }
}

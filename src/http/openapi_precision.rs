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
    match serde_json::from_value(doc) {
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
                        body["maxItems"] = json!(crate::kernel::sync::MAX_BATCH);
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
    let request_schemas = reachable(doc, |key| key == "requestBody");
    screen_parameters(doc);
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for name in &request_schemas {
            if let Some(schema) = schemas.get_mut(name) {
                screen_text(schema, BODY_TEXT, 0);
            }
        }
        // Country codes in bodies: two capitals (`validation::country_code`).
        for name in &request_schemas {
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
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for (name, schema) in schemas.iter_mut() {
            if request_schemas.contains(name) {
                continue;
            }
            require_properties(name, schema);
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
                if parameter["name"] == "language" && parameter["in"] == "query" {
                    parameter["schema"]["items"]["pattern"] = Value::String(LANGUAGE.into());
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
    if let Some(responses) = components["responses"].as_object_mut() {
        for (_, response) in responses.iter_mut() {
            response["headers"]["X-Request-Id"] = json!({"$ref": "#/components/headers/X-Request-Id"});
        }
        if let Some(unavailable) = responses.get_mut("ServiceUnavailable") {
            unavailable["headers"]["Retry-After"] = json!({"$ref": "#/components/headers/Retry-After"});
        }
    }
}

/// Give the operation a description: its doc comment beyond the first sentence, then what
/// operations of its kind do here. A summary longer than one sentence is cut to the first.
fn describe(path: &str, method: &str, operation: &mut Value) {
    let summary = operation["summary"].as_str().unwrap_or_default().replace('\n', " ");
    let (first, rest) = first_sentence(&summary);
    operation["summary"] = Value::String(first.to_string());
    let lists = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .is_some_and(|r| r.ends_with("List"));
    let one = path.ends_with('}');
    // The feeds page their own way (`after=`, `wait=`; administrators only for the audit trail).
    let lists = lists && !path.ends_with("/changes") && !path.ends_with("/audit");
    let feed = path.ends_with("/changes") || path.ends_with("/audit");
    let kind = match method {
        "get" if lists => {
            "Anonymous; a bearer token also shows what it may see that the public may not (drafts). One page at a \
             time, in the requested order: pass `page.next_cursor` as `cursor` for the next page (also in the \
             `Link: rel=\"next\"` header); `page.total` counts every match up to 10,000. Repeat a filter to match any \
             of its values (at most 50 per parameter). The `ETag` changes with the page's content: send it in \
             `If-None-Match` to get 304 while nothing changed."
        }
        "get" if one => {
            "Anonymous; a bearer token also shows what it may see that the public may not (drafts). The `ETag` is \
             the record's version: send it in `If-None-Match` to get 304 while it is unchanged, or in `If-Match` \
             when writing to write only over this version."
        }
        "get" if feed => "",
        "get" => "The `ETag` changes with the content: send it in `If-None-Match` to get 304 while nothing changed.",
        "post" if path.ends_with("/batch") => {
            "Needs a bearer token. The items are validated first and written in one transaction: any invalid item \
             and nothing is written. Send `Idempotency-Key` to make a retry return the first response."
        }
        "post" => {
            "Needs a bearer token. Answers 201 with the record, its `Location` and its `ETag`. Send \
             `Idempotency-Key` to make a retry return the first response instead of writing twice."
        }
        "put" if path.contains("/external/") => {
            "Needs a bearer token. Keyed by your system's id, so a replica can send its records as often as it \
             likes: 201 when created, 200 when replaced; a repeat that changes nothing keeps the version."
        }
        "put" => {
            "Needs a bearer token. Replaces the whole record: optional fields left out are cleared. Send the `ETag` \
             you read in `If-Match` to be refused (412) instead of overwriting someone else's change."
        }
        "patch" => {
            "Needs a bearer token. A JSON Merge Patch (RFC 7396, `Content-Type: application/merge-patch+json`): \
             only the fields present change, `null` clears an optional field, a set is replaced whole. `If-Match` \
             as for PUT."
        }
        "delete" => {
            "Needs a bearer token. Answers 204. `If-Match` with the `ETag` you read refuses the delete (412) if the \
             record changed since."
        }
        _ => "",
    };
    let own = operation["description"].as_str().unwrap_or_default().trim().to_string();
    let text = [rest.trim(), own.as_str(), kind]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let text = if text.is_empty() { first.to_string() } else { text };
    operation["description"] = Value::String(text);
}

/// `(first sentence, the rest)`: split after the first `. ` outside backticks.
fn first_sentence(text: &str) -> (&str, &str) {
    let mut in_code = false;
    for (i, c) in text.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '.' if !in_code && text[i + 1..].starts_with(' ') => {
                return (text[..=i].trim(), text[i + 1..].trim());
            }
            _ => {}
        }
    }
    (text.trim(), "")
}

fn responses(path: &str, method: &str, operation: &mut Value) {
    let Some(responses) = operation["responses"].as_object_mut() else {
        return;
    };
    let root = path == "/api/v1";
    // Every route screens its path and query (control characters, too many values).
    if !responses.contains_key("400") {
        responses.insert("400".into(), json!({"$ref": "#/components/responses/BadRequest"}));
    }
    if !root {
        responses.insert(
            "503".into(),
            json!({"$ref": "#/components/responses/ServiceUnavailable"}),
        );
    }
    if ["post", "put", "patch"].contains(&method) {
        responses.insert("408".into(), json!({"$ref": "#/components/responses/RequestTimeout"}));
    }
    for (status, response) in responses.iter_mut() {
        if response.get("$ref").is_some() {
            continue;
        }
        response["headers"]["X-Request-Id"] = json!({"$ref": "#/components/headers/X-Request-Id"});
        if status == "200"
            && method == "get"
            && response["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .is_some_and(|r| r.ends_with("List"))
        {
            response["headers"]["Link"] = json!({
                "description": "`<url>; rel=\"next\"`: the next page, when there is one",
                "schema": {"type": "string"}
            });
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

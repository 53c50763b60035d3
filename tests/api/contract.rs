//! The published contract: OpenAPI document (committed = generated = served), docs, migrations.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{Fixture, TestApp};

fn committed() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
        .expect("openapi/openapi.json is committed")
}

#[test]
fn committed_openapi_matches_the_code() {
    let generated = coalition_registry::app::openapi_json();
    assert!(
        committed() == generated,
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi --output openapi/openapi.json`"
    );
}

/// Every `$ref` in the document names something the document defines (generators stop at
/// the first that does not: "Can't resolve $ref").
#[test]
fn every_reference_resolves() {
    fn walk(node: &serde_json::Value, doc: &serde_json::Value, dangling: &mut Vec<String>) {
        match node {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                    let pointer = target.strip_prefix('#').unwrap_or("not a local reference");
                    if doc.pointer(pointer).is_none() {
                        dangling.push(target.clone());
                    }
                }
                map.values().for_each(|v| walk(v, doc, dangling));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, doc, dangling)),
            _ => {}
        }
    }
    let doc: serde_json::Value = serde_json::from_str(&coalition_registry::app::openapi_json()).unwrap();
    let mut dangling = Vec::new();
    walk(&doc, &doc, &mut dangling);
    dangling.sort();
    dangling.dedup();
    assert_eq!(dangling, Vec::<String>::new(), "references to nothing");
}

/// Every operation names the bearer scheme: required on writes, optional on reads (`{}`
/// beside it) so clients send a token when they have one — a token shows drafts.
#[test]
fn every_operation_declares_its_security() {
    let doc: serde_json::Value = serde_json::from_str(&coalition_registry::app::openapi_json()).unwrap();
    let bearer = serde_json::json!({"bearer": []});
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let security = operation["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path}: no security"));
            if path == "/api/v1/oauth/token" {
                // Where machine clients get their tokens: anonymous, or their HTTP Basic
                // credentials; never a bearer token.
                assert_eq!(
                    security,
                    &[serde_json::json!({}), serde_json::json!({"client_basic": []})]
                );
                continue;
            }
            assert!(security.contains(&bearer), "{method} {path}: {security:?}");
            if method != "get" {
                assert!(
                    !security.contains(&serde_json::json!({})),
                    "{method} {path} needs a token"
                );
            }
        }
    }
}

/// The change feed is typed: `type` and `action` enums, `data` one of the record schemas.
#[test]
fn the_change_feed_is_typed() {
    let doc: serde_json::Value = serde_json::from_str(&coalition_registry::app::openapi_json()).unwrap();
    let change = &doc["components"]["schemas"]["Change"]["properties"];
    // The feed's kinds: the journal's without the audit-only one (machine clients).
    assert_eq!(change["type"]["$ref"], "#/components/schemas/FeedType");
    assert_eq!(
        doc["components"]["schemas"]["FeedType"]["enum"],
        serde_json::json!([
            "country",
            "coalition",
            "organisation",
            "membership",
            "initiative",
            "training"
        ])
    );
    assert_eq!(change["action"]["$ref"], "#/components/schemas/Action");
    assert_eq!(
        doc["components"]["schemas"]["Action"]["enum"],
        serde_json::json!(["created", "updated", "deleted"])
    );
    let data = doc["components"]["schemas"]["ChangeData"]["oneOf"].as_array().unwrap();
    let kinds: Vec<&str> = data.iter().filter_map(|d| d["$ref"].as_str()).collect();
    for kind in [
        "Country",
        "Coalition",
        "Organisation",
        "Membership",
        "Initiative",
        "Training",
    ] {
        assert!(
            kinds.contains(&format!("#/components/schemas/{kind}").as_str()),
            "{kind}"
        );
    }
}

#[test]
fn openapi_documents_every_operation_fully() {
    let doc: serde_json::Value = serde_json::from_str(&committed()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/api/v1",
        "/api/v1/countries",
        "/api/v1/countries/{code}",
        "/api/v1/vocabularies",
        "/api/v1/coalitions",
        "/api/v1/coalitions/{id}",
        "/api/v1/coalitions/{id}/members",
        "/api/v1/coalitions/{id}/members/{membership_id}",
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/organisations/{id}/memberships",
    ] {
        assert!(paths.contains_key(expected), "{expected} is not documented");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path}: no success response"
            );
            if method == "get" {
                assert!(responses.contains_key("304"), "{method} {path}: 304 documented");
                let names: Vec<&str> = op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                assert!(
                    names.contains(&"If-None-Match"),
                    "{method} {path}: If-None-Match documented"
                );
            }
            if ["put", "patch", "delete"].contains(&method.as_str()) {
                assert!(responses.contains_key("412"), "{method} {path}: 412 documented");
            }
            if method != "get" && path != "/api/v1/oauth/token" {
                assert_eq!(
                    op["security"][0]["bearer"],
                    serde_json::json!([]),
                    "{method} {path}: bearer security"
                );
                for status in ["401", "403"] {
                    assert!(responses.contains_key(status), "{method} {path}: no {status}");
                }
            }
            let list = !["vocabularies", "stats", "changes"].iter().any(|p| path.ends_with(p));
            if (path.ends_with('s') || path.ends_with(".csv")) && method == "get" && list {
                let params: Vec<&str> = op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                let csv = path.ends_with(".csv");
                let paging: &[&str] = if csv {
                    &[]
                } else {
                    &["limit", "cursor", "page", "count"]
                };
                for p in paging.iter().chain(&["sort"]) {
                    assert!(params.contains(p), "{method} {path}: no `{p}` parameter");
                }
                let content = op["responses"]["200"]["content"].as_object().unwrap();
                if csv {
                    assert_eq!(content.keys().collect::<Vec<_>>(), ["text/csv"], "{path}: CSV only");
                    assert!(!params.contains(&"limit"), "{path}: no paging");
                } else {
                    assert_eq!(
                        content.keys().collect::<Vec<_>>(),
                        ["application/json"],
                        "{path}: JSON only"
                    );
                    assert!(
                        paths.contains_key(&format!("{path}.csv")),
                        "{path}: CSV has its own operation"
                    );
                }
                assert!(responses.contains_key("400"), "{method} {path}: no 400");
            }
        }
    }
    let status_param = doc["paths"]["/api/v1/coalitions"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "status")
        .unwrap()
        .clone();
    assert_eq!(
        status_param["schema"]["items"]["$ref"],
        "#/components/schemas/CoalitionStatus"
    );
    let statuses = &doc["components"]["schemas"]["CoalitionStatus"]["enum"];
    assert_eq!(
        statuses,
        &serde_json::json!(["planned", "in_establishment", "established", "inactive"]),
        "filter enums are documented"
    );
}

#[test]
fn both_backends_have_the_same_migrations() {
    let names = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names("postgres"), names("sqlite"));
}

async fn served_openapi_is_the_committed_one(app: TestApp) {
    let reply = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let served: serde_json::Value = reply.json().await.unwrap();
    let committed: serde_json::Value = serde_json::from_str(&committed()).unwrap();
    assert_eq!(served, committed);
}

async fn docs_are_served_from_the_binary(app: TestApp) {
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = no_redirects.get(format!("{}/docs", app.base)).send().await.unwrap();
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app.client.get(format!("{}/docs/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "Swagger UI page");
    let bundle = app
        .client
        .get(format!("{}/docs/swagger-ui-bundle.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200, "UI assets come from the binary, not a CDN");
}

/// Where `value` breaks `schema`: a missing required field, a field the schema does not
/// declare, a value of another type or outside an enum. A small validator for what generated
/// clients rely on (`required`, `type`, `enum`, `oneOf`), not every JSON Schema keyword.
fn violations(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(target) = schema["$ref"].as_str() {
        let resolved = doc.pointer(target.trim_start_matches('#')).expect("resolvable $ref");
        return violations(doc, resolved, value, at, out);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let fits = options.iter().any(|option| {
                let mut inner = Vec::new();
                violations(doc, option, value, at, &mut inner);
                inner.is_empty()
            });
            if !fits {
                out.push(format!("{at}: fits none of the {key} schemas: {value}"));
            }
            return;
        }
    }
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            violations(doc, part, value, at, out);
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let fits = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
    if !types.is_empty() && !fits {
        out.push(format!("{at}: a {actual}, the document says {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"].as_object();
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap();
                if !fields.contains_key(name) {
                    out.push(format!("{at}: required `{name}` is missing"));
                }
            }
            for (name, field) in fields {
                match properties.and_then(|p| p.get(name)) {
                    Some(property) => violations(doc, property, field, &format!("{at}.{name}"), out),
                    None if schema.get("additionalProperties").is_some() => {
                        let extra = &schema["additionalProperties"];
                        if extra.is_object() {
                            violations(doc, extra, field, &format!("{at}.{name}"), out);
                        }
                    }
                    None if properties.is_some() => out.push(format!("{at}: `{name}` is not in the document")),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                violations(doc, &schema["items"], item, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// What the document says a response with this status has as its JSON body.
fn response_schema<'a>(doc: &'a Value, operation: &'a Value, status: u16) -> Option<&'a Value> {
    let mut response = &operation["responses"][status.to_string()];
    if let Some(target) = response["$ref"].as_str() {
        response = doc.pointer(target.trim_start_matches('#'))?;
    }
    let content = response["content"].as_object()?;
    content
        .iter()
        .find(|(media, _)| media.contains("json"))
        .map(|(_, media)| &media["schema"])
}

/// Every response of every read (with and without a token, with every `include=` embed), and
/// of writes and errors, matches the document: fields always sent are required, and nothing
/// is sent that the document does not declare.
async fn responses_match_the_document(app: TestApp) {
    let fixture = Fixture::new(&app).await;
    let doc = app.get("/openapi.json").await.ok(200).clone();
    let admin = app.admin();
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut check = |method: &str, template: &str, reply: &crate::common::Reply| {
        let operation = &doc["paths"][template][method];
        let schema = response_schema(&doc, operation, reply.status.as_u16())
            .unwrap_or_else(|| panic!("{method} {template}: {} is not documented", reply.status));
        violations(
            &doc,
            schema,
            &reply.body,
            &format!("{method} {template} {}", reply.status),
            &mut problems,
        );
        checked += 1;
    };
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let path = fixture.fill(template, None);
        if path.ends_with(".csv") {
            let reply = app.request(Method::GET, &path, Some(&admin), None).await;
            assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
            assert!(reply.header("content-type").unwrap().starts_with("text/csv"), "{path}");
            continue;
        }
        let mut variants = vec![path.clone()];
        let include = if path.starts_with("/initiatives") {
            Some("coalition,organisations")
        } else if path.starts_with("/trainings") {
            Some("coalition,organiser")
        } else if path.contains("/memberships") {
            Some("coalition")
        } else if path.contains("/members") {
            Some("organisation")
        } else {
            None
        };
        let takes_include = item["get"]["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "include"));
        if let (Some(include), true) = (include, takes_include) {
            variants.push(format!("{path}?include={include}"));
        }
        if path.starts_with("/changes") {
            variants = vec!["/changes?wait=0".into(), "/changes?wait=0&limit=2".into()];
        }
        for path in variants {
            for token in [None, Some(admin.as_str())] {
                let reply = app.request(Method::GET, &path, token, None).await;
                if reply.status == 403 || (reply.status == 401 && token.is_none()) {
                    check("get", template, &reply);
                    continue;
                }
                assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
                check("get", template, &reply);
            }
        }
    }
    // Writes and errors.
    let created = app
        .post(
            "/organisations",
            Some(&admin),
            json!({"name": "Contract", "sector": "private"}),
        )
        .await;
    check("post", "/api/v1/organisations", &created);
    let id = created.body["id"].as_str().unwrap().to_string();
    let patched = app
        .patch(&format!("/organisations/{id}"), Some(&admin), json!({"website": null}))
        .await;
    check("patch", "/api/v1/organisations/{id}", &patched);
    let invalid = app
        .post("/organisations", Some(&admin), json!({"name": "", "sector": "nope"}))
        .await;
    check("post", "/api/v1/organisations", &invalid);
    let missing = app.get("/initiatives/00000000-0000-0000-0000-000000000000").await;
    check("get", "/api/v1/initiatives/{id}", &missing);
    let bad = app.get("/initiatives?limit=0").await;
    check("get", "/api/v1/initiatives", &bad);
    assert!(
        problems.is_empty(),
        "{} responses, {} problems:\n{}",
        checked,
        problems.len(),
        problems.join("\n")
    );
    assert!(checked >= 55, "responses checked: {checked}");
}

/// The validator above finds what it is for (so that its silence means something).
#[test]
fn the_response_validator_finds_violations() {
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let page = json!({"$ref": "#/components/schemas/PageInfo"});
    let mut out = Vec::new();
    violations(
        &doc,
        &page,
        &json!({"limit": 1, "next_cursor": null, "total": 3, "total_exact": true}),
        "ok",
        &mut out,
    );
    assert!(out.is_empty(), "{out:?}");
    for (bad, why) in [
        (
            json!({"limit": 1, "total": 3, "total_exact": true}),
            "required `next_cursor` is missing",
        ),
        (
            json!({"limit": "1", "next_cursor": null, "total": 3, "total_exact": true}),
            "a string",
        ),
        (
            json!({"limit": 1, "next_cursor": null, "total": 3, "total_exact": true, "extra": 1}),
            "`extra` is not in the document",
        ),
    ] {
        let mut out = Vec::new();
        violations(&doc, &page, &bad, "page", &mut out);
        assert!(out.iter().any(|v| v.contains(why)), "{bad}: {out:?}");
    }
    let mut out = Vec::new();
    let change = json!({"$ref": "#/components/schemas/Change"});
    violations(
        &doc,
        &change,
        &json!({"position": "x", "type": "nope"}),
        "change",
        &mut out,
    );
    assert!(!out.is_empty());
}

/// Merge-patch operations take their own schema, with nothing required (a typed
/// `{"website": null}` compiles), and every response field that is always sent is required.
#[test]
fn patches_are_optional_and_responses_required() {
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let mut patches = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(patch) = item.get("patch") else { continue };
        let media = &patch["requestBody"]["content"]["application/merge-patch+json"];
        let target = media["schema"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("PATCH {path}: no schema"));
        assert!(target.ends_with("Patch"), "PATCH {path} takes {target}");
        let schema = doc.pointer(target.trim_start_matches('#')).unwrap();
        assert!(
            schema.get("required").is_none(),
            "{target} requires {}",
            schema["required"]
        );
        assert!(schema["properties"].as_object().is_some_and(|p| !p.is_empty()));
        patches += 1;
    }
    assert_eq!(patches, 6, "every resource has a merge patch");
    let schemas = &doc["components"]["schemas"];
    for (name, optional) in [
        ("Initiative", vec!["coalition"]),
        ("Training", vec!["coalition", "organiser"]),
        ("Coalition", vec![]),
        ("Organisation", vec![]),
        ("Country", vec![]),
        ("PageInfo", vec![]),
        ("Change", vec![]),
        ("AuditEntry", vec![]),
    ] {
        let required: Vec<&str> = schemas[name]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for property in schemas[name]["properties"].as_object().unwrap().keys() {
            assert_eq!(
                !required.contains(&property.as_str()),
                optional.contains(&property.as_str()),
                "{name}.{property}"
            );
        }
    }
}

crate::backend_tests!(
    served_openapi_is_the_committed_one,
    docs_are_served_from_the_binary,
    responses_match_the_document
);

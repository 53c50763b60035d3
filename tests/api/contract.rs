//! The published contract: OpenAPI document (committed = generated = served), docs, migrations.

use crate::common::TestApp;

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
    assert_eq!(change["type"]["$ref"], "#/components/schemas/RecordType");
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
            if method != "get" {
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
            if path.ends_with('s') && method == "get" && list {
                let params: Vec<&str> = op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                for p in ["limit", "cursor", "page", "count", "sort", "format"] {
                    assert!(params.contains(&p), "{method} {path}: no `{p}` parameter");
                }
                assert_eq!(
                    params.iter().filter(|p| **p == "format").count(),
                    1,
                    "{method} {path}: one `format`"
                );
                assert!(
                    op["responses"]["200"]["content"]["text/csv"].is_object(),
                    "{method} {path}: CSV documented"
                );
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

crate::backend_tests!(served_openapi_is_the_committed_one, docs_are_served_from_the_binary);

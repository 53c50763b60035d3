//! The API root, health, vocabularies, request ids.

use serde_json::json;

use crate::common::TestApp;

async fn root_links_to_contract_and_docs(app: TestApp) {
    let reply = app.get("").await;
    let body = reply.ok(200);
    assert_eq!(body["name"], "coalition-registry");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["links"]["openapi"], "/api/v1/openapi.json");
    assert_eq!(body["links"]["docs"], "/docs/");
    // Every list at the API root, from the registry; nested memberships are not one.
    let links: Vec<&String> = body["links"].as_object().unwrap().keys().collect();
    let expected = [
        "changes",
        "coalitions",
        "countries",
        "docs",
        "health",
        "initiatives",
        "openapi",
        "organisations",
        "stats",
        "trainings",
        "vocabularies",
    ];
    assert_eq!(links, expected);
    for list in ["countries", "coalitions", "organisations", "initiatives", "trainings"] {
        let href = body["links"][list].as_str().unwrap();
        assert_eq!(href, format!("/api/v1/{list}"));
        app.get(&href["/api/v1".len()..]).await.ok(200);
    }
}

async fn health_reports_database(app: TestApp) {
    let reply = app.get("/health").await;
    let body = reply.ok(200);
    assert_eq!(body["status"], "ok");
    let expected = match app.backend {
        crate::common::Backend::Sqlite => "sqlite",
        crate::common::Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn vocabularies_have_codes_and_labels(app: TestApp) {
    let reply = app.get("/vocabularies").await;
    let body = reply.ok(200);
    for name in [
        "activity_areas",
        "themes",
        "target_groups",
        "sectors",
        "coalition_statuses",
        "membership_roles",
        "event_kinds",
        "event_formats",
    ] {
        let terms = body[name]
            .as_array()
            .unwrap_or_else(|| panic!("vocabulary {name} missing"));
        assert!(!terms.is_empty(), "{name} is empty");
        for term in terms {
            assert!(
                term["code"].is_string() && term["label"]["en"].is_string() && term["display"]["label"].is_string(),
                "{name}: {term}"
            );
        }
    }
    let areas: Vec<&str> = body["activity_areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        areas,
        [
            "digital_skills_for_all",
            "labour_force",
            "ict_professionals",
            "education"
        ]
    );
    let women = &body["themes"].as_array().unwrap()[0];
    assert_eq!(women["code"], "women_in_ict");
    assert_eq!(women["label"], json!({"en": "Women in ICT"}), "themes are English only");
    assert_eq!(women["display"], json!({"language": "en", "label": "Women in ICT"}));
}

async fn request_id_is_echoed_or_generated(app: TestApp) {
    let reply = crate::common::Reply::from(
        app.client
            .get(app.url("/countries/LV"))
            .header("x-request-id", "trace-abc-123")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.header("x-request-id"), Some("trace-abc-123"));
    let generated = app.get("/countries/XX").await;
    let id = generated
        .header("x-request-id")
        .expect("generated id on an error response too");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_ne!(app.get("").await.header("x-request-id"), Some(id));
}

crate::backend_tests!(
    root_links_to_contract_and_docs,
    health_reports_database,
    vocabularies_have_codes_and_labels,
    request_id_is_echoed_or_generated,
);

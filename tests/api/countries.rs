//! Countries: seeded reference data, admin-only writes.

use serde_json::json;

use crate::common::TestApp;

async fn seeds_eu27_and_eastern_partnership(app: TestApp) {
    let eu = app.get("/countries?group=eu&limit=100").await;
    assert_eq!(eu.ok(200)["page"]["total"], 27);
    assert_eq!(eu.body["data"].as_array().unwrap().len(), 27);
    let eap = app.get("/countries?group=eastern_partnership&sort=name").await;
    let names: Vec<&str> = eap.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Armenia", "Azerbaijan", "Belarus", "Georgia", "Moldova", "Ukraine"]
    );
    let greece = app.get("/countries/GR").await;
    let body = greece.ok(200);
    assert_eq!(body["eu_code"], "EL");
    assert_eq!(body["native_name"], "Ελλάδα");
    assert_eq!(body["version"], 1);
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
    // Codes are case-insensitive in URLs.
    assert_eq!(app.get("/countries/ua").await.ok(200)["native_name"], "Україна");
}

async fn unknown_country_is_404(app: TestApp) {
    let reply = app.get("/countries/XX").await;
    assert!(reply.problem(404)["detail"].as_str().unwrap().contains("XX"));
}

async fn search_finds_native_names(app: TestApp) {
    let reply = app.get("/countries?q=latvi").await;
    let data = reply.ok(200)["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["code"], "LV");
}

async fn admin_manages_countries(app: TestApp) {
    let admin = app.admin();
    let created = app
        .post(
            "/countries",
            Some(&admin),
            json!({"code": "GB", "eu_code": "UK", "name": "United Kingdom", "native_name": "United Kingdom"}),
        )
        .await;
    assert_eq!(created.ok(201)["groups"], json!([]));
    assert_eq!(created.header("location"), Some("/api/v1/countries/GB"));
    let again = app
        .post(
            "/countries",
            Some(&admin),
            json!({"code": "GB", "eu_code": "UK", "name": "United Kingdom", "native_name": "United Kingdom"}),
        )
        .await;
    again.problem(409);
    let patched = app
        .patch("/countries/GB", Some(&admin), json!({"groups": ["candidate"]}))
        .await;
    assert_eq!(patched.ok(200)["groups"], json!(["candidate"]));
    assert_eq!(patched.body["version"], 2);
    let renamed = app.patch("/countries/GB", Some(&admin), json!({"code": "UK"})).await;
    assert_eq!(renamed.problem(422)["errors"][0]["field"], "code");
    let replaced = app
        .put(
            "/countries/GB",
            Some(&admin),
            json!({"code": "GB", "eu_code": "UK", "name": "United Kingdom", "native_name": "Y Deyrnas Unedig"}),
        )
        .await;
    assert_eq!(replaced.ok(200)["native_name"], "Y Deyrnas Unedig");
    assert_eq!(replaced.body["groups"], json!([]));
    assert_eq!(replaced.body["version"], 3);
    app.delete("/countries/GB", Some(&admin)).await.ok(204);
    app.get("/countries/GB").await.problem(404);
}

async fn referenced_country_cannot_be_deleted(app: TestApp) {
    app.coalition("LV", "Latvian Digital Skills and Jobs Coalition").await;
    let reply = app.delete("/countries/LV", Some(&app.admin())).await;
    reply.problem(409);
    app.get("/countries/LV").await.ok(200);
}

async fn invalid_country_is_rejected_with_fields(app: TestApp) {
    let reply = app
        .post(
            "/countries",
            Some(&app.admin()),
            json!({"code": "gbr", "eu_code": "UK", "name": "", "native_name": "x"}),
        )
        .await;
    reply.problem(422);
    assert_eq!(reply.error_fields(), ["code", "name"]);
    app.get("/countries/GB").await.problem(404);
}

crate::backend_tests!(
    seeds_eu27_and_eastern_partnership,
    unknown_country_is_404,
    search_finds_native_names,
    admin_manages_countries,
    referenced_country_cannot_be_deleted,
    invalid_country_is_rejected_with_fields,
);

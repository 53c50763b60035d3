//! Organisations: CRUD, filters, and what deleting one does to memberships and coordinators.

use serde_json::json;

use crate::common::TestApp;

async fn create_update_and_filter(app: TestApp) {
    let admin = app.admin();
    let created = app
        .post(
            "/organisations",
            Some(&admin),
            json!({"name": "Tbilisi State University", "acronym": "TSU", "sector": "education", "country_code": "GE",
                   "website": "https://tsu.example.ge", "external_id": "eu4d-org-17"}),
        )
        .await;
    let org = created.ok(201).clone();
    let id = org["id"].as_str().unwrap();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/organisations/{id}")
    );
    assert_eq!(org["external_id"], "eu4d-org-17");
    app.post(
        "/organisations",
        Some(&admin),
        json!({"name": "ITU", "sector": "international"}),
    )
    .await
    .ok(201);
    app.post(
        "/organisations",
        Some(&admin),
        json!({"name": "Georgian ICT Cluster", "sector": "private", "country_code": "GE"}),
    )
    .await
    .ok(201);

    let names = |reply: &crate::common::Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["display"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&app.get("/organisations?country=GE").await),
        ["Georgian ICT Cluster", "Tbilisi State University"]
    );
    assert_eq!(names(&app.get("/organisations?sector=international").await), ["ITU"]);
    assert_eq!(
        names(&app.get("/organisations?q=tsu").await),
        ["Tbilisi State University"],
        "acronyms are searched"
    );
    assert_eq!(
        names(
            &app.get("/organisations?sector=education&sector=private&sort=-name")
                .await
        ),
        ["Tbilisi State University", "Georgian ICT Cluster"]
    );

    let coalition = app.coalition("GE", "Georgian coalition").await;
    app.member(&coalition, id).await;
    assert_eq!(
        names(&app.get(&format!("/organisations?coalition={coalition}")).await),
        ["Tbilisi State University"]
    );
    app.get("/organisations?coalition=nope").await.problem(400);

    let duplicate = app
        .post(
            "/organisations",
            Some(&admin),
            json!({"name": "Other", "sector": "ngo", "external_id": "eu4d-org-17"}),
        )
        .await;
    assert!(duplicate.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("external_id"));

    let patched = app
        .patch(
            &format!("/organisations/{id}"),
            Some(&admin),
            json!({"acronym": null, "sector": "research"}),
        )
        .await;
    assert_eq!(patched.ok(200)["acronym"], json!(null));
    assert_eq!(patched.body["sector"], "research");
    assert_eq!(patched.body["version"], 2);
}

async fn validation_reports_each_field(app: TestApp) {
    let reply = app
        .post(
            "/organisations",
            Some(&app.admin()),
            json!({"name": " ", "sector": "ngo", "country_code": "XX", "website": "ftp://files.example.org", "acronym": "A".repeat(51)}),
        )
        .await;
    reply.problem(422);
    assert_eq!(reply.error_fields(), ["acronym", "name.en", "website"]);
    let bad_sector = app
        .post(
            "/organisations",
            Some(&app.admin()),
            json!({"name": "X", "sector": "government"}),
        )
        .await;
    assert_eq!(bad_sector.problem(422)["errors"][0]["field"], "sector");
    assert_eq!(bad_sector.body["errors"][0]["code"], "unknown_value");
    let unknown_country = app
        .post(
            "/organisations",
            Some(&app.admin()),
            json!({"name": "X", "sector": "ngo", "country_code": "XX"}),
        )
        .await;
    assert_eq!(unknown_country.problem(422)["errors"][0]["code"], "unknown_country");
    assert_eq!(app.get("/organisations").await.body["page"]["total"], 0);
}

async fn delete_cascades_and_clears_coordinator(app: TestApp) {
    let admin = app.admin();
    let org = app.organisation("Ministry of Digital Transformation", "UA").await;
    let coalition = app
        .post("/coalitions", Some(&admin), json!({"country_code": "UA", "name": "Ukrainian coalition", "status": "established", "coordinator_id": org}))
        .await
        .ok(201)
        .clone();
    let id = coalition["id"].as_str().unwrap();
    app.member(id, &org).await;
    app.delete(&format!("/organisations/{org}"), Some(&admin)).await.ok(204);
    app.get(&format!("/organisations/{org}")).await.problem(404);
    let after = app.get(&format!("/coalitions/{id}")).await;
    assert_eq!(after.ok(200)["coordinator_id"], json!(null));
    assert_eq!(
        after.body["version"], 2,
        "clearing the coordinator is a change replicas must see"
    );
    assert_eq!(
        app.get(&format!("/coalitions/{id}/members")).await.body["page"]["total"],
        0
    );
}

crate::backend_tests!(
    create_update_and_filter,
    validation_reports_each_field,
    delete_cascades_and_clears_coordinator
);

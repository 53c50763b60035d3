//! Stored documents: every kind of write keeps each record's document equal to its rendering
//! from the tables, reads come from the documents, and a database without them (migrated
//! from before documents) is rendered at start and read correctly before that.

use serde_json::json;

use crate::common::TestApp;
use coalition_registry::ops::seed;
use coalition_registry::store::{Database, Sql};

fn stale(app: &TestApp) -> Vec<String> {
    let db = Database::connect(&app.database_url, 1).unwrap();
    seed::stale_documents(&db).unwrap()
}

async fn every_write_keeps_documents_equal_to_the_tables(app: TestApp) {
    let admin = app.admin();
    let lv = app.coalition("LV", "Latvian coalition").await;
    // Ids sort in creation order (UUIDv7); roles chosen so that the (role, id) order of the
    // participants differs from their (id, role) order.
    let first = app.organisation("First", "LV").await;
    let second = app.organisation("Second", "LV").await;
    let third = app.organisation("Third", "EE").await;
    app.patch(
        &format!("/coalitions/{lv}"),
        Some(&admin),
        json!({"coordinator_id": second, "activity_areas": ["education", "labour_force", "digital_skills_for_all"]}),
    )
    .await
    .ok(200);
    let membership = app.member(&lv, &first).await;
    app.patch(
        &format!("/coalitions/{lv}/members/{membership}"),
        Some(&admin),
        json!({"role": "coordinator", "commitment": "Teachers"}),
    )
    .await
    .ok(200);
    let initiative = app
        .initiative(
            &lv,
            json!({
                "activity_areas": ["education", "labour_force", "digital_skills_for_all"],
                "themes": ["coding", "women_in_ict"], "target_groups": ["teachers", "citizens"],
                "countries": ["LV", "EE", "AM"],
                "organisations": [
                    {"organisation_id": first, "role": "partner"},
                    {"organisation_id": second, "role": "lead"},
                    {"organisation_id": third, "role": "lead"},
                    {"organisation_id": first, "role": "funder"}
                ]
            }),
        )
        .await;
    let id = initiative["id"].as_str().unwrap().to_string();
    // What a write returns is what a read shows.
    let read = app.get(&format!("/initiatives/{id}")).await;
    assert_eq!(read.ok(200), &initiative);
    // An unchanged replacement keeps the version whatever order the body lists sets in.
    let mut same = initiative.clone();
    for field in ["id", "version", "created_at", "updated_at", "display"] {
        same.as_object_mut().unwrap().remove(field);
    }
    same["organisations"] = json!([
        {"organisation_id": first, "role": "funder"},
        {"organisation_id": third, "role": "lead"},
        {"organisation_id": first, "role": "partner"},
        {"organisation_id": second, "role": "lead"}
    ]);
    let put = app.put(&format!("/initiatives/{id}"), Some(&admin), same).await;
    assert_eq!(put.ok(200)["version"], 1, "a no-op PUT keeps the version");
    app.patch(
        &format!("/initiatives/{id}"),
        Some(&admin),
        json!({"title": "Renamed", "themes": ["smes"]}),
    )
    .await
    .ok(200);
    let training = app
        .training(
            Some(&lv),
            json!({
                "organiser_id": second, "audience_countries": ["UA", "AM"], "languages": ["uk", "en"],
                "speakers": [{"name": "Zoe Zed", "affiliation": "EU4Digital"}, {"name": "Adam Able"}],
                "activity_areas": ["education", "digital_skills_for_all"], "themes": ["coding", "smes"]
            }),
        )
        .await;
    let training_id = training["id"].as_str().unwrap().to_string();
    assert_eq!(app.get(&format!("/trainings/{training_id}")).await.ok(200), &training);
    app.patch("/countries/LV", Some(&admin), json!({"native_name": "Latvija!"}))
        .await
        .ok(200);
    // Sync writes: an upsert by external id (create, then update) and a batch.
    let external = json!({
        "coalition_id": lv, "title": "Synced", "activity_areas": ["education"], "countries": ["LV"],
        "sphere": "national", "status": "ongoing", "start_date": "2021-03-01", "publication": "published"
    });
    app.put("/initiatives/external/sync-1", Some(&admin), external.clone())
        .await
        .ok(201);
    let mut changed = external.clone();
    changed["title"] = json!("Synced again");
    app.put("/initiatives/external/sync-1", Some(&admin), changed)
        .await
        .ok(200);
    assert!(stale(&app).is_empty(), "after creates and updates: {:?}", stale(&app));

    // Deleting an organisation changes the records that refer to it: the coalition's
    // coordinator, the initiative's participants, the training's organiser.
    app.delete(&format!("/organisations/{second}"), Some(&admin))
        .await
        .ok(204);
    assert_eq!(stale(&app), Vec::<String>::new(), "after a deletion with side effects");
    let coalition = app.get(&format!("/coalitions/{lv}")).await;
    assert_eq!(coalition.ok(200)["coordinator_id"], serde_json::Value::Null);
    assert_eq!(coalition.body["version"], 3);
    let initiative = app.get(&format!("/initiatives/{id}")).await;
    let ids: Vec<&str> = initiative.ok(200)["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["organisation_id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&second.as_str()) && ids.len() == 3, "{ids:?}");
    assert_eq!(initiative.body["version"], 3);
    let training = app.get(&format!("/trainings/{training_id}")).await;
    assert_eq!(training.ok(200)["organiser_id"], serde_json::Value::Null);
    assert_eq!(training.body["version"], 2);
    app.delete(&format!("/coalitions/{lv}/members/{membership}"), Some(&admin))
        .await
        .ok(204);
    assert_eq!(stale(&app), Vec::<String>::new());
}

async fn a_database_without_documents_is_read_then_rendered_at_start(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let organisation = app.organisation("Org", "LV").await;
    app.member(&lv, &organisation).await;
    let initiative = app
        .initiative(
            &lv,
            json!({"organisations": [{"organisation_id": organisation, "role": "lead"}]}),
        )
        .await;
    let before = app.get("/initiatives?include=organisations").await.ok(200).clone();
    let lists = [
        "/initiatives",
        "/countries?limit=100",
        "/coalitions",
        &format!("/coalitions/{lv}/members"),
    ];
    let mut lists_before = Vec::new();
    for path in lists {
        lists_before.push(app.get_as(path, &app.admin()).await.ok(200).clone());
    }
    // As after the documents migration on an existing database.
    let db = Database::connect(&app.database_url, 1).unwrap();
    db.write_blocking(|conn| {
        for table in [
            "countries",
            "coalitions",
            "organisations",
            "memberships",
            "initiatives",
            "trainings",
        ] {
            Sql::new(&format!("UPDATE {table} SET doc = NULL")).execute(conn)?;
        }
        Ok(())
    })
    .unwrap();
    assert!(stale(&app).len() > 30, "every country, at least, has no document");
    // Reads render missing documents from the tables (uncached: as a token holder).
    let admin = app.admin();
    let id = initiative["id"].as_str().unwrap();
    assert_eq!(
        app.get_as(&format!("/initiatives/{id}"), &admin).await.ok(200),
        &initiative
    );
    assert_eq!(
        app.get_as("/initiatives?include=organisations", &admin).await.ok(200)["data"],
        before["data"]
    );
    // Pages without embeds pass stored documents through; rows without one are rendered.
    for (path, before) in lists.iter().zip(&lists_before) {
        assert_eq!(app.get_as(path, &admin).await.ok(200), before, "{path}");
    }
    // The next start renders them all.
    let report = seed::seed_reference_data(&db).unwrap();
    assert!(report.documents_rendered >= 33 + 4, "{}", report.documents_rendered);
    assert_eq!(stale(&app), Vec::<String>::new());
    assert_eq!(seed::seed_reference_data(&db).unwrap().documents_rendered, 0);
}

crate::backend_tests!(
    every_write_keeps_documents_equal_to_the_tables,
    a_database_without_documents_is_read_then_rendered_at_start,
    reads_cost_one_statement_plus_one_per_embedded_kind
);

/// Statements a request runs, from the health endpoint's counter (its own `SELECT 1` taken
/// off); the least of five tries, since the change watch polls in the background.
async fn statements_of(app: &TestApp, path: &str, token: &str) -> u64 {
    let mut least = u64::MAX;
    for _ in 0..5 {
        let before = app.get("/health").await.ok(200)["statements"].as_u64().unwrap();
        app.get_as(path, token).await.ok(200);
        let after = app.get("/health").await.ok(200)["statements"].as_u64().unwrap();
        least = least.min(after - before - 1);
    }
    least
}

async fn reads_cost_one_statement_plus_one_per_embedded_kind(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let organisation = app.organisation("Org", "LV").await;
    let mut id = String::new();
    for _ in 0..3 {
        let initiative = app
            .initiative(
                &lv,
                json!({"activity_areas": ["labour_force"], "organisations": [{"organisation_id": organisation, "role": "lead"}]}),
            )
            .await;
        id = initiative["id"].as_str().unwrap().to_string();
    }
    // With a token: not served from the response cache.
    let admin = app.admin();
    assert_eq!(statements_of(&app, &format!("/initiatives/{id}"), &admin).await, 1);
    let b = "/initiatives?country=LV&activity_area=labour_force&limit=50";
    assert_eq!(statements_of(&app, b, &admin).await, 1, "the page carries its total");
    assert_eq!(statements_of(&app, &format!("{b}&count=false"), &admin).await, 1);
    assert_eq!(
        statements_of(&app, &format!("{b}&include=coalition,organisations"), &admin).await,
        3,
        "one more per embedded kind"
    );
    assert_eq!(
        statements_of(&app, &format!("/initiatives/{id}?include=coalition"), &admin).await,
        2
    );
    assert_eq!(statements_of(&app, "/countries?limit=50", &admin).await, 1);
    assert_eq!(
        statements_of(&app, "/coalitions/{lv}/members".replace("{lv}", &lv).as_str(), &admin).await,
        2,
        "existence of the coalition, the page with its total"
    );
}

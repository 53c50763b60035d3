//! The audit trail: every write route records who, what and when; admins read it.

use serde_json::{json, Value};

use crate::common::TestApp;

/// Audit entries of one record, oldest first.
async fn trail(app: &TestApp, record_type: &str, id: &str) -> Vec<Value> {
    let reply = app
        .get_as(
            &format!("/audit?type={record_type}&id={id}&sort=at&limit=100"),
            &app.admin(),
        )
        .await;
    reply.ok(200)["data"].as_array().unwrap().clone()
}

fn summary(entries: &[Value]) -> Vec<(String, String, Value, String)> {
    entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["actor"].as_str().unwrap().to_string(),
                e["version"].clone(),
                e["changed_fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
            )
        })
        .collect()
}

fn row(action: &str, actor: &str, version: Value, changed: &str) -> (String, String, Value, String) {
    (action.into(), actor.into(), version, changed.into())
}

async fn every_write_route_is_journaled(app: TestApp) {
    let admin = app.admin();
    // Countries
    app.post(
        "/countries",
        Some(&admin),
        json!({"code": "XK", "eu_code": "XK", "name": "Kosovo", "native_name": "Kosova"}),
    )
    .await
    .ok(201);
    app.patch("/countries/XK", Some(&admin), json!({"native_name": "Kosova / Kosovo"}))
        .await
        .ok(200);
    app.delete("/countries/XK", Some(&admin)).await.ok(204);
    assert_eq!(
        summary(&trail(&app, "country", "XK").await),
        [
            row("created", "admin@test", json!(1), "code,eu_code,name,native_name"),
            row("updated", "admin@test", json!(2), "native_name"),
            row("deleted", "admin@test", json!(null), ""),
        ]
    );
    // Coalitions, organisations, memberships, with an editor's writes and side effects
    let lv = app.coalition("LV", "Latvian coalition").await;
    let editor = app.editor(&[&lv]);
    app.patch(
        &format!("/coalitions/{lv}"),
        Some(&editor),
        json!({"description": "About us"}),
    )
    .await
    .ok(200);
    app.patch(
        &format!("/coalitions/{lv}"),
        Some(&editor),
        json!({"description": "About us"}),
    )
    .await
    .ok(200);
    app.patch(&format!("/coalitions/{lv}"), Some(&editor), json!({"founded": "20"}))
        .await
        .problem(422);
    let org = app
        .post(
            "/organisations",
            Some(&editor),
            json!({"name": "LIKTA", "sector": "ngo"}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let member = app
        .post(
            &format!("/coalitions/{lv}/members"),
            Some(&editor),
            json!({"organisation_id": org, "role": "member"}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(
        &format!("/coalitions/{lv}/members/{member}"),
        Some(&editor),
        json!({"role": "partner"}),
    )
    .await
    .ok(200);
    app.put(
        &format!("/organisations/{org}"),
        Some(&editor),
        json!({"name": "LIKTA", "sector": "ngo", "acronym": "LIKTA"}),
    )
    .await
    .ok(200);
    app.patch(
        &format!("/coalitions/{lv}"),
        Some(&admin),
        json!({"coordinator_id": org}),
    )
    .await
    .ok(200);
    assert_eq!(
        summary(&trail(&app, "coalition", &lv).await)[1..],
        [
            row("updated", "editor@test", json!(2), "description"),
            row("updated", "admin@test", json!(3), "coordinator_id"),
        ],
        "no entry for a write that changed nothing, none for a refused one"
    );
    let i = app
        .initiative(
            &lv,
            json!({"organisations": [{"organisation_id": org, "role": "lead"}]}),
        )
        .await;
    let i_id = i["id"].as_str().unwrap().to_string();
    app.delete(&format!("/organisations/{org}"), Some(&admin)).await.ok(204);
    assert_eq!(
        summary(&trail(&app, "organisation", &org).await),
        [
            row("created", "editor@test", json!(1), "name,sector"),
            row("updated", "editor@test", json!(2), "acronym"),
            row("deleted", "admin@test", json!(null), ""),
        ]
    );
    assert_eq!(
        summary(&trail(&app, "coalition", &lv).await).last().unwrap(),
        &row("updated", "admin@test", json!(4), "coordinator_id"),
        "side effect"
    );
    assert_eq!(
        summary(&trail(&app, "initiative", &i_id).await).last().unwrap(),
        &row("updated", "admin@test", json!(2), "organisations")
    );
    assert_eq!(
        summary(&trail(&app, "membership", &member).await),
        [
            row("created", "editor@test", json!(1), "organisation_id,role"),
            row("updated", "editor@test", json!(2), "role"),
            row("deleted", "admin@test", json!(null), ""),
        ]
    );
    // Content, upserts, batches
    app.patch(
        &format!("/initiatives/{i_id}"),
        Some(&editor),
        json!({"title": "Renamed"}),
    )
    .await
    .ok(200);
    app.delete(&format!("/initiatives/{i_id}"), Some(&editor)).await.ok(204);
    let actions: Vec<String> = trail(&app, "initiative", &i_id)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["created", "updated", "updated", "deleted"]);
    let t = app.training(Some(&lv), json!({})).await;
    let t_id = t["id"].as_str().unwrap();
    app.delete(&format!("/trainings/{t_id}"), Some(&editor)).await.ok(204);
    assert_eq!(trail(&app, "training", t_id).await.len(), 2);
    let upserted = app
        .put(
            "/organisations/external/o-1",
            Some(&editor),
            json!({"name": "Via sync", "sector": "private"}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.put(
        "/organisations/external/o-1",
        Some(&admin),
        json!({"name": "Via sync", "sector": "private"}),
    )
    .await
    .ok(200);
    assert_eq!(
        trail(&app, "organisation", &upserted).await.len(),
        1,
        "an idempotent repeat writes nothing"
    );
    let batch = app
        .post(
            "/organisations/batch",
            Some(&editor),
            json!([{"name": "B1", "sector": "ngo"}, {"name": "B2", "sector": "ngo"}]),
        )
        .await;
    for record in batch.ok(200)["data"].as_array().unwrap() {
        assert_eq!(
            trail(&app, "organisation", record["id"].as_str().unwrap()).await.len(),
            1
        );
    }
    // Deleting a coalition journals the memberships that go with it.
    let ee = app.coalition("EE", "Estonian coalition").await;
    let o2 = app.organisation("Member", "EE").await;
    let m2 = app.member(&ee, &o2).await;
    app.delete(&format!("/coalitions/{ee}"), Some(&admin)).await.ok(204);
    assert_eq!(
        summary(&trail(&app, "membership", &m2).await).last().unwrap().0,
        "deleted"
    );
    // Seeded reference data is journaled as the system's.
    let seeded = trail(&app, "country", "LV").await;
    assert_eq!(
        (seeded[0]["actor"].as_str(), seeded[0]["role"].as_str()),
        (Some("system"), Some("system"))
    );
}

async fn only_admins_read_and_filters_work(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    app.get("/audit").await.problem(401);
    app.get_as("/audit", &app.editor(&[&lv])).await.problem(403);
    let admin = app.admin();
    let mine = app.get_as("/audit?actor=admin@test&type=coalition", &admin).await;
    assert_eq!(mine.ok(200)["page"]["total"], 1);
    assert_eq!(mine.body["data"][0]["type"], "coalition");
    assert_eq!(mine.body["data"][0]["record_id"], lv.as_str());
    assert_eq!(mine.body["data"][0]["role"], "admin");
    let everything = app.walk_as("/audit?limit=7", &admin).await;
    assert_eq!(everything.len(), 44, "43 seeded countries and one coalition, each once");
    let future = app.get_as("/audit?from=2999-01-01T00:00:00Z", &admin).await;
    assert_eq!(future.ok(200)["page"]["total"], 0);
    let past = app.get_as("/audit?to=2000-01-01T00:00:00Z", &admin).await;
    assert_eq!(past.ok(200)["page"]["total"], 0);
    app.get_as("/audit?type=galaxy", &admin).await.problem(400);
    let csv = app
        .client
        .get(app.url("/audit?format=csv"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 45, "header and every entry");
}

crate::backend_tests!(every_write_route_is_journaled, only_admins_read_and_filters_work);

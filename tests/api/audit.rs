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
            row("created", "editor@test", json!(1), "original_language,name,sector"),
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
    // The remaining write routes: each leaves one entry with the expected action and fields.
    let fi = app.coalition("FI", "Finnish coalition").await;
    let o3 = app.organisation("Third", "FI").await;
    let m3 = app.member(&fi, &o3).await;
    let event = |title: &str| {
        json!({"coalition_id": fi, "title": title, "kind": "webinar", "format": "online",
               "starts_at": "2021-01-01T10:00:00Z", "ends_at": "2021-01-01T11:00:00Z", "timezone": "UTC"})
    };
    let plan = |title: &str| {
        json!({"coalition_id": fi, "title": title, "activity_areas": ["education"], "countries": ["FI"],
               "sphere": "national", "status": "ongoing", "start_date": "2022-01-01"})
    };
    let i3 = app.post("/initiatives", Some(&admin), plan("I3")).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t3 = app.post("/trainings", Some(&admin), event("T3")).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b_i = app
        .post("/initiatives/batch", Some(&admin), json!([plan("BI")]))
        .await
        .ok(200)["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b_t = app
        .post("/trainings/batch", Some(&admin), json!([event("BT")]))
        .await
        .ok(200)["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let u_i = app
        .put("/initiatives/external/ui", Some(&admin), plan("UI"))
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let u_t = app
        .put("/trainings/external/ut", Some(&admin), event("UT"))
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (label, reply) in [
        ("PUT country", app.put("/countries/MT", Some(&admin), json!({"code": "MT", "eu_code": "MT", "name": "Malta", "native_name": "Repubblika ta' Malta", "groups": ["eu", "eea"]})).await),
        ("PUT coalition", app.put(&format!("/coalitions/{fi}"), Some(&admin), json!({"country_code": "FI", "name": "Renamed", "status": "established"})).await),
        ("PATCH organisation", app.patch(&format!("/organisations/{o3}"), Some(&admin), json!({"acronym": "T"})).await),
        ("PUT membership", app.put(&format!("/coalitions/{fi}/members/{m3}"), Some(&admin), json!({"organisation_id": o3, "role": "observer"})).await),
        ("PUT initiative", app.put(&format!("/initiatives/{i3}"), Some(&admin), plan("I3 renamed")).await),
        ("PUT training", app.put(&format!("/trainings/{t3}"), Some(&admin), event("T3 renamed")).await),
        ("PATCH training", app.patch(&format!("/trainings/{t3}"), Some(&admin), json!({"city": "Helsinki"})).await),
        ("upsert initiative", app.put("/initiatives/external/ui", Some(&admin), plan("UI renamed")).await),
        ("upsert training", app.put("/trainings/external/ut", Some(&admin), event("UT renamed")).await),
    ] {
        assert_eq!(reply.status, 200, "{label}: {}", reply.text);
    }
    for (record_type, id, expected) in [
        (
            "country",
            "MT",
            vec![
                row("created", "system", json!(1), "code,eu_code,name,native_name,groups"),
                row("updated", "admin@test", json!(2), "native_name"),
            ],
        ),
        (
            "coalition",
            fi.as_str(),
            vec![
                row(
                    "created",
                    "admin@test",
                    json!(1),
                    "country_code,original_language,name,status,activity_areas",
                ),
                row("updated", "admin@test", json!(2), "name,activity_areas"),
            ],
        ),
        (
            "organisation",
            o3.as_str(),
            vec![
                row("created", "admin@test", json!(1), "original_language,name,sector,country_code"),
                row("updated", "admin@test", json!(2), "acronym"),
            ],
        ),
        (
            "membership",
            m3.as_str(),
            vec![
                row("created", "admin@test", json!(1), "organisation_id,role"),
                row("updated", "admin@test", json!(2), "role"),
            ],
        ),
        (
            "initiative",
            i3.as_str(),
            vec![
                row(
                    "created",
                    "admin@test",
                    json!(1),
                    "coalition_id,original_language,title,activity_areas,countries,sphere,status,start_date,publication",
                ),
                row("updated", "admin@test", json!(2), "title"),
            ],
        ),
        (
            "training",
            t3.as_str(),
            vec![
                row(
                    "created",
                    "admin@test",
                    json!(1),
                    "coalition_id,original_language,title,kind,format,starts_at,ends_at,timezone,publication",
                ),
                row("updated", "admin@test", json!(2), "title"),
                row("updated", "admin@test", json!(3), "city"),
            ],
        ),
        (
            "initiative",
            b_i.as_str(),
            vec![row(
                "created",
                "admin@test",
                json!(1),
                "coalition_id,original_language,title,activity_areas,countries,sphere,status,start_date,publication",
            )],
        ),
        (
            "training",
            b_t.as_str(),
            vec![row(
                "created",
                "admin@test",
                json!(1),
                "coalition_id,original_language,title,kind,format,starts_at,ends_at,timezone,publication",
            )],
        ),
        (
            "initiative",
            u_i.as_str(),
            vec![
                row(
                    "created",
                    "admin@test",
                    json!(1),
                    "coalition_id,original_language,title,activity_areas,countries,sphere,status,start_date,publication,external_id",
                ),
                row("updated", "admin@test", json!(2), "title"),
            ],
        ),
        (
            "training",
            u_t.as_str(),
            vec![
                row(
                    "created",
                    "admin@test",
                    json!(1),
                    "coalition_id,original_language,title,kind,format,starts_at,ends_at,timezone,publication,external_id",
                ),
                row("updated", "admin@test", json!(2), "title"),
            ],
        ),
    ] {
        assert_eq!(
            summary(&trail(&app, record_type, id).await),
            expected,
            "{record_type} {id}"
        );
    }
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

//! Writes for sync clients: idempotent upserts by external id, all-or-nothing batches.

use serde_json::{json, Value};

use crate::common::{translated, TestApp};

fn initiative(coalition: &str, title: &str) -> Value {
    translated(
        json!({"coalition_id": coalition, "title": title, "activity_areas": ["education"], "countries": ["LV"],
           "sphere": "national", "status": "ongoing", "start_date": "2022-01-01", "publication": "published"}),
    )
}

async fn upserts_are_idempotent(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let editor = app.editor(&[&lv]);
    let path = "/initiatives/external/eu4d-init-42";
    let first = app
        .put(path, Some(&editor), initiative(&lv, "Coding for teachers"))
        .await;
    let created = first.ok(201).clone();
    assert_eq!(created["external_id"], "eu4d-init-42", "taken from the URL");
    assert_eq!(
        first.header("location").unwrap(),
        format!("/api/v1/initiatives/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(first.header("etag"), Some("\"1.en\""));
    let again = app
        .put(path, Some(&editor), initiative(&lv, "Coding for teachers"))
        .await;
    assert_eq!(again.ok(200)["id"], created["id"], "the same record");
    assert_eq!(
        again.body["version"], 1,
        "a repeat that changes nothing keeps the version"
    );
    let changed = app
        .put(path, Some(&editor), initiative(&lv, "Coding for all teachers"))
        .await;
    assert_eq!(changed.ok(200)["version"], 2);
    assert_eq!(app.get("/initiatives").await.body["page"]["total"], 1, "one record");

    let mut mismatch = initiative(&lv, "x");
    mismatch["external_id"] = json!("something-else");
    assert_eq!(
        app.put(path, Some(&editor), mismatch).await.problem(422)["errors"][0]["field"],
        "external_id"
    );
    let stale = app
        .client
        .put(app.url(path))
        .bearer_auth(&editor)
        .header("if-match", "\"1\"")
        .header("content-type", "application/json")
        .body(initiative(&lv, "stale").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let fresh = app
        .client
        .put(app.url("/initiatives/external/new-one"))
        .bearer_auth(&editor)
        .header("if-match", "*")
        .header("content-type", "application/json")
        .body(initiative(&lv, "x").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 412, "If-Match on a record that does not exist yet");

    // Authorisation follows the record: anonymous, other coalitions' editors.
    app.put(path, None, initiative(&lv, "x")).await.problem(401);
    let ee = app.coalition("EE", "Estonian coalition").await;
    app.put(path, Some(&app.editor(&[&ee])), initiative(&ee, "hijack"))
        .await
        .problem(403);
    app.put(
        "/initiatives/external/ee-1",
        Some(&app.editor(&[&ee])),
        initiative(&lv, "x"),
    )
    .await
    .problem(403);
    assert_eq!(
        app.get(&format!("/initiatives/{}", created["id"].as_str().unwrap()))
            .await
            .body["display"]["title"],
        "Coding for all teachers"
    );

    // Organisations and trainings have the same endpoint.
    let org = app
        .put(
            "/organisations/external/org-7",
            Some(&editor),
            json!({"name": "LIKTA", "sector": "ngo"}),
        )
        .await;
    assert_eq!(org.ok(201)["external_id"], "org-7");
    assert_eq!(
        app.put(
            "/organisations/external/org-7",
            Some(&app.admin()),
            json!({"name": "LIKTA", "sector": "ngo"})
        )
        .await
        .ok(200)["version"],
        1
    );
    let event = json!({"coalition_id": lv, "title": "Webinar", "kind": "webinar", "format": "online",
                       "starts_at": "2021-01-01T10:00:00Z", "ends_at": "2021-01-01T11:00:00Z", "timezone": "UTC"});
    app.put("/trainings/external/ev-1", Some(&editor), event.clone())
        .await
        .ok(201);
    assert_eq!(
        app.put("/trainings/external/ev-1", Some(&editor), event).await.ok(200)["version"],
        1
    );
}

async fn batches_are_all_or_nothing(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let editor = app.editor(&[&lv]);
    let ok = app
        .post(
            "/initiatives/batch",
            Some(&editor),
            json!([initiative(&lv, "A"), initiative(&lv, "B"), initiative(&lv, "C")]),
        )
        .await;
    let titles: Vec<&str> = ok.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["display"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["A", "B", "C"], "created, in order");

    let mut bad_title = initiative(&lv, " ");
    bad_title["themes"] = json!(["gardening"]);
    let mut unknown_country = initiative(&lv, "E");
    unknown_country["countries"] = json!(["XX"]);
    let reply = app
        .post(
            "/initiatives/batch",
            Some(&editor),
            json!([initiative(&lv, "D"), bad_title, unknown_country]),
        )
        .await;
    reply.problem(422);
    assert_eq!(
        reply.error_fields(),
        ["[1].themes[0]"],
        "typing errors first, with the item's index"
    );
    let mut blank = initiative(&lv, " ");
    blank["external_id"] = json!("dup");
    let mut dup = initiative(&lv, "F");
    dup["external_id"] = json!("dup");
    let reply = app
        .post(
            "/initiatives/batch",
            Some(&editor),
            json!([initiative(&lv, "D"), blank, dup, unknown_country_of(&lv)]),
        )
        .await;
    reply.problem(422);
    assert_eq!(reply.error_fields(), ["[1].title.en"]);
    let reply = app
        .post(
            "/initiatives/batch",
            Some(&editor),
            json!([
                initiative(&lv, "D"),
                unknown_country_of(&lv),
                initiative(&lv, "G"),
                unknown_country_of(&lv)
            ]),
        )
        .await;
    reply.problem(422);
    assert_eq!(
        reply.error_fields(),
        ["[1].countries[0]", "[3].countries[0]"],
        "every bad item, from the database checks too"
    );
    assert_eq!(
        app.get("/initiatives").await.body["page"]["total"],
        3,
        "nothing of the failed batches was written"
    );

    let mut twice_a = initiative(&lv, "H");
    twice_a["external_id"] = json!("same");
    let twice_b = twice_a.clone();
    let reply = app
        .post("/initiatives/batch", Some(&editor), json!([twice_a, twice_b]))
        .await;
    assert_eq!(reply.problem(422)["errors"][0]["field"], "[1].external_id");

    let ee = app.coalition("EE", "Estonian coalition").await;
    let reply = app
        .post(
            "/initiatives/batch",
            Some(&editor),
            json!([initiative(&lv, "I"), initiative(&ee, "J")]),
        )
        .await;
    assert!(reply.problem(403)["detail"].as_str().unwrap().starts_with("item 1"));
    app.post("/initiatives/batch", None, json!([initiative(&lv, "K")]))
        .await
        .problem(401);
    app.post("/initiatives/batch", Some(&editor), json!([]))
        .await
        .problem(422);
    app.post("/initiatives/batch", Some(&editor), json!({"items": []}))
        .await
        .problem(422);
    let too_many: Vec<Value> = (0..501).map(|i| initiative(&lv, &format!("T{i}"))).collect();
    app.post("/initiatives/batch", Some(&editor), json!(too_many))
        .await
        .problem(422);
    assert_eq!(app.get("/initiatives").await.body["page"]["total"], 3);

    let full: Vec<Value> = (0..500).map(|i| initiative(&lv, &format!("Bulk {i}"))).collect();
    let reply = app.post("/initiatives/batch", Some(&editor), json!(full)).await;
    assert_eq!(
        reply.ok(200)["data"].as_array().unwrap().len(),
        500,
        "500 records, larger than one record's body limit"
    );

    let orgs = app
        .post(
            "/organisations/batch",
            Some(&editor),
            json!([{"name": "One", "sector": "ngo"}, {"name": "Two", "sector": "private"}]),
        )
        .await;
    assert_eq!(orgs.ok(200)["data"].as_array().unwrap().len(), 2);
    let events = app
        .post(
            "/trainings/batch",
            Some(&editor),
            json!([{"coalition_id": lv, "title": "W", "kind": "webinar", "format": "online",
            "starts_at": "2021-01-01T10:00:00Z", "ends_at": "2021-01-01T11:00:00Z", "timezone": "UTC"}]),
        )
        .await;
    assert_eq!(events.ok(200)["data"][0]["display"]["title"], "W");
    let platform = app
        .post(
            "/trainings/batch",
            Some(&editor),
            json!([{"title": "P", "kind": "webinar", "format": "online",
            "starts_at": "2021-01-01T10:00:00Z", "ends_at": "2021-01-01T11:00:00Z", "timezone": "UTC"}]),
        )
        .await;
    platform.problem(403);
}

fn unknown_country_of(coalition: &str) -> Value {
    let mut body = initiative(coalition, "unknown country");
    body["countries"] = json!(["XX"]);
    body
}

crate::backend_tests!(upserts_are_idempotent, batches_are_all_or_nothing);

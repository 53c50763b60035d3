//! Coalitions: profile, partial founding dates, one active coalition per country, filters, merge patch.

use serde_json::json;

use crate::common::TestApp;

fn armenia() -> serde_json::Value {
    json!({
        "country_code": "AM",
        "original_language": "hy",
        "name": {
            "hy": "Թվային հմտությունների և աշխատատեղերի ազգային կոալիցիա",
            "en": "Armenian National Coalition for Digital Skills and Jobs"
        },
        "status": "established",
        "founded": "2017",
        "website": "https://example.am/coalition",
        "contact_email": "info@example.am",
        "activity_areas": ["education", "digital_skills_for_all", "education"]
    })
}

async fn create_get_and_list(app: TestApp) {
    let created = app.post("/coalitions", Some(&app.admin()), armenia()).await;
    let body = created.ok(201).clone();
    let id = body["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    assert_eq!(created.header("location").unwrap(), format!("/api/v1/coalitions/{id}"));
    assert_eq!(body["founded"], "2017");
    assert_eq!(
        body["activity_areas"],
        json!(["digital_skills_for_all", "education"]),
        "a set, in vocabulary order"
    );
    assert_eq!(body["version"], 1);
    assert_eq!(body["created_at"], body["updated_at"]);
    let fetched = app.get(&format!("/coalitions/{id}")).await;
    assert_eq!(fetched.ok(200), &body);
    let list = app.get("/coalitions").await;
    assert_eq!(list.ok(200)["data"][0], body);
    assert_eq!(
        list.body["page"],
        json!({"limit": 25, "next_cursor": null, "total": 1, "total_exact": true})
    );
}

async fn founded_accepts_partial_dates_only(app: TestApp) {
    let admin = app.admin();
    for (i, (founded, ok)) in [
        ("2019", true),
        ("2019-03", true),
        ("2020-07-13", true),
        ("2019-13", false),
        ("2019-02-30", false),
        ("19", false),
        ("2019/03", false),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = armenia();
        body["founded"] = json!(founded);
        body["status"] = json!("inactive");
        body["name"] = json!(format!("Coalition {i}"));
        let reply = app.post("/coalitions", Some(&admin), body).await;
        if ok {
            assert_eq!(reply.ok(201)["founded"], founded);
        } else {
            reply.problem(422);
            assert_eq!(reply.error_fields(), ["founded"], "{founded}");
            assert_eq!(reply.body["errors"][0]["code"], "partial_date");
        }
    }
    assert_eq!(app.get("/coalitions").await.body["page"]["total"], 3);
}

async fn one_active_coalition_per_country(app: TestApp) {
    let admin = app.admin();
    app.post("/coalitions", Some(&admin), armenia()).await.ok(201);
    let second = app.post("/coalitions", Some(&admin), armenia()).await;
    assert!(second.problem(409)["detail"].as_str().unwrap().contains("not inactive"));
    let mut former = armenia();
    former["status"] = json!("inactive");
    former["name"] = json!("Former Armenian coalition");
    app.post("/coalitions", Some(&admin), former).await.ok(201);
    assert_eq!(app.get("/coalitions?country=AM").await.body["page"]["total"], 2);
}

async fn references_are_checked(app: TestApp) {
    let mut body = armenia();
    body["country_code"] = json!("XX");
    body["coordinator_id"] = json!(uuid::Uuid::new_v4());
    let reply = app.post("/coalitions", Some(&app.admin()), body).await;
    reply.problem(422);
    assert_eq!(reply.error_fields(), ["country_code", "coordinator_id"]);
    let codes: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown_country", "unknown_organisation"]);
    assert_eq!(app.get("/coalitions").await.body["page"]["total"], 0);
}

async fn merge_patch_changes_only_what_it_names(app: TestApp) {
    let admin = app.admin();
    let created = app.post("/coalitions", Some(&admin), armenia()).await.ok(201).clone();
    let id = created["id"].as_str().unwrap();
    let coordinator = app.organisation("Ministry of High-Tech Industry", "AM").await;
    let patched = app
        .patch(
            &format!("/coalitions/{id}"),
            Some(&admin),
            json!({"website": null, "coordinator_id": coordinator, "founded": "2017-10"}),
        )
        .await;
    let body = patched.ok(200);
    assert_eq!(body["website"], json!(null), "null removes");
    assert_eq!(body["coordinator_id"], json!(coordinator));
    assert_eq!(body["founded"], "2017-10");
    assert_eq!(body["name"], created["name"], "untouched");
    assert_eq!(body["contact_email"], created["contact_email"], "untouched");
    assert_eq!(body["version"], 2);
    assert_eq!(body["created_at"], created["created_at"]);
    assert_ne!(body["updated_at"], created["updated_at"]);
    // A patch that changes nothing keeps the version.
    let same = app
        .patch(
            &format!("/coalitions/{id}"),
            Some(&admin),
            json!({"founded": "2017-10"}),
        )
        .await;
    assert_eq!(same.ok(200)["version"], 2);
    // Removing a required field is a validation error, and nothing changes.
    let bad = app
        .patch(
            &format!("/coalitions/{id}"),
            Some(&admin),
            json!({"name": null, "founded": "1999"}),
        )
        .await;
    assert_eq!(
        bad.problem(422)["errors"][0],
        json!({"field": "name", "code": "required", "message": "this field is required"})
    );
    assert_eq!(app.get(&format!("/coalitions/{id}")).await.body["founded"], "2017-10");
}

async fn server_owned_fields_cannot_be_set(app: TestApp) {
    let admin = app.admin();
    let id = app.coalition("UA", "Ukrainian Digital Skills and Jobs Coalition").await;
    for field in ["id", "version", "created_at", "updated_at"] {
        let reply = app
            .patch(&format!("/coalitions/{id}"), Some(&admin), json!({field: "x"}))
            .await;
        reply.problem(422);
        assert_eq!(reply.body["errors"][0]["field"], field);
        assert_eq!(reply.body["errors"][0]["code"], "unknown_field");
    }
    let mut body = armenia();
    body["version"] = json!(7);
    app.post("/coalitions", Some(&admin), body).await.problem(422);
    let current = app.get(&format!("/coalitions/{id}")).await;
    assert_eq!(current.body["version"], 1);
}

async fn put_replaces_the_whole_profile(app: TestApp) {
    let admin = app.admin();
    let id = app.post("/coalitions", Some(&admin), armenia()).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let replaced = app
        .put(
            &format!("/coalitions/{id}"),
            Some(&admin),
            json!({"country_code": "AM", "name": "Armenian Coalition", "status": "in_establishment"}),
        )
        .await;
    let body = replaced.ok(200);
    assert_eq!(body["name"], json!({"en": "Armenian Coalition"}));
    assert_eq!(
        body["original_language"], "en",
        "PUT replaces the original language too"
    );
    assert_eq!(
        body["founded"],
        json!(null),
        "absent optional fields are cleared by PUT"
    );
    assert_eq!(body["activity_areas"], json!([]));
    assert_eq!(body["version"], 2);
    let missing = app
        .put(
            &format!("/coalitions/{id}"),
            Some(&admin),
            json!({"country_code": "AM", "name": "x"}),
        )
        .await;
    assert_eq!(missing.problem(422)["errors"][0]["field"], "status");
}

async fn filters_select_and_search(app: TestApp) {
    let admin = app.admin();
    let mut lv = armenia();
    lv["country_code"] = json!("LV");
    lv["original_language"] = json!("lv");
    lv["name"] = json!({"en": "Latvian Digital Skills and Jobs Coalition", "lv": "Latvijas Digitālo prasmju un darbavietu koalīcija"});
    lv["activity_areas"] = json!(["labour_force"]);
    app.post("/coalitions", Some(&admin), lv).await.ok(201);
    app.post("/coalitions", Some(&admin), armenia()).await.ok(201);
    let mut ua = armenia();
    ua["country_code"] = json!("UA");
    ua["original_language"] = json!("uk");
    ua["name"] = json!({"en": "Ukrainian Coalition", "uk": "Українська коаліція цифрових навичок"});
    ua["status"] = json!("planned");
    ua["activity_areas"] = json!(["ict_professionals"]);
    app.post("/coalitions", Some(&admin), ua).await.ok(201);

    let names = |reply: &crate::common::Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["country_code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&app.get("/coalitions?country=lv").await), ["LV"]);
    assert_eq!(
        names(&app.get("/coalitions?country=LV&country=UA&sort=country_code").await),
        ["LV", "UA"]
    );
    assert_eq!(names(&app.get("/coalitions?status=planned").await), ["UA"]);
    assert_eq!(
        names(
            &app.get("/coalitions?activity_area=labour_force&activity_area=ict_professionals&sort=-country_code")
                .await
        ),
        ["UA", "LV"]
    );
    assert_eq!(
        names(&app.get("/coalitions?q=DIGITĀLO").await),
        ["LV"],
        "case-insensitive beyond ASCII"
    );
    assert_eq!(
        names(&app.get("/coalitions?q=digitalo%20koalicija").await),
        ["LV"],
        "diacritics-insensitive, any language of the name"
    );
    assert_eq!(names(&app.get("/coalitions?language=uk").await), ["UA"]);
    assert_eq!(
        names(&app.get("/coalitions?language=lv&language=hy&sort=country_code").await),
        ["AM", "LV"]
    );
    assert_eq!(names(&app.get("/coalitions?language=en").await).len(), 3);
    assert_eq!(
        names(&app.get("/coalitions?q=коаліція%20навичок").await),
        ["UA"],
        "every word must match"
    );
    assert_eq!(
        names(&app.get("/coalitions?q=100%25").await),
        Vec::<String>::new(),
        "LIKE wildcards are literal"
    );
    let future = app.get("/coalitions?updated_since=2999-01-01T00:00:00Z").await;
    assert_eq!(future.ok(200)["page"]["total"], 0);
    let past = app.get("/coalitions?updated_since=2000-01-01T00:00:00%2B02:00").await;
    assert_eq!(past.ok(200)["page"]["total"], 3);
    let bad = app.get("/coalitions?updated_since=yesterday").await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "updated_since");
    let bad_country = app.get("/coalitions?country=Latvia").await;
    assert_eq!(bad_country.problem(400)["errors"][0]["field"], "country");
}

async fn delete_removes_coalition_and_memberships(app: TestApp) {
    let admin = app.admin();
    let id = app.coalition("MD", "Moldovan coalition").await;
    let org = app.organisation("Moldova ICT Association", "MD").await;
    app.member(&id, &org).await;
    app.delete(&format!("/coalitions/{id}"), Some(&admin)).await.ok(204);
    app.get(&format!("/coalitions/{id}")).await.problem(404);
    let memberships = app.get(&format!("/organisations/{org}/memberships")).await;
    assert_eq!(memberships.ok(200)["page"]["total"], 0);
    app.delete(&format!("/coalitions/{id}"), Some(&admin))
        .await
        .problem(404);
}

crate::backend_tests!(
    create_get_and_list,
    founded_accepts_partial_dates_only,
    one_active_coalition_per_country,
    references_are_checked,
    merge_patch_changes_only_what_it_names,
    server_owned_fields_cannot_be_set,
    put_replaces_the_whole_profile,
    filters_select_and_search,
    delete_removes_coalition_and_memberships,
);

//! Trainings and events: times with offsets, speakers, platform-level events, filters.

use serde_json::json;

use crate::common::TestApp;

async fn create_keeps_instants_and_speaker_order(app: TestApp) {
    let ua = app.coalition("UA", "Ukrainian coalition").await;
    let organiser = app.organisation("EU4Digital Facility", "BE").await;
    let body = json!({
        "coalition_id": ua,
        "title": "Setting up National Coalitions",
        "kind": "training", "format": "online",
        "starts_at": "2020-07-13T10:00:00+02:00", "ends_at": "2020-07-13T13:30:00.123456789+02:00",
        "timezone": "Europe/Brussels",
        "audience_countries": ["UA", "AM", "AZ", "BY", "GE", "MD", "UA"],
        "organiser_id": organiser,
        "speakers": [{"name": "Zoe Zed", "affiliation": "EU4Digital"}, {"name": "Adam Able"}],
        "participants": 32, "participants_note": "30+",
        "activity_areas": ["digital_skills_for_all"], "themes": ["national_strategy"], "languages": ["en", "uk"],
        "registration_url": "https://example.eu/register"
    });
    let created = app.post("/trainings", Some(&app.editor(&[&ua])), body).await;
    let t = created.ok(201).clone();
    assert_eq!(t["starts_at"], "2020-07-13T08:00:00Z", "stored and shown in UTC");
    assert_eq!(t["ends_at"], "2020-07-13T11:30:00.123456Z", "microseconds kept");
    assert_eq!(t["timezone"], "Europe/Brussels");
    assert_eq!(t["audience_countries"], json!(["AM", "AZ", "BY", "GE", "MD", "UA"]));
    assert_eq!(
        t["speakers"],
        json!([{"name": "Zoe Zed", "affiliation": "EU4Digital"}, {"name": "Adam Able", "affiliation": null}]),
        "order kept"
    );
    assert_eq!(t["participants_note"], "30+");
    assert_eq!(t["publication"], "draft");
    let id = t["id"].as_str().unwrap();
    // The same instant in another offset is no change.
    let same = app
        .patch(
            &format!("/trainings/{id}"),
            Some(&app.admin()),
            json!({"starts_at": "2020-07-13T11:00:00+03:00"}),
        )
        .await;
    assert_eq!(same.ok(200)["version"], 1);
    let embedded = app
        .get_as(&format!("/trainings/{id}?include=coalition,organiser"), &app.admin())
        .await;
    assert_eq!(embedded.ok(200)["organiser"]["display"]["name"], "EU4Digital Facility");
    assert_eq!(embedded.body["coalition"]["country_code"], "UA");
}

async fn validation_of_events(app: TestApp) {
    let admin = app.admin();
    let base = json!({"title": "x", "kind": "webinar", "format": "online", "starts_at": "2021-01-01T10:00:00Z",
                      "ends_at": "2021-01-01T09:00:00Z", "timezone": "Mars/Olympus", "languages": ["EN"],
                      "participants": -3, "audience_countries": ["Latvia"], "speakers": [{"name": ""}]});
    let reply = app.post("/trainings", Some(&admin), base).await;
    reply.problem(422);
    assert_eq!(
        reply.error_fields(),
        [
            "audience_countries[0]",
            "ends_at",
            "languages[0]",
            "participants",
            "speakers[0].name",
            "timezone"
        ]
    );
    let no_offset = app
        .post(
            "/trainings",
            Some(&admin),
            json!({"title": "x", "kind": "webinar", "format": "online",
              "starts_at": "2021-01-01T10:00:00", "ends_at": "2021-01-01T11:00:00Z", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(
        no_offset.problem(422)["errors"][0]["field"],
        "starts_at",
        "an offset is required"
    );
    let kind = app
        .post(
            "/trainings",
            Some(&admin),
            json!({"title": "x", "kind": "party", "format": "online",
              "starts_at": "2021-01-01T10:00:00Z", "ends_at": "2021-01-01T11:00:00Z", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(kind.problem(422)["errors"][0]["code"], "unknown_value");
    assert_eq!(app.get_as("/trainings", &admin).await.body["page"]["total"], 0);
}

async fn platform_events_are_for_admins(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let body = json!({"title": "Facility webinar", "kind": "webinar", "format": "online",
                      "starts_at": "2021-01-01T10:00:00Z", "ends_at": "2021-01-01T11:00:00Z", "timezone": "UTC", "publication": "published"});
    app.post("/trainings", Some(&app.editor(&[&lv])), body.clone())
        .await
        .problem(403);
    let created = app.post("/trainings", Some(&app.admin()), body).await;
    assert_eq!(created.ok(201)["coalition_id"], json!(null));
    let id = created.body["id"].as_str().unwrap();
    // An editor may not adopt it into their coalition, nor edit it.
    app.patch(
        &format!("/trainings/{id}"),
        Some(&app.editor(&[&lv])),
        json!({"coalition_id": lv}),
    )
    .await
    .problem(403);
    assert_eq!(app.get("/trainings?platform=true").await.body["page"]["total"], 1);
    assert_eq!(app.get("/trainings?platform=false").await.body["page"]["total"], 0);
}

async fn event_filters(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ua = app.coalition("UA", "Ukrainian coalition").await;
    let org = app.organisation("Organiser", "LV").await;
    app.training(
        Some(&lv),
        json!({"title": "Riga conference", "kind": "conference", "format": "in_person", "city": "Riga",
        "country_code": "LV", "starts_at": "2021-03-10T09:00:00+02:00", "ends_at": "2021-03-12T17:00:00+02:00",
        "languages": ["lv", "en"], "activity_areas": ["labour_force"], "organiser_id": org}),
    )
    .await;
    app.training(
        Some(&ua),
        json!({"title": "Kyiv webinar", "kind": "webinar", "format": "online", "country_code": "UA",
        "audience_countries": ["LV"], "starts_at": "2021-03-12T20:00:00+02:00", "ends_at": "2021-03-12T21:00:00+02:00",
        "languages": ["uk"], "themes": ["women_in_ict"]}),
    )
    .await;
    app.training(
        Some(&ua),
        json!({"title": "Future study visit", "kind": "study_visit", "format": "hybrid",
        "starts_at": "2999-05-01T09:00:00Z", "ends_at": "2999-05-03T17:00:00Z", "timezone": "UTC"}),
    )
    .await;
    let titles = |reply: &crate::common::Reply| -> Vec<String> {
        let mut t: Vec<String> = reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["display"]["title"].as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    };
    for (query, expected) in [
        ("from=2021-03-11&to=2021-03-11", vec!["Riga conference"]),
        ("from=2021-03-12&to=2021-03-12", vec!["Kyiv webinar", "Riga conference"]),
        ("from=2021-03-13", vec!["Future study visit"]),
        ("to=2021-03-09", vec![]),
        ("upcoming=true", vec!["Future study visit"]),
        ("upcoming=false", vec!["Kyiv webinar", "Riga conference"]),
        ("country=LV", vec!["Kyiv webinar", "Riga conference"]),
        ("country=UA", vec!["Kyiv webinar"]),
        (
            &format!("coalition={ua}") as &str,
            vec!["Future study visit", "Kyiv webinar"],
        ),
        (
            "kind=conference&kind=study_visit",
            vec!["Future study visit", "Riga conference"],
        ),
        ("format=online", vec!["Kyiv webinar"]),
        ("activity_area=labour_force", vec!["Riga conference"]),
        ("theme=women_in_ict", vec!["Kyiv webinar"]),
        ("language=lv", vec!["Riga conference"]),
        ("language=EN", vec!["Riga conference"]),
        (&format!("organiser={org}"), vec!["Riga conference"]),
        ("q=riga", vec!["Riga conference"]),
        ("q=webinar%20kyiv", vec!["Kyiv webinar"]),
        (
            "updated_since=2000-01-01T00:00:00Z",
            vec!["Future study visit", "Kyiv webinar", "Riga conference"],
        ),
        ("updated_since=2999-01-01T00:00:00Z", vec![]),
        (
            "publication=published&platform=false",
            vec!["Future study visit", "Kyiv webinar", "Riga conference"],
        ),
    ] {
        let reply = app.get(&format!("/trainings?{query}")).await;
        reply.ok(200);
        assert_eq!(titles(&reply), expected, "{query}");
    }
    let order = app.get("/trainings?sort=starts_at").await;
    assert_eq!(order.ok(200)["data"][0]["display"]["title"], "Riga conference");
    for bad in [
        "from=2021-03-12&to=2021-03-01",
        "upcoming=soon",
        "language=english",
        "kind=party",
        "sort=ends_at",
    ] {
        app.get(&format!("/trainings?{bad}")).await.problem(400);
    }
}

crate::backend_tests!(
    create_keeps_instants_and_speaker_order,
    validation_of_events,
    platform_events_are_for_admins,
    event_filters
);

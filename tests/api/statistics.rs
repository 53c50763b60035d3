//! `GET /stats`: counts computed by the database, filterable by country.

use serde_json::{json, Value};

use crate::common::TestApp;

fn bucket(list: &Value, key: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == key)
        .map_or(0, |b| b["count"].as_i64().unwrap())
}

async fn counts_for_dashboards(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ua = app.coalition("UA", "Ukrainian coalition").await;
    app.post(
        "/coalitions",
        Some(&app.admin()),
        json!({"country_code": "LV", "name": "Old", "status": "inactive"}),
    )
    .await
    .ok(201);
    app.initiative(
        &lv,
        json!({"countries": ["LV"], "activity_areas": ["education"], "status": "ongoing"}),
    )
    .await;
    app.initiative(
        &lv,
        json!({"countries": ["LV", "LT"], "activity_areas": ["education", "labour_force"], "status": "completed"}),
    )
    .await;
    app.initiative(
        &ua,
        json!({"countries": ["UA"], "activity_areas": ["ict_professionals"], "status": "ongoing"}),
    )
    .await;
    app.initiative(&ua, json!({"countries": ["UA"], "publication": "draft"}))
        .await;
    app.training(Some(&lv), json!({"kind": "webinar", "starts_at": "2020-07-13T10:00:00Z", "ends_at": "2020-07-13T12:00:00Z", "country_code": "LV"})).await;
    app.training(Some(&ua), json!({"kind": "webinar", "starts_at": "2020-12-31T23:30:00-02:00", "ends_at": "2021-01-01T03:00:00Z", "audience_countries": ["LV"]})).await;
    app.training(
        Some(&ua),
        json!({"kind": "conference", "starts_at": "2022-03-01T09:00:00Z", "ends_at": "2022-03-02T17:00:00Z"}),
    )
    .await;

    let stats = app.get("/stats").await;
    let s = stats.ok(200);
    assert_eq!(
        s["initiatives"]["total"], 3,
        "drafts are not counted for anonymous callers"
    );
    assert_eq!(bucket(&s["initiatives"]["by_country"], "LV"), 2);
    assert_eq!(bucket(&s["initiatives"]["by_country"], "LT"), 1);
    assert_eq!(bucket(&s["initiatives"]["by_country"], "UA"), 1);
    assert_eq!(bucket(&s["initiatives"]["by_activity_area"], "education"), 2);
    assert_eq!(bucket(&s["initiatives"]["by_status"], "ongoing"), 2);
    assert_eq!(s["trainings"]["total"], 3);
    assert_eq!(
        s["trainings"]["by_year_and_kind"],
        json!([{"year": 2020, "kind": "webinar", "count": 1}, {"year": 2021, "kind": "webinar", "count": 1}, {"year": 2022, "kind": "conference", "count": 1}]),
        "years of the UTC start"
    );
    assert_eq!(s["coalitions"]["total"], 3);
    assert_eq!(bucket(&s["coalitions"]["by_status"], "established"), 2);
    assert_eq!(bucket(&s["coalitions"]["by_status"], "inactive"), 1);

    let latvia = app.get("/stats?country=lv").await;
    let l = latvia.ok(200);
    assert_eq!(l["initiatives"]["total"], 2);
    assert_eq!(l["trainings"]["total"], 2, "hosted in LV or with audience from LV");
    assert_eq!(l["coalitions"]["total"], 2);
    let admin = app.get_as("/stats", &app.admin()).await;
    assert_eq!(admin.ok(200)["initiatives"]["total"], 4, "admins count drafts");
    // Anonymous numbers are cached, but never across a write.
    app.initiative(&ua, json!({"countries": ["UA"], "status": "planned"}))
        .await;
    let after = app.get("/stats").await;
    assert_eq!(after.ok(200)["initiatives"]["total"], 4);
    assert_eq!(bucket(&after.body["initiatives"]["by_status"], "planned"), 1);
    app.get("/stats?country=Latvia").await.problem(400);
    app.get("/stats?year=2020").await.problem(400);
}

crate::backend_tests!(counts_for_dashboards);

//! Who may write initiatives and trainings: every write route against anonymous callers,
//! an editor of the owning coalition, an editor of another, and an administrator. Editors
//! may not move records out of their scope. Denied writes change nothing.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::TestApp;

struct Fixture {
    c: String,
    other: String,
    initiative: String,
    training: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin();
    let mut ids = Vec::new();
    for country in ["LT", "SI"] {
        let reply = app
            .post(
                "/coalitions",
                Some(&admin),
                json!({"country_code": country, "name": "Fixture", "status": "inactive"}),
            )
            .await;
        ids.push(reply.ok(201)["id"].as_str().unwrap().to_string());
    }
    let initiative = app.initiative(&ids[0], json!({"countries": ["LT"]})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let training = app.training(Some(&ids[0]), json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    Fixture {
        c: ids[0].clone(),
        other: ids[1].clone(),
        initiative,
        training,
    }
}

fn initiative_body(coalition: &str) -> Value {
    json!({"coalition_id": coalition, "title": "New", "activity_areas": ["education"], "countries": ["LT"],
           "sphere": "national", "status": "planned", "start_date": "2024-01-01"})
}

fn training_body(coalition: &str) -> Value {
    json!({"coalition_id": coalition, "title": "New event", "kind": "webinar", "format": "online",
           "starts_at": "2024-01-01T10:00:00Z", "ends_at": "2024-01-01T11:00:00Z", "timezone": "UTC"})
}

type Route = (Method, fn(&Fixture) -> String, fn(&Fixture) -> Option<Value>, [u16; 4]);

fn routes() -> Vec<Route> {
    vec![
        (
            Method::POST,
            |_| "/initiatives".into(),
            |f| Some(initiative_body(&f.c)),
            [401, 201, 403, 201],
        ),
        (
            Method::PUT,
            |f| format!("/initiatives/{}", f.initiative),
            |f| Some(initiative_body(&f.c)),
            [401, 200, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/initiatives/{}", f.initiative),
            |_| Some(json!({"title": "Changed"})),
            [401, 200, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/initiatives/{}", f.initiative),
            |f| Some(json!({"coalition_id": f.other})),
            [401, 403, 403, 200],
        ),
        (
            Method::DELETE,
            |f| format!("/initiatives/{}", f.initiative),
            |_| None,
            [401, 204, 403, 204],
        ),
        (
            Method::POST,
            |_| "/trainings".into(),
            |f| Some(training_body(&f.c)),
            [401, 201, 403, 201],
        ),
        (
            Method::PUT,
            |f| format!("/trainings/{}", f.training),
            |f| Some(training_body(&f.c)),
            [401, 200, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/trainings/{}", f.training),
            |_| Some(json!({"title": "Changed"})),
            [401, 200, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/trainings/{}", f.training),
            |f| Some(json!({"coalition_id": f.other})),
            [401, 403, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/trainings/{}", f.training),
            |_| Some(json!({"coalition_id": null})),
            [401, 403, 403, 200],
        ),
        (
            Method::DELETE,
            |f| format!("/trainings/{}", f.training),
            |_| None,
            [401, 204, 403, 204],
        ),
    ]
}

async fn snapshot(app: &TestApp, f: &Fixture) -> Vec<Value> {
    let admin = app.admin();
    vec![
        app.get_as(&format!("/initiatives/{}", f.initiative), &admin).await.body,
        app.get_as(&format!("/trainings/{}", f.training), &admin).await.body,
        app.get_as("/initiatives?limit=1", &admin).await.body["page"]["total"].clone(),
        app.get_as("/trainings?limit=1", &admin).await.body["page"]["total"].clone(),
    ]
}

async fn every_content_write_route_is_authorised(app: TestApp) {
    for (method, path, body, expected) in routes() {
        for (i, who) in ["anonymous", "editor of this", "editor of other", "admin"]
            .into_iter()
            .enumerate()
        {
            let f = fixture(&app).await;
            let token = match i {
                0 => None,
                1 => Some(app.editor(&[&f.c])),
                2 => Some(app.editor(&[&f.other])),
                _ => Some(app.admin()),
            };
            let before = snapshot(&app, &f).await;
            let reply = app.request(method.clone(), &path(&f), token.as_deref(), body(&f)).await;
            let label = format!("{method} {} {:?} as {who}", path(&f), body(&f));
            assert_eq!(reply.status.as_u16(), expected[i], "{label}: {}", reply.text);
            if expected[i] >= 400 {
                reply.problem(expected[i]);
                assert_eq!(snapshot(&app, &f).await, before, "{label}: a denied write changed data");
            }
        }
    }
}

async fn coalitions_with_content_are_not_deleted(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let i = app.initiative(&lv, json!({})).await;
    let reply = app.delete(&format!("/coalitions/{lv}"), Some(&app.admin())).await;
    assert!(reply.problem(409)["detail"].as_str().unwrap().contains("initiatives"));
    app.delete(
        &format!("/initiatives/{}", i["id"].as_str().unwrap()),
        Some(&app.admin()),
    )
    .await
    .ok(204);
    app.delete(&format!("/coalitions/{lv}"), Some(&app.admin()))
        .await
        .ok(204);
}

async fn deleting_an_organisation_updates_content(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let org = app.organisation("Gone soon", "LV").await;
    let i = app
        .initiative(
            &lv,
            json!({"organisations": [{"organisation_id": org, "role": "lead"}]}),
        )
        .await;
    let t = app.training(Some(&lv), json!({"organiser_id": org})).await;
    let by_org = format!("/initiatives?organisation={org}");
    assert_eq!(app.get(&by_org).await.ok(200)["data"].as_array().unwrap().len(), 1);
    app.delete(&format!("/organisations/{org}"), Some(&app.admin()))
        .await
        .ok(204);
    // The set filter follows the edit (PostgreSQL filters on terms generated from the document).
    assert_eq!(app.get(&by_org).await.ok(200)["data"], json!([]));
    let i = app.get(&format!("/initiatives/{}", i["id"].as_str().unwrap())).await;
    assert_eq!(i.ok(200)["organisations"], json!([]));
    assert_eq!(i.body["version"], 2);
    let t = app.get(&format!("/trainings/{}", t["id"].as_str().unwrap())).await;
    assert_eq!(t.ok(200)["organiser_id"], json!(null));
    assert_eq!(t.body["version"], 2);
    let used = app.delete("/countries/LV", Some(&app.admin())).await;
    used.problem(409);
}

crate::backend_tests!(
    every_content_write_route_is_authorised,
    coalitions_with_content_are_not_deleted,
    deleting_an_organisation_updates_content
);

//! Drafts are visible to administrators and editors of the owning coalition only — in every
//! read path: get, list, count, search, include, CSV, statistics.

use serde_json::json;

use crate::common::{Reply, TestApp};

async fn csv_as(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let mut request = app.client.get(app.url(path)).header("accept", "text/csv");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let reply = Reply::from(request.send().await.unwrap()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.text
}

async fn drafts_are_hidden_in_every_read_path(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ee = app.coalition("EE", "Estonian coalition").await;
    let draft = app
        .initiative(
            &lv,
            json!({"title": "Secret plan", "publication": "draft", "countries": ["LV"]}),
        )
        .await;
    app.initiative(&lv, json!({"title": "Public plan", "countries": ["LV"]}))
        .await;
    let draft_event = app
        .training(Some(&lv), json!({"title": "Secret workshop", "publication": "draft"}))
        .await;
    let platform_draft = app
        .training(
            None,
            json!({"title": "Secret platform webinar", "publication": "draft"}),
        )
        .await;
    let id = draft["id"].as_str().unwrap();

    let own = app.editor(&[&lv]);
    let other = app.editor(&[&ee]);
    let admin = app.admin();
    let callers: [(&str, Option<&str>, bool); 4] = [
        ("anonymous", None, false),
        ("editor of another coalition", Some(&other), false),
        ("editor of the owner", Some(&own), true),
        ("admin", Some(&admin), true),
    ];
    for (who, token, sees) in callers {
        let get = match token {
            Some(t) => app.get_as(&format!("/initiatives/{id}"), t).await,
            None => app.get(&format!("/initiatives/{id}")).await,
        };
        assert_eq!(get.status, if sees { 200 } else { 404 }, "{who}: get");
        for (path, expected) in [
            ("/initiatives", if sees { 2 } else { 1 }),
            ("/initiatives?q=plan", if sees { 2 } else { 1 }),
            ("/initiatives?q=secret", if sees { 1 } else { 0 }),
            ("/initiatives?publication=draft", if sees { 1 } else { 0 }),
            ("/initiatives?include=coalition,organisations", if sees { 2 } else { 1 }),
        ] {
            let reply = match token {
                Some(t) => app.get_as(path, t).await,
                None => app.get(path).await,
            };
            assert_eq!(reply.ok(200)["page"]["total"], expected, "{who}: {path}");
            assert_eq!(
                reply.body["data"].as_array().unwrap().len(),
                expected as usize,
                "{who}: {path}"
            );
        }
        let csv = csv_as(&app, "/initiatives", token).await;
        assert_eq!(csv.contains("Secret plan"), sees, "{who}: CSV");
        assert!(csv.contains("Public plan"), "{who}: CSV");
        let events = csv_as(&app, "/trainings", token).await;
        assert_eq!(events.contains("Secret workshop"), sees, "{who}: events CSV");
        let stats = match token {
            Some(t) => app.get_as("/stats", t).await,
            None => app.get("/stats").await,
        };
        assert_eq!(
            stats.ok(200)["initiatives"]["total"],
            if sees { 2 } else { 1 },
            "{who}: stats"
        );
        let event = match token {
            Some(t) => {
                app.get_as(&format!("/trainings/{}", draft_event["id"].as_str().unwrap()), t)
                    .await
            }
            None => {
                app.get(&format!("/trainings/{}", draft_event["id"].as_str().unwrap()))
                    .await
            }
        };
        assert_eq!(event.status, if sees { 200 } else { 404 }, "{who}: event");
    }
    // Platform-level drafts: administrators only.
    let path = format!("/trainings/{}", platform_draft["id"].as_str().unwrap());
    app.get_as(&path, &own).await.problem(404);
    app.get_as(&path, &admin).await.ok(200);
    // Writing a draft one cannot see is a 404 too, not a 403 that would reveal it.
    app.patch(&format!("/initiatives/{id}"), Some(&other), json!({"title": "x"}))
        .await
        .problem(404);
    app.delete(&format!("/initiatives/{id}"), Some(&other))
        .await
        .problem(404);
}

async fn unpublishing_hides_again(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let i = app.initiative(&lv, json!({"title": "Now you see it"})).await;
    let path = format!("/initiatives/{}", i["id"].as_str().unwrap());
    app.get(&path).await.ok(200);
    app.patch(&path, Some(&app.editor(&[&lv])), json!({"publication": "draft"}))
        .await
        .ok(200);
    app.get(&path).await.problem(404);
    assert_eq!(app.get("/initiatives").await.body["page"]["total"], 0);
}

crate::backend_tests!(drafts_are_hidden_in_every_read_path, unpublishing_hides_again);

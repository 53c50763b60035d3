//! Concurrent edits never lose an update or break an invariant.

use futures_util::future::join_all;
use serde_json::json;

use crate::common::TestApp;

async fn concurrent_patches_are_serialised_or_refused(app: TestApp) {
    let id = app.coalition("PT", "Portuguese coalition").await;
    let admin = app.admin();
    let path = format!("/coalitions/{id}");
    let replies =
        join_all((0..12).map(|i| app.patch(&path, Some(&admin), json!({"description": format!("edit {i}")})))).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    for reply in &replies {
        assert!(reply.status == 200 || reply.status == 409, "{}", reply.text);
        if reply.status == 409 {
            reply.problem(409);
        }
    }
    assert!(ok >= 1);
    let last = app.get(&path).await;
    assert_eq!(
        last.ok(200)["version"],
        json!(1 + ok as i64),
        "every applied edit counted once"
    );
}

async fn concurrent_creates_keep_one_active_coalition_per_country(app: TestApp) {
    let admin = app.admin();
    let replies = join_all((0..8).map(|i| {
        app.post(
            "/coalitions",
            Some(&admin),
            json!({"country_code": "ES", "name": format!("Spanish {i}"), "status": "established"}),
        )
    }))
    .await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1);
    for reply in replies.iter().filter(|r| r.status != 201) {
        reply.problem(409);
    }
    assert_eq!(app.get("/coalitions?country=ES").await.body["page"]["total"], 1);
}

crate::backend_tests!(
    concurrent_patches_are_serialised_or_refused,
    concurrent_creates_keep_one_active_coalition_per_country
);

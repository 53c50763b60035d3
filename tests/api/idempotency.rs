//! `Idempotency-Key` on POST: retries return the first response instead of writing twice.

use coalition_registry::store::sql::{Sql, Value};
use coalition_registry::store::Database;
use futures_util::future::join_all;
use serde_json::{json, Value as Json};

use crate::common::{translated, Reply, TestApp};

async fn post_with_key(app: &TestApp, path: &str, token: &str, key: &str, body: &Json) -> Reply {
    Reply::from(
        app.client
            .post(app.url(path))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn retries_replay_the_first_response(app: TestApp) {
    let admin = app.admin();
    let body = translated(json!({"country_code": "LV", "name": "Latvian coalition", "status": "established"}));
    let first = post_with_key(&app, "/coalitions", &admin, "key-1", &body).await;
    first.ok(201);
    assert_eq!(first.header("idempotent-replayed"), Some("false"));
    let retry = post_with_key(&app, "/coalitions", &admin, "key-1", &body).await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body, first.body, "the first response, not a second write");
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(app.get("/coalitions").await.body["page"]["total"], 1);

    let other_body = translated(json!({"country_code": "EE", "name": "Estonian coalition", "status": "established"}));
    let reused = post_with_key(&app, "/coalitions", &admin, "key-1", &other_body).await;
    assert_eq!(reused.problem(422)["errors"][0]["code"], "reused");

    // Keys belong to the caller.
    let org = translated(json!({"name": "LIKTA", "sector": "ngo"}));
    let lv = first.body["id"].as_str().unwrap().to_string();
    post_with_key(&app, "/organisations", &app.editor(&[&lv]), "key-1", &org)
        .await
        .ok(201);

    // Failures are not remembered: a corrected request may reuse the key.
    let invalid = translated(json!({"country_code": "EE", "name": "", "status": "established"}));
    post_with_key(&app, "/coalitions", &admin, "key-2", &invalid)
        .await
        .problem(422);
    let corrected = post_with_key(&app, "/coalitions", &admin, "key-2", &other_body).await;
    corrected.ok(201);
    assert_eq!(corrected.header("idempotent-replayed"), Some("false"));

    post_with_key(&app, "/coalitions", &admin, &"k".repeat(300), &body)
        .await
        .problem(400);
}

async fn batches_and_concurrent_retries(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let admin = app.admin();
    let item = |title: &str| {
        translated(
            json!({"coalition_id": lv, "title": title, "activity_areas": ["education"], "countries": ["LV"],
               "sphere": "national", "status": "ongoing", "start_date": "2022-01-01", "publication": "published"}),
        )
    };
    let batch = json!([item("A"), item("B")]);
    let first = post_with_key(&app, "/initiatives/batch", &admin, "batch-1", &batch).await;
    first.ok(200);
    let retry = post_with_key(&app, "/initiatives/batch", &admin, "batch-1", &batch).await;
    assert_eq!(retry.ok(200), &first.body);
    assert_eq!(app.get("/initiatives").await.body["page"]["total"], 2);

    let one = item("Concurrent");
    let replies = join_all((0..6).map(|_| post_with_key(&app, "/initiatives", &admin, "burst", &one))).await;
    for reply in &replies {
        assert!(
            reply.status == 201 || reply.status == 409,
            "{}: {}",
            reply.status,
            reply.text
        );
    }
    assert_eq!(
        app.get("/initiatives?q=concurrent").await.body["page"]["total"],
        1,
        "one write, however many retries"
    );
}

async fn keys_expire_after_a_day(app: TestApp) {
    let admin = app.admin();
    let body = translated(json!({"name": "Old", "sector": "ngo"}));
    post_with_key(&app, "/organisations", &admin, "old-key", &body)
        .await
        .ok(201);
    let db = Database::connect(&app.database_url, 1).unwrap();
    db.write_blocking(|conn| {
        let mut sql = Sql::new("UPDATE idempotency_keys SET created_at = ");
        sql.bind(Value::Timestamp(
            chrono::Utc::now().naive_utc() - chrono::Duration::hours(25),
        ));
        Ok(sql.execute(conn)?)
    })
    .unwrap();
    let other = translated(json!({"name": "New", "sector": "ngo"}));
    let reply = post_with_key(&app, "/organisations", &admin, "old-key", &other).await;
    assert_eq!(reply.ok(201)["display"]["name"], "New", "an expired key is a new key");
}

/// Authentication comes first, with the same parsing as every route; the key is a header;
/// the body limit holds before the body is read.
async fn keys_are_checked_after_the_caller(app: TestApp) {
    let body = translated(json!({"country_code": "LV", "name": "Latvian coalition", "status": "established"}));
    let send = |auth: Option<String>, key: String, body: Vec<u8>| {
        let mut request = app
            .client
            .post(app.url("/coalitions"))
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(body);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        async move { Reply::from(request.send().await.unwrap()).await }
    };
    let bad_key = "k".repeat(300);
    send(None, bad_key.clone(), body.to_string().into_bytes())
        .await
        .problem(401);
    let reply = send(
        Some(format!("Bearer {}", app.admin())),
        bad_key,
        body.to_string().into_bytes(),
    )
    .await;
    let problem = reply.problem(400);
    assert_eq!(problem["errors"][0]["field"], "idempotency-key");
    assert!(problem["detail"].as_str().unwrap().contains("header"), "{}", reply.text);
    // `bearer` in lowercase is the same credential: the retry is a replay, not a second record.
    let lower = format!("bearer {}", app.admin());
    let first = send(Some(lower.clone()), "same".into(), body.to_string().into_bytes()).await;
    first.ok(201);
    let retry = send(Some(lower), "same".into(), body.to_string().into_bytes()).await;
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body["id"], first.body["id"]);
    assert_eq!(app.get("/coalitions").await.ok(200)["page"]["total"], 1);
    // Over the limit (1 MiB here): 413, by the declared length, before the body is read.
    let big = vec![b' '; 2 * 1024 * 1024];
    let reply = send(Some(format!("Bearer {}", app.admin())), "big".into(), big).await;
    reply.problem(413);
}

crate::backend_tests!(
    keys_are_checked_after_the_caller,
    retries_replay_the_first_response,
    batches_and_concurrent_retries,
    keys_expire_after_a_day
);

//! Conditional requests and HTTP caching: ETag, If-None-Match → 304, If-Match → 412,
//! Cache-Control and Vary.

use serde_json::json;

use crate::common::{spawn_with, Reply, TestApp};

async fn get_with(app: &TestApp, path: &str, header: (&str, &str), token: Option<&str>) -> Reply {
    let mut request = app.client.get(app.url(path)).header(header.0, header.1);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn write_with(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    if_match: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(app.admin())
        .header("if-match", if_match);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string());
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn records_revalidate_by_version(app: TestApp) {
    let created = app
        .post(
            "/coalitions",
            Some(&app.admin()),
            json!({"country_code": "LV", "name": "Latvian coalition", "status": "established"}),
        )
        .await;
    assert_eq!(
        created.header("etag"),
        Some("\"1.en\""),
        "201 carries the version tag, with the language shown"
    );
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/coalitions/{id}");
    let first = app.get(&path).await;
    assert_eq!(first.header("etag"), Some("\"1.en\""));
    let not_modified = get_with(&app, &path, ("if-none-match", "\"1.en\""), None).await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.text.is_empty(), "no body");
    assert_eq!(not_modified.header("etag"), Some("\"1.en\""));
    assert_eq!(not_modified.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(
        get_with(&app, &path, ("if-none-match", "W/\"1.en\", \"7\""), None)
            .await
            .status,
        304,
        "weak comparison, lists"
    );
    app.patch(&path, Some(&app.admin()), json!({"description": "changed"}))
        .await
        .ok(200);
    let changed = get_with(&app, &path, ("if-none-match", "\"1.en\""), None).await;
    assert_eq!(changed.ok(200)["description"]["en"], "changed");
    assert_eq!(changed.header("etag"), Some("\"2.en\""));
}

async fn stale_writes_are_refused(app: TestApp) {
    let id = app.coalition("EE", "Estonian coalition").await;
    let path = format!("/coalitions/{id}");
    app.patch(&path, Some(&app.admin()), json!({"description": "v2"}))
        .await
        .ok(200);
    let stale = write_with(
        &app,
        reqwest::Method::PATCH,
        &path,
        "\"1\"",
        Some(json!({"description": {"en": "lost update"}})),
    )
    .await;
    assert!(stale.problem(412)["detail"].as_str().unwrap().contains("\"2\""));
    let weak = write_with(
        &app,
        reqwest::Method::PATCH,
        &path,
        "W/\"2\"",
        Some(json!({"description": {"en": "weak"}})),
    )
    .await;
    weak.problem(412);
    let stale_delete = write_with(&app, reqwest::Method::DELETE, &path, "\"1\"", None).await;
    stale_delete.problem(412);
    assert_eq!(
        app.get(&path).await.body["description"]["en"],
        "v2",
        "nothing was written"
    );
    let current = write_with(
        &app,
        reqwest::Method::PATCH,
        &path,
        "\"2\"",
        Some(json!({"description": {"en": "v3"}})),
    )
    .await;
    assert_eq!(current.ok(200)["version"], 3);
    assert_eq!(current.header("etag"), Some("\"3.en\""));
    let any = write_with(
        &app,
        reqwest::Method::PATCH,
        &path,
        "*",
        Some(json!({"description": {"en": "v4"}})),
    )
    .await;
    any.ok(200);
    // Content records and nested ones honour it too.
    let initiative = app.initiative(&id, json!({"countries": ["EE"]})).await;
    let ipath = format!("/initiatives/{}", initiative["id"].as_str().unwrap());
    write_with(
        &app,
        reqwest::Method::PATCH,
        &ipath,
        "\"9\"",
        Some(json!({"title": {"en": "x"}})),
    )
    .await
    .problem(412);
    write_with(&app, reqwest::Method::DELETE, &ipath, "\"1\"", None)
        .await
        .ok(204);
    let org = app.organisation("Member", "EE").await;
    let member = app.member(&id, &org).await;
    write_with(
        &app,
        reqwest::Method::DELETE,
        &format!("/coalitions/{id}/members/{member}"),
        "\"2\"",
        None,
    )
    .await
    .problem(412);
    write_with(&app, reqwest::Method::DELETE, "/countries/MT", "\"5\"", None)
        .await
        .problem(412);
}

async fn lists_revalidate_by_content(app: TestApp) {
    app.coalition("LT", "Lithuanian coalition").await;
    let list = app.get("/coalitions").await;
    let tag = list.header("etag").expect("lists carry an ETag").to_string();
    let again = get_with(&app, "/coalitions", ("if-none-match", &tag), None).await;
    assert_eq!(again.status, 304);
    app.coalition("LV", "Latvian coalition").await;
    let changed = get_with(&app, "/coalitions", ("if-none-match", &tag), None).await;
    assert_eq!(changed.ok(200)["page"]["total"], 2);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    // Embedding: the tag follows the content, not the record's own version.
    let c = app.coalition("PL", "Polish coalition").await;
    let i = app.initiative(&c, json!({"countries": ["PL"]})).await;
    let embedded = app
        .get(&format!("/initiatives/{}?include=coalition", i["id"].as_str().unwrap()))
        .await;
    assert_ne!(embedded.header("etag"), Some("\"1\""));
    let csv = get_with(&app, "/coalitions", ("accept", "text/csv"), None).await;
    let csv_tag = csv.header("etag").expect("CSV carries an ETag").to_string();
    let unchanged = app
        .client
        .get(app.url("/coalitions"))
        .header("accept", "text/csv")
        .header("if-none-match", &csv_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);
    app.coalition("FI", "Finnish coalition").await;
    let after_write = get_with(&app, "/coalitions", ("accept", "text/csv"), None).await;
    assert_ne!(
        after_write.header("etag"),
        Some(csv_tag.as_str()),
        "any write changes the CSV tag"
    );
    let clock = get_with(
        &app,
        "/trainings?upcoming=true&format=csv",
        ("accept", "text/csv"),
        None,
    )
    .await;
    assert!(
        clock.header("etag").is_none(),
        "results that move with the clock are not tagged"
    );
}

async fn cache_control_depends_on_the_caller(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = spawn_with(backend, |s| s.cache_max_age = 300).await.unwrap();
    let anonymous = app.get("/countries/LV").await;
    assert_eq!(anonymous.header("cache-control"), Some("public, max-age=300"));
    let vary = anonymous
        .headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    assert!(vary.contains("authorization"), "{vary}");
    let authenticated = app.get_as("/countries/LV", &app.admin()).await;
    assert_eq!(authenticated.header("cache-control"), Some("private, no-cache"));
    let error = app.get("/countries/XX").await;
    assert!(
        error.header("cache-control").is_none(),
        "errors are not marked cacheable"
    );
}

crate::backend_tests!(
    records_revalidate_by_version,
    stale_writes_are_refused,
    lists_revalidate_by_content,
    cache_control_depends_on_the_caller,
);

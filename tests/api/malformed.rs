//! Bad input of every kind gets a precise 4xx problem and leaves the database as it was.

use serde_json::json;

use crate::common::{Reply, TestApp};

async fn send_raw(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(app.admin())
        .body(body);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn state(app: &TestApp, id: &str) -> (serde_json::Value, serde_json::Value) {
    (
        app.get(&format!("/coalitions/{id}")).await.body,
        app.get("/coalitions").await.body["page"]["total"].clone(),
    )
}

async fn malformed_bodies_change_nothing(app: TestApp) {
    let id = app.coalition("SK", "Slovak coalition").await;
    let before = state(&app, &id).await;
    let path = format!("/coalitions/{id}");
    use reqwest::Method;
    // (method, path, content type, body, status, problem type suffix)
    type Case<'a> = (Method, &'a str, Option<&'a str>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/coalitions",
            Some("application/json"),
            b"{\"name\": ".to_vec(),
            400,
            "malformed-json",
        ),
        (
            Method::POST,
            "/coalitions",
            Some("application/json"),
            b"".to_vec(),
            400,
            "malformed-json",
        ),
        (
            Method::POST,
            "/coalitions",
            Some("application/json"),
            b"\xff\xfe".to_vec(),
            400,
            "malformed-json",
        ),
        (
            Method::POST,
            "/coalitions",
            Some("text/plain"),
            b"{}".to_vec(),
            415,
            "about:blank",
        ),
        (Method::POST, "/coalitions", None, b"{}".to_vec(), 415, "about:blank"),
        (
            Method::PATCH,
            &path,
            Some("application/xml"),
            b"<a/>".to_vec(),
            415,
            "about:blank",
        ),
        (
            Method::PATCH,
            &path,
            Some("application/merge-patch+json"),
            b"[1,2]".to_vec(),
            422,
            "validation-error",
        ),
        (
            Method::PATCH,
            &path,
            Some("application/merge-patch+json"),
            b"{\"status\": \"dormant\"}".to_vec(),
            422,
            "validation-error",
        ),
        (
            Method::PATCH,
            &path,
            Some("application/merge-patch+json"),
            b"{\"activity_areas\": \"education\"}".to_vec(),
            422,
            "validation-error",
        ),
        (
            Method::PATCH,
            &path,
            Some("application/merge-patch+json"),
            b"{\"colour\": \"blue\"}".to_vec(),
            422,
            "validation-error",
        ),
        (
            Method::PUT,
            &path,
            Some("application/json"),
            b"{\"country_code\": 42}".to_vec(),
            422,
            "validation-error",
        ),
        (
            Method::POST,
            "/coalitions",
            Some("application/json"),
            vec![b' '; 2 * 1024 * 1024],
            413,
            "about:blank",
        ),
    ];
    for (method, path, content_type, body, status, problem_type) in cases {
        let label = format!("{method} {path} {content_type:?}");
        let reply = send_raw(&app, method, path, content_type, body).await;
        let problem = reply.problem(status);
        assert!(
            problem["type"].as_str().unwrap().ends_with(problem_type),
            "{label}: {}",
            reply.text
        );
        assert!(!reply.text.to_lowercase().contains("select "), "no SQL in bodies");
        assert_eq!(state(&app, &id).await, before, "{label} changed data");
    }
}

async fn field_errors_name_the_path(app: TestApp) {
    let reply = app
        .post(
            "/coalitions",
            Some(&app.admin()),
            json!({"country_code": "SK", "name": "x", "status": "planned", "activity_areas": ["education", "cooking"]}),
        )
        .await;
    let problem = reply.problem(422);
    assert_eq!(problem["errors"][0]["field"], "activity_areas[1]");
    assert_eq!(problem["errors"][0]["code"], "unknown_value");
    let wrong_type = app
        .post(
            "/coalitions",
            Some(&app.admin()),
            json!({"country_code": "SK", "name": ["x"], "status": "planned"}),
        )
        .await;
    assert_eq!(
        wrong_type.problem(422)["errors"][0],
        json!({"field": "name", "code": "invalid_type", "message": "invalid type: sequence, expected a map"})
    );
    let wrong_text = app
        .post(
            "/coalitions",
            Some(&app.admin()),
            json!({"country_code": "SK", "original_language": "sk", "name": {"sk": ["x"]}, "status": "planned"}),
        )
        .await;
    assert_eq!(
        wrong_text.problem(422)["errors"][0],
        json!({"field": "name.sk", "code": "invalid_type", "message": "invalid type: sequence, expected a string"})
    );
    let bad_uuid = app
        .post(
            "/coalitions",
            Some(&app.admin()),
            json!({"country_code": "SK", "name": "x", "status": "planned", "coordinator_id": "42"}),
        )
        .await;
    assert_eq!(bad_uuid.problem(422)["errors"][0]["field"], "coordinator_id");
    let long = app
        .post(
            "/coalitions",
            Some(&app.admin()),
            json!({"country_code": "SK", "name": "x".repeat(201), "status": "planned"}),
        )
        .await;
    assert_eq!(long.problem(422)["errors"][0]["code"], "length");
    let email = app
        .post(
            "/coalitions",
            Some(&app.admin()),
            json!({"country_code": "SK", "name": "x", "status": "planned", "contact_email": "nobody"}),
        )
        .await;
    assert_eq!(email.problem(422)["errors"][0]["field"], "contact_email");
    let bad_date = app
        .post(
            &format!("/coalitions/{}/members", app.coalition("SK", "Slovak coalition").await),
            Some(&app.admin()),
            json!({"organisation_id": uuid::Uuid::new_v4(), "role": "member", "joined_on": "2020-02-30"}),
        )
        .await;
    assert_eq!(bad_date.problem(422)["errors"][0]["field"], "joined_on");
}

async fn bad_ids_and_routes(app: TestApp) {
    app.get("/coalitions/not-a-uuid").await.problem(404);
    app.patch("/coalitions/not-a-uuid", Some(&app.admin()), json!({}))
        .await
        .problem(404);
    app.get(&format!("/coalitions/{}", uuid::Uuid::new_v4()))
        .await
        .problem(404);
    app.get(&format!(
        "/organisations/{}",
        uuid::Uuid::new_v4().to_string().to_uppercase()
    ))
    .await
    .problem(404);
    let unknown = app.get("/initiativez").await;
    unknown.problem(404);
    let wrong_method = app.delete("/coalitions", Some(&app.admin())).await;
    wrong_method.problem(405);
    assert_eq!(wrong_method.header("allow"), Some("GET, HEAD, POST"));
    // A path written out in full is its own route, not a record of the route beside it.
    for resource in ["organisations", "initiatives", "trainings"] {
        for method in [
            reqwest::Method::GET,
            reqwest::Method::PUT,
            reqwest::Method::PATCH,
            reqwest::Method::DELETE,
        ] {
            let reply = app
                .request(
                    method.clone(),
                    &format!("/{resource}/batch"),
                    Some(&app.admin()),
                    Some(json!({})),
                )
                .await;
            reply.problem(405);
            assert_eq!(reply.header("allow"), Some("POST"), "{method} /{resource}/batch");
        }
    }
    let not_api = crate::common::Reply::from(
        app.client
            .get(format!("{}/nothing/here", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    not_api.problem(404);
}

async fn uppercase_ids_find_the_record(app: TestApp) {
    let id = app.coalition("CZ", "Czech coalition").await;
    app.get(&format!("/coalitions/{}", id.to_uppercase())).await.ok(200);
}

/// Dates are `YYYY-MM-DD` with a four-digit year (1000–9999), instants RFC 3339 with such a
/// date: in bodies (422 naming the field) and in filters (400 naming the parameter).
async fn dates_are_strict(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let org = app.organisation("Org", "LV").await;
    let admin = app.admin();
    let initiative = json!({
        "coalition_id": lv, "title": "Initiative", "activity_areas": ["education"], "countries": ["LV"],
        "sphere": "national", "status": "ongoing", "start_date": "2021-03-01"
    });
    for bad in [
        "-2021-01-01",
        "2021-1-1",
        "12021-01-01",
        "2021-02-30",
        "2021-01-01T00:00:00Z",
    ] {
        for field in ["start_date", "end_date"] {
            let mut body = initiative.clone();
            body[field] = json!(bad);
            let reply = app.post("/initiatives", Some(&admin), body).await;
            reply.problem(422);
            assert_eq!(reply.error_fields(), vec![field.to_string()], "{field}={bad}");
        }
        let reply = app
            .post(
                &format!("/coalitions/{lv}/members"),
                Some(&admin),
                json!({"organisation_id": org, "role": "member", "joined_on": bad}),
            )
            .await;
        assert_eq!(reply.problem(422)["errors"][0]["field"], "joined_on", "{bad}");
        for filter in ["/initiatives?active_on", "/initiatives?start_from", "/trainings?from"] {
            let reply = app.get(&format!("{filter}={bad}")).await;
            reply.problem(400);
        }
    }
    let event = json!({"title": "Webinar", "kind": "webinar", "format": "online",
        "starts_at": "2026-03-01T10:00:00Z", "ends_at": "2026-03-01T11:00:00Z", "timezone": "Europe/Riga",
        "coalition_id": lv});
    for bad in [
        "-2026-03-01T10:00:00Z",
        "2026-3-1T10:00:00Z",
        "+12026-03-01T10:00:00Z",
        "2026-03-01",
    ] {
        let mut body = event.clone();
        body["starts_at"] = json!(bad);
        let reply = app.post("/trainings", Some(&admin), body).await;
        assert_eq!(reply.problem(422)["errors"][0]["field"], "starts_at", "{bad}");
        let reply = app.get(&format!("/initiatives?updated_since={bad}")).await;
        reply.problem(400);
    }
    assert_eq!(
        app.get("/initiatives").await.ok(200)["data"],
        json!([]),
        "nothing was stored"
    );
    app.post("/trainings", Some(&admin), event).await.ok(201);
    app.post("/initiatives", Some(&admin), initiative).await.ok(201);
}

/// Codes are taken exactly as the document's patterns say: no trimming (`" LV"` is not a
/// country code, `"EN"` not a language code), and an optional code sent as `""` is none.
async fn codes_are_taken_exactly(app: TestApp) {
    let admin = app.admin();
    let coalition = app.coalition("LV", "Latvian coalition").await;
    let org = |code: &str| json!({"name": "Org", "sector": "ngo", "country_code": code});
    for bad in [" LV", "LV ", "lv", "L V"] {
        let reply = app.post("/organisations", Some(&admin), org(bad)).await;
        assert_eq!(reply.problem(422)["errors"][0]["field"], "country_code", "{bad:?}");
    }
    let none = app.post("/organisations", Some(&admin), org("")).await;
    assert_eq!(none.ok(201)["country_code"], serde_json::Value::Null);
    let initiative = json!({"coalition_id": coalition, "title": "T", "activity_areas": ["education"],
        "countries": [" LV"], "sphere": "local", "status": "ongoing", "start_date": "2026-01-01"});
    let reply = app.post("/initiatives", Some(&admin), initiative).await;
    assert_eq!(reply.problem(422)["errors"][0]["field"], "countries[0]");
    let event = |field: &str, value: serde_json::Value| {
        let mut body = json!({"coalition_id": coalition, "title": "E", "kind": "webinar", "format": "online",
            "starts_at": "2026-03-01T10:00:00Z", "ends_at": "2026-03-01T11:00:00Z", "timezone": "Europe/Riga"});
        body[field] = value;
        body
    };
    for (field, value, error) in [
        ("audience_countries", json!(["LV "]), "audience_countries[0]"),
        ("languages", json!([" en"]), "languages[0]"),
        ("languages", json!(["EN"]), "languages[0]"),
        ("country_code", json!(" LV"), "country_code"),
    ] {
        let reply = app.post("/trainings", Some(&admin), event(field, value.clone())).await;
        assert_eq!(reply.problem(422)["errors"][0]["field"], error, "{field}: {value}");
    }
    let reply = app
        .post("/trainings", Some(&admin), event("country_code", json!("")))
        .await;
    assert_eq!(reply.ok(201)["country_code"], serde_json::Value::Null);
    assert_eq!(app.get("/initiatives").await.ok(200)["data"], json!([]));
}

/// Every merge-patch route refuses a field the body cannot carry, also as `null` (merging
/// alone would take "remove `nope`" as a no-op): unknown names and server-owned fields alike.
async fn patches_refuse_unknown_fields_even_as_null(app: TestApp) {
    let fixture = crate::common::Fixture::new(&app).await;
    let admin = app.admin();
    let doc = app.get("/openapi.json").await.ok(200).clone();
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("patch").is_none() {
            continue;
        }
        let path = fixture.fill(template, None);
        let before = app.get(&path).await.ok(200).clone();
        for field in ["nope", "", "id", "version", "created_at"] {
            let reply = app.patch(&path, Some(&admin), json!({ field: null })).await;
            let problem = reply.problem(422);
            assert_eq!(problem["errors"][0]["code"], "unknown_field", "PATCH {path} {field:?}");
            assert_eq!(problem["errors"][0]["field"], field, "PATCH {path}");
        }
        assert_eq!(app.get(&path).await.ok(200), &before, "PATCH {path} changed nothing");
        checked += 1;
    }
    assert_eq!(checked, 6, "merge-patch routes");
}

crate::backend_tests!(
    patches_refuse_unknown_fields_even_as_null,
    codes_are_taken_exactly,
    dates_are_strict,
    malformed_bodies_change_nothing,
    field_errors_name_the_path,
    bad_ids_and_routes,
    uppercase_ids_find_the_record
);

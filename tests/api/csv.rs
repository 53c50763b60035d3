//! CSV exports: every matching row (not one page), a header row, sets joined with `;`.

use serde_json::json;

use crate::common::{Reply, TestApp};

async fn get_csv(app: &TestApp, path: &str, accept: Option<&str>) -> Reply {
    let mut request = app.client.get(app.url(path));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    Reply::from(request.send().await.unwrap()).await
}

fn records(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

async fn lists_export_every_row_as_csv(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    for i in 0..30 {
        app.initiative(
            &lv,
            json!({"title": format!("Initiative \"{i:02}\", with comma"), "countries": ["LV", "EE"],
            "activity_areas": ["education", "labour_force"]}),
        )
        .await;
    }
    let reply = get_csv(&app, "/initiatives?sort=title", Some("text/csv")).await;
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").unwrap().starts_with("text/csv"));
    assert!(reply.header("content-disposition").unwrap().contains("initiatives.csv"));
    let mut reader = csv::Reader::from_reader(reply.text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..4], ["id", "coalition_id", "original_language", "title.en"]);
    assert_eq!(
        &header[header.len() - 4..],
        [
            "display.language",
            "display.title",
            "display.summary",
            "display.description"
        ],
        "one column per field and language present, then the negotiated display"
    );
    let rows = records(&reply.text);
    assert_eq!(rows.len(), 30, "all rows, not a page of 25");
    let title = header.iter().position(|h| h == "title.en").unwrap();
    assert_eq!(rows[0][title], "Initiative \"00\", with comma", "quoting round-trips");
    let shown = header.iter().position(|h| h == "display.title").unwrap();
    assert_eq!(rows[0][shown], rows[0][title]);
    let countries = header.iter().position(|h| h == "countries").unwrap();
    assert_eq!(rows[0][countries], "EE;LV");
    let areas = header.iter().position(|h| h == "activity_areas").unwrap();
    assert_eq!(rows[0][areas], "labour_force;education");
    // Its own operation: `<list>.csv`, whatever the Accept header; the same rows.
    let by_path = get_csv(&app, "/initiatives.csv?sort=title", Some("application/json")).await;
    assert_eq!(by_path.status, 200);
    assert!(by_path.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(by_path.text, reply.text, "the same export");
    let filtered = get_csv(&app, "/initiatives.csv?q=05", None).await;
    assert_eq!(records(&filtered.text).len(), 1, "filters apply");
    // Not for a single record, nor for writes.
    assert_eq!(get_csv(&app, "/initiatives/nope.csv", None).await.status, 404);
    let write = app.post("/initiatives.csv", Some(&app.admin()), json!({})).await;
    write.problem(405);
    // format=csv wins over Accept; filters apply.
    let filtered = get_csv(&app, "/initiatives?format=csv&q=05", Some("application/json")).await;
    assert_eq!(records(&filtered.text).len(), 1);
    let empty = get_csv(&app, "/initiatives?format=csv&country=PL", None).await;
    assert_eq!(empty.text.lines().count(), 1, "just the header");
    // Every list speaks CSV.
    for path in [
        "/countries?format=csv",
        "/coalitions?format=csv",
        "/organisations?format=csv",
        &format!("/coalitions/{lv}/members?format=csv"),
        "/trainings?format=csv",
        "/countries.csv",
        "/coalitions.csv",
        "/organisations.csv",
        &format!("/coalitions/{lv}/members.csv"),
        "/trainings.csv?kind=workshop",
    ] {
        let reply = get_csv(&app, path, None).await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply.text.starts_with("id,") || reply.text.starts_with("code,"),
            "{path}: {}",
            &reply.text[..40.min(reply.text.len())]
        );
    }
    assert_eq!(
        records(&get_csv(&app, "/countries?format=csv", None).await.text).len(),
        43
    );
    // Bad filters are still problems, not half-written CSV.
    get_csv(&app, "/initiatives?format=csv&status=paused", None)
        .await
        .problem(400);
    get_csv(&app, "/initiatives?format=xml", None).await.problem(400);
}

async fn large_exports_stream_in_batches(app: TestApp) {
    let db = coalition_registry::store::Database::connect(&app.database_url, 1).unwrap();
    coalition_registry::ops::demo::seed_demo(&db, 1200).unwrap();
    let admin = app.admin();
    let total = app.get_as("/initiatives?limit=1", &admin).await.body["page"]["total"]
        .as_i64()
        .unwrap();
    let reply = Reply::from(
        app.client
            .get(app.url("/initiatives?format=csv"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        records(&reply.text).len() as i64,
        total,
        "more than two export batches of 500"
    );
    assert!(total >= 1200);
}

crate::backend_tests!(lists_export_every_row_as_csv, large_exports_stream_in_batches);

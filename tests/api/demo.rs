//! `seed --demo`: real records where facts are known, and generated data at scale.

use futures_util::StreamExt;

use crate::common::TestApp;

async fn demo_data_has_the_known_facts(app: TestApp) {
    let db = coalition_registry::store::Database::connect(&app.database_url, 1).unwrap();
    let report = coalition_registry::ops::demo::seed_demo(&db, 400).unwrap();
    assert_eq!(report.initiatives, 400);
    assert_eq!(report.trainings, 102, "100 generated plus the two real events");
    let armenia = app.get("/coalitions?country=AM").await;
    assert_eq!(armenia.ok(200)["data"][0]["founded"], "2017");
    let ukraine = app.get("/coalitions?country=UA").await;
    assert_eq!(ukraine.ok(200)["data"][0]["founded"], "2019");
    let training = app.get("/trainings?from=2020-07-13&to=2020-07-13&platform=true").await;
    let t = &training.ok(200)["data"][0];
    assert_eq!(t["participants_note"], "30+");
    assert_eq!(t["format"], "online");
    assert_eq!(
        t["audience_countries"],
        serde_json::json!(["AM", "AZ", "BY", "GE", "MD", "UA"])
    );
    let workshop = app.get("/trainings?q=workshop%20representatives").await;
    assert_eq!(workshop.ok(200)["data"][0]["participants_note"], "40+");
    let published = app.get("/initiatives?limit=1").await.body["page"]["total"]
        .as_i64()
        .unwrap();
    assert!(published > 300 && published < 400, "about 90% published: {published}");
    let ukrainian = app.get("/initiatives?country=UA&limit=100").await;
    let cyrillic = |s: &str| s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    let titles = ukrainian.body["data"].as_array().unwrap();
    assert!(
        !titles.is_empty() && titles.iter().all(|i| cyrillic(i["display"]["title"].as_str().unwrap())),
        "titles in the country's language"
    );
    // Every record is in the change feed, so a replica built from it is complete.
    let admin = app.admin();
    let mut in_feed = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/changes?limit=1000&after={c}"),
            None => "/changes?limit=1000".to_string(),
        };
        let page = app.get_as(&path, &admin).await;
        let n = page.ok(200)["data"].as_array().unwrap().len();
        in_feed += n;
        cursor = page.body["page"]["next_cursor"].as_str().map(String::from);
        if n == 0 {
            break;
        }
    }
    let totals: i64 = [
        "/countries?limit=1",
        "/coalitions?limit=1",
        "/organisations?limit=1",
        "/initiatives?limit=1",
        "/trainings?limit=1",
    ]
    .iter()
    .map(|p| async { app.get_as(p, &admin).await.body["page"]["total"].as_i64().unwrap() })
    .collect::<futures_util::stream::FuturesOrdered<_>>()
    .collect::<Vec<i64>>()
    .await
    .iter()
    .sum();
    let memberships = report.organisations as i64 - 1; // every demo organisation but the facility is a member
    assert_eq!(in_feed as i64, totals + memberships, "the feed holds every record");
    // A second run adds generated data but reuses coalitions and the real events.
    let again = coalition_registry::ops::demo::seed_demo(&db, 10).unwrap();
    assert_eq!((again.coalitions, again.trainings), (0, 2));
    assert_eq!(
        app.get("/trainings?q=workshop%20representatives").await.body["page"]["total"],
        1
    );
    // Bulk loads and the write path alike store documents equal to the tables.
    assert_eq!(
        coalition_registry::ops::seed::stale_documents(&db).unwrap(),
        Vec::<String>::new()
    );
}

crate::backend_tests!(demo_data_has_the_known_facts);

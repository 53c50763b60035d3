//! The list contract: limits, exact keyset cursors (also under concurrent inserts), numbered
//! pages with a depth limit, sorting with an id tiebreak, totals and `Link` headers.

use std::collections::HashSet;

use serde_json::json;

use crate::common::TestApp;

async fn organisations(app: &TestApp, names: &[&str]) {
    let admin = app.admin();
    for name in names {
        app.post("/organisations", Some(&admin), json!({"name": name, "sector": "ngo"}))
            .await
            .ok(201);
    }
}

fn ids(rows: &[serde_json::Value]) -> Vec<String> {
    rows.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

async fn cursor_walk_returns_every_row_once_in_order(app: TestApp) {
    // Duplicate names make the id tiebreak matter.
    let names: Vec<String> = (0..23).map(|i| format!("Org {:02}", i % 7)).collect();
    organisations(&app, &names.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let all = app.walk("/organisations?limit=5").await;
    assert_eq!(all.len(), 23);
    assert_eq!(ids(&all).into_iter().collect::<HashSet<_>>().len(), 23, "no row twice");
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|r| {
            (
                r["display"]["name"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorted by name, then id");
    let desc = app.walk("/organisations?limit=4&sort=-name").await;
    let mut expected: Vec<(String, String)> = keys.iter().map(|(n, i)| (n.clone(), i.clone())).collect();
    expected.sort_by(|a, b| b.cmp(a));
    let got: Vec<(String, String)> = desc
        .iter()
        .map(|r| {
            (
                r["display"]["name"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected, "descending name, then id in the same direction");
    let by_update = app.walk("/organisations?limit=6&sort=-updated_at").await;
    assert_eq!(by_update.len(), 23);
}

async fn cursor_is_stable_under_concurrent_inserts(app: TestApp) {
    let names: Vec<String> = (0..20).map(|i| format!("B{i:02}")).collect();
    organisations(&app, &names.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let mut seen = Vec::new();
    let mut url = "/organisations?limit=6".to_string();
    let mut round = 0;
    loop {
        let reply = app.get(&url).await;
        let body = reply.ok(200).clone();
        seen.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["display"]["name"].as_str().unwrap().to_string()),
        );
        // Insert rows before and after the current position between page requests.
        organisations(&app, &[&format!("A-inserted-{round}"), &format!("Z-inserted-{round}")]).await;
        round += 1;
        match body["page"]["next_cursor"].as_str() {
            Some(c) => url = format!("/organisations?limit=6&cursor={c}"),
            None => break,
        }
    }
    let originals: Vec<&String> = seen.iter().filter(|n| n.starts_with('B')).collect();
    assert_eq!(originals.len(), 20, "every original row exactly once: {seen:?}");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len(), "no duplicates");
    assert!(
        seen.iter().all(|n| !n.starts_with('A')),
        "rows inserted behind the cursor are not served"
    );
}

async fn numbered_pages_and_totals(app: TestApp) {
    let names: Vec<String> = (0..12).map(|i| format!("N{i:02}")).collect();
    organisations(&app, &names.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let page2 = app.get("/organisations?limit=5&page=2").await;
    let body = page2.ok(200);
    let got: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["display"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["N05", "N06", "N07", "N08", "N09"]);
    assert_eq!(body["page"]["total"], 12);
    let link = page2.header("link").unwrap();
    assert!(
        link.contains("page=3") && link.contains("limit=5") && link.ends_with("rel=\"next\""),
        "{link}"
    );
    let last = app.get("/organisations?limit=5&page=3").await;
    assert_eq!(last.ok(200)["data"].as_array().unwrap().len(), 2);
    assert!(last.header("link").is_none());
    assert_eq!(last.body["page"]["next_cursor"], json!(null));
    let uncounted = app.get("/organisations?count=false").await;
    assert_eq!(uncounted.ok(200)["page"]["total"], json!(null));
    assert_eq!(
        app.get("/organisations?limit=100&page=102").await.problem(400)["errors"][0]["code"],
        "too_deep"
    );
    app.get("/organisations?limit=100&page=101").await.ok(200);
    app.get("/organisations?page=0").await.problem(400);
}

async fn link_header_matches_next_cursor(app: TestApp) {
    organisations(&app, &["a", "b", "c"]).await;
    let reply = app.get("/organisations?limit=2&sector=ngo").await;
    let cursor = reply.ok(200)["page"]["next_cursor"].as_str().unwrap().to_string();
    let link = reply.header("link").unwrap().to_string();
    let target = link.trim_start_matches('<').split('>').next().unwrap();
    assert!(target.starts_with(&app.base), "{target}");
    assert!(
        target.contains(&format!("cursor={cursor}")) && target.contains("sector=ngo") && target.contains("limit=2"),
        "{link}"
    );
    let next = crate::common::Reply::from(app.client.get(target).send().await.unwrap()).await;
    assert_eq!(next.ok(200)["data"].as_array().unwrap().len(), 1);
}

async fn bad_paging_parameters_are_400(app: TestApp) {
    organisations(&app, &["a", "b", "c"]).await;
    let cursor = app.get("/organisations?limit=1").await.body["page"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    for (query, field, code) in [
        ("limit=0", "limit", "out_of_range"),
        ("limit=101", "limit", "out_of_range"),
        ("limit=ten", "limit", "invalid_value"),
        ("limit=-1", "limit", "invalid_value"),
        ("cursor=garbage", "cursor", "invalid_cursor"),
        (&format!("cursor={cursor}&sort=-name"), "cursor", "cursor_sort_mismatch"),
        (&format!("cursor={cursor}&page=2"), "page", "conflicting_parameters"),
        ("sort=colour", "sort", "unknown_sort_field"),
        ("count=maybe", "count", "invalid_value"),
        ("unknown=1", "unknown", "unknown_parameter"),
    ] {
        let reply = app.get(&format!("/organisations?{query}")).await;
        let problem = reply.problem(400);
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
        assert_eq!(problem["errors"][0]["code"], code, "{query}");
    }
    app.get("/organisations/00000000-0000-0000-0000-000000000000?x=1")
        .await
        .problem(400);
}

/// Every page of `path` as `token`'s holder reads it from `base` (a server's `/api/v1`).
async fn pages_from(app: &TestApp, base: &str, path: &str, token: Option<&str>) -> Vec<serde_json::Value> {
    let mut pages = Vec::new();
    let mut url = path.to_string();
    loop {
        let mut request = app.client.get(format!("{base}{url}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let reply = crate::common::Reply::from(request.send().await.unwrap()).await;
        let body = reply.ok(200).clone();
        let next = body["page"]["next_cursor"].as_str().map(str::to_string);
        pages.push(body);
        match next {
            // A numbered page is compared alone (its cursor would conflict with `page=`).
            Some(cursor) if !path.contains("page=") => url = format!("{path}&cursor={cursor}"),
            _ => return pages,
        }
    }
}

/// A server that counts every table as large (`LARGE_TABLE_ROWS=0`) plans filtered lists for
/// their values and, on PostgreSQL, finds a page's keys before reading its rows: over the same
/// database, every page it serves (rows, order, cursors, totals, drafts, embeds) is the one a
/// server keeping its prepared plans serves.
async fn lists_of_large_tables_read_the_same(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ee = app.coalition("EE", "Estonian coalition").await;
    for i in 0..14 {
        let (coalition, countries) = match i % 3 {
            0 => (&ee, json!(["EE"])),
            1 => (&lv, json!(["LV"])),
            _ => (&lv, json!(["LV", "EE"])),
        };
        let area = if i % 2 == 0 { "labour_force" } else { "education" };
        app.initiative(
            coalition,
            json!({
                "title": format!("Initiative {:02}", i % 5),
                "countries": countries,
                "activity_areas": [area],
                "start_date": format!("2021-0{}-01", 1 + i % 4),
                "publication": if i % 4 == 3 { "draft" } else { "published" },
            }),
        )
        .await;
    }
    for i in 0..8 {
        let coalition = if i % 2 == 0 { Some(lv.as_str()) } else { None };
        app.training(
            coalition,
            json!({
                "title": format!("Event {i}"),
                "activity_areas": [if i % 3 == 0 { "labour_force" } else { "education" }],
                "languages": if i % 2 == 0 { json!(["lv"]) } else { json!(["en", "lv"]) },
                "starts_at": format!("2021-05-0{}T10:00:00+03:00", 1 + i % 3),
                "ends_at": format!("2021-05-0{}T12:00:00+03:00", 1 + i % 3),
                "publication": if i % 4 == 1 { "draft" } else { "published" },
            }),
        )
        .await;
    }
    for i in 0..5 {
        let organisation = app
            .organisation(&format!("Organisation {}", i % 3), if i % 2 == 0 { "LV" } else { "EE" })
            .await;
        app.member(&lv, &organisation).await;
    }
    let large = crate::common::replica(&app, &[("LARGE_TABLE_ROWS", "0")]).await;
    let ordinary = app.url("");
    let (admin, editor) = (app.admin(), app.editor(&[&lv]));
    let paths = [
        "/initiatives?country=LV&activity_area=labour_force&limit=2",
        "/initiatives?country=LV&country=EE&limit=3&count=false",
        "/initiatives?activity_area=education&sort=start_date&limit=2",
        "/initiatives?country=EE&sort=-title&limit=2",
        "/initiatives?coalition={lv}&status=ongoing&limit=4",
        "/initiatives?limit=5",
        "/initiatives?page=2&limit=3&country=LV",
        "/trainings?activity_area=education&limit=2",
        "/trainings?language=en&limit=2&sort=title",
        "/coalitions?limit=1&country=LV",
        "/organisations?country=LV&limit=2",
        "/organisations?coalition={lv}&sort=-name&limit=2",
        "/coalitions/{lv}/members?limit=2&include=organisation",
    ];
    let mut compared = 0;
    for path in paths {
        let path = path.replace("{lv}", &lv);
        for token in [None, Some(admin.as_str()), Some(editor.as_str())] {
            let expected = pages_from(&app, &ordinary, &path, token).await;
            let got = pages_from(&app, &large.base, &path, token).await;
            assert!(
                !expected[0]["data"].as_array().unwrap().is_empty(),
                "{path}: a page with rows"
            );
            assert_eq!(got, expected, "{path} as {token:?}");
            compared += expected.len();
        }
    }
    assert!(compared > 50, "{compared} pages compared");
}

crate::backend_tests!(
    cursor_walk_returns_every_row_once_in_order,
    lists_of_large_tables_read_the_same,
    cursor_is_stable_under_concurrent_inserts,
    numbered_pages_and_totals,
    link_header_matches_next_cursor,
    bad_paging_parameters_are_400,
);

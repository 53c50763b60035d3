//! Initiatives: fields and sets, validation, filters, full-text search, embedding.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use coalition_registry::http::auth::Caller;
use coalition_registry::http::paging::{ListRequest, PageParams, Sort};
use coalition_registry::kernel::Collection;
use coalition_registry::resources::initiatives::filters::InitiativeFilters;
use coalition_registry::resources::initiatives::queries::Include;
use coalition_registry::resources::initiatives::resource::Initiatives;
use coalition_registry::store::Database;
use diesel::connection::{Connection, InstrumentationEvent};
use serde_json::json;

use crate::common::{translated, TestApp};

async fn create_with_every_field(app: TestApp) {
    let coalition = app.coalition("LV", "Latvian coalition").await;
    let lead = app.organisation("LIKTA", "LV").await;
    let funder = app.organisation("Ministry of Education and Science", "LV").await;
    let body = json!({
        "coalition_id": coalition,
        "original_language": "lv",
        "title": {"lv": "Digitālo prasmju akadēmija skolotājiem", "EN": " Digital skills academy for teachers "},
        "summary": {"en": "Teachers learn to teach coding"},
        "description": {"lv": "Divu gadu programma"},
        "activity_areas": ["education", "digital_skills_for_all", "education"],
        "themes": ["coding", "women_in_ict"],
        "target_groups": ["teachers"],
        "countries": ["LV", "LT"],
        "sphere": "international",
        "status": "ongoing",
        "start_date": "2021-09-01",
        "end_date": "2023-06-30",
        "website": "https://example.lv/akademija",
        "organisations": [{"organisation_id": lead, "role": "lead"}, {"organisation_id": funder, "role": "funder"}],
        "funding": "National budget",
        "external_id": "lv-2021-007"
    });
    let created = app.post("/initiatives", Some(&app.editor(&[&coalition])), body).await;
    let i = created.ok(201).clone();
    let id = i["id"].as_str().unwrap();
    assert_eq!(created.header("location").unwrap(), format!("/api/v1/initiatives/{id}"));
    assert_eq!(i["publication"], "draft", "drafts by default");
    assert_eq!(i["activity_areas"], json!(["digital_skills_for_all", "education"]));
    assert_eq!(i["countries"], json!(["LT", "LV"]));
    assert_eq!(
        i["organisations"],
        json!([{"organisation_id": lead, "role": "lead"}, {"organisation_id": funder, "role": "funder"}])
    );
    assert_eq!(i["end_date"], "2023-06-30");
    assert_eq!(i["original_language"], "lv");
    assert_eq!(
        i["title"],
        json!({"en": "Digital skills academy for teachers", "lv": "Digitālo prasmju akadēmija skolotājiem"}),
        "tags canonical, texts trimmed"
    );
    assert_eq!(
        i["display"],
        json!({"language": "lv", "title": "Digitālo prasmju akadēmija skolotājiem",
               "summary": "Teachers learn to teach coding", "description": "Divu gadu programma"}),
        "without lang or Accept-Language: the original language, else what there is"
    );
    let fetched = app.get_as(&format!("/initiatives/{id}"), &app.admin()).await;
    assert_eq!(fetched.ok(200), &i);
    let published = app
        .patch(
            &format!("/initiatives/{id}"),
            Some(&app.editor(&[&coalition])),
            json!({"publication": "published"}),
        )
        .await;
    assert_eq!(published.ok(200)["version"], 2);
    let embedded = app
        .get(&format!("/initiatives/{id}?include=coalition,organisations"))
        .await;
    let body = embedded.ok(200);
    assert_eq!(body["coalition"]["display"]["name"], "Latvian coalition");
    assert_eq!(body["organisations"][0]["organisation"]["display"]["name"], "LIKTA");
    assert_eq!(
        body["organisations"][1]["organisation"]["display"]["name"],
        "Ministry of Education and Science"
    );
    app.get(&format!("/initiatives/{id}?include=members"))
        .await
        .problem(400);
}

async fn validation_names_every_field(app: TestApp) {
    let coalition = app.coalition("LV", "Latvian coalition").await;
    let reply = app
        .post(
            "/initiatives",
            Some(&app.admin()),
            translated(json!({"coalition_id": coalition, "title": "x", "activity_areas": [], "countries": [], "sphere": "national",
                   "status": "ongoing", "start_date": "2022-01-01", "end_date": "2021-01-01", "website": "not a url"})),
        )
        .await;
    reply.problem(422);
    assert_eq!(
        reply.error_fields(),
        ["activity_areas", "countries", "end_date", "website"]
    );
    let unknown = app
        .post(
            "/initiatives",
            Some(&app.admin()),
            translated(json!({"coalition_id": uuid::Uuid::new_v4(), "title": "x", "activity_areas": ["education"], "countries": ["XX"],
                   "sphere": "national", "status": "ongoing", "start_date": "2022-01-01",
                   "organisations": [{"organisation_id": uuid::Uuid::new_v4(), "role": "lead"}]})),
        )
        .await;
    unknown.problem(422);
    assert_eq!(
        unknown.error_fields(),
        ["coalition_id", "countries[0]", "organisations[0].organisation_id"]
    );
    let bad_theme = app
        .post("/initiatives", Some(&app.admin()), translated(json!({"coalition_id": coalition, "title": "x", "activity_areas": ["education"],
              "countries": ["LV"], "sphere": "national", "status": "ongoing", "start_date": "2022-01-01", "themes": ["gardening"]})))
        .await;
    assert_eq!(bad_theme.problem(422)["errors"][0]["field"], "themes[0]");
    app.initiative(&coalition, json!({"external_id": "dup"})).await;
    let dup = app
        .post("/initiatives", Some(&app.admin()), translated(json!({"coalition_id": coalition, "title": "x", "activity_areas": ["education"],
              "countries": ["LV"], "sphere": "national", "status": "ongoing", "start_date": "2022-01-01", "external_id": "dup"})))
        .await;
    dup.problem(409);
    assert_eq!(app.get_as("/initiatives", &app.admin()).await.body["page"]["total"], 1);
}

async fn every_filter_selects(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ua = app.coalition("UA", "Ukrainian coalition").await;
    let org = app.organisation("IT Ukraine", "UA").await;
    let a = app
        .initiative(&lv, json!({"title": "A", "countries": ["LV"], "activity_areas": ["education"], "themes": ["coding"],
            "target_groups": ["pupils"], "status": "completed", "sphere": "local", "start_date": "2018-01-01", "end_date": "2019-12-31"}))
        .await;
    let b = app
        .initiative(&ua, json!({"title": "B", "countries": ["UA", "MD"], "activity_areas": ["labour_force", "ict_professionals"],
            "themes": ["women_in_ict"], "target_groups": ["women_and_girls"], "status": "ongoing", "sphere": "international",
            "start_date": "2020-06-01", "organisations": [{"organisation_id": org, "role": "partner"}]}))
        .await;
    let c = app
        .initiative(
            &ua,
            json!({"title": "C", "countries": ["UA"], "activity_areas": ["digital_skills_for_all"], "status": "planned",
            "start_date": "2030-01-01"}),
        )
        .await;
    let titles = |reply: &crate::common::Reply| -> Vec<String> {
        let mut t: Vec<String> = reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["display"]["title"].as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    };
    for (query, expected) in [
        ("country=MD", vec!["B"]),
        ("country=UA", vec!["B", "C"]),
        (&format!("coalition={lv}") as &str, vec!["A"]),
        (
            "activity_area=education&activity_area=ict_professionals",
            vec!["A", "B"],
        ),
        ("theme=women_in_ict", vec!["B"]),
        ("target_group=pupils", vec!["A"]),
        ("status=planned", vec!["C"]),
        ("sphere=local&sphere=international", vec!["A", "B"]),
        (&format!("organisation={org}"), vec!["B"]),
        ("active_on=2019-06-01", vec!["A"]),
        ("active_on=2024-01-01", vec!["B"]),
        ("start_from=2020-01-01", vec!["B", "C"]),
        ("start_to=2020-06-01", vec!["A", "B"]),
        ("start_from=2019-01-01&start_to=2025-01-01", vec!["B"]),
        ("updated_since=2000-01-01T00:00:00Z", vec!["A", "B", "C"]),
        ("updated_since=2999-01-01T00:00:00Z", vec![]),
        ("publication=published", vec!["A", "B", "C"]),
    ] {
        let reply = app.get(&format!("/initiatives?{query}")).await;
        reply.ok(200);
        assert_eq!(titles(&reply), expected, "{query}");
        assert_eq!(reply.body["page"]["total"], expected.len(), "{query}");
    }
    let sorted = app.get("/initiatives?sort=start_date").await;
    let ids: Vec<&str> = sorted.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            a["id"].as_str().unwrap(),
            b["id"].as_str().unwrap(),
            c["id"].as_str().unwrap()
        ]
    );
    let default = app.get("/initiatives").await;
    assert_eq!(
        default.ok(200)["data"][0]["display"]["title"],
        "C",
        "newest start first by default"
    );
    for bad in [
        "active_on=yesterday",
        "status=paused",
        "sort=relevance",
        "country=Latvia",
        "organisation=x",
        "include=everything",
    ] {
        app.get(&format!("/initiatives?{bad}")).await.problem(400);
    }
}

async fn full_text_search_in_many_languages(app: TestApp) {
    let ua = app.coalition("UA", "Ukrainian coalition").await;
    app.initiative(
        &ua,
        json!({"title": "Цифрові навички для вчителів", "summary": "Навчання вчителів програмування"}),
    )
    .await;
    app.initiative(&ua, json!({"title": "ციფრული უნარები მასწავლებლებისთვის"}))
        .await;
    app.initiative(
        &ua,
        json!({"title": "Digitālo prasmju akadēmija", "description": "Kursi skolotājiem"}),
    )
    .await;
    app.initiative(
        &ua,
        json!({"title": "Coding club", "summary": "Teachers and coding", "description": "coding coding coding"}),
    )
    .await;
    app.initiative(
        &ua,
        json!({"title": "Teachers' digital skills", "description": "Once mentions coding"}),
    )
    .await;
    let titles = |q: &str| {
        let app = &app;
        let q = q.to_string();
        async move {
            let reply = app.get(&format!("/initiatives?q={q}")).await;
            reply.ok(200);
            reply.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["display"]["title"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("навички").await, ["Цифрові навички для вчителів"]);
    assert_eq!(
        titles("НАВИЧКИ%20вчителів").await,
        ["Цифрові навички для вчителів"],
        "case-insensitive, every word"
    );
    assert_eq!(
        titles("მასწავლებლებისთვის").await,
        ["ციფრული უნარები მასწავლებლებისთვის"]
    );
    assert_eq!(
        titles("skolotājiem").await,
        ["Digitālo prasmju akadēmija"],
        "description is searched"
    );
    assert_eq!(titles("akadēmija").await, ["Digitālo prasmju akadēmija"]);
    assert!(titles("gardening").await.is_empty());
    let ranked = app.get("/initiatives?q=coding&sort=relevance").await;
    let ranked: Vec<&str> = ranked.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["display"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        ranked,
        ["Coding club", "Teachers' digital skills"],
        "more matches rank first"
    );
    let paged = app.walk("/initiatives?q=coding&sort=relevance&limit=1").await;
    assert_eq!(paged.len(), 2, "relevance pages with cursors too");
    // Query syntax characters are words, not errors.
    app.get("/initiatives?q=%22unbalanced%20OR%20(").await.ok(200);
}

async fn include_costs_a_fixed_number_of_queries(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let org = app.organisation("Partner", "LV").await;
    for i in 0..30 {
        app.initiative(
            &lv,
            json!({"title": format!("I{i}"), "organisations": [{"organisation_id": org, "role": "partner"}]}),
        )
        .await;
    }
    let db = Database::connect(&app.database_url, 1).unwrap();
    let count_queries = |limit: u32| {
        let mut conn = db.conn().unwrap();
        let counter = Arc::new(AtomicUsize::new(0));
        let seen = counter.clone();
        (*conn).set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if matches!(event, InstrumentationEvent::StartQuery { .. }) {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
        let params = PageParams {
            limit: Some(limit),
            ..Default::default()
        };
        let request = ListRequest::new(
            &params,
            Sort::parse(
                None,
                coalition_registry::resources::initiatives::filters::SORT_FIELDS,
                "title",
            )
            .unwrap(),
        )
        .unwrap();
        let include = Include {
            coalition: true,
            organisations: true,
        };
        let selection = Initiatives::select(&mut conn, &Caller::Anonymous, &InitiativeFilters::default()).unwrap();
        let listed =
            coalition_registry::kernel::read::page::<Initiatives>(&mut conn, selection, include, &request).unwrap();
        assert_eq!(listed.rows.len(), limit as usize);
        assert!(listed
            .rows
            .iter()
            .all(|i| i.coalition.is_some() && i.organisations[0].organisation.is_some()));
        counter.load(Ordering::SeqCst)
    };
    let small = count_queries(2);
    let large = count_queries(30);
    assert_eq!(small, large, "queries must not grow with the page");
    // the page's documents with the count + coalitions + organisations
    assert_eq!(large, 3);
}

async fn totals_are_exact_up_to_a_cap(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let created = app.initiative(&lv, json!({"title": format!("I{i}")})).await;
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let page = app.get("/initiatives?country=LV&limit=2").await.ok(200)["page"].clone();
    assert_eq!(
        (page["total"].clone(), page["total_exact"].clone()),
        (json!(5), json!(true))
    );
    let page = app.get("/initiatives?country=EE").await.ok(200)["page"].clone();
    assert_eq!(
        (page["total"].clone(), page["total_exact"].clone()),
        (json!(0), json!(true))
    );
    let page = app.get("/initiatives?count=false").await.ok(200)["page"].clone();
    assert_eq!(
        (page["total"].clone(), page["total_exact"].clone()),
        (json!(null), json!(false))
    );
    // A page left empty (its rows deleted since the cursor was issued) still has its total.
    let first = app.get("/initiatives?sort=title&limit=4").await.ok(200).clone();
    let cursor = first["page"]["next_cursor"].as_str().unwrap().to_string();
    app.delete(&format!("/initiatives/{}", ids[4]), Some(&app.admin()))
        .await
        .ok(204);
    let empty = app
        .get(&format!("/initiatives?sort=title&limit=4&cursor={cursor}"))
        .await;
    assert_eq!(empty.ok(200)["data"], json!([]));
    assert_eq!(empty.body["page"]["total"], 4);
    // Above the cap (10,000 in the service; 3 here), counting stops: the cap, flagged inexact.
    let db = Database::connect(&app.database_url, 1).unwrap();
    let total = |cap: i64| {
        let mut conn = db.conn().unwrap();
        let params = PageParams {
            limit: Some(2),
            ..Default::default()
        };
        let sort = Sort::parse(
            None,
            coalition_registry::resources::initiatives::filters::SORT_FIELDS,
            "title",
        )
        .unwrap();
        let request = ListRequest::new(&params, sort).unwrap().count_up_to(cap);
        let selection = Initiatives::select(&mut conn, &Caller::Anonymous, &InitiativeFilters::default()).unwrap();
        let listed = coalition_registry::kernel::read::page_documents::<Initiatives>(
            &mut conn,
            selection,
            Include::default(),
            &request,
        )
        .unwrap();
        assert_eq!(listed.rows.len(), 2);
        (listed.page.total, listed.page.total_exact)
    };
    assert_eq!(total(3), (Some(3), false));
    assert_eq!(total(4), (Some(4), true));
    assert_eq!(total(100), (Some(4), true));
}

crate::backend_tests!(
    totals_are_exact_up_to_a_cap,
    create_with_every_field,
    validation_names_every_field,
    every_filter_selects,
    full_text_search_in_many_languages,
    include_costs_a_fixed_number_of_queries,
);

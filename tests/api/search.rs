//! Full-text search finds the same records for the same words on both backends: one table of
//! tricky texts and queries (hyphens, apostrophes, dots, digits, diacritics, mixed scripts,
//! e-mail and web addresses, prefixes, query syntax), the same expectations on SQLite and
//! PostgreSQL.

use coalition_registry::http::auth::Caller;
use coalition_registry::http::paging::{ListRequest, PageParams};
use coalition_registry::kernel::read::page_documents;
use coalition_registry::kernel::Collection;
use coalition_registry::resources::initiatives::filters::InitiativeFilters;
use coalition_registry::resources::initiatives::queries::Include;
use coalition_registry::resources::initiatives::resource::Initiatives;
use coalition_registry::store::Database;
use serde_json::{json, Value};

use crate::common::TestApp;

const TEXTS: &[&str] = &[
    "Roadmap 2024-2027",
    "Women's Digital Academy",
    "e-Skills v2.1 release",
    "Latvijā digitālās prasmes",
    "Академия ИКТ Грузии",
    "საქართველოს ციფრული აკადემია",
    "Contact hello@example.org or www.skills.eu/apply",
    "C++ and C# bootcamp, 3.5 million euro",
    "ÉCOLE numérique — O'Brien's ICT lab",
];

/// `(q, the TEXTS it finds, by index)`
const CASES: &[(&str, &[usize])] = &[
    ("2027", &[0]),
    ("2024", &[0]),
    ("2024-2027", &[0]),
    ("roadmap 2027", &[0]),
    ("road*", &[0]),
    ("road", &[]),
    ("2027-2024", &[]),
    ("women", &[1]),
    ("women's", &[1]),
    ("WOMEN\u{2019}S", &[1]),
    ("digital academy", &[1]),
    ("skills", &[2, 6]),
    ("e-skills", &[2]),
    ("v2.1", &[2]),
    ("v2", &[2]),
    ("2.1", &[]),
    ("latvija", &[3]),
    ("LATVIJĀ", &[3]),
    ("digitalas", &[3]),
    ("digitālās prasmes", &[3]),
    ("академия", &[4]),
    ("икт", &[4]),
    ("ИКТ", &[4]),
    ("академ*", &[4]),
    ("ციფრული", &[5]),
    ("აკადემ*", &[5]),
    ("example", &[6]),
    ("hello@example.org", &[6]),
    ("skills.eu", &[6]),
    ("www", &[6]),
    ("c", &[7]),
    ("c++", &[7]),
    ("c#", &[7]),
    ("3.5", &[7]),
    ("million", &[7]),
    ("ecole", &[8]),
    ("École", &[8]),
    ("numerique", &[8]),
    ("o'brien's", &[8]),
    ("brien", &[8]),
    ("ict", &[8]),
    ("ict lab", &[8]),
    ("---", &[]),
    ("\"unbalanced OR (", &[]),
    ("academy OR", &[]),
    ("-women", &[1]),
    ("*", &[]),
];

fn encode(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

/// What `q` finds, read with a token (past the response cache: some tests write by SQL).
async fn found(app: &TestApp, resource: &str, q: &str) -> Vec<String> {
    let reply = app
        .get_as(&format!("/{resource}?q={}&limit=100", encode(q)), &app.admin())
        .await;
    let mut titles: Vec<String> = reply.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["display"]["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

async fn both_backends_find_the_same_words(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    for text in TEXTS {
        app.initiative(&lv, json!({ "title": text })).await;
    }
    let mut failures = Vec::new();
    for (q, expected) in CASES {
        let mut expected: Vec<String> = expected.iter().map(|i| TEXTS[*i].to_string()).collect();
        expected.sort();
        let got = found(&app, "initiatives", q).await;
        if got != expected {
            failures.push(format!("q={q:?}: expected {expected:?}, found {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{:?}:\n{}", app.backend, failures.join("\n"));

    // Every searched field of events, and a write that changes the words.
    let event = app
        .training(
            Some(&lv),
            json!({"title": "Hackathon 2026-2027", "city": "Rīga", "participants_note": "Teachers' track",
                   "description": "Bring a laptop"}),
        )
        .await;
    for q in ["2027", "riga", "teachers", "laptop", "hackathon 2026-2027"] {
        assert_eq!(found(&app, "trainings", q).await, ["Hackathon 2026-2027"], "q={q}");
    }
    let id = event["id"].as_str().unwrap();
    app.patch(
        &format!("/trainings/{id}"),
        Some(&app.admin()),
        json!({"city": "Tbilisi-თბილისი"}),
    )
    .await
    .ok(200);
    assert!(found(&app, "trainings", "riga").await.is_empty(), "old words are gone");
    assert_eq!(found(&app, "trainings", "თბილისი").await, ["Hackathon 2026-2027"]);
    assert_eq!(found(&app, "trainings", "tbilisi").await, ["Hackathon 2026-2027"]);
}

/// A database from before `search_words` (the migration adds the column empty): records are
/// not found until the next start computes their words.
async fn rows_from_before_are_indexed_at_start(app: TestApp) {
    use coalition_registry::ops::seed;
    use coalition_registry::store::{Database, Sql};
    let lv = app.coalition("LV", "Latvian coalition").await;
    app.initiative(&lv, json!({"title": "Roadmap 2024-2027", "summary": "Latvijā"}))
        .await;
    app.training(Some(&lv), json!({"title": "Hackathon", "city": "Rīga"}))
        .await;
    let db = Database::connect(&app.database_url, 1).unwrap();
    db.write_blocking(|conn| {
        Sql::new("UPDATE initiatives SET search_words = ''").execute(conn)?;
        Sql::new("UPDATE trainings SET search_words = ''").execute(conn)?;
        Ok(())
    })
    .unwrap();
    assert!(found(&app, "initiatives", "2027").await.is_empty());
    let report = seed::seed_reference_data(&db).unwrap();
    assert_eq!(report.search_indexed, 2);
    assert_eq!(found(&app, "initiatives", "2027").await, ["Roadmap 2024-2027"]);
    assert_eq!(found(&app, "initiatives", "latvija").await, ["Roadmap 2024-2027"]);
    assert_eq!(found(&app, "trainings", "riga").await, ["Hackathon"]);
    assert_eq!(seed::seed_reference_data(&db).unwrap().search_indexed, 0);
}

crate::backend_tests!(
    both_backends_find_the_same_words,
    ranking_stops_at_the_cap,
    rows_from_before_are_indexed_at_start,
    wordless_queries_find_nothing_in_any_order
);

/// A query with no words in it (only punctuation or symbols) finds nothing, under every sort,
/// on every searchable list and its CSV export, and on every page — never a 500 (PostgreSQL
/// once answered `sort=relevance&q=¡` with "column i.seq does not exist").
async fn wordless_queries_find_nothing_in_any_order(app: TestApp) {
    let coalition = app.coalition("LV", "Latvian coalition").await;
    app.initiative(
        &coalition,
        json!({"title": "Digital skills ¡ for all", "publication": "published"}),
    )
    .await;
    for q in ["%C2%A1", "-", "%22%22", "*", "%E2%80%94", "%F0%9F%98%80"] {
        for list in [
            "/initiatives",
            "/trainings",
            "/organisations",
            "/initiatives.csv",
            "/trainings.csv",
        ] {
            for extra in [
                "",
                "&sort=relevance",
                "&sort=relevance&page=3",
                "&sort=-created_at",
                "&count=false",
            ] {
                if extra.contains("relevance") && list.starts_with("/organisations") {
                    continue;
                }
                let path = format!("{list}?q={q}{extra}");
                let reply = app.get(&path).await;
                assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
                if list.ends_with(".csv") {
                    assert_eq!(reply.text.lines().count(), 1, "GET {path}: only the header");
                } else {
                    assert_eq!(reply.body["data"], json!([]), "GET {path}");
                }
            }
        }
    }
}

/// A search matching more records than the total's cap (10,000 in the service; 3 here) ranks
/// the first cap + 1 matches the index yields and lists the best cap of them, in the order the
/// full ranking gives them, with the total capped and flagged inexact.
async fn ranking_stops_at_the_cap(app: TestApp) {
    let coalition = app.coalition("LV", "Latvian coalition").await;
    for i in 1..=6 {
        let title = format!("{}skills", "digital ".repeat(i));
        app.initiative(&coalition, json!({ "title": title })).await;
    }
    app.initiative(&coalition, json!({"title": "Unrelated"})).await;
    let db = Database::connect(&app.database_url, 1).unwrap();
    let ranked = |cap: i64, limit: u32| {
        let mut conn = db.conn().unwrap();
        let params = PageParams {
            limit: Some(limit),
            ..Default::default()
        };
        let filters = InitiativeFilters {
            q: Some("digital".into()),
            sort: Some("relevance".into()),
            ..Default::default()
        };
        let request = ListRequest::new(&params, Initiatives::sort(&filters).unwrap())
            .unwrap()
            .count_up_to(cap);
        let selection = Initiatives::select(&mut conn, &Caller::Anonymous, &filters).unwrap();
        let listed = page_documents::<Initiatives>(&mut conn, selection, Include::default(), &request).unwrap();
        let ids: Vec<String> = listed
            .rows
            .iter()
            .map(|doc| {
                serde_json::from_str::<Value>(doc).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        (
            ids,
            listed.page.total,
            listed.page.total_exact,
            listed.page.next_cursor.is_some(),
        )
    };
    let (all, total, exact, more) = ranked(100, 10);
    assert_eq!((all.len(), total, exact, more), (6, Some(6), true, false));
    let (capped, total, exact, more) = ranked(3, 10);
    assert_eq!((capped.len(), total, exact, more), (3, Some(3), false, false));
    let positions: Vec<usize> = capped
        .iter()
        .map(|id| all.iter().position(|a| a == id).expect("a match"))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "in ranking order: {positions:?}"
    );
    let (first, _, _, more) = ranked(3, 2);
    assert_eq!((&first[..], more), (&capped[..2], true), "a next page up to the cap");
}

//! The change feed: a client that applies it from the start holds what the lists show it —
//! also while others write concurrently, and for records that leave its view.

use std::cell::Cell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::TestApp;

type Replica = HashMap<(String, String), i64>;

/// Concurrent writers in the replica test (PostgreSQL writers do not take turns).
const WRITERS: usize = 8;

/// Read the feed from `cursor` until caught up, applying it to `replica`.
async fn follow(app: &TestApp, token: Option<&str>, replica: &mut Replica, cursor: &mut Option<String>) -> usize {
    let mut applied = 0;
    loop {
        let path = match cursor {
            Some(c) => format!("/changes?limit=7&after={c}"),
            None => "/changes?limit=7".to_string(),
        };
        let reply = match token {
            Some(t) => app.get_as(&path, t).await,
            None => app.get(&path).await,
        };
        let body = reply.ok(200).clone();
        let data = body["data"].as_array().unwrap();
        for change in data {
            let key = (
                change["type"].as_str().unwrap().to_string(),
                change["id"].as_str().unwrap().to_string(),
            );
            match change["action"].as_str().unwrap() {
                "deleted" => {
                    assert!(change["data"].is_null());
                    replica.remove(&key);
                }
                _ => {
                    assert_eq!(
                        change["data"]["version"], change["version"],
                        "data is the record as GET shows it"
                    );
                    replica.insert(key, change["version"].as_i64().unwrap());
                }
            }
        }
        applied += data.len();
        *cursor = Some(
            body["page"]["next_cursor"]
                .as_str()
                .expect("next_cursor is always present")
                .to_string(),
        );
        if data.is_empty() {
            return applied;
        }
    }
}

/// What the list endpoints show this caller, as `(type, id) → version`.
async fn lists(app: &TestApp, token: Option<&str>) -> Replica {
    let walk = |path: String| async move {
        match token {
            Some(t) => app.walk_as(&path, t).await,
            None => app.walk(&path).await,
        }
    };
    let mut shown = Replica::new();
    for (record_type, path, key) in [
        ("country", "/countries?limit=100", "code"),
        ("coalition", "/coalitions?limit=100", "id"),
        ("organisation", "/organisations?limit=100", "id"),
        ("initiative", "/initiatives?limit=100", "id"),
        ("training", "/trainings?limit=100", "id"),
    ] {
        for row in walk(path.to_string()).await {
            shown.insert(
                (record_type.into(), row[key].as_str().unwrap().into()),
                row["version"].as_i64().unwrap(),
            );
        }
    }
    let coalitions: Vec<String> = shown
        .keys()
        .filter(|(t, _)| t == "coalition")
        .map(|(_, id)| id.clone())
        .collect();
    for coalition in coalitions {
        for row in walk(format!("/coalitions/{coalition}/members?limit=100")).await {
            shown.insert(
                ("membership".into(), row["id"].as_str().unwrap().into()),
                row["version"].as_i64().unwrap(),
            );
        }
    }
    shown
}

async fn replica_matches_lists_under_concurrent_writes(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ee = app.coalition("EE", "Estonian coalition").await;
    let editor = app.editor(&[&lv]);
    let (mut anonymous, mut edited) = (Replica::new(), Replica::new());
    let (mut anonymous_cursor, mut editor_cursor) = (None, None);
    follow(&app, None, &mut anonymous, &mut anonymous_cursor).await;
    follow(&app, Some(&editor), &mut edited, &mut editor_cursor).await;

    let done = Cell::new(0);
    let writer = |n: usize| {
        let (app, lv, ee, done) = (&app, lv.clone(), ee.clone(), &done);
        async move {
            let admin = app.admin();
            for round in 0..4 {
                let coalition = if (n + round).is_multiple_of(2) { &lv } else { &ee };
                let draft = app
                    .initiative(
                        coalition,
                        json!({"title": format!("w{n} r{round}"), "publication": "draft"}),
                    )
                    .await;
                let path = format!("/initiatives/{}", draft["id"].as_str().unwrap());
                app.patch(&path, Some(&admin), json!({"publication": "published"}))
                    .await
                    .ok(200);
                app.patch(&path, Some(&admin), json!({"title": format!("w{n} r{round} renamed")}))
                    .await
                    .ok(200);
                match round % 3 {
                    0 => app
                        .patch(&path, Some(&admin), json!({"publication": "draft"}))
                        .await
                        .ok(200),
                    1 => app.delete(&path, Some(&admin)).await.ok(204),
                    _ => &json!(null),
                };
                let org = app.organisation(&format!("Org w{n} r{round}"), "LV").await;
                let member = app.member(coalition, &org).await;
                if round % 2 == 1 {
                    app.delete(&format!("/coalitions/{coalition}/members/{member}"), Some(&admin))
                        .await
                        .ok(204);
                }
                if round == 3 {
                    app.delete(&format!("/organisations/{org}"), Some(&admin)).await.ok(204);
                }
            }
            done.set(done.get() + 1);
        }
    };
    let reader = async {
        // Follow the feed while the writers run, then once more after they finish.
        while done.get() < WRITERS {
            follow(&app, None, &mut anonymous, &mut anonymous_cursor).await;
            follow(&app, Some(&editor), &mut edited, &mut editor_cursor).await;
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
        follow(&app, None, &mut anonymous, &mut anonymous_cursor).await;
        follow(&app, Some(&editor), &mut edited, &mut editor_cursor).await;
    };
    futures_util::future::join(join_all((0..WRITERS).map(writer)), reader).await;

    assert_eq!(anonymous, lists(&app, None).await, "anonymous replica == lists");
    assert_eq!(edited, lists(&app, Some(&editor)).await, "editor replica == lists");
    assert!(
        edited.len() > anonymous.len(),
        "the editor also holds its coalition's drafts"
    );
}

async fn drafts_enter_and_leave_the_view(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let editor = app.editor(&[&lv]);
    let mut cursor = None;
    follow(&app, None, &mut Replica::new(), &mut cursor).await;
    let start = cursor.clone().unwrap();
    let draft = app.initiative(&lv, json!({"publication": "draft"})).await;
    let id = draft["id"].as_str().unwrap().to_string();
    let last = |body: &Value| body["data"].as_array().unwrap().last().cloned().unwrap();
    let anonymous = app.get(&format!("/changes?after={start}")).await;
    let change = last(anonymous.ok(200));
    assert_eq!(
        (change["id"].as_str(), change["action"].as_str()),
        (Some(id.as_str()), Some("deleted")),
        "a draft is not for anonymous eyes"
    );
    let own = app.get_as(&format!("/changes?after={start}"), &editor).await;
    assert_eq!(last(own.ok(200))["action"], "created");
    assert_eq!(last(&own.body)["data"]["publication"], "draft");
    app.patch(
        &format!("/initiatives/{id}"),
        Some(&editor),
        json!({"publication": "published"}),
    )
    .await
    .ok(200);
    let published = app.get(&format!("/changes?after={start}&types=initiative")).await;
    let change = last(published.ok(200));
    assert_eq!(
        (change["action"].as_str(), change["version"].as_i64()),
        (Some("updated"), Some(2)),
        "enters the view with its data"
    );
    assert_eq!(change["data"]["id"], json!(id));
    app.patch(
        &format!("/initiatives/{id}"),
        Some(&editor),
        json!({"publication": "draft"}),
    )
    .await
    .ok(200);
    let hidden = app.get(&format!("/changes?after={start}&types=initiative")).await;
    assert_eq!(
        last(hidden.ok(200))["action"],
        "deleted",
        "unpublishing reaches anonymous readers as a deletion"
    );
    assert_eq!(
        hidden.body["data"].as_array().unwrap().len(),
        1,
        "compacted: one entry per record"
    );
    let only_countries = app.get(&format!("/changes?after={start}&types=country")).await;
    assert!(only_countries.ok(200)["data"].as_array().unwrap().is_empty());
    // Several types: repeated like every other filter; the older comma list reads the same.
    let repeated = app
        .get(&format!("/changes?after={start}&types=country&types=initiative"))
        .await;
    let listed = app
        .get(&format!("/changes?after={start}&types=country,initiative"))
        .await;
    assert_eq!(repeated.ok(200)["data"], hidden.body["data"]);
    assert_eq!(listed.ok(200)["data"], hidden.body["data"]);
}

async fn compacted_cursors_are_gone(app: TestApp) {
    let org = app.organisation("Short-lived", "LV").await;
    let first = app.get("/changes?limit=1").await;
    let old = first.ok(200)["page"]["next_cursor"].as_str().unwrap().to_string();
    app.delete(&format!("/organisations/{org}"), Some(&app.admin()))
        .await
        .ok(204);
    let db = coalition_registry::store::Database::connect(&app.database_url, 1).unwrap();
    let purged = db
        .write_blocking(|conn| coalition_registry::feeds::changes::compact(conn, chrono::Duration::zero()))
        .unwrap();
    assert_eq!(purged, 1);
    let gone = app.get(&format!("/changes?after={old}")).await;
    assert!(gone.problem(410)["type"].as_str().unwrap().ends_with("resync-required"));
    app.get("/changes").await.ok(200);
}

async fn long_polling_waits_for_a_change(app: TestApp) {
    let caught_up = app.get("/changes?limit=1000").await;
    let cursor = caught_up.ok(200)["page"]["next_cursor"].as_str().unwrap().to_string();
    let started = Instant::now();
    let empty = app.get(&format!("/changes?after={cursor}&wait=1")).await;
    assert!(empty.ok(200)["data"].as_array().unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(900), "waited");
    assert_eq!(empty.body["page"]["next_cursor"], json!(cursor));
    let started = Instant::now();
    let (reply, _) = futures_util::future::join(app.get(&format!("/changes?after={cursor}&wait=20")), async {
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        app.organisation("Arrives while waiting", "LV").await
    })
    .await;
    assert_eq!(
        reply.ok(200)["data"][0]["data"]["display"]["name"],
        "Arrives while waiting"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "woken by the write, not the timeout"
    );
}

async fn feed_parameters_are_checked(app: TestApp) {
    for bad in [
        "after=nonsense",
        "limit=0",
        "limit=1001",
        "wait=31",
        "types=planet",
        "since=1",
    ] {
        app.get(&format!("/changes?{bad}")).await.problem(400);
    }
    let all = app.get("/changes?limit=1000").await;
    assert_eq!(
        all.ok(200)["data"].as_array().unwrap().len(),
        43,
        "the seeded countries"
    );
    assert_eq!(all.body["data"][0]["type"], "country");
}

/// A transaction that started first but commits last is not passed over: while it runs, later
/// commits are not served, and once it commits the feed serves it, then them.
async fn a_late_commit_is_never_skipped(app: TestApp) {
    if !app.database_url.starts_with("postgres") {
        return; // SQLite has one writer: commits cannot overtake each other.
    }
    let admin = app.admin();
    let start = app.get_as("/changes?limit=1000", &admin).await;
    let cursor = start.ok(200)["page"]["next_cursor"].as_str().unwrap().to_string();
    let db = coalition_registry::store::Database::connect(&app.database_url, 1).unwrap();
    let (wrote, written) = std::sync::mpsc::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let slow = std::thread::spawn(move || {
        db.write_blocking(|conn| {
            let entry = coalition_registry::store::journal::deleted(
                coalition_registry::resources::organisations::KIND,
                "00000000-0000-7000-8000-000000000001",
            );
            coalition_registry::store::journal::record(
                conn,
                &coalition_registry::store::journal::Actor::system(),
                vec![entry],
            )?;
            wrote.send(()).unwrap();
            released.recv().unwrap();
            Ok(())
        })
        .unwrap();
    });
    written.recv().unwrap();
    // A later write commits while the first is still open.
    app.organisation("Commits first", "LV").await;
    let page = app.get_as(&format!("/changes?after={cursor}"), &admin).await;
    assert!(
        page.ok(200)["data"].as_array().unwrap().is_empty(),
        "nothing is served past a running transaction: {}",
        page.body
    );
    assert_eq!(page.body["page"]["next_cursor"], json!(cursor));
    release.send(()).unwrap();
    slow.join().unwrap();
    // (Transaction ids are cluster-wide: another test's write still running may hold the
    // frontier back for a moment.)
    let mut page = app.get_as(&format!("/changes?after={cursor}"), &admin).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while page.ok(200)["data"].as_array().unwrap().len() < 2 && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        page = app.get_as(&format!("/changes?after={cursor}"), &admin).await;
    }
    let ids: Vec<&str> = page.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{}", page.body);
    assert_eq!(
        ids[0], "00000000-0000-7000-8000-000000000001",
        "the earlier transaction first"
    );
    assert_eq!(page.body["data"][1]["data"]["display"]["name"], "Commits first");
}

crate::backend_tests!(
    a_late_commit_is_never_skipped,
    replica_matches_lists_under_concurrent_writes,
    drafts_enter_and_leave_the_view,
    compacted_cursors_are_gone,
    long_polling_waits_for_a_change,
    feed_parameters_are_checked,
);

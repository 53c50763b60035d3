//! `examples/sync_client.py`, the replica the README documents, run against the app: after
//! writes of every kind — side effects and deletions included — its mirror holds exactly the
//! records the lists show that caller, as they show them (less the per-request `display`),
//! and a second run resumes from its saved cursor.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::common::TestApp;

/// `(type, id)` → `(version, record)`.
type Records = BTreeMap<(String, String), (i64, Value)>;

/// Run the client until it is caught up (`--once`), as the holder of `token` (or anonymously);
/// `None` (with a notice) when there is no `python3` outside CI.
async fn sync(app: &TestApp, mirror: &Path, token: Option<String>) -> Option<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sync_client.py");
    let (api, mirror) = (app.url(""), mirror.to_path_buf());
    // Blocking: the app answers on this test's runtime while the client runs.
    let output = actix_web::rt::task::spawn_blocking(move || {
        let mut command = Command::new("python3");
        command
            .arg(&script)
            .args(["--once", "--api", &api, "--db"])
            .arg(&mirror);
        if let Some(token) = token {
            command.args(["--token", &token]);
        }
        command.output()
    })
    .await
    .expect("the client ran");
    let output = match output {
        Ok(output) => output,
        Err(error) if std::env::var("CI").is_err() => {
            eprintln!("NOTICE: sync_client test skipped: python3 is not available ({error})");
            return None;
        }
        Err(error) => panic!("python3 is needed in CI: {error}"),
    };
    let log = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "the client failed: {log}");
    Some(log)
}

/// What the mirror file holds, read with Python's sqlite3 (the client's own library).
async fn mirrored(mirror: &Path) -> Records {
    let mirror: PathBuf = mirror.to_path_buf();
    let output = actix_web::rt::task::spawn_blocking(move || {
        Command::new("python3")
            .args([
                "-c",
                "import json, sqlite3, sys\n\
                 rows = sqlite3.connect(sys.argv[1]).execute('SELECT type, id, version, data FROM records')\n\
                 print(json.dumps([[t, i, v, json.loads(d)] for t, i, v, d in rows]))",
            ])
            .arg(&mirror)
            .output()
    })
    .await
    .expect("python ran")
    .expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<(String, String, i64, Value)> = serde_json::from_slice(&output.stdout).expect("the dump is JSON");
    rows.into_iter().map(|(t, id, v, data)| ((t, id), (v, data))).collect()
}

/// Every record the lists show the holder of `token`, as they show it, less `display`.
async fn listed(app: &TestApp, token: Option<&str>) -> Records {
    let walk = |path: String| async move {
        match token {
            Some(token) => app.walk_as(&path, token).await,
            None => app.walk(&path).await,
        }
    };
    let mut records = Records::new();
    let mut add = |kind: &str, key: &str, rows: Vec<Value>| {
        for mut row in rows {
            row.as_object_mut().expect("a record").remove("display");
            let id = row[key].as_str().expect("a key").to_string();
            let version = row["version"].as_i64().expect("a version");
            records.insert((kind.to_string(), id), (version, row));
        }
    };
    add("country", "code", walk("/countries?limit=100".into()).await);
    let coalitions = walk("/coalitions?limit=100".into()).await;
    for coalition in &coalitions {
        let id = coalition["id"].as_str().unwrap();
        add(
            "membership",
            "id",
            walk(format!("/coalitions/{id}/members?limit=100")).await,
        );
    }
    add("coalition", "id", coalitions);
    add("organisation", "id", walk("/organisations?limit=100".into()).await);
    add("initiative", "id", walk("/initiatives?limit=100".into()).await);
    add("training", "id", walk("/trainings?limit=100".into()).await);
    records
}

/// Compare two sets of records, naming the first difference.
fn assert_same(mirror: &Records, lists: &Records, when: &str) {
    let only_mirror: Vec<_> = mirror.keys().filter(|k| !lists.contains_key(*k)).collect();
    let only_lists: Vec<_> = lists.keys().filter(|k| !mirror.contains_key(*k)).collect();
    assert!(
        only_mirror.is_empty() && only_lists.is_empty(),
        "{when}: only mirrored {only_mirror:?}; only listed {only_lists:?}"
    );
    for (key, listed) in lists {
        assert_eq!(&mirror[key], listed, "{when}: {key:?} differs");
    }
}

async fn the_example_client_mirrors_what_the_lists_show(app: TestApp) {
    let admin = app.admin();
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ee = app.coalition("EE", "Estonian coalition").await;
    let school = app.organisation("Riga Coding School", "LV").await;
    let library = app.organisation("Tartu Library", "EE").await;
    app.member(&lv, &school).await;
    app.member(&ee, &library).await;
    let kept = app
        .initiative(
            &lv,
            json!({"title": {"lv": "Digitālās prasmes", "en": "Digital skills"}}),
        )
        .await;
    let draft = app.initiative(&ee, json!({"publication": "draft"})).await;
    let event = app.training(Some(&ee), json!({"organiser_id": library})).await;
    let platform = app.training(None, json!({})).await;

    let dir = tempfile::tempdir().expect("temp dir");
    let (admin_mirror, public_mirror) = (dir.path().join("admin.sqlite3"), dir.path().join("public.sqlite3"));
    let Some(log) = sync(&app, &admin_mirror, Some(admin.clone())).await else {
        return;
    };
    assert!(log.contains("caught up"), "{log}");
    let lists = listed(&app, Some(&admin)).await;
    assert!(lists.len() > 40, "countries, coalitions, … ({} records)", lists.len());
    assert_same(&mirrored(&admin_mirror).await, &lists, "first run, administrator");
    sync(&app, &public_mirror, None).await;
    let public = mirrored(&public_mirror).await;
    assert!(!public.contains_key(&("initiative".into(), draft["id"].as_str().unwrap().into())));
    assert_same(&public, &listed(&app, None).await, "first run, anonymous");

    // Changes with side effects, then a second run from the saved cursor.
    let kept_id = kept["id"].as_str().unwrap();
    app.patch(
        &format!("/initiatives/{kept_id}"),
        Some(&admin),
        json!({"status": "completed"}),
    )
    .await
    .ok(200);
    app.delete(&format!("/organisations/{library}"), Some(&admin))
        .await
        .ok(204);
    let platform_id = platform["id"].as_str().unwrap();
    app.delete(&format!("/trainings/{platform_id}"), Some(&admin))
        .await
        .ok(204);
    let draft_id = draft["id"].as_str().unwrap();
    app.patch(
        &format!("/initiatives/{draft_id}"),
        Some(&admin),
        json!({"publication": "published"}),
    )
    .await
    .ok(200);
    let log = sync(&app, &admin_mirror, Some(admin.clone())).await.unwrap();
    assert!(
        log.contains("applied"),
        "the second run resumed and applied the changes: {log}"
    );
    let mirror = mirrored(&admin_mirror).await;
    assert_same(&mirror, &listed(&app, Some(&admin)).await, "second run, administrator");
    let event_id = event["id"].as_str().unwrap().to_string();
    assert!(mirror[&("training".into(), event_id)].1["organiser_id"].is_null());
    assert!(!mirror.contains_key(&("organisation".into(), library.clone())));
    sync(&app, &public_mirror, None).await;
    assert_same(
        &mirrored(&public_mirror).await,
        &listed(&app, None).await,
        "second run, anonymous",
    );
}

crate::backend_tests!(the_example_client_mirrors_what_the_lists_show);

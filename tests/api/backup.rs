//! `backup` and `restore` through the command line: a backup taken under write load restores
//! to exactly one committed state of the database; a quiet one to an identical database.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{scratch_database, spawn_with, Backend, TestApp};

/// Run the command line against `database_url`; its standard error when it fails.
async fn cli(database_url: &str, args: &[&str]) {
    let database_url = database_url.to_string();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let output = actix_web::rt::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        Command::new(env!("CARGO_BIN_EXE_coalition-registry"))
            .args(&args)
            .env("DATABASE_URL", &database_url)
            .env("DATA_DIR", dir.path())
            .env("RUST_LOG", "warn")
            .output()
            .expect("run the command line")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "coalition-registry failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every entry of the change feed, oldest first.
async fn feed(app: &TestApp) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut path = "/changes?limit=100".to_string();
    loop {
        let body = app.get(&path).await.ok(200).clone();
        let data = body["data"].as_array().unwrap();
        if data.is_empty() {
            return entries;
        }
        entries.extend(data.iter().cloned());
        path = format!(
            "/changes?limit=100&after={}",
            body["page"]["next_cursor"].as_str().unwrap()
        );
    }
}

/// What a server over `url` shows: every list, and the feed.
async fn contents(app: &TestApp) -> Vec<Vec<Value>> {
    let mut all = Vec::new();
    for list in [
        "/countries",
        "/coalitions",
        "/organisations",
        "/initiatives",
        "/trainings",
    ] {
        all.push(app.walk(&format!("{list}?limit=100")).await);
    }
    all.push(feed(app).await);
    all
}

async fn backups_restore_a_committed_state(app: TestApp) {
    cli(&app.database_url, &["seed", "--demo", "--scale", "400"]).await;
    let admin = app.admin();
    let dir = tempfile::tempdir().unwrap();
    let under_load = dir.path().join("under-load.backup");
    let under_load_arg = under_load.to_string_lossy().into_owned();

    // Three writers create organisations until told to stop; each write is recorded with
    // whether it started after the backup had finished.
    let stop = Cell::new(false);
    let backed_up = Cell::new(false);
    let acked: RefCell<Vec<(String, bool)>> = RefCell::new(Vec::new());
    let writer = |w: usize| {
        let (stop, backed_up, acked, admin, app) = (&stop, &backed_up, &acked, &admin, &app);
        async move {
            let mut n = 0;
            while !stop.get() {
                let after = backed_up.get();
                let reply = app
                    .post(
                        "/organisations",
                        Some(admin),
                        json!({"name": format!("Writer {w} #{n}"), "sector": "ngo"}),
                    )
                    .await;
                acked
                    .borrow_mut()
                    .push((reply.ok(201)["id"].as_str().unwrap().to_string(), after));
                n += 1;
            }
        }
    };
    let wait_for = |count: usize| {
        let acked = &acked;
        async move {
            while acked.borrow().len() < count {
                actix_web::rt::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    let conductor = async {
        wait_for(30).await;
        let before = acked.borrow().len();
        cli(&app.database_url, &["backup", "--output", &under_load_arg]).await;
        backed_up.set(true);
        let after = acked.borrow().len();
        wait_for(after + 30).await;
        stop.set(true);
        before
    };
    let (acked_before_backup, _) = futures_util::future::join(conductor, join_all((0..3).map(writer))).await;
    let acked = acked.into_inner();

    // Restored into an empty database and served: a prefix of the original's history.
    let first = scratch_database(app.backend);
    cli(&first.url, &["restore", "--input", &under_load_arg]).await;
    let restored = spawn_with(app.backend, |s| s.database_url = Some(first.url.clone()))
        .await
        .unwrap();
    let original_feed = feed(&app).await;
    let restored_feed = feed(&restored).await;
    assert!(
        restored_feed.len() < original_feed.len(),
        "writes after the backup are not in it"
    );
    // One committed state: every entry of the restored feed is the original's, in the same
    // order. (The feed's order is not commit order on PostgreSQL, where concurrent writers
    // commit side by side, so the snapshot is the original's feed with the transactions that
    // had not committed yet left out — on SQLite, whose writers take turns, a prefix.)
    let kept: HashSet<&Value> = restored_feed.iter().collect();
    let original_part: Vec<&Value> = original_feed.iter().filter(|e| kept.contains(e)).collect();
    assert_eq!(
        restored_feed.iter().collect::<Vec<_>>(),
        original_part,
        "the restored feed is the original's, less what was not committed at the backup"
    );
    if app.backend == Backend::Sqlite {
        assert_eq!(restored_feed[..], original_feed[..restored_feed.len()]);
    }
    // A cursor from before the restore is refused: a replica that followed the original past the
    // backup holds writes the restored database does not have, so it must resynchronise.
    let cursor = |body: &Value| body["page"]["next_cursor"].as_str().unwrap().to_string();
    let old = cursor(app.get("/changes?limit=1").await.ok(200));
    let gone = restored.get(&format!("/changes?after={old}")).await;
    assert!(gone.problem(410)["detail"]
        .as_str()
        .unwrap()
        .contains("restored from a backup"));
    let fresh = cursor(restored.get("/changes?limit=1").await.ok(200));
    restored.get(&format!("/changes?after={fresh}")).await.ok(200);
    app.get(&format!("/changes?after={old}")).await.ok(200);
    let organisations: HashSet<String> = restored
        .walk("/organisations?limit=100")
        .await
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    for (id, _) in &acked[..acked_before_backup] {
        assert!(organisations.contains(id), "acknowledged before the backup began: {id}");
    }
    let later: Vec<_> = acked.iter().filter(|(_, after)| *after).collect();
    assert!(!later.is_empty());
    for (id, _) in later {
        assert!(!organisations.contains(id), "written after the backup ended: {id}");
    }
    const INITIATIVES: &str = "/initiatives?limit=100";
    let seeded = app.walk(INITIATIVES).await;
    assert!(seeded.len() > 100, "the demo data set is there");
    assert_eq!(restored.walk(INITIATIVES).await, seeded);

    // Taken while nothing writes, a backup restores to an identical database.
    let quiet = dir.path().join("quiet.backup");
    let quiet_arg = quiet.to_string_lossy().into_owned();
    cli(&app.database_url, &["backup", "--output", &quiet_arg]).await;
    let second = scratch_database(app.backend);
    cli(&second.url, &["restore", "--input", &quiet_arg]).await;
    let copy = spawn_with(app.backend, |s| s.database_url = Some(second.url.clone()))
        .await
        .unwrap();
    assert!(
        contents(&copy).await == contents(&app).await,
        "the copy equals the original"
    );
    // The copy is a working database: it takes writes.
    copy.post(
        "/organisations",
        Some(&copy.admin()),
        json!({"name": "After restore", "sector": "ngo"}),
    )
    .await
    .ok(201);
    // Restoring over a database that has data replaces it (the service stopped, as documented).
    let third = scratch_database(app.backend);
    cli(&third.url, &["restore", "--input", &quiet_arg]).await;
    cli(&third.url, &["restore", "--input", &under_load_arg]).await;
    let replaced = spawn_with(app.backend, |s| s.database_url = Some(third.url.clone()))
        .await
        .unwrap();
    assert!(feed(&replaced).await == restored_feed);
}

/// The command line names what is wrong instead of writing a broken file.
async fn backup_errors_are_plain(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.backup");
    let output = Command::new(env!("CARGO_BIN_EXE_coalition-registry"))
        .args(["restore", "--input", &missing.to_string_lossy()])
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no backup at"));
}

crate::backend_tests!(backups_restore_a_committed_state, backup_errors_are_plain);

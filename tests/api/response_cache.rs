//! The response cache of anonymous reads: hits serve stored bytes (and free 304s), writes are
//! visible to the next read on the same replica, and to reads on another replica (a second
//! server process over the same database) within a second.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{replica, Reply, TestApp};

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn anonymous_reads_are_served_from_memory(app: TestApp) {
    let coalition = app.coalition("LV", "Latvian coalition").await;
    let path = format!("/coalitions/{coalition}");
    for path in [path.as_str(), "/coalitions?limit=5", "/countries?limit=3"] {
        let first = app.get(path).await;
        first.ok(200);
        assert_eq!(
            first.header("x-cache"),
            Some("miss"),
            "{path}: the first read fills the cache"
        );
        let second = app.get(path).await;
        assert_eq!(
            second.header("x-cache"),
            Some("hit"),
            "{path}: the second read is a hit"
        );
        assert_eq!(second.body, first.body, "{path}: the same bytes");
        assert_eq!(second.header("etag"), first.header("etag"), "{path}: the same tag");
        assert_eq!(second.header("content-type"), Some("application/json"));
        assert_eq!(second.header("cache-control"), first.header("cache-control"));

        // Revalidation from the cache: a 304 without a body.
        let tag = first.header("etag").unwrap().to_string();
        let revalidated = get_with(&app, path, &[("if-none-match", &tag)]).await;
        assert_eq!(revalidated.status, 304, "{path}");
        assert_eq!(revalidated.header("x-cache"), Some("hit"), "{path}");
        assert_eq!(revalidated.header("etag"), Some(tag.as_str()));
        assert!(revalidated.text.is_empty());
    }

    // gzip is a variant of its own, stored compressed.
    let gzip = [("accept-encoding", "gzip")];
    let first = get_with(&app, "/coalitions?limit=5", &gzip).await;
    assert_eq!(first.header("x-cache"), Some("miss"), "a new encoding is a new entry");
    assert_eq!(first.header("content-encoding"), Some("gzip"));
    let second = get_with(&app, "/coalitions?limit=5", &gzip).await;
    assert_eq!(second.header("x-cache"), Some("hit"));
    assert_eq!(second.header("content-encoding"), Some("gzip"));
    assert_eq!(second.text, first.text, "the stored compressed bytes");
}

async fn only_anonymous_json_reads_are_cached(app: TestApp) {
    let admin = app.admin();
    app.training(
        None,
        json!({"title": "Future event", "starts_at": "2099-01-01T10:00:00Z", "ends_at": "2099-01-01T12:00:00Z"}),
    )
    .await;
    for _ in 0..2 {
        let authenticated = app.get_as("/coalitions", &admin).await;
        authenticated.ok(200);
        assert_eq!(
            authenticated.header("x-cache"),
            None,
            "an authenticated read is never cached"
        );
        // Answers that depend on the clock, not only on the data, are not kept.
        let upcoming = app.get("/trainings?upcoming=true").await;
        upcoming.ok(200);
        assert_eq!(upcoming.header("x-cache"), None, "upcoming=true depends on the clock");
        // Errors, CSV and the change feed pass through.
        let bad = app.get("/coalitions?limit=0").await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.header("x-cache"), None);
        let csv = app.get("/coalitions?format=csv").await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.header("x-cache"), None);
        let feed = app.get("/changes").await;
        assert_eq!(feed.header("x-cache"), None);
    }
}

async fn a_write_is_visible_to_the_next_read(app: TestApp) {
    let admin = app.admin();
    let coalition = app.coalition("EE", "Estonian coalition").await;
    let path = format!("/coalitions/{coalition}");
    assert_eq!(app.get(&path).await.ok(200)["display"]["name"], "Estonian coalition");
    assert_eq!(app.get(&path).await.header("x-cache"), Some("hit"));
    let list = app.get("/coalitions?country=EE").await;
    assert_eq!(list.ok(200)["data"][0]["display"]["name"], "Estonian coalition");

    // Change it and read at once, anonymously: the new name, from the database.
    app.patch(&path, Some(&admin), json!({"name": "Digital Estonia"}))
        .await
        .ok(200);
    let read = app.get(&path).await;
    assert_eq!(read.ok(200)["display"]["name"], "Digital Estonia");
    assert_eq!(read.header("x-cache"), Some("miss"));
    let list = app.get("/coalitions?country=EE").await;
    assert_eq!(list.ok(200)["data"][0]["display"]["name"], "Digital Estonia");

    // Deletion too.
    app.delete(&path, Some(&admin)).await;
    assert_eq!(app.get(&path).await.status, 404);
    assert_eq!(app.get("/coalitions?country=EE").await.ok(200)["data"], json!([]));
}

async fn compressed_keep_alive_is_as_fast_as_identity(app: TestApp) {
    for (country, name) in [
        ("LV", "Latvia"),
        ("EE", "Estonia"),
        ("LT", "Lithuania"),
        ("PL", "Poland"),
    ] {
        app.coalition(country, &format!("Digital skills coalition of {name}"))
            .await;
    }
    // Authenticated, so every answer is computed (and compressed) anew; one kept-alive connection.
    let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    let admin = app.admin();
    let timings = |encoding: &'static str| {
        let (client, url, admin) = (client.clone(), app.url("/coalitions?limit=25"), admin.clone());
        async move {
            let mut times = Vec::new();
            for _ in 0..7 {
                let started = Instant::now();
                let response = client
                    .get(&url)
                    .bearer_auth(&admin)
                    .header("accept-encoding", encoding)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                let gzip = response.headers().get("content-encoding").is_some_and(|v| v == "gzip");
                assert_eq!(gzip, encoding == "gzip");
                response.bytes().await.unwrap();
                times.push(started.elapsed());
            }
            times.sort();
            times[times.len() / 2]
        }
    };
    let identity = timings("identity").await;
    let gzip = timings("gzip").await;
    // Nagle's algorithm against the client's delayed ACK used to add ~40 ms to every
    // compressed (chunked) response on a kept-alive connection.
    assert!(
        gzip < identity + Duration::from_millis(20),
        "gzip median {gzip:?} vs identity median {identity:?}"
    );
}

async fn other_replicas_see_a_write_within_a_second(app: TestApp) {
    let admin = app.admin();
    let coalition = app.coalition("LT", "Lithuanian coalition").await;
    let other = replica(&app, &[]).await;
    let url = format!("{}/coalitions/{coalition}", other.base);
    let read = |url: String| {
        let client = app.client.clone();
        async move { Reply::from(client.get(url).send().await.unwrap()).await }
    };
    assert_eq!(
        read(url.clone()).await.ok(200)["display"]["name"],
        "Lithuanian coalition"
    );
    let cached = read(url.clone()).await;
    assert_eq!(cached.header("x-cache"), Some("hit"), "the other replica caches too");

    // A long-polling feed reader on the other replica wakes for this replica's write.
    let cursor = {
        let page = read(format!("{}/changes", other.base)).await;
        page.ok(200)["page"]["next_cursor"].as_str().unwrap().to_string()
    };
    let poll = actix_web::rt::spawn(read(format!("{}/changes?after={cursor}&wait=10", other.base)));
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;

    let written = Instant::now();
    app.patch(
        &format!("/coalitions/{coalition}"),
        Some(&admin),
        json!({"name": "Digital Lithuania"}),
    )
    .await
    .ok(200);
    let woken = poll.await.unwrap();
    assert_eq!(woken.ok(200)["data"][0]["data"]["display"]["name"], "Digital Lithuania");
    assert!(
        written.elapsed() < Duration::from_secs(1),
        "the other replica's long poll woke after {:?}",
        written.elapsed()
    );
    loop {
        let now = read(url.clone()).await;
        if now.ok(200)["display"]["name"] == "Digital Lithuania" {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the other replica still served the old record after {:?}",
            written.elapsed()
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// On PostgreSQL the replicas tell each other of their writes (`LISTEN/NOTIFY`): each one
/// announces its commits on the registry's channel, and the other serves the write after
/// hearing it, without waiting for its fallback read of the feed.
async fn replicas_notify_each_other_of_writes(app: TestApp) {
    if app.backend != crate::common::Backend::Postgres {
        assert_eq!(app.get("/health").await.ok(200)["change_watch"], "polling");
        return;
    }
    use diesel::connection::SimpleConnection;
    let admin = app.admin();
    let coalition = app.coalition("EE", "Estonian coalition").await;
    let other = replica(&app, &[]).await;
    let health = |base: String| {
        let client = app.client.clone();
        async move { Reply::from(client.get(format!("{base}/health")).send().await.unwrap()).await }
    };
    // Both replicas listen once their watch is up.
    for base in [app.url(""), other.base.clone()] {
        let deadline = Instant::now() + Duration::from_secs(10);
        while health(base.trim_end_matches('/').to_string()).await.ok(200)["change_watch"] != "notifications" {
            assert!(Instant::now() < deadline, "{base} does not listen for notifications");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let heard_before = health(other.base.clone()).await.ok(200)["notifications_heard"]
        .as_u64()
        .unwrap();

    // An outside listener hears this replica announce its write.
    let mut listener = <diesel::PgConnection as diesel::Connection>::establish(&app.database_url).unwrap();
    listener.batch_execute("LISTEN coalition_registry_changes").unwrap();
    app.patch(
        &format!("/coalitions/{coalition}"),
        Some(&admin),
        json!({"name": "Digital Estonia"}),
    )
    .await
    .ok(200);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(notification) = listener.notifications_iter().next() {
            assert_eq!(notification.unwrap().channel, "coalition_registry_changes");
            break;
        }
        assert!(Instant::now() < deadline, "the writing replica sent no notification");
        std::thread::sleep(Duration::from_millis(10));
    }

    // The other replica hears it (its counter moves; its fallback read would not move it) and
    // serves the write from then on.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let heard = health(other.base.clone()).await.ok(200)["notifications_heard"]
            .as_u64()
            .unwrap();
        if heard > heard_before {
            break;
        }
        assert!(Instant::now() < deadline, "the other replica heard no notification");
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    let reply = app
        .client
        .get(format!("{}/coalitions/{coalition}", other.base))
        .send()
        .await
        .unwrap();
    assert_eq!(Reply::from(reply).await.ok(200)["display"]["name"], "Digital Estonia");
}

/// A write nobody announces (made by the command line, which runs no watch) is still served
/// within a second: the watch also reads the feed's watermark on a timer.
async fn unannounced_writes_are_seen_within_a_second(app: TestApp) {
    let before = app.get("/coalitions?limit=1").await;
    let total = before.ok(200)["page"]["total"].clone();
    assert_eq!(app.get("/coalitions?limit=1").await.header("x-cache"), Some("hit"));
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_coalition-registry"))
        .args(["seed", "--demo", "--scale", "1"])
        .env("DATABASE_URL", &app.database_url)
        .env("DATA_DIR", dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run the seed command");
    assert!(status.success());
    let written = Instant::now();
    loop {
        let now = app.get("/coalitions?limit=1").await;
        if now.ok(200)["page"]["total"] != total {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the command line's writes were not served after {:?}",
            written.elapsed()
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Connections are not pinged before use; one the server lost is dropped, not reused.
async fn broken_connections_are_replaced(app: TestApp) {
    if app.backend != crate::common::Backend::Postgres {
        return;
    }
    let admin = app.admin();
    assert_eq!(app.get_as("/coalitions", &admin).await.status, 200);
    let name = app.database_url.rsplit('/').next().unwrap().to_string();
    let mut conn = <diesel::PgConnection as diesel::Connection>::establish(&app.database_url).unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    )
    .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(app.get_as("/coalitions", &admin).await.status.as_u16());
    }
    assert!(statuses.iter().all(|s| *s == 200 || *s == 503), "{statuses:?}");
    assert_eq!(statuses[6..], [200; 6], "the pool recovers: {statuses:?}");
}

crate::backend_tests!(
    anonymous_reads_are_served_from_memory,
    only_anonymous_json_reads_are_cached,
    a_write_is_visible_to_the_next_read,
    other_replicas_see_a_write_within_a_second,
    replicas_notify_each_other_of_writes,
    unannounced_writes_are_seen_within_a_second,
    compressed_keep_alive_is_as_fast_as_identity,
    broken_connections_are_replaced,
);

//! What an operator relies on: rate limits per caller (429 with `Retry-After`, the IETF
//! `RateLimit` fields), `/metrics` in the Prometheus text format, and the liveness and
//! readiness probes.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use crate::common::{spawn_with, Backend, Reply, TestApp};

/// Parse the Prometheus text format: `name{labels} value` per line, comments skipped. Fails
/// on any line that is not a sample.
fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
        assert!(
            series.starts_with("coalition_registry_"),
            "every metric is in the service's namespace: {line}"
        );
        samples.insert(series.to_string(), value);
    }
    samples
}

async fn scrape(app: &TestApp, base: &str) -> BTreeMap<String, f64> {
    let reply = app.client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    let content_type = reply.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    parse_metrics(&reply.text().await.unwrap())
}

async fn raw_get(app: &TestApp, url: &str, token: Option<&str>) -> Reply {
    let mut request = app.client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn rate_limits(backend: Backend) {
    // Reads: 60 a minute with a burst of 5; writes: 6 a minute with a burst of 1.
    let Some(app) = spawn_with(backend, |s| {
        s.rate_limit_reads = 60;
        s.rate_limit_writes = 6;
        s.rate_limit_burst_seconds = 5;
    })
    .await
    else {
        return;
    };
    let url = app.url("/coalitions");
    for left in (0..5).rev() {
        let reply = raw_get(&app, &url, None).await;
        reply.ok(200);
        assert_eq!(reply.header("ratelimit-policy"), Some("\"reads\";q=60;w=60"));
        let state = reply.header("ratelimit").unwrap().to_string();
        assert!(state.starts_with(&format!("\"reads\";r={left};t=")), "{state}");
    }
    let refused = raw_get(&app, &url, None).await;
    let problem = refused.problem(429);
    assert_eq!(problem["type"], "urn:coalition-registry:problem:rate-limited");
    assert_eq!(refused.header("retry-after"), Some("1"), "one read a second comes back");
    assert_eq!(
        refused.header("ratelimit"),
        Some("\"reads\";r=0;t=5"),
        "the whole burst back in 5 s"
    );
    assert_eq!(refused.header("ratelimit-policy"), Some("\"reads\";q=60;w=60"));
    assert!(refused.header("x-request-id").is_some());

    // Another caller (a token's sub) has its own budget; health and metrics are not limited.
    let admin = app.admin();
    raw_get(&app, &url, Some(&admin)).await.ok(200);
    for path in ["/api/v1/health", "/health/live", "/health/ready", "/metrics"] {
        let reply = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(reply.status(), 200, "{path}");
        assert!(reply.headers().get("ratelimit").is_none(), "{path} is not limited");
    }

    // The retry after `Retry-After` succeeds.
    actix_web::rt::time::sleep(Duration::from_millis(1050)).await;
    raw_get(&app, &url, None).await.ok(200);

    // Writes: a budget of their own; a refused write writes nothing.
    let created = app
        .post(
            "/organisations",
            Some(&admin),
            json!({"name": "Org A", "sector": "education", "country_code": "LV"}),
        )
        .await;
    created.ok(201);
    assert_eq!(created.header("ratelimit-policy"), Some("\"writes\";q=6;w=60"));
    let refused = app
        .post(
            "/organisations",
            Some(&admin),
            json!({"name": "Org B", "sector": "education", "country_code": "LV"}),
        )
        .await;
    refused.problem(429);
    assert_eq!(refused.header("retry-after"), Some("10"));
    let names: Vec<_> = app
        .walk_as("/organisations", &admin)
        .await
        .iter()
        .map(|o| o["display"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Org A"]);

    let metrics = scrape(&app, &app.base).await;
    assert!(metrics[r#"coalition_registry_rate_limit_rejections_total{policy="reads"}"#] >= 1.0);
    assert!(metrics[r#"coalition_registry_rate_limit_rejections_total{policy="writes"}"#] >= 1.0);
}

#[actix_web::test]
async fn rate_limits_refuse_a_burst_and_let_the_retry_through_sqlite() {
    rate_limits(Backend::Sqlite).await;
}

#[actix_web::test]
async fn rate_limits_refuse_a_burst_and_let_the_retry_through_postgres() {
    rate_limits(Backend::Postgres).await;
}

/// With the limits off (the test default), nothing is limited and no field is sent.
async fn limits_off_send_no_fields(app: TestApp) {
    for _ in 0..50 {
        let reply = app.get("/countries?limit=1").await;
        reply.ok(200);
        assert!(reply.header("ratelimit").is_none());
    }
}

async fn metrics_are_scraped_and_parsed(app: TestApp) {
    app.get("/coalitions").await.ok(200);
    app.get("/coalitions").await.ok(200); // a cache hit
    app.get("/coalitions/not-an-id").await.problem(404);
    let metrics = scrape(&app, &app.base).await;
    let value = |series: &str| *metrics.get(series).unwrap_or_else(|| panic!("no {series}"));
    assert!(
        value(r#"coalition_registry_http_requests_total{method="GET",route="/api/v1/coalitions",status="200"}"#) >= 2.0
    );
    assert!(
        value(r#"coalition_registry_http_requests_total{method="GET",route="/api/v1/coalitions/{id}",status="404"}"#)
            >= 1.0
    );
    assert!(
        value(r#"coalition_registry_http_request_duration_seconds_count{method="GET",route="/api/v1/coalitions"}"#)
            >= 2.0
    );
    assert!(value(r#"coalition_registry_response_cache_requests_total{outcome="hit"}"#) >= 1.0);
    assert!(value(r#"coalition_registry_response_cache_requests_total{outcome="miss"}"#) >= 1.0);
    assert!(value(r#"coalition_registry_db_pool_connections{state="idle"}"#) >= 0.0);
    assert!(value(r#"coalition_registry_db_pool_connections{state="waiting"}"#) >= 0.0);
    assert!(value("coalition_registry_db_statements_total") >= 1.0);
    assert!(metrics.contains_key("coalition_registry_change_feed_newest_seq"));
    assert!(metrics.contains_key("coalition_registry_change_notifications_heard_total"));
}

async fn probes_say_live_and_ready(app: TestApp) {
    let live = raw_get(&app, &format!("{}/health/live", app.base), None).await;
    assert_eq!(live.ok(200)["status"], "live");
    let ready = raw_get(&app, &format!("{}/health/ready", app.base), None).await;
    assert_eq!(ready.ok(200)["status"], "ready");
    // The container health check (`coalition-registry healthcheck`: no curl in the image).
    let port = app.base.rsplit(':').next().unwrap().to_string();
    let healthcheck = |path: &str| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_coalition-registry"))
            .args(["healthcheck", "--path", path])
            .env("BIND_ADDR", format!("0.0.0.0:{port}"))
            .env("RUST_LOG", "off")
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        status.success()
    };
    assert!(healthcheck("/health/ready"));

    // A database that lacks a migration this binary has: not ready (503), still live.
    let forget =
        "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)";
    match app.backend {
        Backend::Postgres => {
            let mut conn = <diesel::PgConnection as diesel::Connection>::establish(&app.database_url).unwrap();
            diesel::connection::SimpleConnection::batch_execute(&mut conn, forget).unwrap();
        }
        Backend::Sqlite => {
            let mut conn = <diesel::SqliteConnection as diesel::Connection>::establish(&app.database_url).unwrap();
            diesel::connection::SimpleConnection::batch_execute(&mut conn, forget).unwrap();
        }
    }
    let ready = raw_get(&app, &format!("{}/health/ready", app.base), None).await;
    ready.problem(503);
    raw_get(&app, &format!("{}/health/live", app.base), None).await.ok(200);
    assert!(!healthcheck("/health/ready"), "not ready: the health check fails");
    assert!(healthcheck("/health/live"));
}

/// `METRICS_ADDR`: metrics on their own address only.
async fn metrics_on_their_own_address(backend: Backend) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let Some(app) = spawn_with(backend, |s| s.metrics_addr = Some(format!("127.0.0.1:{port}"))).await else {
        return;
    };
    let public = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(public.status(), 404);
    let metrics = scrape(&app, &format!("http://127.0.0.1:{port}")).await;
    assert!(metrics.contains_key("coalition_registry_db_statements_total"));
}

#[actix_web::test]
async fn metrics_on_their_own_address_sqlite() {
    metrics_on_their_own_address(Backend::Sqlite).await;
}

crate::backend_tests!(
    limits_off_send_no_fields,
    metrics_are_scraped_and_parsed,
    probes_say_live_and_ready
);

/// `LOG_FORMAT=json`: one JSON object per line, a request's line with its fields, the caller's
/// `sub`, and never the token.
#[actix_web::test]
async fn json_logs_carry_each_request_and_no_token() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_coalition-registry"))
        .env_remove("DATABASE_URL")
        .env("DATA_DIR", dir.path())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", crate::common::SECRET)
        .env("WORKERS", "1")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let stderr = child.stderr.take().unwrap();
    let lines = std::thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>());
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/health/live")).send().await.is_err() {
        assert!(std::time::Instant::now() < deadline, "the server did not come up");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let keys = coalition_registry::http::auth::JwtKeys::hs256(
        &coalition_registry::config::Secret::new(crate::common::SECRET),
        None,
        None,
    );
    let token = keys
        .mint(
            "log-reader",
            coalition_registry::http::auth::Role::Admin,
            Vec::new(),
            600,
        )
        .unwrap();
    let reply = client
        .get(format!("{base}/api/v1/coalitions?limit=1"))
        .bearer_auth(&token)
        .header("X-Request-Id", "log-test-1")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let _ = child.kill();
    let _ = child.wait();
    let lines = lines.join().unwrap();
    assert!(!lines.is_empty());
    for line in &lines {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        for field in ["time", "level", "target", "message"] {
            assert!(event.get(field).is_some(), "{field} missing: {line}");
        }
        assert!(!line.contains(&token), "a token reached the log: {line}");
    }
    let request = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["request_id"] == "log-test-1")
        .expect("the request's line");
    assert_eq!(request["target"], "access");
    assert_eq!(request["method"], "GET");
    assert_eq!(request["path"], "/api/v1/coalitions?limit=1");
    assert_eq!(request["route"], "/api/v1/coalitions");
    assert_eq!(request["status"], 200);
    assert_eq!(request["sub"], "log-reader");
    assert!(request["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(request["peer"], "127.0.0.1");
}

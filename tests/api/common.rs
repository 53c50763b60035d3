//! Test harness: each test spawns the real app on port 0 over a fresh database of its own
//! (a temporary SQLite file, or a new PostgreSQL database dropped afterwards).

use std::io::Write;
use std::sync::{Once, OnceLock};

use coalition_registry::app::Application;
use coalition_registry::config::{Secret, Settings};
use coalition_registry::http::auth::{JwtKeys, Role};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Defines each listed `async fn name(app: TestApp)` as a test on both backends.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(app) = $crate::common::spawn($crate::common::Backend::Sqlite).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(app) = $crate::common::spawn($crate::common::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_required() -> bool {
    std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
        || std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether PostgreSQL is reachable; in CI (or with REQUIRE_POSTGRES=1) its absence fails.
fn postgres_available() -> bool {
    static AVAILABLE: OnceLock<Result<(), String>> = OnceLock::new();
    static NOTICE: Once = Once::new();
    let result = AVAILABLE.get_or_init(|| {
        diesel::PgConnection::establish(&postgres_admin_url())
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => true,
        Err(e) if postgres_required() => {
            panic!(
                "PostgreSQL is required here (CI or REQUIRE_POSTGRES) but {} is unreachable: {e}",
                postgres_admin_url()
            )
        }
        Err(e) => {
            NOTICE.call_once(|| {
                // Written straight to stderr so that the test harness's capture doesn't hide it.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** PostgreSQL not reachable at {} ({e}): the PostgreSQL half of the suite is SKIPPED. \
                     Set TEST_POSTGRES_URL, or REQUIRE_POSTGRES=1 to make this fatal. ***\n",
                    postgres_admin_url()
                );
            });
            false
        }
    }
}

/// Drops the per-test PostgreSQL database when the test ends.
struct PgDatabase {
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&postgres_admin_url()) {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// Another empty database on a test's backend, removed when dropped (restores, second
/// servers).
pub struct Scratch {
    pub url: String,
    _pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

/// A new empty database on `backend`.
pub fn scratch_database(backend: Backend) -> Scratch {
    let dir = tempfile::tempdir().expect("temp dir");
    match backend {
        Backend::Sqlite => Scratch {
            url: dir.path().join("scratch.sqlite3").to_string_lossy().into_owned(),
            _pg: None,
            _dir: dir,
        },
        Backend::Postgres => {
            let (url, pg) = create_pg_database();
            Scratch {
                url,
                _pg: Some(pg),
                _dir: dir,
            }
        }
    }
}

/// A new PostgreSQL database (CREATE DATABASE retried while the server is busy with another
/// one's), its URL and the guard that drops it.
fn create_pg_database() -> (String, PgDatabase) {
    let name = format!("cr_test_{}", uuid::Uuid::new_v4().simple());
    let mut attempt = 0;
    loop {
        let created = diesel::PgConnection::establish(&postgres_admin_url())
            .map_err(|e| e.to_string())
            .and_then(|mut admin| {
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .map_err(|e| e.to_string())
            });
        match created {
            Ok(()) => break,
            Err(e) if attempt < 5 => {
                let _ = writeln!(std::io::stderr(), "CREATE DATABASE {name} failed ({e}); retrying");
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(200 << attempt));
            }
            Err(e) => panic!("create test database {name}: {e}"),
        }
    }
    let base = postgres_admin_url();
    let url = match base.rsplit_once('/') {
        Some((prefix, _)) => format!("{prefix}/{name}"),
        None => panic!("TEST_POSTGRES_URL must end in /<database>"),
    };
    (url, PgDatabase { name })
}

/// A running app and a client for it.
pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub client: reqwest::Client,
    pub keys: JwtKeys,
    pub backend: Backend,
    _pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

/// Spawn the app with default test settings.
pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |_| {}).await
}

/// Spawn the app with adjusted settings.
pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, pg) = match backend {
        Backend::Sqlite => (dir.path().join("test.sqlite3").to_string_lossy().into_owned(), None),
        Backend::Postgres => {
            if !postgres_available() {
                return None;
            }
            let (url, pg) = create_pg_database();
            (url, Some(pg))
        }
    };
    let mut settings = Settings::for_database(&url, dir.path().to_path_buf(), SECRET);
    adjust(&mut settings);
    let secret = settings.jwt_secret.clone().unwrap_or_else(|| Secret::new(SECRET));
    let keys = JwtKeys::hs256(&secret, settings.jwt_issuer.clone(), settings.jwt_audience.clone());
    let application = Application::build(&settings).expect("app starts");
    let port = application.port();
    actix_web::rt::spawn(application.into_server());
    Some(TestApp {
        base: format!("http://127.0.0.1:{port}"),
        database_url: url,
        client: reqwest::Client::new(),
        keys,
        backend,
        _pg: pg,
        _dir: dir,
    })
}

/// A response with its body read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub async fn from(response: Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Assert a problem+json response with this status, and return it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "status; body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "problem content type"
        );
        assert_eq!(self.body["status"], status, "problem status field");
        for field in ["type", "title", "detail"] {
            assert!(self.body[field].is_string(), "problem lacks `{field}`: {}", self.text);
        }
        &self.body
    }

    /// The field names of a validation problem.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "status; body: {}", self.text);
        &self.body
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub fn admin(&self) -> String {
        self.keys.mint("admin@test", Role::Admin, vec![], 3600).unwrap()
    }

    pub fn editor(&self, coalitions: &[&str]) -> String {
        self.keys
            .mint(
                "editor@test",
                Role::Editor,
                coalitions.iter().map(|s| s.to_string()).collect(),
                3600,
            )
            .unwrap()
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut request = self.client.request(method.clone(), self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            let body = shorthand(&method, path, body);
            let content_type = if method == Method::PATCH {
                "application/merge-patch+json"
            } else {
                "application/json"
            };
            request = request.header("content-type", content_type).body(body.to_string());
        }
        Reply::from(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, None).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(Method::PUT, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::DELETE, path, token, None).await
    }

    /// Create a coalition as admin and return its id.
    pub async fn coalition(&self, country: &str, name: &str) -> String {
        let reply = self
            .post(
                "/coalitions",
                Some(&self.admin()),
                translated(
                    json!({"country_code": country, "name": name, "status": "established", "activity_areas": ["education"]}),
                ),
            )
            .await;
        reply.ok(201)["id"].as_str().expect("id").to_string()
    }

    /// Create an organisation as admin and return its id.
    pub async fn organisation(&self, name: &str, country: &str) -> String {
        let reply = self
            .post(
                "/organisations",
                Some(&self.admin()),
                translated(json!({"name": name, "sector": "ngo", "country_code": country})),
            )
            .await;
        reply.ok(201)["id"].as_str().expect("id").to_string()
    }

    /// Add an organisation to a coalition as admin and return the membership id.
    pub async fn member(&self, coalition: &str, organisation: &str) -> String {
        let reply = self
            .post(
                &format!("/coalitions/{coalition}/members"),
                Some(&self.admin()),
                json!({"organisation_id": organisation, "role": "member"}),
            )
            .await;
        reply.ok(201)["id"].as_str().expect("id").to_string()
    }

    /// Create an initiative as admin (published unless `body` says otherwise) and return it.
    /// Its translated fields may be given as plain strings (see [`translated`]).
    pub async fn initiative(&self, coalition: &str, body: Value) -> Value {
        let mut full = json!({
            "coalition_id": coalition, "title": "Initiative", "activity_areas": ["education"], "countries": ["LV"],
            "sphere": "national", "status": "ongoing", "start_date": "2021-03-01", "publication": "published"
        });
        for (k, v) in body.as_object().expect("object").clone() {
            full[k] = v;
        }
        let full = translated(full);
        self.post("/initiatives", Some(&self.admin()), full)
            .await
            .ok(201)
            .clone()
    }

    /// Create a training as admin (published unless `body` says otherwise) and return it.
    pub async fn training(&self, coalition: Option<&str>, body: Value) -> Value {
        let mut full = json!({
            "coalition_id": coalition, "title": "Event", "kind": "workshop", "format": "online",
            "starts_at": "2021-05-04T10:00:00+03:00", "ends_at": "2021-05-04T12:00:00+03:00",
            "timezone": "Europe/Riga", "publication": "published"
        });
        for (k, v) in body.as_object().expect("object").clone() {
            full[k] = v;
        }
        self.post("/trainings", Some(&self.admin()), translated(full))
            .await
            .ok(201)
            .clone()
    }

    /// Every row of a list, following `next_cursor`.
    pub async fn walk(&self, path: &str) -> Vec<Value> {
        self.walk_with(path, None).await
    }

    /// Every row of a list as the holder of `token` sees it.
    pub async fn walk_as(&self, path: &str, token: &str) -> Vec<Value> {
        self.walk_with(path, Some(token)).await
    }

    async fn walk_with(&self, path: &str, token: Option<&str>) -> Vec<Value> {
        let mut rows = Vec::new();
        let mut url = path.to_string();
        loop {
            let reply = match token {
                Some(token) => self.get_as(&url, token).await,
                None => self.get(&url).await,
            };
            let body = reply.ok(200);
            rows.extend(body["data"].as_array().expect("data").iter().cloned());
            match body["page"]["next_cursor"].as_str() {
                Some(cursor) => {
                    let sep = if path.contains('?') { '&' } else { '?' };
                    url = format!("{path}{sep}cursor={cursor}");
                }
                None => return rows,
            }
        }
    }
}

/// One record of each kind, to fill the document's path templates with.
pub struct Fixture {
    pub client: String,
    pub coalition: String,
    pub organisation: String,
    pub membership: String,
    pub initiative: String,
    pub training: String,
}

impl Fixture {
    pub async fn new(app: &TestApp) -> Fixture {
        let coalition = app.coalition("LV", "Latvian coalition").await;
        let organisation = app.organisation("Org", "LV").await;
        let membership = app.member(&coalition, &organisation).await;
        let id = |record: Value| record["id"].as_str().unwrap().to_string();
        let initiative = id(app
            .initiative(
                &coalition,
                json!({"organisations": [{"organisation_id": organisation, "role": "partner"}]}),
            )
            .await);
        let training = id(app
            .training(
                Some(&coalition),
                json!({"organiser_id": organisation, "speakers": [{"name": "Speaker", "affiliation": null}]}),
            )
            .await);
        let client = id(app
            .post(
                "/clients",
                Some(&app.admin()),
                json!({"name": "fixture client", "role": "admin"}),
            )
            .await
            .ok(201)
            .clone());
        Fixture {
            client,
            coalition,
            organisation,
            membership,
            initiative,
            training,
        }
    }

    /// `template` (an OpenAPI path) with real ids, or every parameter `bad`.
    pub fn fill(&self, template: &str, bad: Option<&str>) -> String {
        let path = template.trim_start_matches("/api/v1").to_string();
        let id = if path.starts_with("/clients") {
            &self.client
        } else if path.starts_with("/coalitions") {
            &self.coalition
        } else if path.starts_with("/organisations") {
            &self.organisation
        } else if path.starts_with("/initiatives") {
            &self.initiative
        } else {
            &self.training
        };
        [
            ("{code}", "LV"),
            ("{membership_id}", self.membership.as_str()),
            ("{external_id}", "ext-1"),
            ("{id}", id.as_str()),
        ]
        .into_iter()
        .fold(path, |path, (name, value)| path.replace(name, bad.unwrap_or(value)))
    }
}

/// The tests' shorthand for translated text: in a write to coalitions, organisations,
/// initiatives or events (one record or a batch), a translated field given as a plain string
/// is the text in the body's original language (see [`translated`]); a PATCH gets no
/// `original_language` it did not name. Maps are sent as they are: the wire format itself is
/// tested in `languages.rs`, `contract.rs` and by the generated clients.
fn shorthand(method: &Method, path: &str, body: Value) -> Value {
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let translated_resource = ["coalitions", "organisations", "initiatives", "trainings"].contains(&segments[0])
        && !segments.contains(&"members");
    if !translated_resource || *method == Method::GET || *method == Method::DELETE {
        return body;
    }
    let one = |item: Value| {
        if *method == Method::PATCH {
            let original = item["original_language"].as_str().unwrap_or("en").to_string();
            let mut item = item;
            for field in ["title", "name", "summary", "description"] {
                if let Some(text) = item.get(field).and_then(Value::as_str).map(str::to_string) {
                    item[field] = json!({ original.clone(): text });
                }
            }
            item
        } else if item.is_object() {
            translated(item)
        } else {
            item
        }
    };
    match body {
        Value::Array(items) => Value::Array(items.into_iter().map(one).collect()),
        other => one(other),
    }
}

/// A test body whose translated fields (`title`, `name`, `summary`, `description`) may be
/// plain strings: each becomes the text in the body's `original_language`, `en` when it has
/// none (which it then gets). Maps are left as they are.
pub fn translated(mut body: Value) -> Value {
    let original = body["original_language"].as_str().unwrap_or("en").to_string();
    body["original_language"] = json!(original);
    for field in ["title", "name", "summary", "description"] {
        if let Some(text) = body.get(field).and_then(Value::as_str).map(str::to_string) {
            body[field] = json!({ original.clone(): text });
        }
    }
    body
}

/// A second server process over the same database: another replica.
pub struct Replica {
    child: std::process::Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start one, with `env` added to its environment.
pub async fn replica(app: &TestApp, env: &[(&str, &str)]) -> Replica {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_coalition-registry"))
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("DATA_DIR", dir.path())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", SECRET)
        .env("WORKERS", "1")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start a second server process");
    let replica = Replica {
        child,
        base: format!("http://127.0.0.1:{port}/api/v1"),
        _dir: dir,
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let health = app.client.get(format!("{}/health", replica.base)).send().await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return replica;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second server did not come up"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

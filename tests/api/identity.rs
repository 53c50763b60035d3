//! Machine clients end to end over HTTP: registered at the command line or by an admin over
//! the API, tokens from `POST /oauth/token` (OAuth 2.0 client credentials, RFC 6749 §4.4),
//! revocation, failed attempts limited per client id, every change audited.

use std::process::Command;
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::common::{spawn_with, Backend, Reply, TestApp};

/// Run `coalition-registry client …` against the app's database: its standard output.
async fn client_cli(app: &TestApp, args: &[&str]) -> Result<String, String> {
    let url = app.database_url.clone();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let output = actix_web::rt::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_coalition-registry"))
            .arg("client")
            .args(&args)
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("run the command line")
    })
    .await
    .unwrap();
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The `client_id=` and `client_secret=` lines of `client add`.
fn credentials(stdout: &str) -> (String, String) {
    let value = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} line in {stdout:?}"))
            .to_string()
    };
    (value("client_id="), value("client_secret="))
}

/// `POST /oauth/token` with these form fields and, optionally, HTTP Basic credentials.
async fn token_request(app: &TestApp, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Reply {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request = app
        .client
        .post(app.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn token_for(app: &TestApp, id: &str, secret: &str) -> Reply {
    token_request(app, &[("grant_type", "client_credentials")], Some((id, secret))).await
}

/// An RFC 6749 error response with this status and code.
#[track_caller]
fn oauth_error(reply: &Reply, status: u16, error: &str) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"), "{}", reply.text);
    assert_eq!(reply.body["error"], error, "{}", reply.text);
    assert!(reply.body["error_description"].is_string());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    if status == 401 {
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Basic realm=\"coalition-registry\"")
        );
    }
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

async fn client_credentials_end_to_end(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ee = app.coalition("EE", "Estonian coalition").await;
    let added = client_cli(
        &app,
        &["add", "--name", "eu4digital", "--role", "editor", "--coalition", &lv],
    )
    .await
    .unwrap();
    let (id, secret) = credentials(&added);
    assert_eq!(secret.len(), 43, "32 random bytes, base64url");

    // HTTP Basic.
    let issued = token_for(&app, &id, &secret).await;
    let body = issued.ok(200).clone();
    assert_eq!(issued.header("cache-control"), Some("no-store"));
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let token = body["access_token"].as_str().unwrap().to_string();
    let c = claims(&token);
    assert_eq!(c["sub"], id.as_str());
    assert_eq!(c["role"], "editor");
    assert_eq!(c["coalitions"], json!([lv]));
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    // The token writes what the client may write, and the audit trail names the client.
    app.patch(
        &format!("/coalitions/{lv}"),
        Some(&token),
        json!({"description": "Synced"}),
    )
    .await
    .ok(200);
    app.patch(
        &format!("/coalitions/{ee}"),
        Some(&token),
        json!({"description": "Synced"}),
    )
    .await
    .problem(403);
    let trail = app
        .get_as(&format!("/audit?type=coalition&id={lv}&sort=-at&limit=1"), &app.admin())
        .await;
    assert_eq!(trail.ok(200)["data"][0]["actor"], id.as_str());
    // Credentials in the form body work as well.
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    token_request(&app, &form, None).await.ok(200);
    // Ids are taken in any case, like every id of the API.
    token_for(&app, &id.to_uppercase(), &secret).await.ok(200);

    // What goes wrong, in RFC 6749's words.
    oauth_error(&token_for(&app, &id, "wrong").await, 401, "invalid_client");
    oauth_error(
        &token_for(&app, "01234567-89ab-cdef-0123-456789abcdef", &secret).await,
        401,
        "invalid_client",
    );
    oauth_error(&token_for(&app, "not-an-id", &secret).await, 401, "invalid_client");
    oauth_error(
        &token_request(&app, &[("grant_type", "client_credentials")], None).await,
        401,
        "invalid_client",
    );
    oauth_error(
        &token_request(&app, &form, Some((&id, &secret))).await,
        400,
        "invalid_request",
    );
    oauth_error(
        &token_request(&app, &[("client_id", &id)], Some((&id, &secret))).await,
        400,
        "invalid_request",
    );
    oauth_error(
        &token_request(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
            ],
            Some((&id, &secret)),
        )
        .await,
        400,
        "invalid_request",
    );
    oauth_error(
        &token_request(&app, &[("grant_type", "password")], Some((&id, &secret))).await,
        400,
        "unsupported_grant_type",
    );
    oauth_error(
        &token_request(
            &app,
            &[("grant_type", "client_credentials"), ("scope", "write")],
            Some((&id, &secret)),
        )
        .await,
        400,
        "invalid_scope",
    );
    let as_json = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    oauth_error(&Reply::from(as_json).await, 400, "invalid_request");
    let bearer = app
        .client
        .post(app.url("/oauth/token"))
        .bearer_auth(&token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    oauth_error(&Reply::from(bearer).await, 401, "invalid_client");
    // Unknown parameters are ignored (RFC 6749 §3.2).
    token_request(
        &app,
        &[("grant_type", "client_credentials"), ("audience", "x")],
        Some((&id, &secret)),
    )
    .await
    .ok(200);

    // Registering is checked like any write.
    let refused = client_cli(&app, &["add", "--name", "x", "--role", "editor"]).await;
    assert!(refused.unwrap_err().contains("at least one coalition"));
    let refused = client_cli(&app, &["add", "--name", "x", "--role", "editor", "--coalition", &id]).await;
    assert!(refused.unwrap_err().contains("no coalition has the id"));

    // Revoked: no new token at once; the one it holds works until it expires.
    let listed = client_cli(&app, &["list"]).await.unwrap();
    assert!(listed.contains(&id) && listed.contains("eu4digital") && listed.contains("active"));
    client_cli(&app, &["revoke", &id]).await.unwrap();
    oauth_error(&token_for(&app, &id, &secret).await, 401, "invalid_client");
    app.patch(
        &format!("/coalitions/{lv}"),
        Some(&token),
        json!({"description": "Still valid"}),
    )
    .await
    .ok(200);
    assert!(client_cli(&app, &["list"]).await.unwrap().contains("revoked"));
    assert!(client_cli(&app, &["revoke", "01234567-89ab-cdef-0123-456789abcdef"])
        .await
        .unwrap_err()
        .contains("no client has the id"));
}

async fn admins_manage_clients_over_the_api(app: TestApp) {
    let lv = app.coalition("LV", "Latvian coalition").await;
    let admin = app.admin();
    let editor = app.editor(&[&lv]);
    let new = json!({"name": "partner back end", "role": "editor", "coalitions": [lv]});
    // Who may: administrators only.
    app.get("/clients").await.problem(401);
    app.get_as("/clients", &editor).await.problem(403);
    app.post("/clients", None, new.clone()).await.problem(401);
    app.post("/clients", Some(&editor), new.clone()).await.problem(403);
    assert_eq!(app.get_as("/clients", &admin).await.ok(200)["data"], json!([]));

    let created = app.post("/clients", Some(&admin), new.clone()).await;
    let client = created.ok(201).clone();
    let id = client["id"].as_str().unwrap().to_string();
    let secret = client["client_secret"].as_str().unwrap().to_string();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/clients/{id}").as_str())
    );
    assert_eq!(created.header("cache-control"), Some("no-store"));
    assert_eq!(client["name"], "partner back end");
    assert_eq!(client["role"], "editor");
    assert_eq!(client["coalitions"], json!([lv]));
    assert_eq!(client["created_by"], "admin@test");
    assert_eq!(client["revoked_at"], Value::Null);
    // The secret is shown once: never read back, never its hash.
    let read = app.get_as(&format!("/clients/{id}"), &admin).await.ok(200).clone();
    assert!(read.get("client_secret").is_none() && read.get("secret_hash").is_none());
    assert_eq!(read["id"], id.as_str());
    let listed = app.get_as("/clients", &admin).await.ok(200)["data"].clone();
    assert_eq!(listed, json!([read]));
    app.get_as(&format!("/clients/{id}"), &editor).await.problem(403);
    app.get_as("/clients/01234567-89ab-cdef-0123-456789abcdef", &admin)
        .await
        .problem(404);
    app.get_as("/clients/nope", &admin).await.problem(404);
    // Its token works.
    let token = token_for(&app, &id, &secret).await.ok(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(
        &format!("/coalitions/{lv}"),
        Some(&token),
        json!({"description": "From a partner"}),
    )
    .await
    .ok(200);

    // Invalid registrations: 422 naming the field, nothing registered.
    let lv2 = lv.clone();
    for (body, field, code) in [
        (json!({"name": "x", "role": "editor"}), "coalitions", "required"),
        (
            json!({"name": "x", "role": "admin", "coalitions": [lv2]}),
            "coalitions",
            "invalid_value",
        ),
        (
            json!({"name": "x", "role": "editor", "coalitions": ["01234567-89ab-cdef-0123-456789abcdef"]}),
            "coalitions[0]",
            "unknown_coalition",
        ),
        (
            json!({"name": "x", "role": "editor", "coalitions": ["LV"]}),
            "coalitions[0]",
            "invalid_value",
        ),
        (json!({"name": "  ", "role": "admin"}), "name", "blank"),
        (json!({"name": "x".repeat(101), "role": "admin"}), "name", "too_long"),
        (json!({"name": "x", "role": "owner"}), "role", "unknown_value"),
        (
            json!({"name": "x", "role": "admin", "secret": "mine"}),
            "secret",
            "unknown_field",
        ),
        (json!({"role": "admin"}), "name", "required"),
    ] {
        let reply = app.post("/clients", Some(&admin), body.clone()).await;
        reply.problem(422);
        assert_eq!(reply.error_fields(), [field], "{body}: {}", reply.text);
        assert_eq!(reply.body["errors"][0]["code"], code, "{body}");
    }
    assert_eq!(
        app.get_as("/clients", &admin).await.ok(200)["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Revoking: administrators only; idempotent; 404 for no such client.
    let revoke = format!("/clients/{id}/revoke");
    app.post(&revoke, None, json!({})).await.problem(401);
    app.post(&revoke, Some(&editor), json!({})).await.problem(403);
    let revoked = app.post(&revoke, Some(&admin), json!({})).await.ok(200).clone();
    assert!(revoked["revoked_at"].is_string());
    let again = app.post(&revoke, Some(&admin), json!({})).await.ok(200).clone();
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
    app.post(
        "/clients/01234567-89ab-cdef-0123-456789abcdef/revoke",
        Some(&admin),
        json!({}),
    )
    .await
    .problem(404);
    oauth_error(&token_for(&app, &id, &secret).await, 401, "invalid_client");

    // Audited like every write; never in the public change feed.
    let trail = app.get_as(&format!("/audit?type=client&id={id}&sort=at"), &admin).await;
    let entries: Vec<(String, String, String)> = trail.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["actor"].as_str().unwrap().into(),
                e["changed_fields"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "created".into(),
                "admin@test".into(),
                r#"["name","role","coalitions"]"#.into()
            ),
            ("updated".into(), "admin@test".into(), r#"["revoked_at"]"#.into()),
        ]
    );
    app.get("/changes?types=client").await.problem(400);
    let feed = app.get("/changes?limit=100").await;
    assert!(feed.ok(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["type"] != "client"));
    // An admin client registered over the API gets admin tokens.
    let admin_client = app
        .post("/clients", Some(&admin), json!({"name": "operator", "role": "admin"}))
        .await
        .ok(201)
        .clone();
    let reply = token_for(
        &app,
        admin_client["id"].as_str().unwrap(),
        admin_client["client_secret"].as_str().unwrap(),
    )
    .await;
    assert_eq!(claims(reply.ok(200)["access_token"].as_str().unwrap())["role"], "admin");
}

crate::backend_tests!(client_credentials_end_to_end, admins_manage_clients_over_the_api);

/// After the configured number of failures for one client id, even the right secret waits
/// (429, `Retry-After`); other clients are not affected; after the wait it works again.
#[actix_web::test]
async fn failed_attempts_are_limited_per_client() {
    let app = spawn_with(Backend::Sqlite, |s| s.client_auth_failures_per_minute = 30)
        .await
        .unwrap();
    let admin = app.admin();
    let register = |name: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let c = app
                .post("/clients", Some(admin), json!({"name": name, "role": "admin"}))
                .await
                .ok(201)
                .clone();
            (
                c["id"].as_str().unwrap().to_string(),
                c["client_secret"].as_str().unwrap().to_string(),
            )
        }
    };
    let (target, secret) = register("target").await;
    let (other, other_secret) = register("bystander").await;
    let mut locked = None;
    for attempt in 1..=40 {
        let reply = token_for(&app, &target, "guess").await;
        if reply.status == 429 {
            locked = Some(attempt);
            break;
        }
        oauth_error(&reply, 401, "invalid_client");
    }
    let locked = locked.expect("failures are limited");
    assert!((30..=32).contains(&locked), "locked after {locked} attempts");
    let refused = token_for(&app, &target, &secret).await;
    refused.problem(429);
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "Retry-After: {wait}");
    token_for(&app, &other, &other_secret).await.ok(200);
    actix_web::rt::time::sleep(Duration::from_secs(wait) + Duration::from_millis(100)).await;
    token_for(&app, &target, &secret).await.ok(200);
}

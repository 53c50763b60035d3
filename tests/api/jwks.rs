//! Tokens from an identity provider, end to end over HTTP: a local provider serves a JWK set
//! (and an OpenID configuration) of test keys generated with `tests/fixtures/jwks/generate.sh`;
//! the app verifies RS256, ES256 and EdDSA tokens against it, follows key rotation, refuses
//! removed and forged keys, alg confusion and algorithms it was not configured for, keeps
//! working with cached keys when the provider is down, and maps Keycloak's claims. SQLite only:
//! nothing here touches the database differently on PostgreSQL.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::common::{spawn_with, Backend, TestApp};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jwks")
        .join(name)
}

/// The public JWK of a fixture key (`rsa1`, `rsa2`, `ec1`, `ed1`).
fn jwk(name: &str) -> Value {
    let all: Value = serde_json::from_slice(&std::fs::read(fixture("public-jwks.json")).unwrap()).unwrap();
    all[name].clone()
}

/// What the local provider serves, and what it has been asked.
struct ProviderState {
    keys: Vec<Value>,
    cache_control: String,
    /// false: every request gets a 503
    up: bool,
    issuer: String,
    jwks_hits: usize,
    discovery_hits: usize,
}

/// A local identity provider: `GET /jwks` and `GET …/.well-known/openid-configuration`.
struct Provider {
    base: String,
    state: Arc<Mutex<ProviderState>>,
}

impl Provider {
    fn start(keys: &[&str]) -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(ProviderState {
            keys: keys.iter().map(|k| jwk(k)).collect(),
            cache_control: "public, max-age=300".into(),
            up: true,
            issuer: format!("{base}/realms/registry"),
            jwks_hits: 0,
            discovery_hits: 0,
        }));
        let shared = state.clone();
        let jwks_url = format!("{base}/jwks");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                // The rest of the head.
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) if line == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
                let (status, headers, body) = {
                    let mut s = shared.lock().unwrap();
                    if path == "/jwks" {
                        s.jwks_hits += 1;
                    } else if path.ends_with("/.well-known/openid-configuration") {
                        s.discovery_hits += 1;
                    }
                    if !s.up {
                        ("503 Service Unavailable", String::new(), "down".to_string())
                    } else if path == "/jwks" {
                        (
                            "200 OK",
                            format!("Cache-Control: {}\r\n", s.cache_control),
                            json!({"keys": s.keys}).to_string(),
                        )
                    } else if path.ends_with("/.well-known/openid-configuration") {
                        (
                            "200 OK",
                            String::new(),
                            json!({"issuer": s.issuer, "jwks_uri": jwks_url, "id_token_signing_alg_values_supported": ["RS256"]})
                                .to_string(),
                        )
                    } else {
                        ("404 Not Found", String::new(), "{}".to_string())
                    }
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Provider { base, state }
    }

    fn hits(&self) -> usize {
        self.state.lock().unwrap().jwks_hits
    }

    fn serve(&self, keys: &[&str]) {
        self.state.lock().unwrap().keys = keys.iter().map(|k| jwk(k)).collect();
    }

    fn set_up(&self, up: bool) {
        self.state.lock().unwrap().up = up;
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A token signed with a fixture key (`alg` decides how its PEM is read).
fn sign(alg: Algorithm, key: &str, kid: Option<&str>, claims: &Value) -> String {
    let pem = std::fs::read(fixture(&format!("{key}.pem"))).unwrap();
    let encoding = match alg {
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(&pem).unwrap(),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem).unwrap(),
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(String::from);
    jsonwebtoken::encode(&header, claims, &encoding).unwrap()
}

fn admin_claims(sub: &str) -> Value {
    json!({"sub": sub, "role": "admin", "exp": now() + 600, "iat": now()})
}

async fn status_with(app: &TestApp, token: &str) -> u16 {
    app.get_as("/clients", token).await.status.as_u16()
}

/// An editor's token updates the profile of its coalition `own`, and gets 403 on `other`.
async fn writes_only_its_coalition(app: &TestApp, editor: &str, own: &str, other: &str) {
    let patch = json!({"description": "Edited with the identity provider's token"});
    app.patch(&format!("/coalitions/{own}"), Some(editor), patch.clone())
        .await
        .ok(200);
    app.patch(&format!("/coalitions/{other}"), Some(editor), patch)
        .await
        .problem(403);
}

#[actix_web::test]
async fn provider_tokens_of_each_algorithm_rotation_removed_and_forged_keys_and_outage() {
    let provider = Provider::start(&["rsa1", "ec1", "ed1"]);
    let url = format!("{}/jwks", provider.base);
    let app = spawn_with(Backend::Sqlite, |s| {
        s.jwt_algorithms = vec!["HS256".into(), "RS256".into(), "ES256".into(), "EdDSA".into()];
        s.jwt_jwks_url = Some(url);
    })
    .await
    .unwrap();
    assert_eq!(provider.hits(), 1, "the key set is fetched once at start");

    // A valid token of each algorithm, and the service's own HS256 tokens still.
    for (alg, key) in [
        (Algorithm::RS256, "rsa1"),
        (Algorithm::ES256, "ec1"),
        (Algorithm::EdDSA, "ed1"),
    ] {
        let token = sign(alg, key, Some(key), &admin_claims(&format!("idp-{key}")));
        assert_eq!(status_with(&app, &token).await, 200, "{alg:?}");
    }
    assert_eq!(status_with(&app, &app.admin()).await, 200);
    // Without a `kid`, the keys that fit the algorithm are tried.
    let no_kid = sign(Algorithm::RS256, "rsa1", None, &admin_claims("no-kid"));
    assert_eq!(status_with(&app, &no_kid).await, 200);

    // Default claims (`role`, `coalitions`): an editor writes its coalition, not another, and
    // the audit trail names the provider's subject.
    let lv = app.coalition("LV", "Latvian coalition").await;
    let ee = app.coalition("EE", "Estonian coalition").await;
    let editor = sign(
        Algorithm::ES256,
        "ec1",
        Some("ec1"),
        &json!({"sub": "maija@idp", "role": "editor", "coalitions": [lv], "exp": now() + 600}),
    );
    writes_only_its_coalition(&app, &editor, &lv, &ee).await;
    let trail = app
        .get_as(&format!("/audit?type=coalition&id={lv}&sort=-at&limit=1"), &app.admin())
        .await;
    assert_eq!(trail.ok(200)["data"][0]["actor"], "maija@idp");

    // Refused, each with a 401 that says why — and none of them makes the service fetch keys.
    let rejected = |token: String, why: &'static str| (token, why);
    let public_pem = std::fs::read(fixture("rsa1.pub.pem")).unwrap();
    let mut confusion_header = Header::new(Algorithm::HS256);
    confusion_header.kid = Some("rsa1".into());
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    for (token, why) in [
        rejected(
            sign(Algorithm::RS384, "rsa1", Some("rsa1"), &admin_claims("x")),
            "RS384, an algorithm this service does not accept",
        ),
        rejected(
            sign(Algorithm::RS256, "rsa1", Some("ec1"), &admin_claims("x")),
            "the key `ec1` is not for RS256",
        ),
        rejected(
            sign(Algorithm::RS256, "rsa2", Some("rsa1"), &admin_claims("x")),
            "signature is invalid",
        ),
        // alg confusion: HS256 "signed" with the provider's public key as the secret.
        rejected(
            jsonwebtoken::encode(
                &confusion_header,
                &admin_claims("x"),
                &EncodingKey::from_secret(&public_pem),
            )
            .unwrap(),
            "signature is invalid",
        ),
        rejected(
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "kid": "rsa1"})),
                b64(&admin_claims("x"))
            ),
            "`alg: none` is never accepted",
        ),
        rejected(
            sign(
                Algorithm::RS256,
                "rsa1",
                Some("rsa1"),
                &json!({"sub": "x", "role": "admin", "exp": now() - 3600}),
            ),
            "expired",
        ),
        rejected(
            sign(
                Algorithm::EdDSA,
                "ed1",
                Some("ed1"),
                &json!({"sub": "x", "role": "owner", "exp": now() + 600}),
            ),
            "neither `admin` nor `editor`",
        ),
    ] {
        let reply = app.get_as("/clients", &token).await;
        let detail = reply.problem(401)["detail"].as_str().unwrap().to_string();
        assert!(detail.contains(why), "{why:?} not in {detail:?}");
        assert!(reply.header("www-authenticate").is_some());
    }
    assert_eq!(provider.hits(), 1);

    // A token accepted (and so remembered) before the rotation below.
    let before = sign(Algorithm::RS256, "rsa1", Some("rsa1"), &admin_claims("before"));
    assert_eq!(status_with(&app, &before).await, 200);
    assert_eq!(status_with(&app, &before).await, 200);

    // Rotation: the provider now signs with rsa2 and no longer publishes rsa1. The first token
    // naming rsa2 makes the service fetch the set once, and it is accepted.
    provider.serve(&["rsa2", "ec1", "ed1"]);
    let rotated = sign(Algorithm::RS256, "rsa2", Some("rsa2"), &admin_claims("rotated"));
    assert_eq!(status_with(&app, &rotated).await, 200);
    assert_eq!(provider.hits(), 2);
    assert_eq!(status_with(&app, &rotated).await, 200);
    // The token accepted with the old set is checked again, against the new one.
    let reply = app.get_as("/clients", &before).await;
    assert!(reply.problem(401)["detail"]
        .as_str()
        .unwrap()
        .contains("no signing key `rsa1`"));
    // The removed key is gone with the old set.
    let removed = sign(Algorithm::RS256, "rsa1", Some("rsa1"), &admin_claims("old"));
    let reply = app.get_as("/clients", &removed).await;
    assert!(reply.problem(401)["detail"]
        .as_str()
        .unwrap()
        .contains("no signing key `rsa1`"));
    // Forged key ids, many at once: within 30 s of the last refetch, none fetches again.
    let forged: Vec<String> = (0..20)
        .map(|i| {
            sign(
                Algorithm::RS256,
                "rsa2",
                Some(&format!("forged-{i}")),
                &admin_claims("attacker"),
            )
        })
        .collect();
    let replies = futures_util::future::join_all(forged.iter().map(|t| status_with(&app, t))).await;
    assert!(replies.iter().all(|s| *s == 401), "{replies:?}");
    assert_eq!(
        provider.hits(),
        2,
        "forged key ids must not make the service fetch keys"
    );

    // The provider goes down: the cached keys keep working.
    provider.set_up(false);
    assert_eq!(status_with(&app, &rotated).await, 200);
    let ed = sign(Algorithm::EdDSA, "ed1", Some("ed1"), &admin_claims("ed"));
    assert_eq!(status_with(&app, &ed).await, 200);
    // After the interval, an unknown key id is worth one more fetch (which fails: still 401,
    // the cached keys still in use), and only one however many arrive.
    actix_web::rt::time::sleep(Duration::from_secs(31)).await;
    let replies = futures_util::future::join_all(forged.iter().take(10).map(|t| status_with(&app, t))).await;
    assert!(replies.iter().all(|s| *s == 401), "{replies:?}");
    assert_eq!(provider.hits(), 3);
    assert_eq!(status_with(&app, &rotated).await, 200);

    // What the fetching did, on /metrics.
    let metrics = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    for line in [
        "coalition_registry_jwks_fetches_total{outcome=\"ok\"} 2",
        "coalition_registry_jwks_fetches_total{outcome=\"failed\"} 1",
        "coalition_registry_jwks_keys 3",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} not in:\n{metrics}");
    }
    // Tokens sent again were accepted from memory; each distinct one was verified once.
    for how in ["remembered", "verified"] {
        let prefix = format!("coalition_registry_bearer_tokens_accepted_total{{how=\"{how}\"}} ");
        let count: u64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{prefix} not in:\n{metrics}"));
        assert!(count > 0, "{prefix}{count}");
    }
}

#[actix_web::test]
async fn an_unreachable_provider_holds_up_only_its_tokens() {
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", dead.local_addr().unwrap());
    drop(dead);
    let started = Instant::now();
    let app = spawn_with(Backend::Sqlite, |s| {
        s.jwt_algorithms = vec!["HS256".into(), "RS256".into()];
        s.jwt_jwks_url = Some(url);
    })
    .await
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "start-up waits for the provider too long"
    );
    app.get("/coalitions").await.ok(200);
    assert_eq!(status_with(&app, &app.admin()).await, 200);
    let token = sign(Algorithm::RS256, "rsa1", Some("rsa1"), &admin_claims("x"));
    let reply = app.get_as("/clients", &token).await;
    let detail = reply.problem(503)["detail"].as_str().unwrap().to_string();
    assert!(detail.contains("signing keys could not be fetched"), "{detail}");
    assert!(reply.header("retry-after").is_some());
}

#[actix_web::test]
async fn keycloak_claims_from_a_discovered_key_set() {
    let provider = Provider::start(&["rsa1"]);
    let issuer = format!("{}/realms/registry", provider.base);
    let settings_issuer = issuer.clone();
    let app = spawn_with(Backend::Sqlite, |s| {
        s.jwt_algorithms = vec!["RS256".into()];
        s.jwt_issuer = Some(settings_issuer);
        s.jwt_audience = Some("coalition-registry".into());
        s.jwt_role_claim = "realm_access.roles".into();
        s.jwt_admin_role = "registry-admin".into();
        s.jwt_editor_role = "registry-editor".into();
        s.jwt_coalitions_claim = "groups".into();
        s.jwt_coalition_prefix = "/coalitions/".into();
    })
    .await
    .unwrap();
    assert_eq!(provider.state.lock().unwrap().discovery_hits, 1);
    assert_eq!(provider.hits(), 1);
    let keycloak = |roles: Value, groups: Value| {
        sign(
            Algorithm::RS256,
            "rsa1",
            Some("rsa1"),
            &json!({
                "iss": issuer, "aud": ["coalition-registry", "account"], "sub": "f7c1c2e0-kc-user",
                "exp": now() + 300, "iat": now(),
                "realm_access": {"roles": roles}, "groups": groups,
                "preferred_username": "maija",
            }),
        )
    };
    let admin = keycloak(json!(["offline_access", "registry-admin"]), json!([]));
    let create = |country: &str| json!({"country_code": country, "name": format!("{country} coalition"), "status": "established", "activity_areas": ["education"]});
    let lv = app.post("/coalitions", Some(&admin), create("LV")).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ee = app.post("/coalitions", Some(&admin), create("EE")).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let editor = keycloak(
        json!(["offline_access", "registry-editor"]),
        json!([format!("/coalitions/{lv}"), "/staff"]),
    );
    writes_only_its_coalition(&app, &editor, &lv, &ee).await;
    // A user of the realm without a registry role, a token of another issuer or audience.
    let nobody = keycloak(json!(["offline_access"]), json!([format!("/coalitions/{lv}")]));
    let detail = app.get_as("/clients", &nobody).await.problem(401)["detail"].clone();
    assert!(detail.as_str().unwrap().contains("realm_access.roles"), "{detail}");
    let elsewhere = sign(
        Algorithm::RS256,
        "rsa1",
        Some("rsa1"),
        &json!({"iss": "https://other.example", "aud": "coalition-registry", "sub": "x", "exp": now() + 300,
                "realm_access": {"roles": ["registry-admin"]}}),
    );
    app.get_as("/clients", &elsewhere).await.problem(401);
    let other_audience = sign(
        Algorithm::RS256,
        "rsa1",
        Some("rsa1"),
        &json!({"iss": issuer, "aud": "account", "sub": "x", "exp": now() + 300,
                "realm_access": {"roles": ["registry-admin"]}}),
    );
    app.get_as("/clients", &other_audience).await.problem(401);
    // HS256 is not accepted here: neither tokens signed with the secret nor the service's own
    // client-credentials grant.
    app.get_as("/clients", &app.admin()).await.problem(401);
    let grant = app
        .client
        .post(app.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=x&client_secret=y")
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status().as_u16(), 400);
    let body: Value = grant.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");

    // A discovery document naming another issuer is refused: its keys are never used.
    let wrong_issuer = format!("{}/realms/other", provider.base);
    let other = spawn_with(Backend::Sqlite, |s| {
        s.jwt_algorithms = vec!["RS256".into()];
        s.jwt_issuer = Some(wrong_issuer.clone());
    })
    .await
    .unwrap();
    let token = sign(
        Algorithm::RS256,
        "rsa1",
        Some("rsa1"),
        &json!({"iss": wrong_issuer, "sub": "x", "role": "admin", "exp": now() + 300}),
    );
    other.get_as("/clients", &token).await.problem(503);
}

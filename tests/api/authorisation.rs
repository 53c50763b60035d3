//! Who may write what: every write route against anonymous callers, an editor of the
//! coalition concerned, an editor of another coalition, and an administrator. Denied
//! writes leave the data as it was.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{spawn_with, TestApp, SECRET};

/// Fresh records for one attempt: coalition `c` (inactive, so fixtures never collide),
/// organisation `o` that is a member of it, membership `m`, and an unrelated coalition.
struct Fixture {
    c: String,
    o: String,
    m: String,
    other: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin();
    let create = |country: &'static str| {
        let admin = admin.clone();
        async move {
            app.post(
                "/coalitions",
                Some(&admin),
                json!({"country_code": country, "name": "Fixture", "status": "inactive"}),
            )
            .await
            .ok(201)["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let c = create("LT").await;
    let other = create("SI").await;
    let o = app.organisation("Fixture organisation", "LT").await;
    let m = app.member(&c, &o).await;
    Fixture { c, o, m, other }
}

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    EditorOfThis,
    EditorOfOther,
    Admin,
}

type Route = (Method, fn(&Fixture) -> String, fn(&Fixture) -> Option<Value>, [u16; 4]);

fn routes() -> Vec<Route> {
    vec![
        (
            Method::POST,
            |_| "/countries".into(),
            |_| Some(json!({"code": "XK", "eu_code": "XK", "name": "Kosovo", "native_name": "Kosova"})),
            [401, 403, 403, 201],
        ),
        (
            Method::PUT,
            |_| "/countries/MT".into(),
            |_| Some(json!({"code": "MT", "eu_code": "MT", "name": "Malta", "native_name": "Malta", "groups": ["eu"]})),
            [401, 403, 403, 200],
        ),
        (
            Method::PATCH,
            |_| "/countries/MT".into(),
            |_| Some(json!({"native_name": "Repubblika ta' Malta"})),
            [401, 403, 403, 200],
        ),
        (
            Method::DELETE,
            |_| "/countries/LI".into(),
            |_| None,
            [401, 403, 403, 204],
        ),
        (
            Method::POST,
            |_| "/coalitions".into(),
            |_| Some(json!({"country_code": "HR", "name": "New", "status": "inactive"})),
            [401, 403, 403, 201],
        ),
        (
            Method::PUT,
            |f| format!("/coalitions/{}", f.c),
            |_| Some(json!({"country_code": "LT", "name": "Renamed", "status": "inactive"})),
            [401, 200, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/coalitions/{}", f.c),
            |_| Some(json!({"description": "Updated"})),
            [401, 200, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/coalitions/{}", f.c),
            |_| Some(json!({"country_code": "LU"})),
            [401, 403, 403, 200],
        ),
        (
            Method::DELETE,
            |f| format!("/coalitions/{}", f.c),
            |_| None,
            [401, 403, 403, 204],
        ),
        (
            Method::POST,
            |_| "/organisations".into(),
            |_| Some(json!({"name": "New org", "sector": "private"})),
            [401, 201, 201, 201],
        ),
        (
            Method::PUT,
            |f| format!("/organisations/{}", f.o),
            |_| Some(json!({"name": "Renamed org", "sector": "public"})),
            [401, 200, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/organisations/{}", f.o),
            |_| Some(json!({"acronym": "FO"})),
            [401, 200, 403, 200],
        ),
        (
            Method::DELETE,
            |f| format!("/organisations/{}", f.o),
            |_| None,
            [401, 403, 403, 204],
        ),
        (
            Method::POST,
            |f| format!("/coalitions/{}/members", f.c),
            |_| None,
            [401, 201, 403, 201],
        ),
        (
            Method::PUT,
            |f| format!("/coalitions/{}/members/{}", f.c, f.m),
            |f| Some(json!({"organisation_id": f.o, "role": "partner"})),
            [401, 200, 403, 200],
        ),
        (
            Method::PATCH,
            |f| format!("/coalitions/{}/members/{}", f.c, f.m),
            |_| Some(json!({"role": "observer"})),
            [401, 200, 403, 200],
        ),
        (
            Method::DELETE,
            |f| format!("/coalitions/{}/members/{}", f.c, f.m),
            |_| None,
            [401, 204, 403, 204],
        ),
    ]
}

/// A snapshot of what the fixture's records look like, to prove denied writes changed nothing.
async fn snapshot(app: &TestApp, f: &Fixture) -> Vec<Value> {
    let mut state = Vec::new();
    for path in [
        format!("/coalitions/{}", f.c),
        format!("/organisations/{}", f.o),
        format!("/coalitions/{}/members/{}", f.c, f.m),
        "/countries/MT".into(),
        "/countries/LI".into(),
    ] {
        state.push(app.get(&path).await.body);
    }
    state.push(app.get("/coalitions?count=true&limit=1").await.body["page"]["total"].clone());
    state.push(app.get("/organisations?limit=1").await.body["page"]["total"].clone());
    state.push(app.get("/countries?limit=1").await.body["page"]["total"].clone());
    state
}

async fn every_write_route_is_authorised(app: TestApp) {
    for (method, path, body, expected) in routes() {
        for (i, who) in [Who::Anonymous, Who::EditorOfThis, Who::EditorOfOther, Who::Admin]
            .into_iter()
            .enumerate()
        {
            let f = fixture(&app).await;
            let token = match who {
                Who::Anonymous => None,
                Who::EditorOfThis => Some(app.editor(&[&f.c])),
                Who::EditorOfOther => Some(app.editor(&[&f.other])),
                Who::Admin => Some(app.admin()),
            };
            // A fresh organisation for membership creation, so the request is valid for everyone.
            let body = match (&method, body(&f)) {
                (&Method::POST, None) => {
                    Some(json!({"organisation_id": app.organisation("Joiner", "LT").await, "role": "member"}))
                }
                (_, b) => b,
            };
            let before = snapshot(&app, &f).await;
            let reply = app.request(method.clone(), &path(&f), token.as_deref(), body).await;
            let label = format!("{method} {} as {who:?}", path(&f));
            assert_eq!(reply.status.as_u16(), expected[i], "{label}: {}", reply.text);
            if expected[i] >= 400 {
                reply.problem(expected[i]);
                if expected[i] == 401 {
                    assert!(
                        reply
                            .header("www-authenticate")
                            .unwrap_or_default()
                            .starts_with("Bearer"),
                        "{label}"
                    );
                }
                assert_eq!(snapshot(&app, &f).await, before, "{label}: a denied write changed data");
            }
            // Undo country changes so the next attempt starts from the same state.
            if expected[i] < 400 && path(&f).starts_with("/countries") {
                let admin = app.admin();
                match (method.as_str(), path(&f).as_str()) {
                    ("POST", _) => {
                        app.delete("/countries/XK", Some(&admin)).await.ok(204);
                    }
                    ("DELETE", _) => {
                        app.post("/countries", Some(&admin), json!({"code": "LI", "eu_code": "LI", "name": "Liechtenstein", "native_name": "Liechtenstein", "groups": ["eea", "efta"]}))
                            .await
                            .ok(201);
                    }
                    _ => {}
                }
            }
        }
    }
}

fn claims(role: &str, exp_offset: i64) -> Value {
    json!({"sub": "mallory", "role": role, "coalitions": [], "exp": chrono::Utc::now().timestamp() + exp_offset})
}

fn b64(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn bad_tokens_are_rejected(app: TestApp) {
    let body = json!({"country_code": "HR", "name": "Sneaky", "status": "inactive"});
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims("admin", 3600))
    );
    let other_secret = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims("admin", 3600),
        &EncodingKey::from_secret(b"another-secret-another-secret-another-secret"),
    )
    .unwrap();
    let other_algorithm = jsonwebtoken::encode(
        &Header::new(Algorithm::HS384),
        &claims("admin", 3600),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let expired = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims("admin", -3600),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let unknown_role = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims("superuser", 3600),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let sign = |claims: &serde_json::Value| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    };
    let now = chrono::Utc::now().timestamp();
    let mut future = claims("admin", 3600);
    future["nbf"] = json!(now + 600);
    let not_yet = sign(&future);
    let mut future = claims("admin", 3600);
    future["iat"] = json!(now + 600);
    let issued_later = sign(&future);
    let mut nobody = claims("admin", 3600);
    nobody["sub"] = json!("");
    let empty_sub = sign(&nobody);
    let critical = {
        let head = b64(&json!({"alg": "HS256", "typ": "JWT", "crit": ["exp"]}));
        let body = b64(&claims("admin", 3600));
        let signing_input = format!("{head}.{body}");
        let signature = jsonwebtoken::crypto::sign(
            signing_input.as_bytes(),
            &EncodingKey::from_secret(SECRET.as_bytes()),
            Algorithm::HS256,
        )
        .unwrap();
        format!("{signing_input}.{signature}")
    };
    for (name, token, why) in [
        ("nbf in the future", not_yet.as_str(), "nbf"),
        ("iat in the future", issued_later.as_str(), "iat"),
        ("empty sub", empty_sub.as_str(), "sub"),
        ("crit header", critical.as_str(), "crit"),
        ("alg none", unsigned.as_str(), ""),
        ("other secret", other_secret.as_str(), "signature"),
        ("HS384", other_algorithm.as_str(), "algorithm"),
        ("expired", expired.as_str(), "expired"),
        ("unknown role", unknown_role.as_str(), "role"),
        ("garbage", "not.a.jwt", ""),
    ] {
        let reply = app.post("/coalitions", Some(token), body.clone()).await;
        let problem = reply.problem(401);
        assert!(
            problem["detail"].as_str().unwrap().contains(why),
            "{name}: {}",
            reply.text
        );
        assert!(
            reply.header("www-authenticate").unwrap().starts_with("Bearer"),
            "{name}"
        );
    }
    let basic = app
        .client
        .post(app.url("/coalitions"))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    // The scheme is case-insensitive (RFC 7235).
    let token = app.admin();
    for scheme in ["bearer", "BEARER", "Bearer", "bEaReR"] {
        let reply = app
            .client
            .get(app.url("/coalitions"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "{scheme}");
        assert_eq!(
            reply.headers()["cache-control"],
            "private, no-cache",
            "{scheme}: authenticated"
        );
    }
    // An invalid token on a read is an error too, never silently anonymous.
    app.get_as("/coalitions", &expired).await.problem(401);
    assert_eq!(
        app.get("/coalitions").await.ok(200)["page"]["total"],
        0,
        "nothing was created"
    );
}

async fn issuer_and_audience_are_checked(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = spawn_with(backend, |s| {
        s.jwt_issuer = Some("https://idp.example.eu".into());
        s.jwt_audience = Some("coalition-registry".into());
    })
    .await
    .expect("app");
    let body = json!({"country_code": "HR", "name": "Croatian coalition", "status": "planned"});
    app.post("/coalitions", Some(&app.admin()), body.clone()).await.ok(201);
    let mut wrong = claims("admin", 3600);
    wrong["iss"] = json!("https://idp.example.eu");
    wrong["aud"] = json!("someone-else");
    let wrong_audience = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &wrong,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let reply = app.post("/coalitions", Some(&wrong_audience), body.clone()).await;
    assert!(reply.problem(401)["detail"].as_str().unwrap().contains("audience"));
    // `aud` may be an array that contains the configured audience (RFC 7519 §4.1.3).
    let mut several = claims("admin", 3600);
    several["iss"] = json!("https://idp.example.eu");
    several["aud"] = json!(["portal", "coalition-registry"]);
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &several,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let other = json!({"country_code": "SI", "name": "Slovenian coalition", "status": "planned"});
    app.post("/coalitions", Some(&token), other).await.ok(201);
    several["aud"] = json!(["portal", "elsewhere"]);
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &several,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let reply = app.post("/coalitions", Some(&token), body.clone()).await;
    assert!(reply.problem(401)["detail"].as_str().unwrap().contains("audience"));
    let no_issuer = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims("admin", 3600),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    app.post("/coalitions", Some(&no_issuer), body).await.problem(401);
}

async fn editors_read_like_everyone(app: TestApp) {
    let c = app.coalition("BG", "Bulgarian coalition").await;
    let reply = app.get_as(&format!("/coalitions/{c}"), &app.editor(&[&c])).await;
    assert_eq!(reply.ok(200)["id"], json!(c));
}

crate::backend_tests!(
    every_write_route_is_authorised,
    bad_tokens_are_rejected,
    issuer_and_audience_are_checked,
    editors_read_like_everyone
);

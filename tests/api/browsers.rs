//! CORS: every origin may read; authenticated writes only from configured origins.

use crate::common::{spawn_with, Reply, TestApp};

async fn preflight(app: &TestApp, origin: &str, method: &str) -> Reply {
    Reply::from(
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/coalitions"))
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "authorization, content-type")
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn any_origin_reads_configured_origins_write(app: TestApp) {
    let backend = app.backend;
    drop(app);
    let app = spawn_with(backend, |s| {
        s.cors_allowed_origins = vec!["https://portal.example.eu".into()]
    })
    .await
    .unwrap();

    let read = Reply::from(
        app.client
            .get(app.url("/countries?limit=1"))
            .header("origin", "https://partner.example.org")
            .send()
            .await
            .unwrap(),
    )
    .await;
    read.ok(200);
    assert_eq!(
        read.header("access-control-allow-origin"),
        Some("https://partner.example.org")
    );
    let exposed = read.header("access-control-expose-headers").unwrap().to_lowercase();
    for header in ["etag", "link", "x-request-id"] {
        assert!(exposed.contains(header), "{header} exposed: {exposed}");
    }

    let get_preflight = preflight(&app, "https://partner.example.org", "GET").await;
    assert_eq!(get_preflight.status, 200);
    assert_eq!(
        get_preflight.header("access-control-allow-origin"),
        Some("https://partner.example.org")
    );

    let write_from_partner = preflight(&app, "https://partner.example.org", "POST").await;
    write_from_partner.problem(400);
    assert!(write_from_partner.header("access-control-allow-origin").is_none());

    let write_from_portal = preflight(&app, "https://portal.example.eu", "PATCH").await;
    assert_eq!(write_from_portal.status, 200);
    assert_eq!(
        write_from_portal.header("access-control-allow-origin"),
        Some("https://portal.example.eu")
    );
    let methods = write_from_portal.header("access-control-allow-methods").unwrap();
    assert!(methods.contains("PATCH"), "{methods}");
    let allowed_headers = write_from_portal
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(allowed_headers.contains("authorization"), "{allowed_headers}");

    let direct_write = Reply::from(
        app.client
            .post(app.url("/coalitions"))
            .header("origin", "https://evil.example.com")
            .bearer_auth(app.admin())
            .header("content-type", "application/json")
            .body(r#"{"country_code":"IT","original_language":"it","name":{"it":"x"},"status":"planned"}"#)
            .send()
            .await
            .unwrap(),
    )
    .await;
    direct_write.problem(400);
    assert_eq!(app.get("/coalitions").await.body["page"]["total"], 0);
}

/// The Swagger UI the service serves writes from the service's own origin: not cross-origin,
/// so allowed with the default configuration (no `CORS_ALLOWED_ORIGINS`); a refusal never
/// claims an encoding its body does not have.
async fn the_docs_write_from_their_own_origin(app: TestApp) {
    let own = app.base.trim_end_matches('/').to_string();
    let allowed = preflight(&app, &own, "POST").await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(own.as_str()));
    let write = Reply::from(
        app.client
            .post(app.url("/coalitions"))
            .header("origin", &own)
            .header("accept-encoding", "gzip")
            .bearer_auth(app.admin())
            .header("content-type", "application/json")
            .body(r#"{"country_code":"IT","original_language":"it","name":{"it":"Coalizione italiana"},"status":"planned"}"#)
            .send()
            .await
            .unwrap(),
    )
    .await;
    write.ok(201);
    let other_port = own.rsplit_once(':').map(|(h, _)| format!("{h}:1")).unwrap();
    let refused = Reply::from(
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/coalitions"))
            .header("origin", &other_port)
            .header("accept-encoding", "gzip")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap(),
    )
    .await;
    refused.problem(400);
    assert_eq!(
        refused.header("content-encoding"),
        None,
        "a plain body is not labelled gzip"
    );
}

crate::backend_tests!(
    the_docs_write_from_their_own_origin,
    any_origin_reads_configured_origins_write
);

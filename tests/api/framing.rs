//! What a client sees when the request itself is broken or slow, over a raw socket: the
//! errors the HTTP layer answers by itself (unparsable request, oversized head, slow head) and
//! slow or withheld bodies are problem+json, and nothing holds a connection for long.
//!
//! These run on SQLite only: nothing here reaches the database.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::{spawn_with, Backend, TestApp};

/// What came back on a raw connection: status, headers (lower-case names), body, and how long
/// until the server answered and closed the connection.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    took: Duration,
    closed: bool,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    #[track_caller]
    fn problem(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status, status, "status; body: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        let body: serde_json::Value = serde_json::from_str(&self.body).expect("a JSON problem");
        assert_eq!(body["status"], status);
        for field in ["type", "title", "detail"] {
            assert!(body[field].is_string(), "problem lacks `{field}`: {}", self.body);
        }
        body
    }
}

/// Send `bytes` (then nothing more), and read until the server closes the connection or
/// `wait` passes.
async fn exchange(app: &TestApp, bytes: Vec<u8>, wait: Duration) -> Raw {
    let address = app.base.trim_start_matches("http://").to_string();
    actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).expect("connect");
        stream.set_read_timeout(Some(wait)).unwrap();
        let started = Instant::now();
        // The server may answer (and close) before it has read everything we send.
        let _ = stream.write_all(&bytes);
        let mut received = Vec::new();
        let mut buffer = [0u8; 8192];
        let closed = loop {
            match stream.read(&mut buffer) {
                Ok(0) => break true,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                Err(_) => break false,
            }
        };
        let took = started.elapsed();
        let text = String::from_utf8_lossy(&received).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Raw {
            status,
            headers,
            body: body.to_string(),
            took,
            closed,
        }
    })
    .await
    .unwrap()
}

async fn spawn_quick() -> TestApp {
    spawn_with(Backend::Sqlite, |settings| settings.request_timeout_secs = 1)
        .await
        .expect("SQLite is always available")
}

#[actix_web::test]
async fn the_http_layer_answers_with_problems() {
    let app = spawn_quick().await;
    let wait = Duration::from_secs(5);
    // Bytes HTTP does not allow, in a header value, a header name, the request line.
    for request in [
        b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nX-Note: a\x01b\r\n\r\n".to_vec(),
        b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nX-Note: a\x00b\r\n\r\n".to_vec(),
        b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n".to_vec(),
        b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nX-Note\xff: y\r\n\r\n".to_vec(),
        b"GET /api/v1/coun tries x HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!".to_vec(),
        b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".to_vec(),
    ] {
        let raw = exchange(&app, request.clone(), wait).await;
        let problem = raw.problem(400);
        assert!(
            problem["detail"].as_str().unwrap().contains("could not be parsed"),
            "{}: {}",
            String::from_utf8_lossy(&request).escape_debug(),
            raw.body
        );
        assert!(raw.closed, "the connection is closed after an unparsable request");
    }

    // A head larger than the server accepts.
    let mut large = b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..200 {
        large.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "v".repeat(500)).as_bytes());
    }
    large.extend_from_slice(b"\r\n");
    let raw = exchange(&app, large, wait).await;
    raw.problem(431);

    // A head that never finishes: 408 after the configured second, and the connection closes.
    let raw = exchange(&app, b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\n".to_vec(), wait).await;
    raw.problem(408);
    assert!(raw.closed, "closed after the slow head");
    assert!(
        raw.took < Duration::from_secs(4),
        "the slow head was held {:?}",
        raw.took
    );

    // The service still answers.
    app.get("/countries/LV").await.ok(200);
}

#[actix_web::test]
async fn slow_or_withheld_bodies_get_408() {
    let app = spawn_quick().await;
    let token = app.admin();
    let wait = Duration::from_secs(6);
    let body = br#"{"original_language": "lv", "name": {"lv": "Slow"}, "sector": "private", "country_code": "LV"}"#;
    for idempotency in [None, Some("slow-body-key-1")] {
        for sent in [0, 10] {
            let mut request = format!(
                "POST /api/v1/organisations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
            if let Some(key) = idempotency {
                request.push_str(&format!("Idempotency-Key: {key}-{sent}\r\n"));
            }
            request.push_str("\r\n");
            let mut bytes = request.into_bytes();
            bytes.extend_from_slice(&body[..sent]);
            let raw = exchange(&app, bytes, wait).await;
            let problem = raw.problem(408);
            assert!(
                problem["detail"].as_str().unwrap().contains("did not arrive"),
                "{}",
                raw.body
            );
            assert!(raw.closed, "the connection closes after a withheld body");
            assert!(
                raw.took < Duration::from_secs(4),
                "a withheld body was held {:?} (idempotency {idempotency:?}, {sent} bytes sent)",
                raw.took
            );
        }
    }
    let names: Vec<serde_json::Value> = app
        .walk("/organisations")
        .await
        .into_iter()
        .map(|o| o["name"]["lv"].clone())
        .collect();
    assert!(
        !names.contains(&serde_json::json!("Slow")),
        "a withheld body created a record"
    );
    // The whole body, sent at once, is a normal request.
    let mut bytes = format!(
        "POST /api/v1/organisations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    let raw = exchange(&app, bytes, wait).await;
    assert_eq!(raw.status, 201, "{}", raw.body);
}

//! Probes for orchestrators: `GET /health/live` (the process answers; touches nothing) and
//! `GET /health/ready` (the database answers and has every migration this binary knows). A
//! replica that is not ready answers `503` problem+json, so a load balancer sends it nothing.
//! `/api/v1/health` (the API's own health resource) keeps working beside them.

use actix_web::HttpResponse;
use serde_json::json;

use crate::http::error::ApiError;
use crate::http::{Db, Reply};

/// `GET /health/live`: 200 while the process serves requests.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "live"}))
}

/// `GET /health/ready`: 200 when the database answers and is fully migrated, else 503.
pub async fn ready(db: Db) -> Reply {
    if db.migrations_pending().await? {
        return Err(ApiError::Unavailable(
            "the database lacks migrations this version needs; it is being migrated".into(),
        ));
    }
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}

/// `coalition-registry healthcheck`: ask the running service on this machine for `path`
/// (`/health/ready`) at the port of `bind_addr`, over loopback, with a 2-second budget; `Ok`
/// on a 200. For container health checks, so the image needs no curl (and no shell).
pub fn check(bind_addr: &str, path: &str) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::time::Duration;
    let port: u16 = bind_addr
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("BIND_ADDR `{bind_addr}` has no port"))?;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let budget = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&address, budget)?;
    stream.set_read_timeout(Some(budget))?;
    stream.set_write_timeout(Some(budget))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head)?;
    let status_line = String::from_utf8_lossy(&head[..read]);
    let status = status_line.split(' ').nth(1).unwrap_or_default();
    if status == "200" {
        Ok(())
    } else {
        anyhow::bail!("{path} answered `{}`", status_line.lines().next().unwrap_or_default())
    }
}

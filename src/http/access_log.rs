//! One log line per request, written when its response head is ready: method, path (with its
//! query), route template, status, latency, request id, client address and the caller's `sub`
//! — never a header's value, so never a token. The fields ride as structured key-values, so
//! `LOG_FORMAT=json` writes them as JSON members (see `main.rs`); the text format shows the
//! classic line.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use crate::http::auth::Authenticated;

/// The middleware (outermost: it times everything the service does for the request).
pub async fn logged<B: MessageBody>(req: ServiceRequest, next: Next<B>) -> Result<ServiceResponse<B>, Error> {
    let started = Instant::now();
    let response = next.call(req).await?;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let request = response.request();
    let route = request.match_pattern().unwrap_or_else(|| "unmatched".into());
    let sub = request.extensions().get::<Authenticated>().map(|a| a.0.sub.clone());
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let peer = request
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "-".into());
    let target = match request.query_string() {
        "" => request.path().to_string(),
        query => format!("{}?{query}", request.path()),
    };
    let status = response.status().as_u16();
    log::info!(
        target: "access",
        method = request.method().as_str(),
        path = target.as_str(),
        route = route.as_str(),
        status = status,
        latency_ms = (latency_ms * 1000.0).round() / 1000.0,
        request_id = request_id.as_str(),
        peer = peer.as_str(),
        sub = sub.as_deref().unwrap_or("-");
        "{peer} \"{} {target}\" {status} {latency_ms:.3}ms id={request_id}",
        request.method()
    );
    Ok(response)
}

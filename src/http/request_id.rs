//! `X-Request-Id` on every response: echoed when the client sent a sane one, generated otherwise.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

/// The header name, lowercase.
pub const HEADER: &str = "x-request-id";

/// The request's id, available to handlers through request extensions.
#[derive(Debug, Clone)]
pub struct Id(pub String);

fn acceptable(value: &str) -> bool {
    !value.is_empty() && value.len() <= 200 && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Tag the request and its response with an id (wrapped with `from_fn`, see `app.rs`).
pub async fn tagged(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(Id(id.clone()));
    let mut response = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HeaderName::from_static(HEADER), value);
    }
    Ok(response)
}

/// `HEAD` on any `GET` route (RFC 9110 §9.3.2): the request runs as the `GET` it mirrors, with
/// the same status and headers (`ETag`, `Content-Type`, …); the connection leaves the body out
/// because the request line said `HEAD` (wrapped with `from_fn`, see `app.rs`).
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

//! Conditional requests and HTTP caching.
//!
//! - Single records carry a strong `ETag` derived from their `version` (`"3"`), set by the
//!   handlers; JSON lists get one derived from the body, set here.
//! - `If-None-Match` on a GET answers 304 with no body when it matches.
//! - `If-Match` on PUT, PATCH and DELETE ([`IfMatch`]) answers 412 when stale; without it the
//!   write proceeds.
//! - Anonymous GETs are `Cache-Control: public, max-age=<CACHE_MAX_AGE>`, authenticated ones
//!   `private, no-cache`; both vary on `Authorization`.

use std::future::{ready, Ready};

use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpRequest, HttpResponse};
use base64::Engine;

use crate::http::error::ApiError;

/// The entity tag of a record at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A 200 response for a record, with its version's `ETag`.
pub fn versioned<T: serde::Serialize>(version: i64, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// Add `name` to the response's `Vary`, kept as one header (the CORS layer keeps only one).
pub fn vary(headers: &mut actix_web::http::header::HeaderMap, name: &str) {
    let value = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
        Some(current) if current.split(',').any(|v| v.trim().eq_ignore_ascii_case(name)) => return,
        Some(current) if !current.trim().is_empty() => format!("{current}, {name}"),
        _ => name.to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(header::VARY, value);
    }
}

fn tags(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|t| !t.is_empty())
}

/// `If-Match` of a write: absent (proceed), or entity tags of which one must be current.
#[derive(Debug, Default, Clone)]
pub struct IfMatch(Option<String>);

impl IfMatch {
    /// 412 unless the header is absent, `*`, or names the record's current version.
    /// Comparison is strong: weak tags (`W/"3"`) never match.
    pub fn check(&self, version: i64) -> Result<(), ApiError> {
        let Some(value) = &self.0 else { return Ok(()) };
        let current = etag(version);
        // A representation's tag names the version and the languages shown (`"3.lv"`).
        let of_version = format!("\"{version}.");
        if tags(value).any(|t| t == "*" || t == current || t.starts_with(&of_version)) {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "If-Match {value} does not match the current version ETag {current}; fetch the record and retry"
            )))
        }
    }
}

impl IfMatch {
    /// For a write that would create the record: any `If-Match` fails (there is no current
    /// representation to match, RFC 9110 §13.1.1).
    pub fn check_absent(&self) -> Result<(), ApiError> {
        match &self.0 {
            None => Ok(()),
            Some(value) => Err(ApiError::PreconditionFailed(format!(
                "If-Match {value} was sent, but there is no such record yet"
            ))),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<IfMatch, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let values: Vec<&str> = req
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|v| v.to_str().ok())
            .collect();
        ready(Ok(IfMatch((!values.is_empty()).then(|| values.join(", ")))))
    }
}

/// Whether `If-None-Match` matches `etag` (weak comparison, as RFC 9110 asks for GET).
pub fn none_match_hits(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim_start_matches("W/").to_string();
    tags(if_none_match).any(|t| t == "*" || bare(t) == bare(etag))
}

/// A strong entity tag for a response body: 128 bits of its BLAKE3 hash (a cryptographic
/// hash several times faster than SHA-256 here, which mattered at 50 records a page).
fn content_etag(body: &[u8]) -> String {
    let digest = blake3::hash(body);
    format!(
        "\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_bytes()[..16])
    )
}

/// Conditional requests and `Cache-Control` for one response (wrapped with `from_fn`, see
/// `app.rs`); `max_age` is the `Cache-Control` max-age of anonymous reads, in seconds.
pub async fn conditional(
    req: ServiceRequest,
    next: Next<BoxBody>,
    max_age: u32,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = next.call(req).await?;
    if !read || response.status() != StatusCode::OK {
        return Ok(response.map_into_boxed_body());
    }
    let (req, mut res) = response.into_parts();
    let cache_control = if authenticated {
        "private, no-cache".to_string()
    } else {
        format!("public, max-age={max_age}")
    };
    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    vary(headers, "Authorization");
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let mut res = res.map_into_boxed_body();
    if is_json && !res.headers().contains_key(header::ETAG) {
        // Lists and other JSON: the tag is the content's. (CSV is streamed, untagged.)
        let (head, body) = res.into_parts();
        let bytes = actix_web::body::to_bytes(body)
            .await
            .map_err(|_| actix_web::error::ErrorInternalServerError("reading a response body"))?;
        let tag = content_etag(&bytes);
        res = head.set_body(BoxBody::new(bytes));
        if let Ok(value) = HeaderValue::from_str(&tag) {
            res.headers_mut().insert(header::ETAG, value);
        }
    }
    let current = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let (Some(tag), Some(inm)) = (current, if_none_match) {
        if none_match_hits(&inm, &tag) {
            let mut not_modified = HttpResponse::NotModified();
            for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
                for value in res.headers().get_all(&name) {
                    not_modified.append_header((name.clone(), value.clone()));
                }
            }
            return Ok(ServiceResponse::new(req, not_modified.finish()));
        }
    }
    Ok(ServiceResponse::new(req, res))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_is_strong_and_lists_work() {
        assert!(IfMatch(None).check(3).is_ok());
        assert!(IfMatch(Some("\"3\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("\"1\", \"3\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("*".into())).check(3).is_ok());
        assert!(IfMatch(Some("\"2\"".into())).check(3).is_err());
        assert!(IfMatch(Some("W/\"3\"".into())).check(3).is_err());
        assert!(IfMatch(Some("\"3.lv\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("\"31.lv\"".into())).check(3).is_err());
    }

    #[test]
    fn if_none_match_is_weak() {
        assert!(none_match_hits("W/\"3\"", "\"3\""));
        assert!(none_match_hits("\"1\", \"3\"", "\"3\""));
        assert!(none_match_hits("*", "\"3\""));
        assert!(!none_match_hits("\"2\"", "\"3\""));
    }
}

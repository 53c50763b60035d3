//! Request parsing with precise errors: JSON bodies (media type, size, syntax, then typed
//! fields with their JSON paths) and query strings (unknown parameters rejected).

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::http::error::{ApiError, FieldError};

/// Most records one `…/batch` body may carry.
pub const MAX_BATCH: usize = 500;

/// How many times `MAX_BODY_BYTES` a `…/batch` body may be.
pub const BATCH_FACTOR: usize = 16;

/// Largest accepted request body, in bytes (set from the settings as app data).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A request body that is syntactically valid JSON, not yet typed. Typing happens with
/// [`typed`], after authorisation and, for PATCH, after merging onto the stored record.
#[derive(Debug)]
pub struct JsonBody(pub serde_json::Value);

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<JsonBody, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = body_limit(req);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        let is_patch = req.method() == actix_web::http::Method::PATCH;
        let declared_too_large = declared_over(req, limit);
        let timeout = body_timeout(req);
        let payload = payload.take();
        Box::pin(async move {
            check_media_type(content_type.as_deref(), is_patch)?;
            if declared_too_large {
                return Err(too_large(limit));
            }
            let body = read_body(payload, limit, timeout).await?;
            if body.is_empty() {
                return Err(ApiError::MalformedJson(
                    "the request body is empty; a JSON document is expected".into(),
                ));
            }
            let value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| ApiError::MalformedJson(format!("the request body is not valid JSON: {e}")))?;
            crate::http::screen::body_strings(&value)?;
            Ok(JsonBody(value))
        })
    }
}

/// The largest body this request may carry: the configured limit, times [`BATCH_FACTOR`]
/// for a batch (up to 500 records may be larger than one record's body).
pub fn body_limit(req: &HttpRequest) -> usize {
    let single = req.app_data::<BodyLimit>().map(|l| l.0).unwrap_or(1_048_576);
    if req.path().ends_with("/batch") {
        single * BATCH_FACTOR
    } else {
        single
    }
}

/// How long a request's body may take to arrive, from when it is first read.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// The body timeout in force (10 s unless configured).
pub fn body_timeout(req: &HttpRequest) -> std::time::Duration {
    req.app_data::<BodyTimeout>()
        .map_or(std::time::Duration::from_secs(10), |t| t.0)
}

/// Read a whole body: 413 as soon as it passes `limit`, 408 when it has not all arrived
/// within `timeout` (a slow or withheld body holds no connection longer than that; the
/// unread rest makes the server close the connection after the response).
pub async fn read_body(
    mut payload: Payload,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<web::Bytes, ApiError> {
    let read = async move {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::BadRequest {
                detail: format!("could not read the request body: {e}"),
                errors: Vec::new(),
            })?;
            if body.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    tokio::time::timeout(timeout, read).await.unwrap_or_else(|_| {
        Err(ApiError::RequestTimeout(format!(
            "the request body did not arrive within {} seconds",
            timeout.as_secs_f64()
        )))
    })
}

/// Whether the request declares (`Content-Length`) a body over `limit`: refused unread.
pub fn declared_over(req: &HttpRequest, limit: usize) -> bool {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > limit)
}

/// 413 for a body over `limit`.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!("the request body is larger than the limit of {limit} bytes"))
}

fn check_media_type(content_type: Option<&str>, is_patch: bool) -> Result<(), ApiError> {
    let expected = if is_patch {
        "application/merge-patch+json (or application/json)"
    } else {
        "application/json"
    };
    match content_type {
        Some("application/json") => Ok(()),
        Some("application/merge-patch+json") if is_patch => Ok(()),
        Some(other) => Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type `{other}` is not supported here; send {expected}"
        ))),
        None => Err(ApiError::UnsupportedMediaType(format!(
            "the request has no Content-Type; send {expected}"
        ))),
    }
}

/// Type a JSON document, reporting the first failure with its JSON path as a 422.
pub fn typed<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        ApiError::Validation(vec![field_error(&path, &e.inner().to_string())])
    })
}

/// Turn a serde message at `path` into a field error with a stable code.
fn field_error(path: &str, message: &str) -> FieldError {
    let parent = if path == "." { "" } else { path };
    let join = |name: &str| {
        if parent.is_empty() {
            name.to_string()
        } else {
            format!("{parent}.{name}")
        }
    };
    if let Some(name) = backticked(message, "unknown field `") {
        // serde_path_to_error's path already ends in the unknown field's name.
        let field = if parent.is_empty() { name } else { parent };
        return FieldError::new(
            field,
            "unknown_field",
            format!("`{name}` is not a field of this resource, or is set by the server"),
        );
    }
    if let Some(name) = backticked(message, "missing field `") {
        return FieldError::new(join(name), "required", "this field is required");
    }
    let code = if message.starts_with("invalid type") {
        "invalid_type"
    } else if message.starts_with("unknown variant") {
        "unknown_value"
    } else {
        "invalid_value"
    };
    FieldError::new(parent, code, message.to_string())
}

fn backticked<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

/// The query parameters an empty value leaves out (`cursor=` is the first page, `sort=` the
/// default order, `q=` no search, `include=` nothing embedded). Any other parameter sent
/// empty (`page=`, `limit=`, `count=`, `status=`, `coalition=`) is a 400: an empty number,
/// flag, code or id is a mistake to report, not a default to guess. The document says the
/// same (`minLength: 1`, `openapi::refine`).
pub const EMPTY_IS_ABSENT: [&str; 5] = ["cursor", "after", "sort", "q", "include"];

/// Parse a query string into `T` (which denies unknown fields); errors are 400s naming the parameter.
/// `lang`, every route's, is read by the language middleware (`http::language`) and left out.
pub fn query<T: DeserializeOwned>(query_string: &str) -> Result<T, ApiError> {
    let without_lang;
    let query_string = if query_string.split('&').any(|p| p == "lang" || p.starts_with("lang=")) {
        without_lang = query_string
            .split('&')
            .filter(|p| *p != "lang" && !p.starts_with("lang="))
            .collect::<Vec<_>>()
            .join("&");
        without_lang.as_str()
    } else {
        query_string
    };
    let empty = |key: &str| ApiError::bad_param(key, "empty", "is empty: give it a value or leave the parameter out");
    let sent_empty: Vec<String> = form_urlencoded::parse(query_string.as_bytes())
        .filter(|(key, value)| value.is_empty() && !EMPTY_IS_ABSENT.contains(&key.as_ref()))
        .map(|(key, _)| key.into_owned())
        .collect();
    match parse_query_string::<T>(query_string) {
        Ok(parsed) => match sent_empty.first() {
            Some(key) => Err(empty(key)),
            None => Ok(parsed),
        },
        // An empty value the type refuses (an enum, a number) is reported as empty; an
        // unknown parameter stays unknown.
        Err(ApiError::BadRequest { errors, .. })
            if errors
                .first()
                .is_some_and(|e| e.code != "unknown_parameter" && sent_empty.contains(&e.field)) =>
        {
            Err(empty(&errors[0].field))
        }
        Err(e) => Err(e),
    }
}

fn parse_query_string<T: DeserializeOwned>(query_string: &str) -> Result<T, ApiError> {
    let parse = form_urlencoded::parse(query_string.as_bytes());
    let deserializer = serde_html_form::Deserializer::new(parse);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        if let Some(name) = backticked(&message, "unknown field `") {
            return ApiError::bad_param(
                name,
                "unknown_parameter",
                "this endpoint does not take this query parameter",
            );
        }
        let field = if path == "." { "query".to_string() } else { path };
        let field = field.split('[').next().unwrap_or(&field).to_string();
        ApiError::bad_param(&field, "invalid_value", message)
    })
}

/// For endpoints without query parameters: any parameter is unknown, hence a 400.
#[derive(Debug)]
pub struct NoQuery;

/// No query parameters at all (any is a 400).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

impl FromRequest for NoQuery {
    type Error = ApiError;
    type Future = std::future::Ready<Result<NoQuery, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(query::<NoParams>(req.query_string()).map(|_| NoQuery))
    }
}

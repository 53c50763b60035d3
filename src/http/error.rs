//! The one error type of the API and its RFC 9457 `application/problem+json` rendering.
//! This is the only place that maps errors to HTTP statuses.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field-level validation failure.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// The field, as a JSON path into the request (`activity_areas[1]`) or a query parameter name.
    pub field: String,
    /// A stable machine-readable code, e.g. `required`, `invalid_type`, `unknown_field`, `too_long`.
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem details body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference identifying the problem type (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence.
    pub detail: String,
    /// Field-level errors, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: a query parameter or header is malformed or unknown.
    #[error("{detail}")]
    BadRequest {
        /// what is wrong
        detail: String,
        /// per-parameter errors
        errors: Vec<FieldError>,
    },
    /// 400: the body is not syntactically valid JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// 401: no valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: valid credentials without the right.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such resource (or one the caller may not see).
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists but not with this method.
    #[error("{method} is not allowed here; allowed: {}", allow.join(", "))]
    MethodNotAllowed {
        /// the method used
        method: String,
        /// the methods the path supports
        allow: Vec<String>,
    },
    /// 409: the write conflicts with the current state (uniqueness, references, concurrent edit).
    #[error("{0}")]
    Conflict(String),
    /// 410: a change-feed cursor older than the compaction horizon.
    #[error("{0}")]
    Gone(String),
    /// 412: `If-Match` names a version that is no longer current.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 408: the request's body did not arrive in time.
    #[error("{0}")]
    RequestTimeout(String),
    /// 413: the body is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body has the wrong media type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the body is well-formed JSON but invalid.
    #[error("the request body is invalid")]
    Validation(Vec<FieldError>),
    /// 429: the caller has used its rate-limit budget.
    #[error("{detail}")]
    TooManyRequests {
        /// which budget, and when to retry
        detail: String,
        /// seconds until a retry can succeed (`Retry-After`)
        retry_after: u64,
    },
    /// 503: the database is unreachable or the pool is exhausted.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected database failure; details are logged, never sent.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 for one bad query parameter.
    pub fn bad_param(field: &str, code: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("invalid query parameter `{field}`: {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    /// A 422 for one invalid field.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    fn problem_type(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "urn:coalition-registry:problem:invalid-request",
            ApiError::MalformedJson(_) => "urn:coalition-registry:problem:malformed-json",
            ApiError::Validation(_) => "urn:coalition-registry:problem:validation-error",
            ApiError::Conflict(_) => "urn:coalition-registry:problem:conflict",
            ApiError::Gone(_) => "urn:coalition-registry:problem:resync-required",
            ApiError::TooManyRequests { .. } => "urn:coalition-registry:problem:rate-limited",
            _ => "about:blank",
        }
    }

    fn title(&self) -> String {
        match self {
            ApiError::BadRequest { .. } => "Invalid request".into(),
            ApiError::MalformedJson(_) => "Malformed JSON".into(),
            ApiError::Validation(_) => "Validation failed".into(),
            _ => self.status_code().canonical_reason().unwrap_or("Error").into(),
        }
    }

    /// The problem body this error renders as.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged".to_string(),
            ApiError::Validation(errors) if errors.len() == 1 => {
                format!("`{}`: {}", errors[0].field, errors[0].message)
            }
            ApiError::Validation(errors) => format!("{} fields are invalid", errors.len()),
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Validation(errors) | ApiError::BadRequest { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            problem_type: self.problem_type().into(),
            title: self.title(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

/// What a 503 asks the client to wait before retrying, in seconds.
pub const RETRY_AFTER_SECONDS: &str = "1";

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } | ApiError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(detail) => log::error!("internal error: {detail}"),
            ApiError::Unavailable(detail) => log::warn!("service unavailable: {detail}"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"coalition-registry\""));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            // The pool reconnects in the background every few hundred milliseconds.
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> ApiError {
        ApiError::Unavailable("the worker pool is shutting down".into())
    }
}

/// Middleware hook: turn the framework's own error responses (unknown route, CORS refusal,
/// and any other non-problem error body) into problem+json, keeping their headers.
pub fn framework_error_to_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let is_problem = content_type.is_some_and(|v| v.starts_with(PROBLEM_JSON));
    // The token endpoint answers its own errors in RFC 6749's shape (`{"error": …}`).
    let is_oauth_error = res.request().path() == "/api/v1/oauth/token"
        && content_type.is_some_and(|v| v.starts_with("application/json"));
    if is_problem || is_oauth_error {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = if status.is_server_error() {
        "an unexpected error occurred; it has been logged".to_string()
    } else {
        res.response()
            .error()
            .map(|e| e.to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_lowercase())
    };
    let problem = Problem {
        problem_type: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
    };
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = new.body(BoxBody::new(body));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let response: ServiceResponse<EitherBody<B, BoxBody>> = ServiceResponse::new(req, response).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(response))
}

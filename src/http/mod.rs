//! HTTP concerns every route shares: errors as problem+json, request extraction, bearer
//! tokens and the permission table, paging, CSV, conditional requests, middleware, OpenAPI.

pub mod access_log;
pub mod auth;
pub mod caching;
pub mod csv_export;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod language;
pub mod openapi;
pub mod paging;
pub mod rate_limit;
pub mod request_id;
pub mod response_cache;
pub mod routing;
pub mod screen;

/// The database, as a route handler receives it.
pub type Db = actix_web::web::Data<crate::store::Database>;

/// What a route handler answers: a response, or a problem.
pub type Reply = Result<actix_web::HttpResponse, error::ApiError>;

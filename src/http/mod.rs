//! HTTP concerns every route shares: errors as problem+json, request extraction, bearer
//! tokens and the permission table, paging, CSV, conditional requests, middleware, OpenAPI.

pub mod auth;
pub mod caching;
pub mod csv_export;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod openapi;
pub mod openapi_precision;
pub mod paging;
pub mod request_id;
pub mod response_cache;
pub mod screen;

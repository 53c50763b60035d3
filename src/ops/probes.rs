//! Probes for orchestrators: `GET /health/live` (the process answers; touches nothing) and
//! `GET /health/ready` (the database answers and has every migration this binary knows). A
//! replica that is not ready answers `503` problem+json, so a load balancer sends it nothing.
//! `/api/v1/health` (the API's own health resource) keeps working beside them.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::http::error::ApiError;
use crate::store::Database;

/// `GET /health/live`: 200 while the process serves requests.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "live"}))
}

/// `GET /health/ready`: 200 when the database answers and is fully migrated, else 503.
pub async fn ready(db: web::Data<Database>) -> Result<HttpResponse, ApiError> {
    if db.migrations_pending().await? {
        return Err(ApiError::Unavailable(
            "the database lacks migrations this version needs; it is being migrated".into(),
        ));
    }
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}

//! `Idempotency-Key` on POST: a retried request with the same key and the same request returns
//! the first response instead of writing twice.
//!
//! Keys belong to the caller (`sub` of the token) and are kept at least 24 hours. The key is
//! reserved before the write, so a retry that arrives while the first request still runs gets
//! 409 rather than a second write; a 2xx response is stored for replay (with
//! `Idempotent-Replayed: true`); any other response releases the key so a corrected request
//! may reuse it. The same key with a different request is a 422. A reservation whose request
//! never finished (the process died) is taken over after a minute.

use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};
use chrono::Duration;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::http::auth::JwtKeys;
use crate::http::error::ApiError;
use crate::http::extract;
use crate::store::sql::{Sql, Value};
use crate::store::{now, Database, DbConnection};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The header marking a replayed response.
pub const REPLAYED: &str = "idempotent-replayed";

diesel::table! {
    idempotency_keys (actor, key) {
        actor -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

#[derive(QueryableByName)]
#[diesel(table_name = idempotency_keys)]
struct Stored {
    request_hash: String,
    status: i32,
    location: Option<String>,
    body: String,
    created_at: chrono::NaiveDateTime,
}

enum Reservation {
    Reserved,
    Replay {
        status: u16,
        location: Option<String>,
        body: String,
    },
}

/// `statement` (which ends where its `WHERE` would start) limited to the caller's key.
fn this_key(statement: Sql, actor: &str, key: &str) -> Sql {
    let mut sql = statement;
    sql.push(" WHERE actor = ").bind(Value::text(actor));
    sql.push(" AND key = ").bind(Value::text(key));
    sql
}

fn reserve(conn: &mut DbConnection, actor: &str, key: &str, hash: &str) -> Result<Reservation, ApiError> {
    let stamp = now();
    let mut expired = Sql::new("DELETE FROM idempotency_keys WHERE created_at < ");
    expired.bind(Value::Timestamp(stamp - Duration::hours(24)));
    expired.execute(conn)?;
    let select = Sql::new("SELECT request_hash, status, location, body, created_at FROM idempotency_keys");
    let stored: Option<Stored> = this_key(select, actor, key).load(conn)?.pop();
    match stored {
        None => {
            let mut insert =
                Sql::new("INSERT INTO idempotency_keys (actor, key, request_hash, status, body, created_at) VALUES ");
            insert.bind_list(vec![
                Value::text(actor),
                Value::text(key),
                Value::text(hash),
                Value::Int(0),
                Value::text(""),
                Value::Timestamp(stamp),
            ]);
            insert.execute(conn).map_err(|e| match e {
                // A concurrent first request reserved it between our read and insert.
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                    in_progress()
                }
                other => other.into(),
            })?;
            Ok(Reservation::Reserved)
        }
        Some(row) if row.request_hash != hash => Err(ApiError::invalid(
            "Idempotency-Key",
            "reused",
            "this Idempotency-Key was used with a different request; use a new key for a new request",
        )),
        Some(row) if row.status == 0 && row.created_at > stamp - Duration::minutes(1) => Err(in_progress()),
        Some(row) if row.status == 0 => {
            // The first request never finished (its process died): take the key over.
            let mut take_over = Sql::new("UPDATE idempotency_keys SET created_at = ");
            take_over.bind(Value::Timestamp(stamp));
            this_key(take_over, actor, key).execute(conn)?;
            Ok(Reservation::Reserved)
        }
        Some(row) => Ok(Reservation::Replay {
            status: row.status as u16,
            location: row.location,
            body: row.body,
        }),
    }
}

fn in_progress() -> ApiError {
    ApiError::Conflict("a request with this Idempotency-Key is still being processed; retry shortly".into())
}

fn finish(
    conn: &mut DbConnection,
    actor: &str,
    key: &str,
    outcome: Option<(u16, Option<String>, String)>,
) -> Result<(), ApiError> {
    let statement = match outcome {
        Some((status, location, body)) => {
            let mut update = Sql::new("UPDATE idempotency_keys SET status = ");
            update.bind(Value::Int(i64::from(status)));
            update.push(", location = ").bind(Value::opt_text(location));
            update.push(", body = ").bind(Value::Text(body));
            update
        }
        None => Sql::new("DELETE FROM idempotency_keys"),
    };
    this_key(statement, actor, key).execute(conn)?;
    Ok(())
}

fn problem(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let (req, _) = req.into_parts();
    ServiceResponse::new(req, error.error_response())
}

/// Whether a POST to `path` may be remembered: not where responses carry secrets (a new
/// client's secret, an access token), which are never stored; the key is ignored there.
pub fn rememberable(path: &str) -> bool {
    !path.starts_with("/api/v1/clients") && path != "/api/v1/oauth/token"
}

/// Remember or replay a POST with an `Idempotency-Key` (wrapped with `from_fn`, see `app.rs`).
pub async fn remembered(mut req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    let raw_key = match req.headers().get(HEADER) {
        Some(value) if req.method() == Method::POST && rememberable(req.path()) => value.to_str().map(str::to_string),
        _ => return next.call(req).await,
    };
    // Authentication first, with the same credential parsing as every route: a request the
    // handler will refuse (no token, a bad one) goes through unchanged and gets its 401.
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| crate::http::auth::bearer_token(v).ok())
        .map(str::to_string);
    let verified = req
        .extensions()
        .get::<crate::http::auth::Authenticated>()
        .map(|a| a.0.sub.clone());
    let actor = match (verified, token, req.app_data::<Data<JwtKeys>>().cloned()) {
        (Some(sub), _, _) => Some(sub),
        (None, Some(token), Some(keys)) => keys.authenticate(&token).await.ok().map(|p| p.sub),
        _ => None,
    };
    let (Some(actor), Some(db)) = (actor, req.app_data::<Data<Database>>().cloned()) else {
        return next.call(req).await;
    };
    let key = match raw_key {
        Ok(key) if !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()) => key,
        _ => {
            let message = "must be 1 to 255 visible ASCII characters";
            let error = ApiError::BadRequest {
                detail: format!("invalid header `{HEADER}`: {message}"),
                errors: vec![crate::http::error::FieldError::new(HEADER, "invalid_value", message)],
            };
            return Ok(problem(req, error));
        }
    };
    // Read the body to fingerprint the request, then hand it on unchanged; a body over the
    // limit is refused before it is read (by its declared length) or as soon as it passes it.
    let limit = extract::body_limit(req.request());
    if extract::declared_over(req.request(), limit) {
        return Ok(problem(req, extract::too_large(limit)));
    }
    let payload = req.take_payload();
    let body = match extract::read_body(payload, limit, extract::body_timeout(req.request())).await {
        Ok(body) => body,
        Err(e) => return Ok(problem(req, e)),
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b" ");
    hasher.update(req.uri().to_string());
    hasher.update(b"\n");
    hasher.update(&body);
    let hash = format!("{:x}", hasher.finalize());
    req.set_payload(Payload::from(body));

    let (a, k, h) = (actor.clone(), key.clone(), hash);
    match db.write(move |conn| reserve(conn, &a, &k, &h)).await {
        Err(error) => Ok(problem(req, error)),
        Ok(Reservation::Replay { status, location, body }) => {
            let mut replay = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
            replay
                .content_type("application/json")
                .insert_header((REPLAYED, "true"));
            if let Some(location) = location {
                replay.insert_header((header::LOCATION, location));
            }
            let (req, _) = req.into_parts();
            Ok(ServiceResponse::new(req, replay.body(body)))
        }
        Ok(Reservation::Reserved) => {
            let response = next.call(req).await?.map_into_boxed_body();
            let status = response.status();
            let (req, res) = response.into_parts();
            let (head, body) = res.into_parts();
            let bytes: Bytes = actix_web::body::to_bytes(body)
                .await
                .map_err(|_| actix_web::error::ErrorInternalServerError("reading a response body"))?;
            let outcome = status.is_success().then(|| {
                let location = head
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                (status.as_u16(), location, String::from_utf8_lossy(&bytes).into_owned())
            });
            if let Err(e) = db.write(move |conn| finish(conn, &actor, &key, outcome)).await {
                log::error!("could not record an idempotency key's outcome: {e}");
            }
            let mut res = head.set_body(BoxBody::new(bytes));
            if status.is_success() {
                res.headers_mut().insert(
                    header::HeaderName::from_static(REPLAYED),
                    HeaderValue::from_static("false"),
                );
            }
            Ok(ServiceResponse::new(req, res))
        }
    }
}

//! The response cache of anonymous reads: a hit touches no database and serves the stored
//! bytes (identity or gzip, as first produced for that encoding) with their `ETag`, so a
//! revalidation (`If-None-Match`) is a free 304 too.
//!
//! Correctness comes from the key: every entry is filed under the database *generation* it
//! was computed in ([`Database::generation`]). A write through this process bumps the
//! generation after its commit and before its response is sent, so the writer's next read
//! (and everyone else's) misses and sees the write. Writes through other replicas are
//! noticed by the change watch ([`crate::store::watch`]: PostgreSQL `LISTEN/NOTIFY`, with
//! polling as the fallback), which bumps the generation — within milliseconds when notified,
//! and within the one second the contract allows in any case. An entry computed by a request that began before a write is filed
//! under the old generation, so it can never be served after the write.
//!
//! Misses are single-flight: concurrent requests for the same key wait for the first one
//! instead of all running the same query. Memory is bounded (`RESPONSE_CACHE_MB`), entries
//! are evicted by size-aware LRU ([moka](https://crates.io/crates/moka)).
//!
//! What is cached: `GET` without `Authorization` under `/api/v1`, answered `200` with JSON,
//! except the change feed (it long-polls and pages by cursor), health, and responses that
//! depend on the clock (e.g. `upcoming=true`), which handlers mark with [`NoStore`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{Error, HttpRequest, HttpResponse};

use crate::http::caching::none_match_hits;
use crate::store::Database;

/// The largest body the cache stores; larger responses pass through uncached.
const MAX_ENTRY_BYTES: usize = 4 * 1024 * 1024;

/// Response header saying whether the cache answered (`hit`) or filled (`miss`).
pub const HEADER: &str = "x-cache";

/// Marks a response that must not be cached (it depends on the clock, not only on data).
#[derive(Debug, Clone, Copy)]
pub struct NoStore;

/// `response`, marked [`NoStore`] when `depends_on_clock`.
pub fn unless(depends_on_clock: bool, mut response: HttpResponse) -> HttpResponse {
    if depends_on_clock {
        response.extensions_mut().insert(NoStore);
    }
    response
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    generation: u64,
    target: String,
    accept: String,
    accept_encoding: String,
    accept_language: String,
}

#[derive(Debug)]
struct Stored {
    headers: HeaderMap,
    body: Bytes,
}

/// The cache of one replica (cheap to clone: shared by every worker).
#[derive(Clone)]
pub struct ResponseCache {
    entries: Option<moka::sync::Cache<Key, Arc<Stored>>>,
    flights: Arc<Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>>,
}

impl ResponseCache {
    /// A cache holding at most `megabytes` of responses; 0 turns it off.
    pub fn new(megabytes: u64) -> ResponseCache {
        let entries = (megabytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(megabytes * 1024 * 1024)
                .weigher(|key: &Key, value: &Arc<Stored>| {
                    let size = key.target.len()
                        + key.accept.len()
                        + key.accept_encoding.len()
                        + key.accept_language.len()
                        + value.body.len()
                        + 64 * value.headers.len();
                    u32::try_from(size).unwrap_or(u32::MAX)
                })
                .build()
        });
        ResponseCache {
            entries,
            flights: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn key(&self, req: &ServiceRequest, db: &Database) -> Option<Key> {
        self.entries.as_ref()?;
        let path = req.path();
        let cacheable = req.method() == Method::GET
            && !req.headers().contains_key(header::AUTHORIZATION)
            && path.starts_with("/api/v1")
            && !path.starts_with("/api/v1/changes")
            && !path.starts_with("/api/v1/health");
        if !cacheable {
            return None;
        }
        let text = |name| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        Some(Key {
            generation: db.generation(),
            target: req.uri().path_and_query().map_or(path, |p| p.as_str()).to_string(),
            accept: text(header::ACCEPT),
            accept_encoding: text(header::ACCEPT_ENCODING),
            accept_language: text(header::ACCEPT_LANGUAGE),
        })
    }

    fn get(&self, key: &Key) -> Option<Arc<Stored>> {
        self.entries.as_ref()?.get(key)
    }

    fn flight(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(flights.entry(key.clone()).or_default())
    }
}

/// The end of a miss's flight, however it ends (an error, or the client going away).
struct Landing<'a> {
    cache: &'a ResponseCache,
    key: &'a Key,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        let mut flights = self.cache.flights.lock().unwrap_or_else(|p| p.into_inner());
        flights.remove(self.key);
    }
}

/// Answer from the cache, or fill it (wrapped with `from_fn`, see `app.rs`).
pub async fn serve(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let cache = req.app_data::<Data<ResponseCache>>().map(|c| ResponseCache::clone(c));
    let db = req.app_data::<Data<Database>>().map(|d| Database::clone(d));
    let Some((cache, key)) = cache
        .zip(db)
        .and_then(|(cache, db)| Some((cache.clone(), cache.key(&req, &db)?)))
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if let Some(stored) = cache.get(&key) {
        return Ok(answer(req.into_parts().0, &stored, "hit"));
    }
    // Single flight: the first request for a key computes it, the others wait and then hit.
    let flight = cache.flight(&key);
    let _turn = flight.lock().await;
    if let Some(stored) = cache.get(&key) {
        return Ok(answer(req.into_parts().0, &stored, "hit"));
    }
    let _landing = Landing {
        cache: &cache,
        key: &key,
    };
    let response = next.call(req).await?;
    fill(&cache, &key, response).await
}

/// Store a cacheable response and answer it; anything else passes through unchanged.
async fn fill(
    cache: &ResponseCache,
    key: &Key,
    response: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let no_store = response.response().extensions().get::<NoStore>().is_some();
    if response.status() != StatusCode::OK || !is_json || no_store {
        return Ok(response.map_into_boxed_body());
    }
    let (req, res) = response.into_parts();
    let (head, body) = res.into_parts();
    // JSON responses are built in memory, so reading them whole costs no extra memory.
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("reading a response body"))?;
    let mut headers = head.headers().clone();
    headers.remove(header::CONTENT_LENGTH);
    let stored = Arc::new(Stored { headers, body: bytes });
    if let (Some(entries), true) = (&cache.entries, stored.body.len() <= MAX_ENTRY_BYTES) {
        entries.insert(key.clone(), Arc::clone(&stored));
    }
    Ok(answer(req, &stored, "miss"))
}

/// The stored response, or 304 when the request's `If-None-Match` names its tag.
fn answer(req: HttpRequest, stored: &Stored, outcome: &'static str) -> ServiceResponse<BoxBody> {
    let tag = stored.headers.get(header::ETAG).and_then(|v| v.to_str().ok());
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    let not_modified = matches!((tag, if_none_match), (Some(tag), Some(inm)) if none_match_hits(inm, tag));
    let mut response = if not_modified {
        let mut builder = HttpResponse::NotModified();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            for value in stored.headers.get_all(&name) {
                builder.append_header((name.clone(), value.clone()));
            }
        }
        builder.finish()
    } else {
        let mut response = HttpResponse::Ok().body(stored.body.clone());
        for (name, value) in stored.headers.iter() {
            response.headers_mut().append(name.clone(), value.clone());
        }
        response
    };
    response.headers_mut().insert(
        header::HeaderName::from_static(HEADER),
        HeaderValue::from_static(outcome),
    );
    ServiceResponse::new(req, response)
}

//! `GET /metrics` in the Prometheus text format ([prometheus](https://crates.io/crates/prometheus),
//! the TiKV crate): requests by route template, method and status; latency histograms by route
//! template and method; the database pool (open, idle, jobs waiting), statements run; the change
//! feed's newest sequence number and the notifications heard from other replicas; response-cache
//! hits and misses; rate-limit rejections; fetches of the identity provider's keys. Served on the API's address, or only on
//! `METRICS_ADDR` when that is set (so it can stay off the public network).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, HttpResponse};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::http::auth::JwtKeys;
use crate::http::rate_limit::RateLimits;
use crate::http::response_cache;
use crate::store::Database;

/// The registry and the request metrics; the rest is read from their owners at scrape time.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    cache: IntCounterVec,
    pool: IntGaugeVec,
    statements: IntGauge,
    newest_seq: IntGauge,
    notifications: IntGauge,
    rejections: IntGaugeVec,
    jwks_fetches: IntGaugeVec,
    jwks_keys: IntGauge,
    tokens: IntGaugeVec,
}

impl Metrics {
    /// A fresh registry with every metric of this service.
    pub fn new() -> prometheus::Result<Metrics> {
        let registry = Registry::new_custom(Some("coalition_registry".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route template, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to the response head, by route template and method",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ]),
            &["route", "method"],
        )?;
        let cache = IntCounterVec::new(
            Opts::new(
                "response_cache_requests_total",
                "Anonymous reads the response cache answered (hit) or computed (miss)",
            ),
            &["outcome"],
        )?;
        // Values read from their owners at scrape time: gauges, one label each.
        let gauges = |name: &str, help: &str, label: &str| IntGaugeVec::new(Opts::new(name, help), &[label]);
        let pool = gauges(
            "db_pool_connections",
            "Database connections: in_use, idle, and jobs waiting for one",
            "state",
        )?;
        let statements = IntGauge::new("db_statements_total", "SQL statements run on the pool since start")?;
        let newest_seq = IntGauge::new(
            "change_feed_newest_seq",
            "The change feed's newest readable sequence number",
        )?;
        let notifications = IntGauge::new(
            "change_notifications_heard_total",
            "Notifications of other replicas' writes heard (PostgreSQL LISTEN/NOTIFY)",
        )?;
        let rejections = gauges(
            "rate_limit_rejections_total",
            "Requests refused with 429, by budget",
            "policy",
        )?;
        let jwks_fetches = gauges(
            "jwks_fetches_total",
            "Fetches of the identity provider's JWK set, by outcome (ok, failed)",
            "outcome",
        )?;
        let jwks_keys = IntGauge::new(
            "jwks_keys",
            "Usable keys in the identity provider's JWK set in use (0 without one)",
        )?;
        let tokens = gauges(
            "bearer_tokens_accepted_total",
            "Bearer tokens accepted, by how (remembered: seen and verified before; verified: checked in full)",
            "how",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(cache.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(statements.clone()))?;
        registry.register(Box::new(newest_seq.clone()))?;
        registry.register(Box::new(notifications.clone()))?;
        registry.register(Box::new(rejections.clone()))?;
        registry.register(Box::new(jwks_fetches.clone()))?;
        registry.register(Box::new(jwks_keys.clone()))?;
        registry.register(Box::new(tokens.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            cache,
            pool,
            statements,
            newest_seq,
            notifications,
            rejections,
            jwks_fetches,
            jwks_keys,
            tokens,
        })
    }

    /// The text exposition, with the gauges read now.
    pub fn render(&self, db: &Database, limits: Option<&RateLimits>, keys: Option<&JwtKeys>) -> String {
        let stats = db.stats();
        self.pool
            .with_label_values(&["in_use"])
            .set(i64::from(stats.connections.saturating_sub(stats.idle)));
        self.pool.with_label_values(&["idle"]).set(i64::from(stats.idle));
        self.pool.with_label_values(&["waiting"]).set(stats.waiting);
        self.statements.set(i64::try_from(stats.statements).unwrap_or(i64::MAX));
        self.newest_seq.set(stats.newest_seq);
        self.notifications
            .set(i64::try_from(db.notifications()).unwrap_or(i64::MAX));
        if let Some(limits) = limits {
            let rejected = limits.rejections();
            self.rejections
                .with_label_values(&["reads"])
                .set(i64::try_from(rejected.reads).unwrap_or(i64::MAX));
            self.rejections
                .with_label_values(&["writes"])
                .set(i64::try_from(rejected.writes).unwrap_or(i64::MAX));
        }
        if let Some(jwks) = keys.and_then(|k| k.jwks_stats()) {
            let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            self.jwks_fetches.with_label_values(&["ok"]).set(count(jwks.fetched));
            self.jwks_fetches.with_label_values(&["failed"]).set(count(jwks.failed));
            self.jwks_keys.set(i64::try_from(jwks.keys).unwrap_or(i64::MAX));
        }
        if let Some(tokens) = keys.map(JwtKeys::token_stats) {
            let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            self.tokens
                .with_label_values(&["remembered"])
                .set(count(tokens.remembered));
            self.tokens.with_label_values(&["verified"]).set(count(tokens.verified));
        }
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            log::error!("metrics: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Count and time every request (the middleware, outermost but for the log line).
pub async fn observed<B: MessageBody>(req: ServiceRequest, next: Next<B>) -> Result<ServiceResponse<B>, Error> {
    let metrics = req.app_data::<Data<Metrics>>().cloned();
    let started = Instant::now();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".into());
        let method = response.request().method().as_str().to_string();
        metrics
            .requests
            .with_label_values(&[route.as_str(), method.as_str(), response.status().as_str()])
            .inc();
        metrics
            .latency
            .with_label_values(&[route.as_str(), method.as_str()])
            .observe(started.elapsed().as_secs_f64());
        if let Some(outcome) = response.headers().get(response_cache::HEADER) {
            if let Ok(outcome @ ("hit" | "miss")) = outcome.to_str() {
                metrics.cache.with_label_values(&[outcome]).inc();
            }
        }
    }
    Ok(response)
}

/// `GET /metrics`.
pub async fn scrape(
    metrics: Data<Metrics>,
    db: Data<Database>,
    limits: Option<Data<RateLimits>>,
    keys: Option<Data<JwtKeys>>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(
            &db,
            limits.as_ref().map(|l| l.get_ref()),
            keys.as_ref().map(|k| k.get_ref()),
        ))
}

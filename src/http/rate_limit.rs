//! Rate limits per caller: a token's `sub` when the request carries a valid token, the client's
//! address otherwise (behind a trusted proxy, the address the proxy saw; see
//! [`RateLimits::client`]). Reads (`GET`, `HEAD`, `OPTIONS`) and writes have their own budgets
//! (`RATE_LIMIT_READS`, `RATE_LIMIT_WRITES`: requests per minute, 0 = no limit) with a burst of
//! `RATE_LIMIT_BURST_SECONDS` of the rate. The limiter is [governor](https://crates.io/crates/governor)'s
//! keyed GCRA (one small state per caller, no timers, no locks on the hot path).
//!
//! Every limited response carries the IETF httpapi draft's fields, e.g.
//! `RateLimit-Policy: "reads";q=6000;w=60` and `RateLimit: "reads";r=998;t=1` (`r` requests
//! left now, `t` seconds until the whole burst is back); a request over the budget gets `429`
//! problem+json with `Retry-After`. Health checks and metrics are not limited. The limit sits
//! outside the response cache, so cached reads count too, and inside CORS, so browsers can
//! read a 429.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, HttpMessage, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use ipnet::IpNet;

use crate::http::auth::{bearer_token, Authenticated, JwtKeys};
use crate::http::error::ApiError;

type Limiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// Checks between two sweeps of callers whose budget is whole again (bounds the memory).
const SWEEP_EVERY: u64 = 10_000;

/// One budget: reads or writes.
struct Policy {
    name: &'static str,
    per_minute: u32,
    limiter: Limiter,
    rejected: AtomicU64,
}

impl Policy {
    fn new(name: &'static str, per_minute: u32, burst_seconds: u32) -> Option<Policy> {
        let rate = NonZeroU32::new(per_minute)?;
        let burst = (u64::from(per_minute) * u64::from(burst_seconds) / 60).clamp(1, u64::from(u32::MAX));
        let burst = NonZeroU32::new(burst as u32).unwrap_or(NonZeroU32::MIN);
        let limiter = RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
            .with_middleware::<StateInformationMiddleware>();
        Some(Policy {
            name,
            per_minute,
            limiter,
            rejected: AtomicU64::new(0),
        })
    }

    fn policy_header(&self) -> String {
        format!("\"{}\";q={};w=60", self.name, self.per_minute)
    }
}

/// The limits of this process, shared by its workers.
#[derive(Clone)]
pub struct RateLimits(Arc<Inner>);

struct Inner {
    reads: Option<Policy>,
    writes: Option<Policy>,
    trusted_proxies: Vec<IpNet>,
    checks: AtomicU64,
}

/// Requests refused by each budget, for `/metrics`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rejections {
    /// refused reads
    pub reads: u64,
    /// refused writes
    pub writes: u64,
}

impl RateLimits {
    /// Budgets from the settings; a rate of 0 turns its budget off.
    pub fn new(reads: u32, writes: u32, burst_seconds: u32, trusted_proxies: &[String]) -> anyhow::Result<RateLimits> {
        let trusted_proxies = trusted_proxies
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| anyhow::anyhow!("TRUSTED_PROXIES: `{p}` is not an address or a CIDR range"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(RateLimits(Arc::new(Inner {
            reads: Policy::new("reads", reads, burst_seconds),
            writes: Policy::new("writes", writes, burst_seconds),
            trusted_proxies,
            checks: AtomicU64::new(0),
        })))
    }

    /// Requests refused so far.
    pub fn rejections(&self) -> Rejections {
        let count = |p: &Option<Policy>| p.as_ref().map_or(0, |p| p.rejected.load(Ordering::Relaxed));
        Rejections {
            reads: count(&self.0.reads),
            writes: count(&self.0.writes),
        }
    }

    /// The client's address: the peer's, or — when the peer is a trusted proxy — the last
    /// address in `X-Forwarded-For` that is not a trusted proxy (the one the outermost
    /// trusted proxy saw; anything left of it could be forged by the client).
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: Option<&str>) -> Option<IpAddr> {
        let trusted = |ip: &IpAddr| self.0.trusted_proxies.iter().any(|net| net.contains(ip));
        let peer = peer?;
        if !trusted(&peer) {
            return Some(peer);
        }
        let Some(forwarded) = forwarded_for else {
            return Some(peer);
        };
        let mut client = peer;
        for hop in forwarded.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !trusted(&ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        Some(client)
    }

    fn policy(&self, method: &Method) -> Option<&Policy> {
        if [Method::GET, Method::HEAD, Method::OPTIONS].contains(method) {
            self.0.reads.as_ref()
        } else {
            self.0.writes.as_ref()
        }
    }

    fn sweep_now_and_then(&self, policy: &Policy) {
        if self.0.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            policy.limiter.retain_recent();
            policy.limiter.shrink_to_fit();
        }
    }
}

/// Paths that are never limited: health checks and metrics.
fn exempt(path: &str) -> bool {
    path == "/metrics" || path == "/api/v1/health" || path.starts_with("/health/")
}

/// Who the request counts against: `sub:<sub>` for a valid token, else `ip:<address>`.
async fn caller_key(req: &ServiceRequest, limits: &RateLimits) -> String {
    let keys = req.app_data::<Data<JwtKeys>>().cloned();
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| bearer_token(v).ok())
        .map(str::to_string);
    if let (Some(keys), Some(token)) = (keys, token) {
        if let Ok(principal) = keys.authenticate(&token).await {
            let key = format!("sub:{}", principal.sub);
            req.extensions_mut().insert(Authenticated(principal));
            return key;
        }
    }
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    match limits.client(req.peer_addr().map(|a| a.ip()), forwarded) {
        Some(ip) => format!("ip:{ip}"),
        None => "ip:unknown".into(),
    }
}

/// The middleware.
pub async fn limited(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limits) = req.app_data::<Data<RateLimits>>().cloned() else {
        return next.call(req).await;
    };
    let Some(policy) = limits.policy(req.method()).filter(|_| !exempt(req.path())) else {
        return next.call(req).await;
    };
    let key = caller_key(&req, &limits).await;
    limits.sweep_now_and_then(policy);
    let policy_header = HeaderValue::from_str(&policy.policy_header()).ok();
    match policy.limiter.check_key(&key) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            let quota = snapshot.quota();
            let refill = quota.replenish_interval() * (quota.burst_size().get() - remaining);
            let state = format!("\"{}\";r={remaining};t={}", policy.name, seconds(refill));
            let mut response = next.call(req).await?;
            let headers = response.headers_mut();
            if let Some(value) = policy_header {
                headers.insert(HeaderName::from_static("ratelimit-policy"), value);
            }
            if let Ok(value) = HeaderValue::from_str(&state) {
                headers.insert(HeaderName::from_static("ratelimit"), value);
            }
            Ok(response)
        }
        Err(not_until) => {
            policy.rejected.fetch_add(1, Ordering::Relaxed);
            let wait = seconds(not_until.wait_time_from(policy.limiter.clock().now())).max(1);
            let error = ApiError::TooManyRequests {
                detail: format!(
                    "this caller has used its {} budget ({} per minute); retry in {wait} s",
                    policy.name, policy.per_minute
                ),
                retry_after: wait,
            };
            let mut response = error.error_response();
            let headers = response.headers_mut();
            if let Some(value) = policy_header {
                headers.insert(HeaderName::from_static("ratelimit-policy"), value);
            }
            let quota = not_until.quota();
            let refill = seconds(quota.replenish_interval() * quota.burst_size().get());
            if let Ok(value) = HeaderValue::from_str(&format!("\"{}\";r=0;t={refill}", policy.name)) {
                headers.insert(HeaderName::from_static("ratelimit"), value);
            }
            Ok(req.into_response(response))
        }
    }
}

/// Whole seconds, rounded up.
fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let limits = RateLimits::new(60, 60, 10, &["10.0.0.0/8".into(), "192.0.2.1".into()]).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // An untrusted peer is the client, whatever it forwards.
        assert_eq!(
            limits.client(Some(ip("203.0.113.9")), Some("1.2.3.4")),
            Some(ip("203.0.113.9"))
        );
        // Behind trusted proxies: the last hop that is not one of them.
        assert_eq!(
            limits.client(Some(ip("10.1.2.3")), Some("6.6.6.6, 198.51.100.7, 192.0.2.1")),
            Some(ip("198.51.100.7"))
        );
        // A trusted peer forwarding nothing (or garbage) is the client itself.
        assert_eq!(limits.client(Some(ip("10.1.2.3")), None), Some(ip("10.1.2.3")));
        assert_eq!(
            limits.client(Some(ip("10.1.2.3")), Some("nonsense")),
            Some(ip("10.1.2.3"))
        );
        assert!(RateLimits::new(60, 60, 10, &["not-an-address".into()]).is_err());
    }
}

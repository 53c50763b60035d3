//! Signing keys from an identity provider: a JSON Web Key Set (RFC 7517) fetched from a URL,
//! from the `jwks_uri` of the issuer's OpenID configuration, or read from a file.
//!
//! All network and file I/O happens on one thread of the key set's own, never on an async
//! thread: it fetches the set at start, again when the provider's `Cache-Control` says the
//! copy is stale (bounded to [`MIN_TTL`]..[`MAX_TTL`]), and when a token names a key id the set
//! does not hold — at most once per [`REFETCH_INTERVAL`], so rotation needs no restart and a
//! stream of forged key ids cannot make the service hammer the provider. A failed fetch keeps
//! the keys it has: the provider being down never stops verification with cached keys.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

pub use super::keyset::{KeySet, Lookup};

/// The shortest time a fetched key set is used before it is fetched again.
pub const MIN_TTL: Duration = Duration::from_secs(60);
/// The longest.
pub const MAX_TTL: Duration = Duration::from_secs(86_400);
/// When the provider sends no `Cache-Control` (and for a file).
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// At most one refetch for unknown key ids per this interval.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(30);
/// After a failed fetch, the next try (sooner while no keys were ever loaded).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);
const RETRY_WHILE_EMPTY: Duration = Duration::from_secs(10);
/// Largest key set or discovery document accepted.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// Where the keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `JWT_JWKS_URL`
    Url(String),
    /// the `jwks_uri` of `<issuer>/.well-known/openid-configuration`
    Discovery {
        /// `JWT_ISSUER`
        issuer: String,
    },
    /// `JWT_JWKS_FILE`
    File(PathBuf),
}

impl Source {
    /// Refuse URLs a man in the middle could answer: HTTPS, or HTTP to a loopback address.
    pub fn check_url(url: &str) -> Result<(), String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let loopback = match parsed.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match parsed.scheme() {
            "https" => Ok(()),
            "http" if loopback => Ok(()),
            _ => Err(format!(
                "`{url}` must be an https URL (http only for a loopback address): keys fetched in clear could be replaced"
            )),
        }
    }
}

/// How long a response's `Cache-Control` lets the keys be used, bounded to
/// [`MIN_TTL`]..=[`MAX_TTL`]; [`DEFAULT_TTL`] without a `max-age`.
pub fn cache_ttl(cache_control: Option<&str>) -> Duration {
    let Some(value) = cache_control else {
        return DEFAULT_TTL;
    };
    let mut ttl = None;
    for directive in value.split(',').map(str::trim) {
        let (name, arg) = directive.split_once('=').unwrap_or((directive, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "no-store" | "no-cache" => return MIN_TTL,
            "max-age" => {
                ttl = arg
                    .trim()
                    .trim_matches('"')
                    .parse::<u64>()
                    .ok()
                    .map(Duration::from_secs)
            }
            _ => {}
        }
    }
    ttl.unwrap_or(DEFAULT_TTL).clamp(MIN_TTL, MAX_TTL)
}

enum Request {
    /// from a request that met an unknown `kid`: answered when the fetch is done
    Async(tokio::sync::oneshot::Sender<bool>),
    /// from start-up
    Blocking(mpsc::SyncSender<bool>),
}

/// A key set kept fresh by a thread of its own.
pub struct Jwks {
    source: Source,
    current: RwLock<Arc<KeySet>>,
    /// bumped each time a fetched set is installed
    generation: AtomicU64,
    requests: mpsc::Sender<Request>,
    /// when an unknown `kid` last caused a refetch; the lock makes such refetches single-flight
    last_refetch: tokio::sync::Mutex<Option<Instant>>,
    fetched: AtomicU64,
    failed: AtomicU64,
}

/// For `/metrics`: fetches that succeeded and failed since start, and the keys in use.
#[derive(Debug, Clone, Copy)]
pub struct JwksStats {
    /// fetches that installed a key set
    pub fetched: u64,
    /// fetches that failed (the cached keys stayed in use)
    pub failed: u64,
    /// usable keys in the set in use
    pub keys: usize,
}

impl Jwks {
    /// Start the fetching thread and wait (up to `wait`) for the first fetch. Failing to
    /// fetch is logged, not fatal: anonymous reads go on, tokens get 503 until keys arrive.
    pub fn start(source: Source, wait: Duration) -> anyhow::Result<Arc<Jwks>> {
        let (requests, inbox) = mpsc::channel();
        let jwks = Arc::new(Jwks {
            source: source.clone(),
            current: RwLock::new(Arc::new(KeySet::default())),
            generation: AtomicU64::new(0),
            requests,
            last_refetch: tokio::sync::Mutex::new(None),
            fetched: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        });
        let weak = Arc::downgrade(&jwks);
        std::thread::Builder::new()
            .name("jwks".into())
            .spawn(move || refresher(weak, source, inbox))?;
        let (done, first) = mpsc::sync_channel(1);
        if jwks.requests.send(Request::Blocking(done)).is_ok() && !first.recv_timeout(wait).unwrap_or(false) {
            log::warn!(target: "auth", "no signing keys from {} yet: tokens it signs get 503 until they arrive", jwks.describe());
        }
        Ok(jwks)
    }

    /// Where the keys come from, for messages.
    pub fn describe(&self) -> String {
        match &self.source {
            Source::Url(url) => url.clone(),
            Source::Discovery { issuer } => format!("the OpenID configuration of {issuer}"),
            Source::File(path) => path.display().to_string(),
        }
    }

    /// The keys in use, and their generation (read together: the generation is moved under
    /// the same lock, so a set is never paired with another set's generation).
    pub fn current(&self) -> (Arc<KeySet>, u64) {
        let set = self.current.read().unwrap_or_else(|e| e.into_inner());
        (Arc::clone(&set), self.generation.load(Ordering::Acquire))
    }

    /// Fetches so far and the keys in use.
    pub fn stats(&self) -> JwksStats {
        JwksStats {
            fetched: self.fetched.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            keys: self.current().0.len(),
        }
    }

    fn install(&self, set: KeySet) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        *current = Arc::new(set);
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Called when a token names a key id the set of generation `seen` lacks: fetch the set
    /// again unless that was done less than [`REFETCH_INTERVAL`] ago. True when the keys have
    /// changed since `seen` (verify again), false when not.
    pub async fn refetch_for_unknown_kid(&self, seen: u64) -> bool {
        let mut last = self.last_refetch.lock().await;
        if self.generation.load(Ordering::Acquire) != seen {
            return true;
        }
        if last.is_some_and(|t| t.elapsed() < REFETCH_INTERVAL) {
            return false;
        }
        *last = Some(Instant::now());
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.requests.send(Request::Async(tx)).is_err() {
            return false;
        }
        rx.await.unwrap_or(false) && self.generation.load(Ordering::Acquire) != seen
    }
}

/// The fetching thread: until the key set is dropped, fetch when asked or when the copy is stale.
fn refresher(jwks: Weak<Jwks>, source: Source, inbox: mpsc::Receiver<Request>) {
    let https_only = matches!(&source, Source::Url(u) | Source::Discovery { issuer: u } if u.starts_with("https:"));
    let client = match reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .https_only(https_only)
        .user_agent(concat!("coalition-registry/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            log::error!(target: "auth", "cannot build the HTTP client for the JWK set: {e}");
            return;
        }
    };
    let mut jwks_uri = match &source {
        Source::Url(url) => Some(url.clone()),
        _ => None,
    };
    let mut next = Instant::now() + MAX_TTL;
    loop {
        let request = match inbox.recv_timeout(next.saturating_duration_since(Instant::now())) {
            Ok(request) => Some(request),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let Some(keys) = jwks.upgrade() else { return };
        let fetched = fetch(&client, &source, &mut jwks_uri);
        let ok = match fetched {
            Ok((set, ttl)) => {
                log::info!(target: "auth", "{} signing keys from {}; next fetch in {} s", set.len(), keys.describe(), ttl.as_secs());
                keys.install(set);
                keys.fetched.fetch_add(1, Ordering::Relaxed);
                next = Instant::now() + ttl;
                true
            }
            Err(why) => {
                keys.failed.fetch_add(1, Ordering::Relaxed);
                let empty = keys.current().0.is_empty();
                log::warn!(target: "auth", "fetching the signing keys from {} failed: {why}{}", keys.describe(),
                    if empty { "" } else { "; the cached keys stay in use" });
                next = Instant::now() + if empty { RETRY_WHILE_EMPTY } else { RETRY_AFTER_FAILURE };
                if matches!(source, Source::Discovery { .. }) {
                    jwks_uri = None;
                }
                false
            }
        };
        match request {
            Some(Request::Async(reply)) => {
                let _ = reply.send(ok);
            }
            Some(Request::Blocking(reply)) => {
                let _ = reply.send(ok);
            }
            None => {}
        }
    }
}

fn fetch(
    client: &reqwest::blocking::Client,
    source: &Source,
    jwks_uri: &mut Option<String>,
) -> Result<(KeySet, Duration), String> {
    if let Source::File(path) = source {
        let body = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        return Ok((KeySet::parse(&body)?, DEFAULT_TTL));
    }
    let uri = match (jwks_uri.clone(), source) {
        (Some(uri), _) => uri,
        (None, Source::Discovery { issuer }) => {
            let uri = discover(client, issuer)?;
            *jwks_uri = Some(uri.clone());
            uri
        }
        (None, _) => return Err("no JWK set URL".into()),
    };
    let (body, cache_control) = get(client, &uri, "application/jwk-set+json, application/json")?;
    Ok((KeySet::parse(&body)?, cache_ttl(cache_control.as_deref())))
}

/// The `jwks_uri` of an issuer's OpenID configuration (OpenID Connect Discovery 1.0 §4),
/// whose `issuer` must be the configured one exactly (§4.3).
fn discover(client: &reqwest::blocking::Client, issuer: &str) -> Result<String, String> {
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let (body, _) = get(client, &url, "application/json")?;
    #[derive(serde::Deserialize)]
    struct Configuration {
        issuer: String,
        jwks_uri: String,
    }
    let configuration: Configuration =
        serde_json::from_slice(&body).map_err(|e| format!("{url} is not an OpenID configuration: {e}"))?;
    if configuration.issuer != issuer {
        return Err(format!(
            "{url} names the issuer `{}`, not `{issuer}` (OpenID Connect Discovery §4.3)",
            configuration.issuer
        ));
    }
    Source::check_url(&configuration.jwks_uri)?;
    Ok(configuration.jwks_uri)
}

fn get(client: &reqwest::blocking::Client, url: &str, accept: &str) -> Result<(Vec<u8>, Option<String>), String> {
    use std::io::Read;
    let response = client
        .get(url)
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("GET {url}: {}", response.status()));
    }
    let cache_control = response
        .headers()
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    response
        .take(MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("GET {url}: {e}"))?;
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "GET {url}: the document is larger than {MAX_DOCUMENT_BYTES} bytes"
        ));
    }
    Ok((body, cache_control))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_is_bounded() {
        assert_eq!(cache_ttl(None), DEFAULT_TTL);
        assert_eq!(cache_ttl(Some("public, max-age=3600")), Duration::from_secs(3600));
        assert_eq!(cache_ttl(Some("max-age=5")), MIN_TTL);
        assert_eq!(cache_ttl(Some("max-age=9999999")), MAX_TTL);
        assert_eq!(cache_ttl(Some("no-cache")), MIN_TTL);
        assert_eq!(cache_ttl(Some("max-age=600, no-store")), MIN_TTL);
        assert_eq!(cache_ttl(Some("private")), DEFAULT_TTL);
        assert_eq!(cache_ttl(Some("max-age=abc")), DEFAULT_TTL);
    }

    #[test]
    fn key_urls_must_be_safe_to_fetch() {
        assert!(Source::check_url("https://idp.example.eu/certs").is_ok());
        assert!(Source::check_url("http://127.0.0.1:8081/certs").is_ok());
        assert!(Source::check_url("http://localhost/certs").is_ok());
        assert!(Source::check_url("http://idp.example.eu/certs").is_err());
        assert!(Source::check_url("file:///etc/keys").is_err());
        assert!(Source::check_url("not a url").is_err());
    }
}

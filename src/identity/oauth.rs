//! `POST /api/v1/oauth/token`: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4).
//! Credentials in the form body or HTTP Basic (§2.3.1), a JSON token response (§5.1), RFC 6749
//! errors (§5.2); failed attempts are limited per client id.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use actix_web::http::{header, StatusCode};
use actix_web::{post, web, HttpRequest, HttpResponse};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::JwtKeys;
use crate::http::error::ApiError;
use crate::http::extract;
use crate::http::{Db, Reply};

/// The form of a token request. (`scope` is not used: what a token may do follows from the
/// client's role and coalitions; a non-empty `scope` is `invalid_scope`.)
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `client_credentials`
    #[schema(pattern = "^client_credentials$")]
    pub grant_type: String,
    /// The client's id, unless sent with HTTP Basic.
    pub client_id: Option<String>,
    /// The client's secret, unless sent with HTTP Basic.
    pub client_secret: Option<String>,
    /// Not documented: refused unless empty.
    #[serde(skip)]
    pub scope: Option<String>,
}

/// An access token (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A bearer JWT naming the client as `sub`, with its role and coalitions.
    pub access_token: String,
    /// `Bearer`
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// An error of the token endpoint (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type` or `invalid_scope`.
    pub error: &'static str,
    /// What is wrong, for the developer.
    pub error_description: String,
}

/// How many failed attempts one client id may make per minute (all at once, then one every
/// 60/N seconds); beyond, even the right secret gets 429 until `Retry-After`.
#[derive(Clone)]
pub struct FailureLimit(Option<Arc<FailureState>>);

struct FailureState {
    limiter: DefaultKeyedRateLimiter<String>,
    locked: Mutex<HashMap<String, Instant>>,
}

impl FailureLimit {
    /// `per_minute` failures per client id; 0 turns the limit off.
    pub fn new(per_minute: u32) -> FailureLimit {
        FailureLimit(NonZeroU32::new(per_minute).map(|n| {
            Arc::new(FailureState {
                limiter: RateLimiter::keyed(Quota::per_minute(n)),
                locked: Mutex::new(HashMap::new()),
            })
        }))
    }

    /// How long `client_id` must still wait, if it is locked out.
    fn locked_for(&self, client_id: &str) -> Option<Duration> {
        let state = self.0.as_ref()?;
        let mut locked = state.locked.lock().unwrap_or_else(|p| p.into_inner());
        let until = *locked.get(client_id)?;
        let now = Instant::now();
        if until > now {
            Some(until - now)
        } else {
            locked.remove(client_id);
            None
        }
    }

    /// Count a failed attempt; past the budget, lock the id out until one more may pass.
    fn failed(&self, client_id: &str) {
        let Some(state) = self.0.as_ref() else { return };
        if let Err(not_until) = state.limiter.check_key(&client_id.to_string()) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut locked = state.locked.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            if locked.len() > 100_000 {
                locked.retain(|_, until| *until > now);
                state.limiter.retain_recent();
            }
            locked.insert(client_id.to_string(), now + wait);
        }
    }
}

/// How long tokens of the client-credentials grant live.
#[derive(Clone, Copy)]
pub struct ClientTokenTtl(pub i64);

fn oauth_error(status: StatusCode, error: &'static str, description: impl Into<String>) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"coalition-registry\""));
    }
    response.json(OAuthError {
        error,
        error_description: description.into(),
    })
}

/// An RFC 6749 error to answer with.
struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl Refusal {
    fn respond(self) -> HttpResponse {
        oauth_error(self.status, self.error, self.description)
    }
}

fn invalid_request(description: impl Into<String>) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_request",
        description: description.into(),
    }
}

fn invalid_client() -> HttpResponse {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "client authentication failed (unknown or revoked client, or a wrong secret)",
    )
}

/// `client_id:client_secret` from `Authorization: Basic`, each form-urlencoded (§2.3.1).
/// `Ok(None)`: no Authorization header.
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, Refusal> {
    use base64::Engine;
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid_client_with(
            "authenticate with HTTP Basic (client_id:client_secret) or with client_id and client_secret in the body",
        ));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return Err(invalid_client_with(
            "the Basic credentials are not base64 of client_id:client_secret",
        ));
    };
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

fn invalid_client_with(description: &str) -> Refusal {
    Refusal {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description: description.into(),
    }
}

/// The form's parameters: each known one at most once, unknown ones ignored (§3.2).
fn form(body: &[u8]) -> Result<TokenRequest, Refusal> {
    const KNOWN: [&str; 4] = ["grant_type", "client_id", "client_secret", "scope"];
    let mut seen: HashMap<String, String> = HashMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        if !KNOWN.contains(&name.as_ref()) {
            continue;
        }
        if seen.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(invalid_request(format!("`{name}` is given more than once")));
        }
    }
    let Some(grant_type) = seen.remove("grant_type") else {
        return Err(invalid_request("`grant_type` is required (`client_credentials`)"));
    };
    Ok(TokenRequest {
        grant_type,
        client_id: seen.remove("client_id"),
        client_secret: seen.remove("client_secret"),
        scope: seen.remove("scope"),
    })
}

/// A hash to verify against when the client id is unknown, so that an unknown id takes as
/// long as a wrong secret.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        argon2::Argon2::default()
            .hash_password(b"decoy", &SaltString::generate(&mut OsRng))
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Issue an access token to a machine client (OAuth 2.0 client-credentials grant).
///
/// Send `grant_type=client_credentials` as `application/x-www-form-urlencoded`, with the
/// client's credentials in HTTP Basic (`client_id:client_secret`) or as `client_id` and
/// `client_secret` in the form. The token is a bearer JWT with the client's role and
/// coalitions, `sub` = the client id, valid for `expires_in` seconds (15 minutes by default):
/// fetch a new one when it expires. Errors follow RFC 6749 §5.2 (`{"error": …}`). After
/// repeated failures for one client id (10 a minute by default) even the right secret gets 429
/// until `Retry-After`. A revoked client gets no new token; tokens it already has expire on
/// their own.
#[utoipa::path(
    tag = "oauth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token", body = TokenResponse,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "`invalid_request` (a missing or repeated parameter, not a form, two ways of authenticating), `unsupported_grant_type` or `invalid_scope`",
            content((OAuthError = "application/json"), (crate::http::error::Problem = "application/problem+json"))),
        (status = 401, description = "`invalid_client`: unknown or revoked client, wrong secret, or no credentials",
            body = OAuthError, headers(("WWW-Authenticate" = String, description = "`Basic realm=\"coalition-registry\"`"))),
        crate::http::openapi::TokenProblems,
    ),
    security((), ("client_basic" = []))
)]
#[post("/oauth/token")]
pub async fn token(
    req: HttpRequest,
    payload: web::Payload,
    db: Db,
    keys: web::Data<JwtKeys>,
    failures: web::Data<FailureLimit>,
    ttl: web::Data<ClientTokenTtl>,
) -> Reply {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let limit = extract::body_limit(&req);
    if extract::declared_over(&req, limit) {
        return Err(extract::too_large(limit));
    }
    let body = extract::read_body(payload.into_inner(), limit, extract::body_timeout(&req)).await?;
    if content_type.as_deref() != Some("application/x-www-form-urlencoded") {
        return Ok(
            invalid_request("send the parameters as application/x-www-form-urlencoded (RFC 6749 §4.4.2)").respond(),
        );
    }
    let request = match form(&body) {
        Ok(request) => request,
        Err(refusal) => return Ok(refusal.respond()),
    };
    let basic = match basic_credentials(&req) {
        Ok(basic) => basic,
        Err(refusal) => return Ok(refusal.respond()),
    };
    if request.grant_type != "client_credentials" {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "this server issues tokens only for `grant_type=client_credentials`",
        ));
    }
    if !keys.can_mint() {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "this service issues no tokens: JWT_ALGORITHMS does not accept its own (HS256); clients get tokens from the identity provider",
        ));
    }
    if request.scope.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "this server has no scopes: a token may do what the client's role and coalitions allow; send no `scope`",
        ));
    }
    let (client_id, secret) = match (basic, request.client_id, request.client_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Ok(invalid_request(
                "authenticate one way only: HTTP Basic or client_id and client_secret in the body",
            )
            .respond())
        }
        (Some(credentials), None, None) => credentials,
        (None, Some(id), Some(secret)) => (id, secret),
        (None, _, _) => return Ok(invalid_client_with("client_id and client_secret are required").respond()),
    };
    let client_id = client_id.trim().to_ascii_lowercase();
    if client_id.is_empty() || client_id.len() > 64 {
        return Ok(invalid_client());
    }
    if let Some(wait) = failures.locked_for(&client_id) {
        return Err(ApiError::TooManyRequests {
            detail: "too many failed attempts for this client id: retry after `Retry-After` seconds".into(),
            retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
        });
    }
    let found = match uuid::Uuid::parse_str(&client_id) {
        Ok(id) => {
            let id = id.hyphenated().to_string();
            db.read(move |conn| super::clients::find(conn, &id)).await?
        }
        Err(_) => None,
    };
    // Argon2 is deliberately slow: verify on the blocking pool, never on an async thread.
    let (client, stored) = match found {
        Some((client, stored)) if client.revoked_at.is_none() => (Some(client), stored),
        _ => (None, decoy_hash().to_string()),
    };
    let matches = web::block(move || super::clients::secret_matches(&secret, &stored)).await?;
    let client = match client {
        Some(client) if matches => client,
        _ => {
            failures.failed(&client_id);
            log::info!(target: "auth", "client-credentials grant refused for client_id {client_id}");
            return Ok(invalid_client());
        }
    };
    let token = keys
        .mint(&client.id, client.role, client.coalitions.clone(), ttl.0)
        .map_err(|e| ApiError::Internal(format!("minting a token: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: token,
            token_type: "Bearer",
            expires_in: ttl.0,
        }))
}

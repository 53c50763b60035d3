//! Bearer tokens: claims, key configuration, verification, and the extractor that yields
//! the caller. What a caller may do lives in [`policy`].

pub mod jwks;
pub mod policy;

use std::collections::BTreeSet;
use std::sync::Arc;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Secret;
use crate::http::error::ApiError;

/// What a token lets its holder be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Writes scoped to the coalitions in the token.
    Editor,
}

/// The claims the API reads from a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Who the caller is (a person or a machine client); recorded with every write.
    pub sub: String,
    /// `admin` or `editor`.
    pub role: Role,
    /// For editors: the ids of the coalitions they may write.
    #[serde(default)]
    pub coalitions: Vec<String>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued-at, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Issuer, checked when `JWT_ISSUER` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience, checked when `JWT_AUDIENCE` is set: one, or an array containing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// The `aud` claim: a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// one audience
    One(String),
    /// several
    Many(Vec<String>),
}

/// Seconds of clock skew allowed on `exp`, `nbf` and `iat`.
const LEEWAY: u64 = 30;

/// The token of an `Authorization` value, when its scheme is `Bearer` in any case
/// (RFC 7235: schemes are case-insensitive); `Err` names what is wrong.
pub fn bearer_token(value: &str) -> Result<&str, &'static str> {
    let (scheme, token) = value.trim().split_once([' ', '\t']).unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err("the Authorization scheme must be `Bearer` (Authorization: Bearer <JWT>)");
    }
    let token = token.trim();
    if token.is_empty() {
        return Err("the Authorization header must be `Bearer <JWT>`");
    }
    Ok(token)
}

/// Whether the token's header names critical extensions (`crit`), none of which this
/// service understands: such a token must be rejected (RFC 7515 §4.1.11, RFC 8725 §3.1).
fn has_crit(token: &str) -> bool {
    use base64::Engine;
    token
        .split('.')
        .next()
        .and_then(|h| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|h| serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&h).ok())
        .is_some_and(|h| h.contains_key("crit"))
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// the token's `sub`
    pub sub: String,
    /// the token's role
    pub role: Role,
    /// the coalitions an editor may write
    pub coalitions: BTreeSet<String>,
}

/// Whoever sent the request: anonymous, or the holder of a valid token.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// A verified token.
    User(Principal),
}

impl Caller {
    /// The principal, or 401 for anonymous callers.
    pub fn require(&self) -> Result<&Principal, ApiError> {
        match self {
            Caller::User(p) => Ok(p),
            Caller::Anonymous => Err(ApiError::Unauthorized(
                "this request needs a bearer token (Authorization: Bearer <JWT>)".into(),
            )),
        }
    }

    /// The principal, when there is one.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Caller::User(p) => Some(p),
            Caller::Anonymous => None,
        }
    }
}

/// Where a token's role and coalitions are read from, for tokens of the identity provider
/// (`JWT_ROLE_CLAIM` and friends). HS256 tokens — minted here, by the `token` command and the
/// client-credentials grant — always carry `role` and `coalitions` themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMapping {
    /// the claim holding the role: a string, or an array of strings (e.g. `realm_access.roles`)
    pub role_claim: String,
    /// the value of that claim that makes an admin
    pub admin_role: String,
    /// the value that makes an editor
    pub editor_role: String,
    /// the claim holding the coalition ids: an array of strings, or one string (e.g. `groups`)
    pub coalitions_claim: String,
    /// when not empty, only entries starting with it count, and it is removed (`/coalitions/`)
    pub coalition_prefix: String,
}

impl Default for ClaimMapping {
    fn default() -> ClaimMapping {
        ClaimMapping {
            role_claim: "role".into(),
            admin_role: "admin".into(),
            editor_role: "editor".into(),
            coalitions_claim: "coalitions".into(),
            coalition_prefix: String::new(),
        }
    }
}

/// A claim by name: a JSON pointer when it starts with `/` (`/realm_access/roles`); else the
/// top-level claim of exactly that name when there is one (namespaced claims such as
/// `https://registry.example.eu/role` hold dots); else a dotted path (`realm_access.roles`).
pub fn claim<'a>(claims: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    if name.starts_with('/') {
        return claims.pointer(name);
    }
    claims
        .get(name)
        .or_else(|| name.split('.').try_fold(claims, |value, part| value.get(part)))
}

impl ClaimMapping {
    /// The principal of a verified token's claims.
    fn principal(&self, claims: &serde_json::Value) -> Result<Principal, String> {
        let sub = claims.get("sub").and_then(|s| s.as_str()).unwrap_or_default();
        if sub.trim().is_empty() {
            return Err("the token's `sub` is empty".into());
        }
        let roles: Vec<&str> = match claim(claims, &self.role_claim) {
            Some(serde_json::Value::String(role)) => vec![role.as_str()],
            Some(serde_json::Value::Array(roles)) => roles.iter().filter_map(|r| r.as_str()).collect(),
            _ => Vec::new(),
        };
        let role = if roles.contains(&self.admin_role.as_str()) {
            Role::Admin
        } else if roles.contains(&self.editor_role.as_str()) {
            Role::Editor
        } else {
            return Err(format!(
                "the token gives no role here: its `{}` claim holds neither `{}` nor `{}`",
                self.role_claim, self.admin_role, self.editor_role
            ));
        };
        let entries: Vec<&str> = match claim(claims, &self.coalitions_claim) {
            Some(serde_json::Value::String(one)) => vec![one.as_str()],
            Some(serde_json::Value::Array(many)) => many.iter().filter_map(|c| c.as_str()).collect(),
            _ => Vec::new(),
        };
        let coalitions = entries
            .into_iter()
            .filter_map(|entry| entry.strip_prefix(self.coalition_prefix.as_str()))
            .map(|id| id.trim().to_ascii_lowercase())
            .filter(|id| !id.is_empty())
            .collect();
        Ok(Principal {
            sub: sub.to_string(),
            role,
            coalitions,
        })
    }
}

/// The algorithms `JWT_ALGORITHMS` may name.
pub const SUPPORTED_ALGORITHMS: &[Algorithm] = &[
    Algorithm::HS256,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Parse `JWT_ALGORITHMS`.
pub fn parse_algorithms(names: &[String]) -> anyhow::Result<Vec<Algorithm>> {
    let mut algorithms = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let alg = name
            .parse::<Algorithm>()
            .ok()
            .filter(|a| SUPPORTED_ALGORITHMS.contains(a))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "JWT_ALGORITHMS: `{name}` is not supported; choose from {}",
                    SUPPORTED_ALGORITHMS
                        .iter()
                        .map(|a| format!("{a:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        if !algorithms.contains(&alg) {
            algorithms.push(alg);
        }
    }
    if algorithms.is_empty() {
        anyhow::bail!("JWT_ALGORITHMS names no algorithm");
    }
    Ok(algorithms)
}

/// Why a token was not accepted, before it becomes a response.
enum Failure {
    /// 401 (or 503) with this error
    Rejected(ApiError),
    /// the token names a key id the key set (of this generation) lacks
    UnknownKid(String, u64),
    /// no keys have been fetched yet (generation)
    NoKeys(u64),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        Failure::Rejected(e)
    }
}

impl Failure {
    fn into_error(self, jwks: Option<&jwks::Jwks>) -> ApiError {
        match self {
            Failure::Rejected(e) => e,
            Failure::UnknownKid(kid, _) => ApiError::Unauthorized(format!(
                "invalid bearer token: no signing key `{kid}` among the identity provider's keys"
            )),
            Failure::NoKeys(_) => ApiError::Unavailable(format!(
                "the identity provider's signing keys could not be fetched from {}: tokens it signs cannot be checked yet",
                jwks.map(|j| j.describe()).unwrap_or_default()
            )),
        }
    }
}

/// Verification (and, for HS256, signing) keys with the configured checks.
#[derive(Clone)]
pub struct JwtKeys {
    /// HS256 with the configured secret, when HS256 is accepted
    hs256: Option<(EncodingKey, DecodingKey)>,
    /// what `JWT_ALGORITHMS` accepts; never taken from a token
    algorithms: Vec<Algorithm>,
    /// the identity provider's keys, for the asymmetric algorithms
    jwks: Option<Arc<jwks::Jwks>>,
    /// the checks every token gets; `algorithms` is set per token
    validation: Validation,
    mapping: ClaimMapping,
    issuer: Option<String>,
    audience: Option<String>,
}

impl JwtKeys {
    /// Keys for an HS256 secret; `iss`/`aud` are required to match when given.
    pub fn hs256(secret: &Secret, issuer: Option<String>, audience: Option<String>) -> JwtKeys {
        JwtKeys::new(
            Some(secret),
            vec![Algorithm::HS256],
            None,
            ClaimMapping::default(),
            issuer,
            audience,
        )
    }

    fn new(
        secret: Option<&Secret>,
        algorithms: Vec<Algorithm>,
        jwks: Option<Arc<jwks::Jwks>>,
        mapping: ClaimMapping,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> JwtKeys {
        // An empty variable (as compose files pass them) means "not configured".
        let issuer = issuer.filter(|s| !s.trim().is_empty());
        let audience = audience.filter(|s| !s.trim().is_empty());
        let mut validation = Validation::new(Algorithm::HS256);
        // jsonwebtoken checks `iss`/`aud` only when a token carries them: require them when configured.
        let mut required = vec!["exp", "sub"];
        required.extend(issuer.as_ref().map(|_| "iss"));
        required.extend(audience.as_ref().map(|_| "aud"));
        validation.set_required_spec_claims(&required);
        validation.leeway = LEEWAY;
        validation.validate_nbf = true;
        match &issuer {
            Some(iss) => validation.set_issuer(&[iss]),
            None => validation.iss = None,
        }
        match &audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        let hs256 = secret.filter(|_| algorithms.contains(&Algorithm::HS256)).map(|secret| {
            (
                EncodingKey::from_secret(secret.expose().as_bytes()),
                DecodingKey::from_secret(secret.expose().as_bytes()),
            )
        });
        JwtKeys {
            hs256,
            algorithms,
            jwks,
            validation,
            mapping,
            issuer,
            audience,
        }
    }

    /// The keys the settings describe: the HS256 secret when `JWT_ALGORITHMS` accepts HS256
    /// (generated under the data directory when not set), the identity provider's key set
    /// (fetched now, then kept fresh) when it accepts an asymmetric algorithm.
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<JwtKeys> {
        let algorithms = parse_algorithms(&settings.jwt_algorithms)?;
        let asymmetric: Vec<String> = algorithms
            .iter()
            .filter(|a| **a != Algorithm::HS256)
            .map(|a| format!("{a:?}"))
            .collect();
        let url = settings
            .jwt_jwks_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let file = settings.jwt_jwks_file.as_ref().filter(|f| !f.as_os_str().is_empty());
        let issuer = settings.jwt_issuer.as_deref().map(str::trim).filter(|i| !i.is_empty());
        let source = match (url, file) {
            (Some(_), Some(_)) => anyhow::bail!("set JWT_JWKS_URL or JWT_JWKS_FILE, not both"),
            (Some(url), None) => Some(jwks::Source::Url(url.to_string())),
            (None, Some(file)) => Some(jwks::Source::File(file.clone())),
            (None, None) if !asymmetric.is_empty() => match issuer {
                Some(issuer) => Some(jwks::Source::Discovery {
                    issuer: issuer.to_string(),
                }),
                None => anyhow::bail!(
                    "JWT_ALGORITHMS accepts {} but no keys are configured: set JWT_JWKS_URL, JWT_JWKS_FILE, or JWT_ISSUER (its OpenID configuration names the keys)",
                    asymmetric.join(", ")
                ),
            },
            (None, None) => None,
        };
        let jwks = match source {
            Some(_) if asymmetric.is_empty() => anyhow::bail!(
                "a JWK set is configured but JWT_ALGORITHMS accepts only HS256: add the provider's algorithms (e.g. JWT_ALGORITHMS=RS256)"
            ),
            Some(source) => {
                match &source {
                    jwks::Source::Url(url) => jwks::Source::check_url(url),
                    jwks::Source::Discovery { issuer } => jwks::Source::check_url(issuer),
                    jwks::Source::File(_) => Ok(()),
                }
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                Some(jwks::Jwks::start(source, std::time::Duration::from_secs(15))?)
            }
            None => None,
        };
        let secret = if algorithms.contains(&Algorithm::HS256) {
            Some(settings.resolve_jwt_secret()?)
        } else {
            None
        };
        let mapping = ClaimMapping {
            role_claim: settings.jwt_role_claim.clone(),
            admin_role: settings.jwt_admin_role.clone(),
            editor_role: settings.jwt_editor_role.clone(),
            coalitions_claim: settings.jwt_coalitions_claim.clone(),
            coalition_prefix: settings.jwt_coalition_prefix.clone(),
        };
        Ok(JwtKeys::new(
            secret.as_ref(),
            algorithms,
            jwks,
            mapping,
            settings.jwt_issuer.clone(),
            settings.jwt_audience.clone(),
        ))
    }

    /// The identity provider's key set's fetch counts, when one is configured.
    pub fn jwks_stats(&self) -> Option<jwks::JwksStats> {
        self.jwks.as_ref().map(|j| j.stats())
    }

    /// Whether this service can sign tokens itself (HS256 is accepted).
    pub fn can_mint(&self) -> bool {
        self.hs256.is_some()
    }

    /// Verify a token and return its principal, with the keys at hand (a key id the key set
    /// lacks is refused without fetching it again; see [`JwtKeys::authenticate`]).
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        self.check(token).map_err(|f| f.into_error(self.jwks.as_deref()))
    }

    /// Verify a token; when it names a key id the identity provider's key set lacks, fetch the
    /// set again first (at most once per 30 s, on the key set's own thread).
    pub async fn authenticate(&self, token: &str) -> Result<Principal, ApiError> {
        let jwks = self.jwks.as_deref();
        match (self.check(token), jwks) {
            (Err(failure @ (Failure::UnknownKid(..) | Failure::NoKeys(..))), Some(keys)) => {
                let seen = match &failure {
                    Failure::UnknownKid(_, seen) | Failure::NoKeys(seen) => *seen,
                    Failure::Rejected(_) => unreachable!("matched above"),
                };
                if keys.refetch_for_unknown_kid(seen).await {
                    self.verify(token)
                } else {
                    Err(failure.into_error(jwks))
                }
            }
            (outcome, _) => outcome.map_err(|f| f.into_error(jwks)),
        }
    }

    fn check(&self, token: &str) -> Result<Principal, Failure> {
        let invalid = |why: &str| ApiError::Unauthorized(format!("invalid bearer token: {why}"));
        if has_crit(token) {
            return Err(
                invalid("the token's header names critical extensions (`crit`), which are not supported").into(),
            );
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| {
            invalid(&match e.kind() {
                jsonwebtoken::errors::ErrorKind::Json(_) => {
                    "its header is not a JWS header with an algorithm this service knows (`alg: none` is never accepted)".to_string()
                }
                _ => "the token is malformed (three base64url parts separated by dots)".to_string(),
            })
        })?;
        if !self.algorithms.contains(&header.alg) {
            return Err(invalid(&format!(
                "the token is signed with {:?}, an algorithm this service does not accept (accepted: {})",
                header.alg,
                self.algorithms
                    .iter()
                    .map(|a| format!("{a:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into());
        }
        let mut validation = self.validation.clone();
        validation.algorithms = vec![header.alg];
        if header.alg == Algorithm::HS256 {
            // Only ever the configured secret: never a key of the key set (no algorithm confusion).
            let Some((_, secret)) = &self.hs256 else {
                return Err(invalid("HS256 tokens are not accepted").into());
            };
            let claims = jsonwebtoken::decode::<Claims>(token, secret, &validation)
                .map_err(|e| invalid(&rejection(&e)))?
                .claims;
            self.check_iat(claims.iat)?;
            if claims.sub.trim().is_empty() {
                return Err(invalid("the token's `sub` is empty").into());
            }
            return Ok(Principal {
                sub: claims.sub,
                role: claims.role,
                coalitions: claims.coalitions.into_iter().collect(),
            });
        }
        let Some(jwks) = &self.jwks else {
            return Err(invalid("no keys are configured for this algorithm").into());
        };
        let (set, generation) = jwks.current();
        if set.is_empty() {
            return Err(Failure::NoKeys(generation));
        }
        let candidates = match set.lookup(header.kid.as_deref(), header.alg) {
            jwks::Lookup::Keys(keys) => keys,
            jwks::Lookup::UnknownKid => {
                return Err(Failure::UnknownKid(header.kid.unwrap_or_default(), generation));
            }
            jwks::Lookup::WrongAlgorithm => {
                return Err(invalid(&format!(
                    "the key `{}` is not for {:?}",
                    header.kid.unwrap_or_default(),
                    header.alg
                ))
                .into())
            }
            jwks::Lookup::NoKey => {
                return Err(invalid(&format!(
                    "no signing key for {:?} (and the token names no `kid`)",
                    header.alg
                ))
                .into())
            }
        };
        let mut last = None;
        for key in candidates {
            match jsonwebtoken::decode::<serde_json::Value>(token, key, &validation) {
                Ok(data) => {
                    self.check_iat(data.claims.get("iat").and_then(|v| v.as_i64()))?;
                    return self.mapping.principal(&data.claims).map_err(|why| invalid(&why).into());
                }
                Err(e) if *e.kind() == jsonwebtoken::errors::ErrorKind::InvalidSignature => last = Some(e),
                Err(e) => return Err(invalid(&rejection(&e)).into()),
            }
        }
        Err(invalid(&last.map(|e| rejection(&e)).unwrap_or_default()).into())
    }

    fn check_iat(&self, iat: Option<i64>) -> Result<(), Failure> {
        let now = chrono::Utc::now().timestamp();
        if iat.is_some_and(|iat| iat > now + LEEWAY as i64) {
            return Err(ApiError::Unauthorized(
                "invalid bearer token: the token was issued in the future (`iat`)".into(),
            )
            .into());
        }
        Ok(())
    }

    /// Sign a token for `sub` valid for `ttl_seconds` (HS256 with the configured secret).
    pub fn mint(&self, sub: &str, role: Role, coalitions: Vec<String>, ttl_seconds: i64) -> anyhow::Result<String> {
        let Some((secret, _)) = &self.hs256 else {
            anyhow::bail!("this service signs no tokens: JWT_ALGORITHMS does not accept HS256");
        };
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_string(),
            role,
            coalitions,
            exp: now + ttl_seconds,
            iat: Some(now),
            iss: self.issuer.clone(),
            aud: self.audience.clone().map(Audience::One),
            nbf: None,
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, secret)?)
    }
}

/// What is wrong with a token, in words, from jsonwebtoken's error.
fn rejection(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::ExpiredSignature => "the token has expired".to_string(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf` is in the future)".to_string(),
        ErrorKind::InvalidSignature => "the token's signature is invalid".to_string(),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "the token is not signed with an accepted algorithm".to_string()
        }
        ErrorKind::InvalidIssuer => "the token's issuer is not accepted".to_string(),
        ErrorKind::InvalidAudience => "the token's audience is not accepted".to_string(),
        ErrorKind::MissingRequiredClaim(c) => format!("the token lacks the `{c}` claim"),
        ErrorKind::Json(e) => format!("the token's claims are malformed: {e} (`role` is admin or editor)"),
        _ => "the token is malformed".to_string(),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { caller_of(&req).await })
    }
}

async fn caller_of(req: &HttpRequest) -> Result<Caller, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    // Verified once per request: the rate limiter may have done it already.
    if let Some(Authenticated(principal)) = req.extensions().get::<Authenticated>() {
        return Ok(Caller::User(principal.clone()));
    }
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid ASCII".into()))?;
    let token = bearer_token(value).map_err(|why| ApiError::Unauthorized(why.into()))?;
    let keys = req
        .app_data::<web::Data<JwtKeys>>()
        .ok_or_else(|| ApiError::Internal("JWT keys are not configured".into()))?
        .clone();
    let principal = keys.authenticate(token).await?;
    req.extensions_mut().insert(Authenticated(principal.clone()));
    Ok(Caller::User(principal))
}

/// The principal of a request's verified token, kept in its extensions: whoever verifies the
/// token first (the rate limiter or the [`Caller`] extractor) leaves it for the other, and the
/// access log reads its `sub` (never the token).
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(iss: Option<&str>, aud: Option<&str>) -> JwtKeys {
        JwtKeys::hs256(
            &Secret::new("0123456789abcdef0123456789abcdef"),
            iss.map(String::from),
            aud.map(String::from),
        )
    }

    #[test]
    fn minted_tokens_verify() {
        let k = keys(Some("https://idp"), Some("registry"));
        let token = k.mint("ann", Role::Editor, vec!["c1".into()], 60).unwrap();
        let p = k.verify(&token).unwrap();
        assert_eq!(p.sub, "ann");
        assert!(p.coalitions.contains("c1"));
    }

    #[test]
    fn wrong_audience_and_issuer_fail() {
        let strict = keys(Some("https://idp"), Some("registry"));
        let wrong_aud = keys(Some("https://idp"), Some("elsewhere"))
            .mint("x", Role::Admin, vec![], 60)
            .unwrap();
        let wrong_iss = keys(Some("https://other"), Some("registry"))
            .mint("x", Role::Admin, vec![], 60)
            .unwrap();
        let none = keys(None, None).mint("x", Role::Admin, vec![], 60).unwrap();
        for token in [wrong_aud, wrong_iss, none] {
            assert!(strict.verify(&token).is_err());
        }
    }

    #[test]
    fn claims_are_found_by_name_path_or_pointer() {
        let claims = serde_json::json!({
            "sub": "u1",
            "realm_access": {"roles": ["offline_access", "registry-editor"]},
            "https://registry.example.eu/role": "admin",
            "groups": ["/coalitions/0190A5F4-0000-7000-8000-000000000001", "/staff", "/coalitions/"],
        });
        assert_eq!(claim(&claims, "realm_access.roles").unwrap()[1], "registry-editor");
        assert_eq!(claim(&claims, "/realm_access/roles/0").unwrap(), "offline_access");
        assert_eq!(claim(&claims, "https://registry.example.eu/role").unwrap(), "admin");
        assert!(claim(&claims, "realm_access.missing").is_none());

        let keycloak = ClaimMapping {
            role_claim: "realm_access.roles".into(),
            admin_role: "registry-admin".into(),
            editor_role: "registry-editor".into(),
            coalitions_claim: "groups".into(),
            coalition_prefix: "/coalitions/".into(),
        };
        let p = keycloak.principal(&claims).unwrap();
        assert_eq!(p.role, Role::Editor);
        assert_eq!(
            p.coalitions.into_iter().collect::<Vec<_>>(),
            vec!["0190a5f4-0000-7000-8000-000000000001".to_string()]
        );

        let namespaced = ClaimMapping {
            role_claim: "https://registry.example.eu/role".into(),
            ..ClaimMapping::default()
        };
        assert_eq!(namespaced.principal(&claims).unwrap().role, Role::Admin);

        let nobody = serde_json::json!({"sub": "u2", "realm_access": {"roles": ["offline_access"]}});
        assert!(keycloak
            .principal(&nobody)
            .unwrap_err()
            .contains("neither `registry-admin` nor `registry-editor`"));
        let anonymous = serde_json::json!({"sub": " ", "role": "admin"});
        assert!(ClaimMapping::default().principal(&anonymous).is_err());
    }

    #[test]
    fn algorithms_are_explicit() {
        let names = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            parse_algorithms(&names("RS256, ES256,EdDSA,RS256")).unwrap(),
            vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA]
        );
        assert!(parse_algorithms(&names("none")).is_err());
        assert!(parse_algorithms(&names("HS512")).is_err());
        assert!(parse_algorithms(&names(" ")).is_err());
    }
}

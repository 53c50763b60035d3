//! Verifying tokens (and signing them, for HS256): the accepted algorithms, the configured
//! secret or the identity provider's key set, and the checks every token gets.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

use super::claims::{Audience, ClaimMapping, Claims, Role};
use super::verified::{TokenStats, Verified};
use super::{jwks, Principal};
use crate::config::Secret;
use crate::http::error::ApiError;

/// Seconds of clock skew allowed on `exp`, `nbf` and `iat`.
const LEEWAY: u64 = 30;

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
    /// tokens accepted already (see [`super::verified`])
    verified: Arc<Verified>,
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

    pub(super) fn new(
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
            verified: Arc::new(Verified::new()),
        }
    }

    /// The identity provider's key set's fetch counts, when one is configured.
    pub fn jwks_stats(&self) -> Option<jwks::JwksStats> {
        self.jwks.as_ref().map(|j| j.stats())
    }

    /// How many tokens were accepted from memory and how many after a full check.
    pub fn token_stats(&self) -> TokenStats {
        self.verified.stats()
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
        let now = chrono::Utc::now().timestamp();
        let generation = || self.jwks.as_ref().map(|j| j.current().1);
        if let Some(principal) = self.verified.get(token, now, LEEWAY as i64, generation) {
            return Ok(principal);
        }
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
            let principal = Principal {
                sub: claims.sub,
                role: claims.role,
                coalitions: claims.coalitions.into_iter().collect(),
            };
            self.verified.remember(token, &principal, claims.exp, None);
            return Ok(principal);
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
                    let principal = self.mapping.principal(&data.claims).map_err(|why| invalid(&why))?;
                    if let Some(exp) = data.claims.get("exp").and_then(|v| v.as_i64()) {
                        self.verified.remember(token, &principal, exp, Some(generation));
                    }
                    return Ok(principal);
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
}

//! Bearer tokens: claims, key configuration, verification, and the extractor that yields
//! the caller. What a caller may do lives in [`policy`].

pub mod policy;

use std::collections::BTreeSet;
use std::future::{ready, Ready};

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

/// Verification (and, for HS256, signing) keys with the configured checks.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: Option<String>,
    audience: Option<String>,
}

impl JwtKeys {
    /// Keys for an HS256 secret; `iss`/`aud` are required to match when given.
    pub fn hs256(secret: &Secret, issuer: Option<String>, audience: Option<String>) -> JwtKeys {
        // An empty variable (as compose files pass them) means "not configured".
        let issuer = issuer.filter(|s| !s.trim().is_empty());
        let audience = audience.filter(|s| !s.trim().is_empty());
        // Only the configured algorithm is accepted: `none` and every other algorithm fail.
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
        JwtKeys {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            issuer,
            audience,
        }
    }

    /// Verify a token and return its principal.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let invalid = |why: &str| ApiError::Unauthorized(format!("invalid bearer token: {why}"));
        if has_crit(token) {
            return Err(invalid(
                "the token's header names critical extensions (`crit`), which are not supported",
            ));
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            let why = match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired".to_string(),
                ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf` is in the future)".to_string(),
                ErrorKind::InvalidSignature => "the token's signature is invalid".to_string(),
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    "the token is not signed with the configured algorithm".to_string()
                }
                ErrorKind::InvalidIssuer => "the token's issuer is not accepted".to_string(),
                ErrorKind::InvalidAudience => "the token's audience is not accepted".to_string(),
                ErrorKind::MissingRequiredClaim(c) => {
                    format!("the token lacks the `{c}` claim")
                }
                ErrorKind::Json(e) => format!("the token's claims are malformed: {e} (`role` is admin or editor)"),
                _ => "the token is malformed".to_string(),
            };
            ApiError::Unauthorized(format!("invalid bearer token: {why}"))
        })?;
        let claims = data.claims;
        if claims.sub.trim().is_empty() {
            return Err(invalid("the token's `sub` is empty"));
        }
        let now = chrono::Utc::now().timestamp();
        if claims.iat.is_some_and(|iat| iat > now + LEEWAY as i64) {
            return Err(invalid("the token was issued in the future (`iat`)"));
        }
        Ok(Principal {
            sub: claims.sub,
            role: claims.role,
            coalitions: claims.coalitions.into_iter().collect(),
        })
    }

    /// Sign a token for `sub` valid for `ttl_seconds` (HS256 with the configured secret).
    pub fn mint(&self, sub: &str, role: Role, coalitions: Vec<String>, ttl_seconds: i64) -> anyhow::Result<String> {
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
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_of(req))
    }
}

fn caller_of(req: &HttpRequest) -> Result<Caller, ApiError> {
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
        .ok_or_else(|| ApiError::Internal("JWT keys are not configured".into()))?;
    let principal = keys.verify(token)?;
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
}

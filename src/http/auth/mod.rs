//! Bearer tokens: the extractor that yields the caller. What a token says is in [`claims`],
//! how it is verified in [`keys`] (configured in [`settings`], an identity provider's keys in
//! [`jwks`]); what a caller may do lives in [`policy`].

mod claims;
pub mod jwks;
mod keys;
mod keyset;
pub mod policy;
mod settings;
mod verified;

pub use claims::{claim, Audience, ClaimMapping, Claims, Role};
pub use keys::JwtKeys;
pub use settings::{parse_algorithms, SUPPORTED_ALGORITHMS};
pub use verified::TokenStats;

use std::collections::BTreeSet;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};

use crate::http::error::ApiError;
use crate::store::journal::Actor;

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

/// The journal's writer: the token's `sub` and role.
impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Actor {
        Actor {
            sub: p.sub.clone(),
            role: match p.role {
                Role::Admin => "admin",
                Role::Editor => "editor",
            },
        }
    }
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

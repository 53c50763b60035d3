//! The keys the settings describe (`JWT_ALGORITHMS`, `JWT_SECRET`, `JWT_JWKS_URL` and friends).

use jsonwebtoken::Algorithm;

use super::claims::ClaimMapping;
use super::jwks;
use super::keys::JwtKeys;

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

impl JwtKeys {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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

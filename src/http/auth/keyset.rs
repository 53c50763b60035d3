//! A parsed JSON Web Key Set (RFC 7517): the keys that can verify signatures here, and which
//! of them a token's `kid` and algorithm select.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

/// One usable verification key.
struct Key {
    kid: Option<String>,
    /// the JWK's `alg`, when it names one: the key is then used for that algorithm only
    alg: Option<Algorithm>,
    /// the algorithms the key's type and curve can verify
    fits: Fits,
    key: DecodingKey,
}

/// Which algorithms a key's type and curve can verify.
#[derive(Clone, Copy)]
enum Fits {
    /// an RSA key: RS256/384/512 and PS256/384/512
    Rsa,
    /// an EC or OKP key: its curve's one algorithm
    Only(Algorithm),
}

impl Fits {
    fn allows(self, alg: Algorithm) -> bool {
        match self {
            Fits::Rsa => alg.family() == jsonwebtoken::AlgorithmFamily::Rsa,
            Fits::Only(only) => only == alg,
        }
    }
}

/// A parsed key set.
#[derive(Default)]
pub struct KeySet {
    keys: Vec<Key>,
}

/// What a key set offers for a token.
pub enum Lookup<'a> {
    /// the keys to try, in order
    Keys(Vec<&'a DecodingKey>),
    /// the token names a `kid` the set does not hold
    UnknownKid,
    /// the token's `kid` is in the set, but its key is not for the token's algorithm
    WrongAlgorithm,
    /// the token names no `kid` and no key fits its algorithm
    NoKey,
}

impl KeySet {
    /// Parse a JWKS document. Keys that cannot verify signatures here (encryption keys,
    /// symmetric keys, unknown types or curves) are skipped; a set with none left is an error.
    pub fn parse(body: &[u8]) -> Result<KeySet, String> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document =
            serde_json::from_slice(body).map_err(|e| format!("not a JWK set (RFC 7517 §5): {e}"))?;
        let mut keys = Vec::new();
        for value in document.keys {
            let Ok(jwk) = serde_json::from_value::<Jwk>(value) else {
                continue;
            };
            if let Some(key) = usable(&jwk) {
                keys.push(key);
            }
        }
        if keys.is_empty() {
            return Err(
                "the JWK set holds no signature key this service can use (RSA, EC P-256/P-384, Ed25519)".into(),
            );
        }
        Ok(KeySet { keys })
    }

    /// How many keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys that may verify a token signed with `alg` naming `kid`.
    pub fn lookup(&self, kid: Option<&str>, alg: Algorithm) -> Lookup<'_> {
        let fits = |k: &Key| k.fits.allows(alg) && k.alg.is_none_or(|a| a == alg);
        match kid {
            Some(kid) => {
                let named: Vec<&Key> = self.keys.iter().filter(|k| k.kid.as_deref() == Some(kid)).collect();
                if named.is_empty() {
                    return Lookup::UnknownKid;
                }
                let keys: Vec<&DecodingKey> = named.into_iter().filter(|k| fits(k)).map(|k| &k.key).collect();
                if keys.is_empty() {
                    Lookup::WrongAlgorithm
                } else {
                    Lookup::Keys(keys)
                }
            }
            None => {
                let keys: Vec<&DecodingKey> = self.keys.iter().filter(|k| fits(k)).map(|k| &k.key).collect();
                if keys.is_empty() {
                    Lookup::NoKey
                } else {
                    Lookup::Keys(keys)
                }
            }
        }
    }
}

fn usable(jwk: &Jwk) -> Option<Key> {
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return None;
    }
    let fits = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Fits::Rsa,
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Fits::Only(Algorithm::ES256),
            EllipticCurve::P384 => Fits::Only(Algorithm::ES384),
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => Fits::Only(Algorithm::EdDSA),
        // Symmetric keys never come from a key set: HS256 uses the configured secret only.
        _ => return None,
    };
    let alg = match jwk.common.key_algorithm {
        None => None,
        Some(named) => Some(signing_algorithm(named)?),
    };
    if alg.is_some_and(|a| !fits.allows(a)) {
        return None;
    }
    Some(Key {
        kid: jwk.common.key_id.clone(),
        alg,
        fits,
        key: DecodingKey::from_jwk(jwk).ok()?,
    })
}

/// The signature algorithm a JWK's `alg` names, when it is one `JWT_ALGORITHMS` may accept
/// (the two enums spell their variants alike).
fn signing_algorithm(alg: KeyAlgorithm) -> Option<Algorithm> {
    format!("{alg:?}")
        .parse::<Algorithm>()
        .ok()
        .filter(|a| *a != Algorithm::HS256 && super::SUPPORTED_ALGORITHMS.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_signature_keys_that_fit_are_used() {
        let set = KeySet::parse(
            br#"{"keys": [
                {"kty": "oct", "kid": "s", "k": "c2VjcmV0"},
                {"kty": "RSA", "use": "enc", "kid": "enc", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"},
                {"kty": "EC", "kid": "p256", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
                {"kty": "XYZ", "kid": "odd"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(set.len(), 2);
        assert!(matches!(set.lookup(Some("p256"), Algorithm::ES256), Lookup::Keys(k) if k.len() == 1));
        assert!(matches!(
            set.lookup(Some("p256"), Algorithm::RS256),
            Lookup::WrongAlgorithm
        ));
        assert!(matches!(set.lookup(Some("s"), Algorithm::HS256), Lookup::UnknownKid));
        assert!(matches!(set.lookup(None, Algorithm::EdDSA), Lookup::Keys(k) if k.len() == 1));
        assert!(matches!(set.lookup(None, Algorithm::RS256), Lookup::NoKey));
        assert!(KeySet::parse(br#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#).is_err());
        assert!(KeySet::parse(b"[]").is_err());
    }
}

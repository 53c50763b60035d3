//! What a token says: the claims of the tokens this service signs, and where the role and
//! coalitions are read from in an identity provider's tokens.

use serde::{Deserialize, Serialize};

use super::Principal;

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
    pub(super) fn principal(&self, claims: &serde_json::Value) -> Result<Principal, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

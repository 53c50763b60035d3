//! Who may do what: the permission table of the product brief, in one place.
//!
//! | caller | may |
//! | --- | --- |
//! | anonymous | read everything published, and all reference data |
//! | editor of C | update the profile of C; manage memberships of C; create organisations; update organisations that are members of one of C |
//! | admin | everything: countries, creating and deleting coalitions, deleting organisations |

use super::{Principal, Role};
use crate::http::error::ApiError;

fn admin_only(p: &Principal, what: &str) -> Result<(), ApiError> {
    if p.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("only administrators may {what}")))
    }
}

impl Principal {
    /// Whether this caller is an administrator.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this caller administers or edits coalition `id`.
    pub fn edits_coalition(&self, id: &str) -> bool {
        self.is_admin() || (self.role == Role::Editor && self.coalitions.contains(id))
    }

    /// Countries are reference data: admins only.
    pub fn may_write_countries(&self) -> Result<(), ApiError> {
        admin_only(self, "change countries")
    }

    /// Creating and deleting coalitions: admins only.
    pub fn may_create_or_delete_coalitions(&self) -> Result<(), ApiError> {
        admin_only(self, "create or delete coalitions")
    }

    /// Updating a coalition's profile: admins, and editors of that coalition.
    pub fn may_update_coalition(&self, id: &str) -> Result<(), ApiError> {
        if self.edits_coalition(id) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "your token does not let you edit coalition {id}"
            )))
        }
    }

    /// Moving a coalition to another country is an administrator's decision.
    pub fn may_change_coalition_country(&self) -> Result<(), ApiError> {
        admin_only(self, "change the country of a coalition")
    }

    /// Managing memberships of a coalition: admins, and editors of that coalition.
    pub fn may_manage_memberships(&self, coalition_id: &str) -> Result<(), ApiError> {
        if self.edits_coalition(coalition_id) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "your token does not let you manage the members of coalition {coalition_id}"
            )))
        }
    }

    /// Creating organisations: admins and every editor.
    pub fn may_create_organisations(&self) -> Result<(), ApiError> {
        Ok(())
    }

    /// Updating an organisation: admins, and editors of a coalition it is a member of.
    pub fn may_update_organisation(&self, member_of: &[String]) -> Result<(), ApiError> {
        if self.is_admin() || member_of.iter().any(|c| self.coalitions.contains(c)) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "editors may update only organisations that are members of one of their coalitions".into(),
            ))
        }
    }

    /// Reading the audit trail: admins only.
    pub fn may_read_audit(&self) -> Result<(), ApiError> {
        admin_only(self, "read the audit trail")
    }

    /// Registering, listing and revoking machine clients: admins only.
    pub fn may_manage_clients(&self) -> Result<(), ApiError> {
        admin_only(self, "manage API clients")
    }

    /// Deleting organisations: admins only.
    pub fn may_delete_organisations(&self) -> Result<(), ApiError> {
        admin_only(self, "delete organisations")
    }
}

//! Memberships: the first-class link between a coalition and an organisation.

pub mod api;
pub mod model;
pub mod resource;

use crate::store::journal::RecordType;

/// The kind of its records in the journal, the feed and the audit trail.
pub const KIND: RecordType = RecordType::new("membership");

crate::tables! {
    /// memberships of organisations in coalitions
    MEMBERSHIPS = "memberships" as "m", key "id", columns "m.*";
}

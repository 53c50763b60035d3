//! Memberships: the first-class link between a coalition and an organisation.

pub mod api;
pub mod model;
pub mod resource;

/// The kind of its records in the journal, the feed and the audit trail.
pub const KIND: crate::store::journal::RecordType = crate::store::journal::RecordType::new("membership");

crate::tables! {
    /// memberships of organisations in coalitions
    MEMBERSHIPS = "memberships" as "m", key "id", columns "m.*";
}

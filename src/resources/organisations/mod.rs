//! Organisations: potential and actual coalition members.

pub mod api;
pub mod model;
pub mod resource;

/// The kind of its records in the journal, the feed and the audit trail.
pub const KIND: crate::store::journal::RecordType = crate::store::journal::RecordType::new("organisation");

crate::tables! {
    /// organisations
    ORGANISATIONS = "organisations" as "o", key "id", columns "o.*";
}

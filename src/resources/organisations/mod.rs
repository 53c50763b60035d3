//! Organisations: potential and actual coalition members.

pub mod api;
pub mod model;
pub mod resource;

use crate::store::journal::RecordType;

/// The kind of its records in the journal, the feed and the audit trail.
pub const KIND: RecordType = RecordType::new("organisation");

crate::tables! {
    /// organisations
    ORGANISATIONS = "organisations" as "o", key "id", columns "o.*";
}

//! Coalitions: one per country (at most one that is not inactive), with their profile.

pub mod api;
pub mod model;
pub mod resource;

use crate::store::journal::RecordType;

/// The kind of its records in the journal, the feed and the audit trail.
pub const KIND: RecordType = RecordType::new("coalition");

crate::tables! {
    /// coalitions
    COALITIONS = "coalitions" as "c", key "id", columns "c.*";
}

crate::link_tables! {
    /// a coalition's activity areas
    COALITION_AREAS = "coalition_activity_areas" ("coalition_id", "area");
}

//! Countries: reference data keyed by ISO 3166-1 alpha-2 code; admin-only writes.

pub mod api;
pub mod model;
pub mod resource;

use crate::store::journal::RecordType;

/// The kind of its records in the journal, the feed and the audit trail.
pub const KIND: RecordType = RecordType::new("country");

crate::tables! {
    /// countries, by ISO code
    COUNTRIES = "countries" as "k", key "code", columns "k.*";
}

crate::link_tables! {
    /// a country's groups
    COUNTRY_GROUPS = "country_groups" ("country_code", "group_code");
}

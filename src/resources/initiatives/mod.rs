//! Initiatives: what coalitions do, in the four activity areas, with drafts before publishing.

pub mod api;
pub mod filters;
pub mod model;
pub mod queries;
pub mod resource;

use crate::store::journal::RecordType;

/// The kind of its records in the journal, the feed and the audit trail.
pub const KIND: RecordType = RecordType::new("initiative");

crate::tables! {
    /// initiatives (PostgreSQL's `search` column stays out of the selection)
    INITIATIVES = "initiatives" as "i", key "id", columns "i.id, i.coalition_id, i.title, i.summary, i.description, \
        i.sphere, i.status, i.start_date, i.end_date, i.website, i.funding, i.publication, i.external_id, \
        i.original_language, i.texts, i.version, i.created_at, i.updated_at";
}

crate::link_tables! {
    /// an initiative's activity areas
    INITIATIVE_AREAS = "initiative_activity_areas" ("initiative_id", "area") facet "area";
    /// an initiative's themes
    INITIATIVE_THEMES = "initiative_themes" ("initiative_id", "theme") facet "theme";
    /// an initiative's target groups
    INITIATIVE_GROUPS = "initiative_target_groups" ("initiative_id", "target_group") facet "group";
    /// an initiative's geographic scope
    INITIATIVE_COUNTRIES = "initiative_countries" ("initiative_id", "country_code") facet "country";
    /// an initiative's participating organisations
    INITIATIVE_ORGANISATIONS = "initiative_organisations" ("initiative_id", "organisation_id", "role") facet "organisation";
}

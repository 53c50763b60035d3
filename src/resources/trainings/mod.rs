//! Trainings and other events (workshops, webinars, conferences, study visits), run by a
//! coalition or, with no coalition, at platform level (e.g. by a facility).

pub mod api;
pub mod filters;
pub mod model;
pub mod queries;
pub mod resource;

use crate::store::journal::RecordType;

/// The kind of its records in the journal, the feed and the audit trail.
pub const KIND: RecordType = RecordType::new("training");

crate::tables! {
    /// trainings and other events (PostgreSQL's `search` column stays out of the selection)
    TRAININGS = "trainings" as "t", key "id", columns "t.id, t.coalition_id, t.title, t.description, t.kind, \
        t.format, t.starts_at, t.ends_at, t.timezone, t.city, t.country_code, t.organiser_id, t.participants, \
        t.participants_note, t.registration_url, t.publication, t.external_id, t.original_language, \
        t.texts, t.version, t.created_at, t.updated_at";
}

crate::link_tables! {
    /// an event's audience countries
    TRAINING_AUDIENCE = "training_audience_countries" ("training_id", "country_code") facet "audience";
    /// an event's activity areas
    TRAINING_AREAS = "training_activity_areas" ("training_id", "area") facet "area";
    /// an event's themes
    TRAINING_THEMES = "training_themes" ("training_id", "theme") facet "theme";
    /// an event's languages
    TRAINING_LANGUAGES = "training_languages" ("training_id", "language") facet "language";
    /// an event's speakers, in order
    TRAINING_SPEAKERS = "training_speakers" ("training_id", "name", "affiliation", "position");
}

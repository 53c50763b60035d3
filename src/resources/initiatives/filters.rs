//! Filters and sort fields of `GET /initiatives`.

use crate::resources::vocabularies::{ActivityArea, InitiativeStatus, Publication, Sphere, TargetGroup, Theme};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::InitiativeRow;

/// Filters of `GET /initiatives`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeFilters {
    /// A country in the geographic scope; repeat for any of several.
    #[serde(default)]
    pub country: Vec<String>,
    /// Owning coalition; repeat for any of several.
    #[serde(default)]
    #[param(value_type = Vec<uuid::Uuid>)]
    pub coalition: Vec<String>,
    /// Activity area; repeat for any of several.
    #[serde(default)]
    pub activity_area: Vec<ActivityArea>,
    /// Theme; repeat for any of several.
    #[serde(default)]
    pub theme: Vec<Theme>,
    /// Target group; repeat for any of several.
    #[serde(default)]
    pub target_group: Vec<TargetGroup>,
    /// Status; repeat for any of several.
    #[serde(default)]
    pub status: Vec<InitiativeStatus>,
    /// Sphere; repeat for any of several.
    #[serde(default)]
    pub sphere: Vec<Sphere>,
    /// A participating organisation; repeat for any of several.
    #[serde(default)]
    #[param(value_type = Vec<uuid::Uuid>)]
    pub organisation: Vec<String>,
    /// A language the title has a text in (an accepted tag); repeat for any of several.
    #[serde(default)]
    pub language: Vec<String>,
    /// `draft` or `published` (drafts only ever include those the caller may see).
    pub publication: Option<Publication>,
    /// Running on this day: `start_date ≤ day ≤ end_date` (or no end date).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_date")]
    pub active_on: Option<NaiveDate>,
    /// Starting on or after this day.
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_date")]
    pub start_from: Option<NaiveDate>,
    /// Starting on or before this day.
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_date")]
    pub start_to: Option<NaiveDate>,
    /// Changed at or after this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_instant")]
    pub updated_since: Option<DateTime<Utc>>,
    /// Full-text search over title, summary and description in every language: every term must match, a term
    /// with punctuation inside is a phrase (`2024-2027`), `word*` matches a prefix; diacritics
    /// and case are ignored; nothing else is syntax.
    pub q: Option<String>,
    /// Embed related records: `coalition`, `organisations` (comma-separated). A fixed number of
    /// queries per page, whatever its size.
    pub include: Option<String>,
    /// Comma-separated sort fields, `-` for descending: `title`, `start_date`, `created_at`,
    /// `updated_at`; or `relevance` (with `q`; best first among at most 10,000 matches, see
    /// `total_exact`). `id` always ends the sort, in the direction of the
    /// last field. Default `-start_date`.
    #[param(
        pattern = r"^(relevance|-?(title|start_date|created_at|updated_at)(,-?(title|start_date|created_at|updated_at))*)$"
    )]
    pub sort: Option<String>,
}

crate::sortable!(InitiativeRow, key id, alias "i": title Text, start_date Date, created_at Timestamp, updated_at Timestamp);

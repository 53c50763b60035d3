//! Filters and sort fields of `GET /trainings`.

use crate::resources::vocabularies::{ActivityArea, EventFormat, EventKind, Publication, Theme};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::TrainingRow;

/// Filters of `GET /trainings`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingFilters {
    /// Events overlapping the range from this day (UTC) …
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_date")]
    pub from: Option<NaiveDate>,
    /// … to this day (UTC, inclusive).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_date")]
    pub to: Option<NaiveDate>,
    /// `true`: events that have not ended yet; `false`: past events.
    pub upcoming: Option<bool>,
    /// Host or audience country; repeat for any of several.
    #[serde(default)]
    pub country: Vec<String>,
    /// Organising coalition; repeat for any of several.
    #[serde(default)]
    #[param(value_type = Vec<uuid::Uuid>)]
    pub coalition: Vec<String>,
    /// `true`: only platform-level events (no coalition); `false`: only coalitions' events.
    pub platform: Option<bool>,
    /// Kind; repeat for any of several.
    #[serde(default)]
    pub kind: Vec<EventKind>,
    /// Event format; repeat for any of several. (`csv` and `json`, which select the
    /// representation on every list, are read here too; the typed contract has `trainings.csv`.)
    #[serde(default)]
    pub format: Vec<EventFormat>,
    /// Activity area; repeat for any of several.
    #[serde(default)]
    pub activity_area: Vec<ActivityArea>,
    /// Theme; repeat for any of several.
    #[serde(default)]
    pub theme: Vec<Theme>,
    /// A language the event is held in (ISO 639-1); repeat for any of several.
    #[serde(default)]
    pub language: Vec<String>,
    /// A language the title has a text in (an accepted tag); repeat for any of several. (On
    /// events `language` is the language they are held in.)
    #[serde(default)]
    pub text_language: Vec<String>,
    /// Organiser; repeat for any of several.
    #[serde(default)]
    #[param(value_type = Vec<uuid::Uuid>)]
    pub organiser: Vec<String>,
    /// `draft` or `published` (drafts only ever include those the caller may see).
    pub publication: Option<Publication>,
    /// Changed at or after this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_instant")]
    pub updated_since: Option<DateTime<Utc>>,
    /// Full-text search over title, description, city and participants note: every term must
    /// match, a term with punctuation inside is a phrase, `word*` matches a prefix; diacritics
    /// and case are ignored; nothing else is syntax.
    pub q: Option<String>,
    /// Embed related records: `coalition`, `organiser` (comma-separated).
    pub include: Option<String>,
    /// Comma-separated sort fields, `-` for descending: `starts_at`, `title`, `created_at`,
    /// `updated_at`; or `relevance` (with `q`; best first among at most 10,000 matches, see
    /// `total_exact`). `id` always ends the sort, in the direction of the
    /// last field. Default `-starts_at`.
    #[param(
        pattern = r"^(relevance|-?(starts_at|title|created_at|updated_at)(,-?(starts_at|title|created_at|updated_at))*)$"
    )]
    pub sort: Option<String>,
}

crate::sortable!(TrainingRow, key id, alias "t": starts_at Timestamp, title Text, created_at Timestamp, updated_at Timestamp);

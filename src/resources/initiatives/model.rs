//! Initiative rows, DTOs, input validation and filters.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::http::error::{ApiError, FieldError};
use crate::kernel::records::References;
use crate::resources::coalitions::model::Coalition;
use crate::resources::organisations::model::Organisation;
use crate::resources::validation::{self, trim_opt, Referenced, Translated};
use crate::resources::vocabularies::{
    ActivityArea, InitiativeStatus, ParticipationRole, Publication, Sphere, TargetGroup, Theme,
};
use crate::store::DbConnection;
use crate::texts::{self, Field, Texts};

// The row's columns, for diesel's decoder (statements are built with `store::sql`).
diesel::table! {
    initiatives (id) {
        id -> Text,
        coalition_id -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        description -> Nullable<Text>,
        sphere -> Text,
        status -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        website -> Nullable<Text>,
        funding -> Nullable<Text>,
        publication -> Text,
        external_id -> Nullable<Text>,
        original_language -> Text,
        texts -> Text,
        languages -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

/// An initiative as stored (sets live in link tables).
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = initiatives)]
pub struct InitiativeRow {
    pub id: String,
    pub coalition_id: String,
    pub title: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub sphere: String,
    pub status: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub website: Option<String>,
    pub funding: Option<String>,
    pub publication: String,
    pub external_id: Option<String>,
    pub original_language: String,
    pub texts: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organisation taking part in an initiative.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Participant {
    /// The organisation.
    #[schema(format = Uuid)]
    pub organisation_id: String,
    /// Its role.
    pub role: ParticipationRole,
    /// The organisation's record, with `include=organisations`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
}

/// An initiative of a coalition.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Initiative {
    /// Server-generated id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The owning coalition.
    #[schema(format = Uuid)]
    pub coalition_id: String,
    /// The language it was written in: its texts always have one in it.
    pub original_language: String,
    /// Title, per language.
    pub title: Texts,
    /// One-paragraph summary, per language.
    pub summary: Texts,
    /// Full description, per language.
    pub description: Texts,
    /// Activity areas (at least one).
    pub activity_areas: Vec<ActivityArea>,
    /// Themes.
    pub themes: Vec<Theme>,
    /// Target groups.
    pub target_groups: Vec<TargetGroup>,
    /// Geographic scope: country codes (at least one).
    pub countries: Vec<String>,
    /// Geographic reach.
    pub sphere: Sphere,
    /// Progress.
    pub status: InitiativeStatus,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day (null while open-ended).
    pub end_date: Option<NaiveDate>,
    /// Website.
    pub website: Option<String>,
    /// Participating organisations with their role.
    pub organisations: Vec<Participant>,
    /// How it is funded.
    pub funding: Option<String>,
    /// `draft` (visible to admins and the coalition's editors only) or `published`.
    pub publication: Publication,
    /// The id a client system uses for this initiative (unique).
    pub external_id: Option<String>,
    /// +1 on every change.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// The owning coalition, with `include=coalition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coalition: Option<Coalition>,
}

/// Columns of the CSV export, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "coalition_id",
    "original_language",
    "title",
    "summary",
    "description",
    "activity_areas",
    "themes",
    "target_groups",
    "countries",
    "sphere",
    "status",
    "start_date",
    "end_date",
    "website",
    "organisations",
    "funding",
    "publication",
    "external_id",
    "version",
    "created_at",
    "updated_at",
];

/// An organisation taking part, as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    /// An existing organisation.
    pub organisation_id: uuid::Uuid,
    /// Its role.
    pub role: ParticipationRole,
}

/// The writable fields of an initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct InitiativeInput {
    /// The owning coalition; editors may only use their own.
    pub coalition_id: uuid::Uuid,
    /// The language the initiative is written in (an accepted tag): `title` must have a text in it.
    #[schema(example = "lv")]
    pub original_language: String,
    /// Per language, 1–300 characters each; at least the original language.
    #[schema(example = json!({"lv": "Digitālās prasmes skolotājiem", "en": "Digital skills for teachers"}))]
    pub title: Texts,
    /// Per language, up to 2000 characters each.
    #[serde(default, deserialize_with = "texts::nullable")]
    pub summary: Texts,
    /// Per language, up to 20000 characters each.
    #[serde(default, deserialize_with = "texts::nullable")]
    pub description: Texts,
    /// At least one; duplicates are ignored.
    pub activity_areas: Vec<ActivityArea>,
    /// A set.
    #[serde(default)]
    pub themes: Vec<Theme>,
    /// A set.
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    /// Country codes of the geographic scope, at least one, each an existing country.
    #[schema(example = json!(["AM"]))]
    pub countries: Vec<String>,
    /// Geographic reach.
    pub sphere: Sphere,
    /// Progress.
    pub status: InitiativeStatus,
    /// First day (`YYYY-MM-DD`).
    #[serde(deserialize_with = "crate::resources::validation::strict::date")]
    pub start_date: NaiveDate,
    /// Last day, not before `start_date`.
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_date")]
    pub end_date: Option<NaiveDate>,
    /// An http(s) URL.
    #[serde(default)]
    #[validate(length(max = 500), custom(function = "validation::http_url"))]
    pub website: Option<String>,
    /// Participating organisations; each (organisation, role) pair once.
    #[serde(default)]
    pub organisations: Vec<ParticipantInput>,
    /// Up to 2000 characters.
    #[serde(default)]
    #[validate(length(max = 2000))]
    pub funding: Option<String>,
    /// `draft` (the default) or `published`.
    #[serde(default = "Publication::draft")]
    pub publication: Publication,
    /// Your system's id for this initiative, 1–200 characters, unique.
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    pub external_id: Option<String>,
}

impl Translated for InitiativeInput {
    fn normalise(&mut self) {
        self.website = trim_opt(self.website.take());
        self.funding = trim_opt(self.funding.take());
        self.external_id = trim_opt(self.external_id.take());
        validation::set(&mut self.activity_areas);
        validation::set(&mut self.themes);
        validation::set(&mut self.target_groups);
        validation::set(&mut self.countries);
        // In the order reads list them: by role, then organisation.
        self.organisations.sort_by_key(|p| (p.role, p.organisation_id));
        self.organisations.dedup();
    }
    fn texts(&mut self) -> (&mut String, Vec<Field<'_>>) {
        let fields = vec![
            Field::required("title", &mut self.title, 300),
            Field::optional("summary", &mut self.summary, 2000),
            Field::optional("description", &mut self.description, 20000),
        ];
        (&mut self.original_language, fields)
    }
    fn more_checks(&self, errors: &mut Vec<FieldError>) {
        if self.activity_areas.is_empty() {
            errors.push(FieldError::new(
                "activity_areas",
                "empty",
                "must contain at least one activity area",
            ));
        }
        if self.countries.is_empty() {
            errors.push(FieldError::new(
                "countries",
                "empty",
                "must contain at least one country",
            ));
        }
        validation::country_codes(errors, "countries", &self.countries);
        let before = self.end_date.is_some_and(|end| end < self.start_date);
        validation::not_before(errors, "end_date", "start_date", before);
    }
}

impl InitiativeInput {
    /// The coalition as stored.
    pub fn coalition(&self) -> String {
        self.coalition_id.hyphenated().to_string()
    }

    /// Every reference must exist: coalition, countries, organisations.
    pub fn check_references(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        let mut refs = References::default();
        refs.coalition("coalition_id", &self.coalition());
        for (i, code) in self.countries.iter().enumerate() {
            refs.country(&format!("countries[{i}]"), code);
        }
        for (i, p) in self.organisations.iter().enumerate() {
            refs.organisation(
                &format!("organisations[{i}].organisation_id"),
                &p.organisation_id.hyphenated().to_string(),
            );
        }
        refs.finish(conn)
    }
}

crate::writable!(InitiativeInput, Initiative, external_id);

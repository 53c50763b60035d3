//! Training rows, DTOs, input validation and filters.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::http::error::{ApiError, FieldError};
use crate::kernel::records::References;
use crate::resources::coalitions::model::Coalition;
use crate::resources::organisations::model::Organisation;
use crate::resources::validation::{self, trim_opt, Referenced, Translated};
use crate::resources::vocabularies::{ActivityArea, EventFormat, EventKind, Publication, Theme};
use crate::store::DbConnection;
use crate::texts::{self, Field, Texts};

// The row's columns, for diesel's decoder (statements are built with `store::sql`).
diesel::table! {
    trainings (id) {
        id -> Text,
        coalition_id -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        kind -> Text,
        format -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        timezone -> Text,
        city -> Nullable<Text>,
        country_code -> Nullable<Text>,
        organiser_id -> Nullable<Text>,
        participants -> Nullable<BigInt>,
        participants_note -> Nullable<Text>,
        registration_url -> Nullable<Text>,
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

/// A training as stored (sets and speakers live in link tables).
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = trainings)]
pub struct TrainingRow {
    pub id: String,
    pub coalition_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub kind: String,
    pub format: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub timezone: String,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub organiser_id: Option<String>,
    pub participants: Option<i64>,
    pub participants_note: Option<String>,
    pub registration_url: Option<String>,
    pub publication: String,
    pub external_id: Option<String>,
    pub original_language: String,
    pub texts: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A speaker at an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Speaker {
    /// Full name, 1–200 characters.
    #[validate(length(max = 200), custom(function = "validation::not_blank"))]
    pub name: String,
    /// Organisation or role, up to 300 characters.
    #[serde(default)]
    #[validate(length(max = 300))]
    pub affiliation: Option<String>,
}

/// A training, workshop, webinar, conference or study visit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Training {
    /// Server-generated id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The organising coalition; null for a platform-level event.
    #[schema(format = Uuid)]
    pub coalition_id: Option<String>,
    /// The language it was written in: its title always has a text in it.
    pub original_language: String,
    /// Title, per language.
    pub title: Texts,
    /// Description, per language.
    pub description: Texts,
    /// Kind of event.
    pub kind: EventKind,
    /// How it is held.
    pub format: EventFormat,
    /// Start, in UTC.
    pub starts_at: DateTime<Utc>,
    /// End, in UTC.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone to show the times in, e.g. `Europe/Riga`.
    pub timezone: String,
    /// Host city.
    pub city: Option<String>,
    /// Host country.
    pub country_code: Option<String>,
    /// Countries the audience came from.
    pub audience_countries: Vec<String>,
    /// The organising organisation.
    #[schema(format = Uuid)]
    pub organiser_id: Option<String>,
    /// Speakers, in order.
    pub speakers: Vec<Speaker>,
    /// Number of participants, when known.
    pub participants: Option<i64>,
    /// How the number is known, e.g. `30+`.
    pub participants_note: Option<String>,
    /// Activity areas.
    pub activity_areas: Vec<ActivityArea>,
    /// Themes.
    pub themes: Vec<Theme>,
    /// Languages (ISO 639-1 codes).
    pub languages: Vec<String>,
    /// Where to register.
    pub registration_url: Option<String>,
    /// `draft` or `published`.
    pub publication: Publication,
    /// The id a client system uses for this event (unique).
    pub external_id: Option<String>,
    /// +1 on every change.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// The organising coalition, with `include=coalition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coalition: Option<Coalition>,
    /// The organiser, with `include=organiser`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organiser: Option<Organisation>,
}

/// Columns of the CSV export, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "coalition_id",
    "original_language",
    "title",
    "description",
    "kind",
    "format",
    "starts_at",
    "ends_at",
    "timezone",
    "city",
    "country_code",
    "audience_countries",
    "organiser_id",
    "speakers",
    "participants",
    "participants_note",
    "activity_areas",
    "themes",
    "languages",
    "registration_url",
    "publication",
    "external_id",
    "version",
    "created_at",
    "updated_at",
];

fn timezone(value: &str) -> Result<(), ValidationError> {
    value.parse::<chrono_tz::Tz>().map(|_| ()).map_err(|_| {
        ValidationError::new("timezone").with_message("must be an IANA time zone, e.g. Europe/Riga".into())
    })
}

/// The writable fields of a training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TrainingInput {
    /// The organising coalition; null for a platform-level event (administrators only).
    #[serde(default)]
    pub coalition_id: Option<uuid::Uuid>,
    /// The language the event is written up in (an accepted tag): `title` must have a text in it.
    #[schema(example = "en")]
    pub original_language: String,
    /// Per language, 1–300 characters each; at least the original language.
    #[schema(example = json!({"en": "Setting up National Coalitions for Digital Skills and Jobs"}))]
    pub title: Texts,
    /// Per language, up to 20000 characters each.
    #[serde(default, deserialize_with = "texts::nullable")]
    pub description: Texts,
    /// Kind of event.
    pub kind: EventKind,
    /// How it is held.
    pub format: EventFormat,
    /// Start, RFC 3339 with offset, e.g. `2020-07-13T10:00:00+03:00`; stored in UTC.
    #[serde(deserialize_with = "crate::resources::validation::strict::instant")]
    pub starts_at: DateTime<FixedOffset>,
    /// End, not before the start.
    #[serde(deserialize_with = "crate::resources::validation::strict::instant")]
    pub ends_at: DateTime<FixedOffset>,
    /// IANA time zone for display, e.g. `Europe/Kyiv`.
    #[validate(custom(function = "timezone"))]
    #[schema(example = "Europe/Brussels")]
    pub timezone: String,
    /// Host city, up to 200 characters.
    #[serde(default)]
    #[validate(length(max = 200))]
    pub city: Option<String>,
    /// Host country (an existing country code).
    #[serde(default)]
    #[validate(custom(function = "validation::country_code"))]
    pub country_code: Option<String>,
    /// Countries the audience comes from; a set.
    #[serde(default)]
    pub audience_countries: Vec<String>,
    /// An existing organisation.
    #[serde(default)]
    pub organiser_id: Option<uuid::Uuid>,
    /// Speakers in order, at most 100.
    #[serde(default)]
    #[validate(nested, length(max = 100))]
    pub speakers: Vec<Speaker>,
    /// 0 to 10,000,000.
    #[serde(default)]
    #[validate(range(min = 0, max = 10_000_000))]
    pub participants: Option<i64>,
    /// E.g. `30+`, up to 100 characters.
    #[serde(default)]
    #[validate(length(max = 100))]
    pub participants_note: Option<String>,
    /// A set.
    #[serde(default)]
    pub activity_areas: Vec<ActivityArea>,
    /// A set.
    #[serde(default)]
    pub themes: Vec<Theme>,
    /// ISO 639-1 language codes, e.g. `en`, `uk`; a set.
    #[serde(default)]
    pub languages: Vec<String>,
    /// An http(s) URL.
    #[serde(default)]
    #[validate(length(max = 500), custom(function = "validation::http_url"))]
    pub registration_url: Option<String>,
    /// `draft` (the default) or `published`.
    #[serde(default = "Publication::draft")]
    pub publication: Publication,
    /// Your system's id for this event, 1–200 characters, unique.
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    pub external_id: Option<String>,
}

/// A timestamp as stored: UTC, microseconds.
pub fn stored(ts: &DateTime<FixedOffset>) -> NaiveDateTime {
    let utc = ts.with_timezone(&Utc);
    DateTime::from_timestamp_micros(utc.timestamp_micros())
        .unwrap_or(utc)
        .naive_utc()
}

impl Translated for TrainingInput {
    fn normalise(&mut self) {
        self.city = trim_opt(self.city.take());
        self.country_code = validation::empty_none(self.country_code.take());
        self.participants_note = trim_opt(self.participants_note.take());
        self.registration_url = trim_opt(self.registration_url.take());
        self.external_id = trim_opt(self.external_id.take());
        for speaker in &mut self.speakers {
            speaker.name = speaker.name.trim().to_string();
            speaker.affiliation = trim_opt(speaker.affiliation.take());
        }
        validation::set(&mut self.activity_areas);
        validation::set(&mut self.themes);
        validation::set(&mut self.audience_countries);
        validation::set(&mut self.languages);
        // Stored with microsecond precision: compare and keep what will be read back.
        self.starts_at = stored(&self.starts_at).and_utc().fixed_offset();
        self.ends_at = stored(&self.ends_at).and_utc().fixed_offset();
    }
    fn texts(&mut self) -> (&mut String, Vec<Field<'_>>) {
        let fields = vec![
            Field::required("title", &mut self.title, 300),
            Field::optional("description", &mut self.description, 20000),
        ];
        (&mut self.original_language, fields)
    }
    fn more_checks(&self, errors: &mut Vec<FieldError>) {
        validation::not_before(errors, "ends_at", "starts_at", self.ends_at < self.starts_at);
        validation::country_codes(errors, "audience_countries", &self.audience_countries);
        for (i, code) in self.languages.iter().enumerate() {
            if !(code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())) {
                errors.push(FieldError::new(
                    format!("languages[{i}]"),
                    "language",
                    "must be an ISO 639-1 code in lower case, e.g. en",
                ));
            }
        }
    }
}

impl TrainingInput {
    /// The coalition as stored.
    pub fn coalition(&self) -> Option<String> {
        self.coalition_id.map(|c| c.hyphenated().to_string())
    }

    /// Every reference must exist: coalition, countries, organiser.
    pub fn check_references(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        let mut refs = References::default();
        if let Some(coalition) = self.coalition() {
            refs.coalition("coalition_id", &coalition);
        }
        if let Some(code) = &self.country_code {
            refs.country("country_code", code);
        }
        for (i, code) in self.audience_countries.iter().enumerate() {
            refs.country(&format!("audience_countries[{i}]"), code);
        }
        if let Some(organiser) = self.organiser_id {
            refs.organisation("organiser_id", &organiser.hyphenated().to_string());
        }
        refs.finish(conn)
    }
}

crate::writable!(TrainingInput, Training, external_id);

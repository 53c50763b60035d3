//! Coalition rows, their DTOs, and the queries over them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{COALITIONS, COALITION_AREAS};
use crate::http::error::ApiError;
use crate::kernel::records::{self, References};
use crate::resources::validation::{self, trim_opt, Referenced, Translated};
use crate::resources::vocabularies::{ActivityArea, CoalitionStatus};
use crate::store::decode;
use crate::store::journal::{self, Actor};
use crate::store::sql::{load_sets, Sql, TextRow, Value};
use crate::store::DbConnection;
use crate::texts::{self, Field, Texts};

// The row's columns, for diesel's decoder (statements are built with `store::sql`).
diesel::table! {
    coalitions (id) {
        id -> Text,
        country_code -> Text,
        name -> Text,
        native_name -> Nullable<Text>,
        status -> Text,
        founded -> Nullable<Text>,
        description -> Nullable<Text>,
        website -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        coordinator_id -> Nullable<Text>,
        search_text -> Text,
        original_language -> Text,
        texts -> Text,
        languages -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

/// A coalition as stored.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = coalitions)]
pub struct CoalitionRow {
    pub id: String,
    pub country_code: String,
    pub name: String,
    pub status: String,
    pub founded: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub contact_email: Option<String>,
    pub coordinator_id: Option<String>,
    pub search_text: String,
    pub original_language: String,
    pub texts: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A National Coalition for Digital Skills and Jobs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Coalition {
    /// Server-generated id.
    #[schema(format = Uuid)]
    pub id: String,
    /// ISO 3166-1 alpha-2 code of the coalition's country.
    #[schema(example = "AM")]
    pub country_code: String,
    /// The language its name and description were written in: the name always has a text in it.
    pub original_language: String,
    /// Name, per language.
    pub name: Texts,
    /// Lifecycle status.
    pub status: CoalitionStatus,
    /// When it was founded, as precisely as known: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[schema(example = "2017")]
    pub founded: Option<String>,
    /// Free-text description, per language.
    pub description: Texts,
    /// Website (http or https).
    pub website: Option<String>,
    /// Contact e-mail address.
    pub contact_email: Option<String>,
    /// Activity areas the coalition works in.
    pub activity_areas: Vec<ActivityArea>,
    /// The coordinating organisation.
    #[schema(format = Uuid)]
    pub coordinator_id: Option<String>,
    /// +1 on every change.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of a coalition (POST and PUT send all of them; PATCH a merge patch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CoalitionInput {
    /// ISO 3166-1 alpha-2 code of an existing country. Only administrators change it.
    #[validate(custom(function = "validation::country_code"))]
    #[schema(example = "AM")]
    pub country_code: String,
    /// The language the name and description are written in (an accepted tag): `name` must
    /// have a text in it.
    #[schema(example = "uk")]
    pub original_language: String,
    /// Name per language, 1–200 characters each; at least the original language.
    #[schema(example = json!({"uk": "Коаліція цифрових навичок і робочих місць України", "en": "Digital Skills and Jobs Coalition of Ukraine"}))]
    pub name: Texts,
    /// Lifecycle status; at most one coalition per country may be other than `inactive`.
    pub status: CoalitionStatus,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default)]
    #[validate(custom(function = "validation::partial_date"))]
    #[schema(example = "2017")]
    pub founded: Option<String>,
    /// Per language, up to 10000 characters each.
    #[serde(default, deserialize_with = "texts::nullable")]
    pub description: Texts,
    /// An http(s) URL, up to 500 characters.
    #[serde(default)]
    #[validate(length(max = 500), custom(function = "validation::http_url"))]
    pub website: Option<String>,
    /// An e-mail address.
    #[serde(default)]
    #[validate(email, length(max = 254))]
    pub contact_email: Option<String>,
    /// A set: duplicates are ignored.
    #[serde(default)]
    pub activity_areas: Vec<ActivityArea>,
    /// An existing organisation.
    #[serde(default)]
    pub coordinator_id: Option<uuid::Uuid>,
}

impl Translated for CoalitionInput {
    fn normalise(&mut self) {
        self.founded = trim_opt(self.founded.take());
        self.website = trim_opt(self.website.take());
        self.contact_email = trim_opt(self.contact_email.take());
        validation::set(&mut self.activity_areas);
    }
    fn texts(&mut self) -> (&mut String, Vec<Field<'_>>) {
        let fields = vec![
            Field::required("name", &mut self.name, 200),
            Field::optional("description", &mut self.description, 10000),
        ];
        (&mut self.original_language, fields)
    }
}

impl CoalitionInput {
    /// Every reference must exist.
    pub fn check_references(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        let mut refs = References::default();
        refs.country("country_code", &self.country_code);
        if let Some(id) = self.coordinator_id {
            refs.organisation("coordinator_id", &id.hyphenated().to_string());
        }
        refs.finish(conn)
    }

    /// The lowercased text `q` searches.
    pub fn search_text(&self) -> String {
        let parts: Vec<Option<&str>> = self.name.values().chain(self.description.values()).map(Some).collect();
        records::search_text(&parts)
    }
}

/// Filters of `GET /coalitions`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoalitionFilters {
    /// Country code; repeat for any of several.
    #[serde(default)]
    #[param(example = json!(["AM"]))]
    pub country: Vec<String>,
    /// Status; repeat for any of several.
    #[serde(default)]
    pub status: Vec<CoalitionStatus>,
    /// Activity area; repeat for any of several.
    #[serde(default)]
    pub activity_area: Vec<ActivityArea>,
    /// Words that must all occur in the name or description, in any language (case and
    /// diacritics are ignored).
    pub q: Option<String>,
    /// A language the name has a text in (an accepted tag); repeat for any of several.
    #[serde(default)]
    pub language: Vec<String>,
    /// Only coalitions changed at or after this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_instant")]
    pub updated_since: Option<DateTime<Utc>>,
    /// Comma-separated sort fields, `-` for descending: `name`, `country_code`, `status`,
    /// `created_at`, `updated_at`. `id` always ends the sort, in the direction of the last field.
    /// Default `name`.
    #[param(
        pattern = r"^-?(name|country_code|status|created_at|updated_at)(,-?(name|country_code|status|created_at|updated_at))*$"
    )]
    pub sort: Option<String>,
}

crate::sortable!(CoalitionRow, key id, alias "c": name Text, country_code Text, status Text, created_at Timestamp, updated_at Timestamp);

/// The conditions of a list.
pub fn conditions(filters: &CoalitionFilters) -> Result<Vec<Sql>, ApiError> {
    let mut conditions = Vec::new();
    if !filters.country.is_empty() {
        let mut sql = Sql::new("c.country_code IN ");
        sql.bind_list(records::country_codes("country", &filters.country)?);
        conditions.push(sql);
    }
    if !filters.status.is_empty() {
        let mut sql = Sql::new("c.status IN ");
        sql.bind_list(filters.status.iter().map(|s| Value::Text(s.as_str().into())));
        conditions.push(sql);
    }
    if !filters.activity_area.is_empty() {
        let areas = records::codes(&filters.activity_area, ActivityArea::as_str);
        conditions.push(records::in_link_table(&COALITIONS, &COALITION_AREAS, areas));
    }
    if let Some(q) = &filters.q {
        conditions.extend(records::text_filter("c.search_text", q)?);
    }
    conditions.extend(texts::language_filter("c", "language", &filters.language)?);
    conditions.extend(records::updated_since("c.updated_at", filters.updated_since));
    Ok(conditions)
}

/// Rows to records, with their activity areas (one query for any number of rows).
pub fn assemble(conn: &mut DbConnection, rows: Vec<CoalitionRow>) -> Result<Vec<Coalition>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut areas = load_sets(conn, &COALITION_AREAS, &ids)?;
    rows.into_iter()
        .map(|row| {
            let row_areas = areas.remove(&row.id).unwrap_or_default();
            to_dto(row, row_areas)
        })
        .collect()
}

fn to_dto(row: CoalitionRow, areas: Vec<String>) -> Result<Coalition, ApiError> {
    let mut texts = texts::Stored::parse(&row.texts)?;
    Ok(Coalition {
        activity_areas: decode::terms(&areas, ActivityArea::parse)?,
        status: decode::term(&row.status, CoalitionStatus::parse)?,
        id: row.id,
        country_code: row.country_code,
        name: texts.take("name")?,
        original_language: row.original_language,
        founded: row.founded,
        description: texts.take("description")?,
        website: row.website,
        contact_email: row.contact_email,
        coordinator_id: row.coordinator_id,
        version: row.version,
        created_at: records::utc(row.created_at),
        updated_at: records::utc(row.updated_at),
    })
}

/// Delete a coalition and (by cascade) its memberships.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<(), ApiError> {
    // Initiatives and events are the coalition's record of work: never deleted by cascade.
    let content = records::count_references(
        conn,
        &[("initiatives", "coalition_id"), ("trainings", "coalition_id")],
        id,
    )?;
    if content > 0 {
        return Err(ApiError::Conflict(format!(
            "the coalition still owns {content} initiatives or events; delete or move them first"
        )));
    }
    // Its memberships go with it (by cascade): journal them as deletions of the same actor.
    let mut members = Sql::new("SELECT id AS value FROM memberships WHERE coalition_id = ");
    members.bind(Value::Text(id.to_string()));
    let members: Vec<String> = members.load::<TextRow>(conn)?.into_iter().map(|r| r.value).collect();
    crate::kernel::write::delete_row(conn, &COALITIONS, id)?;
    let mut entries: Vec<journal::Entry> = members
        .iter()
        .map(|m| journal::deleted(crate::resources::memberships::KIND, m))
        .collect();
    entries.push(journal::deleted(super::KIND, id));
    journal::record(conn, actor, entries)?;
    Ok(())
}

crate::writable!(CoalitionInput, Coalition);

//! Organisation rows, DTOs and queries.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::ORGANISATIONS;
use crate::http::error::ApiError;
use crate::kernel::records::{self, References};
use crate::resources::coalitions::COALITIONS;
use crate::resources::initiatives::{INITIATIVES, INITIATIVE_ORGANISATIONS};
use crate::resources::trainings::TRAININGS;
use crate::resources::validation::{self, trim_opt, Referenced, Translated};
use crate::resources::vocabularies::Sector;
use crate::store::journal::{self, Actor, RecordType};
use crate::store::sql::{PairRow, Sql, TextRow, Value};
use crate::store::tables::{LinkTable, Table};
use crate::store::{now, DbConnection};
use crate::texts::{self, Field, Texts};

// The row's columns, for diesel's decoder (statements are built with `store::sql`).
diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        acronym -> Nullable<Text>,
        sector -> Text,
        country_code -> Nullable<Text>,
        website -> Nullable<Text>,
        description -> Nullable<Text>,
        external_id -> Nullable<Text>,
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

/// An organisation as stored.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub sector: String,
    pub country_code: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub external_id: Option<String>,
    pub search_text: String,
    pub original_language: String,
    pub texts: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organisation: a ministry, company, NGO, school, university, social partner, …
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Organisation {
    /// Server-generated id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The language its name and description were written in: the name always has a text in it.
    pub original_language: String,
    /// Full name, per language.
    pub name: Texts,
    /// Short name.
    pub acronym: Option<String>,
    /// Sector.
    pub sector: Sector,
    /// Country of registration (null for international organisations).
    pub country_code: Option<String>,
    /// Website (http or https).
    pub website: Option<String>,
    /// Free-text description, per language.
    pub description: Texts,
    /// The id a client system uses for this organisation (unique).
    pub external_id: Option<String>,
    /// +1 on every change.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = ApiError;
    fn try_from(row: OrganisationRow) -> Result<Organisation, ApiError> {
        let mut texts = texts::Stored::parse(&row.texts)?;
        Ok(Organisation {
            sector: Sector::parse(&row.sector).unwrap_or(Sector::Other),
            id: row.id,
            original_language: row.original_language,
            name: texts.take("name")?,
            acronym: row.acronym,
            country_code: row.country_code,
            website: row.website,
            description: texts.take("description")?,
            external_id: row.external_id,
            version: row.version,
            created_at: records::utc(row.created_at),
            updated_at: records::utc(row.updated_at),
        })
    }
}

/// The writable fields of an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    /// The language the name and description are written in (an accepted tag): `name` must
    /// have a text in it.
    #[schema(example = "hy")]
    pub original_language: String,
    /// Full name per language, 1–300 characters each; at least the original language.
    #[schema(example = json!({"hy": "Բարձր տեխնոլոգիական արդյունաբերության նախարարություն", "en": "Ministry of High-Tech Industry"}))]
    pub name: Texts,
    /// Short name, up to 50 characters.
    #[serde(default)]
    #[validate(length(max = 50))]
    pub acronym: Option<String>,
    /// Sector.
    pub sector: Sector,
    /// ISO code of an existing country, or null for international organisations.
    #[serde(default)]
    #[validate(custom(function = "validation::country_code"))]
    #[schema(example = "AM")]
    pub country_code: Option<String>,
    /// An http(s) URL, up to 500 characters.
    #[serde(default)]
    #[validate(length(max = 500), custom(function = "validation::http_url"))]
    pub website: Option<String>,
    /// Per language, up to 10000 characters each.
    #[serde(default, deserialize_with = "texts::nullable")]
    pub description: Texts,
    /// Your system's id for this organisation, 1–200 characters, unique.
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    pub external_id: Option<String>,
}

impl Translated for OrganisationInput {
    fn normalise(&mut self) {
        self.acronym = trim_opt(self.acronym.take());
        self.country_code = validation::empty_none(self.country_code.take());
        self.website = trim_opt(self.website.take());
        self.external_id = trim_opt(self.external_id.take());
    }
    fn texts(&mut self) -> (&mut String, Vec<Field<'_>>) {
        let fields = vec![
            Field::required("name", &mut self.name, 300),
            Field::optional("description", &mut self.description, 10000),
        ];
        (&mut self.original_language, fields)
    }
}

impl OrganisationInput {
    /// Every reference must exist: the country.
    pub fn check_references(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        let mut refs = References::default();
        if let Some(code) = &self.country_code {
            refs.country("country_code", code);
        }
        refs.finish(conn)
    }

    /// The lowercased text `q` searches.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<Option<&str>> = self.name.values().map(Some).collect();
        parts.push(self.acronym.as_deref());
        parts.extend(self.description.values().map(Some));
        records::search_text(&parts)
    }
}

/// Filters of `GET /organisations`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisationFilters {
    /// Country code; repeat for any of several.
    #[serde(default)]
    pub country: Vec<String>,
    /// Sector; repeat for any of several.
    #[serde(default)]
    pub sector: Vec<Sector>,
    /// Member of this coalition (any current or past membership); repeat for any of several.
    #[serde(default)]
    #[param(value_type = Vec<uuid::Uuid>)]
    pub coalition: Vec<String>,
    /// Words that must all occur in the name, acronym or description, in any language (case
    /// and diacritics are ignored).
    pub q: Option<String>,
    /// A language the name has a text in (an accepted tag); repeat for any of several.
    #[serde(default)]
    pub language: Vec<String>,
    /// Only organisations changed at or after this instant (RFC 3339).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_instant")]
    pub updated_since: Option<DateTime<Utc>>,
    /// Comma-separated sort fields, `-` for descending: `name`, `created_at`, `updated_at`.
    /// `id` always ends the sort, in the direction of the last field. Default `name`.
    #[param(pattern = r"^-?(name|created_at|updated_at)(,-?(name|created_at|updated_at))*$")]
    pub sort: Option<String>,
}

crate::sortable!(OrganisationRow, key id, alias "o": name Text, created_at Timestamp, updated_at Timestamp);

/// The conditions of a list.
pub fn conditions(filters: &OrganisationFilters) -> Result<Vec<Sql>, ApiError> {
    let mut conditions = Vec::new();
    if !filters.country.is_empty() {
        let mut sql = Sql::new("o.country_code IN ");
        sql.bind_list(records::country_codes("country", &filters.country)?);
        conditions.push(sql);
    }
    if !filters.sector.is_empty() {
        let mut sql = Sql::new("o.sector IN ");
        sql.bind_list(filters.sector.iter().map(|s| Value::Text(s.as_str().into())));
        conditions.push(sql);
    }
    if !filters.coalition.is_empty() {
        let mut sql = Sql::new("o.id IN (SELECT organisation_id FROM memberships WHERE coalition_id IN ");
        sql.bind_list(records::ids("coalition", &filters.coalition)?);
        sql.push(")");
        conditions.push(sql);
    }
    if let Some(q) = &filters.q {
        conditions.extend(records::text_filter("o.search_text", q)?);
    }
    conditions.extend(texts::language_filter("o", "language", &filters.language)?);
    conditions.extend(records::updated_since("o.updated_at", filters.updated_since));
    Ok(conditions)
}

/// The coalitions an organisation is a member of.
pub fn member_of(conn: &mut DbConnection, id: &str) -> Result<Vec<String>, ApiError> {
    let mut sql = Sql::new("SELECT coalition_id AS value FROM memberships WHERE organisation_id = ");
    sql.bind(Value::Text(id.to_string()));
    Ok(sql.load::<TextRow>(conn)?.into_iter().map(|r| r.value).collect())
}

/// Delete an organisation with its memberships (by cascade), clearing it where other records
/// refer to it. What changes with it is journaled as writes of the same actor: each record
/// that referred to it gets a new version (so replicas see the change), and each membership a
/// deletion.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<(), ApiError> {
    let mut entries = Vec::new();
    for referrer in &REFERRERS {
        entries.extend(referrer.clear(conn, id)?);
    }
    let mut members = Sql::new("SELECT id AS value FROM memberships WHERE organisation_id = ");
    members.bind(Value::Text(id.to_string()));
    for member in members.load::<TextRow>(conn)? {
        entries.push(journal::deleted(crate::resources::memberships::KIND, &member.value));
    }
    crate::kernel::write::delete_row(conn, &ORGANISATIONS, id)?;
    entries.push(journal::deleted(super::KIND, id));
    journal::record(conn, actor, entries)
}

/// Where other records refer to an organisation: a column of their own (cleared when it goes),
/// or a link table (the link goes by cascade).
enum Reference {
    Column(&'static str),
    Link(&'static LinkTable),
}

/// A kind of record that refers to organisations.
struct Referrer {
    kind: RecordType,
    table: &'static Table,
    reference: Reference,
    /// the field the change feed and audit name as changed
    field: &'static str,
}

const REFERRERS: [Referrer; 3] = [
    Referrer {
        kind: crate::resources::coalitions::KIND,
        table: &COALITIONS,
        reference: Reference::Column("coordinator_id"),
        field: "coordinator_id",
    },
    Referrer {
        kind: crate::resources::initiatives::KIND,
        table: &INITIATIVES,
        reference: Reference::Link(&INITIATIVE_ORGANISATIONS),
        field: "organisations",
    },
    Referrer {
        kind: crate::resources::trainings::KIND,
        table: &TRAININGS,
        reference: Reference::Column("organiser_id"),
        field: "organiser_id",
    },
];

impl Referrer {
    /// `WHERE` condition: the rows that refer to organisation `id`.
    fn rows(&self, id: &str) -> Sql {
        let mut sql = match self.reference {
            Reference::Column(column) => Sql::new(&format!(" WHERE {column} = ")),
            Reference::Link(link) => Sql::new(&format!(
                " WHERE {} IN (SELECT {} FROM {} WHERE {} = ",
                self.table.key, link.owner, link.name, link.value
            )),
        };
        sql.bind(Value::Text(id.to_string()));
        if let Reference::Link(_) = self.reference {
            sql.push(")");
        }
        sql
    }

    /// Clear the reference and bump the versions; the journal entries of the change.
    fn clear(&self, conn: &mut DbConnection, id: &str) -> Result<Vec<journal::Entry>, ApiError> {
        let mut select = Sql::new(&format!(
            "SELECT {} AS key, CAST(version + 1 AS TEXT) AS value FROM {}",
            self.table.key, self.table.name
        ));
        select.append(&self.rows(id));
        let mut entries = Vec::new();
        for row in select.load::<PairRow>(conn)? {
            let version = row
                .value
                .parse::<i64>()
                .map_err(|e| ApiError::Internal(format!("a version: {e}")))?;
            entries.push(journal::Entry {
                record_type: self.kind,
                record_id: row.key,
                action: journal::Action::Updated,
                version: Some(version),
                changed: vec![self.field.to_string()],
                new_key: false,
            });
        }
        let at = now();
        let keys: Vec<String> = entries.iter().map(|e| e.record_id.clone()).collect();
        let mut update = Sql::new(&format!(
            "UPDATE {} SET version = version + 1, updated_at = ",
            self.table.name
        ));
        update.bind(Value::Timestamp(at));
        if let Reference::Column(column) = self.reference {
            update.push(&format!(", {column} = NULL"));
        }
        update.append(&self.rows(id));
        update.execute(conn)?;
        // The documents change with the rows: the reference cleared, or the link left out.
        crate::kernel::docs::edit(conn, self.table, &keys, at, |doc| match self.reference {
            Reference::Column(column) => {
                doc.insert(column.to_string(), serde_json::Value::Null);
            }
            Reference::Link(link) => {
                if let Some(serde_json::Value::Array(items)) = doc.get_mut(self.field) {
                    items.retain(|item| item.get(link.value).and_then(serde_json::Value::as_str) != Some(id));
                }
            }
        })?;
        Ok(entries)
    }
}

crate::writable!(OrganisationInput, Organisation, external_id);

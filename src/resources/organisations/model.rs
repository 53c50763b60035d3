//! Organisation rows, DTOs and queries.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::error::ApiError;
use crate::http::paging::{ListQuery, ListRequest, Listable, Listed, SortField, SortKind, SortValue};
use crate::kernel::records::{self, References};
use crate::resources::validation::{self, trim_opt};
use crate::resources::vocabularies::Sector;
use crate::store::journal::{self, Actor};
use crate::store::schema::{coalitions, organisations, trainings};
use crate::store::sql::{Sql, TextRow, Value};
use crate::store::{now, DbConnection};

/// An organisation as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
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
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organisation: a ministry, company, NGO, school, university, social partner, …
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organisation {
    /// Server-generated id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Full name.
    pub name: String,
    /// Short name.
    pub acronym: Option<String>,
    /// Sector.
    pub sector: Sector,
    /// Country of registration (null for international organisations).
    pub country_code: Option<String>,
    /// Website (http or https).
    pub website: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// The id a client system uses for this organisation (unique).
    pub external_id: Option<String>,
    /// +1 on every change.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<OrganisationRow> for Organisation {
    fn from(row: OrganisationRow) -> Self {
        Organisation {
            sector: Sector::parse(&row.sector).unwrap_or(Sector::Other),
            id: row.id,
            name: row.name,
            acronym: row.acronym,
            country_code: row.country_code,
            website: row.website,
            description: row.description,
            external_id: row.external_id,
            version: row.version,
            created_at: records::utc(row.created_at),
            updated_at: records::utc(row.updated_at),
        }
    }
}

/// The writable fields of an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    /// Full name, 1–300 characters.
    #[validate(length(max = 300), custom(function = "validation::not_blank"))]
    #[schema(example = "Ministry of High-Tech Industry")]
    pub name: String,
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
    /// Up to 10000 characters.
    #[serde(default)]
    #[validate(length(max = 10000))]
    pub description: Option<String>,
    /// Your system's id for this organisation, 1–200 characters, unique.
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    pub external_id: Option<String>,
}

impl OrganisationInput {
    /// Type and validate a JSON document; 422 on any failure.
    pub fn from_json(value: serde_json::Value) -> Result<OrganisationInput, ApiError> {
        let mut input: OrganisationInput = crate::http::extract::typed(value)?;
        input.name = input.name.trim().to_string();
        input.acronym = trim_opt(input.acronym);
        input.country_code = trim_opt(input.country_code);
        input.website = trim_opt(input.website);
        input.description = trim_opt(input.description);
        input.external_id = trim_opt(input.external_id);
        validation::check(&input)?;
        Ok(input)
    }

    /// Every reference must exist: the country.
    pub fn check_references(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        let mut refs = References::default();
        if let Some(code) = &self.country_code {
            refs.country(conn, "country_code", code)?;
        }
        refs.finish()
    }

    fn search_text(&self) -> String {
        records::search_text(&[Some(&self.name), self.acronym.as_deref(), self.description.as_deref()])
    }
}

impl From<&Organisation> for OrganisationInput {
    fn from(o: &Organisation) -> Self {
        OrganisationInput {
            name: o.name.clone(),
            acronym: o.acronym.clone(),
            sector: o.sector,
            country_code: o.country_code.clone(),
            website: o.website.clone(),
            description: o.description.clone(),
            external_id: o.external_id.clone(),
        }
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
    /// Words that must all occur in the name, acronym or description (case-insensitive).
    pub q: Option<String>,
    /// Only organisations changed at or after this instant (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Comma-separated sort fields, `-` for descending: `name`, `created_at`, `updated_at`.
    /// `id` always ends the sort, in the direction of the last field. Default `name`.
    #[param(pattern = r"^-?(name|created_at|updated_at)(,-?(name|created_at|updated_at))*$")]
    pub sort: Option<String>,
}

/// Sortable fields of organisations.
pub static SORT_FIELDS: [SortField; 3] = [
    SortField {
        name: "name",
        column: "o.name",
        kind: SortKind::Text,
    },
    SortField {
        name: "created_at",
        column: "o.created_at",
        kind: SortKind::Timestamp,
    },
    SortField {
        name: "updated_at",
        column: "o.updated_at",
        kind: SortKind::Timestamp,
    },
];

impl Listable for OrganisationRow {
    fn id(&self) -> &str {
        &self.id
    }

    fn sort_value(&self, name: &str) -> SortValue<'_> {
        match name {
            "created_at" => SortValue::Timestamp(&self.created_at),
            "updated_at" => SortValue::Timestamp(&self.updated_at),
            _ => SortValue::Text(&self.name),
        }
    }
}

/// One page of organisations (two queries, whatever the page size).
pub fn list(
    conn: &mut DbConnection,
    filters: &OrganisationFilters,
    request: &ListRequest,
) -> Result<Listed<Organisation>, ApiError> {
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
    conditions.extend(records::updated_since("o.updated_at", filters.updated_since));
    let query = ListQuery::new("o.*", "organisations o", "o.id", conditions);
    query
        .run::<OrganisationRow>(conn, request)?
        .try_map(|rows| Ok(rows.into_iter().map(Organisation::from).collect()))
}

/// Load organisations by id in one query.
pub fn load_many(conn: &mut DbConnection, ids: &[String]) -> Result<HashMap<String, Organisation>, ApiError> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new("SELECT o.* FROM organisations o WHERE o.id IN ");
    sql.bind_list(ids.iter().map(|id| Value::Text(id.clone())));
    let rows: Vec<OrganisationRow> = sql.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id.clone(), Organisation::from(r)))
        .collect())
}

/// One organisation, or 404.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Organisation, ApiError> {
    let row: Option<OrganisationRow> = organisations::table
        .filter(organisations::id.eq(id))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?;
    row.map(Organisation::from)
        .ok_or_else(|| ApiError::NotFound(format!("no organisation has the id `{id}`")))
}

/// The organisation a client system knows by `external_id`, if any.
pub fn find_external(conn: &mut DbConnection, external_id: &str) -> Result<Option<Organisation>, ApiError> {
    let row: Option<OrganisationRow> = organisations::table
        .filter(organisations::external_id.eq(external_id))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(Organisation::from))
}

/// The coalitions an organisation is a member of.
pub fn member_of(conn: &mut DbConnection, id: &str) -> Result<Vec<String>, ApiError> {
    let mut sql = Sql::new("SELECT coalition_id AS value FROM memberships WHERE organisation_id = ");
    sql.bind(Value::Text(id.to_string()));
    Ok(sql.load::<TextRow>(conn)?.into_iter().map(|r| r.value).collect())
}

/// The columns a write takes from the input: all but the id, version and timestamps.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = organisations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct Changes<'a> {
    name: &'a str,
    acronym: Option<&'a str>,
    sector: &'static str,
    country_code: Option<&'a str>,
    website: Option<&'a str>,
    description: Option<&'a str>,
    external_id: Option<&'a str>,
    search_text: String,
}

impl<'a> From<&'a OrganisationInput> for Changes<'a> {
    fn from(input: &'a OrganisationInput) -> Self {
        Changes {
            name: &input.name,
            acronym: input.acronym.as_deref(),
            sector: input.sector.as_str(),
            country_code: input.country_code.as_deref(),
            website: input.website.as_deref(),
            description: input.description.as_deref(),
            external_id: input.external_id.as_deref(),
            search_text: input.search_text(),
        }
    }
}

/// Create an organisation.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: OrganisationInput) -> Result<Organisation, ApiError> {
    input.check_references(conn)?;
    let id = records::new_id();
    let stamp = now();
    diesel::insert_into(organisations::table)
        .values((
            Changes::from(&input),
            organisations::id.eq(&id),
            organisations::version.eq(1i64),
            organisations::created_at.eq(stamp),
            organisations::updated_at.eq(stamp),
        ))
        .execute(conn)?;
    journal::record(
        conn,
        actor,
        vec![journal::created(journal::RecordType::Organisation, &id, &input)],
    )?;
    get(conn, &id)
}

/// Delete an organisation with its memberships, clearing it as coordinator.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<(), ApiError> {
    get(conn, id)?;
    // What changes with it, journaled as writes of the same actor: coalitions it coordinated,
    // initiatives it took part in, events it organised (each bumps its version so replicas
    // see it), and its memberships (removed by cascade).
    let coordinated = affected(
        conn,
        "SELECT id AS key, CAST(version + 1 AS TEXT) AS value FROM coalitions WHERE coordinator_id = ",
        id,
    )?;
    let took_part = affected(
        conn,
        "SELECT id AS key, CAST(version + 1 AS TEXT) AS value FROM initiatives WHERE id IN \
         (SELECT initiative_id FROM initiative_organisations WHERE organisation_id = ",
        id,
    )?;
    let organised = affected(
        conn,
        "SELECT id AS key, CAST(version + 1 AS TEXT) AS value FROM trainings WHERE organiser_id = ",
        id,
    )?;
    let mut members = Sql::new("SELECT id AS value FROM memberships WHERE organisation_id = ");
    members.bind(Value::Text(id.to_string()));
    let members: Vec<String> = members.load::<TextRow>(conn)?.into_iter().map(|r| r.value).collect();
    diesel::update(coalitions::table.filter(coalitions::coordinator_id.eq(id)))
        .set((
            coalitions::coordinator_id.eq(None::<String>),
            coalitions::version.eq(coalitions::version + 1),
            coalitions::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let mut initiatives = Sql::new("UPDATE initiatives SET version = version + 1, updated_at = ");
    initiatives.bind(Value::Timestamp(now()));
    initiatives.push(" WHERE id IN (SELECT initiative_id FROM initiative_organisations WHERE organisation_id = ");
    initiatives.bind(Value::Text(id.to_string()));
    initiatives.push(")");
    initiatives.execute(conn)?;
    diesel::update(trainings::table.filter(trainings::organiser_id.eq(id)))
        .set((
            trainings::organiser_id.eq(None::<String>),
            trainings::version.eq(trainings::version + 1),
            trainings::updated_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::delete(organisations::table.filter(organisations::id.eq(id))).execute(conn)?;
    let side = |record_type: journal::RecordType, field: &str, rows: &[(String, i64)]| -> Vec<journal::Entry> {
        rows.iter()
            .map(|(id, version)| journal::Entry {
                record_type,
                record_id: id.clone(),
                action: journal::Action::Updated,
                version: Some(*version),
                changed: vec![field.to_string()],
            })
            .collect()
    };
    let mut entries = side(journal::RecordType::Coalition, "coordinator_id", &coordinated);
    entries.extend(side(journal::RecordType::Initiative, "organisations", &took_part));
    entries.extend(side(journal::RecordType::Training, "organiser_id", &organised));
    entries.extend(
        members
            .iter()
            .map(|m| journal::deleted(journal::RecordType::Membership, m)),
    );
    entries.push(journal::deleted(journal::RecordType::Organisation, id));
    journal::record(conn, actor, entries)?;
    Ok(())
}

/// `(id, version after the change)` of the rows a side effect will touch.
fn affected(conn: &mut DbConnection, select: &str, id: &str) -> Result<Vec<(String, i64)>, ApiError> {
    let mut sql = Sql::new(select);
    sql.bind(Value::Text(id.to_string()));
    if select.contains("(SELECT") {
        sql.push(")");
    }
    Ok(sql
        .load::<crate::store::sql::PairRow>(conn)?
        .into_iter()
        .map(|r| (r.key, r.value.parse().unwrap_or_default()))
        .collect())
}

crate::writable!(OrganisationInput, Organisation);

impl crate::kernel::sync::External for OrganisationInput {
    fn external_id(&self) -> Option<&str> {
        self.external_id.as_deref()
    }
}

//! Country rows, DTOs and queries.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::error::ApiError;
use crate::http::paging::{ListQuery, ListRequest, Listable, Listed, SortField, SortKind, SortValue};
use crate::kernel::records;
use crate::resources::validation;
use crate::resources::vocabularies::CountryGroup;
use crate::store::journal::{self, Actor};
use crate::store::schema::countries;
use crate::store::sql::{load_sets, replace_set, Sql, Value};
use crate::store::{now, DbConnection};

/// A country as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = countries)]
pub struct CountryRow {
    pub code: String,
    pub eu_code: String,
    pub name: String,
    pub native_name: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A country (reference data).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code; the key in URLs.
    #[schema(example = "GR")]
    pub code: String,
    /// Code used by the EU institutions (differs from ISO for Greece: `EL`).
    #[schema(example = "EL")]
    pub eu_code: String,
    /// English name.
    #[schema(example = "Greece")]
    pub name: String,
    /// Name in the country's language(s).
    #[schema(example = "Ελλάδα")]
    pub native_name: String,
    /// Groups the country belongs to.
    pub groups: Vec<CountryGroup>,
    /// +1 on every change.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of a country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CountryInput {
    /// ISO 3166-1 alpha-2 code, capitals. Cannot change once created.
    #[validate(custom(function = "validation::country_code"))]
    #[schema(example = "RS")]
    pub code: String,
    /// EU code, two capitals (usually the ISO code).
    #[validate(custom(function = "validation::country_code"))]
    #[schema(example = "RS")]
    pub eu_code: String,
    /// English name, 1–100 characters.
    #[validate(length(max = 100), custom(function = "validation::not_blank"))]
    #[schema(example = "Serbia")]
    pub name: String,
    /// Native name, 1–200 characters.
    #[validate(length(max = 200), custom(function = "validation::not_blank"))]
    #[schema(example = "Србија")]
    pub native_name: String,
    /// A set: duplicates are ignored.
    #[serde(default)]
    pub groups: Vec<CountryGroup>,
}

impl CountryInput {
    /// Type and validate a JSON document; 422 on any failure.
    pub fn from_json(value: serde_json::Value) -> Result<CountryInput, ApiError> {
        let mut input: CountryInput = crate::http::extract::typed(value)?;
        input.name = input.name.trim().to_string();
        input.native_name = input.native_name.trim().to_string();
        input.groups.sort();
        input.groups.dedup();
        validation::check(&input)?;
        Ok(input)
    }

    fn group_codes(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.as_str().to_string()).collect()
    }
}

impl From<&Country> for CountryInput {
    fn from(c: &Country) -> Self {
        CountryInput {
            code: c.code.clone(),
            eu_code: c.eu_code.clone(),
            name: c.name.clone(),
            native_name: c.native_name.clone(),
            groups: c.groups.clone(),
        }
    }
}

/// Filters of `GET /countries`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CountryFilters {
    /// Group; repeat for any of several.
    #[serde(default)]
    pub group: Vec<CountryGroup>,
    /// Words that must occur in the English or native name (case-insensitive).
    pub q: Option<String>,
    /// Comma-separated sort fields, `-` for descending: `code`, `name`, `updated_at`. Default `code`.
    #[param(pattern = r"^-?(code|name|updated_at)(,-?(code|name|updated_at))*$")]
    pub sort: Option<String>,
}

/// Sortable fields of countries.
pub static SORT_FIELDS: [SortField; 3] = [
    SortField {
        name: "code",
        column: "k.code",
        kind: SortKind::Text,
    },
    SortField {
        name: "name",
        column: "k.name",
        kind: SortKind::Text,
    },
    SortField {
        name: "updated_at",
        column: "k.updated_at",
        kind: SortKind::Timestamp,
    },
];

impl Listable for CountryRow {
    fn id(&self) -> &str {
        &self.code
    }

    fn sort_value(&self, name: &str) -> SortValue<'_> {
        match name {
            "name" => SortValue::Text(&self.name),
            "updated_at" => SortValue::Timestamp(&self.updated_at),
            _ => SortValue::Text(&self.code),
        }
    }
}

fn to_dto(row: CountryRow, groups: Vec<String>) -> Country {
    let mut groups: Vec<CountryGroup> = groups.iter().filter_map(|g| CountryGroup::parse(g)).collect();
    groups.sort();
    Country {
        code: row.code,
        eu_code: row.eu_code,
        name: row.name,
        native_name: row.native_name,
        groups,
        version: row.version,
        created_at: records::utc(row.created_at),
        updated_at: records::utc(row.updated_at),
    }
}

fn with_groups(conn: &mut DbConnection, rows: Vec<CountryRow>) -> Result<Vec<Country>, ApiError> {
    let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    let mut groups = load_sets(conn, "country_groups", "country_code", "group_code", &codes)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let g = groups.remove(&row.code).unwrap_or_default();
            to_dto(row, g)
        })
        .collect())
}

/// One page of countries.
pub fn list(
    conn: &mut DbConnection,
    filters: &CountryFilters,
    request: &ListRequest,
) -> Result<Listed<Country>, ApiError> {
    let mut conditions = Vec::new();
    if !filters.group.is_empty() {
        let mut sql = Sql::new("k.code IN (SELECT country_code FROM country_groups WHERE group_code IN ");
        sql.bind_list(filters.group.iter().map(|g| Value::Text(g.as_str().into())));
        sql.push(")");
        conditions.push(sql);
    }
    if let Some(q) = &filters.q {
        // Reference data is small; lower() on both columns is enough here.
        conditions.extend(records::text_filter("lower(k.name || ' ' || k.native_name)", q)?);
    }
    let query = ListQuery::new("k.*", "countries k", "k.code", conditions);
    query
        .run::<CountryRow>(conn, request)?
        .try_map(|rows| with_groups(conn, rows))
}

/// Countries by code, in one query for the rows and one for their groups.
pub fn load_many(
    conn: &mut DbConnection,
    codes: &[String],
) -> Result<std::collections::HashMap<String, Country>, ApiError> {
    if codes.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let mut sql = Sql::new("SELECT k.* FROM countries k WHERE k.code IN ");
    sql.bind_list(codes.iter().map(|c| Value::Text(c.clone())));
    let rows: Vec<CountryRow> = sql.load(conn)?;
    Ok(with_groups(conn, rows)?
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect())
}

/// One country by code (case-insensitive), or 404.
pub fn get(conn: &mut DbConnection, code: &str) -> Result<Country, ApiError> {
    let code = code.to_ascii_uppercase();
    let row: Option<CountryRow> = countries::table
        .filter(countries::code.eq(&code))
        .select(CountryRow::as_select())
        .first(conn)
        .optional()?;
    let row = row.ok_or_else(|| ApiError::NotFound(format!("no country has the code `{code}`")))?;
    Ok(with_groups(conn, vec![row])?.remove(0))
}

/// Rewrite a country's groups.
pub fn write_groups(conn: &mut DbConnection, code: &str, input: &CountryInput) -> Result<(), ApiError> {
    Ok(replace_set(
        conn,
        "country_groups",
        "country_code",
        "group_code",
        code,
        &input.group_codes(),
    )?)
}

/// Create a country.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CountryInput) -> Result<Country, ApiError> {
    if records::exists(conn, "countries", "code", &input.code)? {
        return Err(ApiError::Conflict(format!(
            "a country with the code `{}` already exists",
            input.code
        )));
    }
    let stamp = now();
    diesel::insert_into(countries::table)
        .values((
            countries::code.eq(&input.code),
            countries::eu_code.eq(&input.eu_code),
            countries::name.eq(&input.name),
            countries::native_name.eq(&input.native_name),
            countries::version.eq(1i64),
            countries::created_at.eq(stamp),
            countries::updated_at.eq(stamp),
        ))
        .execute(conn)?;
    write_groups(conn, &input.code, &input)?;
    journal::record(
        conn,
        actor,
        vec![journal::created(journal::RecordType::Country, &input.code, &input)],
    )?;
    get(conn, &input.code)
}

/// Delete a country no record refers to.
pub fn delete(conn: &mut DbConnection, actor: &Actor, code: &str) -> Result<(), ApiError> {
    let code = code.to_ascii_uppercase();
    let refs = records::count_references(
        conn,
        &[
            ("coalitions", "country_code"),
            ("organisations", "country_code"),
            ("initiative_countries", "country_code"),
            ("trainings", "country_code"),
            ("training_audience_countries", "country_code"),
        ],
        &code,
    )?;
    if refs > 0 {
        return Err(ApiError::Conflict(format!(
            "{refs} records (coalitions, organisations, initiatives, events) refer to country `{code}`; change them first"
        )));
    }
    let deleted = diesel::delete(countries::table.filter(countries::code.eq(&code))).execute(conn)?;
    if deleted == 0 {
        return Err(ApiError::NotFound(format!("no country has the code `{code}`")));
    }
    journal::record(conn, actor, vec![journal::deleted(journal::RecordType::Country, &code)])?;
    Ok(())
}

crate::writable!(CountryInput, Country);

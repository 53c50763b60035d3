//! Country rows, DTOs and queries.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{COUNTRIES, COUNTRY_GROUPS};
use crate::http::error::ApiError;
use crate::kernel::records;
use crate::resources::coalitions::COALITIONS;
use crate::resources::initiatives::INITIATIVE_COUNTRIES;
use crate::resources::organisations::ORGANISATIONS;
use crate::resources::trainings::{TRAININGS, TRAINING_AUDIENCE};
use crate::resources::validation;
use crate::resources::vocabularies::CountryGroup;
use crate::store::decode;
use crate::store::sql::{load_sets, Sql};
use crate::store::DbConnection;

// The row's columns, for diesel's decoder (statements are built with `store::sql`).
diesel::table! {
    countries (code) {
        code -> Text,
        eu_code -> Text,
        name -> Text,
        native_name -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

/// A country as stored.
#[derive(Debug, Clone, QueryableByName)]
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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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
        validation::set(&mut input.groups);
        validation::check(&input)?;
        Ok(input)
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

crate::sortable!(CountryRow, key code, alias "k": code Text, name Text, updated_at Timestamp);

/// Rows to records, with their groups (one query for any number of rows).
pub fn assemble(conn: &mut DbConnection, rows: Vec<CountryRow>) -> Result<Vec<Country>, ApiError> {
    let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    let mut groups = load_sets(conn, &COUNTRY_GROUPS, &codes)?;
    rows.into_iter()
        .map(|row| {
            let g = groups.remove(&row.code).unwrap_or_default();
            to_dto(row, g)
        })
        .collect()
}

fn to_dto(row: CountryRow, groups: Vec<String>) -> Result<Country, ApiError> {
    Ok(Country {
        groups: decode::terms(&groups, CountryGroup::parse)?,
        code: row.code,
        eu_code: row.eu_code,
        name: row.name,
        native_name: row.native_name,
        version: row.version,
        created_at: records::utc(row.created_at),
        updated_at: records::utc(row.updated_at),
    })
}

/// The conditions of a list.
pub fn conditions(filters: &CountryFilters) -> Result<Vec<Sql>, ApiError> {
    let mut conditions = Vec::new();
    if !filters.group.is_empty() {
        let groups = records::codes(&filters.group, CountryGroup::as_str);
        conditions.push(records::in_link_table(&COUNTRIES, &COUNTRY_GROUPS, groups));
    }
    if let Some(q) = &filters.q {
        // Reference data is small; lower() on both columns is enough here.
        conditions.extend(records::text_filter("lower(k.name || ' ' || k.native_name)", q)?);
    }
    Ok(conditions)
}

/// Refuse to delete a country that records refer to (409).
pub fn ensure_unreferenced(conn: &mut DbConnection, code: &str) -> Result<(), ApiError> {
    let refs = records::count_references(
        conn,
        &[
            (COALITIONS.name, "country_code"),
            (ORGANISATIONS.name, "country_code"),
            (INITIATIVE_COUNTRIES.name, INITIATIVE_COUNTRIES.value),
            (TRAININGS.name, "country_code"),
            (TRAINING_AUDIENCE.name, TRAINING_AUDIENCE.value),
        ],
        code,
    )?;
    if refs > 0 {
        return Err(ApiError::Conflict(format!(
            "{refs} records (coalitions, organisations, initiatives, events) refer to country `{code}`; change them first"
        )));
    }
    Ok(())
}

crate::writable!(CountryInput, Country);

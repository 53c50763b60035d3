//! Membership rows, DTOs and queries.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::error::{ApiError, FieldError};
use crate::kernel::records;
use crate::kernel::Resource;
use crate::resources::coalitions::model::Coalition;
use crate::resources::coalitions::resource::Coalitions;
use crate::resources::coalitions::COALITIONS;
use crate::resources::organisations::model::Organisation;
use crate::resources::organisations::resource::Organisations;
use crate::resources::organisations::ORGANISATIONS;
use crate::resources::validation::{self, trim_opt};
use crate::resources::vocabularies::MembershipRole;
use crate::store::decode;
use crate::store::sql::{Sql, Value};
use crate::store::DbConnection;

// The row's columns, for diesel's decoder (statements are built with `store::sql`).
diesel::table! {
    memberships (id) {
        id -> Text,
        coalition_id -> Text,
        organisation_id -> Text,
        role -> Text,
        joined_on -> Nullable<Date>,
        left_on -> Nullable<Date>,
        commitment -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        doc -> Nullable<Text>,
    }
}

/// A membership as stored.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = memberships)]
pub struct MembershipRow {
    pub id: String,
    pub coalition_id: String,
    pub organisation_id: String,
    pub role: String,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub commitment: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organisation's membership of a coalition.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Membership {
    /// Server-generated id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The coalition.
    #[schema(format = Uuid)]
    pub coalition_id: String,
    /// The member organisation.
    #[schema(format = Uuid)]
    pub organisation_id: String,
    /// Role in the coalition.
    pub role: MembershipRole,
    /// When the organisation joined.
    pub joined_on: Option<NaiveDate>,
    /// When it left (null while it is a member).
    pub left_on: Option<NaiveDate>,
    /// What the member contributes or is expected to do.
    pub commitment: Option<String>,
    /// +1 on every change.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// The organisation, with `include=organisation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
    /// The coalition, with `include=coalition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coalition: Option<Coalition>,
}

impl TryFrom<MembershipRow> for Membership {
    type Error = ApiError;

    fn try_from(row: MembershipRow) -> Result<Self, ApiError> {
        Ok(Membership {
            role: decode::term(&row.role, MembershipRole::parse)?,
            id: row.id,
            coalition_id: row.coalition_id,
            organisation_id: row.organisation_id,
            joined_on: row.joined_on,
            left_on: row.left_on,
            commitment: row.commitment,
            version: row.version,
            created_at: records::utc(row.created_at),
            updated_at: records::utc(row.updated_at),
            organisation: None,
            coalition: None,
        })
    }
}

/// The writable fields of a membership. The coalition comes from the URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MembershipInput {
    /// An existing organisation; cannot change once the membership exists.
    pub organisation_id: uuid::Uuid,
    /// Role in the coalition.
    pub role: MembershipRole,
    /// When the organisation joined (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_date")]
    pub joined_on: Option<NaiveDate>,
    /// When it left (`YYYY-MM-DD`, not before `joined_on`).
    #[serde(default, deserialize_with = "crate::resources::validation::strict::option_date")]
    pub left_on: Option<NaiveDate>,
    /// What the member contributes or is expected to do; up to 5000 characters.
    #[serde(default)]
    #[validate(length(max = 5000))]
    pub commitment: Option<String>,
}

impl MembershipInput {
    /// Type and validate a JSON document; 422 on any failure.
    pub fn from_json(value: serde_json::Value) -> Result<MembershipInput, ApiError> {
        let mut input: MembershipInput = crate::http::extract::typed(value)?;
        input.commitment = trim_opt(input.commitment);
        validation::check(&input)?;
        if let (Some(joined), Some(left)) = (input.joined_on, input.left_on) {
            if left < joined {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "left_on",
                    "before_start",
                    "must not be before joined_on",
                )]));
            }
        }
        Ok(input)
    }

    /// The organisation as stored.
    pub fn organisation(&self) -> String {
        self.organisation_id.hyphenated().to_string()
    }
}

/// Filters of membership lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembershipFilters {
    /// Role; repeat for any of several.
    #[serde(default)]
    pub role: Vec<MembershipRole>,
    /// `true`: only current memberships (not left, or leaving later than today);
    /// `false`: only past ones.
    pub current: Option<bool>,
    /// Embed related records: `organisation` under a coalition's members, `coalition` under an
    /// organisation's memberships (comma-separated). One extra query per page, whatever its size.
    pub include: Option<String>,
    /// Comma-separated sort fields, `-` for descending: `created_at`, `updated_at`, `role`.
    /// `id` always ends the sort, in the direction of the last field. Default `created_at`.
    #[param(pattern = r"^-?(created_at|updated_at|role)(,-?(created_at|updated_at|role))*$")]
    pub sort: Option<String>,
}

crate::sortable!(MembershipRow, key id, alias "m": created_at Timestamp, updated_at Timestamp, role Text);

/// Whose memberships to list.
#[derive(Debug, Clone)]
pub enum Owner {
    /// members of a coalition
    Coalition(String),
    /// memberships of an organisation
    Organisation(String),
}

impl Owner {
    /// 404 unless the coalition or organisation exists.
    pub fn ensure_exists(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        let (table, what, id) = match self {
            Owner::Coalition(id) => (&COALITIONS, "coalition", id),
            Owner::Organisation(id) => (&ORGANISATIONS, "organisation", id),
        };
        if records::exists(conn, table, id)? {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("no {what} has the id `{id}`")))
        }
    }
}

/// Which related records to embed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    /// embed `organisation`
    pub organisation: bool,
    /// embed `coalition`
    pub coalition: bool,
}

impl Include {
    /// Parse `include` against what this list may embed.
    pub fn parse(raw: Option<&str>, allowed: &[&'static str]) -> Result<Include, ApiError> {
        let names = records::includes(raw, allowed)?;
        Ok(Include {
            organisation: names.contains(&"organisation"),
            coalition: names.contains(&"coalition"),
        })
    }
}

/// The conditions of a list of `owner`'s memberships.
pub fn conditions(owner: &Owner, filters: &MembershipFilters) -> Vec<Sql> {
    let mut conditions = Vec::new();
    let (column, id) = match owner {
        Owner::Coalition(id) => ("m.coalition_id = ", id),
        Owner::Organisation(id) => ("m.organisation_id = ", id),
    };
    let mut owner_sql = Sql::new(column);
    owner_sql.bind(Value::Text(id.to_string()));
    conditions.push(owner_sql);
    if !filters.role.is_empty() {
        let mut sql = Sql::new("m.role IN ");
        sql.bind_list(filters.role.iter().map(|r| Value::Text(r.as_str().into())));
        conditions.push(sql);
    }
    if let Some(current) = filters.current {
        let today = Value::Date(Utc::now().date_naive());
        let mut sql = Sql::new(if current {
            "m.left_on IS NULL OR m.left_on > "
        } else {
            "m.left_on IS NOT NULL AND m.left_on <= "
        });
        sql.bind(today);
        conditions.push(sql);
    }
    conditions
}

/// Embed the records asked for (one query per embedded kind).
pub fn embed(conn: &mut DbConnection, memberships: &mut [Membership], include: Include) -> Result<(), ApiError> {
    if include.organisation {
        let ids: Vec<String> = memberships.iter().map(|m| m.organisation_id.clone()).collect();
        let organisations = Organisations::load_many(conn, &ids)?;
        for m in memberships.iter_mut() {
            m.organisation = organisations.get(&m.organisation_id).cloned();
        }
    }
    if include.coalition {
        let ids: Vec<String> = memberships.iter().map(|m| m.coalition_id.clone()).collect();
        let coalitions = Coalitions::load_many(conn, &ids)?;
        for m in memberships.iter_mut() {
            m.coalition = coalitions.get(&m.coalition_id).cloned();
        }
    }
    Ok(())
}

crate::writable!(MembershipInput, Membership);

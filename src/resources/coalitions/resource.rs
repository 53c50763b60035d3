//! Coalitions as a kernel resource: one per country, with their profile.

use super::model::{self, Coalition, CoalitionFilters, CoalitionInput, CoalitionRow, SORT_FIELDS};
use super::{COALITIONS, COALITION_AREAS};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::Sort;
use crate::kernel::{read, records, Collection, Op, Resource, Set};
use crate::store::journal::{Actor, RecordType};
use crate::store::sql::Value;
use crate::store::tables::Table;
use crate::store::DbConnection;
use crate::texts;

/// `/coalitions`.
pub struct Coalitions;

crate::record!(Coalition, id);

impl Resource for Coalitions {
    type Record = Coalition;
    type Input = CoalitionInput;
    type Row = CoalitionRow;
    type GetParams = NoParams;
    type Include = ();
    type Key = String;

    const KIND: RecordType = super::KIND;
    const TABLE: &'static Table = &COALITIONS;
    const COLLECTION: &'static str = "coalitions";
    const TRANSLATED: bool = true;
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "country_code",
        "original_language",
        "name",
        "status",
        "founded",
        "description",
        "website",
        "contact_email",
        "activity_areas",
        "coordinator_id",
        "version",
        "created_at",
        "updated_at",
    ];

    fn key(args: String) -> Result<String, ApiError> {
        records::parse_id(&args, "coalition")
    }
    fn assemble(conn: &mut DbConnection, rows: Vec<CoalitionRow>) -> Result<Vec<Coalition>, ApiError> {
        model::assemble(conn, rows)
    }

    /// Creating and deleting: admins; the profile: admins and the coalition's editors.
    fn may(principal: &Principal, op: Op) -> Result<(), ApiError> {
        match op {
            Op::Create | Op::Delete => principal.may_create_or_delete_coalitions(),
            Op::Update => Ok(()),
        }
    }
    fn may_change(_: &mut DbConnection, principal: &Principal, current: &Coalition) -> Result<(), ApiError> {
        principal.may_update_coalition(&current.id)
    }
    fn may_delete(_: &mut DbConnection, _: &Principal, _: &Coalition) -> Result<(), ApiError> {
        Ok(())
    }
    /// Editors may edit their coalition's profile but not move it to another country.
    fn may_replace(principal: &Principal, current: &Coalition, input: &CoalitionInput) -> Result<(), ApiError> {
        if input.country_code != current.country_code {
            principal.may_change_coalition_country()?;
        }
        Ok(())
    }

    fn check_input(conn: &mut DbConnection, _: Option<&Coalition>, input: &CoalitionInput) -> Result<(), ApiError> {
        input.check_references(conn)
    }
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Coalition) -> Result<(), ApiError> {
        model::delete(conn, actor, &current.id)
    }
    fn fields(input: &CoalitionInput) -> Vec<(&'static str, Value)> {
        let mut fields = texts::columns(
            &input.original_language,
            &[("name", &input.name), ("description", &input.description)],
        );
        fields.extend([
            ("country_code", Value::text(&input.country_code)),
            ("status", Value::text(input.status.as_str())),
            ("founded", Value::opt(input.founded.as_deref())),
            ("website", Value::opt(input.website.as_deref())),
            ("contact_email", Value::opt(input.contact_email.as_deref())),
            (
                "coordinator_id",
                Value::opt_text(input.coordinator_id.map(|u| u.hyphenated().to_string())),
            ),
            ("search_text", Value::text(input.search_text())),
        ]);
        fields
    }
    fn index_missing(conn: &mut DbConnection) -> Result<usize, ApiError> {
        crate::resources::content::search_text_missing::<Self>(conn)
    }
    fn sets(input: &CoalitionInput) -> Vec<Set> {
        vec![Set::of(
            &COALITION_AREAS,
            input.activity_areas.iter().map(|a| a.as_str()),
        )]
    }
}

impl Collection for Coalitions {
    type Filters = CoalitionFilters;

    fn sort(filters: &CoalitionFilters) -> Result<Sort, ApiError> {
        Sort::parse(filters.sort.as_deref(), SORT_FIELDS, "name")
    }
    fn select(_: &mut DbConnection, _: &Caller, filters: &CoalitionFilters) -> Result<read::Selection, ApiError> {
        Ok(model::conditions(filters)?.into())
    }
}

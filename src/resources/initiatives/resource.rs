//! Initiatives as a kernel resource: owned by a coalition, with drafts before publishing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Initiative, InitiativeFilters, InitiativeInput, InitiativeRow, SORT_FIELDS};
use super::queries::{self, Include};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::{records, Collection, Resource, Syncable};
use crate::resources::content;
use crate::store::journal::RecordType;
use crate::store::tables::{Table, INITIATIVES};
use crate::store::DbConnection;

/// `/initiatives`.
pub struct Initiatives;

crate::record!(Initiative, id);

/// Query parameters of `GET /initiatives/{id}`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeInclude {
    /// Embed related records: `coalition`, `organisations` (comma-separated).
    pub include: Option<String>,
}

impl Resource for Initiatives {
    type Record = Initiative;
    type Input = InitiativeInput;
    type Row = InitiativeRow;
    type GetParams = InitiativeInclude;
    type Include = Include;
    type Key = String;
    type PathArgs = String;

    const KIND: RecordType = RecordType::Initiative;
    const TABLE: &'static Table = &INITIATIVES;
    const COLLECTION: &'static str = "initiatives";
    const CSV_COLUMNS: &'static [&'static str] = super::model::CSV_COLUMNS;

    fn key(args: String) -> Result<String, ApiError> {
        records::parse_id(&args, "initiative")
    }
    fn get_include(params: &InitiativeInclude) -> Result<Include, ApiError> {
        Include::parse(params.include.as_deref())
    }
    fn assemble(
        conn: &mut DbConnection,
        rows: Vec<InitiativeRow>,
        include: Include,
    ) -> Result<Vec<Initiative>, ApiError> {
        queries::assemble(conn, rows, include)
    }
    /// Drafts: administrators and the owning coalition's editors.
    fn visible(caller: &Caller, record: &Initiative) -> bool {
        content::can_see(caller, record.publication, Some(&record.coalition_id))
    }

    fn may_change(_: &mut DbConnection, principal: &Principal, current: &Initiative) -> Result<(), ApiError> {
        principal.may_write_content(Some(&current.coalition_id))
    }
    fn may_write(principal: &Principal, input: &InitiativeInput) -> Result<(), ApiError> {
        principal.may_write_content(Some(&input.coalition()))
    }

    fn check_input(conn: &mut DbConnection, _: Option<&Initiative>, input: &InitiativeInput) -> Result<(), ApiError> {
        input.check_references(conn)
    }
    fn write_fields(
        conn: &mut DbConnection,
        current: &Initiative,
        input: &InitiativeInput,
        version: i64,
        at: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let changes = queries::Changes::from(input);
        Ok(crate::guarded_update!(
            conn,
            initiatives,
            id = &current.id,
            version,
            at,
            changes
        )?)
    }
    fn write_links(conn: &mut DbConnection, key: &str, input: &InitiativeInput) -> Result<(), ApiError> {
        queries::write_sets(conn, key, input)
    }
}

impl Collection for Initiatives {
    type Filters = InitiativeFilters;

    fn sort(filters: &InitiativeFilters) -> Result<Sort, ApiError> {
        let has_query = filters.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        Sort::parse_searchable(filters.sort.as_deref(), &SORT_FIELDS, "-start_date", has_query)
    }
    fn list_include(filters: &InitiativeFilters) -> Result<Include, ApiError> {
        Include::parse(filters.include.as_deref())
    }
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        filters: &InitiativeFilters,
        include: Include,
        request: &ListRequest,
    ) -> Result<Listed<Initiative>, ApiError> {
        queries::list(conn, caller, filters, include, request)
    }
    fn insert_fields(
        conn: &mut DbConnection,
        key: &str,
        input: &InitiativeInput,
        at: NaiveDateTime,
    ) -> Result<(), ApiError> {
        Ok(crate::insert_row!(
            conn,
            initiatives,
            id = key,
            at,
            queries::Changes::from(input)
        )?)
    }
}

impl Syncable for Initiatives {}

//! Initiatives as a kernel resource: what the generic handlers need, and who may write.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Initiative, InitiativeFilters, InitiativeInput, SORT_FIELDS};
use super::queries::{self, Include};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::records;
use crate::kernel::{Collection, Resource, Syncable};
use crate::store::journal::{Actor, RecordType};
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
    fn load_many(conn: &mut DbConnection, keys: &[String]) -> Result<HashMap<String, Initiative>, ApiError> {
        queries::load_many(conn, keys)
    }
    fn visible(caller: &Caller, record: &Initiative) -> bool {
        crate::resources::content::can_see(caller, record.publication, Some(&record.coalition_id))
    }
    type Record = Initiative;
    type Input = InitiativeInput;
    type GetParams = InitiativeInclude;
    type Include = Include;
    type Key = String;
    type PathArgs = String;
    const KIND: RecordType = RecordType::Initiative;
    const COLLECTION: &'static str = "initiatives";
    const CSV_COLUMNS: &'static [&'static str] = super::model::CSV_COLUMNS;
    fn key(args: String) -> Result<String, ApiError> {
        records::parse_id(&args, "initiative")
    }
    fn get_include(params: &InitiativeInclude) -> Result<Include, ApiError> {
        Include::parse(params.include.as_deref())
    }
    fn get(conn: &mut DbConnection, caller: &Caller, key: &String, include: Include) -> Result<Initiative, ApiError> {
        queries::get_visible(conn, caller, key, include)
    }
    fn may_change(_conn: &mut DbConnection, principal: &Principal, current: &Initiative) -> Result<(), ApiError> {
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
    fn reload(conn: &mut DbConnection, current: &Initiative) -> Result<Initiative, ApiError> {
        queries::get(conn, &current.id, Include::default())
    }
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Initiative) -> Result<(), ApiError> {
        queries::delete(conn, actor, &current.id)
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
    fn create(conn: &mut DbConnection, actor: &Actor, input: InitiativeInput) -> Result<Initiative, ApiError> {
        queries::create(conn, actor, input)
    }
}

impl Syncable for Initiatives {
    fn find_external(conn: &mut DbConnection, external_id: &str) -> Result<Option<Initiative>, ApiError> {
        queries::find_external(conn, external_id)
    }
    fn check_references(conn: &mut DbConnection, input: &InitiativeInput) -> Result<(), ApiError> {
        input.check_references(conn)
    }
}

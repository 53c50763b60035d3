//! Trainings as a kernel resource: what the generic handlers need, and who may write.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Training, TrainingFilters, TrainingInput, SORT_FIELDS};
use super::queries::{self, Include};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::records;
use crate::kernel::{Collection, Resource, Syncable};
use crate::store::journal::{Actor, RecordType};
use crate::store::DbConnection;

/// `/trainings`.
pub struct Trainings;

crate::record!(Training, id);

/// Query parameters of `GET /trainings/{id}`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingInclude {
    /// Embed related records: `coalition`, `organiser` (comma-separated).
    pub include: Option<String>,
}

impl Resource for Trainings {
    fn load_many(conn: &mut DbConnection, keys: &[String]) -> Result<HashMap<String, Training>, ApiError> {
        queries::load_many(conn, keys)
    }
    fn visible(caller: &Caller, record: &Training) -> bool {
        crate::resources::content::can_see(caller, record.publication, record.coalition_id.as_deref())
    }
    type Record = Training;
    type Input = TrainingInput;
    type GetParams = TrainingInclude;
    type Include = Include;
    type Key = String;
    type PathArgs = String;
    const KIND: RecordType = RecordType::Training;
    const COLLECTION: &'static str = "trainings";
    const CSV_COLUMNS: &'static [&'static str] = super::model::CSV_COLUMNS;
    fn key(args: String) -> Result<String, ApiError> {
        records::parse_id(&args, "training")
    }
    fn get_include(params: &TrainingInclude) -> Result<Include, ApiError> {
        Include::parse(params.include.as_deref())
    }
    fn get(conn: &mut DbConnection, caller: &Caller, key: &String, include: Include) -> Result<Training, ApiError> {
        queries::get_visible(conn, caller, key, include)
    }
    fn may_change(_conn: &mut DbConnection, principal: &Principal, current: &Training) -> Result<(), ApiError> {
        principal.may_write_content(current.coalition_id.as_deref())
    }
    fn may_write(principal: &Principal, input: &TrainingInput) -> Result<(), ApiError> {
        principal.may_write_content(input.coalition().as_deref())
    }
    fn check_input(conn: &mut DbConnection, _: Option<&Training>, input: &TrainingInput) -> Result<(), ApiError> {
        input.check_references(conn)
    }
    fn write_fields(
        conn: &mut DbConnection,
        current: &Training,
        input: &TrainingInput,
        version: i64,
        at: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let changes = queries::Changes::from(input);
        Ok(crate::guarded_update!(
            conn,
            trainings,
            id = &current.id,
            version,
            at,
            changes
        )?)
    }
    fn write_links(conn: &mut DbConnection, key: &str, input: &TrainingInput) -> Result<(), ApiError> {
        queries::write_sets(conn, key, input)
    }
    fn reload(conn: &mut DbConnection, current: &Training) -> Result<Training, ApiError> {
        queries::get(conn, &current.id, Include::default())
    }
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Training) -> Result<(), ApiError> {
        queries::delete(conn, actor, &current.id)
    }
}

impl Collection for Trainings {
    type Filters = TrainingFilters;
    fn sort(filters: &TrainingFilters) -> Result<Sort, ApiError> {
        let has_query = filters.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        Sort::parse_searchable(filters.sort.as_deref(), &SORT_FIELDS, "-starts_at", has_query)
    }
    fn depends_on_clock(filters: &TrainingFilters) -> bool {
        filters.upcoming.is_some()
    }
    fn list_include(filters: &TrainingFilters) -> Result<Include, ApiError> {
        Include::parse(filters.include.as_deref())
    }
    fn list(
        conn: &mut DbConnection,
        caller: &Caller,
        filters: &TrainingFilters,
        include: Include,
        request: &ListRequest,
    ) -> Result<Listed<Training>, ApiError> {
        queries::list(conn, caller, filters, include, request)
    }
    fn create(conn: &mut DbConnection, actor: &Actor, input: TrainingInput) -> Result<Training, ApiError> {
        queries::create(conn, actor, input)
    }
}

impl Syncable for Trainings {
    fn find_external(conn: &mut DbConnection, external_id: &str) -> Result<Option<Training>, ApiError> {
        queries::find_external(conn, external_id)
    }
    fn check_references(conn: &mut DbConnection, input: &TrainingInput) -> Result<(), ApiError> {
        input.check_references(conn)
    }
}

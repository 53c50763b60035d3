//! Trainings and other events as a kernel resource: a coalition's, or platform-level (no
//! coalition: administrators only), with drafts before publishing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Training, TrainingFilters, TrainingInput, TrainingRow, SORT_FIELDS};
use super::queries::{self, Include};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::{records, Collection, Resource, Syncable};
use crate::resources::content;
use crate::store::journal::RecordType;
use crate::store::tables::{Table, TRAININGS};
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
    type Record = Training;
    type Input = TrainingInput;
    type Row = TrainingRow;
    type GetParams = TrainingInclude;
    type Include = Include;
    type Key = String;
    type PathArgs = String;

    const KIND: RecordType = RecordType::Training;
    const TABLE: &'static Table = &TRAININGS;
    const COLLECTION: &'static str = "trainings";
    const CSV_COLUMNS: &'static [&'static str] = super::model::CSV_COLUMNS;

    fn key(args: String) -> Result<String, ApiError> {
        records::parse_id(&args, "training")
    }
    fn get_include(params: &TrainingInclude) -> Result<Include, ApiError> {
        Include::parse(params.include.as_deref())
    }
    fn assemble(conn: &mut DbConnection, rows: Vec<TrainingRow>, include: Include) -> Result<Vec<Training>, ApiError> {
        queries::assemble(conn, rows, include)
    }
    /// Drafts: administrators and the owning coalition's editors.
    fn visible(caller: &Caller, record: &Training) -> bool {
        content::can_see(caller, record.publication, record.coalition_id.as_deref())
    }

    fn may_change(_: &mut DbConnection, principal: &Principal, current: &Training) -> Result<(), ApiError> {
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
}

impl Collection for Trainings {
    type Filters = TrainingFilters;

    fn sort(filters: &TrainingFilters) -> Result<Sort, ApiError> {
        let has_query = filters.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        Sort::parse_searchable(filters.sort.as_deref(), &SORT_FIELDS, "-starts_at", has_query)
    }
    /// `upcoming` moves with the clock.
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
    fn insert_fields(
        conn: &mut DbConnection,
        key: &str,
        input: &TrainingInput,
        at: NaiveDateTime,
    ) -> Result<(), ApiError> {
        Ok(crate::insert_row!(
            conn,
            trainings,
            id = key,
            at,
            queries::Changes::from(input)
        )?)
    }
}

impl Syncable for Trainings {}

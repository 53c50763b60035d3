//! Initiatives as a kernel resource: owned by a coalition, with drafts before publishing.

use super::filters::{InitiativeFilters, SORT_FIELDS};
use super::model::{Initiative, InitiativeInput, InitiativeRow};
use super::queries::{self, Include};
use super::{
    INITIATIVES, INITIATIVE_AREAS, INITIATIVE_COUNTRIES, INITIATIVE_GROUPS, INITIATIVE_ORGANISATIONS, INITIATIVE_THEMES,
};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::paging::Sort;
use crate::kernel::read;
use crate::kernel::{records, Collection, Resource, Set, Syncable};
use crate::resources::content;
use crate::store::journal::RecordType;
use crate::store::sql::Value;
use crate::store::tables::Table;
use crate::store::DbConnection;
use crate::texts;

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

    const KIND: RecordType = super::KIND;
    const TABLE: &'static Table = &INITIATIVES;
    const COLLECTION: &'static str = "initiatives";
    const TRANSLATED: bool = true;
    const CSV_COLUMNS: &'static [&'static str] = super::model::CSV_COLUMNS;

    fn key(args: String) -> Result<String, ApiError> {
        records::parse_id(&args, "initiative")
    }
    fn get_include(params: &InitiativeInclude) -> Result<Include, ApiError> {
        Include::parse(params.include.as_deref())
    }
    fn assemble(conn: &mut DbConnection, rows: Vec<InitiativeRow>) -> Result<Vec<Initiative>, ApiError> {
        queries::assemble(conn, rows)
    }
    fn embed(conn: &mut DbConnection, records: &mut [Initiative], include: Include) -> Result<(), ApiError> {
        queries::embed(conn, records, include)
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
    fn fields(input: &InitiativeInput) -> Vec<(&'static str, Value)> {
        let translated = [
            ("title", &input.title),
            ("summary", &input.summary),
            ("description", &input.description),
        ];
        let mut fields = texts::columns(&input.original_language, &translated);
        fields.extend([
            ("coalition_id", Value::text(input.coalition())),
            ("sphere", Value::text(input.sphere.as_str())),
            ("status", Value::text(input.status.as_str())),
            ("start_date", Value::Date(input.start_date)),
            ("end_date", Value::opt_date(input.end_date)),
            ("website", Value::opt(input.website.as_deref())),
            ("funding", Value::opt(input.funding.as_deref())),
            ("publication", Value::text(input.publication.as_str())),
            ("external_id", Value::opt(input.external_id.as_deref())),
            ("search_words", Value::text(content::indexed_texts(&translated, &[]))),
        ]);
        fields
    }
    fn index_missing(conn: &mut DbConnection) -> Result<usize, ApiError> {
        content::index_missing(conn, super::INITIATIVES.name, content::INITIATIVE_SEARCH)
    }
    fn sets(input: &InitiativeInput) -> Vec<Set> {
        let participants = input.organisations.iter().map(|p| {
            vec![
                Value::text(p.organisation_id.hyphenated().to_string()),
                Value::text(p.role.as_str()),
            ]
        });
        vec![
            Set::of(&INITIATIVE_AREAS, input.activity_areas.iter().map(|a| a.as_str())),
            Set::of(&INITIATIVE_THEMES, input.themes.iter().map(|t| t.as_str())),
            Set::of(&INITIATIVE_GROUPS, input.target_groups.iter().map(|g| g.as_str())),
            Set::of(&INITIATIVE_COUNTRIES, input.countries.iter().cloned()),
            Set {
                link: &INITIATIVE_ORGANISATIONS,
                rows: participants.collect(),
            },
        ]
    }
}

impl Collection for Initiatives {
    type Filters = InitiativeFilters;

    fn sort(filters: &InitiativeFilters) -> Result<Sort, ApiError> {
        let has_query = filters.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        Sort::parse_searchable(filters.sort.as_deref(), SORT_FIELDS, "-start_date", has_query)
    }
    fn list_include(filters: &InitiativeFilters) -> Result<Include, ApiError> {
        Include::parse(filters.include.as_deref())
    }
    fn select(
        conn: &mut DbConnection,
        caller: &Caller,
        filters: &InitiativeFilters,
    ) -> Result<read::Selection, ApiError> {
        content::select::<Self>(conn, caller, filters.q.as_deref(), queries::conditions(filters)?)
    }
}

impl Syncable for Initiatives {}

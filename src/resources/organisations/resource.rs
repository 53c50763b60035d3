//! Organisations as a kernel resource: potential and actual coalition members.

use super::model::{self, Organisation, OrganisationFilters, OrganisationInput, OrganisationRow, SORT_FIELDS};
use super::ORGANISATIONS;
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::Sort;
use crate::kernel::{read, records, Collection, Op, Resource, Syncable};
use crate::store::journal::{Actor, RecordType};
use crate::store::sql::Value;
use crate::store::tables::Table;
use crate::store::DbConnection;
use crate::texts;

/// `/organisations`.
pub struct Organisations;

crate::record!(Organisation, id);

impl Resource for Organisations {
    type Record = Organisation;
    type Input = OrganisationInput;
    type Row = OrganisationRow;
    type GetParams = NoParams;
    type Include = ();
    type Key = String;

    const KIND: RecordType = super::KIND;
    const TABLE: &'static Table = &ORGANISATIONS;
    const COLLECTION: &'static str = "organisations";
    const TRANSLATED: bool = true;
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "acronym",
        "sector",
        "country_code",
        "website",
        "description",
        "external_id",
        "version",
        "created_at",
        "updated_at",
    ];

    fn key(args: String) -> Result<String, ApiError> {
        records::parse_id(&args, "organisation")
    }
    fn assemble(_: &mut DbConnection, rows: Vec<OrganisationRow>) -> Result<Vec<Organisation>, ApiError> {
        rows.into_iter().map(Organisation::try_from).collect()
    }

    /// Updates: admins, and editors of a coalition it is a member of; deletes: admins.
    fn may(principal: &Principal, op: Op) -> Result<(), ApiError> {
        match op {
            Op::Create => principal.may_create_organisations(),
            Op::Delete => principal.may_delete_organisations(),
            Op::Update => Ok(()),
        }
    }
    fn may_change(conn: &mut DbConnection, principal: &Principal, current: &Organisation) -> Result<(), ApiError> {
        principal.may_update_organisation(&model::member_of(conn, &current.id)?)
    }
    fn may_delete(_: &mut DbConnection, _: &Principal, _: &Organisation) -> Result<(), ApiError> {
        Ok(())
    }

    fn check_input(
        conn: &mut DbConnection,
        _: Option<&Organisation>,
        input: &OrganisationInput,
    ) -> Result<(), ApiError> {
        input.check_references(conn)
    }
    fn index_missing(conn: &mut DbConnection) -> Result<usize, ApiError> {
        crate::resources::content::search_text_missing::<Self>(conn)
    }
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Organisation) -> Result<(), ApiError> {
        model::delete(conn, actor, &current.id)
    }
    fn fields(input: &OrganisationInput) -> Vec<(&'static str, Value)> {
        let mut fields = texts::columns(
            &input.original_language,
            &[("name", &input.name), ("description", &input.description)],
        );
        fields.extend([
            ("acronym", Value::opt(input.acronym.as_deref())),
            ("sector", Value::text(input.sector.as_str())),
            ("country_code", Value::opt(input.country_code.as_deref())),
            ("website", Value::opt(input.website.as_deref())),
            ("external_id", Value::opt(input.external_id.as_deref())),
            ("search_text", Value::text(input.search_text())),
        ]);
        fields
    }
}

impl Collection for Organisations {
    type Filters = OrganisationFilters;

    fn sort(filters: &OrganisationFilters) -> Result<Sort, ApiError> {
        Sort::parse(filters.sort.as_deref(), SORT_FIELDS, "name")
    }
    fn select(_: &mut DbConnection, _: &Caller, filters: &OrganisationFilters) -> Result<read::Selection, ApiError> {
        Ok(model::conditions(filters)?.into())
    }
}

impl Syncable for Organisations {}

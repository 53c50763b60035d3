//! Organisations as a kernel resource: what the generic handlers need, and who may write.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{self, Organisation, OrganisationFilters, OrganisationInput, SORT_FIELDS};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::records;
use crate::kernel::{Collection, Op, Resource, Syncable};
use crate::store::journal::{Actor, RecordType};
use crate::store::DbConnection;

/// `/organisations`.
pub struct Organisations;

crate::record!(Organisation, id);

impl Resource for Organisations {
    fn load_many(conn: &mut DbConnection, keys: &[String]) -> Result<HashMap<String, Organisation>, ApiError> {
        model::load_many(conn, keys)
    }
    type Record = Organisation;
    type Input = OrganisationInput;
    type GetParams = NoParams;
    type Include = ();
    type Key = String;
    type PathArgs = String;
    const KIND: RecordType = RecordType::Organisation;
    const COLLECTION: &'static str = "organisations";
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
    fn get(conn: &mut DbConnection, _: &Caller, key: &String, _: ()) -> Result<Organisation, ApiError> {
        model::get(conn, key)
    }
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
    fn write_fields(
        conn: &mut DbConnection,
        current: &Organisation,
        input: &OrganisationInput,
        version: i64,
        at: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let changes = model::Changes::from(input);
        Ok(crate::guarded_update!(
            conn,
            organisations,
            id = &current.id,
            version,
            at,
            changes
        )?)
    }
    fn reload(conn: &mut DbConnection, current: &Organisation) -> Result<Organisation, ApiError> {
        model::get(conn, &current.id)
    }
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Organisation) -> Result<(), ApiError> {
        model::delete(conn, actor, &current.id)
    }
}

impl Collection for Organisations {
    type Filters = OrganisationFilters;
    fn sort(filters: &OrganisationFilters) -> Result<Sort, ApiError> {
        Sort::parse(filters.sort.as_deref(), &SORT_FIELDS, "name")
    }
    fn list(
        conn: &mut DbConnection,
        _: &Caller,
        filters: &OrganisationFilters,
        _: (),
        request: &ListRequest,
    ) -> Result<Listed<Organisation>, ApiError> {
        model::list(conn, filters, request)
    }
    fn create(conn: &mut DbConnection, actor: &Actor, input: OrganisationInput) -> Result<Organisation, ApiError> {
        model::create(conn, actor, input)
    }
}

impl Syncable for Organisations {
    fn find_external(conn: &mut DbConnection, external_id: &str) -> Result<Option<Organisation>, ApiError> {
        model::find_external(conn, external_id)
    }
    fn check_references(conn: &mut DbConnection, input: &OrganisationInput) -> Result<(), ApiError> {
        input.check_references(conn)
    }
}

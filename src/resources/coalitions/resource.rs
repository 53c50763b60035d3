//! Coalitions as a kernel resource: what the generic handlers need, and who may write.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{self, Coalition, CoalitionFilters, CoalitionInput, SORT_FIELDS};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::records;
use crate::kernel::{Collection, Op, Resource};
use crate::store::journal::{Actor, RecordType};
use crate::store::DbConnection;

/// `/coalitions`.
pub struct Coalitions;

crate::record!(Coalition, id);

impl Resource for Coalitions {
    fn load_many(conn: &mut DbConnection, keys: &[String]) -> Result<HashMap<String, Coalition>, ApiError> {
        model::load_many(conn, keys)
    }
    type Record = Coalition;
    type Input = CoalitionInput;
    type GetParams = NoParams;
    type Include = ();
    type Key = String;
    type PathArgs = String;
    const KIND: RecordType = RecordType::Coalition;
    const COLLECTION: &'static str = "coalitions";
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "country_code",
        "name",
        "native_name",
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
    fn get(conn: &mut DbConnection, _: &Caller, key: &String, _: ()) -> Result<Coalition, ApiError> {
        model::get(conn, key)
    }
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
    fn write_fields(
        conn: &mut DbConnection,
        current: &Coalition,
        input: &CoalitionInput,
        version: i64,
        at: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let changes = model::Changes::from(input);
        Ok(crate::guarded_update!(
            conn,
            coalitions,
            id = &current.id,
            version,
            at,
            changes
        )?)
    }
    fn write_links(conn: &mut DbConnection, key: &str, input: &CoalitionInput) -> Result<(), ApiError> {
        model::write_areas(conn, key, input)
    }
    fn reload(conn: &mut DbConnection, current: &Coalition) -> Result<Coalition, ApiError> {
        model::get(conn, &current.id)
    }
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Coalition) -> Result<(), ApiError> {
        model::delete(conn, actor, &current.id)
    }
}

impl Collection for Coalitions {
    type Filters = CoalitionFilters;
    fn sort(filters: &CoalitionFilters) -> Result<Sort, ApiError> {
        Sort::parse(filters.sort.as_deref(), &SORT_FIELDS, "name")
    }
    fn list(
        conn: &mut DbConnection,
        _: &Caller,
        filters: &CoalitionFilters,
        _: (),
        request: &ListRequest,
    ) -> Result<Listed<Coalition>, ApiError> {
        model::list(conn, filters, request)
    }
    fn create(conn: &mut DbConnection, actor: &Actor, input: CoalitionInput) -> Result<Coalition, ApiError> {
        model::create(conn, actor, input)
    }
}

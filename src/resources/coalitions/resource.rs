//! Coalitions as a kernel resource: one per country, with their profile.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{self, Coalition, CoalitionFilters, CoalitionInput, CoalitionRow, SORT_FIELDS};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::{read, records, Collection, Op, Resource};
use crate::store::journal::{Actor, RecordType};
use crate::store::tables::{Table, COALITIONS};
use crate::store::DbConnection;

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
    type PathArgs = String;

    const KIND: RecordType = RecordType::Coalition;
    const TABLE: &'static Table = &COALITIONS;
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
    fn assemble(conn: &mut DbConnection, rows: Vec<CoalitionRow>, _: ()) -> Result<Vec<Coalition>, ApiError> {
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
        read::page::<Self>(conn, model::conditions(filters)?, None, (), request)
    }
    fn insert_fields(
        conn: &mut DbConnection,
        key: &str,
        input: &CoalitionInput,
        at: NaiveDateTime,
    ) -> Result<(), ApiError> {
        Ok(crate::insert_row!(
            conn,
            coalitions,
            id = key,
            at,
            model::Changes::from(input)
        )?)
    }
}

//! Countries as a kernel resource: reference data, keyed by ISO code, written by admins.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{self, Country, CountryFilters, CountryInput, CountryRow, SORT_FIELDS};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::{read, records, write, Collection, Op, Resource};
use crate::store::journal::{Actor, RecordType};
use crate::store::tables::{Table, COUNTRIES};
use crate::store::DbConnection;

/// `/countries`.
pub struct Countries;

crate::record!(Country, code);

impl Resource for Countries {
    type Record = Country;
    type Input = CountryInput;
    type Row = CountryRow;
    type GetParams = NoParams;
    type Include = ();
    type Key = String;
    type PathArgs = String;

    const KIND: RecordType = RecordType::Country;
    const TABLE: &'static Table = &COUNTRIES;
    const COLLECTION: &'static str = "countries";
    const CSV_COLUMNS: &'static [&'static str] = &[
        "code",
        "eu_code",
        "name",
        "native_name",
        "groups",
        "version",
        "created_at",
        "updated_at",
    ];

    /// Codes are looked up case-insensitively; an unknown one is a 404 from the lookup.
    fn key(args: String) -> Result<String, ApiError> {
        Ok(args.to_ascii_uppercase())
    }
    fn assemble(conn: &mut DbConnection, rows: Vec<CountryRow>, _: ()) -> Result<Vec<Country>, ApiError> {
        model::assemble(conn, rows)
    }

    /// Reference data: administrators only, whatever the operation.
    fn may(principal: &Principal, _: Op) -> Result<(), ApiError> {
        principal.may_write_countries()
    }

    /// A new code must be free; an existing country keeps its code.
    fn check_input(conn: &mut DbConnection, current: Option<&Country>, input: &CountryInput) -> Result<(), ApiError> {
        match current {
            None if records::exists(conn, &COUNTRIES, &input.code)? => Err(ApiError::Conflict(format!(
                "a country with the code `{}` already exists",
                input.code
            ))),
            Some(current) if input.code != current.code => Err(ApiError::invalid(
                "code",
                "immutable",
                "the code of a country cannot change",
            )),
            _ => Ok(()),
        }
    }
    fn write_fields(
        conn: &mut DbConnection,
        current: &Country,
        input: &CountryInput,
        version: i64,
        at: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        Ok(crate::guarded_update!(
            conn,
            countries,
            code = &current.code,
            version,
            at,
            model::Changes::from(input)
        )?)
    }
    fn write_links(conn: &mut DbConnection, key: &str, input: &CountryInput) -> Result<(), ApiError> {
        model::write_groups(conn, key, input)
    }
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Country) -> Result<(), ApiError> {
        model::ensure_unreferenced(conn, &current.code)?;
        write::delete::<Self>(conn, actor, &current.code)
    }
}

impl Collection for Countries {
    type Filters = CountryFilters;

    fn sort(filters: &CountryFilters) -> Result<Sort, ApiError> {
        Sort::parse(filters.sort.as_deref(), &SORT_FIELDS, "code")
    }
    fn list(
        conn: &mut DbConnection,
        _: &Caller,
        filters: &CountryFilters,
        _: (),
        request: &ListRequest,
    ) -> Result<Listed<Country>, ApiError> {
        read::page::<Self>(conn, model::conditions(filters)?, None, (), request)
    }
    fn new_key(input: &CountryInput) -> String {
        input.code.clone()
    }
    fn insert_fields(
        conn: &mut DbConnection,
        key: &str,
        input: &CountryInput,
        at: NaiveDateTime,
    ) -> Result<(), ApiError> {
        Ok(crate::insert_row!(
            conn,
            countries,
            code = key,
            at,
            model::Changes::from(input)
        )?)
    }
}

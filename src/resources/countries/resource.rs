//! Countries as a kernel resource: reference data, keyed by ISO code, written by admins.

use super::model::{self, Country, CountryFilters, CountryInput, CountryRow, SORT_FIELDS};
use super::{COUNTRIES, COUNTRY_GROUPS};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::Sort;
use crate::kernel::{read, records, write, Collection, Op, Resource, Set};
use crate::store::journal::{Actor, RecordType};
use crate::store::sql::Value;
use crate::store::tables::Table;
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

    const KIND: RecordType = super::KIND;
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
    fn assemble(conn: &mut DbConnection, rows: Vec<CountryRow>) -> Result<Vec<Country>, ApiError> {
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
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Country) -> Result<(), ApiError> {
        model::ensure_unreferenced(conn, &current.code)?;
        write::delete::<Self>(conn, actor, &current.code)
    }
    fn fields(input: &CountryInput) -> Vec<(&'static str, Value)> {
        vec![
            ("eu_code", Value::text(&input.eu_code)),
            ("name", Value::text(&input.name)),
            ("native_name", Value::text(&input.native_name)),
        ]
    }
    fn sets(input: &CountryInput) -> Vec<Set> {
        vec![Set::of(&COUNTRY_GROUPS, input.groups.iter().map(|g| g.as_str()))]
    }
}

impl Collection for Countries {
    type Filters = CountryFilters;
    /// A country's code may name one that was deleted: its `deleted` feed row is replaced.
    const NEW_KEYS: bool = false;

    fn sort(filters: &CountryFilters) -> Result<Sort, ApiError> {
        Sort::parse(filters.sort.as_deref(), SORT_FIELDS, "code")
    }
    fn select(_: &mut DbConnection, _: &Caller, filters: &CountryFilters) -> Result<read::Selection, ApiError> {
        Ok(model::conditions(filters)?.into())
    }
    fn new_key(input: &CountryInput) -> String {
        input.code.clone()
    }
}

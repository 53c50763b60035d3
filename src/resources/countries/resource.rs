//! Countries as a kernel resource: reference data, keyed by ISO code, written by admins.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{self, Country, CountryFilters, CountryInput, SORT_FIELDS};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::{ListRequest, Listed, Sort};
use crate::kernel::{Collection, Op, Resource};
use crate::store::journal::{Actor, RecordType};
use crate::store::DbConnection;

/// `/countries`.
pub struct Countries;

crate::record!(Country, code);

impl Resource for Countries {
    fn load_many(conn: &mut DbConnection, keys: &[String]) -> Result<HashMap<String, Country>, ApiError> {
        model::load_many(conn, keys)
    }
    type Record = Country;
    type Input = CountryInput;
    type GetParams = NoParams;
    type Include = ();
    type Key = String;
    type PathArgs = String;
    const KIND: RecordType = RecordType::Country;
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
        Ok(args)
    }
    fn get(conn: &mut DbConnection, _: &Caller, key: &String, _: ()) -> Result<Country, ApiError> {
        model::get(conn, key)
    }
    /// Reference data: administrators only, whatever the operation.
    fn may(principal: &Principal, _: Op) -> Result<(), ApiError> {
        principal.may_write_countries()
    }
    fn check_input(_: &mut DbConnection, current: Option<&Country>, input: &CountryInput) -> Result<(), ApiError> {
        match current {
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
        use crate::store::schema::countries as c;
        let changes = (
            c::eu_code.eq(&input.eu_code),
            c::name.eq(&input.name),
            c::native_name.eq(&input.native_name),
        );
        Ok(crate::guarded_update!(
            conn,
            countries,
            code = &current.code,
            version,
            at,
            changes
        )?)
    }
    fn write_links(conn: &mut DbConnection, key: &str, input: &CountryInput) -> Result<(), ApiError> {
        model::write_groups(conn, key, input)
    }
    fn reload(conn: &mut DbConnection, current: &Country) -> Result<Country, ApiError> {
        model::get(conn, &current.code)
    }
    fn delete(conn: &mut DbConnection, actor: &Actor, current: &Country) -> Result<(), ApiError> {
        model::delete(conn, actor, &current.code)
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
        model::list(conn, filters, request)
    }
    fn create(conn: &mut DbConnection, actor: &Actor, input: CountryInput) -> Result<Country, ApiError> {
        model::create(conn, actor, input)
    }
}

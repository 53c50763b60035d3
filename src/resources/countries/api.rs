//! Routes of `/countries`: each operation's OpenAPI words; the kernel does the rest.

use super::model::{Country, CountryFilters, CountryInput};
use super::resource::Countries;
use crate::kernel::routes::prelude::*;

crate::list_type!(CountryList, Country, "A page of countries.");

crate::list_route!(Countries => list_countries "/countries", tag = "reference data",
    params = (PageParams, FormatParam, CountryFilters), body = CountryList,
    ok = "A page of countries",
    doc = ["List countries."]);

crate::get_route!(Countries => get_country "/countries/{code}", tag = "reference data",
    params = (("code" = String, Path, description = "ISO 3166-1 alpha-2 code", example = "LV")),
    body = Country, ok = "The country", doc = ["Get one country by its ISO 3166-1 alpha-2 code."]);

crate::create_route!(Countries => create_country "/countries", tag = "reference data",
    input = CountryInput, body = Country, created = "Created", doc = ["Add a country (administrators)."]);

crate::update_routes!(Countries => replace_country, patch_country "/countries/{code}", tag = "reference data",
    params = (("code" = String, Path, description = "ISO 3166-1 alpha-2 code")), input = CountryInput,
    body = Country, ok = "The updated country", patch = "RFC 7396 merge patch: the fields to change.",
    doc = ["Replace a country (administrators)."],
    patch_doc = ["Update a country with a JSON Merge Patch (administrators)."]);

crate::delete_route!(Countries => delete_country "/countries/{code}", tag = "reference data",
    params = (("code" = String, Path, description = "ISO 3166-1 alpha-2 code")),
    doc = ["Delete a country that no coalition or organisation refers to (administrators)."]);

crate::routes!(
    list_countries,
    create_country,
    get_country,
    replace_country,
    patch_country,
    delete_country
);

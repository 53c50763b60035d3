//! HTTP handlers for `/countries`.

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};

use super::model::{self, Country, CountryFilters, CountryInput, SORT_FIELDS};
use crate::auth::Caller;
use crate::csv_export;
use crate::db::Database;
use crate::error::ApiError;
use crate::extract::{JsonBody, NoQuery};
use crate::http_cache::{self, IfMatch};
use crate::journal::Actor;
use crate::listing::{self, FormatParam, ListRequest, PageParams, Sort};
use crate::openapi::{CreateProblems, DeleteProblems, ListProblems, ReadProblems, UpdateProblems};
use crate::records::{self, BASE};

/// Columns of the CSV export, in order.
const CSV_COLUMNS: &[&str] = &[
    "code",
    "eu_code",
    "name",
    "native_name",
    "groups",
    "version",
    "created_at",
    "updated_at",
];

crate::list_type!(CountryList, Country, "A page of countries.");

/// List countries.
#[utoipa::path(
    tag = "reference data",
    params(PageParams, FormatParam, CountryFilters),
    responses((status = 200, description = "A page of countries, or with `format=csv` / `Accept: text/csv` every matching one as CSV", content((CountryList = "application/json"), (String = "text/csv"))), ListProblems)
)]
#[get("/countries")]
pub async fn list_countries(
    _caller: Caller,
    req: HttpRequest,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let (page, filters): (PageParams, CountryFilters) = listing::parse_query(req.query_string())?;
    let sort = Sort::parse(filters.sort.as_deref(), &SORT_FIELDS, "code")?;
    if csv_export::wanted(&req, &page) {
        return csv_export::respond(
            &req,
            &db,
            "countries",
            CSV_COLUMNS,
            ListRequest::export(sort),
            move |conn, request| model::list(conn, &filters, request),
        )
        .await;
    }
    let request = ListRequest::new(&page, sort)?;
    let listed = db.read(move |conn| model::list(conn, &filters, &request)).await?;
    Ok(listing::respond(&req, listed))
}

/// Get one country by its ISO 3166-1 alpha-2 code.
#[utoipa::path(
    tag = "reference data",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code", example = "LV")),
    responses((status = 200, description = "The country", body = Country), ReadProblems)
)]
#[get("/countries/{code}")]
pub async fn get_country(
    _caller: Caller,
    path: web::Path<String>,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let country = db.read(move |conn| model::get(conn, &code)).await?;
    Ok(http_cache::versioned(country.version, &country))
}

/// Add a country (administrators).
#[utoipa::path(
    tag = "reference data",
    request_body(content = CountryInput, content_type = "application/json"),
    responses((status = 201, description = "Created", body = Country), CreateProblems),
    security(("bearer" = []))
)]
#[post("/countries")]
pub async fn create_country(
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    caller.require()?.may_write_countries()?;
    let input = CountryInput::from_json(body.0)?;
    let country = db.write(move |conn| model::create(conn, &actor, input)).await?;
    Ok(records::created(
        format!("{BASE}/countries/{}", country.code),
        country.version,
        &country,
    ))
}

/// Replace a country (administrators).
#[utoipa::path(
    tag = "reference data",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code")),
    request_body(content = CountryInput, content_type = "application/json"),
    responses((status = 200, description = "The updated country", body = Country), UpdateProblems),
    security(("bearer" = []))
)]
#[put("/countries/{code}")]
pub async fn replace_country(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    caller.require()?.may_write_countries()?;
    let code = path.into_inner();
    let country = db
        .write(move |conn| {
            let current = model::get(conn, &code)?;
            if_match.check(current.version)?;
            let input = CountryInput::from_json(body.0)?;
            model::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(country.version, &country))
}

/// Update a country with a JSON Merge Patch (administrators).
#[utoipa::path(
    tag = "reference data",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code")),
    request_body(content = CountryInput, content_type = "application/merge-patch+json",
        description = "RFC 7396 merge patch: the fields to change."),
    responses((status = 200, description = "The updated country", body = Country), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/countries/{code}")]
pub async fn patch_country(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    caller.require()?.may_write_countries()?;
    let code = path.into_inner();
    let country = db
        .write(move |conn| {
            let current = model::get(conn, &code)?;
            if_match.check(current.version)?;
            let input: CountryInput = records::patched(&current, &body.0)?;
            model::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(country.version, &country))
}

/// Delete a country that no coalition or organisation refers to (administrators).
#[utoipa::path(
    tag = "reference data",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/countries/{code}")]
pub async fn delete_country(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    caller.require()?.may_write_countries()?;
    let code = path.into_inner();
    db.write(move |conn| {
        if_match.check_with(|| Ok(model::get(conn, &code)?.version))?;
        model::delete(conn, &actor, &code)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

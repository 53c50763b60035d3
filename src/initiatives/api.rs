//! HTTP handlers for `/initiatives`.

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Initiative, InitiativeFilters, InitiativeInput, CSV_COLUMNS, SORT_FIELDS};
use super::queries::{self, Include};
use crate::auth::Caller;
use crate::csv_export;
use crate::db::Database;
use crate::error::ApiError;
use crate::extract::{JsonBody, NoQuery};
use crate::http_cache::{self, IfMatch};
use crate::listing::{self, FormatParam, ListRequest, PageParams, Sort};
use crate::openapi::{CreateProblems, DeleteProblems, ListProblems, ReadProblems, UpdateProblems};
use crate::records::{self, BASE};

crate::list_type!(InitiativeList, Initiative, "A page of initiatives.");

/// Query parameters of `GET /initiatives/{id}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeInclude {
    /// Embed related records: `coalition`, `organisations` (comma-separated).
    pub include: Option<String>,
}

/// List initiatives (drafts only for administrators and the owning coalition's editors).
#[utoipa::path(
    tag = "initiatives",
    params(PageParams, FormatParam, InitiativeFilters),
    responses(
        (status = 200, description = "A page of initiatives, or with `format=csv` / `Accept: text/csv` every matching one as CSV",
            content((InitiativeList = "application/json"), (String = "text/csv"))),
        ListProblems
    )
)]
#[get("/initiatives")]
pub async fn list_initiatives(
    caller: Caller,
    req: HttpRequest,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let (page, filters): (PageParams, InitiativeFilters) = listing::parse_query(req.query_string())?;
    let include = Include::parse(filters.include.as_deref())?;
    let has_query = filters.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let sort = Sort::parse_searchable(filters.sort.as_deref(), &SORT_FIELDS, "-start_date", has_query)?;
    if csv_export::wanted(&req, &page) {
        let request = ListRequest::export(sort);
        return csv_export::respond(&db, "initiatives", CSV_COLUMNS, request, move |conn, request| {
            queries::list(conn, &caller, &filters, include, request)
        })
        .await;
    }
    let request = ListRequest::new(&page, sort)?;
    let listed = db
        .read(move |conn| queries::list(conn, &caller, &filters, include, &request))
        .await?;
    Ok(listing::respond(&req, listed))
}

/// Get one initiative (a draft only for administrators and the owning coalition's editors).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = uuid::Uuid, Path, description = "Initiative id"), InitiativeInclude),
    responses((status = 200, description = "The initiative", body = Initiative), ReadProblems)
)]
#[get("/initiatives/{id}")]
pub async fn get_initiative(
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let id = records::parse_id(&path, "initiative")?;
    let params: InitiativeInclude = crate::extract::query(req.query_string())?;
    let include = Include::parse(params.include.as_deref())?;
    let initiative = db
        .read(move |conn| queries::get_visible(conn, &caller, &id, include))
        .await?;
    // Embedded records change without this record's version: tag the content instead.
    if include == Include::default() {
        Ok(http_cache::versioned(initiative.version, &initiative))
    } else {
        Ok(HttpResponse::Ok().json(initiative))
    }
}

/// Create an initiative (administrators, editors of its coalition).
#[utoipa::path(
    tag = "initiatives",
    request_body(content = InitiativeInput, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` names the new initiative", body = Initiative), CreateProblems),
    security(("bearer" = []))
)]
#[post("/initiatives")]
pub async fn create_initiative(
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let principal = caller.require()?.clone();
    let input = InitiativeInput::from_json(body.0)?;
    principal.may_write_content(Some(&input.coalition()))?;
    let initiative = db.write(move |conn| queries::create(conn, input)).await?;
    Ok(records::created(
        format!("{BASE}/initiatives/{}", initiative.id),
        initiative.version,
        &initiative,
    ))
}

/// Load what the caller may change: 404 for drafts they cannot see, 403 without the right.
fn load_for_write(conn: &mut crate::db::DbConnection, caller: &Caller, id: &str) -> Result<Initiative, ApiError> {
    let principal = caller.require()?;
    let current = queries::get_visible(conn, caller, id, Include::default())?;
    principal.may_write_content(Some(&current.coalition_id))?;
    Ok(current)
}

/// Replace an initiative (administrators, editors of its coalition — before and after).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = uuid::Uuid, Path, description = "Initiative id")),
    request_body(content = InitiativeInput, content_type = "application/json"),
    responses((status = 200, description = "The updated initiative", body = Initiative), UpdateProblems),
    security(("bearer" = []))
)]
#[put("/initiatives/{id}")]
pub async fn replace_initiative(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    caller.require()?;
    let id = records::parse_id(&path, "initiative")?;
    let initiative = db
        .write(move |conn| {
            let current = load_for_write(conn, &caller, &id)?;
            if_match.check(current.version)?;
            let input = InitiativeInput::from_json(body.0)?;
            caller.require()?.may_write_content(Some(&input.coalition()))?;
            queries::update(conn, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(initiative.version, &initiative))
}

/// Update an initiative with a JSON Merge Patch (administrators, editors of its coalition — before and after).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = uuid::Uuid, Path, description = "Initiative id")),
    request_body(content = InitiativeInput, content_type = "application/merge-patch+json",
        description = "RFC 7396 merge patch: the fields to change; `null` clears an optional field; sets are replaced whole."),
    responses((status = 200, description = "The updated initiative", body = Initiative), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/initiatives/{id}")]
pub async fn patch_initiative(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    caller.require()?;
    let id = records::parse_id(&path, "initiative")?;
    let initiative = db
        .write(move |conn| {
            let current = load_for_write(conn, &caller, &id)?;
            if_match.check(current.version)?;
            let input: InitiativeInput = records::patched(&current, &body.0)?;
            caller.require()?.may_write_content(Some(&input.coalition()))?;
            queries::update(conn, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(initiative.version, &initiative))
}

/// Delete an initiative (administrators, editors of its coalition).
#[utoipa::path(
    tag = "initiatives",
    params(("id" = uuid::Uuid, Path, description = "Initiative id")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/initiatives/{id}")]
pub async fn delete_initiative(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    caller.require()?;
    let id = records::parse_id(&path, "initiative")?;
    db.write(move |conn| {
        let current = load_for_write(conn, &caller, &id)?;
        if_match.check(current.version)?;
        queries::delete(conn, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

//! HTTP handlers for `/coalitions`.

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};

use super::model::{self, Coalition, CoalitionFilters, CoalitionInput, SORT_FIELDS};
use crate::auth::{Caller, Principal};
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

crate::list_type!(CoalitionList, Coalition, "A page of coalitions.");

/// Editors may edit their coalition's profile but not move it to another country.
fn authorise_new_state(principal: &Principal, current: &Coalition, input: &CoalitionInput) -> Result<(), ApiError> {
    if input.country_code != current.country_code {
        principal.may_change_coalition_country()?;
    }
    Ok(())
}

/// List coalitions.
#[utoipa::path(
    tag = "coalitions",
    params(PageParams, FormatParam, CoalitionFilters),
    responses((status = 200, description = "A page of coalitions, or with `format=csv` / `Accept: text/csv` every matching one as CSV", content((CoalitionList = "application/json"), (String = "text/csv"))), ListProblems)
)]
#[get("/coalitions")]
pub async fn list_coalitions(
    _caller: Caller,
    req: HttpRequest,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let (page, filters): (PageParams, CoalitionFilters) = listing::parse_query(req.query_string())?;
    let sort = Sort::parse(filters.sort.as_deref(), &SORT_FIELDS, "name")?;
    if csv_export::wanted(&req, &page) {
        return csv_export::respond(
            &req,
            &db,
            "coalitions",
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

/// Get one coalition.
#[utoipa::path(
    tag = "coalitions",
    params(("id" = uuid::Uuid, Path, description = "Coalition id")),
    responses((status = 200, description = "The coalition", body = Coalition), ReadProblems)
)]
#[get("/coalitions/{id}")]
pub async fn get_coalition(
    _caller: Caller,
    path: web::Path<String>,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let id = records::parse_id(&path, "coalition")?;
    let coalition = db.read(move |conn| model::get(conn, &id)).await?;
    Ok(http_cache::versioned(coalition.version, &coalition))
}

/// Create a coalition (administrators).
#[utoipa::path(
    tag = "coalitions",
    request_body(content = CoalitionInput, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` names the new coalition", body = Coalition), CreateProblems),
    security(("bearer" = []))
)]
#[post("/coalitions")]
pub async fn create_coalition(
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    principal.may_create_or_delete_coalitions()?;
    let input = CoalitionInput::from_json(body.0)?;
    let coalition = db.write(move |conn| model::create(conn, &actor, input)).await?;
    Ok(records::created(
        format!("{BASE}/coalitions/{}", coalition.id),
        coalition.version,
        &coalition,
    ))
}

/// Replace a coalition's profile (administrators, editors of this coalition).
#[utoipa::path(
    tag = "coalitions",
    params(("id" = uuid::Uuid, Path, description = "Coalition id")),
    request_body(content = CoalitionInput, content_type = "application/json"),
    responses((status = 200, description = "The updated coalition", body = Coalition), UpdateProblems),
    security(("bearer" = []))
)]
#[put("/coalitions/{id}")]
pub async fn replace_coalition(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let id = records::parse_id(&path, "coalition")?;
    let coalition = db
        .write(move |conn| {
            let current = model::get(conn, &id)?;
            principal.may_update_coalition(&current.id)?;
            if_match.check(current.version)?;
            let input = CoalitionInput::from_json(body.0)?;
            authorise_new_state(&principal, &current, &input)?;
            model::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(coalition.version, &coalition))
}

/// Update a coalition's profile with a JSON Merge Patch (administrators, editors of this coalition).
#[utoipa::path(
    tag = "coalitions",
    params(("id" = uuid::Uuid, Path, description = "Coalition id")),
    request_body(content = CoalitionInput, content_type = "application/merge-patch+json",
        description = "RFC 7396 merge patch: the fields to change; `null` clears an optional field."),
    responses((status = 200, description = "The updated coalition", body = Coalition), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/coalitions/{id}")]
pub async fn patch_coalition(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let id = records::parse_id(&path, "coalition")?;
    let coalition = db
        .write(move |conn| {
            let current = model::get(conn, &id)?;
            principal.may_update_coalition(&current.id)?;
            if_match.check(current.version)?;
            let input: CoalitionInput = records::patched(&current, &body.0)?;
            authorise_new_state(&principal, &current, &input)?;
            model::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(coalition.version, &coalition))
}

/// Delete a coalition and its memberships (administrators).
#[utoipa::path(
    tag = "coalitions",
    params(("id" = uuid::Uuid, Path, description = "Coalition id")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/coalitions/{id}")]
pub async fn delete_coalition(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    principal.may_create_or_delete_coalitions()?;
    let id = records::parse_id(&path, "coalition")?;
    db.write(move |conn| {
        if_match.check_with(|| Ok(model::get(conn, &id)?.version))?;
        model::delete(conn, &actor, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

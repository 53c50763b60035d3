//! HTTP handlers for `/organisations`.

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};

use super::model::{self, Organisation, OrganisationFilters, OrganisationInput, SORT_FIELDS};
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
use crate::sync;

/// Columns of the CSV export, in order.
const CSV_COLUMNS: &[&str] = &[
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

crate::list_type!(OrganisationList, Organisation, "A page of organisations.");

/// List organisations.
#[utoipa::path(
    tag = "organisations",
    params(PageParams, FormatParam, OrganisationFilters),
    responses((status = 200, description = "A page of organisations, or with `format=csv` / `Accept: text/csv` every matching one as CSV", content((OrganisationList = "application/json"), (String = "text/csv"))), ListProblems)
)]
#[get("/organisations")]
pub async fn list_organisations(
    _caller: Caller,
    req: HttpRequest,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let (page, filters): (PageParams, OrganisationFilters) = listing::parse_query(req.query_string())?;
    let sort = Sort::parse(filters.sort.as_deref(), &SORT_FIELDS, "name")?;
    if csv_export::wanted(&req, &page) {
        return csv_export::respond(
            &req,
            &db,
            "organisations",
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

/// Get one organisation.
#[utoipa::path(
    tag = "organisations",
    params(("id" = uuid::Uuid, Path, description = "Organisation id")),
    responses((status = 200, description = "The organisation", body = Organisation), ReadProblems)
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    _caller: Caller,
    path: web::Path<String>,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let id = records::parse_id(&path, "organisation")?;
    let organisation = db.read(move |conn| model::get(conn, &id)).await?;
    Ok(http_cache::versioned(organisation.version, &organisation))
}

/// Create an organisation (administrators and editors).
#[utoipa::path(
    tag = "organisations",
    request_body(content = OrganisationInput, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` names the new organisation", body = Organisation), CreateProblems),
    security(("bearer" = []))
)]
#[post("/organisations")]
pub async fn create_organisation(
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    principal.may_create_organisations()?;
    let input = OrganisationInput::from_json(body.0)?;
    let organisation = db.write(move |conn| model::create(conn, &actor, input)).await?;
    Ok(records::created(
        format!("{BASE}/organisations/{}", organisation.id),
        organisation.version,
        &organisation,
    ))
}

/// Replace an organisation (administrators, editors of a coalition it is a member of).
#[utoipa::path(
    tag = "organisations",
    params(("id" = uuid::Uuid, Path, description = "Organisation id")),
    request_body(content = OrganisationInput, content_type = "application/json"),
    responses((status = 200, description = "The updated organisation", body = Organisation), UpdateProblems),
    security(("bearer" = []))
)]
#[put("/organisations/{id}")]
pub async fn replace_organisation(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let id = records::parse_id(&path, "organisation")?;
    let organisation = db
        .write(move |conn| {
            let current = model::get(conn, &id)?;
            principal.may_update_organisation(&model::member_of(conn, &id)?)?;
            if_match.check(current.version)?;
            let input = OrganisationInput::from_json(body.0)?;
            model::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(organisation.version, &organisation))
}

/// Update an organisation with a JSON Merge Patch (administrators, editors of a coalition it is a member of).
#[utoipa::path(
    tag = "organisations",
    params(("id" = uuid::Uuid, Path, description = "Organisation id")),
    request_body(content = OrganisationInput, content_type = "application/merge-patch+json",
        description = "RFC 7396 merge patch: the fields to change; `null` clears an optional field."),
    responses((status = 200, description = "The updated organisation", body = Organisation), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/organisations/{id}")]
pub async fn patch_organisation(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let id = records::parse_id(&path, "organisation")?;
    let organisation = db
        .write(move |conn| {
            let current = model::get(conn, &id)?;
            principal.may_update_organisation(&model::member_of(conn, &id)?)?;
            if_match.check(current.version)?;
            let input: OrganisationInput = records::patched(&current, &body.0)?;
            model::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(organisation.version, &organisation))
}

/// Delete an organisation and its memberships; coalitions it coordinated lose their coordinator (administrators).
#[utoipa::path(
    tag = "organisations",
    params(("id" = uuid::Uuid, Path, description = "Organisation id")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/organisations/{id}")]
pub async fn delete_organisation(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    principal.may_delete_organisations()?;
    let id = records::parse_id(&path, "organisation")?;
    db.write(move |conn| {
        if_match.check_with(|| Ok(model::get(conn, &id)?.version))?;
        model::delete(conn, &actor, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The records a batch created, in the order they were sent.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OrganisationBatch {
    /// The created records.
    pub data: Vec<Organisation>,
}

/// Create or replace a organisation by your system's id: idempotent, so sending the same request
/// twice leaves one record, and a repeat that changes nothing keeps its version.
#[utoipa::path(
    tag = "organisations",
    params(("external_id" = String, Path, description = "Your system's id for the organisation (1–200 characters)")),
    request_body(content = OrganisationInput, content_type = "application/json",
        description = "The whole record; `external_id` may be left out (the URL's is used)."),
    responses(
        (status = 200, description = "Replaced (or unchanged)", body = Organisation),
        (status = 201, description = "Created; `Location` names the new record", body = Organisation),
        UpdateProblems
    ),
    security(("bearer" = []))
)]
#[put("/organisations/external/{external_id}")]
pub async fn upsert_organisation(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    caller.require()?;
    let external_id = sync::external_id_of_path(&path)?;
    let (created, organisation) = db
        .write(move |conn| {
            let principal = caller.require()?;
            let input = OrganisationInput::from_json(sync::with_external_id(body.0, &external_id)?)?;
            principal.may_create_organisations()?;
            match model::find_external(conn, &external_id)? {
                None => {
                    if_match.check_absent()?;
                    Ok((true, model::create(conn, &actor, input)?))
                }
                Some(current) => {
                    principal.may_update_organisation(&model::member_of(conn, &current.id)?)?;
                    if_match.check(current.version)?;
                    Ok((false, model::update(conn, &actor, &current, input)?))
                }
            }
        })
        .await?;
    Ok(if created {
        records::created(
            format!("{BASE}/organisations/{}", organisation.id),
            organisation.version,
            &organisation,
        )
    } else {
        http_cache::versioned(organisation.version, &organisation)
    })
}

/// Create up to 500 organisations in one transaction: all or nothing. Any invalid item: 422 listing
/// each bad item's errors under its index (`[3].title`), and nothing is written.
#[utoipa::path(
    tag = "organisations",
    request_body(content = Vec<OrganisationInput>, content_type = "application/json", description = "1 to 500 records"),
    responses((status = 200, description = "All created, in the order sent", body = OrganisationBatch), CreateProblems),
    security(("bearer" = []))
)]
#[post("/organisations/batch")]
pub async fn batch_organisations(
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let items: Vec<OrganisationInput> = sync::parse_batch(body.0)?;
    // Creating organisations is the same right for every item.
    principal.may_create_organisations()?;
    let data = db
        .write(move |conn| {
            sync::create_all(
                conn,
                items,
                |conn, item| item.check_references(conn),
                |conn, item| model::create(conn, &actor, item),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(OrganisationBatch { data }))
}

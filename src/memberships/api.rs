//! HTTP handlers for `/coalitions/{id}/members` and `/organisations/{id}/memberships`.

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};

use super::model::{self, Include, Membership, MembershipFilters, MembershipInput, Owner, SORT_FIELDS};
use crate::auth::Caller;
use crate::csv_export;
use crate::db::Database;
use crate::error::ApiError;
use crate::extract::{JsonBody, NoQuery};
use crate::http_cache::{self, IfMatch};
use crate::journal::Actor;
use crate::listing::{self, FormatParam, ListRequest, PageParams, Sort};
use crate::openapi::{DeleteProblems, NestedCreateProblems, ReadProblems, SubListProblems, UpdateProblems};
use crate::records::{self, BASE};

crate::list_type!(MembershipList, Membership, "A page of memberships.");

/// Columns of the CSV export, in order.
const CSV_COLUMNS: &[&str] = &[
    "id",
    "coalition_id",
    "organisation_id",
    "role",
    "joined_on",
    "left_on",
    "commitment",
    "version",
    "created_at",
    "updated_at",
];

/// Answer a membership list of `owner` (404 when it does not exist) as JSON or CSV.
async fn respond_list(
    req: &HttpRequest,
    db: &Database,
    owner: Owner,
    allowed_include: &[&'static str],
) -> Result<HttpResponse, ApiError> {
    let (page, filters): (PageParams, MembershipFilters) = listing::parse_query(req.query_string())?;
    let include = Include::parse(filters.include.as_deref(), allowed_include)?;
    let sort = Sort::parse(filters.sort.as_deref(), &SORT_FIELDS, "created_at")?;
    let parent = owner.clone();
    db.read(move |conn| parent.ensure_exists(conn)).await?;
    if csv_export::wanted(req, &page) {
        return csv_export::respond(
            req,
            db,
            "memberships",
            CSV_COLUMNS,
            ListRequest::export(sort),
            move |conn, request| model::list(conn, &owner, &filters, include, request),
        )
        .await;
    }
    let request = ListRequest::new(&page, sort)?;
    let listed = db
        .read(move |conn| model::list(conn, &owner, &filters, include, &request))
        .await?;
    Ok(listing::respond(req, listed))
}

/// List a coalition's members (`include=organisation` embeds each organisation).
#[utoipa::path(
    tag = "memberships",
    params(("id" = uuid::Uuid, Path, description = "Coalition id"), PageParams, FormatParam, MembershipFilters),
    responses((status = 200, description = "A page of memberships, or with `format=csv` / `Accept: text/csv` every matching one as CSV", content((MembershipList = "application/json"), (String = "text/csv"))), SubListProblems)
)]
#[get("/coalitions/{id}/members")]
pub async fn list_members(
    _caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let id = records::parse_id(&path, "coalition")?;
    respond_list(&req, &db, Owner::Coalition(id), &["organisation"]).await
}

/// List an organisation's memberships (`include=coalition` embeds each coalition).
#[utoipa::path(
    tag = "memberships",
    params(("id" = uuid::Uuid, Path, description = "Organisation id"), PageParams, FormatParam, MembershipFilters),
    responses((status = 200, description = "A page of memberships, or with `format=csv` / `Accept: text/csv` every matching one as CSV", content((MembershipList = "application/json"), (String = "text/csv"))), SubListProblems)
)]
#[get("/organisations/{id}/memberships")]
pub async fn list_memberships(
    _caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let id = records::parse_id(&path, "organisation")?;
    respond_list(&req, &db, Owner::Organisation(id), &["coalition"]).await
}

/// Get one membership of a coalition.
#[utoipa::path(
    tag = "memberships",
    params(
        ("id" = uuid::Uuid, Path, description = "Coalition id"),
        ("membership_id" = uuid::Uuid, Path, description = "Membership id")
    ),
    responses((status = 200, description = "The membership", body = Membership), ReadProblems)
)]
#[get("/coalitions/{id}/members/{membership_id}")]
pub async fn get_member(
    _caller: Caller,
    path: web::Path<(String, String)>,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let coalition_id = records::parse_id(&path.0, "coalition")?;
    let id = records::parse_id(&path.1, "membership")?;
    let membership = db.read(move |conn| model::get(conn, &coalition_id, &id)).await?;
    Ok(http_cache::versioned(membership.version, &membership))
}

/// Add an organisation to a coalition (administrators, editors of this coalition).
#[utoipa::path(
    tag = "memberships",
    params(("id" = uuid::Uuid, Path, description = "Coalition id")),
    request_body(content = MembershipInput, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` names the new membership", body = Membership), NestedCreateProblems),
    security(("bearer" = []))
)]
#[post("/coalitions/{id}/members")]
pub async fn create_member(
    path: web::Path<String>,
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let coalition_id = records::parse_id(&path, "coalition")?;
    let membership = db
        .write(move |conn| {
            Owner::Coalition(coalition_id.clone()).ensure_exists(conn)?;
            principal.may_manage_memberships(&coalition_id)?;
            let input = MembershipInput::from_json(body.0)?;
            model::create(conn, &actor, &coalition_id, input)
        })
        .await?;
    let location = format!(
        "{BASE}/coalitions/{}/members/{}",
        membership.coalition_id, membership.id
    );
    Ok(records::created(location, membership.version, &membership))
}

/// Replace a membership (administrators, editors of this coalition).
#[utoipa::path(
    tag = "memberships",
    params(
        ("id" = uuid::Uuid, Path, description = "Coalition id"),
        ("membership_id" = uuid::Uuid, Path, description = "Membership id")
    ),
    request_body(content = MembershipInput, content_type = "application/json"),
    responses((status = 200, description = "The updated membership", body = Membership), UpdateProblems),
    security(("bearer" = []))
)]
#[put("/coalitions/{id}/members/{membership_id}")]
pub async fn replace_member(
    path: web::Path<(String, String)>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let coalition_id = records::parse_id(&path.0, "coalition")?;
    let id = records::parse_id(&path.1, "membership")?;
    let membership = db
        .write(move |conn| {
            let current = model::get(conn, &coalition_id, &id)?;
            principal.may_manage_memberships(&coalition_id)?;
            if_match.check(current.version)?;
            let input = MembershipInput::from_json(body.0)?;
            model::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(membership.version, &membership))
}

/// Update a membership with a JSON Merge Patch (administrators, editors of this coalition).
#[utoipa::path(
    tag = "memberships",
    params(
        ("id" = uuid::Uuid, Path, description = "Coalition id"),
        ("membership_id" = uuid::Uuid, Path, description = "Membership id")
    ),
    request_body(content = MembershipInput, content_type = "application/merge-patch+json",
        description = "RFC 7396 merge patch: the fields to change; `null` clears an optional field."),
    responses((status = 200, description = "The updated membership", body = Membership), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/coalitions/{id}/members/{membership_id}")]
pub async fn patch_member(
    path: web::Path<(String, String)>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let coalition_id = records::parse_id(&path.0, "coalition")?;
    let id = records::parse_id(&path.1, "membership")?;
    let membership = db
        .write(move |conn| {
            let current = model::get(conn, &coalition_id, &id)?;
            principal.may_manage_memberships(&coalition_id)?;
            if_match.check(current.version)?;
            let input: MembershipInput = records::patched(&current, &body.0)?;
            model::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(membership.version, &membership))
}

/// Remove a membership (administrators, editors of this coalition).
#[utoipa::path(
    tag = "memberships",
    params(
        ("id" = uuid::Uuid, Path, description = "Coalition id"),
        ("membership_id" = uuid::Uuid, Path, description = "Membership id")
    ),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/coalitions/{id}/members/{membership_id}")]
pub async fn delete_member(
    path: web::Path<(String, String)>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let coalition_id = records::parse_id(&path.0, "coalition")?;
    let id = records::parse_id(&path.1, "membership")?;
    db.write(move |conn| {
        let current = model::get(conn, &coalition_id, &id)?;
        principal.may_manage_memberships(&coalition_id)?;
        if_match.check(current.version)?;
        model::delete(conn, &actor, &current)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

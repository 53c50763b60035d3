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
use crate::journal::Actor;
use crate::listing::{self, FormatParam, ListRequest, PageParams, Sort};
use crate::openapi::{CreateProblems, DeleteProblems, ListProblems, ReadProblems, UpdateProblems};
use crate::records::{self, BASE};
use crate::sync;

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
        return csv_export::respond(&req, &db, "initiatives", CSV_COLUMNS, request, move |conn, request| {
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
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let input = InitiativeInput::from_json(body.0)?;
    principal.may_write_content(Some(&input.coalition()))?;
    let initiative = db.write(move |conn| queries::create(conn, &actor, input)).await?;
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
    let actor = Actor::from(caller.require()?);
    caller.require()?;
    let id = records::parse_id(&path, "initiative")?;
    let initiative = db
        .write(move |conn| {
            let current = load_for_write(conn, &caller, &id)?;
            if_match.check(current.version)?;
            let input = InitiativeInput::from_json(body.0)?;
            caller.require()?.may_write_content(Some(&input.coalition()))?;
            queries::update(conn, &actor, &current, input)
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
    let actor = Actor::from(caller.require()?);
    caller.require()?;
    let id = records::parse_id(&path, "initiative")?;
    let initiative = db
        .write(move |conn| {
            let current = load_for_write(conn, &caller, &id)?;
            if_match.check(current.version)?;
            let input: InitiativeInput = records::patched(&current, &body.0)?;
            caller.require()?.may_write_content(Some(&input.coalition()))?;
            queries::update(conn, &actor, &current, input)
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
    let actor = Actor::from(caller.require()?);
    caller.require()?;
    let id = records::parse_id(&path, "initiative")?;
    db.write(move |conn| {
        let current = load_for_write(conn, &caller, &id)?;
        if_match.check(current.version)?;
        queries::delete(conn, &actor, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The records a batch created, in the order they were sent.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InitiativeBatch {
    /// The created records.
    pub data: Vec<Initiative>,
}

/// Create or replace a initiative by your system's id: idempotent, so sending the same request
/// twice leaves one record, and a repeat that changes nothing keeps its version.
#[utoipa::path(
    tag = "initiatives",
    params(("external_id" = String, Path, description = "Your system's id for the initiative (1–200 characters)")),
    request_body(content = InitiativeInput, content_type = "application/json",
        description = "The whole record; `external_id` may be left out (the URL's is used)."),
    responses(
        (status = 200, description = "Replaced (or unchanged)", body = Initiative),
        (status = 201, description = "Created; `Location` names the new record", body = Initiative),
        UpdateProblems
    ),
    security(("bearer" = []))
)]
#[put("/initiatives/external/{external_id}")]
pub async fn upsert_initiative(
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
    let (created, initiative) = db
        .write(move |conn| {
            let principal = caller.require()?;
            let input = InitiativeInput::from_json(sync::with_external_id(body.0, &external_id)?)?;
            principal.may_write_content(Some(&input.coalition()))?;
            match queries::find_external(conn, &external_id)? {
                None => {
                    if_match.check_absent()?;
                    Ok((true, queries::create(conn, &actor, input)?))
                }
                Some(current) => {
                    if !crate::content::can_see(&caller, current.publication, Some(&current.coalition_id)) {
                        return Err(ApiError::Forbidden(
                            "this external id belongs to a record outside your coalitions".into(),
                        ));
                    }
                    principal.may_write_content(Some(&current.coalition_id))?;
                    if_match.check(current.version)?;
                    Ok((false, queries::update(conn, &actor, &current, input)?))
                }
            }
        })
        .await?;
    Ok(if created {
        records::created(
            format!("{BASE}/initiatives/{}", initiative.id),
            initiative.version,
            &initiative,
        )
    } else {
        http_cache::versioned(initiative.version, &initiative)
    })
}

/// Create up to 500 initiatives in one transaction: all or nothing. Any invalid item: 422 listing
/// each bad item's errors under its index (`[3].title`), and nothing is written.
#[utoipa::path(
    tag = "initiatives",
    request_body(content = Vec<InitiativeInput>, content_type = "application/json", description = "1 to 500 records"),
    responses((status = 200, description = "All created, in the order sent", body = InitiativeBatch), CreateProblems),
    security(("bearer" = []))
)]
#[post("/initiatives/batch")]
pub async fn batch_initiatives(
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let items: Vec<InitiativeInput> = sync::parse_batch(body.0)?;
    for (index, item) in items.iter().enumerate() {
        principal
            .may_write_content(Some(&item.coalition()))
            .map_err(|e| sync::at_index(index, e))?;
    }
    let data = db
        .write(move |conn| {
            sync::create_all(
                conn,
                items,
                |conn, item| item.check_references(conn),
                |conn, item| queries::create(conn, &actor, item),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(InitiativeBatch { data }))
}

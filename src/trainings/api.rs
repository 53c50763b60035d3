//! HTTP handlers for `/trainings`.

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Training, TrainingFilters, TrainingInput, CSV_COLUMNS, SORT_FIELDS};
use super::queries::{self, Include};
use crate::auth::Caller;
use crate::csv_export;
use crate::db::Database;
use crate::error::ApiError;
use crate::extract::{JsonBody, NoQuery};
use crate::http_cache::{self, IfMatch};
use crate::journal::Actor;
use crate::listing::{self, ListRequest, PageParams, Sort};
use crate::openapi::{CreateProblems, DeleteProblems, ListProblems, ReadProblems, UpdateProblems};
use crate::records::{self, BASE};
use crate::sync;

crate::list_type!(TrainingList, Training, "A page of trainings.");

/// Query parameters of `GET /trainings/{id}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingInclude {
    /// Embed related records: `coalition`, `organiser` (comma-separated).
    pub include: Option<String>,
}

/// List trainings (drafts only for administrators and the owning coalition's editors).
#[utoipa::path(
    tag = "trainings",
    params(PageParams, TrainingFilters),
    responses(
        (status = 200, description = "A page of trainings, or with `format=csv` / `Accept: text/csv` every matching one as CSV",
            content((TrainingList = "application/json"), (String = "text/csv"))),
        ListProblems
    )
)]
#[get("/trainings")]
pub async fn list_trainings(
    caller: Caller,
    req: HttpRequest,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let (page, filters): (PageParams, TrainingFilters) = listing::parse_query(req.query_string())?;
    let include = Include::parse(filters.include.as_deref())?;
    let has_query = filters.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let sort = Sort::parse_searchable(filters.sort.as_deref(), &SORT_FIELDS, "-starts_at", has_query)?;
    if csv_export::wanted(&req, &page) {
        let request = ListRequest::export(sort);
        return csv_export::respond(&req, &db, "trainings", CSV_COLUMNS, request, move |conn, request| {
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

/// Get one training (a draft only for administrators and the owning coalition's editors).
#[utoipa::path(
    tag = "trainings",
    params(("id" = uuid::Uuid, Path, description = "Training id"), TrainingInclude),
    responses((status = 200, description = "The training", body = Training), ReadProblems)
)]
#[get("/trainings/{id}")]
pub async fn get_training(
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let id = records::parse_id(&path, "training")?;
    let params: TrainingInclude = crate::extract::query(req.query_string())?;
    let include = Include::parse(params.include.as_deref())?;
    let training = db
        .read(move |conn| queries::get_visible(conn, &caller, &id, include))
        .await?;
    // Embedded records change without this record's version: tag the content instead.
    if include == Include::default() {
        Ok(http_cache::versioned(training.version, &training))
    } else {
        Ok(HttpResponse::Ok().json(training))
    }
}

/// Create a training or event (administrators, editors of its coalition; platform-level events: administrators).
#[utoipa::path(
    tag = "trainings",
    request_body(content = TrainingInput, content_type = "application/json"),
    responses((status = 201, description = "Created; `Location` names the new training", body = Training), CreateProblems),
    security(("bearer" = []))
)]
#[post("/trainings")]
pub async fn create_training(
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let input = TrainingInput::from_json(body.0)?;
    principal.may_write_content(input.coalition().as_deref())?;
    let training = db.write(move |conn| queries::create(conn, &actor, input)).await?;
    Ok(records::created(
        format!("{BASE}/trainings/{}", training.id),
        training.version,
        &training,
    ))
}

/// Load what the caller may change: 404 for drafts they cannot see, 403 without the right.
fn load_for_write(conn: &mut crate::db::DbConnection, caller: &Caller, id: &str) -> Result<Training, ApiError> {
    let principal = caller.require()?;
    let current = queries::get_visible(conn, caller, id, Include::default())?;
    principal.may_write_content(current.coalition_id.as_deref())?;
    Ok(current)
}

/// Replace a training (administrators, editors of its coalition — before and after).
#[utoipa::path(
    tag = "trainings",
    params(("id" = uuid::Uuid, Path, description = "Training id")),
    request_body(content = TrainingInput, content_type = "application/json"),
    responses((status = 200, description = "The updated training", body = Training), UpdateProblems),
    security(("bearer" = []))
)]
#[put("/trainings/{id}")]
pub async fn replace_training(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    caller.require()?;
    let id = records::parse_id(&path, "training")?;
    let training = db
        .write(move |conn| {
            let current = load_for_write(conn, &caller, &id)?;
            if_match.check(current.version)?;
            let input = TrainingInput::from_json(body.0)?;
            caller.require()?.may_write_content(input.coalition().as_deref())?;
            queries::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(training.version, &training))
}

/// Update a training with a JSON Merge Patch (administrators, editors of its coalition — before and after).
#[utoipa::path(
    tag = "trainings",
    params(("id" = uuid::Uuid, Path, description = "Training id")),
    request_body(content = TrainingInput, content_type = "application/merge-patch+json",
        description = "RFC 7396 merge patch: the fields to change; `null` clears an optional field; sets are replaced whole."),
    responses((status = 200, description = "The updated training", body = Training), UpdateProblems),
    security(("bearer" = []))
)]
#[patch("/trainings/{id}")]
pub async fn patch_training(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    caller.require()?;
    let id = records::parse_id(&path, "training")?;
    let training = db
        .write(move |conn| {
            let current = load_for_write(conn, &caller, &id)?;
            if_match.check(current.version)?;
            let input: TrainingInput = records::patched(&current, &body.0)?;
            caller.require()?.may_write_content(input.coalition().as_deref())?;
            queries::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(http_cache::versioned(training.version, &training))
}

/// Delete a training (administrators, editors of its coalition).
#[utoipa::path(
    tag = "trainings",
    params(("id" = uuid::Uuid, Path, description = "Training id")),
    responses((status = 204, description = "Deleted"), DeleteProblems),
    security(("bearer" = []))
)]
#[delete("/trainings/{id}")]
pub async fn delete_training(
    path: web::Path<String>,
    caller: Caller,
    if_match: IfMatch,
    _q: NoQuery,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    caller.require()?;
    let id = records::parse_id(&path, "training")?;
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
pub struct TrainingBatch {
    /// The created records.
    pub data: Vec<Training>,
}

/// Create or replace a training by your system's id: idempotent, so sending the same request
/// twice leaves one record, and a repeat that changes nothing keeps its version.
#[utoipa::path(
    tag = "trainings",
    params(("external_id" = String, Path, description = "Your system's id for the training (1–200 characters)")),
    request_body(content = TrainingInput, content_type = "application/json",
        description = "The whole record; `external_id` may be left out (the URL's is used)."),
    responses(
        (status = 200, description = "Replaced (or unchanged)", body = Training),
        (status = 201, description = "Created; `Location` names the new record", body = Training),
        UpdateProblems
    ),
    security(("bearer" = []))
)]
#[put("/trainings/external/{external_id}")]
pub async fn upsert_training(
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
    let (created, training) = db
        .write(move |conn| {
            let principal = caller.require()?;
            let input = TrainingInput::from_json(sync::with_external_id(body.0, &external_id)?)?;
            principal.may_write_content(input.coalition().as_deref())?;
            match queries::find_external(conn, &external_id)? {
                None => {
                    if_match.check_absent()?;
                    Ok((true, queries::create(conn, &actor, input)?))
                }
                Some(current) => {
                    if !crate::content::can_see(&caller, current.publication, current.coalition_id.as_deref()) {
                        return Err(ApiError::Forbidden(
                            "this external id belongs to a record outside your coalitions".into(),
                        ));
                    }
                    principal.may_write_content(current.coalition_id.as_deref())?;
                    if_match.check(current.version)?;
                    Ok((false, queries::update(conn, &actor, &current, input)?))
                }
            }
        })
        .await?;
    Ok(if created {
        records::created(format!("{BASE}/trainings/{}", training.id), training.version, &training)
    } else {
        http_cache::versioned(training.version, &training)
    })
}

/// Create up to 500 trainings in one transaction: all or nothing. Any invalid item: 422 listing
/// each bad item's errors under its index (`[3].title`), and nothing is written.
#[utoipa::path(
    tag = "trainings",
    request_body(content = Vec<TrainingInput>, content_type = "application/json", description = "1 to 500 records"),
    responses((status = 200, description = "All created, in the order sent", body = TrainingBatch), CreateProblems),
    security(("bearer" = []))
)]
#[post("/trainings/batch")]
pub async fn batch_trainings(
    caller: Caller,
    _q: NoQuery,
    body: JsonBody,
    db: web::Data<Database>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let items: Vec<TrainingInput> = sync::parse_batch(body.0)?;
    for (index, item) in items.iter().enumerate() {
        principal
            .may_write_content(item.coalition().as_deref())
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
    Ok(HttpResponse::Ok().json(TrainingBatch { data }))
}

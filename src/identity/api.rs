//! `/api/v1/clients`: administrators register, list and revoke machine clients over the API
//! (the command line's `client add|list|revoke` does the same). Every change is audited.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::clients::{self, Client, IssuedClient, NewClient};
use crate::http::auth::Caller;
use crate::http::csv_export;
use crate::http::error::ApiError;
use crate::http::extract::{typed, JsonBody, NoQuery};
use crate::http::openapi::{ClientCreateProblems, ClientReadProblems};
use crate::http::paging::{self, FormatParam, ListRequest, PageParams, Sort};
use crate::http::{Db, Reply};
use crate::kernel::records::BASE;
use crate::store::journal::Actor;

crate::list_type!(ClientList, Client, "A page of machine clients.");

/// The order of `GET /clients`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientFilters {
    /// `created_at` (default, oldest first), `name`, or either with `-` for descending; `id`
    /// breaks ties.
    #[param(pattern = r"^-?(created_at|name)$")]
    pub sort: Option<String>,
}

fn client_id(raw: &str) -> Result<String, ApiError> {
    crate::kernel::records::parse_id(raw, "client")
}

fn no_store(mut response: HttpResponse) -> HttpResponse {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

/// The machine clients (administrators), revoked ones included; never a secret.
#[utoipa::path(
    tag = "clients",
    params(PageParams, FormatParam, ClientFilters),
    responses(
        (status = 200, description = "A page of clients",
            content((ClientList = "application/json"), (String = "text/csv"))),
        ClientReadProblems
    ),
    security(("bearer" = []))
)]
#[get("/clients")]
pub async fn list(caller: Caller, req: HttpRequest, db: Db) -> Reply {
    caller.require()?.may_manage_clients()?;
    let (page, filters): (PageParams, ClientFilters) = paging::parse_query(req.query_string())?;
    let sort = Sort::parse(filters.sort.as_deref(), clients::SORT_FIELDS, "created_at")?;
    if csv_export::wanted(&req, &page) {
        let export = csv_export::Export {
            name: "clients",
            columns: &[
                "id",
                "name",
                "role",
                "coalitions",
                "created_at",
                "created_by",
                "revoked_at",
            ],
            clock_dependent: false,
            texts_of: None,
        };
        return csv_export::respond(&req, &db, export, ListRequest::export(sort), clients::page).await;
    }
    let request = ListRequest::new(&page, sort)?;
    let listed = db.read(move |conn| clients::page(conn, &request)).await?;
    Ok(paging::respond(&req, listed))
}

/// One machine client (administrators).
#[utoipa::path(
    tag = "clients",
    params(("id" = String, Path, description = "The client id", format = "uuid")),
    responses((status = 200, description = "The client", body = Client), ClientReadProblems),
    security(("bearer" = []))
)]
#[get("/clients/{id}")]
pub async fn read(caller: Caller, _q: NoQuery, id: web::Path<String>, db: Db) -> Reply {
    caller.require()?.may_manage_clients()?;
    let id = client_id(&id)?;
    let found = db.read(move |conn| clients::find(conn, &id)).await?;
    match found {
        Some((client, _)) => Ok(HttpResponse::Ok().json(client)),
        None => Err(ApiError::NotFound("no client has this id".into())),
    }
}

/// Register a machine client (administrators): its `client_secret` is in this response only.
///
/// The client then gets tokens from `POST /api/v1/oauth/token` with its id and secret; they
/// carry its role and coalitions and name it as `sub` (so the audit trail shows which system
/// wrote). Stored: an Argon2id hash of the secret, never the secret.
#[utoipa::path(
    tag = "clients",
    request_body = NewClient,
    responses(
        (status = 201, description = "Registered; the secret is shown this once", body = IssuedClient,
            headers(("Location" = String, description = "The client's URL"))),
        ClientCreateProblems
    ),
    security(("bearer" = []))
)]
#[post("/clients")]
pub async fn create(caller: Caller, _q: NoQuery, body: JsonBody, db: Db) -> Reply {
    let principal = caller.require()?;
    principal.may_manage_clients()?;
    let new: NewClient = typed(body.0)?;
    let actor = Actor::from(principal);
    let issued = db.write(move |conn| clients::add(conn, &actor, new)).await?;
    Ok(no_store(
        HttpResponse::Created()
            .insert_header((header::LOCATION, format!("{BASE}/clients/{}", issued.client.id)))
            .json(issued),
    ))
}

/// Revoke a machine client (administrators): it gets no new token from now on; tokens it
/// already holds expire on their own (15 minutes by default). Revoking again changes nothing.
#[utoipa::path(
    tag = "clients",
    params(("id" = String, Path, description = "The client id", format = "uuid")),
    responses((status = 200, description = "The client, revoked", body = Client), ClientReadProblems),
    security(("bearer" = []))
)]
#[post("/clients/{id}/revoke")]
pub async fn revoke(caller: Caller, _q: NoQuery, id: web::Path<String>, db: Db) -> Reply {
    let principal = caller.require()?;
    principal.may_manage_clients()?;
    let id = client_id(&id)?;
    let actor = Actor::from(principal);
    match db.write(move |conn| clients::revoke(conn, &actor, &id)).await? {
        Some(client) => Ok(HttpResponse::Ok().json(client)),
        None => Err(ApiError::NotFound("no client has this id".into())),
    }
}

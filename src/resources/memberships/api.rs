//! HTTP handlers for `/coalitions/{id}/members` and `/organisations/{id}/memberships`.

use actix_web::{delete, get, patch, post, put, web, HttpRequest};

use super::model::{self, Include, Membership, MembershipFilters, MembershipInput, Owner};
use super::resource::{self, Memberships};
use crate::http::auth::Caller;
use crate::http::csv_export;
use crate::http::extract::{JsonBody, NoQuery};
use crate::http::openapi::{DeleteProblems, NestedCreateProblems, ReadProblems, SubListProblems, UpdateProblems};
use crate::http::paging::{self, FormatParam, ListRequest, PageParams};
use crate::http::{Db, Reply};
use crate::kernel::records::{self, BASE};
use crate::kernel::{read, Resource};
use crate::store::journal::Actor;
use crate::store::Database;

crate::list_type!(MembershipList, Membership, "A page of memberships.");

/// Answer a membership list of `owner` (404 when it does not exist) as JSON or CSV.
async fn respond_list(req: &HttpRequest, db: &Database, owner: Owner, allowed_include: &[&'static str]) -> Reply {
    let (page, filters): (PageParams, MembershipFilters) = paging::parse_query(req.query_string())?;
    let include = Include::parse(filters.include.as_deref(), allowed_include)?;
    let sort = resource::sort(&filters)?;
    let parent = owner.clone();
    db.read(move |conn| parent.ensure_exists(conn)).await?;
    if csv_export::wanted(req, &page) {
        let export = csv_export::Export {
            name: Memberships::COLLECTION,
            columns: Memberships::CSV_COLUMNS,
            clock_dependent: filters.current.is_some(),
            texts_of: None,
        };
        return csv_export::respond(req, db, export, ListRequest::export(sort), move |conn, request| {
            read::page::<Memberships>(conn, model::conditions(&owner, &filters).into(), include, request)
        })
        .await;
    }
    let clock = filters.current.is_some();
    let request = ListRequest::new(&page, sort)?;
    let listed = db
        .read(move |conn| {
            read::page_documents::<Memberships>(conn, model::conditions(&owner, &filters).into(), include, &request)
        })
        .await?;
    Ok(crate::http::response_cache::unless(
        clock,
        paging::respond_documents(req, listed),
    ))
}

/// List a coalition's members (`include=organisation` embeds each organisation).
#[utoipa::path(
    tag = "memberships",
    params(("id" = uuid::Uuid, Path, description = "Coalition id"), PageParams, FormatParam, MembershipFilters),
    responses((status = 200, description = "A page of memberships", content((MembershipList = "application/json"), (String = "text/csv"))), SubListProblems)
)]
#[get("/coalitions/{id}/members")]
pub async fn list_members(_caller: Caller, req: HttpRequest, path: web::Path<String>, db: Db) -> Reply {
    let id = records::parse_id(&path, "coalition")?;
    respond_list(&req, &db, Owner::Coalition(id), &["organisation"]).await
}

/// List an organisation's memberships (`include=coalition` embeds each coalition).
#[utoipa::path(
    tag = "memberships",
    params(("id" = uuid::Uuid, Path, description = "Organisation id"), PageParams, FormatParam, MembershipFilters),
    responses((status = 200, description = "A page of memberships", content((MembershipList = "application/json"), (String = "text/csv"))), SubListProblems)
)]
#[get("/organisations/{id}/memberships")]
pub async fn list_memberships(_caller: Caller, req: HttpRequest, path: web::Path<String>, db: Db) -> Reply {
    let id = records::parse_id(&path, "organisation")?;
    respond_list(&req, &db, Owner::Organisation(id), &["coalition"]).await
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
pub async fn create_member(path: web::Path<String>, caller: Caller, _q: NoQuery, body: JsonBody, db: Db) -> Reply {
    let actor = Actor::from(caller.require()?);
    let principal = caller.require()?.clone();
    let coalition_id = records::parse_id(&path, "coalition")?;
    let membership = db
        .write(move |conn| {
            Owner::Coalition(coalition_id.clone()).ensure_exists(conn)?;
            principal.may_manage_memberships(&coalition_id)?;
            let input = MembershipInput::from_json(body.0)?;
            super::resource::create(conn, &actor, &coalition_id, input)
        })
        .await?;
    let location = format!(
        "{BASE}/coalitions/{}/members/{}",
        membership.coalition_id, membership.id
    );
    Ok(records::created(location, membership.version, &membership))
}

crate::get_route!(Memberships => get_member "/coalitions/{id}/members/{membership_id}", tag = "memberships",
    params = (("id" = uuid::Uuid, Path, description = "Coalition id"), ("membership_id" = uuid::Uuid, Path, description = "Membership id")),
    body = Membership, ok = "The membership", doc = ["Get one membership of a coalition."]);

crate::update_routes!(Memberships => replace_member, patch_member "/coalitions/{id}/members/{membership_id}",
    tag = "memberships",
    params = (("id" = uuid::Uuid, Path, description = "Coalition id"), ("membership_id" = uuid::Uuid, Path, description = "Membership id")),
    input = MembershipInput, body = Membership, ok = "The updated membership",
    patch = "RFC 7396 merge patch: the fields to change; `null` clears an optional field.",
    doc = ["Replace a membership (administrators, editors of this coalition)."],
    patch_doc = ["Update a membership with a JSON Merge Patch (administrators, editors of this coalition)."]);

crate::delete_route!(Memberships => delete_member "/coalitions/{id}/members/{membership_id}", tag = "memberships",
    params = (("id" = uuid::Uuid, Path, description = "Coalition id"), ("membership_id" = uuid::Uuid, Path, description = "Membership id")),
    doc = ["Remove a membership (administrators, editors of this coalition)."]);

crate::routes!(
    list_members,
    create_member,
    get_member,
    replace_member,
    patch_member,
    delete_member,
    list_memberships
);

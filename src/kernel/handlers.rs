//! The HTTP handlers every resource shares: list, get, create, replace, merge-patch, delete,
//! upsert by external id, and batch. Each resource's routes (see [`super::routes`]) are thin
//! annotated wrappers around these; the extractors come in the wrappers' argument order, so
//! a malformed request fails the same way on every route.

use actix_web::{HttpRequest, HttpResponse};

use super::{Collection, Op, Resource, Syncable};
use crate::http::auth::Caller;
use crate::http::caching::{self, IfMatch};
use crate::http::csv_export;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use crate::http::paging::{self, ListRequest};
use crate::http::response_cache;
use crate::http::{Db, Reply};
use crate::kernel::sync;
use crate::kernel::{read, records};
use crate::store::journal::Actor;
use crate::store::DbConnection;

/// `GET /<resources>`: a page as JSON, or every matching record as CSV.
pub async fn list<R: Collection>(caller: Caller, req: HttpRequest, db: Db) -> Reply {
    let (page, filters) = super::parse_list::<R>(req.query_string())?;
    let include = R::list_include(&filters)?;
    let sort = R::sort(&filters)?;
    if csv_export::wanted(&req, &page) {
        let export = csv_export::Export {
            name: R::COLLECTION,
            columns: R::CSV_COLUMNS,
            clock_dependent: R::depends_on_clock(&filters),
            texts_of: R::TRANSLATED.then_some(R::TABLE),
        };
        let request = ListRequest::export(sort);
        return csv_export::respond(&req, &db, export, request, move |conn, request| {
            let selection = R::select(conn, &caller, &filters)?;
            read::page::<R>(conn, selection, include, request)
        })
        .await;
    }
    let clock = R::depends_on_clock(&filters);
    let request = ListRequest::new(&page, sort)?;
    let stored = include == R::Include::default();
    let listed = db
        .read(move |conn| {
            let selection = R::select(conn, &caller, &filters)?;
            read::page_documents::<R>(conn, selection, include, &request)
        })
        .await?;
    let mut response = paging::respond_documents(&req, listed);
    if stored {
        // Stored documents carry the `display` of a request naming no language.
        response.extensions_mut().insert(crate::texts::display::Rendered);
    }
    Ok(response_cache::unless(clock, response))
}

/// The path segments of a record's URL (named in the route), typed.
pub fn path_args<R: Resource>(req: &HttpRequest) -> Result<R::Key, ApiError> {
    req.match_info()
        .load::<R::Key>()
        .map_err(|_| ApiError::NotFound(format!("no resource at {}", req.path())))
}

/// `GET /<resources>/{key}`: one record the caller may see, with its version's `ETag`.
pub async fn get<R: Resource>(caller: Caller, args: R::Key, req: HttpRequest, db: Db) -> Reply {
    let params: R::GetParams = crate::http::extract::query(req.query_string())?;
    let include = R::get_include(&params)?;
    let key = R::key(args)?;
    let record = db.read(move |conn| R::get(conn, &caller, &key, include)).await?;
    // Embedded records change without this record's version: tag the content instead.
    if include == R::Include::default() {
        Ok(caching::versioned(R::version(&record), &record))
    } else {
        Ok(HttpResponse::Ok().json(record))
    }
}

/// `POST /<resources>`: 201 with `Location` and `ETag`.
pub async fn create<R: Collection>(caller: Caller, body: JsonBody, db: Db) -> Reply {
    let principal = caller.require()?.clone();
    R::may(&principal, Op::Create)?;
    let input = <R::Input as records::Writable>::parse(body.0)?;
    R::may_write(&principal, &input)?;
    let actor = Actor::from(&principal);
    let record = db.write(move |conn| R::create(conn, &actor, input)).await?;
    Ok(created::<R>(&record))
}

fn created<R: Resource>(record: &R::Record) -> HttpResponse {
    records::created(R::location(record), R::version(record), record)
}

/// Load what the caller may change: 404 for what they cannot see, 403 without the right.
fn load_for_change<R: Resource>(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &R::Key,
    op: Op,
) -> Result<R::Record, ApiError> {
    let principal = caller.require()?;
    let current = R::get(conn, caller, key, R::Include::default())?;
    match op {
        Op::Delete => R::may_delete(conn, principal, &current)?,
        _ => R::may_change(conn, principal, &current)?,
    }
    Ok(current)
}

/// How a write body becomes the new fields.
#[derive(Clone, Copy)]
pub enum Body {
    /// `PUT`: the whole record
    Whole,
    /// `PATCH`: an RFC 7396 merge patch of the current record, validated like a `PUT` body
    MergePatch,
}

/// `PUT` and `PATCH /<resources>/{key}`: 200 with the record and its new `ETag`.
pub async fn update<R: Resource>(
    caller: Caller,
    args: R::Key,
    if_match: IfMatch,
    body: JsonBody,
    db: Db,
    kind: Body,
) -> Reply {
    let principal = caller.require()?.clone();
    R::may(&principal, Op::Update)?;
    let key = R::key(args)?;
    let actor = Actor::from(&principal);
    let record = db
        .write(move |conn| {
            let current = load_for_change::<R>(conn, &caller, &key, Op::Update)?;
            if_match.check(R::version(&current))?;
            let input: R::Input = match kind {
                Body::Whole => records::Writable::parse(body.0)?,
                Body::MergePatch => records::patched(&current, &body.0)?,
            };
            R::may_replace(&principal, &current, &input)?;
            R::update(conn, &actor, &current, input)
        })
        .await?;
    Ok(caching::versioned(R::version(&record), &record))
}

/// `DELETE /<resources>/{key}`: 204.
pub async fn delete<R: Resource>(caller: Caller, args: R::Key, if_match: IfMatch, db: Db) -> Reply {
    let principal = caller.require()?.clone();
    R::may(&principal, Op::Delete)?;
    let key = R::key(args)?;
    let actor = Actor::from(&principal);
    db.write(move |conn| {
        let current = load_for_change::<R>(conn, &caller, &key, Op::Delete)?;
        if_match.check(R::version(&current))?;
        R::delete(conn, &actor, &current)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `PUT /<resources>/external/{external_id}`: create or replace by the client's own id.
pub async fn upsert<R: Syncable>(
    caller: Caller,
    external_id: String,
    if_match: IfMatch,
    body: JsonBody,
    db: Db,
) -> Reply {
    let principal = caller.require()?.clone();
    let external_id = sync::external_id_of_path(&external_id)?;
    let actor = Actor::from(&principal);
    let (created_now, record) = db
        .write(move |conn| {
            let input = <R::Input as records::Writable>::parse(sync::with_external_id(body.0, &external_id)?)?;
            R::may(&principal, Op::Create)?;
            R::may_write(&principal, &input)?;
            match R::find_external(conn, &external_id)? {
                None => {
                    if_match.check_absent()?;
                    Ok((true, R::create(conn, &actor, input)?))
                }
                Some(current) => {
                    if !R::visible(&caller, &current) {
                        return Err(ApiError::Forbidden(
                            "this external id belongs to a record outside your coalitions".into(),
                        ));
                    }
                    R::may_change(conn, &principal, &current)?;
                    if_match.check(R::version(&current))?;
                    Ok((false, R::update(conn, &actor, &current, input)?))
                }
            }
        })
        .await?;
    Ok(if created_now {
        created::<R>(&record)
    } else {
        caching::versioned(R::version(&record), &record)
    })
}

/// The records a batch created, in the order they were sent.
#[derive(serde::Serialize)]
pub struct Batch<T> {
    /// The created records.
    pub data: Vec<T>,
}

/// `POST /<resources>/batch`: up to 500 records in one transaction, all or nothing.
pub async fn batch<R: Syncable>(caller: Caller, body: JsonBody, db: Db) -> Reply
where
    R::Input: records::External,
{
    let principal = caller.require()?.clone();
    let items: Vec<R::Input> = sync::parse_batch(body.0)?;
    R::may(&principal, Op::Create)?;
    for (index, item) in items.iter().enumerate() {
        R::may_write(&principal, item).map_err(|e| sync::at_index(index, e))?;
    }
    let actor = Actor::from(&principal);
    let data = db
        .write(move |conn| {
            sync::create_all(
                conn,
                items,
                |conn, item| R::check_references(conn, item),
                |conn, item| R::create(conn, &actor, item),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(Batch { data }))
}

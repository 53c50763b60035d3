//! Route declarations: one macro call per operation of a resource emits a small `async fn`
//! carrying its route attribute and its OpenAPI entry, whose body calls the generic handler
//! in [`super::handlers`]. utoipa reads its attributes from concrete functions, so the
//! wrappers must exist; the macros keep each one to its words (path, summary, descriptions).
//!
//! Every fragment is passed as a token tree (`tt`), never as `literal` or `ty`: those reach
//! the attribute macros wrapped in invisible groups, which utoipa and actix-web do not read.
//! The route attributes (`get`, `post`, …) resolve at the call site: import them there.

/// `GET <path>`: a page of records, or every matching record as CSV.
#[macro_export]
macro_rules! list_route {
    ($resource:ty => $name:ident $path:tt, tag = $tag:tt, params = $params:tt, body = $list:tt,
     ok = $ok:tt, doc = [$($doc:tt),+]) => {
        $(#[doc = $doc])+
        #[utoipa::path(
            tag = $tag,
            params $params,
            responses(
                (status = 200, description = $ok, content(($list = "application/json"), (String = "text/csv"))),
                ListProblems
            )
        )]
        #[get($path)]
        pub async fn $name(caller: $crate::http::auth::Caller, req: actix_web::HttpRequest,
            db: $crate::http::Db) -> $crate::http::Reply {
            $crate::kernel::handlers::list::<$resource>(caller, req, db).await
        }
    };
}

/// `GET <path>/{key}`: one record.
#[macro_export]
macro_rules! get_route {
    ($resource:ty => $name:ident $path:tt, tag = $tag:tt, params = $params:tt, body = $body:tt,
     ok = $ok:tt, doc = [$($doc:tt),+]) => {
        $(#[doc = $doc])+
        #[utoipa::path(
            tag = $tag,
            params $params,
            responses((status = 200, description = $ok, body = $body), ReadProblems)
        )]
        #[get($path)]
        pub async fn $name(caller: $crate::http::auth::Caller, req: actix_web::HttpRequest,
            db: $crate::http::Db) -> $crate::http::Reply {
            let args = $crate::kernel::handlers::path_args::<$resource>(&req)?;
            $crate::kernel::handlers::get::<$resource>(caller, args, req, db).await
        }
    };
}

/// `POST <path>`: create a record.
#[macro_export]
macro_rules! create_route {
    ($resource:ty => $name:ident $path:tt, tag = $tag:tt, input = $input:tt, body = $body:tt,
     created = $created:tt, doc = [$($doc:tt),+]) => {
        $(#[doc = $doc])+
        #[utoipa::path(
            tag = $tag,
            request_body(content = $input, content_type = "application/json"),
            responses((status = 201, description = $created, body = $body), CreateProblems),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $name(caller: $crate::http::auth::Caller, _q: $crate::http::extract::NoQuery,
            body: $crate::http::extract::JsonBody, db: $crate::http::Db) -> $crate::http::Reply {
            $crate::kernel::handlers::create::<$resource>(caller, body, db).await
        }
    };
}

/// `PUT <path>/{key}` (replace) and `PATCH <path>/{key}` (merge patch).
#[macro_export]
macro_rules! update_routes {
    ($resource:ty => $put:ident, $patch:ident $path:tt, tag = $tag:tt, params = $params:tt, input = $input:tt,
     body = $body:tt, ok = $ok:tt, patch = $patch_doc:tt, doc = [$($doc:tt),+], patch_doc = [$($pdoc:tt),+]) => {
        $crate::update_route!($resource => put $put $path, Whole, tag = $tag, params = $params, body = $body, ok = $ok,
            request = (content = $input, content_type = "application/json"), doc = [$($doc),+]);
        $crate::update_route!($resource => patch $patch $path, MergePatch, tag = $tag, params = $params, body = $body,
            ok = $ok, request = (content = $input, content_type = "application/merge-patch+json", description = $patch_doc),
            doc = [$($pdoc),+]);
    };
}

/// One of [`update_routes!`]: `$method` is the route attribute, `$kind` the body's [`Body`](crate::kernel::handlers::Body).
#[macro_export]
macro_rules! update_route {
    ($resource:ty => $method:ident $name:ident $path:tt, $kind:ident, tag = $tag:tt, params = $params:tt, body = $body:tt,
     ok = $ok:tt, request = $request:tt, doc = [$($doc:tt),+]) => {
        $(#[doc = $doc])+
        #[utoipa::path(
            tag = $tag,
            params $params,
            request_body $request,
            responses((status = 200, description = $ok, body = $body), UpdateProblems),
            security(("bearer" = []))
        )]
        #[$method($path)]
        pub async fn $name(req: actix_web::HttpRequest, caller: $crate::http::auth::Caller,
            if_match: $crate::http::caching::IfMatch, _q: $crate::http::extract::NoQuery,
            body: $crate::http::extract::JsonBody, db: $crate::http::Db) -> $crate::http::Reply {
            let args = $crate::kernel::handlers::path_args::<$resource>(&req)?;
            let kind = $crate::kernel::handlers::Body::$kind;
            $crate::kernel::handlers::update::<$resource>(caller, args, if_match, body, db, kind).await
        }
    };
}

/// `DELETE <path>/{key}`.
#[macro_export]
macro_rules! delete_route {
    ($resource:ty => $name:ident $path:tt, tag = $tag:tt, params = $params:tt, doc = [$($doc:tt),+]) => {
        $(#[doc = $doc])+
        #[utoipa::path(
            tag = $tag,
            params $params,
            responses((status = 204, description = "Deleted"), DeleteProblems),
            security(("bearer" = []))
        )]
        #[delete($path)]
        pub async fn $name(req: actix_web::HttpRequest, caller: $crate::http::auth::Caller,
            if_match: $crate::http::caching::IfMatch, _q: $crate::http::extract::NoQuery,
            db: $crate::http::Db) -> $crate::http::Reply {
            let args = $crate::kernel::handlers::path_args::<$resource>(&req)?;
            $crate::kernel::handlers::delete::<$resource>(caller, args, if_match, db).await
        }
    };
}

/// `PUT <path>/external/{external_id}` and `POST <path>/batch`, for resources client systems
/// write by their own ids.
#[macro_export]
macro_rules! sync_routes {
    ($resource:ty => $upsert:ident $upsert_path:tt, $batch:ident $batch_path:tt, tag = $tag:tt,
     input = $input:tt, body = $body:tt, batch_body = $batch_body:tt, external = $external:tt,
     upsert_doc = [$($udoc:tt),+], batch_doc = [$($bdoc:tt),+]) => {
        /// The records a batch created, in the order they were sent.
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $batch_body {
            /// The created records.
            pub data: Vec<$body>,
        }

        $(#[doc = $udoc])+
        #[utoipa::path(
            tag = $tag,
            params(("external_id" = String, Path, description = $external)),
            request_body(content = $input, content_type = "application/json",
                description = "The whole record; `external_id` may be left out (the URL's is used)."),
            responses(
                (status = 200, description = "Replaced (or unchanged)", body = $body),
                (status = 201, description = "Created; `Location` names the new record", body = $body),
                UpdateProblems
            ),
            security(("bearer" = []))
        )]
        #[put($upsert_path)]
        pub async fn $upsert(path: actix_web::web::Path<String>, caller: $crate::http::auth::Caller,
            if_match: $crate::http::caching::IfMatch, _q: $crate::http::extract::NoQuery,
            body: $crate::http::extract::JsonBody, db: $crate::http::Db) -> $crate::http::Reply {
            $crate::kernel::handlers::upsert::<$resource>(caller, path.into_inner(), if_match, body, db).await
        }

        $(#[doc = $bdoc])+
        #[utoipa::path(
            tag = $tag,
            request_body(content = Vec<$input>, content_type = "application/json", description = "1 to 500 records"),
            responses((status = 200, description = "All created, in the order sent", body = $batch_body), CreateProblems),
            security(("bearer" = []))
        )]
        #[post($batch_path)]
        pub async fn $batch(caller: $crate::http::auth::Caller, _q: $crate::http::extract::NoQuery,
            body: $crate::http::extract::JsonBody, db: $crate::http::Db) -> $crate::http::Reply {
            $crate::kernel::handlers::batch::<$resource>(caller, body, db).await
        }
    };
}

/// `pub fn routes(cfg)`: registers the named handlers, in order (the OpenAPI document keeps it).
#[macro_export]
macro_rules! routes {
    ($($handler:ident),+ $(,)?) => {
        /// This resource's routes, each with its OpenAPI entry.
        pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
            $(cfg.service($handler);)+
        }
    };
}

/// What a resource's `api.rs` needs in scope for the route macros.
pub mod prelude {
    pub use actix_web::{delete, get, patch, post, put};

    pub use crate::http::openapi::{CreateProblems, DeleteProblems, ListProblems, ReadProblems, UpdateProblems};
    pub use crate::http::paging::{FormatParam, PageParams};
}

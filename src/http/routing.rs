//! What a path and method resolve to beyond the routes themselves, read from the OpenAPI
//! document: 405 with `Allow` where the path exists with other methods (404 where it does not),
//! and paths written out in full keeping their own methods.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::http::error::ApiError;

/// Paths and their methods, for telling 405 from 404.
#[derive(Clone)]
pub struct RouteTable(std::sync::Arc<Vec<(actix_router::ResourceDef, Vec<String>)>>);

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> RouteTable {
        let table = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| (actix_router::ResourceDef::new(path.as_str()), methods_of(item)))
            .collect();
        RouteTable(std::sync::Arc::new(table))
    }
}

/// The methods the document gives a path.
fn methods_of(item: &utoipa::openapi::PathItem) -> Vec<String> {
    [
        ("GET", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter(|(_, present)| *present)
    .map(|(m, _)| m.to_string())
    .collect()
}

/// Paths written out in full (`/api/v1/initiatives/batch`) and their methods.
#[derive(Clone)]
pub struct StaticRoutes(std::sync::Arc<std::collections::HashMap<String, Vec<String>>>);

impl StaticRoutes {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> StaticRoutes {
        let map = api
            .paths
            .paths
            .iter()
            .filter(|(path, _)| !path.contains('{'))
            .map(|(path, item)| (path.clone(), methods_of(item)))
            .collect();
        StaticRoutes(std::sync::Arc::new(map))
    }
}

/// Middleware: a method a path written out in full does not have is 405 with its `Allow`, even
/// where the router would take the path for a record's (`PUT /initiatives/batch` is not an
/// update of the initiative `batch`).
pub async fn static_methods(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refused = req
        .app_data::<web::Data<StaticRoutes>>()
        .and_then(|routes| routes.0.get(req.path()))
        .filter(|methods| !methods.iter().any(|m| m == req.method().as_str()))
        .map(|methods| {
            let mut allow = methods.clone();
            if allow.iter().any(|m| m == "GET") {
                allow.insert(allow.iter().position(|m| m == "GET").unwrap_or(0) + 1, "HEAD".into());
            }
            ApiError::MethodNotAllowed {
                method: req.method().to_string(),
                allow,
            }
        });
    match refused {
        Some(error) if req.method() != Method::OPTIONS => Ok(req.error_response(error)),
        _ => next.call(req).await,
    }
}

/// The default service: 405 with `Allow` where the path exists with other methods, else 404.
pub async fn no_route(req: HttpRequest, table: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    let matching: Vec<&(actix_router::ResourceDef, Vec<String>)> =
        table.0.iter().filter(|(def, _)| def.is_match(path)).collect();
    // A path written out in full (`/initiatives/batch`) is that route alone, not also a
    // record of the route beside it (`/initiatives/{id}`).
    let exact: Vec<_> = matching
        .iter()
        .copied()
        .filter(|(def, _)| !def.pattern().is_some_and(|p| p.contains('{')))
        .collect();
    let matching = if exact.is_empty() { matching } else { exact };
    let allow: Vec<String> = matching
        .into_iter()
        .flat_map(|(_, methods)| methods.iter().cloned())
        .flat_map(|m| {
            if m == "GET" {
                vec![m, "HEAD".to_string()]
            } else {
                vec![m]
            }
        })
        .collect();
    if allow.is_empty() || req.method() == Method::GET && allow.iter().any(|m| m == "GET") {
        Err(ApiError::NotFound(format!("no resource at {path}")))
    } else {
        Err(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow,
        })
    }
}

//! The app factory: routes and their OpenAPI entries (registered together), middleware,
//! and the server. `main` and the tests both use [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Compress, ErrorHandlers, Logger, Next};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::feeds::stats;
use crate::http::auth::JwtKeys;
use crate::http::caching;
use crate::http::error::{framework_error_to_problem, ApiError};
use crate::http::extract::{BodyLimit, BodyTimeout};
use crate::http::idempotency;
use crate::http::openapi::ApiDoc;
use crate::http::request_id;
use crate::http::response_cache::{self, ResponseCache};
use crate::http::screen;
use crate::resources::registry::RESOURCES;
use crate::resources::service;
use crate::store::Database;

/// Every route of `/api/v1`; each handler carries its own OpenAPI entry.
fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(service::index)
        .service(service::health)
        .service(service::vocabularies);
    for resource in &RESOURCES {
        (resource.routes)(cfg);
    }
    cfg.service(stats::stats)
        .service(crate::feeds::audit::audit)
        .service(crate::feeds::changes::changes);
}

/// The OpenAPI document, as served and as committed in `openapi/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope::scope("/api/v1").configure(routes))
        .split_for_parts();
    crate::http::openapi::finish(api)
}

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn openapi_json() -> String {
    let mut json = openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// Paths and their methods, for telling 405 from 404.
#[derive(Clone)]
struct RouteTable(std::sync::Arc<Vec<(actix_router::ResourceDef, Vec<String>)>>);

impl RouteTable {
    fn from_openapi(api: &utoipa::openapi::OpenApi) -> RouteTable {
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
struct StaticRoutes(std::sync::Arc<std::collections::HashMap<String, Vec<String>>>);

impl StaticRoutes {
    fn from_openapi(api: &utoipa::openapi::OpenApi) -> StaticRoutes {
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
async fn static_methods(
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

async fn no_route(req: HttpRequest, table: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
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

/// The OpenAPI document as served (the same text as `openapi/openapi.json`).
struct OpenApiDocument(String);

async fn serve_openapi(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.0.clone())
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// CORS: any origin may read; writes only from the configured origins — and from the
/// service's own origin (the Swagger UI it serves at `/docs`), which is not cross-origin.
fn cors(allowed: Vec<String>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, head| {
            let origin = origin.to_str().unwrap_or_default();
            if allowed.iter().any(|a| a == origin || a == "*") {
                return true;
            }
            let host = head.headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let origin_host = origin.split_once("://").map(|(_, rest)| rest);
            if host.is_some() && origin_host == host {
                return true;
            }
            let method = if head.method == Method::OPTIONS {
                head.headers
                    .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            } else {
                head.method.to_string()
            };
            method == "GET" || method == "HEAD"
        })
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static(request_id::HEADER),
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::WWW_AUTHENTICATE,
            header::HeaderName::from_static(request_id::HEADER),
            header::HeaderName::from_static(crate::http::idempotency::REPLAYED),
        ])
        .max_age(3600)
        // Refuse (not just leave unheadered) requests from origins the function rejects.
        .block_on_origin_mismatch(true)
}

/// Shared state of every worker.
#[derive(Clone)]
pub struct AppState {
    /// the database
    pub db: Database,
    /// token verification
    pub keys: JwtKeys,
    /// request body limit
    pub body_limit: usize,
    /// how long a request's head, and then its body, may take to arrive
    pub request_timeout: std::time::Duration,
    /// origins allowed to write cross-origin
    pub cors_allowed_origins: Vec<String>,
    /// cached anonymous statistics, shared by the workers
    pub stats_cache: stats::StatsCache,
    /// `Cache-Control` max-age of anonymous reads
    pub cache_max_age: u32,
    /// the response cache of anonymous reads
    pub response_cache: ResponseCache,
    /// dropped with the last worker's state: stops the change watch
    pub alive: Arc<()>,
}

/// The actix app over `state`.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_age = state.cache_max_age;
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(
            scope::scope("/api/v1")
                .configure(routes)
                .route("/openapi.json", web::get().to(serve_openapi)),
        )
        .split_for_parts();
    let api = crate::http::openapi::finish(api);
    let table = RouteTable::from_openapi(&api);
    let csv_routes = crate::http::csv_export::CsvRoutes::from_openapi(&api);
    let static_routes = StaticRoutes::from_openapi(&api);
    let document = OpenApiDocument(format!("{}\n", api.to_pretty_json().unwrap_or_default()));
    app.app_data(web::Data::new(state.db.clone()))
        .app_data(web::Data::new(state.keys.clone()))
        .app_data(web::Data::new(table))
        .app_data(web::Data::new(csv_routes))
        .app_data(web::Data::new(static_routes))
        .app_data(web::Data::new(document))
        .app_data(web::Data::new(state.stats_cache.clone()))
        .app_data(web::Data::new(state.response_cache.clone()))
        .app_data(BodyLimit(state.body_limit))
        .app_data(BodyTimeout(state.request_timeout))
        .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"])))
        .route("/docs", web::get().to(docs_redirect))
        .default_service(web::to(no_route))
        .wrap(from_fn(static_methods))
        .wrap(from_fn(crate::http::csv_export::by_path))
        .wrap(from_fn(idempotency::remembered))
        .wrap(from_fn(move |req, next: Next<BoxBody>| {
            caching::conditional(req, next, max_age)
        }))
        .wrap(Compress::default())
        .wrap(from_fn(response_cache::serve))
        .wrap(cors(state.cors_allowed_origins.clone()))
        .wrap(ErrorHandlers::new().default_handler(framework_error_to_problem))
        .wrap(from_fn(screen::screened))
        .wrap(from_fn(request_id::tagged))
        .wrap(from_fn(request_id::head_as_get))
        .wrap(Logger::new("%a \"%r\" %s %b %Dms id=%{x-request-id}o"))
}

/// A bound, not yet awaited server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connect, migrate and seed the database, bind the listener (port 0 picks a free one).
    pub fn build(settings: &Settings) -> anyhow::Result<Application> {
        let db = Database::connect(&settings.database_url(), settings.db_pool_size)?;
        db.migrate()?;
        let seeded = crate::ops::seed::seed_reference_data(&db).map_err(|e| anyhow::anyhow!("seeding failed: {e}"))?;
        if seeded.documents_rendered + seeded.search_indexed > 0 {
            log::info!(
                "{} documents rendered, {} records indexed for search (rows from before this version)",
                seeded.documents_rendered,
                seeded.search_indexed
            );
        }
        let secret = settings.resolve_jwt_secret()?;
        let keys = JwtKeys::hs256(&secret, settings.jwt_issuer.clone(), settings.jwt_audience.clone());
        let listener = TcpListener::bind(&settings.bind_addr)?;
        let port = listener.local_addr()?.port();
        let state = AppState {
            db,
            keys,
            body_limit: settings.max_body_bytes,
            request_timeout: std::time::Duration::from_secs(settings.request_timeout_secs.max(1)),
            cors_allowed_origins: settings
                .cors_allowed_origins
                .iter()
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect(),
            stats_cache: stats::StatsCache::default(),
            cache_max_age: settings.cache_max_age,
            response_cache: ResponseCache::new(settings.response_cache_mb),
            alive: Arc::new(()),
        };
        response_cache::watch(state.db.clone(), Arc::downgrade(&state.alive));
        let head_timeout = state.request_timeout;
        let mut server = HttpServer::new(move || app(state.clone()))
            // The head has as long as the body (`BodyTimeout`); then 408 and the connection closes.
            .client_request_timeout(head_timeout)
            // A compressed (chunked) body goes out in several small writes; with Nagle's
            // algorithm each waits for the client's delayed ACK (~40 ms on keep-alive).
            .on_connect(|connection, _| {
                if let Some(socket) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
                    if let Err(e) = socket.set_nodelay(true) {
                        log::debug!("TCP_NODELAY: {e}");
                    }
                }
            })
            .listen(listener)?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Application {
            port,
            server: server.run(),
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server, for spawning in tests.
    pub fn into_server(self) -> Server {
        self.server
    }
}

//! The app factory: routes and their OpenAPI entries (registered together), middleware,
//! and the server. `main` and the tests both use [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Compress, ErrorHandlers, Next};
use actix_web::{web, App, HttpResponse, HttpServer};
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
use crate::http::routing::{no_route, static_methods, RouteTable, StaticRoutes};
use crate::http::screen;
use crate::http::{Db, Reply};
use crate::resources::registry::RESOURCES;
use crate::resources::service;
use crate::store::Database;

/// Every route of `/api/v1`; each handler carries its own OpenAPI entry.
fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(service::index)
        .service(service::health)
        .service(service::vocabularies);
    for resource in RESOURCES {
        (resource.routes)(cfg);
    }
    cfg.service(stats::stats)
        .service(crate::feeds::audit::audit)
        .service(crate::feeds::changes::changes)
        .service(crate::identity::oauth::token)
        .service(crate::identity::api::list)
        .service(crate::identity::api::create)
        .service(crate::identity::api::read)
        .service(crate::identity::api::revoke);
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
    /// rate limits per caller
    pub rate_limits: crate::http::rate_limit::RateLimits,
    /// the Prometheus registry
    pub metrics: crate::ops::metrics::Metrics,
    /// failed client-credentials attempts per client id
    pub client_failures: crate::identity::oauth::FailureLimit,
    /// lifetime of client-credentials tokens
    pub client_token_ttl: crate::identity::oauth::ClientTokenTtl,
    /// where `/metrics` is served when it has an address of its own
    pub metrics_addr: Option<MetricsAddr>,
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
        .app_data(web::Data::new(state.rate_limits.clone()))
        .app_data(web::Data::new(state.metrics.clone()))
        .app_data(web::Data::new(state.client_failures.clone()))
        .app_data(web::Data::new(state.client_token_ttl))
        .app_data(web::Data::new(state.metrics_addr))
        .app_data(BodyLimit(state.body_limit))
        .app_data(BodyTimeout(state.request_timeout))
        .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"])))
        .route("/docs", web::get().to(docs_redirect))
        .route("/health/live", web::get().to(crate::ops::probes::live))
        .route("/health/ready", web::get().to(crate::ops::probes::ready))
        .route("/metrics", web::get().to(metrics))
        .default_service(web::to(no_route))
        .wrap(from_fn(crate::http::language::negotiated))
        .wrap(from_fn(static_methods))
        .wrap(from_fn(crate::http::csv_export::by_path))
        .wrap(from_fn(idempotency::remembered))
        .wrap(from_fn(move |req, next: Next<BoxBody>| {
            caching::conditional(req, next, max_age)
        }))
        .wrap(Compress::default())
        .wrap(from_fn(response_cache::serve))
        .wrap(from_fn(crate::http::rate_limit::limited))
        .wrap(cors(state.cors_allowed_origins.clone()))
        .wrap(ErrorHandlers::new().default_handler(framework_error_to_problem))
        .wrap(from_fn(screen::screened))
        .wrap(from_fn(request_id::tagged))
        .wrap(from_fn(request_id::head_as_get))
        .wrap(from_fn(crate::ops::metrics::observed))
        .wrap(from_fn(crate::http::access_log::logged))
}

/// The address `/metrics` is served on when `METRICS_ADDR` gives it one of its own.
#[derive(Debug, Clone, Copy)]
pub struct MetricsAddr(std::net::SocketAddr);

/// `GET /metrics`: on its own address when it has one (404 on the API's), else on the API's.
async fn metrics(
    req: actix_web::HttpRequest,
    own: web::Data<Option<MetricsAddr>>,
    metrics: web::Data<crate::ops::metrics::Metrics>,
    db: Db,
    limits: Option<web::Data<crate::http::rate_limit::RateLimits>>,
    keys: Option<web::Data<JwtKeys>>,
) -> Reply {
    if let Some(MetricsAddr(addr)) = **own {
        if req.app_config().local_addr() != addr {
            return Err(ApiError::NotFound(format!("no resource at {}", req.path())));
        }
    }
    Ok(crate::ops::metrics::scrape(metrics, db, limits, keys).await)
}

/// A bound, not yet awaited server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connect, migrate and seed the database, bind the listener (port 0 picks a free one).
    pub fn build(settings: &Settings) -> anyhow::Result<Application> {
        if !settings.languages.is_empty() {
            let languages =
                crate::texts::Languages::new(&settings.languages).map_err(|e| anyhow::anyhow!("LANGUAGES: {e}"))?;
            crate::texts::set_accepted(languages);
        }
        let db = Database::connect(&settings.database_url(), settings.db_pool_size)?;
        db.sizes().set_threshold(settings.large_table_rows);
        db.migrate()?;
        let seeded = crate::ops::seed::seed_reference_data(&db).map_err(|e| anyhow::anyhow!("seeding failed: {e}"))?;
        if seeded.documents_rendered + seeded.search_indexed > 0 {
            log::info!(
                "{} documents rendered, {} records indexed for search (rows from before this version)",
                seeded.documents_rendered,
                seeded.search_indexed
            );
        }
        let keys = JwtKeys::from_settings(settings)?;
        let listener = TcpListener::bind(&settings.bind_addr)?;
        let port = listener.local_addr()?.port();
        let metrics_listener = match settings.metrics_addr.as_deref().filter(|a| !a.trim().is_empty()) {
            Some(addr) => Some(TcpListener::bind(addr.trim())?),
            None => None,
        };
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
            metrics: crate::ops::metrics::Metrics::new()?,
            metrics_addr: metrics_listener
                .as_ref()
                .map(|l| l.local_addr().map(MetricsAddr))
                .transpose()?,
            rate_limits: crate::http::rate_limit::RateLimits::new(
                settings.rate_limit_reads,
                settings.rate_limit_writes,
                settings.rate_limit_burst_seconds,
                &settings.trusted_proxies,
            )?,
            client_failures: crate::identity::oauth::FailureLimit::new(settings.client_auth_failures_per_minute),
            client_token_ttl: crate::identity::oauth::ClientTokenTtl(settings.client_token_ttl_secs.clamp(60, 86_400)),
            alive: Arc::new(()),
        };
        crate::store::watch::spawn(state.db.clone(), Arc::downgrade(&state.alive));
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
        if let Some(metrics_listener) = metrics_listener {
            server = server.listen(metrics_listener)?;
        }
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

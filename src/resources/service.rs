//! Service information: the API root, health, and the controlled vocabularies.

use std::collections::BTreeMap;

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::extract::NoQuery;
use crate::http::openapi::ListProblems;
use crate::http::{Db, Reply};
use crate::kernel::records::BASE;
use crate::resources::registry::RESOURCES;
use crate::store::sql::Sql;
use crate::texts::Texts;

/// What `GET /api/v1` returns.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceInfo {
    /// Service name.
    #[schema(example = "coalition-registry")]
    pub name: String,
    /// Service version.
    pub version: String,
    /// Links to the contract, the docs and the collections.
    pub links: BTreeMap<String, String>,
}

/// Service name, version, and links to the OpenAPI document, the docs and the collections.
#[utoipa::path(tag = "service", responses((status = 200, description = "Service information", body = ServiceInfo)))]
#[get("")]
pub async fn index() -> HttpResponse {
    let mut links: BTreeMap<String, String> = [
        ("openapi", "/api/v1/openapi.json"),
        ("docs", "/docs/"),
        ("health", "/api/v1/health"),
        ("vocabularies", "/api/v1/vocabularies"),
        ("stats", "/api/v1/stats"),
        ("changes", "/api/v1/changes"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    // Every registered resource's list at the API root.
    for collection in RESOURCES.iter().filter_map(|r| r.collection) {
        links.insert(collection.to_string(), format!("{BASE}/{collection}"));
    }
    HttpResponse::Ok().json(ServiceInfo {
        name: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
        links,
    })
}

/// What `GET /api/v1/health` returns.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    #[schema(example = "ok")]
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// SQL statements this process has run on its database pool since it started (every
    /// purpose, transaction control included): what `scripts/bench.sh` divides by requests.
    #[schema(example = 1234)]
    pub statements: u64,
    /// How this replica learns of writes made through other replicas: `notifications`
    /// (PostgreSQL `LISTEN/NOTIFY`, with a fallback read of the feed every half second) or
    /// `polling` (SQLite, or while the listening connection is down: every 250 ms).
    pub change_watch: ChangeWatch,
    /// Notifications of other processes' writes this replica has heard since it started.
    #[schema(example = 12)]
    pub notifications_heard: u64,
}

/// How a replica learns of writes made through other replicas.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeWatch {
    /// PostgreSQL `LISTEN/NOTIFY`
    Notifications,
    /// reading the feed's watermark on a timer
    Polling,
}

/// Liveness and database reachability, for load balancers and container health checks.
#[utoipa::path(
    tag = "service",
    responses(
        (status = 200, description = "The service and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = crate::http::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/health")]
pub async fn health(db: Db) -> Reply {
    let backend = db.backend();
    db.read(|conn| {
        Sql::new("SELECT CAST(1 AS BIGINT) AS count")
            .load::<crate::store::sql::CountRow>(conn)
            .map_err(|e| match ApiError::from(e) {
                ApiError::Internal(cause) => {
                    log::warn!("health check: {cause}");
                    ApiError::Unavailable("the database does not answer".into())
                }
                other => other,
            })
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: match backend {
            crate::store::Backend::Postgres => "postgres".into(),
            crate::store::Backend::Sqlite => "sqlite".into(),
        },
        statements: db.statements(),
        change_watch: if db.listening() {
            ChangeWatch::Notifications
        } else {
            ChangeWatch::Polling
        },
        notifications_heard: db.notifications(),
    }))
}

/// One term of a controlled vocabulary as stored (its labels as JSON).
#[derive(Debug, diesel::QueryableByName)]
struct TermRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    code: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    label: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    vocabulary: String,
}

/// One term of a controlled vocabulary.
#[derive(Debug, Serialize, ToSchema)]
pub struct Term {
    /// The code used in the API.
    pub code: String,
    /// Labels for menus, per language: every accepted language for activity areas, sectors,
    /// coalition statuses, membership roles, event kinds and formats; English for the rest.
    pub label: Texts,
}

/// Every controlled vocabulary, by name: `activity_areas`, `themes`, `target_groups`,
/// `sectors`, `coalition_statuses`, `membership_roles`, `event_kinds`, `event_formats`,
/// `initiative_statuses`, `spheres`, `participation_roles`, `publication_states`, `country_groups`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"activity_areas": [{"code": "digital_skills_for_all", "label": {"en": "Digital skills for all citizens", "lv": "Digitālās prasmes visiem iedzīvotājiem"}, "display": {"language": "en", "label": "Digital skills for all citizens"}}]}))]
pub struct Vocabularies(pub BTreeMap<String, Vec<Term>>);

/// Codes and labels of every controlled vocabulary, for building filter menus.
#[utoipa::path(
    tag = "reference data",
    responses((status = 200, description = "Every vocabulary, keyed by name", body = Vocabularies), ListProblems)
)]
#[get("/vocabularies")]
pub async fn vocabularies(_caller: Caller, _q: NoQuery, db: Db) -> Reply {
    let terms = db
        .read(|conn| {
            Ok(
                Sql::new("SELECT vocabulary, code, label FROM vocabulary_terms ORDER BY vocabulary, position")
                    .load::<TermRow>(conn)?,
            )
        })
        .await?;
    let mut by_name: BTreeMap<String, Vec<Term>> = BTreeMap::new();
    for term in terms {
        let label = serde_json::from_str(&term.label)
            .map_err(|e| ApiError::Internal(format!("corrupt stored labels of {}: {e}", term.code)))?;
        by_name
            .entry(term.vocabulary)
            .or_default()
            .push(Term { code: term.code, label });
    }
    Ok(HttpResponse::Ok().json(Vocabularies(by_name)))
}

//! `GET /stats`: counts for dashboards and maps, computed by the database (GROUP BY), never
//! by loading rows. Only what the caller may see is counted (drafts are not, for anonymous
//! callers).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use diesel::sql_types::{BigInt, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::openapi::ListProblems;
use crate::http::{Db, Reply};
use crate::resources::content;
use crate::store::sql::{Sql, Value};
use crate::store::DbConnection;

/// Filters of `GET /stats`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsFilters {
    /// Only this country: initiatives whose scope includes it, events hosted in it or with
    /// audience from it, its coalitions.
    pub country: Option<String>,
}

/// A count for one value.
#[derive(Debug, Serialize, ToSchema, diesel::QueryableByName)]
pub struct Bucket {
    /// The value counted (a country code, activity area, status, …).
    #[diesel(sql_type = Text)]
    pub key: String,
    /// How many.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// Events of one kind in one year.
#[derive(Debug, Serialize, ToSchema, diesel::QueryableByName)]
pub struct YearKind {
    /// Year of the start (UTC).
    #[diesel(sql_type = BigInt)]
    pub year: i64,
    /// Kind of event.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// How many.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// Initiative counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct InitiativeStats {
    /// All initiatives counted.
    pub total: i64,
    /// Per country of the geographic scope (an initiative counts for each of its countries).
    pub by_country: Vec<Bucket>,
    /// Per activity area (an initiative counts for each of its areas).
    pub by_activity_area: Vec<Bucket>,
    /// Per status.
    pub by_status: Vec<Bucket>,
}

/// Training and event counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingStats {
    /// All events counted.
    pub total: i64,
    /// Per year and kind.
    pub by_year_and_kind: Vec<YearKind>,
}

/// Coalition counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoalitionStats {
    /// All coalitions counted.
    pub total: i64,
    /// Per status.
    pub by_status: Vec<Bucket>,
}

/// Everything `GET /stats` returns.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    /// Initiatives (published, plus drafts the caller may see).
    pub initiatives: InitiativeStats,
    /// Trainings and events (published, plus drafts the caller may see).
    pub trainings: TrainingStats,
    /// Coalitions.
    pub coalitions: CoalitionStats,
}

fn buckets(conn: &mut DbConnection, select: &str, from_where: &Sql, group: &str) -> Result<Vec<Bucket>, ApiError> {
    let mut sql = Sql::new(&format!("SELECT {select} AS key, count(*) AS count "));
    sql.append(from_where);
    sql.push(&format!(" GROUP BY {group} ORDER BY count(*) DESC, {group}"));
    Ok(sql.load(conn)?)
}

fn compute(conn: &mut DbConnection, caller: &Caller, country: Option<String>) -> Result<Stats, ApiError> {
    // Initiatives
    let mut conditions: Vec<Sql> = content::visible_to(caller, "i").into_iter().collect();
    if let Some(code) = &country {
        let mut sql = Sql::new("i.id IN (SELECT initiative_id FROM initiative_countries WHERE country_code = ");
        sql.bind(Value::Text(code.clone()));
        sql.push(")");
        conditions.push(sql);
    }
    let mut from = Sql::new("FROM initiatives i");
    from.append(&Sql::where_all(&conditions));
    let by_status = buckets(conn, "i.status", &from, "i.status")?;
    let total = by_status.iter().map(|b| b.count).sum();
    let mut joined = Sql::new("FROM initiatives i JOIN initiative_countries c ON c.initiative_id = i.id");
    joined.append(&Sql::where_all(&conditions));
    let by_country = buckets(conn, "c.country_code", &joined, "c.country_code")?;
    let mut joined = Sql::new("FROM initiatives i JOIN initiative_activity_areas a ON a.initiative_id = i.id");
    joined.append(&Sql::where_all(&conditions));
    let by_activity_area = buckets(conn, "a.area", &joined, "a.area")?;

    // Trainings
    let mut conditions: Vec<Sql> = content::visible_to(caller, "t").into_iter().collect();
    if let Some(code) = &country {
        let mut sql = Sql::new("t.country_code = ");
        sql.bind(Value::Text(code.clone()));
        sql.push(" OR t.id IN (SELECT training_id FROM training_audience_countries WHERE country_code = ");
        sql.bind(Value::Text(code.clone()));
        sql.push(")");
        conditions.push(sql);
    }
    let year = if conn.is_postgres() {
        "CAST(EXTRACT(YEAR FROM t.starts_at) AS BIGINT)"
    } else {
        "CAST(strftime('%Y', t.starts_at) AS INTEGER)"
    };
    let mut sql = Sql::new(&format!(
        "SELECT {year} AS year, t.kind AS kind, count(*) AS count FROM trainings t"
    ));
    sql.append(&Sql::where_all(&conditions));
    sql.push(&format!(" GROUP BY {year}, t.kind ORDER BY {year}, t.kind"));
    let by_year_and_kind: Vec<YearKind> = sql.load(conn)?;
    let trainings_total = by_year_and_kind.iter().map(|b| b.count).sum();

    // Coalitions
    let mut conditions = Vec::new();
    if let Some(code) = &country {
        let mut sql = Sql::new("k.country_code = ");
        sql.bind(Value::Text(code.clone()));
        conditions.push(sql);
    }
    let mut from = Sql::new("FROM coalitions k");
    from.append(&Sql::where_all(&conditions));
    let coalitions_by_status = buckets(conn, "k.status", &from, "k.status")?;
    Ok(Stats {
        initiatives: InitiativeStats {
            total,
            by_country,
            by_activity_area,
            by_status,
        },
        trainings: TrainingStats {
            total: trainings_total,
            by_year_and_kind,
        },
        coalitions: CoalitionStats {
            total: coalitions_by_status.iter().map(|b| b.count).sum(),
            by_status: coalitions_by_status,
        },
    })
}

/// How long cached anonymous statistics may serve at most (a safety net: the generation
/// already moves with writes through this and, via the change watch, other replicas).
const CACHE_TTL: Duration = Duration::from_secs(30);

/// A cached response: the write generation it was computed at, when, and the JSON body.
type CachedStats = (u64, Instant, Bytes);

/// Anonymous statistics per country filter, valid while the database generation stands.
#[derive(Clone, Default)]
pub struct StatsCache(Arc<Mutex<HashMap<Option<String>, CachedStats>>>);

impl StatsCache {
    fn get(&self, country: &Option<String>, generation: u64) -> Option<Bytes> {
        let cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(country)
            .filter(|(g, at, _)| *g == generation && at.elapsed() < CACHE_TTL)
            .map(|(_, _, body)| body.clone())
    }

    fn put(&self, country: Option<String>, generation: u64, body: Bytes) {
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        cache.insert(country, (generation, Instant::now(), body));
    }
}

/// Counts for dashboards and maps: initiatives per country, activity area and status; events
/// per year and kind; coalitions per status. Drafts count only for those who may see them.
#[utoipa::path(
    tag = "statistics",
    params(StatsFilters),
    responses((status = 200, description = "Counts", body = Stats), ListProblems)
)]
#[get("/stats")]
pub async fn stats(caller: Caller, req: HttpRequest, db: Db, cache: web::Data<StatsCache>) -> Reply {
    let filters: StatsFilters = crate::http::extract::query(req.query_string())?;
    let country = match &filters.country {
        Some(code) => match crate::kernel::records::country_codes("country", std::slice::from_ref(code))?.pop() {
            Some(Value::Text(code)) => Some(code),
            _ => None,
        },
        None => None,
    };
    // Everyone anonymous sees the same numbers: compute them once per write.
    let anonymous = caller.principal().is_none();
    let generation = db.generation();
    if anonymous {
        if let Some(body) = cache.get(&country, generation) {
            return Ok(HttpResponse::Ok().content_type("application/json").body(body));
        }
    }
    let key = country.clone();
    let stats = db.read(move |conn| compute(conn, &caller, country)).await?;
    let body = Bytes::from(serde_json::to_vec(&stats).map_err(|e| ApiError::Internal(e.to_string()))?);
    if anonymous {
        cache.put(key, generation, body.clone());
    }
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

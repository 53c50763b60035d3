//! What the service-wide parts (the change feed, the journal's kinds) need of every resource,
//! without naming any: each resource registers one [`Registered`] in `crate::resources::registry`.

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::store::journal::RecordType;
use crate::store::DbConnection;

use super::{Record, Resource};

/// A record as the feed shows it: its key, its version and its representation.
pub type FeedRecord = (String, i64, serde_json::Value);

/// Loads the records with these keys that the caller may see, as a GET shows them.
pub type LoadVisible = fn(&mut DbConnection, &Caller, &[String]) -> Result<Vec<FeedRecord>, ApiError>;

/// One resource as the service-wide parts see it.
pub struct Registered {
    /// its feed and journal kind
    pub kind: RecordType,
    /// its list at the API root (`initiatives`), for the service index; none when nested
    pub collection: Option<&'static str>,
    /// the records with these keys that `caller` may see, as a GET shows them
    pub load_visible: LoadVisible,
    /// registers the resource's routes
    pub routes: fn(&mut utoipa_actix_web::service_config::ServiceConfig),
    /// renders the documents of records that have none; how many
    pub render_missing: fn(&mut DbConnection) -> Result<usize, ApiError>,
    /// indexes for search the records that are not yet; how many
    pub index_missing: fn(&mut DbConnection) -> Result<usize, ApiError>,
    /// the keys of records whose document differs from their tables
    pub stale: fn(&mut DbConnection) -> Result<Vec<String>, ApiError>,
}

/// The registration of resource `R`, served by these routes.
pub const fn registered<R: Resource>(routes: fn(&mut utoipa_actix_web::service_config::ServiceConfig)) -> Registered {
    Registered {
        kind: R::KIND,
        collection: if R::NESTED { None } else { Some(R::COLLECTION) },
        load_visible: load_visible::<R>,
        routes,
        render_missing: super::docs::render_missing::<R>,
        index_missing: R::index_missing,
        stale: super::docs::stale::<R>,
    }
}

fn load_visible<R: Resource>(
    conn: &mut DbConnection,
    caller: &Caller,
    keys: &[String],
) -> Result<Vec<FeedRecord>, ApiError> {
    R::load_many(conn, keys)?
        .into_iter()
        .filter(|(_, record)| R::visible(caller, record))
        .map(|(key, record)| Ok((key, record.version(), crate::kernel::records::to_json(&record)?)))
        .collect()
}

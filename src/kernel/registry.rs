//! What the service-wide parts (the change feed, the journal's kinds) need of every resource,
//! without naming any: each resource registers one [`Registered`] in `crate::registry`.

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::journal::RecordType;

use super::{Record, Resource};

/// A record as the feed shows it: its key, its version and its representation.
pub type FeedRecord = (String, i64, serde_json::Value);

/// Loads the records with these keys that the caller may see, as a GET shows them.
pub type LoadVisible = fn(&mut DbConnection, &Caller, &[String]) -> Result<Vec<FeedRecord>, ApiError>;

/// One resource as the service-wide parts see it.
pub struct Registered {
    /// its feed and journal kind
    pub kind: RecordType,
    /// the records with these keys that `caller` may see, as a GET shows them
    pub load_visible: LoadVisible,
}

/// The registration of resource `R`.
pub const fn registered<R: Resource>() -> Registered {
    Registered {
        kind: R::KIND,
        load_visible: load_visible::<R>,
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
        .map(|(key, record)| Ok((key, record.version(), crate::records::to_json(&record)?)))
        .collect()
}

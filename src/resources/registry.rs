//! The resources this service serves, one line each: the app registers their routes, the
//! change feed loads their records, and the journal's kinds are listed through this list.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use crate::kernel::registry::{registered, Registered};
use crate::store::journal::{FeedType, RecordType};
use crate::{
    resources::coalitions, resources::countries, resources::initiatives, resources::memberships,
    resources::organisations, resources::trainings,
};

/// Every resource, in the order the feed documents them.
pub static RESOURCES: &[Registered] = &[
    registered::<countries::resource::Countries>(countries::api::routes),
    registered::<coalitions::resource::Coalitions>(coalitions::api::routes),
    registered::<organisations::resource::Organisations>(organisations::api::routes),
    registered::<memberships::resource::Memberships>(memberships::api::routes),
    registered::<initiatives::resource::Initiatives>(initiatives::api::routes),
    registered::<trainings::resource::Trainings>(trainings::api::routes),
];

/// The registration of a kind of record.
pub fn of(kind: RecordType) -> Option<&'static Registered> {
    RESOURCES.iter().find(|r| r.kind == kind)
}

/// The kinds of records the change feed carries, in the order the API documents them.
pub fn feed_kinds() -> impl Iterator<Item = RecordType> {
    RESOURCES.iter().map(|r| r.kind)
}

/// The kind of public records with this name.
pub fn feed_kind(name: &str) -> Option<RecordType> {
    feed_kinds().find(|k| k.as_str() == name)
}

/// Every kind the journal knows: the resources', then the audit-only ones.
pub fn kinds() -> impl Iterator<Item = RecordType> {
    feed_kinds().chain([RecordType::CLIENT])
}

/// The kind with this name, of any record the journal knows.
pub fn kind(name: &str) -> Option<RecordType> {
    kinds().find(|k| k.as_str() == name)
}

fn names(kinds: impl Iterator<Item = RecordType>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(kinds.map(RecordType::as_str)))
        .into()
}

// The document's lists of kinds come from the registry: the types live in the store, under it.
impl utoipa::PartialSchema for RecordType {
    fn schema() -> RefOr<Schema> {
        names(kinds(), "Kinds of records the journal knows.")
    }
}

impl utoipa::ToSchema for RecordType {}

impl utoipa::PartialSchema for FeedType {
    fn schema() -> RefOr<Schema> {
        names(feed_kinds(), "A kind of record the change feed carries.")
    }
}

impl utoipa::ToSchema for FeedType {}

impl<'de> serde::Deserialize<'de> for RecordType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RecordType, D::Error> {
        let name = String::deserialize(deserializer)?;
        kind(&name).ok_or_else(|| {
            let known: Vec<&str> = kinds().map(RecordType::as_str).collect();
            serde::de::Error::custom(format!(
                "unknown record type `{name}`, expected one of {}",
                known.join(", ")
            ))
        })
    }
}

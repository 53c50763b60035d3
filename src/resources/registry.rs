//! The resources this service serves, one line each: the app registers their routes and the
//! change feed loads their records through this list.

use crate::kernel::registry::{registered, Registered};
use crate::store::journal::RecordType;
use crate::{
    resources::coalitions, resources::countries, resources::initiatives, resources::memberships,
    resources::organisations, resources::trainings,
};

/// Every resource, in the order the feed documents them.
pub static RESOURCES: [Registered; 6] = [
    registered::<countries::resource::Countries>(countries::api::routes),
    registered::<coalitions::resource::Coalitions>(coalitions::api::routes),
    registered::<memberships::resource::Memberships>(memberships::api::routes),
    registered::<organisations::resource::Organisations>(organisations::api::routes),
    registered::<initiatives::resource::Initiatives>(initiatives::api::routes),
    registered::<trainings::resource::Trainings>(trainings::api::routes),
];

/// The registration of a kind of record.
pub fn of(kind: RecordType) -> Option<&'static Registered> {
    RESOURCES.iter().find(|r| r.kind == kind)
}

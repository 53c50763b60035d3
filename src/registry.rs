//! The resources this service serves, one line each. The change feed iterates this list;
//! adding a resource is its folder, its migrations, its routes in `app.rs` and a line here.

use crate::journal::RecordType;
use crate::kernel::registry::{registered, Registered};
use crate::{coalitions, countries, initiatives, memberships, organisations, trainings};

/// Every resource, in the order the feed documents them.
pub static RESOURCES: [Registered; 6] = [
    registered::<countries::resource::Countries>(),
    registered::<coalitions::resource::Coalitions>(),
    registered::<organisations::resource::Organisations>(),
    registered::<memberships::resource::Memberships>(),
    registered::<initiatives::resource::Initiatives>(),
    registered::<trainings::resource::Trainings>(),
];

/// The registration of a kind of record.
pub fn of(kind: RecordType) -> Option<&'static Registered> {
    RESOURCES.iter().find(|r| r.kind == kind)
}

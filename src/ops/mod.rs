//! Operations: seeding reference data and the demo data set; backups; metrics and probes for
//! whoever runs the service.

pub mod backup;
pub mod demo;
pub mod logging;
pub mod metrics;
pub mod probes;
pub mod seed;

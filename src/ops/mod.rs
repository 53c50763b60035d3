//! Operations: seeding reference data and the demo data set; metrics and probes for whoever
//! runs the service.

pub mod demo;
pub mod logging;
pub mod metrics;
pub mod probes;
pub mod seed;

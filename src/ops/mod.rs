//! Operations on the data: seeding reference data and loading the demo data set.

pub mod demo;
pub mod seed;

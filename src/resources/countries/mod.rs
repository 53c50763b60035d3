//! Countries: reference data keyed by ISO 3166-1 alpha-2 code; admin-only writes.

pub mod api;
pub mod model;
pub mod resource;

//! Memberships: the first-class link between a coalition and an organisation.

pub mod api;
pub mod model;
pub mod resource;

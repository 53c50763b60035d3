//! Organisations: potential and actual coalition members.

pub mod api;
pub mod model;
pub mod resource;

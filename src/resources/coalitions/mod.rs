//! Coalitions: one per country (at most one that is not inactive), with their profile.

pub mod api;
pub mod model;
pub mod resource;

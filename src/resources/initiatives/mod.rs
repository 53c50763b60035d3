//! Initiatives: what coalitions do, in the four activity areas, with drafts before publishing.

pub mod api;
pub mod filters;
pub mod model;
pub mod queries;
pub mod resource;

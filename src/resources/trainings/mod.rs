//! Trainings and other events (workshops, webinars, conferences, study visits), run by a
//! coalition or, with no coalition, at platform level (e.g. by a facility).

pub mod api;
pub mod filters;
pub mod model;
pub mod queries;
pub mod resource;

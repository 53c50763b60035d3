//! Coalition Registry: the system of record, served as a REST/JSON API, for the National
//! Coalitions for Digital Skills and Jobs.
//!
//! Layers, top to bottom; a module names only modules of its own layer and of the layers under
//! it, and the imports between modules have no cycle (`tests/api/layers.rs` checks both):
//! [`app`] (the app factory) → [`ops`] (seeding, demo data, backups, metrics), [`feeds`]
//! (change feed, audit, statistics) and [`identity`] (machine clients and their tokens) →
//! [`resources`] (one folder per resource, each declared to the kernel) → [`kernel`] (generic
//! handlers, routes, reads and writes) → [`http`] (extraction, auth, paging, caching, CSV, the
//! language middleware, the OpenAPI passes) → [`texts`] (translated text) and [`config`] (the
//! settings) → [`store`] (connections, SQL, journal, feed) → [`http::error`] (the one
//! error type, at the base).

pub mod app;
pub mod config;
pub mod feeds;
pub mod http;
pub mod identity;
pub mod kernel;
pub mod ops;
pub mod resources;
pub mod store;
pub mod texts;

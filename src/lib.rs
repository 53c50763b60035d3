//! Coalition Registry: the system of record, served as a REST/JSON API, for the National
//! Coalitions for Digital Skills and Jobs.
//!
//! Layers, top to bottom: [`app`] (the app factory) → [`resources`] (one folder per resource,
//! each declared to the kernel) → [`kernel`] (generic handlers, routes and writes) → [`feeds`]
//! (change feed, audit, statistics) and [`http`] (errors, extraction, auth, paging, caching,
//! middleware) → [`store`] (connections, SQL, schema, journal). [`ops`] seeds and loads demo
//! data; [`config`] holds the settings.

pub mod app;
pub mod config;
pub mod feeds;
pub mod http;
pub mod kernel;
pub mod ops;
pub mod resources;
pub mod store;

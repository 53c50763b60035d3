//! Coalition Registry: the system of record, served as a REST/JSON API, for the National
//! Coalitions for Digital Skills and Jobs.
//!
//! Layers, top to bottom: [`app`] (the app factory) → [`resources`] (one folder per resource,
//! each declared to the kernel) → [`kernel`] (generic handlers, routes and writes) → [`feeds`]
//! (change feed, audit, statistics) and [`http`] (errors, extraction, auth, paging, caching,
//! middleware) → [`store`] (connections, SQL, schema, journal). [`identity`] registers machine
//! clients and issues their tokens; [`ops`] seeds, loads demo data, backs up and observes;
//! [`config`] holds the settings.

pub mod app;
pub mod config;
pub mod feeds;
pub mod http;
pub mod identity;
pub mod kernel;
pub mod ops;
pub mod resources;
pub mod store;

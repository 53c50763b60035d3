//! Coalition Registry: the system of record, served as a REST/JSON API, for the National
//! Coalitions for Digital Skills and Jobs.

pub mod app;
pub mod audit;

pub mod auth;
pub mod changes;

pub mod coalitions;
pub mod config;
pub mod content;
pub mod countries;
pub mod csv_export;
pub mod db;
pub mod demo;

pub mod error;
pub mod extract;
pub mod http_cache;
pub mod idempotency;

pub mod initiatives;
pub mod journal;
pub mod kernel;
pub mod listing;
pub mod memberships;
pub mod meta;
pub mod openapi;
pub mod organisations;
pub mod records;
pub mod registry;
pub mod request_id;
pub mod seed;
pub mod stats;
pub mod sync;

pub mod trainings;
pub mod validation;
pub mod vocabularies;

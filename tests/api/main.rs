//! Integration tests: the real app over HTTP, on SQLite and on PostgreSQL.

mod common;

mod audit;
mod authorisation;
mod backup;

mod browsers;
mod caching;
mod clients;
mod response_cache;

mod coalitions;
mod content;

mod concurrency;
mod contract;
mod control_characters;
mod countries;
mod csv;
mod demo;
mod documents;
mod drafts;
mod feed;
mod framing;

mod idempotency;
mod identity;

mod initiatives;
mod jwks;
mod languages;
mod layers;

mod malformed;
mod memberships;
mod operations;
mod organisations;
mod outage;
mod paging;
mod search;
mod service;
mod statistics;
mod sync_client;
mod sync_writes;

mod trainings;

//! Integration tests: the real app over HTTP, on SQLite and on PostgreSQL.

mod common;

mod authorisation;
mod browsers;
mod coalitions;
mod concurrency;
mod contract;
mod countries;
mod malformed;
mod memberships;
mod organisations;
mod paging;
mod service;

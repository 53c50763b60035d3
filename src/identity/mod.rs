//! Identity for machines: registered clients (`clients`), the OAuth 2.0 client-credentials
//! token endpoint (`oauth`), and the administrators' API over clients (`api`).

pub mod api;
pub mod clients;
pub mod oauth;

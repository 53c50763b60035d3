//! The resources, one folder each (`api.rs` routes, `resource.rs` the kernel declaration,
//! `model.rs` types and queries), what several share (drafts and search in `content`,
//! validation rules, vocabularies), the service index, and the registry of all of them.

pub mod coalitions;
pub mod content;
pub mod countries;
pub mod initiatives;
pub mod memberships;
pub mod organisations;
pub mod registry;
pub mod service;
pub mod trainings;
pub mod validation;
pub mod vocabularies;

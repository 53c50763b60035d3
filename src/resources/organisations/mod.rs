//! Organisations: potential and actual coalition members.

pub mod api;
pub mod model;
pub mod resource;

crate::tables! {
    /// organisations
    ORGANISATIONS = "organisations" as "o", key "id", columns "o.*";
}

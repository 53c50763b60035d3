//! Memberships: the first-class link between a coalition and an organisation.

pub mod api;
pub mod model;
pub mod resource;

crate::tables! {
    /// memberships of organisations in coalitions
    MEMBERSHIPS = "memberships" as "m", key "id", columns "m.*";
}

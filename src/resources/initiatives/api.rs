//! Routes of `/initiatives`: each operation's OpenAPI words; the kernel does the rest.

use super::filters::InitiativeFilters;
use super::model::{Initiative, InitiativeInput};
pub use super::resource::InitiativeInclude;
use super::resource::Initiatives;
use crate::kernel::routes::prelude::*;

crate::list_type!(InitiativeList, Initiative, "A page of initiatives.");

crate::list_route!(Initiatives => list_initiatives "/initiatives", tag = "initiatives",
    params = (PageParams, FormatParam, InitiativeFilters), body = InitiativeList,
    ok = "A page of initiatives",
    doc = ["List initiatives (drafts only for administrators and the owning coalition's editors)."]);

crate::get_route!(Initiatives => get_initiative "/initiatives/{id}", tag = "initiatives",
    params = (("id" = uuid::Uuid, Path, description = "Initiative id"), InitiativeInclude),
    body = Initiative, ok = "The initiative",
    doc = ["Get one initiative (a draft only for administrators and the owning coalition's editors)."]);

crate::create_route!(Initiatives => create_initiative "/initiatives", tag = "initiatives",
    input = InitiativeInput, body = Initiative, created = "Created; `Location` names the new initiative",
    doc = ["Create an initiative (administrators, editors of its coalition)."]);

crate::update_routes!(Initiatives => replace_initiative, patch_initiative "/initiatives/{id}", tag = "initiatives",
    params = (("id" = uuid::Uuid, Path, description = "Initiative id")), input = InitiativeInput,
    body = Initiative, ok = "The updated initiative",
    patch = "RFC 7396 merge patch: the fields to change; `null` clears an optional field; sets are replaced whole.",
    doc = ["Replace an initiative (administrators, editors of its coalition — before and after)."],
    patch_doc = ["Update an initiative with a JSON Merge Patch (administrators, editors of its coalition — before and after)."]);

crate::delete_route!(Initiatives => delete_initiative "/initiatives/{id}", tag = "initiatives",
    params = (("id" = uuid::Uuid, Path, description = "Initiative id")),
    doc = ["Delete an initiative (administrators, editors of its coalition)."]);

crate::sync_routes!(Initiatives => upsert_initiative "/initiatives/external/{external_id}",
    batch_initiatives "/initiatives/batch", tag = "initiatives", input = InitiativeInput, body = Initiative,
    batch_body = InitiativeBatch, external = "Your system's id for the initiative (1–200 characters)",
    upsert_doc = ["Create or replace an initiative by your system's id. It is idempotent: sending the same request",
        "twice leaves one record, and a repeat that changes nothing keeps its version."],
    batch_doc = ["Create up to 500 initiatives in one transaction: all or nothing. Any invalid item: 422 listing",
        "each bad item's errors under its index (`[3].title`), and nothing is written."]);

crate::routes!(
    list_initiatives,
    create_initiative,
    get_initiative,
    replace_initiative,
    patch_initiative,
    delete_initiative,
    upsert_initiative,
    batch_initiatives
);

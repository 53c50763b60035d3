//! Routes of `/coalitions`: each operation's OpenAPI words; the kernel does the rest.

use super::model::{Coalition, CoalitionFilters, CoalitionInput};
use super::resource::Coalitions;
use crate::kernel::routes::prelude::*;

crate::list_type!(CoalitionList, Coalition, "A page of coalitions.");

crate::list_route!(Coalitions => list_coalitions "/coalitions", tag = "coalitions",
    params = (PageParams, FormatParam, CoalitionFilters), body = CoalitionList,
    ok = "A page of coalitions",
    doc = ["List coalitions."]);

crate::get_route!(Coalitions => get_coalition "/coalitions/{id}", tag = "coalitions",
    params = (("id" = uuid::Uuid, Path, description = "Coalition id")), body = Coalition, ok = "The coalition",
    doc = ["Get one coalition."]);

crate::create_route!(Coalitions => create_coalition "/coalitions", tag = "coalitions",
    input = CoalitionInput, body = Coalition, created = "Created; `Location` names the new coalition",
    doc = ["Create a coalition (administrators)."]);

crate::update_routes!(Coalitions => replace_coalition, patch_coalition "/coalitions/{id}", tag = "coalitions",
    params = (("id" = uuid::Uuid, Path, description = "Coalition id")), input = CoalitionInput,
    body = Coalition, ok = "The updated coalition",
    patch = "RFC 7396 merge patch: the fields to change; `null` clears an optional field.",
    doc = ["Replace a coalition's profile (administrators, editors of this coalition)."],
    patch_doc = ["Update a coalition's profile with a JSON Merge Patch (administrators, editors of this coalition)."]);

crate::delete_route!(Coalitions => delete_coalition "/coalitions/{id}", tag = "coalitions",
    params = (("id" = uuid::Uuid, Path, description = "Coalition id")),
    doc = ["Delete a coalition and its memberships (administrators)."]);

crate::routes!(
    list_coalitions,
    create_coalition,
    get_coalition,
    replace_coalition,
    patch_coalition,
    delete_coalition
);

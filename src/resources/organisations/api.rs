//! Routes of `/organisations`: each operation's OpenAPI words; the kernel does the rest.

use super::model::{Organisation, OrganisationFilters, OrganisationInput};
use super::resource::Organisations;
use crate::kernel::routes::prelude::*;

crate::list_type!(OrganisationList, Organisation, "A page of organisations.");

crate::list_route!(Organisations => list_organisations "/organisations", tag = "organisations",
    params = (PageParams, FormatParam, OrganisationFilters), body = OrganisationList,
    ok = "A page of organisations",
    doc = ["List organisations."]);

crate::get_route!(Organisations => get_organisation "/organisations/{id}", tag = "organisations",
    params = (("id" = uuid::Uuid, Path, description = "Organisation id")), body = Organisation,
    ok = "The organisation", doc = ["Get one organisation."]);

crate::create_route!(Organisations => create_organisation "/organisations", tag = "organisations",
    input = OrganisationInput, body = Organisation, created = "Created; `Location` names the new organisation",
    doc = ["Create an organisation (administrators and editors)."]);

crate::update_routes!(Organisations => replace_organisation, patch_organisation "/organisations/{id}",
    tag = "organisations", params = (("id" = uuid::Uuid, Path, description = "Organisation id")),
    input = OrganisationInput, body = Organisation, ok = "The updated organisation",
    patch = "RFC 7396 merge patch: the fields to change; `null` clears an optional field.",
    doc = ["Replace an organisation (administrators, editors of a coalition it is a member of)."],
    patch_doc = ["Update an organisation with a JSON Merge Patch (administrators, editors of a coalition it is a member of)."]);

crate::delete_route!(Organisations => delete_organisation "/organisations/{id}", tag = "organisations",
    params = (("id" = uuid::Uuid, Path, description = "Organisation id")),
    doc = ["Delete an organisation and its memberships; coalitions it coordinated lose their coordinator (administrators)."]);

crate::sync_routes!(Organisations => upsert_organisation "/organisations/external/{external_id}",
    batch_organisations "/organisations/batch", tag = "organisations", input = OrganisationInput,
    body = Organisation, batch_body = OrganisationBatch,
    external = "Your system's id for the organisation (1–200 characters)",
    upsert_doc = ["Create or replace an organisation by your system's id. It is idempotent: sending the same request",
        "twice leaves one record, and a repeat that changes nothing keeps its version."],
    batch_doc = ["Create up to 500 organisations in one transaction: all or nothing. Any invalid item: 422 listing",
        "each bad item's errors under its index (`[3].title`), and nothing is written."]);

crate::routes!(
    list_organisations,
    create_organisation,
    get_organisation,
    replace_organisation,
    patch_organisation,
    delete_organisation,
    upsert_organisation,
    batch_organisations
);

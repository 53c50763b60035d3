//! Routes of `/trainings`: each operation's OpenAPI words; the kernel does the rest.

use super::filters::TrainingFilters;
use super::model::{Training, TrainingInput};
pub use super::resource::TrainingInclude;
use super::resource::Trainings;
use crate::kernel::routes::prelude::*;

crate::list_type!(TrainingList, Training, "A page of trainings.");

crate::list_route!(Trainings => list_trainings "/trainings", tag = "trainings",
    params = (PageParams, TrainingFilters), body = TrainingList,
    ok = "A page of trainings",
    doc = ["List trainings (drafts only for administrators and the owning coalition's editors)."]);

crate::get_route!(Trainings => get_training "/trainings/{id}", tag = "trainings",
    params = (("id" = uuid::Uuid, Path, description = "Training id"), TrainingInclude),
    body = Training, ok = "The training",
    doc = ["Get one training (a draft only for administrators and the owning coalition's editors)."]);

crate::create_route!(Trainings => create_training "/trainings", tag = "trainings",
    input = TrainingInput, body = Training, created = "Created; `Location` names the new training",
    doc = ["Create a training or event (administrators, editors of its coalition; platform-level events: administrators)."]);

crate::update_routes!(Trainings => replace_training, patch_training "/trainings/{id}", tag = "trainings",
    params = (("id" = uuid::Uuid, Path, description = "Training id")), input = TrainingInput,
    body = Training, ok = "The updated training",
    patch = "RFC 7396 merge patch: the fields to change; `null` clears an optional field; sets are replaced whole.",
    doc = ["Replace a training (administrators, editors of its coalition — before and after)."],
    patch_doc = ["Update a training with a JSON Merge Patch (administrators, editors of its coalition — before and after)."]);

crate::delete_route!(Trainings => delete_training "/trainings/{id}", tag = "trainings",
    params = (("id" = uuid::Uuid, Path, description = "Training id")),
    doc = ["Delete a training (administrators, editors of its coalition)."]);

crate::sync_routes!(Trainings => upsert_training "/trainings/external/{external_id}",
    batch_trainings "/trainings/batch", tag = "trainings", input = TrainingInput, body = Training,
    batch_body = TrainingBatch, external = "Your system's id for the training (1–200 characters)",
    upsert_doc = ["Create or replace a training by your system's id. It is idempotent: sending the same request",
        "twice leaves one record, and a repeat that changes nothing keeps its version."],
    batch_doc = ["Create up to 500 trainings in one transaction: all or nothing. Any invalid item: 422 listing",
        "each bad item's errors under its index (`[3].title`), and nothing is written."]);

crate::routes!(
    list_trainings,
    create_training,
    get_training,
    replace_training,
    patch_training,
    delete_training,
    upsert_training,
    batch_trainings
);

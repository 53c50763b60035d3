//! Trainings and other events as a kernel resource: a coalition's, or platform-level (no
//! coalition: administrators only), with drafts before publishing.

use super::filters::{TrainingFilters, SORT_FIELDS};
use super::model::{stored, Training, TrainingInput, TrainingRow};
use super::queries::{self, Include};
use super::{TRAININGS, TRAINING_AREAS, TRAINING_AUDIENCE, TRAINING_LANGUAGES, TRAINING_SPEAKERS, TRAINING_THEMES};
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::paging::Sort;
use crate::kernel::read;
use crate::kernel::{records, Collection, Resource, Set, Syncable};
use crate::resources::content;
use crate::store::journal::RecordType;
use crate::store::sql::Value;
use crate::store::tables::Table;
use crate::store::DbConnection;
use crate::texts;

/// `/trainings`.
pub struct Trainings;

crate::record!(Training, id);

/// Query parameters of `GET /trainings/{id}`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingInclude {
    /// Embed related records: `coalition`, `organiser` (comma-separated).
    pub include: Option<String>,
}

impl Resource for Trainings {
    type Record = Training;
    type Input = TrainingInput;
    type Row = TrainingRow;
    type GetParams = TrainingInclude;
    type Include = Include;
    type Key = String;

    const KIND: RecordType = super::KIND;
    const TABLE: &'static Table = &TRAININGS;
    const COLLECTION: &'static str = "trainings";
    const TRANSLATED: bool = true;
    const CSV_COLUMNS: &'static [&'static str] = super::model::CSV_COLUMNS;

    fn key(args: String) -> Result<String, ApiError> {
        records::parse_id(&args, "training")
    }
    fn get_include(params: &TrainingInclude) -> Result<Include, ApiError> {
        Include::parse(params.include.as_deref())
    }
    fn assemble(conn: &mut DbConnection, rows: Vec<TrainingRow>) -> Result<Vec<Training>, ApiError> {
        queries::assemble(conn, rows)
    }
    fn embed(conn: &mut DbConnection, records: &mut [Training], include: Include) -> Result<(), ApiError> {
        queries::embed(conn, records, include)
    }
    /// Drafts: administrators and the owning coalition's editors.
    fn visible(caller: &Caller, record: &Training) -> bool {
        content::can_see(caller, record.publication, record.coalition_id.as_deref())
    }

    fn may_change(_: &mut DbConnection, principal: &Principal, current: &Training) -> Result<(), ApiError> {
        principal.may_write_content(current.coalition_id.as_deref())
    }
    fn may_write(principal: &Principal, input: &TrainingInput) -> Result<(), ApiError> {
        principal.may_write_content(input.coalition().as_deref())
    }

    fn check_input(conn: &mut DbConnection, _: Option<&Training>, input: &TrainingInput) -> Result<(), ApiError> {
        input.check_references(conn)
    }
    fn fields(input: &TrainingInput) -> Vec<(&'static str, Value)> {
        let translated = [("title", &input.title), ("description", &input.description)];
        let mut fields = texts::columns(&input.original_language, &translated);
        let words = content::indexed_texts(
            &translated,
            &[input.city.as_deref(), input.participants_note.as_deref()],
        );
        fields.extend([
            ("coalition_id", Value::opt_text(input.coalition())),
            ("kind", Value::text(input.kind.as_str())),
            ("format", Value::text(input.format.as_str())),
            ("starts_at", Value::Timestamp(stored(&input.starts_at))),
            ("ends_at", Value::Timestamp(stored(&input.ends_at))),
            ("timezone", Value::text(&input.timezone)),
            ("city", Value::opt(input.city.as_deref())),
            ("country_code", Value::opt(input.country_code.as_deref())),
            (
                "organiser_id",
                Value::opt_text(input.organiser_id.map(|o| o.hyphenated().to_string())),
            ),
            ("participants", Value::opt_int(input.participants)),
            ("participants_note", Value::opt(input.participants_note.as_deref())),
            ("registration_url", Value::opt(input.registration_url.as_deref())),
            ("publication", Value::text(input.publication.as_str())),
            ("external_id", Value::opt(input.external_id.as_deref())),
            ("search_words", Value::text(words)),
        ]);
        fields
    }
    fn index_missing(conn: &mut DbConnection) -> Result<usize, ApiError> {
        content::index_missing(conn, super::TRAININGS.name, content::TRAINING_SEARCH)
    }
    fn sets(input: &TrainingInput) -> Vec<Set> {
        let speakers = input.speakers.iter().enumerate().map(|(position, speaker)| {
            vec![
                Value::text(&speaker.name),
                Value::opt(speaker.affiliation.as_deref()),
                Value::Int(position as i64),
            ]
        });
        vec![
            Set::of(&TRAINING_AUDIENCE, input.audience_countries.iter().cloned()),
            Set::of(&TRAINING_AREAS, input.activity_areas.iter().map(|a| a.as_str())),
            Set::of(&TRAINING_THEMES, input.themes.iter().map(|t| t.as_str())),
            Set::of(&TRAINING_LANGUAGES, input.languages.iter().cloned()),
            Set {
                link: &TRAINING_SPEAKERS,
                rows: speakers.collect(),
            },
        ]
    }
}

impl Collection for Trainings {
    type Filters = TrainingFilters;

    fn sort(filters: &TrainingFilters) -> Result<Sort, ApiError> {
        let has_query = filters.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        Sort::parse_searchable(filters.sort.as_deref(), SORT_FIELDS, "-starts_at", has_query)
    }
    /// `upcoming` moves with the clock.
    fn depends_on_clock(filters: &TrainingFilters) -> bool {
        filters.upcoming.is_some()
    }
    fn list_include(filters: &TrainingFilters) -> Result<Include, ApiError> {
        Include::parse(filters.include.as_deref())
    }
    fn select(
        conn: &mut DbConnection,
        caller: &Caller,
        filters: &TrainingFilters,
    ) -> Result<read::Selection, ApiError> {
        content::select::<Self>(conn, caller, filters.q.as_deref(), queries::conditions(filters)?)
    }
}

impl Syncable for Trainings {}

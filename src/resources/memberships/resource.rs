//! Memberships as a kernel resource: read, replaced, patched and deleted under their
//! coalition (`/coalitions/{id}/members/{membership_id}`); created and listed in `api.rs`,
//! since both hang off a parent record.

use super::model::{self, Membership, MembershipFilters, MembershipInput, MembershipRow, SORT_FIELDS};
use super::MEMBERSHIPS;
use crate::http::auth::{Caller, Principal};
use crate::http::error::ApiError;
use crate::http::extract::NoParams;
use crate::http::paging::Sort;
use crate::kernel::records::{self, References};
use crate::kernel::{docs, read, Resource};
use crate::resources::validation::Referenced;
use crate::store::batch::Batch;
use crate::store::journal::{self, Actor, RecordType};
use crate::store::sql::Value;
use crate::store::tables::Table;
use crate::store::{now, DbConnection};

/// `/coalitions/{id}/members`.
pub struct Memberships;

crate::record!(Membership, id);

impl Resource for Memberships {
    type Record = Membership;
    type Input = MembershipInput;
    type GetParams = NoParams;
    type Include = model::Include;
    type Row = MembershipRow;
    /// (coalition id, membership id)
    type Key = (String, String);

    const KIND: RecordType = super::KIND;
    const TABLE: &'static Table = &MEMBERSHIPS;
    const COLLECTION: &'static str = "memberships";
    const NESTED: bool = true;
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "coalition_id",
        "organisation_id",
        "role",
        "joined_on",
        "left_on",
        "commitment",
        "version",
        "created_at",
        "updated_at",
    ];

    fn key((coalition, id): (String, String)) -> Result<(String, String), ApiError> {
        Ok((
            records::parse_id(&coalition, "coalition")?,
            records::parse_id(&id, "membership")?,
        ))
    }
    fn location(record: &Membership) -> String {
        format!(
            "{}/coalitions/{}/members/{}",
            records::BASE,
            record.coalition_id,
            record.id
        )
    }

    /// A membership is found under its own coalition only.
    fn get(
        conn: &mut DbConnection,
        _: &Caller,
        key: &(String, String),
        _: model::Include,
    ) -> Result<Membership, ApiError> {
        let (coalition_id, id) = key;
        read::load_one::<Self>(conn, id, model::Include::default())?
            .filter(|m| &m.coalition_id == coalition_id)
            .ok_or_else(|| ApiError::NotFound(format!("coalition `{coalition_id}` has no membership `{id}`")))
    }
    fn assemble(_: &mut DbConnection, rows: Vec<MembershipRow>) -> Result<Vec<Membership>, ApiError> {
        rows.into_iter().map(Membership::try_from).collect()
    }
    fn embed(conn: &mut DbConnection, records: &mut [Membership], include: model::Include) -> Result<(), ApiError> {
        model::embed(conn, records, include)
    }

    fn may_change(_: &mut DbConnection, principal: &Principal, current: &Membership) -> Result<(), ApiError> {
        principal.may_manage_memberships(&current.coalition_id)
    }

    fn check_input(
        _: &mut DbConnection,
        current: Option<&Membership>,
        input: &MembershipInput,
    ) -> Result<(), ApiError> {
        match current {
            Some(current) if input.organisation() != current.organisation_id => Err(ApiError::invalid(
                "organisation_id",
                "immutable",
                "a membership's organisation cannot change; delete it and add the other organisation",
            )),
            _ => Ok(()),
        }
    }
    /// The coalition and organisation are set when the membership is created, never after.
    fn fields(input: &MembershipInput) -> Vec<(&'static str, Value)> {
        vec![
            ("role", Value::text(input.role.as_str())),
            ("joined_on", Value::opt_date(input.joined_on)),
            ("left_on", Value::opt_date(input.left_on)),
            ("commitment", Value::opt(input.commitment.as_deref())),
        ]
    }
}

/// The sort of a membership list.
pub fn sort(filters: &MembershipFilters) -> Result<Sort, ApiError> {
    Sort::parse(filters.sort.as_deref(), SORT_FIELDS, "created_at")
}

/// Add an organisation to an existing coalition.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    coalition_id: &str,
    input: MembershipInput,
) -> Result<Membership, ApiError> {
    let mut refs = References::default();
    refs.organisation("organisation_id", &input.organisation());
    refs.finish(conn)?;
    let id = crate::store::new_id();
    let stamp = now();
    let base = serde_json::Map::from_iter([
        ("id".to_string(), serde_json::Value::from(id.as_str())),
        ("coalition_id".to_string(), serde_json::Value::from(coalition_id)),
    ]);
    let (membership, doc) = docs::created::<Memberships>(base, &input, stamp)?;
    // The coalition comes from the path and the organisation never changes: not `fields`.
    let mut columns = vec!["id", "coalition_id", "organisation_id"];
    let mut row = vec![
        Value::text(&id),
        Value::text(coalition_id),
        Value::text(input.organisation()),
    ];
    for (column, value) in Memberships::fields(&input) {
        columns.push(column);
        row.push(value);
    }
    columns.extend(["version", "created_at", "updated_at", "doc"]);
    row.extend([
        Value::Int(1),
        Value::Timestamp(stamp),
        Value::Timestamp(stamp),
        Value::Text(doc),
    ]);
    let mut insert = Batch::default();
    insert.insert(MEMBERSHIPS.name, &columns, vec![row]);
    let entry = journal::created(super::KIND, &id, &input).with_new_key(true);
    journal::record_with(conn, actor, vec![entry], Batch::default(), insert)?;
    Ok(membership)
}

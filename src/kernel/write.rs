//! The writes every resource shares, each journaled (audit + change feed) in the write's own
//! transaction, each rendering the record's stored document: create, the version-guarded update (references and immutable fields checked,
//! an unchanged record kept as it is, otherwise the row written only if nobody changed it
//! since it was read — 409 if they did — and link tables rewritten), and delete.

use chrono::NaiveDateTime;

use super::{docs, Collection, Resource, Set};
use crate::http::error::ApiError;
use crate::kernel::records::{self, Writable};
use crate::store::batch::Batch;
use crate::store::journal::{self, Actor};
use crate::store::sql::{Sql, Value};
use crate::store::tables::{LinkTable, Table};
use crate::store::{now, DbConnection};

/// Create a record from `input`: checked, inserted at version 1 with its sets and document,
/// journaled; the record returned is the one rendered for the document (no re-read).
pub fn create<R: Collection>(conn: &mut DbConnection, actor: &Actor, input: R::Input) -> Result<R::Record, ApiError> {
    R::check_input(conn, None, &input)?;
    let key = R::new_key(&input);
    let (mut records, inserts) = bulk_insert::<R>(vec![(key.clone(), &input)], now())?;
    let entry = journal::created(R::KIND, &key, &input).with_new_key(R::NEW_KEYS);
    journal::record_with(conn, actor, vec![entry], Batch::default(), inserts)?;
    records
        .pop()
        .ok_or_else(|| ApiError::Internal(format!("{} {key} was not inserted", R::KIND.as_str())))
}

/// Create many records at once without reading them back: the declared bulk path (demo data,
/// imports). Multi-row inserts for the rows and each set, one journal write; references are
/// left to the database's foreign keys. Returns the new keys in order.
pub fn create_many<R: Collection>(
    conn: &mut DbConnection,
    actor: &Actor,
    inputs: &[R::Input],
) -> Result<Vec<String>, ApiError> {
    // Normalised and validated as every write's input is (sets sorted and deduplicated).
    let inputs = inputs
        .iter()
        .map(|input| R::Input::parse(records::to_json(input)?))
        .collect::<Result<Vec<R::Input>, ApiError>>()?;
    let keyed: Vec<(String, &R::Input)> = inputs.iter().map(|input| (R::new_key(input), input)).collect();
    let keys: Vec<String> = keyed.iter().map(|(key, _)| key.clone()).collect();
    // A bulk load's audit entries name the record, not each field set (that costs a
    // serialisation per record and would double the audit table's size for a demo load).
    let entries = keys
        .iter()
        .map(|key| journal::bulk_created(R::KIND, key).with_new_key(R::NEW_KEYS))
        .collect();
    let (_, inserts) = bulk_insert::<R>(keyed, now())?;
    journal::record_with(conn, actor, entries, Batch::default(), inserts)?;
    Ok(keys)
}

/// The `INSERT`s of new records' rows (version 1, with their documents) and every one of
/// their sets, to run with the journal's; the records as rendered.
fn bulk_insert<R: Resource>(
    records: Vec<(String, &R::Input)>,
    at: NaiveDateTime,
) -> Result<(Vec<R::Record>, Batch), ApiError> {
    let mut batch = Batch::default();
    let Some((_, first)) = records.first() else {
        return Ok((Vec::new(), batch));
    };
    let table = R::TABLE;
    let mut columns: Vec<&str> = vec![table.key];
    columns.extend(R::fields(first).iter().map(|(column, _)| *column));
    columns.extend(["version", "created_at", "updated_at", "doc"]);
    let mut rows = Vec::with_capacity(records.len());
    let mut rendered = Vec::with_capacity(records.len());
    let mut sets: Vec<(&'static LinkTable, Vec<Vec<Value>>)> = Vec::new();
    for (key, input) in &records {
        let base = serde_json::Map::from_iter([(table.key.to_string(), serde_json::Value::from(key.as_str()))]);
        let (record, doc) = docs::created::<R>(base, input, at)?;
        rendered.push(record);
        let mut row = vec![Value::Text(key.clone())];
        row.extend(R::fields(input).into_iter().map(|(_, value)| value));
        row.extend([
            Value::Int(1),
            Value::Timestamp(at),
            Value::Timestamp(at),
            Value::Text(doc),
        ]);
        rows.push(row);
        for set in R::sets(input) {
            let owned = set
                .rows
                .into_iter()
                .map(|r| [vec![Value::Text(key.clone())], r].concat());
            match sets.iter_mut().find(|(link, _)| link.name == set.link.name) {
                Some((_, all)) => all.extend(owned),
                None => sets.push((set.link, owned.collect())),
            }
        }
    }
    batch.insert(table.name, &columns, rows);
    for (link, rows) in sets {
        let mut columns = vec![link.owner];
        columns.extend(link.columns);
        batch.insert(link.name, &columns, rows);
    }
    Ok((rendered, batch))
}

/// Rewrite a record's sets: the `DELETE`s of each link table's rows of the record, then the
/// `INSERT`s of the new ones, to run with the journal's.
fn replace_sets(key: &str, sets: Vec<Set>) -> (Batch, Batch) {
    let (mut deletes, mut inserts) = (Batch::default(), Batch::default());
    for set in sets {
        let mut delete = Sql::new(&format!("DELETE FROM {} WHERE {} = ", set.link.name, set.link.owner));
        delete.bind(Value::Text(key.to_string()));
        deletes.push(delete);
        let mut columns = vec![set.link.owner];
        columns.extend(set.link.columns);
        let rows = set
            .rows
            .into_iter()
            .map(|r| [vec![Value::Text(key.to_string())], r].concat())
            .collect();
        inserts.insert(set.link.name, &columns, rows);
    }
    (deletes, inserts)
}

/// `UPDATE <table> SET <fields>, version = $v, updated_at = $at, doc = $doc WHERE key = $k AND
/// version = $v - 1`: the rows written (0 when somebody else wrote first).
fn update_row(
    conn: &mut DbConnection,
    table: &Table,
    key: &str,
    fields: Vec<(&'static str, Value)>,
    version: i64,
    at: NaiveDateTime,
    doc: String,
) -> Result<usize, ApiError> {
    let mut sql = Sql::new(&format!("UPDATE {} SET ", table.name));
    for (column, value) in fields {
        sql.push(&format!("{column} = "));
        sql.bind(value);
        sql.push(", ");
    }
    sql.push("version = ");
    sql.bind(Value::Int(version));
    sql.push(", updated_at = ");
    sql.bind(Value::Timestamp(at));
    sql.push(", doc = ");
    sql.bind(Value::Text(doc));
    sql.push(&format!(" WHERE {} = ", table.key));
    sql.bind(Value::Text(key.to_string()));
    sql.push(" AND version = ");
    sql.bind(Value::Int(version - 1));
    Ok(sql.execute(conn)?)
}

/// Delete the record with this stored key (its sets go by cascade), journaled.
pub fn delete<R: Resource>(conn: &mut DbConnection, actor: &Actor, key: &str) -> Result<(), ApiError> {
    let mut delete = Batch::default();
    delete.push(delete_statement(R::TABLE, key));
    journal::record_with(
        conn,
        actor,
        vec![journal::deleted(R::KIND, key)],
        delete,
        Batch::default(),
    )
}

/// `DELETE FROM <table> WHERE <key> = $1`, for deletions that journal more than the record.
pub fn delete_row(conn: &mut DbConnection, table: &Table, key: &str) -> Result<(), ApiError> {
    delete_statement(table, key).execute(conn)?;
    Ok(())
}

fn delete_statement(table: &Table, key: &str) -> Sql {
    let mut sql = Sql::new(&format!("DELETE FROM {} WHERE {} = ", table.name, table.key));
    sql.bind(Value::Text(key.to_string()));
    sql
}

/// Replace `current`'s writable fields with `input`.
pub fn update<R: Resource>(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &R::Record,
    input: R::Input,
) -> Result<R::Record, ApiError>
where
    R::Input: PartialEq,
{
    R::check_input(conn, Some(current), &input)?;
    let before = R::Input::of(current)?;
    if before == input {
        return Ok(current.clone());
    }
    let version = R::version(current) + 1;
    let key = R::stored_key(current);
    let at = now();
    let (record, doc) = docs::updated::<R>(current, &input, version, at)?;
    if update_row(conn, R::TABLE, &key, R::fields(&input), version, at, doc)? == 0 {
        return Err(ApiError::Conflict(format!(
            "the {} was changed by another request while this one ran; fetch it and retry",
            R::KIND.as_str()
        )));
    }
    let (deletes, inserts) = replace_sets(&key, R::sets(&input));
    let entry = journal::updated(R::KIND, &key, version, &before, &input);
    journal::record_with(conn, actor, vec![entry], deletes, inserts)?;
    Ok(record)
}

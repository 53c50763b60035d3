//! The writes every resource shares, each journaled (audit + change feed) in the write's own
//! transaction: create, the version-guarded update (references and immutable fields checked,
//! an unchanged record kept as it is, otherwise the row written only if nobody changed it
//! since it was read — 409 if they did — and link tables rewritten), and delete.

use super::{Collection, Resource};
use crate::http::error::ApiError;
use crate::kernel::records::Writable;
use crate::store::journal::{self, Actor};
use crate::store::sql::{Sql, Value};
use crate::store::tables::Table;
use crate::store::{now, DbConnection};

/// Create a record from `input`: checked, inserted at version 1 with its sets, journaled, read back.
pub fn create<R: Collection>(conn: &mut DbConnection, actor: &Actor, input: R::Input) -> Result<R::Record, ApiError> {
    R::check_input(conn, None, &input)?;
    let key = R::new_key(&input);
    R::insert_fields(conn, &key, &input, now())?;
    R::write_links(conn, &key, &input)?;
    journal::record(conn, actor, vec![journal::created(R::KIND, &key, &input)])?;
    R::reload(conn, &key)
}

/// Delete the record with this stored key (its sets go by cascade), journaled.
pub fn delete<R: Resource>(conn: &mut DbConnection, actor: &Actor, key: &str) -> Result<(), ApiError> {
    delete_row(conn, R::TABLE, key)?;
    journal::record(conn, actor, vec![journal::deleted(R::KIND, key)])
}

/// `DELETE FROM <table> WHERE <key> = $1`, for deletions that journal more than the record.
pub fn delete_row(conn: &mut DbConnection, table: &Table, key: &str) -> Result<(), ApiError> {
    let mut sql = Sql::new(&format!("DELETE FROM {} WHERE {} = ", table.name, table.key));
    sql.bind(Value::Text(key.to_string()));
    sql.execute(conn)?;
    Ok(())
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
    let before = R::Input::of(current);
    if before == input {
        return Ok(current.clone());
    }
    let version = R::version(current) + 1;
    if R::write_fields(conn, current, &input, version, now())? == 0 {
        return Err(ApiError::Conflict(format!(
            "the {} was changed by another request while this one ran; fetch it and retry",
            R::KIND.as_str()
        )));
    }
    let key = R::stored_key(current);
    R::write_links(conn, &key, &input)?;
    let entry = journal::updated(R::KIND, &key, version, &before, &input);
    journal::record(conn, actor, vec![entry])?;
    R::reload(conn, &key)
}

/// `UPDATE <table> SET <changes>, version = $version, updated_at = $at WHERE <key> = $value AND
/// version = $version - 1`: the row write of [`update`], for a resource's `write_fields`.
#[macro_export]
macro_rules! guarded_update {
    ($conn:expr, $table:ident, $key:ident = $value:expr, $version:expr, $at:expr, $changes:expr) => {{
        use $crate::store::schema::$table;
        diesel::update(
            $table::table
                .filter($table::$key.eq($value))
                .filter($table::version.eq($version - 1)),
        )
        .set(($changes, $table::version.eq($version), $table::updated_at.eq($at)))
        .execute($conn)
    }};
}

/// `INSERT INTO <table> (<changes>, <key>, version, created_at, updated_at)`: the row write of
/// [`create`], for a resource's `insert_fields`.
#[macro_export]
macro_rules! insert_row {
    ($conn:expr, $table:ident, $key:ident = $value:expr, $at:expr, $changes:expr) => {{
        use $crate::store::schema::$table;
        diesel::insert_into($table::table)
            .values((
                $changes,
                $table::$key.eq($value),
                $table::version.eq(1i64),
                $table::created_at.eq($at),
                $table::updated_at.eq($at),
            ))
            .execute($conn)
            .map(|_| ())
    }};
}

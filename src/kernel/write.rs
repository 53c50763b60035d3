//! The one version-guarded update every resource uses: references and immutable fields
//! checked, an unchanged record kept as it is (same version), otherwise the row written only
//! if nobody changed it since it was read (409 if they did), link tables rewritten, the
//! journal (audit + change feed) written in the same transaction, and the record re-read.

use super::Resource;
use crate::http::error::ApiError;
use crate::kernel::records::Writable;
use crate::store::journal::{self, Actor};
use crate::store::{now, DbConnection};

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
    R::reload(conn, current)
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

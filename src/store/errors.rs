//! Database errors as the API's errors: what a lost connection, a deadlock, a foreign key or a
//! unique rule of the schema means to a caller. Unique violations are named by the schema's
//! declared rules (PostgreSQL's constraint name, SQLite's exact column list), never by substring.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::http::error::{ApiError, FieldError};

impl From<DieselError> for ApiError {
    fn from(error: DieselError) -> ApiError {
        match error {
            DieselError::NotFound => ApiError::NotFound("no such record".into()),
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().map(String::from);
                let message = info.message().to_string();
                match kind {
                    DatabaseErrorKind::UniqueViolation => {
                        ApiError::Conflict(unique_violation_detail(constraint.as_deref(), &message))
                    }
                    DatabaseErrorKind::ForeignKeyViolation => ApiError::Conflict(
                        "the record is still referenced by other records, or refers to one that does not exist".into(),
                    ),
                    DatabaseErrorKind::CheckViolation => ApiError::Validation(vec![FieldError::new(
                        "",
                        "constraint",
                        "a value is outside the allowed range",
                    )]),
                    DatabaseErrorKind::SerializationFailure => {
                        ApiError::Conflict("a concurrent write got in the way; retry the request".into())
                    }
                    // Writers no longer take turns on PostgreSQL: two that lock the same rows
                    // in opposite orders are told apart by the deadlock detector.
                    _ if message.contains("deadlock detected") => {
                        ApiError::Conflict("a concurrent write got in the way; retry the request".into())
                    }
                    DatabaseErrorKind::ClosedConnection => connection_lost(),
                    _ if lost_connection(&message) => connection_lost(),
                    _ => ApiError::Internal(format!("database error: {message}")),
                }
            }
            DieselError::BrokenTransactionManager => connection_lost(),
            other => ApiError::Internal(format!("database error: {other}")),
        }
    }
}

/// The connection is gone (the server closed it, restarted, or an administrator ended it): the
/// pool replaces it, and the request may be retried.
fn connection_lost() -> ApiError {
    crate::store::connection_lost();
    ApiError::Unavailable("the database connection was lost; retry the request".into())
}

/// Whether a driver message says the connection itself failed (libpq reports these with no
/// SQLSTATE diesel maps; `57P01` is an administrator's `pg_terminate_backend`).
fn lost_connection(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "server closed the connection",
        "no connection to the server",
        "terminating connection",
        "connection to server",
    ]
    .iter()
    .any(|sign| message.contains(sign))
}

/// A uniqueness rule of the schema: its name on PostgreSQL, the columns SQLite's message names
/// (SQLite reports no constraint name), and what it means to a client.
struct UniqueRule {
    constraint: &'static str,
    columns: &'static str,
    detail: &'static str,
}

/// Every uniqueness rule the migrations declare.
const UNIQUE_RULES: &[UniqueRule] = &[
    UniqueRule {
        constraint: "coalitions_one_active_per_country",
        columns: "coalitions.country_code",
        detail: "the country already has a coalition that is not inactive",
    },
    UniqueRule {
        constraint: "memberships_one_per_organisation",
        columns: "memberships.coalition_id, memberships.organisation_id",
        detail: "the organisation is already a member of this coalition",
    },
    UniqueRule {
        constraint: "countries_pkey",
        columns: "countries.code",
        detail: "a country with this code already exists",
    },
    UniqueRule {
        constraint: "organisations_external_id_key",
        columns: "organisations.external_id",
        detail: "another record already has this external_id",
    },
    UniqueRule {
        constraint: "initiatives_external_id_key",
        columns: "initiatives.external_id",
        detail: "another record already has this external_id",
    },
    UniqueRule {
        constraint: "trainings_external_id_key",
        columns: "trainings.external_id",
        detail: "another record already has this external_id",
    },
];

/// Name the rule a unique violation broke: by constraint name on PostgreSQL, by the exact
/// column list of SQLite's "UNIQUE constraint failed: …" message.
fn unique_violation_detail(constraint: Option<&str>, message: &str) -> String {
    let columns = message.strip_prefix("UNIQUE constraint failed: ");
    UNIQUE_RULES
        .iter()
        .find(|rule| constraint == Some(rule.constraint) || columns == Some(rule.columns))
        .map_or("a record with the same unique values already exists", |rule| {
            rule.detail
        })
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::unique_violation_detail;

    #[test]
    fn unique_violations_are_named_by_rule_on_both_backends() {
        let active = "the country already has a coalition that is not inactive";
        assert_eq!(
            unique_violation_detail(Some("coalitions_one_active_per_country"), "duplicate key"),
            active
        );
        assert_eq!(
            unique_violation_detail(None, "UNIQUE constraint failed: coalitions.country_code"),
            active
        );
        assert_eq!(
            unique_violation_detail(None, "UNIQUE constraint failed: trainings.external_id"),
            "another record already has this external_id"
        );
        // A column list that merely contains a known one names no rule.
        assert_eq!(
            unique_violation_detail(None, "UNIQUE constraint failed: other.coalitions.country_code"),
            "a record with the same unique values already exists"
        );
    }
}

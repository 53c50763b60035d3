//! Writes for systems that keep replicas: idempotent upserts keyed by the client's own id
//! (`PUT …/external/{external_id}`), and all-or-nothing batches (`POST …/batch`).

use crate::http::error::{ApiError, FieldError};
use crate::http::extract::MAX_BATCH;
use crate::kernel::records::External;
use crate::store::DbConnection;

/// The external id of a URL, checked like the field.
pub fn external_id_of_path(raw: &str) -> Result<String, ApiError> {
    let id = raw.trim();
    if id.is_empty() || id.chars().count() > 200 {
        return Err(ApiError::NotFound("an external id is 1 to 200 characters long".into()));
    }
    Ok(id.to_string())
}

/// The body of an upsert with `external_id` set from the URL; a different one in the body is a 422.
pub fn with_external_id(mut body: serde_json::Value, external_id: &str) -> Result<serde_json::Value, ApiError> {
    let Some(object) = body.as_object_mut() else {
        return Err(ApiError::invalid("", "invalid_type", "the body must be a JSON object"));
    };
    match object.get("external_id") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(s)) if s.trim() == external_id => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "external_id",
                "mismatch",
                "must be absent or equal to the external id in the URL",
            ))
        }
    }
    object.insert("external_id".into(), serde_json::Value::String(external_id.to_string()));
    Ok(body)
}

/// Put the index of a batch item in front of the fields of its errors (`[3].title`), or in
/// the detail of other errors.
pub fn at_index(index: usize, error: ApiError) -> ApiError {
    match error {
        ApiError::Validation(errors) => ApiError::Validation(
            errors
                .into_iter()
                .map(|e| {
                    let field = if e.field.is_empty() {
                        format!("[{index}]")
                    } else if e.field.starts_with('[') {
                        format!("[{index}]{}", e.field)
                    } else {
                        format!("[{index}].{}", e.field)
                    };
                    FieldError { field, ..e }
                })
                .collect(),
        ),
        ApiError::Conflict(detail) => ApiError::Conflict(format!("item {index}: {detail}")),
        ApiError::Forbidden(detail) => ApiError::Forbidden(format!("item {index}: {detail}")),
        other => other,
    }
}

/// Type every item of a batch body (a JSON array of 1 to 500 records). Every bad item is
/// reported, each error with its index; duplicate external ids within the batch too.
pub fn parse_batch<W: External>(body: serde_json::Value) -> Result<Vec<W>, ApiError> {
    let serde_json::Value::Array(items) = body else {
        return Err(ApiError::invalid(
            "",
            "invalid_type",
            "a batch is a JSON array of records",
        ));
    };
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "",
            "batch_size",
            format!("a batch holds 1 to {MAX_BATCH} records, not {}", items.len()),
        ));
    }
    let mut parsed = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match W::parse(item) {
            Ok(input) => parsed.push(input),
            Err(ApiError::Validation(e)) => {
                if let ApiError::Validation(e) = at_index(index, ApiError::Validation(e)) {
                    errors.extend(e)
                }
            }
            Err(other) => return Err(at_index(index, other)),
        }
    }
    if errors.is_empty() {
        let mut seen = std::collections::HashMap::new();
        for (index, input) in parsed.iter().enumerate() {
            if let Some(id) = input.external_id() {
                if let Some(first) = seen.insert(id.to_string(), index) {
                    errors.push(FieldError::new(
                        format!("[{index}].external_id"),
                        "duplicate",
                        format!("item {first} has the same external_id"),
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Create every item in the caller's transaction, all or nothing. After the first item that
/// fails validation against the database, the rest are only checked, so the answer lists
/// every bad item; any error rolls the transaction back.
pub fn create_all<W, R>(
    conn: &mut DbConnection,
    items: Vec<W>,
    check: impl Fn(&mut DbConnection, &W) -> Result<(), ApiError>,
    create: impl Fn(&mut DbConnection, W) -> Result<R, ApiError>,
) -> Result<Vec<R>, ApiError> {
    let mut created = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let outcome = if errors.is_empty() {
            create(conn, item).map(|record| created.push(record))
        } else {
            check(conn, &item)
        };
        match outcome {
            Ok(()) => {}
            Err(ApiError::Validation(e)) => {
                if let ApiError::Validation(e) = at_index(index, ApiError::Validation(e)) {
                    errors.extend(e)
                }
            }
            Err(other) => return Err(at_index(index, other)),
        }
    }
    if errors.is_empty() {
        Ok(created)
    } else {
        Err(ApiError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_prefix_field_paths() {
        let e = at_index(
            3,
            ApiError::Validation(vec![
                FieldError::new("title", "blank", "x"),
                FieldError::new("", "invalid_type", "x"),
            ]),
        );
        let ApiError::Validation(errors) = e else { panic!() };
        assert_eq!(errors[0].field, "[3].title");
        assert_eq!(errors[1].field, "[3]");
    }

    #[test]
    fn upsert_bodies_take_the_url_id() {
        let body = with_external_id(serde_json::json!({"name": "x"}), "ext-1").unwrap();
        assert_eq!(body["external_id"], "ext-1");
        assert!(with_external_id(serde_json::json!({"external_id": "other"}), "ext-1").is_err());
        assert!(with_external_id(serde_json::json!({"external_id": "ext-1"}), "ext-1").is_ok());
    }
}

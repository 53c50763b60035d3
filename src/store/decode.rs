//! Reading stored values back into types. A value the schema's checks should have kept out
//! (an unknown vocabulary code, a malformed id) is corrupt data: it is an error naming the
//! value, never silently replaced by a default.

use crate::http::error::ApiError;

/// A stored vocabulary code as its term.
pub fn term<T>(code: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, ApiError> {
    parse(code).ok_or_else(|| ApiError::Internal(format!("corrupt row: unknown stored code `{code}`")))
}

/// A stored set of vocabulary codes as its terms, sorted.
pub fn terms<T: Ord>(codes: &[String], parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, ApiError> {
    let mut items = codes.iter().map(|c| term(c, &parse)).collect::<Result<Vec<T>, _>>()?;
    items.sort();
    Ok(items)
}

/// A stored id as a UUID.
pub fn uuid(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| ApiError::Internal(format!("corrupt row: stored id `{raw}` is not a UUID")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_values_are_errors_not_defaults() {
        let parse = |c: &str| (c == "a" || c == "b").then(|| c.to_string());
        assert_eq!(terms(&["b".into(), "a".into()], parse).unwrap(), ["a", "b"]);
        assert!(term("x", parse).is_err());
        assert!(uuid("not-a-uuid").is_err());
    }
}

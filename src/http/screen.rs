//! What every request's path and query string must be before any handler sees them: valid
//! UTF-8 once percent-decoded, free of control characters (NUL, the other C0 codes, DEL, C1),
//! and at most [`MAX_VALUES`] values per query parameter. Each violation is a 400
//! problem+json naming the parameter (or the path); nothing reaches the database, so no
//! backend error (PostgreSQL refuses NUL in text) can become a 500, and lookalike ids that
//! differ only by undecodable bytes cannot be stored.
//!
//! Request bodies get the same rule per JSON string ([`body_strings`]), where tabs and line
//! breaks are text.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::Error;
use std::collections::HashMap;

use crate::http::error::{ApiError, FieldError};

/// How many values one query parameter may carry (repeated, or comma-separated): beyond it a
/// request is a 400. Filters compare against each value, so their cost grows with the count.
pub const MAX_VALUES: usize = 50;

/// Screen the request line (wrapped with `from_fn`, see `app.rs`).
pub async fn screened(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Err(e) = screen(req.uri().path(), req.query_string()) {
        return Ok(req.error_response(e));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Check a raw (still percent-encoded) path and query string.
pub fn screen(path: &str, query: &str) -> Result<(), ApiError> {
    for segment in path.split('/') {
        decoded(segment, false).map_err(path_error)?;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decoded(raw_key, true).map_err(|code| {
            let name = String::from_utf8_lossy(&percent_encoding::percent_decode_str(raw_key).collect::<Vec<u8>>())
                .chars()
                .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
                .collect::<String>();
            param_error(&name, code)
        })?;
        let value = decoded(raw_value, true).map_err(|code| param_error(&key, code))?;
        let count = counts.entry(key.clone()).or_default();
        *count += value.split(',').count().max(1);
        if *count > MAX_VALUES {
            return Err(ApiError::bad_param(
                &key,
                "too_many_values",
                format!("takes at most {MAX_VALUES} values"),
            ));
        }
    }
    Ok(())
}

/// Percent-decode (`+` as a space in query strings) and check the text.
fn decoded(raw: &str, form: bool) -> Result<String, &'static str> {
    let raw = if form { raw.replace('+', " ") } else { raw.to_string() };
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(&raw).collect();
    let text = String::from_utf8(bytes).map_err(|_| "invalid_encoding")?;
    if text.chars().any(char::is_control) {
        return Err("control_character");
    }
    Ok(text)
}

fn explain(code: &str) -> &'static str {
    match code {
        "invalid_encoding" => "is not valid UTF-8 once percent-decoded",
        _ => "contains a control character (U+0000–U+001F, U+007F–U+009F)",
    }
}

fn param_error(name: &str, code: &'static str) -> ApiError {
    ApiError::bad_param(name, code, explain(code))
}

fn path_error(code: &'static str) -> ApiError {
    ApiError::BadRequest {
        detail: format!("the path {}", explain(code)),
        errors: vec![FieldError::new("path", code, explain(code))],
    }
}

/// Body text: no control characters but tab, line feed and carriage return, in any string
/// value or member name of a JSON body. One 422 entry per offending string, named by its
/// path (`speakers[0].name`).
pub fn body_strings(value: &serde_json::Value) -> Result<(), ApiError> {
    fn bad(text: &str) -> bool {
        text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    }
    fn walk(value: &serde_json::Value, path: &str, errors: &mut Vec<FieldError>) {
        let at = |path: &str| {
            if path.is_empty() {
                "body".to_string()
            } else {
                path.to_string()
            }
        };
        match value {
            serde_json::Value::String(text) if bad(text) => errors.push(FieldError::new(
                at(path),
                "control_character",
                "must not contain control characters other than tab and line breaks",
            )),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{i}]"), errors);
                }
            }
            serde_json::Value::Object(members) => {
                for (name, member) in members {
                    let inner = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    if bad(name) {
                        errors.push(FieldError::new(
                            at(path),
                            "control_character",
                            "a member name contains a control character",
                        ));
                        continue;
                    }
                    walk(member, &inner, errors);
                }
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    walk(value, "", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::screen;

    #[test]
    fn request_lines_are_screened() {
        assert!(screen("/api/v1/countries/LV", "q=digital+skills&country=LV&country=EE").is_ok());
        assert!(screen("/api/v1/countries/%C4%80", "q=%C4%81").is_ok());
        assert!(screen("/api/v1/countries/%00", "").is_err());
        assert!(screen("/api/v1/organisations/external/%ff%fe", "").is_err());
        assert!(screen("/api/v1/initiatives", "q=%00").is_err());
        assert!(screen("/api/v1/initiatives", "q=a%0Ab").is_err());
        assert!(screen("/api/v1/initiatives", "q=%C2%85").is_err(), "C1 controls");
        assert!(screen("/api/v1/initiatives", "%00=x").is_err(), "names too");
        let many = vec!["country=AM"; 51].join("&");
        assert!(screen("/api/v1/initiatives", &many).is_err());
        assert!(screen("/api/v1/initiatives", &vec!["country=AM"; 50].join("&")).is_ok());
        assert!(screen(
            "/api/v1/changes",
            &format!("types={}", vec!["initiative"; 51].join(","))
        )
        .is_err());
    }
}

//! Field validation shared by the resources: `validator` rules plus the product's own
//! formats (partial dates, http(s) URLs, country codes), reported as field-level 422s.

use std::borrow::Cow;

use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::http::error::{ApiError, FieldError};
use crate::kernel::records::References;
use crate::resources::coalitions::COALITIONS;
use crate::resources::countries::COUNTRIES;
use crate::resources::organisations::ORGANISATIONS;
use crate::texts::{self, Field};

/// Validate `input`, turning every failure into a field error.
pub fn check<T: Validate>(input: &T) -> Result<(), ApiError> {
    match input.validate() {
        Ok(()) => Ok(()),
        Err(errors) => {
            let mut out = Vec::new();
            collect("", &errors, &mut out);
            out.sort_by(|a, b| a.field.cmp(&b.field));
            Err(ApiError::Validation(out))
        }
    }
}

/// The references resources make to each other, collected for [`References::finish`] (one
/// statement checks them all).
pub trait Referenced {
    /// `code` must be a known country.
    fn country(&mut self, field: &str, code: &str);
    /// `id` must be an existing organisation.
    fn organisation(&mut self, field: &str, id: &str);
    /// `id` must be an existing coalition.
    fn coalition(&mut self, field: &str, id: &str);
}

impl Referenced for References {
    fn country(&mut self, field: &str, code: &str) {
        let message = format!("no country has the code `{code}`");
        self.want(&COUNTRIES, field, code, "unknown_country", message);
    }
    fn organisation(&mut self, field: &str, id: &str) {
        let message = format!("no organisation has the id `{id}`");
        self.want(&ORGANISATIONS, field, id, "unknown_organisation", message);
    }
    fn coalition(&mut self, field: &str, id: &str) {
        let message = format!("no coalition has the id `{id}`");
        self.want(&COALITIONS, field, id, "unknown_coalition", message);
    }
}

/// A request body with translated fields, typed, normalised and checked the same way for every
/// resource: its `validator` rules, then its translated fields, then what attributes cannot say.
pub trait Translated: Validate + serde::de::DeserializeOwned {
    /// Trim texts, sort and deduplicate sets… before anything is checked.
    fn normalise(&mut self) {}
    /// Its original language and its translated fields, with their limits.
    fn texts(&mut self) -> (&mut String, Vec<Field<'_>>);
    /// The checks attributes cannot make (a set that must not be empty, an end after its start).
    fn more_checks(&self, _errors: &mut Vec<FieldError>) {}

    /// Type, normalise and check a JSON document; 422 naming every failure.
    fn from_json(value: serde_json::Value) -> Result<Self, ApiError> {
        let mut input: Self = crate::http::extract::typed(value)?;
        input.normalise();
        let mut errors = errors(&input);
        let (original_language, fields) = input.texts();
        texts::check(&mut errors, original_language, fields);
        input.more_checks(&mut errors);
        finish(input, errors)
    }
}

/// The field errors of `input`'s declared rules, for a resource to add its own checks to
/// before [`finish`].
pub fn errors<T: Validate>(input: &T) -> Vec<FieldError> {
    let mut out = Vec::new();
    if let Err(errors) = input.validate() {
        collect("", &errors, &mut out);
    }
    out
}

/// `input` when nothing failed, else a 422 naming every failed field, in field order.
pub fn finish<T>(input: T, mut errors: Vec<FieldError>) -> Result<T, ApiError> {
    if errors.is_empty() {
        Ok(input)
    } else {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        Err(ApiError::Validation(errors))
    }
}

fn collect(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message(e)));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(&format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
}

fn message(e: &ValidationError) -> String {
    if let Some(m) = &e.message {
        return m.to_string();
    }
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            _ => "has the wrong length".into(),
        },
        "email" => "must be an e-mail address".into(),
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            _ => "is out of range".into(),
        },
        other => format!("is invalid ({other})"),
    }
}

fn error(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
}

/// An absolute `http` or `https` URL.
pub fn http_url(value: &str) -> Result<(), ValidationError> {
    match url::Url::parse(value) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some() => Ok(()),
        _ => Err(error("url", "must be an absolute http:// or https:// URL")),
    }
}

/// Two uppercase letters (ISO 3166-1 alpha-2).
pub fn country_code(value: &str) -> Result<(), ValidationError> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(error(
            "country_code",
            "must be an ISO 3166-1 alpha-2 code in capitals, e.g. LV",
        ))
    }
}

/// Text with something other than whitespace in it.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(error("blank", "must not be blank"))
    } else {
        Ok(())
    }
}

/// A partial date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a real calendar date, year 1000–9999.
pub fn partial_date(value: &str) -> Result<(), ValidationError> {
    let bad = || error("partial_date", "must be a date as YYYY, YYYY-MM or YYYY-MM-DD");
    let parts: Vec<&str> = value.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] if digits(y, 4) && !y.starts_with('0') => Ok(()),
        [y, m] if digits(y, 4) && digits(m, 2) && !y.starts_with('0') => match m.parse::<u32>() {
            Ok(1..=12) => Ok(()),
            _ => Err(bad()),
        },
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) && !y.starts_with('0') => {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(|_| ())
                .map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}

/// Strict calendar dates and instants for input and filters (`#[serde(deserialize_with)]`):
/// `YYYY-MM-DD` exactly — four-digit year (1000–9999), two-digit month and day, a real
/// date; instants are RFC 3339 with such a date. chrono alone accepts `-2021-01-01`,
/// `2021-1-1` and five-digit years.
pub mod strict {
    use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
    use serde::{Deserialize, Deserializer};

    const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

    /// Parse a strict `YYYY-MM-DD`.
    pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
        let bad = || format!("`{text}` is not a date as YYYY-MM-DD (a four-digit year, 1000–9999)");
        let b = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
            return Err(bad());
        }
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())?;
        if !YEARS.contains(&chrono::Datelike::year(&date)) {
            return Err(bad());
        }
        Ok(date)
    }

    /// Parse a strict RFC 3339 instant (its date part as [`parse_date`]), keeping its offset.
    pub fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>, String> {
        let bad = || format!("`{text}` is not an RFC 3339 date-time such as 2026-03-01T10:00:00Z");
        if text.len() < 20 || !text.is_char_boundary(10) || !matches!(text.as_bytes()[10], b'T' | b't') {
            return Err(bad());
        }
        parse_date(&text[..10]).map_err(|_| bad())?;
        DateTime::parse_from_rfc3339(text).map_err(|_| bad())
    }

    /// A strict date.
    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        parse_date(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    /// An optional strict date (with `#[serde(default)]`).
    pub fn option_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| parse_date(&t))
            .transpose()
            .map_err(serde::de::Error::custom)
    }

    /// A strict instant, with the offset it was given in.
    pub fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        parse_instant(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    /// An optional strict instant (with `#[serde(default)]`).
    pub fn option_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| parse_instant(&t).map(|at| at.with_timezone(&Utc)))
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

/// A set as stored and compared: sorted, each value once.
pub fn set<T: Ord>(values: &mut Vec<T>) {
    values.sort();
    values.dedup();
}

/// A field error for each element of `codes` (the list `field`) that is not a country code.
pub fn country_codes(errors: &mut Vec<FieldError>, field: &str, codes: &[String]) {
    for (i, code) in codes.iter().enumerate() {
        if let Err(e) = country_code(code) {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                e.code.to_string(),
                message(&e),
            ));
        }
    }
}

/// A field error on `field` when it comes before `start` (`before` says whether it does).
pub fn not_before(errors: &mut Vec<FieldError>, field: &str, start: &str, before: bool) {
    if before {
        errors.push(FieldError::new(
            field,
            "before_start",
            format!("must not be before {start}"),
        ));
    }
}

/// An optional code (a country code): taken exactly as sent, the empty string meaning none.
/// Codes are not trimmed: `" LV"` is not a code, and the document's pattern says so.
pub fn empty_none(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.is_empty())
}

/// Trim a string; an optional one that is left empty becomes absent.
pub fn trim_opt(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates() {
        assert!(strict::parse_date("2021-01-31").is_ok());
        for bad in [
            "-2021-01-01",
            "2021-1-1",
            "12021-01-01",
            "2021-02-30",
            "0999-01-01",
            "0000-01-01",
            "2021-01-01 ",
            "２０２１-01-01",
        ] {
            assert!(strict::parse_date(bad).is_err(), "{bad}");
        }
        assert!(strict::parse_instant("2026-03-01T10:00:00+02:00").is_ok());
        assert!(strict::parse_instant("2026-03-01T10:00:00.5Z").is_ok());
        for bad in [
            "-2026-03-01T10:00:00Z",
            "2026-3-01T10:00:00Z",
            "+12026-03-01T10:00:00Z",
            "2026-03-01",
        ] {
            assert!(strict::parse_instant(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partial_dates() {
        for ok in ["2017", "2019-03", "2020-07-13", "2024-02-29"] {
            assert!(partial_date(ok).is_ok(), "{ok}");
        }
        for bad in [
            "17",
            "2017-13",
            "2017-00",
            "2023-02-29",
            "2017-1",
            "2017/01",
            "",
            "0999",
            "2017-01-01T00:00",
        ] {
            assert!(partial_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert!(http_url("https://digital-skills-jobs.europa.eu/").is_ok());
        assert!(http_url("ftp://example.org").is_err());
        assert!(http_url("not a url").is_err());
        assert!(http_url("mailto:a@b.c").is_err());
    }
}

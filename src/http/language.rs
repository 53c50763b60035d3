//! Language negotiation for translated text: the accepted list, BCP 47 tags compared
//! case-insensitively and stored canonical, the `lang` query parameter, `Accept-Language` with
//! q-values (RFC 9110 §12.5.4, matched by RFC 4647 lookup: `en-GB` falls back to `en`), the
//! fallback chain that always ends at a record's original language, and the middleware
//! ([`negotiated`]) that gives every record of a JSON response its `display` object.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use crate::http::error::ApiError;
use crate::kernel::{display, texts};

/// The default accepted languages: the EU's 24 official languages, then Armenian,
/// Azerbaijani, Belarusian, Georgian, Ukrainian and Russian.
pub const DEFAULT_LANGUAGES: &[&str] = &[
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nl", "pl",
    "pt", "ro", "sk", "sl", "sv", "hy", "az", "be", "ka", "uk", "ru",
];

/// A tag in canonical case (RFC 5646 §2.1.1): language lowercase, script title case, region
/// upper case, the rest lowercase. `Err` says why the text is not a well-formed tag.
pub fn canonical_tag(tag: &str) -> Result<String, String> {
    let tag = tag.trim();
    let subtags: Vec<&str> = tag.split('-').collect();
    let well_formed = subtags
        .iter()
        .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
        && (2..=8).contains(&subtags[0].len())
        && subtags[0].bytes().all(|b| b.is_ascii_alphabetic());
    if !well_formed {
        return Err(format!(
            "`{tag}` is not a BCP 47 language tag (e.g. `lv`, `en`, `pt-BR`)"
        ));
    }
    let mut out = Vec::with_capacity(subtags.len());
    for (i, sub) in subtags.iter().enumerate() {
        let after_singleton = subtags[..i].iter().any(|s| s.len() == 1);
        out.push(match sub.len() {
            _ if i == 0 || after_singleton => sub.to_ascii_lowercase(),
            4 if sub.bytes().all(|b| b.is_ascii_alphabetic()) => {
                let lower = sub.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            2 => sub.to_ascii_uppercase(),
            _ => sub.to_ascii_lowercase(),
        });
    }
    Ok(out.join("-"))
}

/// The languages a deployment accepts, canonical, in configuration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Languages(Vec<String>);

impl Default for Languages {
    fn default() -> Languages {
        Languages(DEFAULT_LANGUAGES.iter().map(|t| t.to_string()).collect())
    }
}

impl Languages {
    /// From configuration: each entry a well-formed tag, none twice.
    pub fn new<S: AsRef<str>>(tags: &[S]) -> Result<Languages, String> {
        let mut accepted: Vec<String> = Vec::new();
        for tag in tags.iter().map(|t| t.as_ref().trim()).filter(|t| !t.is_empty()) {
            let tag = canonical_tag(tag)?;
            if !accepted.contains(&tag) {
                accepted.push(tag);
            }
        }
        if accepted.is_empty() {
            return Err("the accepted language list is empty".into());
        }
        Ok(Languages(accepted))
    }

    /// The accepted tags.
    pub fn tags(&self) -> &[String] {
        &self.0
    }

    /// `tag` canonical, when it is accepted (compared case-insensitively).
    pub fn accepted(&self, tag: &str) -> Result<String, String> {
        let canonical = canonical_tag(tag)?;
        if self.0.contains(&canonical) {
            Ok(canonical)
        } else {
            Err(format!(
                "`{canonical}` is not an accepted language (accepted: {})",
                self.0.join(", ")
            ))
        }
    }

    /// The `lang` query parameter: accepted tags, comma-separated, in order of preference.
    pub fn parse_lang(&self, value: &str) -> Result<Vec<String>, String> {
        let mut chain: Vec<String> = Vec::new();
        for tag in value.split(',') {
            let tag = self.accepted(tag)?;
            if !chain.contains(&tag) {
                chain.push(tag);
            }
        }
        Ok(chain)
    }

    /// An `Accept-Language` value as accepted tags in order of preference: by q-value (ties in
    /// the header's order), `q=0` and `*` left out, each range matched by lookup (`de-AT` →
    /// `de-AT` if accepted, else `de`). Malformed ranges are skipped: a header never fails.
    pub fn parse_accept_language(&self, header: &str) -> Vec<String> {
        let mut ranges: Vec<(u16, usize, &str)> = Vec::new();
        for (position, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or("").trim();
            let mut weight = 1000u16;
            for parameter in parts {
                if let Some(q) = parameter
                    .trim()
                    .strip_prefix("q=")
                    .or_else(|| parameter.trim().strip_prefix("Q="))
                {
                    weight = q
                        .trim()
                        .parse::<f32>()
                        .map_or(0, |q| (q.clamp(0.0, 1.0) * 1000.0).round() as u16);
                }
            }
            if weight > 0 && range != "*" && !range.is_empty() {
                ranges.push((weight, position, range));
            }
        }
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut chain: Vec<String> = Vec::new();
        for (_, _, range) in ranges {
            let Ok(mut candidate) = canonical_tag(range) else {
                continue;
            };
            loop {
                if self.0.contains(&candidate) {
                    if !chain.contains(&candidate) {
                        chain.push(candidate);
                    }
                    break;
                }
                match candidate.rfind('-') {
                    Some(cut) => candidate.truncate(cut),
                    None => break,
                }
            }
        }
        chain
    }
}

/// The languages a request asked for, in order of preference (request extension).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requested {
    /// accepted tags, most preferred first (empty: the record's original language)
    pub chain: Vec<String>,
    /// whether they came from `Accept-Language` (no `lang` parameter)
    pub from_header: bool,
}

impl Requested {
    /// The request's `lang` parameter, else its `Accept-Language`; 400 for a `lang` that is
    /// malformed, names a language not accepted, or is given twice.
    pub fn of(query: &str, accept_language: Option<&str>, languages: &Languages) -> Result<Requested, ApiError> {
        let mut lang: Option<String> = None;
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name != "lang" {
                continue;
            }
            if lang.is_some() {
                return Err(ApiError::bad_param(
                    "lang",
                    "repeated",
                    "is given twice: list the languages in one, e.g. `lang=lv,en`",
                ));
            }
            lang = Some(value.into_owned());
        }
        match lang {
            Some(value) if value.is_empty() => Err(ApiError::bad_param(
                "lang",
                "empty",
                "is empty: give it a value or leave the parameter out",
            )),
            Some(value) => Ok(Requested {
                chain: languages
                    .parse_lang(&value)
                    .map_err(|message| ApiError::bad_param("lang", "language", message))?,
                from_header: false,
            }),
            None => Ok(Requested {
                chain: accept_language.map_or_else(Vec::new, |h| languages.parse_accept_language(h)),
                from_header: true,
            }),
        }
    }
}

/// Give every record of a JSON response under `/api/v1` its `display` in the request's
/// languages (wrapped with `from_fn`, innermost, see `app.rs`): a single record's response
/// also gets `Content-Language` and an entity tag naming its version and the languages shown
/// (`"3.lv"`), and a response whose display followed `Accept-Language` gets
/// `Vary: Accept-Language`. The chain is left in the request's extensions ([`Requested`]) for
/// handlers that render text themselves (CSV).
pub async fn negotiated(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if !req.path().starts_with("/api/v1") || req.path() == "/api/v1/openapi.json" {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let accept_language = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let requested = match Requested::of(req.query_string(), accept_language.as_deref(), &texts::accepted()) {
        Ok(requested) => requested,
        Err(e) => return Ok(req.error_response(e)),
    };
    req.extensions_mut().insert(requested.clone());
    let res = next.call(req).await?.map_into_boxed_body();
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !res.status().is_success() || !json {
        return Ok(res);
    }
    if requested.chain.is_empty() && res.response().extensions().contains::<display::Rendered>() {
        let mut res = res;
        if requested.from_header {
            crate::http::caching::vary(res.headers_mut(), "Accept-Language");
        }
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("reading a response body"))?;
    let carries_text = display::holds_records(&bytes);
    let Some((body, chosen)) = carries_text
        .then(|| std::str::from_utf8(&bytes).ok())
        .flatten()
        .and_then(|text| display::decorate_text(text, &requested.chain))
    else {
        return Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))));
    };
    let headers = head.headers_mut();
    if let Some(chosen) = &chosen {
        if let Ok(language) = HeaderValue::from_str(&chosen.language) {
            headers.insert(header::CONTENT_LANGUAGE, language);
        }
        // A version's tag (`"3"`, see `caching::etag`) names the languages shown too.
        let version = headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .and_then(|tag| tag.strip_prefix('"')?.strip_suffix('"').map(str::to_string))
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
        if let Some(tag) = version.and_then(|v| HeaderValue::from_str(&format!("\"{v}.{}\"", chosen.tag())).ok()) {
            headers.insert(header::ETAG, tag);
        }
    }
    if requested.from_header {
        crate::http::caching::vary(headers, "Accept-Language");
    }
    Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(body))))
}

/// The languages to try for a record, in order: the requested ones, then its original
/// language unless it was requested (so a display string is always found).
pub fn chain(requested: &[String], original: &str) -> Vec<String> {
    let mut chain = requested.to_vec();
    if !chain.iter().any(|t| t == original) {
        chain.push(original.to_string());
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_canonical_and_checked() {
        assert_eq!(canonical_tag("LV").unwrap(), "lv");
        assert_eq!(canonical_tag("pt-br").unwrap(), "pt-BR");
        assert_eq!(canonical_tag("SR-latn-rs").unwrap(), "sr-Latn-RS");
        assert_eq!(canonical_tag("en-x-Private").unwrap(), "en-x-private");
        for bad in ["", "e", "1a", "en_GB", "en--GB", "toolongtag9", "lv;q=1", "ü"] {
            assert!(canonical_tag(bad).is_err(), "{bad:?}");
        }
        assert_eq!(DEFAULT_LANGUAGES.len(), 30);
    }

    #[test]
    fn lang_parameter_names_accepted_languages() {
        let languages = Languages::default();
        assert_eq!(languages.parse_lang("lv,EN,lv").unwrap(), vec!["lv", "en"]);
        assert!(languages
            .parse_lang("xx")
            .unwrap_err()
            .contains("not an accepted language"));
        assert!(languages.parse_lang("lv,").is_err());
        assert!(languages.parse_lang("en_GB").unwrap_err().contains("not a BCP 47"));
        let configured = Languages::new(&["en", "PT-br", "en"]).unwrap();
        assert_eq!(configured.tags(), ["en", "pt-BR"]);
        assert!(Languages::new(&[" "]).is_err());
    }

    #[test]
    fn accept_language_by_quality_with_lookup() {
        let languages = Languages::default();
        assert_eq!(languages.parse_accept_language("en;q=0.5, lv"), vec!["lv", "en"]);
        assert_eq!(
            languages.parse_accept_language("de-AT, fr;q=0.8, *;q=0.1, xx, en-GB;q=0.8, uk;q=0"),
            vec!["de", "fr", "en"]
        );
        assert_eq!(languages.parse_accept_language("garbage;;q=x, , lv;Q=0.3"), vec!["lv"]);
        assert!(languages.parse_accept_language("").is_empty());
    }

    #[test]
    fn the_chain_ends_at_the_original_language() {
        let requested = vec!["de".to_string(), "lv".to_string(), "en".to_string()];
        assert_eq!(chain(&requested, "lv"), vec!["de", "lv", "en"]);
        assert_eq!(chain(&requested[..1], "lv"), vec!["de", "lv"]);
        assert_eq!(chain(&[], "lv"), vec!["lv"]);
    }
}

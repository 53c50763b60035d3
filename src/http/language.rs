//! Language negotiation for translated text: a request's languages from the `lang` query
//! parameter or `Accept-Language` with q-values (RFC 9110 §12.5.4, matched by RFC 4647 lookup:
//! `en-GB` falls back to `en`), and the middleware ([`negotiated`]) that gives every record of
//! a JSON response its `display` object. The accepted languages and their tags are
//! [`crate::texts::languages`].

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use crate::http::error::ApiError;
use crate::texts::display;
use crate::texts::{self, Languages};

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

//! The languages a deployment accepts: BCP 47 tags compared case-insensitively and stored
//! canonical, the `lang` parameter's and `Accept-Language`'s tags matched against them, and
//! the fallback chain that always ends at a record's original language. The HTTP side (the
//! request's languages, the `display` middleware) is `crate::http::language`.

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

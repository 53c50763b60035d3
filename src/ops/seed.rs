//! Reference data seeded on first start: countries and controlled vocabularies. Seeding is
//! idempotent: missing countries are added, existing ones (possibly edited by an admin) are
//! kept; vocabulary labels follow the code.

use std::collections::HashSet;

use crate::http::error::ApiError;
use crate::resources::countries;
use crate::store::batch::insert_rows;
use crate::store::journal;
use crate::store::sql::{Sql, TextRow, Value};
use crate::store::{now, Database, DbConnection};

/// `(ISO code, EU code, English name, native name, groups)`
pub type CountrySeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const EU: &[&str] = &["eu", "eea"];
const EU_EAP: &[&str] = &["eastern_partnership"];
const EAP_CANDIDATE: &[&str] = &["eastern_partnership", "candidate"];
const EEA_EFTA: &[&str] = &["eea", "efta"];

/// The countries seeded on first start: the EU-27, the six Eastern Partnership countries,
/// the EEA/EFTA states and the other candidate countries.
pub const COUNTRIES: &[CountrySeed] = &[
    ("AT", "AT", "Austria", "Österreich", EU),
    ("BE", "BE", "Belgium", "België / Belgique / Belgien", EU),
    ("BG", "BG", "Bulgaria", "България", EU),
    ("HR", "HR", "Croatia", "Hrvatska", EU),
    ("CY", "CY", "Cyprus", "Κύπρος", EU),
    ("CZ", "CZ", "Czechia", "Česko", EU),
    ("DK", "DK", "Denmark", "Danmark", EU),
    ("EE", "EE", "Estonia", "Eesti", EU),
    ("FI", "FI", "Finland", "Suomi", EU),
    ("FR", "FR", "France", "France", EU),
    ("DE", "DE", "Germany", "Deutschland", EU),
    ("GR", "EL", "Greece", "Ελλάδα", EU),
    ("HU", "HU", "Hungary", "Magyarország", EU),
    ("IE", "IE", "Ireland", "Éire / Ireland", EU),
    ("IT", "IT", "Italy", "Italia", EU),
    ("LV", "LV", "Latvia", "Latvija", EU),
    ("LT", "LT", "Lithuania", "Lietuva", EU),
    ("LU", "LU", "Luxembourg", "Lëtzebuerg", EU),
    ("MT", "MT", "Malta", "Malta", EU),
    ("NL", "NL", "Netherlands", "Nederland", EU),
    ("PL", "PL", "Poland", "Polska", EU),
    ("PT", "PT", "Portugal", "Portugal", EU),
    ("RO", "RO", "Romania", "România", EU),
    ("SK", "SK", "Slovakia", "Slovensko", EU),
    ("SI", "SI", "Slovenia", "Slovenija", EU),
    ("ES", "ES", "Spain", "España", EU),
    ("SE", "SE", "Sweden", "Sverige", EU),
    ("AM", "AM", "Armenia", "Հայաստան", EU_EAP),
    ("AZ", "AZ", "Azerbaijan", "Azərbaycan", EU_EAP),
    ("BY", "BY", "Belarus", "Беларусь", EU_EAP),
    ("GE", "GE", "Georgia", "საქართველო", EAP_CANDIDATE),
    ("MD", "MD", "Moldova", "Moldova", EAP_CANDIDATE),
    ("UA", "UA", "Ukraine", "Україна", EAP_CANDIDATE),
    ("IS", "IS", "Iceland", "Ísland", EEA_EFTA),
    ("LI", "LI", "Liechtenstein", "Liechtenstein", EEA_EFTA),
    ("NO", "NO", "Norway", "Norge", EEA_EFTA),
    (
        "CH",
        "CH",
        "Switzerland",
        "Schweiz / Suisse / Svizzera / Svizra",
        &["efta"],
    ),
    ("AL", "AL", "Albania", "Shqipëria", &["candidate"]),
    (
        "BA",
        "BA",
        "Bosnia and Herzegovina",
        "Bosna i Hercegovina",
        &["candidate"],
    ),
    ("ME", "ME", "Montenegro", "Crna Gora", &["candidate"]),
    ("MK", "MK", "North Macedonia", "Северна Македонија", &["candidate"]),
    ("RS", "RS", "Serbia", "Србија", &["candidate"]),
    ("TR", "TR", "Türkiye", "Türkiye", &["candidate"]),
];

/// What a seed run changed.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// countries added
    pub countries_added: usize,
    /// vocabulary terms written
    pub terms: usize,
    /// stored documents rendered from the tables (records seeded here, or from before documents)
    pub documents_rendered: usize,
    /// initiatives and events whose search words were computed (rows from before them)
    pub search_indexed: usize,
}

/// Seed reference data in one transaction.
pub fn seed_reference_data(db: &Database) -> Result<SeedReport, ApiError> {
    db.write_blocking(seed_in)
}

fn seed_in(conn: &mut DbConnection) -> Result<SeedReport, ApiError> {
    let mut report = SeedReport::default();
    let existing: HashSet<String> = Sql::new("SELECT code AS value FROM countries")
        .load::<TextRow>(conn)?
        .into_iter()
        .map(|r| r.value)
        .collect();
    let stamp = now();
    let mut added = Vec::new();
    let (mut country_rows, mut group_rows) = (Vec::new(), Vec::new());
    for (code, eu_code, name, native_name, groups) in COUNTRIES {
        if existing.contains(*code) {
            continue;
        }
        country_rows.push(vec![
            Value::text(*code),
            Value::text(*eu_code),
            Value::text(*name),
            Value::text(*native_name),
            Value::Int(1),
            Value::Timestamp(stamp),
            Value::Timestamp(stamp),
        ]);
        group_rows.extend(groups.iter().map(|g| vec![Value::text(*code), Value::text(*g)]));
        report.countries_added += 1;
        added.push(journal::Entry {
            record_type: crate::resources::countries::KIND,
            record_id: code.to_string(),
            action: journal::Action::Created,
            version: Some(1),
            changed: vec![
                "code".into(),
                "eu_code".into(),
                "name".into(),
                "native_name".into(),
                "groups".into(),
            ],
            new_key: false,
        });
    }
    let columns = [
        "code",
        "eu_code",
        "name",
        "native_name",
        "version",
        "created_at",
        "updated_at",
    ];
    insert_rows(conn, countries::COUNTRIES.name, &columns, country_rows)?;
    let group_columns = [countries::COUNTRY_GROUPS.owner, countries::COUNTRY_GROUPS.value];
    insert_rows(conn, countries::COUNTRY_GROUPS.name, &group_columns, group_rows)?;
    journal::record(conn, &journal::Actor::system(), added)?;
    for resource in crate::resources::registry::RESOURCES {
        report.documents_rendered += (resource.render_missing)(conn)?;
    }
    for resource in crate::resources::registry::RESOURCES {
        report.search_indexed += (resource.index_missing)(conn)?;
    }
    Sql::new("DELETE FROM vocabulary_terms").execute(conn)?;
    let mut insert = Sql::new("INSERT INTO vocabulary_terms (vocabulary, code, label, position) VALUES ");
    let mut first = true;
    for (vocabulary, terms) in crate::resources::vocabularies::all() {
        for (position, (code, label)) in terms.into_iter().enumerate() {
            if !first {
                insert.push(", ");
            }
            first = false;
            insert.push("(");
            insert.bind(Value::Text(vocabulary.into()));
            insert.push(", ");
            insert.bind(Value::Text(code.into()));
            insert.push(", ");
            insert.bind(Value::Text(serde_json::to_string(&label).unwrap_or_default()));
            insert.push(&format!(", {position})"));
            report.terms += 1;
        }
    }
    insert.execute(conn)?;
    Ok(report)
}

/// The records, as `kind/key`, whose stored document differs from their rendering from the
/// tables: empty when every write kept its document in step (checked by the tests; an
/// operator's `verify-documents`).
pub fn stale_documents(db: &Database) -> Result<Vec<String>, ApiError> {
    db.read_blocking(|conn| {
        let mut stale = Vec::new();
        for resource in crate::resources::registry::RESOURCES {
            let kind = resource.kind.as_str();
            stale.extend((resource.stale)(conn)?.into_iter().map(|key| format!("{kind}/{key}")));
        }
        Ok(stale)
    })
}

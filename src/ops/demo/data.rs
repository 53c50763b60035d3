//! The demo's literal tables, kept in data files beside this one (easy to correct): places
//! with their language, capital and time zone; initiative titles per language; speakers.

use crate::resources::vocabularies::{ActivityArea, TargetGroup, Theme};

/// A country the demo gives a coalition.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// ISO code
    pub country: &'static str,
    /// the language titles are written in
    pub language: &'static str,
    /// the capital, where events take place
    pub city: &'static str,
    /// its IANA time zone
    pub zone: &'static str,
}

/// What each of the five title topics is about.
pub const TOPICS: [(ActivityArea, Theme, TargetGroup); 5] = [
    (
        ActivityArea::Education,
        Theme::UpskillingReskilling,
        TargetGroup::Teachers,
    ),
    (ActivityArea::Education, Theme::Coding, TargetGroup::Pupils),
    (
        ActivityArea::DigitalSkillsForAll,
        Theme::Cybersecurity,
        TargetGroup::Seniors,
    ),
    (
        ActivityArea::IctProfessionals,
        Theme::WomenInIct,
        TargetGroup::WomenAndGirls,
    ),
    (ActivityArea::LabourForce, Theme::Smes, TargetGroup::Smes),
];

/// Event title patterns by kind (training, workshop, webinar, conference, study visit).
pub const EVENT_TITLES: [&str; 5] = [
    "Training of trainers: {topic}",
    "Workshop: {topic}",
    "Webinar: {topic}",
    "National conference on digital skills and jobs",
    "Study visit on {topic}",
];

/// The parsed data files.
#[derive(Debug)]
pub struct DemoData {
    /// countries with a demo coalition
    pub places: Vec<Place>,
    /// `(language, one title per topic)`, English first
    titles: Vec<(&'static str, [&'static str; 5])>,
    /// `(name, affiliation)`
    pub speakers: Vec<(&'static str, &'static str)>,
}

/// The tab-separated rows of a data file, without comments and blank lines.
fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.split('\t').collect())
}

impl DemoData {
    /// Parse the data files compiled into the binary.
    pub fn load() -> DemoData {
        let places = rows(include_str!("places.tsv"))
            .filter_map(|r| match r[..] {
                [country, language, city, zone] => Some(Place {
                    country,
                    language,
                    city,
                    zone,
                }),
                _ => None,
            })
            .collect();
        let titles = rows(include_str!("titles.tsv"))
            .filter_map(|r| match r[..] {
                [language, a, b, c, d, e] => Some((language, [a, b, c, d, e])),
                _ => None,
            })
            .collect();
        let speakers = rows(include_str!("speakers.tsv"))
            .filter_map(|r| match r[..] {
                [name, affiliation] => Some((name, affiliation)),
                _ => None,
            })
            .collect();
        DemoData {
            places,
            titles,
            speakers,
        }
    }

    /// `language` when titles are written in it, else English (what [`DemoData::titles`] gives).
    pub fn title_language<'a>(&self, language: &'a str) -> &'a str {
        if self.titles.iter().any(|(l, _)| *l == language) {
            language
        } else {
            "en"
        }
    }

    /// The five topic titles in `language`, or in English.
    pub fn titles(&self, language: &str) -> &[&'static str; 5] {
        self.titles
            .iter()
            .find(|(l, _)| *l == language)
            .or(self.titles.first())
            .map(|(_, t)| t)
            .unwrap_or(&["Digital skills"; 5])
    }

    /// The place of a country.
    pub fn place(&self, country: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.country == country)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_row_parses() {
        let data = DemoData::load();
        assert_eq!(data.places.len(), include_str!("places.tsv").lines().count() - 1);
        assert_eq!(data.titles.len(), include_str!("titles.tsv").lines().count() - 1);
        assert_eq!(data.speakers.len(), include_str!("speakers.tsv").lines().count() - 1);
        assert!(data.places.iter().all(|p| p.zone.parse::<chrono_tz::Tz>().is_ok()));
        assert_eq!(data.titles("xx")[0], "Digital skills for teachers");
    }
}

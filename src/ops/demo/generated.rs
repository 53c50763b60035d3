//! Generated initiatives and events at scale, with titles in each country's language,
//! for the kernel's bulk path (`write::create_many`).

use chrono::{Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::data::{DemoData, EVENT_TITLES, TOPICS};
use super::network::Network;
use super::real::local;
use crate::http::error::ApiError;
use crate::resources::initiatives::model::{InitiativeInput, ParticipantInput};
use crate::resources::trainings::model::{Speaker, TrainingInput};
use crate::resources::vocabularies::{
    ActivityArea, EventFormat, EventKind, InitiativeStatus, ParticipationRole, Publication, Sphere,
};
use crate::store::decode;
use crate::texts::Texts;

/// Generates demo inputs from one seeded random sequence, so a scale always gives the same data.
pub struct Generator<'a> {
    rng: StdRng,
    network: &'a Network,
    data: &'a DemoData,
    /// The owners generated records are spread over: `(country, coalition)`.
    owners: Vec<(&'a String, &'a String)>,
}

fn publication(rng: &mut StdRng) -> Publication {
    if rng.random_bool(0.9) {
        Publication::Published
    } else {
        Publication::Draft
    }
}

impl<'a> Generator<'a> {
    /// A generator over the demo network's coalitions.
    pub fn new(rng: StdRng, network: &'a Network, data: &'a DemoData) -> Generator<'a> {
        let owners = network.coalitions.iter().collect();
        Generator {
            rng,
            network,
            data,
            owners,
        }
    }

    /// A random owner: `(country, coalition)`.
    fn owner(&mut self) -> (&'a String, &'a String) {
        self.owners[self.rng.random_range(0..self.owners.len())]
    }

    /// `count` initiatives of random coalitions, about 90% published.
    pub fn initiatives(&mut self, count: usize) -> Result<Vec<InitiativeInput>, ApiError> {
        let today = Utc::now().date_naive();
        let mut inputs = Vec::with_capacity(count);
        for _ in 0..count {
            let (country, coalition) = self.owner();
            let (language, city) = self.data.place(country).map_or(("en", ""), |p| (p.language, p.city));
            let topic = self.rng.random_range(0..5);
            let (area, theme, group) = TOPICS[topic];
            let start = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default()
                + Duration::days(self.rng.random_range(0..365 * 11));
            let end = self
                .rng
                .random_bool(0.75)
                .then(|| start + Duration::days(self.rng.random_range(30..1200)));
            let status = if start > today {
                InitiativeStatus::Planned
            } else if end.is_some_and(|e| e < today) {
                InitiativeStatus::Completed
            } else {
                InitiativeStatus::Ongoing
            };
            let english = self.data.titles("en")[topic];
            let mut activity_areas = vec![area];
            if self.rng.random_bool(0.3) && area != ActivityArea::DigitalSkillsForAll {
                activity_areas.push(ActivityArea::DigitalSkillsForAll);
            }
            let lead = self
                .network
                .members
                .get(coalition.as_str())
                .and_then(|orgs| orgs.choose(&mut self.rng));
            let organisations = lead
                .map(|id| {
                    Ok::<_, ApiError>(ParticipantInput {
                        organisation_id: decode::uuid(id)?,
                        role: ParticipationRole::Lead,
                    })
                })
                .transpose()?
                .into_iter()
                .collect();
            // In the country's language; every other one translated to English too, so that
            // the demo shows both a translation and the fall back to the original language.
            let original = self.data.title_language(language);
            let local = self.data.titles(original)[topic];
            let mut title = Texts::one(original, format!("{local} {city} {}", start.format("%Y")));
            let mut summary = Texts::one(original, format!("{local} — {city}"));
            if original != "en" && inputs.len() % 2 == 0 {
                title
                    .0
                    .insert("en".into(), format!("{english} {city} {}", start.format("%Y")));
                summary.0.insert("en".into(), format!("{english} — {city}"));
            }
            inputs.push(InitiativeInput {
                coalition_id: decode::uuid(coalition)?,
                original_language: original.to_string(),
                title,
                summary,
                description: Texts::one(
                    "en",
                    format!(
                        "Initiative of the national coalition, based in {city}: {}. Generated demo data.",
                        english.to_lowercase()
                    ),
                ),
                activity_areas,
                themes: vec![theme],
                target_groups: vec![group],
                countries: vec![country.clone()],
                sphere: [Sphere::Local, Sphere::Regional, Sphere::National, Sphere::International]
                    [self.rng.random_range(0..4)],
                status,
                start_date: start,
                end_date: end,
                website: None,
                organisations,
                funding: None,
                publication: publication(&mut self.rng),
                external_id: None,
            });
        }
        Ok(inputs)
    }

    /// `count` events of random coalitions (about 5% platform-level), about 90% published.
    pub fn trainings(&mut self, count: usize) -> Result<Vec<TrainingInput>, ApiError> {
        let kinds = [
            EventKind::Training,
            EventKind::Workshop,
            EventKind::Webinar,
            EventKind::Conference,
            EventKind::StudyVisit,
        ];
        let formats = [EventFormat::Online, EventFormat::InPerson, EventFormat::Hybrid];
        let mut inputs = Vec::with_capacity(count);
        for _ in 0..count {
            let (country, coalition) = self.owner();
            let (language, city, zone) = self
                .data
                .place(country)
                .map_or(("en", "", "UTC"), |p| (p.language, p.city, p.zone));
            let kind_index = self.rng.random_range(0..kinds.len());
            let kind = kinds[kind_index];
            let format = if kind == EventKind::Webinar {
                EventFormat::Online
            } else {
                formats[self.rng.random_range(0..formats.len())]
            };
            let topic = self.rng.random_range(0..5);
            let (area, theme, _) = TOPICS[topic];
            let day = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default()
                + Duration::days(self.rng.random_range(0..365 * 8));
            let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
            let starts = local(day, self.rng.random_range(9..15), tz);
            let hours = match kind {
                EventKind::Conference | EventKind::StudyVisit => 24 * self.rng.random_range(1..3) + 8,
                _ => self.rng.random_range(1..5),
            };
            let participants = self.rng.random_range(10..250);
            let platform = self.rng.random_bool(0.05);
            let organiser = self
                .network
                .members
                .get(coalition.as_str())
                .and_then(|m| m.choose(&mut self.rng));
            let note = self
                .rng
                .random_bool(0.3)
                .then(|| format!("{}+", participants / 10 * 10));
            let publication = publication(&mut self.rng);
            let mut languages = vec![language.to_string()];
            if language != "en" && self.rng.random_bool(0.4) {
                languages.push("en".into());
            }
            let speakers = (0..self.rng.random_range(0..3))
                .filter_map(|_| self.data.speakers.choose(&mut self.rng))
                .map(|(name, affiliation)| Speaker {
                    name: name.to_string(),
                    affiliation: Some(affiliation.to_string()),
                })
                .collect();
            // Written up in English; every other one titled in the country's language too.
            let mut title = Texts::one(
                "en",
                EVENT_TITLES[kind_index].replace("{topic}", &self.data.titles("en")[topic].to_lowercase()),
            );
            let local = self.data.title_language(language);
            if local != "en" && inputs.len() % 2 == 0 {
                title
                    .0
                    .insert(local.into(), format!("{} — {city}", self.data.titles(local)[topic]));
            }
            inputs.push(TrainingInput {
                coalition_id: if platform { None } else { Some(decode::uuid(coalition)?) },
                original_language: "en".into(),
                title,
                description: Texts::one(
                    "en",
                    format!("{} in {city}. Generated demo data.", self.data.titles("en")[topic]),
                ),
                kind,
                format,
                starts_at: starts,
                ends_at: starts + Duration::hours(hours),
                timezone: zone.into(),
                city: (format != EventFormat::Online).then(|| city.to_string()),
                country_code: Some(country.clone()),
                audience_countries: Vec::new(),
                organiser_id: organiser.map(|o| decode::uuid(o)).transpose()?,
                speakers,
                participants: Some(participants),
                participants_note: note,
                activity_areas: vec![area],
                themes: vec![theme],
                languages,
                registration_url: None,
                publication,
                external_id: None,
            });
        }
        Ok(inputs)
    }
}

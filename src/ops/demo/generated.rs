//! Generated initiatives and events at scale, with titles in each country's language,
//! written through the kernel's bulk path (`write::create_many`).

use chrono::{Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::data::{DemoData, EVENT_TITLES, TOPICS};
use super::network::Network;
use super::real::local;
use crate::http::error::ApiError;
use crate::kernel::write;
use crate::resources::initiatives::model::{InitiativeInput, ParticipantInput};
use crate::resources::initiatives::resource::Initiatives;
use crate::resources::trainings::model::{Speaker, TrainingInput};
use crate::resources::trainings::resource::Trainings;
use crate::resources::vocabularies::{
    ActivityArea, EventFormat, EventKind, InitiativeStatus, ParticipationRole, Publication, Sphere,
};
use crate::store::journal::Actor;
use crate::store::{decode, DbConnection};

/// The owners generated records are spread over: `(country, coalition)`.
fn owners(network: &Network) -> Vec<(&String, &String)> {
    network.coalitions.iter().collect()
}

fn publication(rng: &mut StdRng) -> Publication {
    if rng.random_bool(0.9) {
        Publication::Published
    } else {
        Publication::Draft
    }
}

/// `count` initiatives of random coalitions, about 90% published.
pub fn initiatives(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    count: usize,
    network: &Network,
    data: &DemoData,
) -> Result<(), ApiError> {
    let owners = owners(network);
    let today = Utc::now().date_naive();
    let mut inputs = Vec::with_capacity(count);
    for _ in 0..count {
        let (country, coalition) = owners[rng.random_range(0..owners.len())];
        let (language, city) = data.place(country).map_or(("en", ""), |p| (p.language, p.city));
        let topic = rng.random_range(0..5);
        let (area, theme, group) = TOPICS[topic];
        let start =
            NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default() + Duration::days(rng.random_range(0..365 * 11));
        let end = rng
            .random_bool(0.75)
            .then(|| start + Duration::days(rng.random_range(30..1200)));
        let status = if start > today {
            InitiativeStatus::Planned
        } else if end.is_some_and(|e| e < today) {
            InitiativeStatus::Completed
        } else {
            InitiativeStatus::Ongoing
        };
        let english = data.titles("en")[topic];
        let mut activity_areas = vec![area];
        if rng.random_bool(0.3) && area != ActivityArea::DigitalSkillsForAll {
            activity_areas.push(ActivityArea::DigitalSkillsForAll);
        }
        let lead = network
            .members
            .get(coalition.as_str())
            .and_then(|orgs| orgs.choose(rng));
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
        inputs.push(InitiativeInput {
            coalition_id: decode::uuid(coalition)?,
            title: format!("{} {} {}", data.titles(language)[topic], city, start.format("%Y")),
            summary: Some(format!("{english} — {city}")),
            description: Some(format!(
                "Initiative of the national coalition, based in {city}: {}. Generated demo data.",
                english.to_lowercase()
            )),
            activity_areas,
            themes: vec![theme],
            target_groups: vec![group],
            countries: vec![country.clone()],
            sphere: [Sphere::Local, Sphere::Regional, Sphere::National, Sphere::International][rng.random_range(0..4)],
            status,
            start_date: start,
            end_date: end,
            website: None,
            organisations,
            funding: None,
            publication: publication(rng),
            external_id: None,
        });
    }
    write::create_many::<Initiatives>(conn, &Actor::system(), &inputs)?;
    Ok(())
}

/// `count` events of random coalitions (about 5% platform-level), about 90% published.
pub fn trainings(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    count: usize,
    network: &Network,
    data: &DemoData,
) -> Result<(), ApiError> {
    let owners = owners(network);
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
        let (country, coalition) = owners[rng.random_range(0..owners.len())];
        let (language, city, zone) = data
            .place(country)
            .map_or(("en", "", "UTC"), |p| (p.language, p.city, p.zone));
        let kind_index = rng.random_range(0..kinds.len());
        let kind = kinds[kind_index];
        let format = if kind == EventKind::Webinar {
            EventFormat::Online
        } else {
            formats[rng.random_range(0..formats.len())]
        };
        let topic = rng.random_range(0..5);
        let (area, theme, _) = TOPICS[topic];
        let day =
            NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default() + Duration::days(rng.random_range(0..365 * 8));
        let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
        let starts = local(day, rng.random_range(9..15), tz);
        let hours = match kind {
            EventKind::Conference | EventKind::StudyVisit => 24 * rng.random_range(1..3) + 8,
            _ => rng.random_range(1..5),
        };
        let participants = rng.random_range(10..250);
        let platform = rng.random_bool(0.05);
        let organiser = network.members.get(coalition.as_str()).and_then(|m| m.choose(rng));
        let note = rng.random_bool(0.3).then(|| format!("{}+", participants / 10 * 10));
        let publication = publication(rng);
        let mut languages = vec![language.to_string()];
        if language != "en" && rng.random_bool(0.4) {
            languages.push("en".into());
        }
        let speakers = (0..rng.random_range(0..3))
            .filter_map(|_| data.speakers.choose(rng))
            .map(|(name, affiliation)| Speaker {
                name: name.to_string(),
                affiliation: Some(affiliation.to_string()),
            })
            .collect();
        inputs.push(TrainingInput {
            coalition_id: if platform { None } else { Some(decode::uuid(coalition)?) },
            title: EVENT_TITLES[kind_index].replace("{topic}", &data.titles(language)[topic].to_lowercase()),
            description: Some(format!("{} in {city}. Generated demo data.", data.titles("en")[topic])),
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
    write::create_many::<Trainings>(conn, &Actor::system(), &inputs)?;
    Ok(())
}

//! The events the brief names, once each (recognised by their external ids), with the
//! facility that ran them, written through the same write path as the API's.

use crate::texts::Texts;
use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};

use super::network::Network;
use super::DemoReport;
use crate::http::error::ApiError;
use crate::kernel::records::Writable;
use crate::kernel::{read, Collection, Resource};
use crate::resources::coalitions::model::CoalitionInput;
use crate::resources::coalitions::resource::Coalitions;
use crate::resources::organisations::model::OrganisationInput;
use crate::resources::organisations::resource::Organisations;
use crate::resources::trainings::model::TrainingInput;
use crate::resources::trainings::resource::Trainings;
use crate::resources::vocabularies::{ActivityArea, EventFormat, EventKind, Publication, Sector, Theme};
use crate::store::journal::Actor;
use crate::store::{decode, DbConnection};

/// `hour` o'clock local time in `zone` on `day`.
pub fn local(day: NaiveDate, hour: u32, zone: chrono_tz::Tz) -> chrono::DateTime<FixedOffset> {
    let naive = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    let utc = zone
        .from_local_datetime(&naive)
        .single()
        .map_or(naive, |t| t.naive_utc());
    Utc.from_utc_datetime(&utc).fixed_offset()
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// An event of the brief, platform-level, in Brussels time.
struct Event {
    title: &'static str,
    description: &'static str,
    kind: EventKind,
    format: EventFormat,
    day: NaiveDate,
    hours: (u32, u32),
    city: Option<&'static str>,
    participants: i64,
    note: &'static str,
    area: ActivityArea,
    external_id: &'static str,
}

impl Event {
    fn input(self, organiser: Option<uuid::Uuid>, audience: Vec<String>) -> TrainingInput {
        let brussels = chrono_tz::Europe::Brussels;
        TrainingInput {
            coalition_id: None,
            original_language: "en".into(),
            title: Texts::one("en", self.title),
            description: Texts::one("en", self.description),
            kind: self.kind,
            format: self.format,
            starts_at: local(self.day, self.hours.0, brussels),
            ends_at: local(self.day, self.hours.1, brussels),
            timezone: "Europe/Brussels".into(),
            city: self.city.map(String::from),
            country_code: self.city.map(|_| "BE".to_string()),
            audience_countries: audience,
            organiser_id: organiser,
            speakers: Vec::new(),
            participants: Some(self.participants),
            participants_note: Some(self.note.into()),
            activity_areas: vec![self.area],
            themes: vec![Theme::NationalStrategy],
            languages: vec!["en".into()],
            registration_url: None,
            publication: Publication::Published,
            external_id: Some(self.external_id.into()),
        }
    }
}

const TRAINING: &str = "demo:eu4digital-2020-07-13";

/// Write the real events (and the EU4Digital Facility) unless an earlier run did.
pub fn events(conn: &mut DbConnection, network: &Network, report: &mut DemoReport) -> Result<(), ApiError> {
    if read::find_by::<Trainings>(conn, "external_id", TRAINING)?.is_some() {
        return Ok(());
    }
    let actor = Actor::system();
    let facility = Organisations::create(
        conn,
        &actor,
        OrganisationInput {
            original_language: "en".into(),
            name: Texts::one("en", "EU4Digital Facility"),
            acronym: Some("EU4Digital".into()),
            sector: Sector::International,
            country_code: None,
            website: None,
            description: Texts::one(
                "en",
                "EU-funded facility supporting the digital economy and society in the Eastern Partnership countries",
            ),
            external_id: None,
        },
    )?;
    report.organisations += 1;
    let eap: Vec<String> = ["AM", "AZ", "BY", "GE", "MD", "UA"].map(String::from).into();
    let training = Event {
        title: "Virtual training: setting up National Coalitions for Digital Skills and Jobs",
        description: "Online training for representatives of the six Eastern Partnership countries on how to set up \
                      and run a National Coalition for Digital Skills and Jobs. (Times are illustrative; the date is \
                      the event's.)",
        kind: EventKind::Training,
        format: EventFormat::Online,
        day: ymd(2020, 7, 13),
        hours: (10, 13),
        city: None,
        participants: 30,
        note: "30+",
        area: ActivityArea::DigitalSkillsForAll,
        external_id: TRAINING,
    };
    let workshop = Event {
        title: "Half-day workshop with National Coalition representatives from across Europe",
        description: "Exchange of practices between National Coalitions for Digital Skills and Jobs. (Date \
                      illustrative.)",
        kind: EventKind::Workshop,
        format: EventFormat::InPerson,
        day: ymd(2019, 11, 14),
        hours: (9, 13),
        city: Some("Brussels"),
        participants: 40,
        note: "40+",
        area: ActivityArea::LabourForce,
        external_id: "demo:coalitions-workshop",
    };
    let europe: Vec<String> = network
        .coalitions
        .keys()
        .filter(|c| !eap.contains(c))
        .cloned()
        .collect();
    Trainings::create(conn, &actor, training.input(Some(decode::uuid(&facility.id)?), eap))?;
    Trainings::create(conn, &actor, workshop.input(None, europe))?;
    report.trainings += 2;
    if let Some(armenia) = network.coalitions.get("AM") {
        let current = Coalitions::reload(conn, armenia)?;
        let mut profile = CoalitionInput::of(&current)?;
        profile.description = Texts::one(
            "en",
            "Multi-stakeholder partnership of government, business, education and civil society, set up in 2017 \
             to close the digital skills gap in Armenia.",
        );
        Coalitions::update(conn, &actor, &current, profile)?;
    }
    Ok(())
}

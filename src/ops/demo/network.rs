//! The demo's coalitions and their members: one coalition per place (reusing an active one
//! when the country has it), each with a coordinator and four more members, written through
//! the kernel's bulk path (organisations, coalitions) and the membership write.

use crate::texts::Texts;
use std::collections::BTreeMap;

use super::data::DemoData;
use super::DemoReport;
use crate::http::error::ApiError;
use crate::kernel::write;
use crate::resources::coalitions::model::CoalitionInput;
use crate::resources::coalitions::resource::Coalitions;
use crate::resources::memberships::model::MembershipInput;
use crate::resources::organisations::model::OrganisationInput;
use crate::resources::organisations::resource::Organisations;
use crate::resources::vocabularies::{ActivityArea, CoalitionStatus, MembershipRole, Sector};
use crate::store::journal::Actor;
use crate::store::sql::{Sql, TextRow, Value};
use crate::store::{decode, DbConnection};

/// Who is in the demo: country → coalition id, and coalition id → its organisations' ids.
#[derive(Debug, Default)]
pub struct Network {
    /// country → coalition
    pub coalitions: BTreeMap<String, String>,
    /// coalition → member organisations
    pub members: BTreeMap<String, Vec<String>>,
}

/// `(name, native name, founded)` of the coalitions whose facts are public.
fn known(country: &str) -> Option<(&'static str, Option<&'static str>, &'static str)> {
    match country {
        "AM" => Some(("Armenian National Coalition for Digital Skills and Jobs", None, "2017")),
        "UA" => Some((
            "Digital Skills and Jobs Coalition of Ukraine",
            Some("Коаліція цифрових навичок і робочих місць України"),
            "2019",
        )),
        _ => None,
    }
}

fn texts(conn: &mut DbConnection, sql: &str, value: &str) -> Result<Vec<String>, ApiError> {
    let mut sql = Sql::new(sql);
    sql.bind(Value::Text(value.to_string()));
    Ok(sql.load::<TextRow>(conn)?.into_iter().map(|r| r.value).collect())
}

/// Create (or find) every place's coalition with its members.
pub fn coalitions_and_members(
    conn: &mut DbConnection,
    data: &DemoData,
    report: &mut DemoReport,
) -> Result<Network, ApiError> {
    let actor = Actor::system();
    let mut network = Network::default();
    for place in &data.places {
        let code = place.country;
        let active = "SELECT id AS value FROM coalitions WHERE status <> 'inactive' AND country_code = ";
        if let Some(id) = texts(conn, active, code)?.pop() {
            let members = "SELECT organisation_id AS value FROM memberships WHERE coalition_id = ";
            network.members.insert(id.clone(), texts(conn, members, &id)?);
            network.coalitions.insert(code.to_string(), id);
            continue;
        }
        let country = texts(conn, "SELECT name AS value FROM countries WHERE code = ", code)?
            .pop()
            .unwrap_or_else(|| code.to_string());
        let organisation = |name: String, sector: Sector| OrganisationInput {
            original_language: "en".into(),
            name: Texts::one("en", name),
            acronym: None,
            sector,
            country_code: Some(code.to_string()),
            website: None,
            description: Texts::default(),
            external_id: None,
        };
        let members = [
            (
                organisation(
                    format!("Ministry responsible for digital affairs ({country})"),
                    Sector::Public,
                ),
                MembershipRole::Coordinator,
            ),
            (
                organisation(format!("{country} ICT Association"), Sector::Private),
                MembershipRole::Member,
            ),
            (
                organisation(format!("University of {}", place.city), Sector::Education),
                MembershipRole::Member,
            ),
            (
                organisation(format!("{country} Digital Skills NGO"), Sector::Ngo),
                MembershipRole::Member,
            ),
            (
                organisation(format!("{country} Chamber of Commerce"), Sector::SocialPartner),
                MembershipRole::Observer,
            ),
        ];
        let inputs: Vec<OrganisationInput> = members.iter().map(|(o, _)| o.clone()).collect();
        let org_ids = write::create_many::<Organisations>(conn, &actor, &inputs)?;
        let (name, native_name, founded) = match known(code) {
            Some((name, native, founded)) => (name.to_string(), native.map(String::from), Some(founded.to_string())),
            None => (
                format!("{country} National Coalition for Digital Skills and Jobs"),
                None,
                None,
            ),
        };
        // In the country's language where the demo knows the name in it, with the English one.
        let (original_language, name) = match native_name {
            Some(native) => {
                let local = data.title_language(place.language);
                let mut name_texts = Texts::one(local, native);
                name_texts.0.insert("en".into(), name);
                (local.to_string(), name_texts)
            }
            None => ("en".to_string(), Texts::one("en", name)),
        };
        let coalition = CoalitionInput {
            country_code: code.to_string(),
            original_language,
            name,
            status: CoalitionStatus::Established,
            founded,
            description: Texts::default(),
            website: None,
            contact_email: None,
            activity_areas: vec![
                ActivityArea::DigitalSkillsForAll,
                ActivityArea::LabourForce,
                ActivityArea::IctProfessionals,
                ActivityArea::Education,
            ],
            coordinator_id: Some(decode::uuid(&org_ids[0])?),
        };
        let id = write::create_many::<Coalitions>(conn, &actor, &[coalition])?.remove(0);
        for ((_, role), organisation) in members.iter().zip(&org_ids) {
            let membership = MembershipInput {
                organisation_id: decode::uuid(organisation)?,
                role: *role,
                joined_on: None,
                left_on: None,
                commitment: None,
            };
            crate::resources::memberships::resource::create(conn, &actor, &id, membership)?;
        }
        report.coalitions += 1;
        report.organisations += org_ids.len();
        network.members.insert(id.clone(), org_ids);
        network.coalitions.insert(code.to_string(), id);
    }
    Ok(network)
}

//! `seed --demo [--scale N]`: a realistic data set for trying the API and for benchmarks.
//!
//! Real coalitions and events where public facts are known (the Armenian coalition founded in
//! 2017, the Ukrainian one in 2019, the 13 July 2020 online training on setting up National
//! Coalitions for 30+ participants from the six Eastern Partnership countries, a half-day
//! workshop of 40+ coalition representatives), then `N` generated initiatives and `N / 4`
//! generated events with titles in the countries' languages. Generated data is
//! deterministic (fixed random seed) and written with multi-row inserts in batches.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::http::error::ApiError;
use crate::kernel::records;
use crate::resources::vocabularies::{
    ActivityArea, EventFormat, EventKind, InitiativeStatus, Sphere, TargetGroup, Theme,
};
use crate::store::journal;
use crate::store::sql::{insert_rows, Sql, TextRow, Value};
use crate::store::{now, Database, DbConnection};

/// What a demo seed wrote.
#[derive(Debug, Default)]
pub struct DemoReport {
    /// coalitions created
    pub coalitions: usize,
    /// organisations created
    pub organisations: usize,
    /// initiatives created
    pub initiatives: usize,
    /// trainings created
    pub trainings: usize,
}

/// `(country, language, capital, IANA zone)`
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("AM", "hy", "Yerevan", "Asia/Yerevan"),
    ("AZ", "az", "Baku", "Asia/Baku"),
    ("BY", "be", "Minsk", "Europe/Minsk"),
    ("GE", "ka", "Tbilisi", "Asia/Tbilisi"),
    ("MD", "ro", "Chișinău", "Europe/Chisinau"),
    ("UA", "uk", "Kyiv", "Europe/Kyiv"),
    ("AT", "de", "Vienna", "Europe/Vienna"),
    ("BE", "fr", "Brussels", "Europe/Brussels"),
    ("BG", "en", "Sofia", "Europe/Sofia"),
    ("HR", "en", "Zagreb", "Europe/Zagreb"),
    ("CY", "el", "Nicosia", "Asia/Nicosia"),
    ("CZ", "en", "Prague", "Europe/Prague"),
    ("DK", "en", "Copenhagen", "Europe/Copenhagen"),
    ("EE", "en", "Tallinn", "Europe/Tallinn"),
    ("FI", "en", "Helsinki", "Europe/Helsinki"),
    ("FR", "fr", "Paris", "Europe/Paris"),
    ("DE", "de", "Berlin", "Europe/Berlin"),
    ("GR", "el", "Athens", "Europe/Athens"),
    ("HU", "en", "Budapest", "Europe/Budapest"),
    ("IE", "en", "Dublin", "Europe/Dublin"),
    ("IT", "it", "Rome", "Europe/Rome"),
    ("LV", "lv", "Riga", "Europe/Riga"),
    ("LT", "lt", "Vilnius", "Europe/Vilnius"),
    ("LU", "fr", "Luxembourg", "Europe/Luxembourg"),
    ("MT", "en", "Valletta", "Europe/Malta"),
    ("NL", "nl", "Amsterdam", "Europe/Amsterdam"),
    ("PL", "pl", "Warsaw", "Europe/Warsaw"),
    ("PT", "pt", "Lisbon", "Europe/Lisbon"),
    ("RO", "ro", "Bucharest", "Europe/Bucharest"),
    ("SK", "en", "Bratislava", "Europe/Bratislava"),
    ("SI", "en", "Ljubljana", "Europe/Ljubljana"),
    ("ES", "es", "Madrid", "Europe/Madrid"),
    ("SE", "en", "Stockholm", "Europe/Stockholm"),
];

/// Initiative titles per language, in the same five topics as [`TOPICS`].
const TITLES: &[(&str, [&str; 5])] = &[
    (
        "en",
        [
            "Digital skills for teachers",
            "Coding club for pupils",
            "Cybersecurity basics for older people",
            "Women in ICT mentoring programme",
            "Digital upskilling for SMEs",
        ],
    ),
    (
        "lv",
        [
            "Digitālās prasmes skolotājiem",
            "Programmēšanas pulciņš skolēniem",
            "Kiberdrošības pamati senioriem",
            "Sievietes IKT jomā: mentoru programma",
            "Digitālo prasmju pilnveide MVU",
        ],
    ),
    (
        "lt",
        [
            "Skaitmeniniai įgūdžiai mokytojams",
            "Programavimo būrelis moksleiviams",
            "Kibernetinio saugumo pagrindai senjorams",
            "Moterys IRT srityje: mentorystės programa",
            "Skaitmeninių įgūdžių tobulinimas MVĮ",
        ],
    ),
    (
        "pl",
        [
            "Kompetencje cyfrowe dla nauczycieli",
            "Klub programowania dla uczniów",
            "Podstawy cyberbezpieczeństwa dla seniorów",
            "Kobiety w IT – program mentoringowy",
            "Cyfrowe podnoszenie kwalifikacji w MŚP",
        ],
    ),
    (
        "de",
        [
            "Digitale Kompetenzen für Lehrkräfte",
            "Programmierclub für Schülerinnen und Schüler",
            "Cybersicherheit für Seniorinnen und Senioren",
            "Frauen in der IT: Mentoring-Programm",
            "Digitale Weiterbildung für KMU",
        ],
    ),
    (
        "fr",
        [
            "Compétences numériques pour les enseignants",
            "Club de programmation pour les élèves",
            "Cybersécurité pour les seniors",
            "Femmes dans le numérique : programme de mentorat",
            "Formation numérique pour les PME",
        ],
    ),
    (
        "es",
        [
            "Competencias digitales para docentes",
            "Club de programación para escolares",
            "Ciberseguridad para personas mayores",
            "Mujeres en las TIC: programa de mentoría",
            "Formación digital para pymes",
        ],
    ),
    (
        "it",
        [
            "Competenze digitali per gli insegnanti",
            "Club di programmazione per studenti",
            "Sicurezza informatica per anziani",
            "Donne nell'ICT: programma di mentoring",
            "Formazione digitale per le PMI",
        ],
    ),
    (
        "pt",
        [
            "Competências digitais para professores",
            "Clube de programação para alunos",
            "Cibersegurança para seniores",
            "Mulheres nas TIC: programa de mentoria",
            "Formação digital para PME",
        ],
    ),
    (
        "nl",
        [
            "Digitale vaardigheden voor leraren",
            "Programmeerclub voor scholieren",
            "Cyberveiligheid voor senioren",
            "Vrouwen in ICT: mentorprogramma",
            "Digitale bijscholing voor het mkb",
        ],
    ),
    (
        "el",
        [
            "Ψηφιακές δεξιότητες για εκπαιδευτικούς",
            "Όμιλος προγραμματισμού για μαθητές",
            "Κυβερνοασφάλεια για ηλικιωμένους",
            "Γυναίκες στις ΤΠΕ: πρόγραμμα καθοδήγησης",
            "Ψηφιακή κατάρτιση για ΜμΕ",
        ],
    ),
    (
        "ro",
        [
            "Competențe digitale pentru profesori",
            "Club de programare pentru elevi",
            "Securitate cibernetică pentru vârstnici",
            "Femei în IT: program de mentorat",
            "Formare digitală pentru IMM-uri",
        ],
    ),
    (
        "uk",
        [
            "Цифрові навички для вчителів",
            "Клуб програмування для школярів",
            "Кібербезпека для людей старшого віку",
            "Жінки в ІТ: програма наставництва",
            "Цифрове навчання для малого бізнесу",
        ],
    ),
    (
        "be",
        [
            "Лічбавыя навыкі для настаўнікаў",
            "Клуб праграмавання для школьнікаў",
            "Кібербяспека для пажылых людзей",
            "Жанчыны ў ІТ: праграма настаўніцтва",
            "Лічбавае навучанне для малога бізнесу",
        ],
    ),
    (
        "hy",
        [
            "Թվային հմտություններ ուսուցիչների համար",
            "Ծրագրավորման ակումբ դպրոցականների համար",
            "Կիբերանվտանգություն տարեցների համար",
            "Կանայք ՏՀՏ ոլորտում",
            "Թվային ուսուցում փոքր և միջին բիզնեսի համար",
        ],
    ),
    (
        "ka",
        [
            "ციფრული უნარები მასწავლებლებისთვის",
            "პროგრამირების კლუბი მოსწავლეებისთვის",
            "კიბერუსაფრთხოება ხანდაზმულებისთვის",
            "ქალები ICT-ში",
            "ციფრული სწავლება მცირე და საშუალო ბიზნესისთვის",
        ],
    ),
    (
        "az",
        [
            "Müəllimlər üçün rəqəmsal bacarıqlar",
            "Şagirdlər üçün proqramlaşdırma klubu",
            "Yaşlılar üçün kibertəhlükəsizlik",
            "İKT-də qadınlar: mentorluq proqramı",
            "KOS-lar üçün rəqəmsal təlim",
        ],
    ),
];

/// What each of the five title topics is about.
const TOPICS: [(ActivityArea, Theme, TargetGroup); 5] = [
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

const EVENT_TITLES: [&str; 5] = [
    "Training of trainers: {topic}",
    "Workshop: {topic}",
    "Webinar: {topic}",
    "National conference on digital skills and jobs",
    "Study visit on {topic}",
];

const SPEAKERS: &[(&str, &str)] = &[
    ("Anna Petrosyan", "Ministry of High-Tech Industry"),
    ("Giorgi Beridze", "Tbilisi State University"),
    ("Olena Kovalenko", "Ministry of Digital Transformation"),
    ("Ion Rusu", "Moldovan ICT Association"),
    (
        "Līga Ozola",
        "Latvian Information and Communications Technology Association",
    ),
    ("Marta Nowak", "Digital Poland Foundation"),
    ("João Silva", "INCoDe.2030"),
    ("Sophie Martin", "EU4Digital Facility"),
];

fn titles(language: &str) -> &'static [&'static str; 5] {
    TITLES
        .iter()
        .find(|(l, _)| *l == language)
        .map(|(_, t)| t)
        .unwrap_or(&TITLES[0].1)
}

/// Journal bulk-created records as created by the system (fields are not itemised).
fn journal_created(
    conn: &mut DbConnection,
    record_type: journal::RecordType,
    ids: impl IntoIterator<Item = String>,
) -> Result<(), ApiError> {
    let entries = ids
        .into_iter()
        .map(|id| journal::Entry {
            record_type,
            record_id: id,
            action: journal::Action::Created,
            version: Some(1),
            changed: Vec::new(),
        })
        .collect();
    journal::record(conn, &journal::Actor::system(), entries)
}

/// The ids of rows built for `insert_rows` (the first column).
fn ids_of(rows: &[Vec<Value>]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| match r.first() {
            Some(Value::Text(id)) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

/// Load the demo data set (real records plus `scale` initiatives and `scale / 4` events).
pub fn seed_demo(db: &Database, scale: usize) -> Result<DemoReport, ApiError> {
    let mut report = DemoReport::default();
    let mut rng = StdRng::seed_from_u64(2017);
    let (coalitions, organisations) = db.write_blocking(|conn| coalitions_and_members(conn, &mut report))?;
    db.write_blocking(|conn| real_events(conn, &coalitions, &mut report))?;

    let bar = ProgressBar::new((scale + scale / 4) as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("initiatives");
    let places: HashMap<&str, (&str, &str, &str)> =
        PLACES.iter().map(|(c, l, city, tz)| (*c, (*l, *city, *tz))).collect();
    let owners: Vec<(&String, &String)> = coalitions.iter().collect();
    let mut done = 0;
    while done < scale {
        let batch = (scale - done).min(1000);
        db.write_blocking(|conn| generate_initiatives(conn, &mut rng, batch, &owners, &organisations, &places))?;
        done += batch;
        report.initiatives += batch;
        bar.inc(batch as u64);
    }
    bar.set_message("events");
    let events = scale / 4;
    let mut done = 0;
    while done < events {
        let batch = (events - done).min(1000);
        db.write_blocking(|conn| generate_trainings(conn, &mut rng, batch, &owners, &organisations, &places))?;
        done += batch;
        report.trainings += batch;
        bar.inc(batch as u64);
    }
    bar.finish_with_message("done");
    // A bulk load changes the data's shape: give the planner fresh statistics.
    db.analyze()
        .map_err(|e| ApiError::Internal(format!("ANALYZE failed: {e}")))?;
    Ok(report)
}

/// A coalition per place (reusing an active one when the country has it), with a coordinator
/// and a few members. Returns country → coalition id, and coalition id → organisation ids.
#[allow(clippy::type_complexity)]
fn coalitions_and_members(
    conn: &mut DbConnection,
    report: &mut DemoReport,
) -> Result<(HashMap<String, String>, HashMap<String, Vec<String>>), ApiError> {
    let known: HashMap<&str, (&str, Option<&str>, &str, Option<&str>)> = [
        // (name, native name, status, founded) where public facts are known
        (
            "AM",
            (
                "Armenian National Coalition for Digital Skills and Jobs",
                None,
                "established",
                Some("2017"),
            ),
        ),
        (
            "UA",
            (
                "Digital Skills and Jobs Coalition of Ukraine",
                Some("Коаліція цифрових навичок і робочих місць України"),
                "established",
                Some("2019"),
            ),
        ),
    ]
    .into_iter()
    .collect();
    let stamp = now();
    let mut coalitions = HashMap::new();
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    for (code, _, city, _) in PLACES {
        let mut existing =
            Sql::new("SELECT id AS value FROM coalitions WHERE status <> 'inactive' AND country_code = ");
        existing.bind(Value::Text(code.to_string()));
        if let Some(row) = existing.load::<TextRow>(conn)?.pop() {
            let mut orgs = Sql::new("SELECT organisation_id AS value FROM memberships WHERE coalition_id = ");
            orgs.bind(Value::Text(row.value.clone()));
            members.insert(
                row.value.clone(),
                orgs.load::<TextRow>(conn)?.into_iter().map(|r| r.value).collect(),
            );
            coalitions.insert(code.to_string(), row.value);
            continue;
        }
        let country: String = {
            let mut sql = Sql::new("SELECT name AS value FROM countries WHERE code = ");
            sql.bind(Value::Text(code.to_string()));
            sql.load::<TextRow>(conn)?
                .pop()
                .map(|r| r.value)
                .unwrap_or_else(|| code.to_string())
        };
        let (name, native, status, founded) = known.get(code).copied().unwrap_or(("", None, "established", None));
        let name = if name.is_empty() {
            format!("{country} National Coalition for Digital Skills and Jobs")
        } else {
            name.to_string()
        };
        let org_names = [
            (
                format!("Ministry responsible for digital affairs ({country})"),
                "public",
                "coordinator",
            ),
            (format!("{country} ICT Association"), "private", "member"),
            (format!("University of {city}"), "education", "member"),
            (format!("{country} Digital Skills NGO"), "ngo", "member"),
            (format!("{country} Chamber of Commerce"), "social_partner", "observer"),
        ];
        let org_ids: Vec<String> = org_names.iter().map(|_| records::new_id()).collect();
        insert_rows(
            conn,
            "organisations",
            &[
                "id",
                "name",
                "sector",
                "country_code",
                "search_text",
                "version",
                "created_at",
                "updated_at",
            ],
            org_names
                .iter()
                .zip(&org_ids)
                .map(|((name, sector, _), id)| {
                    vec![
                        Value::Text(id.clone()),
                        Value::Text(name.clone()),
                        Value::Text(sector.to_string()),
                        Value::Text(code.to_string()),
                        Value::Text(name.to_lowercase()),
                        Value::Int(1),
                        Value::Timestamp(stamp),
                        Value::Timestamp(stamp),
                    ]
                })
                .collect(),
        )?;
        let id = records::new_id();
        insert_rows(
            conn,
            "coalitions",
            &[
                "id",
                "country_code",
                "name",
                "native_name",
                "status",
                "founded",
                "coordinator_id",
                "search_text",
                "version",
                "created_at",
                "updated_at",
            ],
            vec![vec![
                Value::Text(id.clone()),
                Value::Text(code.to_string()),
                Value::Text(name.clone()),
                Value::opt_text(native.map(String::from)),
                Value::Text(status.to_string()),
                Value::opt_text(founded.map(String::from)),
                Value::Text(org_ids[0].clone()),
                Value::Text(records::search_text(&[Some(&name), native])),
                Value::Int(1),
                Value::Timestamp(stamp),
                Value::Timestamp(stamp),
            ]],
        )?;
        let areas = [
            ActivityArea::DigitalSkillsForAll,
            ActivityArea::LabourForce,
            ActivityArea::IctProfessionals,
            ActivityArea::Education,
        ];
        insert_rows(
            conn,
            "coalition_activity_areas",
            &["coalition_id", "area"],
            areas
                .iter()
                .map(|a| vec![Value::Text(id.clone()), Value::Text(a.as_str().into())])
                .collect(),
        )?;
        let membership_ids: Vec<String> = org_ids.iter().map(|_| records::new_id()).collect();
        journal_created(conn, journal::RecordType::Membership, membership_ids.iter().cloned())?;
        insert_rows(
            conn,
            "memberships",
            &[
                "id",
                "coalition_id",
                "organisation_id",
                "role",
                "version",
                "created_at",
                "updated_at",
            ],
            org_names
                .iter()
                .zip(&org_ids)
                .zip(&membership_ids)
                .map(|(((_, _, role), org), membership)| {
                    vec![
                        Value::Text(membership.clone()),
                        Value::Text(id.clone()),
                        Value::Text(org.clone()),
                        Value::Text(role.to_string()),
                        Value::Int(1),
                        Value::Timestamp(stamp),
                        Value::Timestamp(stamp),
                    ]
                })
                .collect(),
        )?;
        journal_created(conn, journal::RecordType::Organisation, org_ids.iter().cloned())?;
        journal_created(conn, journal::RecordType::Coalition, [id.clone()])?;
        report.coalitions += 1;
        report.organisations += org_ids.len();
        members.insert(id.clone(), org_ids);
        coalitions.insert(code.to_string(), id);
    }
    Ok((coalitions, members))
}

/// `hour` o'clock local time in `zone` on `day`, as stored (UTC).
fn at(day: NaiveDate, hour: u32, zone: chrono_tz::Tz) -> NaiveDateTime {
    let local = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&local)
        .single()
        .map(|t| t.naive_utc())
        .unwrap_or(local)
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// The events the brief names, once each (recognised by their external ids).
fn real_events(
    conn: &mut DbConnection,
    coalitions: &HashMap<String, String>,
    report: &mut DemoReport,
) -> Result<(), ApiError> {
    if crate::kernel::read::find_by::<crate::resources::trainings::resource::Trainings>(
        conn,
        "external_id",
        "demo:eu4digital-2020-07-13",
    )?
    .is_some()
    {
        return Ok(());
    }
    let stamp = now();
    let facility = records::new_id();
    insert_rows(
        conn,
        "organisations",
        &[
            "id",
            "name",
            "acronym",
            "sector",
            "description",
            "search_text",
            "version",
            "created_at",
            "updated_at",
        ],
        vec![vec![
            Value::Text(facility.clone()),
            Value::Text("EU4Digital Facility".into()),
            Value::Text("EU4Digital".into()),
            Value::Text("international".into()),
            Value::Text(
                "EU-funded facility supporting the digital economy and society in the Eastern Partnership countries"
                    .into(),
            ),
            Value::Text("eu4digital facility\neu4digital".into()),
            Value::Int(1),
            Value::Timestamp(stamp),
            Value::Timestamp(stamp),
        ]],
    )?;
    report.organisations += 1;
    let brussels = chrono_tz::Europe::Brussels;
    let training = records::new_id();
    let workshop = records::new_id();
    let armenia = coalitions.get("AM").cloned();
    insert_rows(
        conn,
        "trainings",
        &[
            "id", "coalition_id", "title", "description", "kind", "format", "starts_at", "ends_at", "timezone", "city",
            "country_code", "organiser_id", "participants", "participants_note", "publication", "external_id", "version",
            "created_at", "updated_at",
        ],
        vec![
            vec![
                Value::Text(training.clone()),
                Value::NullText,
                Value::Text("Virtual training: setting up National Coalitions for Digital Skills and Jobs".into()),
                Value::Text("Online training for representatives of the six Eastern Partnership countries on how to set up and run a National Coalition for Digital Skills and Jobs. (Times are illustrative; the date is the event's.)".into()),
                Value::Text("training".into()),
                Value::Text("online".into()),
                Value::Timestamp(at(ymd(2020, 7, 13), 10, brussels)),
                Value::Timestamp(at(ymd(2020, 7, 13), 13, brussels)),
                Value::Text("Europe/Brussels".into()),
                Value::NullText,
                Value::NullText,
                Value::Text(facility.clone()),
                Value::Int(30),
                Value::Text("30+".into()),
                Value::Text("published".into()),
                Value::Text("demo:eu4digital-2020-07-13".into()),
                Value::Int(1),
                Value::Timestamp(stamp),
                Value::Timestamp(stamp),
            ],
            vec![
                Value::Text(workshop.clone()),
                Value::NullText,
                Value::Text("Half-day workshop with National Coalition representatives from across Europe".into()),
                Value::Text("Exchange of practices between National Coalitions for Digital Skills and Jobs. (Date illustrative.)".into()),
                Value::Text("workshop".into()),
                Value::Text("in_person".into()),
                Value::Timestamp(at(ymd(2019, 11, 14), 9, brussels)),
                Value::Timestamp(at(ymd(2019, 11, 14), 13, brussels)),
                Value::Text("Europe/Brussels".into()),
                Value::Text("Brussels".into()),
                Value::Text("BE".into()),
                Value::NullText,
                Value::Int(40),
                Value::Text("40+".into()),
                Value::Text("published".into()),
                Value::Text("demo:coalitions-workshop".into()),
                Value::Int(1),
                Value::Timestamp(stamp),
                Value::Timestamp(stamp),
            ],
        ],
    )?;
    let eap = ["AM", "AZ", "BY", "GE", "MD", "UA"];
    let mut audience: Vec<Vec<Value>> = eap
        .iter()
        .map(|c| vec![Value::Text(training.clone()), Value::Text(c.to_string())])
        .collect();
    audience.extend(
        coalitions
            .keys()
            .filter(|c| !eap.contains(&c.as_str()))
            .map(|c| vec![Value::Text(workshop.clone()), Value::Text(c.clone())]),
    );
    insert_rows(
        conn,
        "training_audience_countries",
        &["training_id", "country_code"],
        audience,
    )?;
    insert_rows(
        conn,
        "training_activity_areas",
        &["training_id", "area"],
        vec![
            vec![
                Value::Text(training.clone()),
                Value::Text("digital_skills_for_all".into()),
            ],
            vec![Value::Text(workshop.clone()), Value::Text("labour_force".into())],
        ],
    )?;
    insert_rows(
        conn,
        "training_themes",
        &["training_id", "theme"],
        vec![
            vec![Value::Text(training.clone()), Value::Text("national_strategy".into())],
            vec![Value::Text(workshop.clone()), Value::Text("national_strategy".into())],
        ],
    )?;
    insert_rows(
        conn,
        "training_languages",
        &["training_id", "language"],
        vec![
            vec![Value::Text(training.clone()), Value::Text("en".into())],
            vec![Value::Text(workshop.clone()), Value::Text("en".into())],
        ],
    )?;
    if let Some(armenia) = armenia {
        let mut sql = Sql::new("UPDATE coalitions SET description = ");
        sql.bind(Value::Text("Multi-stakeholder partnership of government, business, education and civil society, set up in 2017 to close the digital skills gap in Armenia.".into()));
        sql.push(" WHERE id = ");
        sql.bind(Value::Text(armenia));
        sql.execute(conn)?;
    }
    journal_created(conn, journal::RecordType::Organisation, [facility])?;
    journal_created(conn, journal::RecordType::Training, [training, workshop])?;
    report.trainings += 2;
    Ok(())
}

fn generate_initiatives(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    count: usize,
    owners: &[(&String, &String)],
    members: &HashMap<String, Vec<String>>,
    places: &HashMap<&str, (&str, &str, &str)>,
) -> Result<(), ApiError> {
    let stamp = now();
    let today = Utc::now().date_naive();
    let mut rows = Vec::with_capacity(count);
    let (mut areas, mut themes, mut groups, mut countries, mut participants) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..count {
        let (country, coalition) = owners[rng.random_range(0..owners.len())];
        let (language, city, _) = places.get(country.as_str()).copied().unwrap_or(("en", "", "UTC"));
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
        let title = format!("{} {} {}", titles(language)[topic], city, start.format("%Y"));
        let id = records::new_id();
        rows.push(vec![
            Value::Text(id.clone()),
            Value::Text(coalition.clone()),
            Value::Text(title),
            Value::Text(format!("{} — {}", titles("en")[topic], city)),
            Value::Text(format!(
                "Initiative of the national coalition, based in {city}: {}. Generated demo data.",
                titles("en")[topic].to_lowercase()
            )),
            Value::Text(
                [Sphere::Local, Sphere::Regional, Sphere::National, Sphere::International][rng.random_range(0..4)]
                    .as_str()
                    .into(),
            ),
            Value::Text(status.as_str().into()),
            Value::Date(start),
            Value::opt_date(end),
            Value::Text(if rng.random_bool(0.9) { "published" } else { "draft" }.into()),
            Value::Int(1),
            Value::Timestamp(stamp),
            Value::Timestamp(stamp),
        ]);
        areas.push(vec![Value::Text(id.clone()), Value::Text(area.as_str().into())]);
        if rng.random_bool(0.3) && area != ActivityArea::DigitalSkillsForAll {
            areas.push(vec![
                Value::Text(id.clone()),
                Value::Text(ActivityArea::DigitalSkillsForAll.as_str().into()),
            ]);
        }
        themes.push(vec![Value::Text(id.clone()), Value::Text(theme.as_str().into())]);
        groups.push(vec![Value::Text(id.clone()), Value::Text(group.as_str().into())]);
        countries.push(vec![Value::Text(id.clone()), Value::Text(country.clone())]);
        if let Some(orgs) = members.get(coalition.as_str()) {
            if let Some(lead) = orgs.choose(rng) {
                participants.push(vec![
                    Value::Text(id.clone()),
                    Value::Text(lead.clone()),
                    Value::Text("lead".into()),
                ]);
            }
        }
    }
    journal_created(conn, journal::RecordType::Initiative, ids_of(&rows))?;
    insert_rows(
        conn,
        "initiatives",
        &[
            "id",
            "coalition_id",
            "title",
            "summary",
            "description",
            "sphere",
            "status",
            "start_date",
            "end_date",
            "publication",
            "version",
            "created_at",
            "updated_at",
        ],
        rows,
    )?;
    insert_rows(conn, "initiative_activity_areas", &["initiative_id", "area"], areas)?;
    insert_rows(conn, "initiative_themes", &["initiative_id", "theme"], themes)?;
    insert_rows(
        conn,
        "initiative_target_groups",
        &["initiative_id", "target_group"],
        groups,
    )?;
    insert_rows(
        conn,
        "initiative_countries",
        &["initiative_id", "country_code"],
        countries,
    )?;
    insert_rows(
        conn,
        "initiative_organisations",
        &["initiative_id", "organisation_id", "role"],
        participants,
    )?;
    Ok(())
}

fn generate_trainings(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    count: usize,
    owners: &[(&String, &String)],
    members: &HashMap<String, Vec<String>>,
    places: &HashMap<&str, (&str, &str, &str)>,
) -> Result<(), ApiError> {
    let stamp = now();
    let kinds = [
        EventKind::Training,
        EventKind::Workshop,
        EventKind::Webinar,
        EventKind::Conference,
        EventKind::StudyVisit,
    ];
    let formats = [EventFormat::Online, EventFormat::InPerson, EventFormat::Hybrid];
    let mut rows = Vec::with_capacity(count);
    let (mut areas, mut themes, mut langs, mut speakers) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..count {
        let (country, coalition) = owners[rng.random_range(0..owners.len())];
        let (language, city, zone) = places.get(country.as_str()).copied().unwrap_or(("en", "", "UTC"));
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
        let starts = at(day, rng.random_range(9..15), tz);
        let hours = match kind {
            EventKind::Conference | EventKind::StudyVisit => 24 * rng.random_range(1..3) + 8,
            _ => rng.random_range(1..5),
        };
        let participants = rng.random_range(10..250);
        let platform = rng.random_bool(0.05);
        let id = records::new_id();
        let title = EVENT_TITLES[kind_index].replace("{topic}", &titles(language)[topic].to_lowercase());
        rows.push(vec![
            Value::Text(id.clone()),
            if platform {
                Value::NullText
            } else {
                Value::Text(coalition.clone())
            },
            Value::Text(title),
            Value::Text(format!("{} in {city}. Generated demo data.", titles("en")[topic])),
            Value::Text(kind.as_str().into()),
            Value::Text(format.as_str().into()),
            Value::Timestamp(starts),
            Value::Timestamp(starts + Duration::hours(hours)),
            Value::Text(zone.into()),
            if format == EventFormat::Online {
                Value::NullText
            } else {
                Value::Text(city.into())
            },
            Value::Text(country.clone()),
            members
                .get(coalition.as_str())
                .and_then(|m| m.choose(rng))
                .map_or(Value::NullText, |o| Value::Text(o.clone())),
            Value::Int(participants),
            Value::opt_text(rng.random_bool(0.3).then(|| format!("{}+", participants / 10 * 10))),
            Value::Text(if rng.random_bool(0.9) { "published" } else { "draft" }.into()),
            Value::Int(1),
            Value::Timestamp(stamp),
            Value::Timestamp(stamp),
        ]);
        areas.push(vec![Value::Text(id.clone()), Value::Text(area.as_str().into())]);
        themes.push(vec![Value::Text(id.clone()), Value::Text(theme.as_str().into())]);
        langs.push(vec![Value::Text(id.clone()), Value::Text(language.into())]);
        if language != "en" && rng.random_bool(0.4) {
            langs.push(vec![Value::Text(id.clone()), Value::Text("en".into())]);
        }
        for position in 0..rng.random_range(0..3) {
            if let Some((name, affiliation)) = SPEAKERS.choose(rng) {
                speakers.push(vec![
                    Value::Text(id.clone()),
                    Value::Int(position),
                    Value::Text(name.to_string()),
                    Value::Text(affiliation.to_string()),
                ]);
            }
        }
    }
    journal_created(conn, journal::RecordType::Training, ids_of(&rows))?;
    insert_rows(
        conn,
        "trainings",
        &[
            "id",
            "coalition_id",
            "title",
            "description",
            "kind",
            "format",
            "starts_at",
            "ends_at",
            "timezone",
            "city",
            "country_code",
            "organiser_id",
            "participants",
            "participants_note",
            "publication",
            "version",
            "created_at",
            "updated_at",
        ],
        rows,
    )?;
    insert_rows(conn, "training_activity_areas", &["training_id", "area"], areas)?;
    insert_rows(conn, "training_themes", &["training_id", "theme"], themes)?;
    insert_rows(conn, "training_languages", &["training_id", "language"], langs)?;
    insert_rows(
        conn,
        "training_speakers",
        &["training_id", "position", "name", "affiliation"],
        speakers,
    )?;
    Ok(())
}

//! Queries over trainings: lists with every filter, a fixed number of queries per page, writes.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::filters::TrainingFilters;
use super::model::{Speaker, Training, TrainingRow};
use super::{TRAININGS, TRAINING_AREAS, TRAINING_AUDIENCE, TRAINING_LANGUAGES, TRAINING_THEMES};
use crate::http::error::ApiError;
use crate::kernel::{records, Resource};
use crate::resources::coalitions::resource::Coalitions;
use crate::resources::organisations::resource::Organisations;
use crate::resources::vocabularies::{ActivityArea, EventFormat, EventKind, Publication, Theme};
use crate::store::decode;
use crate::store::sql::{load_sets, Sql, Value};
use crate::store::DbConnection;
use crate::texts;

/// What to embed in each training.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    /// the organising coalition
    pub coalition: bool,
    /// the organiser's record
    pub organiser: bool,
}

impl Include {
    /// Parse `include=coalition,organiser`.
    pub fn parse(raw: Option<&str>) -> Result<Include, ApiError> {
        let names = records::includes(raw, &["coalition", "organiser"])?;
        Ok(Include {
            coalition: names.contains(&"coalition"),
            organiser: names.contains(&"organiser"),
        })
    }
}

fn languages(raw: &[String]) -> Result<Vec<Value>, ApiError> {
    raw.iter()
        .map(|l| {
            let l = l.to_ascii_lowercase();
            if l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()) {
                Ok(Value::Text(l))
            } else {
                Err(ApiError::bad_param(
                    "language",
                    "invalid_value",
                    format!("`{l}` is not an ISO 639-1 code"),
                ))
            }
        })
        .collect()
}

/// The conditions of a list's filters (visibility and `q` are added by `content::page`).
pub fn conditions(f: &TrainingFilters) -> Result<Vec<Sql>, ApiError> {
    let mut c: Vec<Sql> = Vec::new();
    // Set filters are combined into one condition (see `SetFilters`).
    let mut sets = records::SetFilters::new(&TRAININGS);
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if to < from {
            return Err(ApiError::bad_param("to", "before_from", "must not be before `from`"));
        }
    }
    if let Some(from) = f.from {
        let mut sql = Sql::new("t.ends_at >= ");
        sql.bind(Value::Timestamp(from.and_hms_opt(0, 0, 0).unwrap_or_default()));
        c.push(sql);
    }
    if let Some(to) = f.to {
        let mut sql = Sql::new("t.starts_at < ");
        sql.bind(Value::Timestamp(
            (to + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default(),
        ));
        c.push(sql);
    }
    if let Some(upcoming) = f.upcoming {
        let mut sql = Sql::new(if upcoming { "t.ends_at >= " } else { "t.ends_at < " });
        sql.bind(Value::Timestamp(Utc::now().naive_utc()));
        c.push(sql);
    }
    if !f.country.is_empty() {
        let codes = records::country_codes("country", &f.country)?;
        let mut sql = Sql::new("t.country_code IN ");
        sql.bind_list(codes.clone());
        sql.push(" OR ");
        sql.append(&records::in_link_table(&TRAININGS, &TRAINING_AUDIENCE, codes));
        c.push(sql);
    }
    if !f.coalition.is_empty() {
        let mut sql = Sql::new("t.coalition_id IN ");
        sql.bind_list(records::ids("coalition", &f.coalition)?);
        c.push(sql);
    }
    if let Some(platform) = f.platform {
        c.push(Sql::new(if platform {
            "t.coalition_id IS NULL"
        } else {
            "t.coalition_id IS NOT NULL"
        }));
    }
    if !f.kind.is_empty() {
        let mut sql = Sql::new("t.kind IN ");
        sql.bind_list(records::codes(&f.kind, EventKind::as_str));
        c.push(sql);
    }
    if !f.format.is_empty() {
        let mut sql = Sql::new("t.format IN ");
        sql.bind_list(records::codes(&f.format, EventFormat::as_str));
        c.push(sql);
    }
    sets.add(&TRAINING_AREAS, records::codes(&f.activity_area, ActivityArea::as_str));
    sets.add(&TRAINING_THEMES, records::codes(&f.theme, Theme::as_str));
    sets.add(&TRAINING_LANGUAGES, languages(&f.language)?);
    if !f.organiser.is_empty() {
        let mut sql = Sql::new("t.organiser_id IN ");
        sql.bind_list(records::ids("organiser", &f.organiser)?);
        c.push(sql);
    }
    if let Some(publication) = f.publication {
        let mut sql = Sql::new("t.publication = ");
        sql.bind(Value::Text(publication.as_str().into()));
        c.push(sql);
    }
    c.extend(texts::language_filter("t", "text_language", &f.text_language)?);
    c.extend(records::updated_since("t.updated_at", f.updated_since));
    c.extend(sets.condition());
    Ok(c)
}

#[derive(QueryableByName)]
struct SpeakerRow {
    #[diesel(sql_type = Text)]
    training_id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    affiliation: Option<String>,
    #[allow(dead_code)]
    #[diesel(sql_type = BigInt)]
    position: i64,
}

fn load_speakers(conn: &mut DbConnection, ids: &[String]) -> Result<HashMap<String, Vec<Speaker>>, ApiError> {
    let mut speakers: HashMap<String, Vec<Speaker>> = HashMap::new();
    if ids.is_empty() {
        return Ok(speakers);
    }
    let mut sql = Sql::new(
        "SELECT training_id, name, affiliation, CAST(position AS BIGINT) AS position FROM training_speakers WHERE training_id IN ",
    );
    sql.bind_list(ids.iter().map(|id| Value::Text(id.clone())));
    sql.push(" ORDER BY training_id, position");
    for row in sql.load::<SpeakerRow>(conn)? {
        speakers.entry(row.training_id).or_default().push(Speaker {
            name: row.name,
            affiliation: row.affiliation,
        });
    }
    Ok(speakers)
}

/// Rows with their sets and speakers (rendering documents from the tables): five queries.
pub fn assemble(conn: &mut DbConnection, rows: Vec<TrainingRow>) -> Result<Vec<Training>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut audience = load_sets(conn, &TRAINING_AUDIENCE, &ids)?;
    let mut areas = load_sets(conn, &TRAINING_AREAS, &ids)?;
    let mut themes = load_sets(conn, &TRAINING_THEMES, &ids)?;
    let mut langs = load_sets(conn, &TRAINING_LANGUAGES, &ids)?;
    let mut speakers = load_speakers(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let id = row.id.clone();
            let mut texts = texts::Stored::parse(&row.texts)?;
            Ok(Training {
                activity_areas: decode::terms(&areas.remove(&id).unwrap_or_default(), ActivityArea::parse)?,
                themes: decode::terms(&themes.remove(&id).unwrap_or_default(), Theme::parse)?,
                kind: decode::term(&row.kind, EventKind::parse)?,
                format: decode::term(&row.format, EventFormat::parse)?,
                publication: decode::term(&row.publication, Publication::parse)?,
                audience_countries: audience.remove(&id).unwrap_or_default(),
                speakers: speakers.remove(&id).unwrap_or_default(),
                languages: langs.remove(&id).unwrap_or_default(),
                id,
                coalition_id: row.coalition_id,
                title: texts.take("title")?,
                description: texts.take("description")?,
                original_language: row.original_language,
                starts_at: records::utc(row.starts_at),
                ends_at: records::utc(row.ends_at),
                timezone: row.timezone,
                city: row.city,
                country_code: row.country_code,
                organiser_id: row.organiser_id,
                participants: row.participants,
                participants_note: row.participants_note,
                registration_url: row.registration_url,
                external_id: row.external_id,
                version: row.version,
                created_at: records::utc(row.created_at),
                updated_at: records::utc(row.updated_at),
                coalition: None,
                organiser: None,
            })
        })
        .collect()
}

/// Embed the records asked for: one query per embedded kind.
pub fn embed(conn: &mut DbConnection, trainings: &mut [Training], include: Include) -> Result<(), ApiError> {
    if include.coalition {
        let ids: Vec<String> = trainings.iter().filter_map(|t| t.coalition_id.clone()).collect();
        let found = Coalitions::load_many(conn, &ids)?;
        for t in trainings.iter_mut() {
            t.coalition = t.coalition_id.as_ref().and_then(|c| found.get(c).cloned());
        }
    }
    if include.organiser {
        let ids: Vec<String> = trainings.iter().filter_map(|t| t.organiser_id.clone()).collect();
        let found = Organisations::load_many(conn, &ids)?;
        for t in trainings.iter_mut() {
            t.organiser = t.organiser_id.as_ref().and_then(|o| found.get(o).cloned());
        }
    }
    Ok(())
}

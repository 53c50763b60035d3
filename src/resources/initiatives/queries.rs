//! Queries over initiatives: lists with every filter, a fixed number of queries per page
//! (rows, count, one per set, one per embedded kind), and writes.

use super::filters::InitiativeFilters;
use super::model::{Initiative, InitiativeRow, Participant};
use super::{
    INITIATIVES, INITIATIVE_AREAS, INITIATIVE_COUNTRIES, INITIATIVE_GROUPS, INITIATIVE_ORGANISATIONS, INITIATIVE_THEMES,
};
use crate::http::error::ApiError;
use crate::kernel::{records, Resource};
use crate::resources::coalitions::resource::Coalitions;
use crate::resources::organisations::resource::Organisations;
use crate::resources::vocabularies::{
    ActivityArea, InitiativeStatus, ParticipationRole, Publication, Sphere, TargetGroup, Theme,
};
use crate::store::decode;
use crate::store::sql::{load_sets, load_sets_of, Sql, Value};
use crate::store::DbConnection;
use crate::texts;

/// What to embed in each initiative.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    /// the owning coalition
    pub coalition: bool,
    /// each participating organisation's record
    pub organisations: bool,
}

impl Include {
    /// Parse `include=coalition,organisations`.
    pub fn parse(raw: Option<&str>) -> Result<Include, ApiError> {
        let names = records::includes(raw, &["coalition", "organisations"])?;
        Ok(Include {
            coalition: names.contains(&"coalition"),
            organisations: names.contains(&"organisations"),
        })
    }
}

/// The conditions of a list's filters (visibility and `q` are added by `content::page`).
pub fn conditions(f: &InitiativeFilters) -> Result<Vec<Sql>, ApiError> {
    let mut c: Vec<Sql> = Vec::new();
    // Set filters are combined into one condition (see `SetFilters`).
    let mut sets = records::SetFilters::new(&INITIATIVES);
    sets.add(&INITIATIVE_COUNTRIES, records::country_codes("country", &f.country)?);
    if !f.coalition.is_empty() {
        let mut sql = Sql::new("i.coalition_id IN ");
        sql.bind_list(records::ids("coalition", &f.coalition)?);
        c.push(sql);
    }
    sets.add(
        &INITIATIVE_AREAS,
        records::codes(&f.activity_area, ActivityArea::as_str),
    );
    sets.add(&INITIATIVE_THEMES, records::codes(&f.theme, Theme::as_str));
    sets.add(&INITIATIVE_GROUPS, records::codes(&f.target_group, TargetGroup::as_str));
    sets.add(
        &INITIATIVE_ORGANISATIONS,
        records::ids("organisation", &f.organisation)?,
    );
    if !f.status.is_empty() {
        let mut sql = Sql::new("i.status IN ");
        sql.bind_list(records::codes(&f.status, InitiativeStatus::as_str));
        c.push(sql);
    }
    if !f.sphere.is_empty() {
        let mut sql = Sql::new("i.sphere IN ");
        sql.bind_list(records::codes(&f.sphere, Sphere::as_str));
        c.push(sql);
    }
    if let Some(publication) = f.publication {
        let mut sql = Sql::new("i.publication = ");
        sql.bind(Value::Text(publication.as_str().into()));
        c.push(sql);
    }
    if let Some(day) = f.active_on {
        let mut sql = Sql::new("i.start_date <= ");
        sql.bind(Value::Date(day));
        sql.push(" AND (i.end_date IS NULL OR i.end_date >= ");
        sql.bind(Value::Date(day));
        sql.push(")");
        c.push(sql);
    }
    if let Some(day) = f.start_from {
        let mut sql = Sql::new("i.start_date >= ");
        sql.bind(Value::Date(day));
        c.push(sql);
    }
    if let Some(day) = f.start_to {
        let mut sql = Sql::new("i.start_date <= ");
        sql.bind(Value::Date(day));
        c.push(sql);
    }
    c.extend(texts::language_filter("i", "language", &f.language)?);
    c.extend(records::updated_since("i.updated_at", f.updated_since));
    c.extend(sets.condition());
    Ok(c)
}

/// Rows with their sets (rendering documents from the tables): five set queries.
pub fn assemble(conn: &mut DbConnection, rows: Vec<InitiativeRow>) -> Result<Vec<Initiative>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut areas = load_sets(conn, &INITIATIVE_AREAS, &ids)?;
    let mut themes = load_sets(conn, &INITIATIVE_THEMES, &ids)?;
    let mut groups = load_sets(conn, &INITIATIVE_GROUPS, &ids)?;
    let mut countries = load_sets(conn, &INITIATIVE_COUNTRIES, &ids)?;
    // One query for the participants: each as `role:organisation_id`.
    let mut participants = load_sets_of(conn, &INITIATIVE_ORGANISATIONS, "role || ':' || organisation_id", &ids)?;
    rows.into_iter()
        .map(|row| {
            let id = row.id.clone();
            to_dto(
                row,
                areas.remove(&id).unwrap_or_default(),
                themes.remove(&id).unwrap_or_default(),
                groups.remove(&id).unwrap_or_default(),
                countries.remove(&id).unwrap_or_default(),
                participants.remove(&id).unwrap_or_default(),
            )
        })
        .collect()
}

/// Embed the records asked for: one query per embedded kind.
pub fn embed(conn: &mut DbConnection, initiatives: &mut [Initiative], include: Include) -> Result<(), ApiError> {
    if include.coalition {
        let ids: Vec<String> = initiatives.iter().map(|i| i.coalition_id.clone()).collect();
        let found = Coalitions::load_many(conn, &ids)?;
        for i in initiatives.iter_mut() {
            i.coalition = found.get(&i.coalition_id).cloned();
        }
    }
    if include.organisations {
        let ids: Vec<String> = initiatives
            .iter()
            .flat_map(|i| i.organisations.iter().map(|p| p.organisation_id.clone()))
            .collect();
        let found = Organisations::load_many(conn, &ids)?;
        for p in initiatives.iter_mut().flat_map(|i| i.organisations.iter_mut()) {
            p.organisation = found.get(&p.organisation_id).cloned();
        }
    }
    Ok(())
}

fn to_dto(
    row: InitiativeRow,
    areas: Vec<String>,
    themes: Vec<String>,
    groups: Vec<String>,
    countries: Vec<String>,
    participants: Vec<String>,
) -> Result<Initiative, ApiError> {
    let mut organisations = participants
        .iter()
        .map(|p| {
            let (role, id) = p
                .split_once(':')
                .ok_or_else(|| ApiError::Internal(format!("corrupt participant `{p}`")))?;
            Ok(Participant {
                organisation_id: id.to_string(),
                role: decode::term(role, ParticipationRole::parse)?,
                organisation: None,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    organisations.sort_by(|a, b| (a.role, &a.organisation_id).cmp(&(b.role, &b.organisation_id)));
    let mut texts = texts::Stored::parse(&row.texts)?;
    Ok(Initiative {
        sphere: decode::term(&row.sphere, Sphere::parse)?,
        status: decode::term(&row.status, InitiativeStatus::parse)?,
        publication: decode::term(&row.publication, Publication::parse)?,
        id: row.id,
        coalition_id: row.coalition_id,
        title: texts.take("title")?,
        summary: texts.take("summary")?,
        description: texts.take("description")?,
        original_language: row.original_language,
        activity_areas: decode::terms(&areas, ActivityArea::parse)?,
        themes: decode::terms(&themes, Theme::parse)?,
        target_groups: decode::terms(&groups, TargetGroup::parse)?,
        countries,
        start_date: row.start_date,
        end_date: row.end_date,
        website: row.website,
        organisations,
        funding: row.funding,
        external_id: row.external_id,
        version: row.version,
        created_at: records::utc(row.created_at),
        updated_at: records::utc(row.updated_at),
        coalition: None,
    })
}

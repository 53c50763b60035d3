//! Queries over initiatives: lists with every filter, a fixed number of queries per page
//! (rows, count, one per set, one per embedded kind), and writes.

use diesel::prelude::*;

use super::model::{Initiative, InitiativeFilters, InitiativeInput, InitiativeRow, Participant, COLUMNS};
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::paging::{ListQuery, ListRequest, Listed};
use crate::kernel::records;
use crate::resources::content;
use crate::resources::vocabularies::{
    ActivityArea, InitiativeStatus, ParticipationRole, Publication, Sphere, TargetGroup, Theme,
};
use crate::store::journal::{self, Actor};
use crate::store::schema::initiatives;
use crate::store::sql::{load_sets, replace_set, Sql, Value};
use crate::store::{now, DbConnection};
use crate::{resources::coalitions, resources::organisations};

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

fn in_set(table: &str, column: &str, values: Vec<Value>) -> Sql {
    records::in_link_table("i.id", table, "initiative_id", column, values)
}

/// The conditions of a list, the caller's visibility included.
fn conditions(
    conn: &DbConnection,
    caller: &Caller,
    f: &InitiativeFilters,
    q: Option<&str>,
) -> Result<Vec<Sql>, ApiError> {
    let mut c: Vec<Sql> = content::visible_to(caller, "i").into_iter().collect();
    if !f.country.is_empty() {
        c.push(in_set(
            "initiative_countries",
            "country_code",
            records::country_codes("country", &f.country)?,
        ));
    }
    if !f.coalition.is_empty() {
        let mut sql = Sql::new("i.coalition_id IN ");
        sql.bind_list(records::ids("coalition", &f.coalition)?);
        c.push(sql);
    }
    if !f.activity_area.is_empty() {
        c.push(in_set(
            "initiative_activity_areas",
            "area",
            records::codes(&f.activity_area, ActivityArea::as_str),
        ));
    }
    if !f.theme.is_empty() {
        c.push(in_set(
            "initiative_themes",
            "theme",
            records::codes(&f.theme, Theme::as_str),
        ));
    }
    if !f.target_group.is_empty() {
        c.push(in_set(
            "initiative_target_groups",
            "target_group",
            records::codes(&f.target_group, TargetGroup::as_str),
        ));
    }
    if !f.organisation.is_empty() {
        c.push(in_set(
            "initiative_organisations",
            "organisation_id",
            records::ids("organisation", &f.organisation)?,
        ));
    }
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
    c.extend(records::updated_since("i.updated_at", f.updated_since));
    if let Some(q) = q {
        c.push(content::matches(conn, "initiatives", "i", q));
    }
    Ok(c)
}

/// One page of initiatives the caller may see.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    filters: &InitiativeFilters,
    include: Include,
    request: &ListRequest,
) -> Result<Listed<Initiative>, ApiError> {
    let q = filters.q.as_deref().map(content::search_words).transpose()?.flatten();
    let mut query = ListQuery::new(
        COLUMNS,
        "initiatives i",
        "i.id",
        conditions(conn, caller, filters, q.as_deref())?,
    );
    if let Some(q) = &q {
        query.relevance = Some(content::relevance(conn, "initiatives", "i", q));
    }
    query
        .run::<InitiativeRow>(conn, request)?
        .try_map(|rows| assemble(conn, rows, include))
}

/// Attach sets and embedded records to rows: five set queries, plus one per embedded kind.
pub fn assemble(
    conn: &mut DbConnection,
    rows: Vec<InitiativeRow>,
    include: Include,
) -> Result<Vec<Initiative>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut areas = load_sets(conn, "initiative_activity_areas", "initiative_id", "area", &ids)?;
    let mut themes = load_sets(conn, "initiative_themes", "initiative_id", "theme", &ids)?;
    let mut groups = load_sets(conn, "initiative_target_groups", "initiative_id", "target_group", &ids)?;
    let mut countries = load_sets(conn, "initiative_countries", "initiative_id", "country_code", &ids)?;
    let mut participants = load_sets(
        conn,
        "initiative_organisations",
        "initiative_id",
        "role || ':' || organisation_id",
        &ids,
    )?;
    let mut initiatives: Vec<Initiative> = rows
        .into_iter()
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
        .collect();
    if include.coalition {
        let ids: Vec<String> = initiatives.iter().map(|i| i.coalition_id.clone()).collect();
        let found = coalitions::model::load_many(conn, &ids)?;
        for i in &mut initiatives {
            i.coalition = found.get(&i.coalition_id).cloned();
        }
    }
    if include.organisations {
        let ids: Vec<String> = initiatives
            .iter()
            .flat_map(|i| i.organisations.iter().map(|p| p.organisation_id.clone()))
            .collect();
        let found = organisations::model::load_many(conn, &ids)?;
        for p in initiatives.iter_mut().flat_map(|i| i.organisations.iter_mut()) {
            p.organisation = found.get(&p.organisation_id).cloned();
        }
    }
    Ok(initiatives)
}

fn parse_all<T: Ord>(codes: Vec<String>, parse: impl Fn(&str) -> Option<T>) -> Vec<T> {
    let mut items: Vec<T> = codes.iter().filter_map(|c| parse(c)).collect();
    items.sort();
    items
}

fn to_dto(
    row: InitiativeRow,
    areas: Vec<String>,
    themes: Vec<String>,
    groups: Vec<String>,
    countries: Vec<String>,
    participants: Vec<String>,
) -> Initiative {
    let mut organisations: Vec<Participant> = participants
        .iter()
        .filter_map(|p| {
            let (role, id) = p.split_once(':')?;
            Some(Participant {
                organisation_id: id.to_string(),
                role: ParticipationRole::parse(role)?,
                organisation: None,
            })
        })
        .collect();
    organisations.sort_by(|a, b| (a.role, &a.organisation_id).cmp(&(b.role, &b.organisation_id)));
    Initiative {
        sphere: Sphere::parse(&row.sphere).unwrap_or(Sphere::National),
        status: InitiativeStatus::parse(&row.status).unwrap_or(InitiativeStatus::Planned),
        publication: Publication::parse(&row.publication).unwrap_or(Publication::Draft),
        id: row.id,
        coalition_id: row.coalition_id,
        title: row.title,
        summary: row.summary,
        description: row.description,
        activity_areas: parse_all(areas, ActivityArea::parse),
        themes: parse_all(themes, Theme::parse),
        target_groups: parse_all(groups, TargetGroup::parse),
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
    }
}

/// Records by id, whatever their publication state (callers filter what may be seen), with
/// their sets: a fixed number of queries.
pub fn load_many(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<std::collections::HashMap<String, Initiative>, ApiError> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM initiatives i WHERE i.id IN "));
    sql.bind_list(ids.iter().map(|id| Value::Text(id.clone())));
    let rows: Vec<InitiativeRow> = sql.load(conn)?;
    Ok(assemble(conn, rows, Include::default())?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect())
}

/// One initiative, whatever its publication state, or 404.
pub fn get(conn: &mut DbConnection, id: &str, include: Include) -> Result<Initiative, ApiError> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM initiatives i WHERE i.id = "));
    sql.bind(Value::Text(id.to_string()));
    let rows: Vec<InitiativeRow> = sql.load(conn)?;
    assemble(conn, rows, include)?
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("no initiative has the id `{id}`")))
}

/// The record a client system knows by `external_id` (whatever its publication), if any.
pub fn find_external(conn: &mut DbConnection, external_id: &str) -> Result<Option<Initiative>, ApiError> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM initiatives i WHERE i.external_id = "));
    sql.bind(Value::Text(external_id.to_string()));
    let rows: Vec<InitiativeRow> = sql.load(conn)?;
    Ok(assemble(conn, rows, Include::default())?.pop())
}

/// One initiative the caller may see, or 404 (drafts of others are not there for them).
pub fn get_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    include: Include,
) -> Result<Initiative, ApiError> {
    let initiative = get(conn, id, include)?;
    if content::can_see(caller, initiative.publication, Some(&initiative.coalition_id)) {
        Ok(initiative)
    } else {
        Err(ApiError::NotFound(format!("no initiative has the id `{id}`")))
    }
}

/// Rewrite the link tables of an initiative.
pub fn write_sets(conn: &mut DbConnection, id: &str, input: &InitiativeInput) -> Result<(), ApiError> {
    let codes = |items: Vec<&'static str>| items.into_iter().map(String::from).collect::<Vec<_>>();
    replace_set(
        conn,
        "initiative_activity_areas",
        "initiative_id",
        "area",
        id,
        &codes(input.activity_areas.iter().map(|a| a.as_str()).collect()),
    )?;
    replace_set(
        conn,
        "initiative_themes",
        "initiative_id",
        "theme",
        id,
        &codes(input.themes.iter().map(|t| t.as_str()).collect()),
    )?;
    replace_set(
        conn,
        "initiative_target_groups",
        "initiative_id",
        "target_group",
        id,
        &codes(input.target_groups.iter().map(|t| t.as_str()).collect()),
    )?;
    replace_set(
        conn,
        "initiative_countries",
        "initiative_id",
        "country_code",
        id,
        &input.countries,
    )?;
    let mut delete = Sql::new("DELETE FROM initiative_organisations WHERE initiative_id = ");
    delete.bind(Value::Text(id.to_string()));
    delete.execute(conn)?;
    if !input.organisations.is_empty() {
        let mut insert =
            Sql::new("INSERT INTO initiative_organisations (initiative_id, organisation_id, role) VALUES ");
        for (i, p) in input.organisations.iter().enumerate() {
            insert.push(if i == 0 { "(" } else { ", (" });
            insert.bind(Value::Text(id.to_string()));
            insert.push(", ");
            insert.bind(Value::Text(p.organisation_id.hyphenated().to_string()));
            insert.push(", ");
            insert.bind(Value::Text(p.role.as_str().into()));
            insert.push(")");
        }
        insert.execute(conn)?;
    }
    Ok(())
}

/// The columns a write takes from the input: all but the id, version and timestamps.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = initiatives, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct Changes<'a> {
    coalition_id: String,
    title: &'a str,
    summary: Option<&'a str>,
    description: Option<&'a str>,
    sphere: &'static str,
    status: &'static str,
    start_date: chrono::NaiveDate,
    end_date: Option<chrono::NaiveDate>,
    website: Option<&'a str>,
    funding: Option<&'a str>,
    publication: &'static str,
    external_id: Option<&'a str>,
}

impl<'a> From<&'a InitiativeInput> for Changes<'a> {
    fn from(input: &'a InitiativeInput) -> Self {
        Changes {
            coalition_id: input.coalition(),
            title: &input.title,
            summary: input.summary.as_deref(),
            description: input.description.as_deref(),
            sphere: input.sphere.as_str(),
            status: input.status.as_str(),
            start_date: input.start_date,
            end_date: input.end_date,
            website: input.website.as_deref(),
            funding: input.funding.as_deref(),
            publication: input.publication.as_str(),
            external_id: input.external_id.as_deref(),
        }
    }
}

/// Create an initiative (references checked).
pub fn create(conn: &mut DbConnection, actor: &Actor, input: InitiativeInput) -> Result<Initiative, ApiError> {
    input.check_references(conn)?;
    let id = records::new_id();
    let stamp = now();
    diesel::insert_into(initiatives::table)
        .values((
            Changes::from(&input),
            initiatives::id.eq(&id),
            initiatives::version.eq(1i64),
            initiatives::created_at.eq(stamp),
            initiatives::updated_at.eq(stamp),
        ))
        .execute(conn)?;
    write_sets(conn, &id, &input)?;
    journal::record(
        conn,
        actor,
        vec![journal::created(journal::RecordType::Initiative, &id, &input)],
    )?;
    get(conn, &id, Include::default())
}

/// Delete an initiative and its sets.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<(), ApiError> {
    diesel::delete(initiatives::table.filter(initiatives::id.eq(id))).execute(conn)?;
    journal::record(conn, actor, vec![journal::deleted(journal::RecordType::Initiative, id)])?;
    Ok(())
}

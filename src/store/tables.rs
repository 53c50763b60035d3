//! Every table the SQL builder names, declared once. Queries take these typed declarations,
//! never a table or column name as a string of their own; diesel's `schema.rs` declares the
//! same tables for the statements written in its DSL.

/// A resource's main table.
#[derive(Debug)]
pub struct Table {
    /// table name
    pub name: &'static str,
    /// the alias every query of the resource uses (`i` for initiatives)
    pub alias: &'static str,
    /// the key column (`id`; `code` for countries)
    pub key: &'static str,
    /// the row's columns, qualified by the alias (`i.*`, or a list without a search column):
    /// what rendering a record from its tables selects (reads select the stored document)
    pub columns: &'static str,
}

impl Table {
    /// `name alias`, for a `FROM` clause.
    pub fn from(&self) -> String {
        format!("{} {}", self.name, self.alias)
    }

    /// The key column, qualified by the alias.
    pub fn key_column(&self) -> String {
        format!("{}.{}", self.alias, self.key)
    }
}

/// A link table: one set of a record, as `(owner, value, …)` rows.
#[derive(Debug)]
pub struct LinkTable {
    /// table name
    pub name: &'static str,
    /// the column naming the record
    pub owner: &'static str,
    /// the column holding the set's member
    pub value: &'static str,
    /// the columns a write fills after the owner (the member first)
    pub columns: &'static [&'static str],
    /// On PostgreSQL, the prefix of this set's terms in the owner's generated `facets` array
    /// (GIN-indexed; see the `facets` migration, which must use the same prefixes)
    pub facet: Option<&'static str>,
}

macro_rules! tables {
    ($($(#[$doc:meta])* $const:ident = $name:literal as $alias:literal, key $key:literal, columns $columns:literal;)*) => {
        $($(#[$doc])* pub const $const: Table = Table { name: $name, alias: $alias, key: $key, columns: $columns };)*
    };
}

macro_rules! link_tables {
    ($($(#[$doc:meta])* $const:ident = $name:literal ($owner:literal, $value:literal $(, $more:literal)*) $(facet $facet:literal)?;)*) => {
        $($(#[$doc])* pub const $const: LinkTable = LinkTable {
            name: $name,
            owner: $owner,
            value: $value,
            columns: &[$value $(, $more)*],
            facet: link_tables!(@facet $($facet)?),
        };)*
    };
    (@facet $facet:literal) => { Some($facet) };
    (@facet) => { None };
}

tables! {
    /// countries, by ISO code
    COUNTRIES = "countries" as "k", key "code", columns "k.*";
    /// coalitions
    COALITIONS = "coalitions" as "c", key "id", columns "c.*";
    /// organisations
    ORGANISATIONS = "organisations" as "o", key "id", columns "o.*";
    /// memberships of organisations in coalitions
    MEMBERSHIPS = "memberships" as "m", key "id", columns "m.*";
    /// initiatives (PostgreSQL's `search` column stays out of the selection)
    INITIATIVES = "initiatives" as "i", key "id", columns "i.id, i.coalition_id, i.title, i.summary, i.description, \
        i.sphere, i.status, i.start_date, i.end_date, i.website, i.funding, i.publication, i.external_id, \
        i.original_language, i.texts, i.version, i.created_at, i.updated_at";
    /// trainings and other events (PostgreSQL's `search` column stays out of the selection)
    TRAININGS = "trainings" as "t", key "id", columns "t.id, t.coalition_id, t.title, t.description, t.kind, \
        t.format, t.starts_at, t.ends_at, t.timezone, t.city, t.country_code, t.organiser_id, t.participants, \
        t.participants_note, t.registration_url, t.publication, t.external_id, t.original_language, \
        t.texts, t.version, t.created_at, t.updated_at";
}

link_tables! {
    /// a country's groups
    COUNTRY_GROUPS = "country_groups" ("country_code", "group_code");
    /// a coalition's activity areas
    COALITION_AREAS = "coalition_activity_areas" ("coalition_id", "area");
    /// an initiative's activity areas
    INITIATIVE_AREAS = "initiative_activity_areas" ("initiative_id", "area") facet "area";
    /// an initiative's themes
    INITIATIVE_THEMES = "initiative_themes" ("initiative_id", "theme") facet "theme";
    /// an initiative's target groups
    INITIATIVE_GROUPS = "initiative_target_groups" ("initiative_id", "target_group") facet "group";
    /// an initiative's geographic scope
    INITIATIVE_COUNTRIES = "initiative_countries" ("initiative_id", "country_code") facet "country";
    /// an initiative's participating organisations
    INITIATIVE_ORGANISATIONS = "initiative_organisations" ("initiative_id", "organisation_id", "role") facet "organisation";
    /// an event's audience countries
    TRAINING_AUDIENCE = "training_audience_countries" ("training_id", "country_code") facet "audience";
    /// an event's activity areas
    TRAINING_AREAS = "training_activity_areas" ("training_id", "area") facet "area";
    /// an event's themes
    TRAINING_THEMES = "training_themes" ("training_id", "theme") facet "theme";
    /// an event's languages
    TRAINING_LANGUAGES = "training_languages" ("training_id", "language") facet "language";
    /// an event's speakers, in order
    TRAINING_SPEAKERS = "training_speakers" ("training_id", "name", "affiliation", "position");
}

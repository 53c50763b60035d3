-- Reference data, coalitions, organisations and memberships.
-- Portable types only: ids are UUID text, timestamps are UTC without zone, sets live in
-- link tables, enums are checked text. Kept in step with migrations/postgres.

CREATE TABLE countries (
    code        TEXT PRIMARY KEY CHECK (length(code) = 2 AND code = upper(code)),
    eu_code     TEXT NOT NULL CHECK (length(eu_code) = 2),
    name        TEXT NOT NULL,
    native_name TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX countries_name ON countries (name, code);
CREATE INDEX countries_updated ON countries (updated_at, code);

CREATE TABLE country_groups (
    country_code TEXT NOT NULL REFERENCES countries (code) ON DELETE CASCADE,
    group_code   TEXT NOT NULL,
    PRIMARY KEY (country_code, group_code)
);
CREATE INDEX country_groups_group ON country_groups (group_code, country_code);

CREATE TABLE vocabulary_terms (
    vocabulary TEXT NOT NULL,
    code       TEXT NOT NULL,
    label      TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (vocabulary, code)
);

CREATE TABLE organisations (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    acronym      TEXT,
    sector       TEXT NOT NULL CHECK (sector IN ('public', 'private', 'ngo', 'education', 'research', 'social_partner', 'international', 'other')),
    country_code TEXT REFERENCES countries (code),
    website      TEXT,
    description  TEXT,
    external_id  TEXT UNIQUE,
    search_text  TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX organisations_name ON organisations (name, id);
CREATE INDEX organisations_created ON organisations (created_at, id);
CREATE INDEX organisations_updated ON organisations (updated_at, id);
CREATE INDEX organisations_country ON organisations (country_code, name, id);
CREATE INDEX organisations_sector ON organisations (sector, name, id);

CREATE TABLE coalitions (
    id             TEXT PRIMARY KEY,
    country_code   TEXT NOT NULL REFERENCES countries (code),
    name           TEXT NOT NULL,
    native_name    TEXT,
    status         TEXT NOT NULL CHECK (status IN ('planned', 'in_establishment', 'established', 'inactive')),
    founded        TEXT,
    description    TEXT,
    website        TEXT,
    contact_email  TEXT,
    coordinator_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    search_text    TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
-- At most one coalition per country that is not inactive.
CREATE UNIQUE INDEX coalitions_one_active_per_country ON coalitions (country_code) WHERE status <> 'inactive';
CREATE INDEX coalitions_country ON coalitions (country_code, id);
CREATE INDEX coalitions_name ON coalitions (name, id);
CREATE INDEX coalitions_status ON coalitions (status, id);
CREATE INDEX coalitions_created ON coalitions (created_at, id);
CREATE INDEX coalitions_updated ON coalitions (updated_at, id);
CREATE INDEX coalitions_coordinator ON coalitions (coordinator_id);

CREATE TABLE coalition_activity_areas (
    coalition_id TEXT NOT NULL REFERENCES coalitions (id) ON DELETE CASCADE,
    area         TEXT NOT NULL CHECK (area IN ('digital_skills_for_all', 'labour_force', 'ict_professionals', 'education')),
    PRIMARY KEY (coalition_id, area)
);
CREATE INDEX coalition_activity_areas_area ON coalition_activity_areas (area, coalition_id);

CREATE TABLE memberships (
    id              TEXT PRIMARY KEY,
    coalition_id    TEXT NOT NULL REFERENCES coalitions (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('coordinator', 'member', 'observer', 'partner')),
    joined_on       DATE,
    left_on         DATE,
    commitment      TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CONSTRAINT memberships_one_per_organisation UNIQUE (coalition_id, organisation_id),
    CHECK (left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on)
);
CREATE INDEX memberships_coalition ON memberships (coalition_id, created_at, id);
CREATE INDEX memberships_organisation ON memberships (organisation_id, created_at, id);

-- Initiatives and trainings (events), their sets, and full-text search.
-- SQLite: external-content FTS5 tables (unicode61 tokenizer, diacritics folded) kept in
-- step by triggers; the PostgreSQL migration of the same name uses a tsvector instead.

CREATE TABLE initiatives (
    -- A rowid alias that VACUUM never renumbers: the FTS index refers to it.
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    coalition_id TEXT NOT NULL REFERENCES coalitions (id),
    title        TEXT NOT NULL,
    summary      TEXT,
    description  TEXT,
    sphere       TEXT NOT NULL CHECK (sphere IN ('local', 'regional', 'national', 'international')),
    status       TEXT NOT NULL CHECK (status IN ('planned', 'ongoing', 'completed')),
    start_date   DATE NOT NULL,
    end_date     DATE,
    website      TEXT,
    funding      TEXT,
    publication  TEXT NOT NULL CHECK (publication IN ('draft', 'published')),
    external_id  TEXT UNIQUE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX initiatives_coalition ON initiatives (coalition_id, start_date, id);
CREATE INDEX initiatives_title ON initiatives (title, id);
CREATE INDEX initiatives_start ON initiatives (start_date, id);
CREATE INDEX initiatives_end ON initiatives (end_date);
CREATE INDEX initiatives_created ON initiatives (created_at, id);
CREATE INDEX initiatives_updated ON initiatives (updated_at, id);
CREATE INDEX initiatives_publication ON initiatives (publication, start_date, id);
CREATE INDEX initiatives_status ON initiatives (status, start_date, id);
CREATE INDEX initiatives_publication_status ON initiatives (publication, status);
CREATE INDEX initiatives_sphere ON initiatives (sphere, start_date, id);

CREATE TABLE initiative_activity_areas (
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    area          TEXT NOT NULL CHECK (area IN ('digital_skills_for_all', 'labour_force', 'ict_professionals', 'education')),
    PRIMARY KEY (initiative_id, area)
);
CREATE INDEX initiative_activity_areas_area ON initiative_activity_areas (area, initiative_id);

CREATE TABLE initiative_themes (
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    theme         TEXT NOT NULL,
    PRIMARY KEY (initiative_id, theme)
);
CREATE INDEX initiative_themes_theme ON initiative_themes (theme, initiative_id);

CREATE TABLE initiative_target_groups (
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    target_group  TEXT NOT NULL,
    PRIMARY KEY (initiative_id, target_group)
);
CREATE INDEX initiative_target_groups_group ON initiative_target_groups (target_group, initiative_id);

CREATE TABLE initiative_countries (
    initiative_id TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    country_code  TEXT NOT NULL REFERENCES countries (code),
    PRIMARY KEY (initiative_id, country_code)
);
CREATE INDEX initiative_countries_country ON initiative_countries (country_code, initiative_id);

CREATE TABLE initiative_organisations (
    initiative_id   TEXT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('lead', 'partner', 'funder')),
    PRIMARY KEY (initiative_id, organisation_id, role)
);
CREATE INDEX initiative_organisations_organisation ON initiative_organisations (organisation_id, initiative_id);

CREATE TABLE trainings (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    coalition_id      TEXT REFERENCES coalitions (id),
    title             TEXT NOT NULL,
    description       TEXT,
    kind              TEXT NOT NULL CHECK (kind IN ('training', 'workshop', 'webinar', 'conference', 'study_visit')),
    format            TEXT NOT NULL CHECK (format IN ('online', 'in_person', 'hybrid')),
    starts_at         TIMESTAMP NOT NULL,
    ends_at           TIMESTAMP NOT NULL,
    timezone          TEXT NOT NULL,
    city              TEXT,
    country_code      TEXT REFERENCES countries (code),
    organiser_id      TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    participants      INTEGER CHECK (participants IS NULL OR participants >= 0),
    participants_note TEXT,
    registration_url  TEXT,
    publication       TEXT NOT NULL CHECK (publication IN ('draft', 'published')),
    external_id       TEXT UNIQUE,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CHECK (ends_at >= starts_at)
);
CREATE INDEX trainings_coalition ON trainings (coalition_id, starts_at, id);
CREATE INDEX trainings_title ON trainings (title, id);
CREATE INDEX trainings_starts ON trainings (starts_at, id);
CREATE INDEX trainings_ends ON trainings (ends_at);
CREATE INDEX trainings_publication_ends ON trainings (publication, ends_at);
CREATE INDEX trainings_created ON trainings (created_at, id);
CREATE INDEX trainings_updated ON trainings (updated_at, id);
CREATE INDEX trainings_publication ON trainings (publication, starts_at, id);
CREATE INDEX trainings_kind ON trainings (kind, starts_at, id);
CREATE INDEX trainings_format ON trainings (format, starts_at, id);
CREATE INDEX trainings_country ON trainings (country_code, starts_at, id);
CREATE INDEX trainings_organiser ON trainings (organiser_id);

CREATE TABLE training_speakers (
    training_id TEXT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    affiliation TEXT,
    PRIMARY KEY (training_id, position)
);

CREATE TABLE training_audience_countries (
    training_id  TEXT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    country_code TEXT NOT NULL REFERENCES countries (code),
    PRIMARY KEY (training_id, country_code)
);
CREATE INDEX training_audience_countries_country ON training_audience_countries (country_code, training_id);

CREATE TABLE training_activity_areas (
    training_id TEXT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    area        TEXT NOT NULL CHECK (area IN ('digital_skills_for_all', 'labour_force', 'ict_professionals', 'education')),
    PRIMARY KEY (training_id, area)
);
CREATE INDEX training_activity_areas_area ON training_activity_areas (area, training_id);

CREATE TABLE training_themes (
    training_id TEXT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    theme       TEXT NOT NULL,
    PRIMARY KEY (training_id, theme)
);
CREATE INDEX training_themes_theme ON training_themes (theme, training_id);

CREATE TABLE training_languages (
    training_id TEXT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    language    TEXT NOT NULL,
    PRIMARY KEY (training_id, language)
);
CREATE INDEX training_languages_language ON training_languages (language, training_id);

CREATE VIRTUAL TABLE initiatives_fts USING fts5 (
    title, summary, description,
    content = 'initiatives', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER initiatives_fts_insert AFTER INSERT ON initiatives BEGIN
    INSERT INTO initiatives_fts (rowid, title, summary, description) VALUES (new.seq, new.title, new.summary, new.description);
END;
CREATE TRIGGER initiatives_fts_delete AFTER DELETE ON initiatives BEGIN
    INSERT INTO initiatives_fts (initiatives_fts, rowid, title, summary, description) VALUES ('delete', old.seq, old.title, old.summary, old.description);
END;
CREATE TRIGGER initiatives_fts_update AFTER UPDATE ON initiatives BEGIN
    INSERT INTO initiatives_fts (initiatives_fts, rowid, title, summary, description) VALUES ('delete', old.seq, old.title, old.summary, old.description);
    INSERT INTO initiatives_fts (rowid, title, summary, description) VALUES (new.seq, new.title, new.summary, new.description);
END;

CREATE VIRTUAL TABLE trainings_fts USING fts5 (
    title, description, city, participants_note,
    content = 'trainings', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER trainings_fts_insert AFTER INSERT ON trainings BEGIN
    INSERT INTO trainings_fts (rowid, title, description, city, participants_note) VALUES (new.seq, new.title, new.description, new.city, new.participants_note);
END;
CREATE TRIGGER trainings_fts_delete AFTER DELETE ON trainings BEGIN
    INSERT INTO trainings_fts (trainings_fts, rowid, title, description, city, participants_note) VALUES ('delete', old.seq, old.title, old.description, old.city, old.participants_note);
END;
CREATE TRIGGER trainings_fts_update AFTER UPDATE ON trainings BEGIN
    INSERT INTO trainings_fts (trainings_fts, rowid, title, description, city, participants_note) VALUES ('delete', old.seq, old.title, old.description, old.city, old.participants_note);
    INSERT INTO trainings_fts (rowid, title, description, city, participants_note) VALUES (new.seq, new.title, new.description, new.city, new.participants_note);
END;

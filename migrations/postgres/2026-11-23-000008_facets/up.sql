-- Set filters driven by one index. Each initiative's and event's sets (countries, activity
-- areas, themes, target groups, participating organisations; audience countries, languages)
-- are kept, as `facet:value` terms, in a `facets` array generated from the stored document,
-- under a GIN index: `country=LV&activity_area=labour_force` intersects two posting lists in
-- one index scan instead of joining two link tables and looking every match up by key.
-- Generated from the document, the array can never disagree with what a read shows; the
-- link tables stay the source the documents are rendered from (and SQLite's filters).
-- The prefixes are `LinkTable::facet` in src/store/tables.rs.
CREATE FUNCTION initiative_facets(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(
    SELECT 'country:' || v FROM jsonb_array_elements_text(d -> 'countries') v
    UNION ALL SELECT 'area:' || v FROM jsonb_array_elements_text(d -> 'activity_areas') v
    UNION ALL SELECT 'theme:' || v FROM jsonb_array_elements_text(d -> 'themes') v
    UNION ALL SELECT 'group:' || v FROM jsonb_array_elements_text(d -> 'target_groups') v
    UNION ALL SELECT 'organisation:' || (o ->> 'organisation_id') FROM jsonb_array_elements(d -> 'organisations') o
  ) FROM (SELECT doc::jsonb AS d) s
$$;

CREATE FUNCTION training_facets(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(
    SELECT 'audience:' || v FROM jsonb_array_elements_text(d -> 'audience_countries') v
    UNION ALL SELECT 'area:' || v FROM jsonb_array_elements_text(d -> 'activity_areas') v
    UNION ALL SELECT 'theme:' || v FROM jsonb_array_elements_text(d -> 'themes') v
    UNION ALL SELECT 'language:' || v FROM jsonb_array_elements_text(d -> 'languages') v
  ) FROM (SELECT doc::jsonb AS d) s
$$;

ALTER TABLE initiatives ADD COLUMN facets text[] GENERATED ALWAYS AS (initiative_facets(doc)) STORED;
ALTER TABLE trainings ADD COLUMN facets text[] GENERATED ALWAYS AS (training_facets(doc)) STORED;
CREATE INDEX initiatives_facets ON initiatives USING gin (facets);
CREATE INDEX trainings_facets ON trainings USING gin (facets);

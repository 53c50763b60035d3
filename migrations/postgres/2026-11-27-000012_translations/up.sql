-- Translated text (multilingual issue): every human-facing text becomes a language map.
-- Each record gets `original_language` (its coalition's country's main language, else its own
-- country's, else `en`), `texts` (the maps, JSON: {"title": {"lv": "…"}, …}) and `languages`
-- (the languages of its title/name, ` lv `, for the `language` filter). Every existing text
-- becomes the entry of the original language; a coalition's `native_name` becomes the entry of
-- its country's language and its `name` the English one (the column stays, unused). The title/
-- name columns keep the original-language text (what `sort=title` orders by). Documents are
-- re-rendered from the tables at the next start (`doc` set to NULL), and the search text of
-- coalitions and organisations recomputed (emptied here), now with diacritics folded.

CREATE TEMP TABLE country_language (code TEXT PRIMARY KEY, language TEXT NOT NULL);
INSERT INTO country_language (code, language) VALUES
  ('AT', 'de'),
  ('BE', 'nl'),
  ('BG', 'bg'),
  ('HR', 'hr'),
  ('CY', 'el'),
  ('CZ', 'cs'),
  ('DK', 'da'),
  ('EE', 'et'),
  ('FI', 'fi'),
  ('FR', 'fr'),
  ('DE', 'de'),
  ('GR', 'el'),
  ('HU', 'hu'),
  ('IE', 'en'),
  ('IT', 'it'),
  ('LV', 'lv'),
  ('LT', 'lt'),
  ('LU', 'fr'),
  ('MT', 'mt'),
  ('NL', 'nl'),
  ('PL', 'pl'),
  ('PT', 'pt'),
  ('RO', 'ro'),
  ('SK', 'sk'),
  ('SI', 'sl'),
  ('ES', 'es'),
  ('SE', 'sv'),
  ('AM', 'hy'),
  ('AZ', 'az'),
  ('BY', 'be'),
  ('GE', 'ka'),
  ('MD', 'ro'),
  ('UA', 'uk');

ALTER TABLE coalitions ADD COLUMN original_language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE coalitions ADD COLUMN texts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE coalitions ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN original_language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE organisations ADD COLUMN texts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE organisations ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE initiatives ADD COLUMN original_language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE initiatives ADD COLUMN texts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE initiatives ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE trainings ADD COLUMN original_language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE trainings ADD COLUMN texts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE trainings ADD COLUMN languages TEXT NOT NULL DEFAULT '';

UPDATE coalitions SET original_language = COALESCE(
  (SELECT l.language FROM country_language l WHERE l.code = coalitions.country_code), 'en');
UPDATE organisations SET original_language = COALESCE(
  (SELECT l.language FROM country_language l WHERE l.code = organisations.country_code), 'en');
UPDATE initiatives SET original_language = COALESCE(
  (SELECT l.language FROM coalitions c JOIN country_language l ON l.code = c.country_code
   WHERE c.id = initiatives.coalition_id), 'en');
UPDATE trainings SET original_language = COALESCE(
  (SELECT l.language FROM coalitions c JOIN country_language l ON l.code = c.country_code
   WHERE c.id = trainings.coalition_id),
  (SELECT l.language FROM country_language l WHERE l.code = trainings.country_code), 'en');

UPDATE coalitions SET
  texts = json_build_object(
    'name', CASE
      WHEN native_name IS NOT NULL AND native_name <> '' AND original_language <> 'en'
        THEN json_build_object(original_language, native_name, 'en', name)
      ELSE json_build_object(original_language, name) END,
    'description', CASE WHEN description IS NULL OR description = '' THEN json_build_object() ELSE json_build_object(original_language, description) END)::text,
  name = CASE WHEN native_name IS NOT NULL AND native_name <> '' AND original_language <> 'en'
    THEN native_name ELSE name END,
  languages = CASE WHEN native_name IS NOT NULL AND native_name <> '' AND original_language <> 'en'
    THEN (CASE WHEN original_language < 'en' THEN ' ' || original_language || ' en ' ELSE ' en ' || original_language || ' ' END)
    ELSE ' ' || original_language || ' ' END,
  search_text = '',
  doc = NULL;
UPDATE organisations SET
  search_text = '',
  texts = json_build_object('name', json_build_object(original_language, name), 'description', CASE WHEN description IS NULL OR description = '' THEN json_build_object() ELSE json_build_object(original_language, description) END)::text,
  languages = ' ' || original_language || ' ',
  doc = NULL;
UPDATE initiatives SET
  texts = json_build_object(
    'title', json_build_object(original_language, title),
    'summary', CASE WHEN summary IS NULL OR summary = '' THEN json_build_object() ELSE json_build_object(original_language, summary) END,
    'description', CASE WHEN description IS NULL OR description = '' THEN json_build_object() ELSE json_build_object(original_language, description) END)::text,
  languages = ' ' || original_language || ' ',
  doc = NULL;
UPDATE trainings SET
  texts = json_build_object('title', json_build_object(original_language, title), 'description', CASE WHEN description IS NULL OR description = '' THEN json_build_object() ELSE json_build_object(original_language, description) END)::text,
  languages = ' ' || original_language || ' ',
  doc = NULL;

DROP TABLE country_language;

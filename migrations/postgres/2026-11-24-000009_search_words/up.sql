-- Search over words the application computes (`content::words`: letters and digits, lowercased,
-- diacritics folded), so that both backends find the same records for the same words. The
-- tsvector is built from them alone; PostgreSQL's parser no longer decides what a word is
-- (it kept `-2027` in "2024-2027" as one signed number, and did not fold diacritics).
-- Existing rows are indexed by the application at start (`content::index_missing`).
ALTER TABLE initiatives ADD COLUMN search_words text NOT NULL DEFAULT '';
ALTER TABLE trainings ADD COLUMN search_words text NOT NULL DEFAULT '';

DROP INDEX initiatives_search;
ALTER TABLE initiatives DROP COLUMN search;
ALTER TABLE initiatives ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_words)) STORED;
CREATE INDEX initiatives_search ON initiatives USING GIN (search);

DROP INDEX trainings_search;
ALTER TABLE trainings DROP COLUMN search;
ALTER TABLE trainings ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_words)) STORED;
CREATE INDEX trainings_search ON trainings USING GIN (search);

DROP INDEX trainings_search;
ALTER TABLE trainings DROP COLUMN search;
ALTER TABLE trainings ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', title || ' ' || coalesce(description, '') || ' ' || coalesce(city, '') || ' ' || coalesce(participants_note, ''))
) STORED;
CREATE INDEX trainings_search ON trainings USING GIN (search);

DROP INDEX initiatives_search;
ALTER TABLE initiatives DROP COLUMN search;
ALTER TABLE initiatives ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', title || ' ' || coalesce(summary, '') || ' ' || coalesce(description, ''))
) STORED;
CREATE INDEX initiatives_search ON initiatives USING GIN (search);

ALTER TABLE trainings DROP COLUMN search_words;
ALTER TABLE initiatives DROP COLUMN search_words;

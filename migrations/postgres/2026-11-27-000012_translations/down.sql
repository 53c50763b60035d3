-- Back to one string per text: the title/name columns hold the original-language text
-- already; documents are re-rendered at the next start.
ALTER TABLE coalitions DROP COLUMN original_language;
ALTER TABLE coalitions DROP COLUMN texts;
ALTER TABLE coalitions DROP COLUMN languages;
UPDATE coalitions SET doc = NULL;
ALTER TABLE organisations DROP COLUMN original_language;
ALTER TABLE organisations DROP COLUMN texts;
ALTER TABLE organisations DROP COLUMN languages;
UPDATE organisations SET doc = NULL;
ALTER TABLE initiatives DROP COLUMN original_language;
ALTER TABLE initiatives DROP COLUMN texts;
ALTER TABLE initiatives DROP COLUMN languages;
UPDATE initiatives SET doc = NULL;
ALTER TABLE trainings DROP COLUMN original_language;
ALTER TABLE trainings DROP COLUMN texts;
ALTER TABLE trainings DROP COLUMN languages;
UPDATE trainings SET doc = NULL;

DROP INDEX trainings_facets;
DROP INDEX initiatives_facets;
ALTER TABLE trainings DROP COLUMN facets;
ALTER TABLE initiatives DROP COLUMN facets;
DROP FUNCTION training_facets(text);
DROP FUNCTION initiative_facets(text);

-- PostgreSQL keeps each initiative's and event's sets in a `facets` array under a GIN index
-- (see its migration). SQLite has neither; its set filters stay on the link tables' indexes.
SELECT 1;
